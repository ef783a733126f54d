//! Table encode failures, with the path to the offending cell.

use std::sync::Arc;

/// One step of a cell's path: a row or list index, or a column / struct
/// field / map key name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Index(usize),
    Field(Arc<str>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableErrorKind {
    /// NaN or an infinity with `nan="error"`.
    NonFinite(f64),
    /// A column type the encoder cannot write (found while planning).
    Unsupported(String),
    /// A value outside what Python's types hold (a year beyond 1..=9999, a
    /// duration beyond `timedelta`'s range), as `to_pylist()` would refuse.
    OutOfRange(String),
    /// Nesting deeper than `max_depth`.
    Depth(u32),
    /// An allocation failed.
    OutOfMemory,
}

/// A failure, and where: `path` is innermost first while it unwinds.
#[derive(Clone, Debug, PartialEq)]
pub struct TableError {
    pub path: Vec<Step>,
    pub kind: TableErrorKind,
}

impl TableError {
    pub fn new(kind: TableErrorKind) -> Box<Self> {
        Box::new(TableError {
            path: Vec::new(),
            kind,
        })
    }

    /// The detail text (the path is written by the caller).
    pub fn detail(&self) -> String {
        match &self.kind {
            TableErrorKind::NonFinite(f) => {
                let text = if f.is_nan() {
                    "nan"
                } else if *f > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                format!("float {text} is not allowed in JSON (use nan=\"null\")")
            }
            TableErrorKind::Unsupported(s) | TableErrorKind::OutOfRange(s) => s.clone(),
            TableErrorKind::Depth(n) => format!("maximum depth {n} exceeded"),
            TableErrorKind::OutOfMemory => "out of memory".to_owned(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Box<TableError>>;

/// Adds a path step to an error on its way out.
pub trait At<T> {
    fn at(self, step: impl FnOnce() -> Step) -> Result<T>;
}

impl<T> At<T> for Result<T> {
    #[inline]
    fn at(self, step: impl FnOnce() -> Step) -> Result<T> {
        self.map_err(|mut e| {
            e.path.push(step());
            e
        })
    }
}
