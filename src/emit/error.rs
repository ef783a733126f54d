//! Encode failures, with the path to the offending value.

use pyo3::prelude::*;

/// One step of a path: a model field, a list/tuple index or a dict key.
pub enum Seg {
    Field(Box<str>),
    Index(usize),
    Key(Py<PyAny>),
}

pub enum ErrorKind {
    /// Value of the wrong type for its annotation.
    Mismatch {
        expected: Box<str>,
        got: Py<PyAny>,
    },
    TupleLength {
        expected: Box<str>,
        got: Py<PyAny>,
        len: usize,
    },
    /// A field never set, with the AttributeError of a by-name lookup.
    Unset(Box<str>, Option<PyErr>),
    Cycle,
    Depth(u32),
    /// Nesting deeper than this thread's C stack can hold.
    StackDepth(usize),
    NonFinite(f64),
    LoneSurrogate {
        index: usize,
        code_point: u32,
    },
    Unsupported(Py<PyAny>),
    UnsupportedKey(Py<PyAny>),
    HookRaised(PyErr),
    HookReturned(Py<PyAny>),
    /// A class met at run time has an unsupported annotation (SpecError).
    Spec(PyErr),
    /// Python code the encoder called raised (e.g. a tzinfo's utcoffset).
    Python(PyErr),
    /// The output could not grow (MemoryError): raised as it is.
    OutOfMemory(PyErr),
    /// A Rust buffer could not grow (MemoryError; no Python object is made,
    /// so workers can report it too).
    NoMemory,
    Other(String),
    /// A worker thread met something that needs Python; the caller
    /// redoes that part with the GIL (never reaches the user).
    NeedsGil,
}

pub struct EmitError {
    /// Innermost segment first (pushed while unwinding).
    pub path: Vec<Seg>,
    pub kind: ErrorKind,
}

impl EmitError {
    #[cold]
    pub fn new(kind: ErrorKind) -> Box<Self> {
        Box::new(EmitError {
            path: Vec::new(),
            kind,
        })
    }

    #[cold]
    pub fn at(mut self: Box<Self>, seg: Seg) -> Box<Self> {
        self.path.push(seg);
        self
    }
}
