//! The Python-facing functions of `slotjson._native`.

mod args;
mod document;
mod encode;
mod errors;
pub mod ranges;
mod threads;

pub use document::{dumps_indexed, PyDocument, PyDocumentIndex};
pub use encode::dumps;
pub use threads::set_threads;

use crate::cpython;
use pyo3::prelude::*;

/// Build native plans for a group of `ModelSpec`s (see `slotjson._spec`).
#[pyfunction]
pub fn build_plans(
    py: Python<'_>,
    specs: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<crate::plan::PyPlan>>> {
    crate::plan::build_plans(py, specs)
}

/// Whether values are read from object memory (True) or through the C API.
#[pyfunction]
pub fn raw_path_enabled() -> bool {
    cpython::raw_path()
}

/// Switch the raw-memory path (tests use this to exercise the fallback).
/// Returns the new state: it cannot be switched on if the layout self-check
/// failed.
#[pyfunction]
#[pyo3(name = "_set_raw_path")]
pub fn set_raw_path(enabled: bool) -> bool {
    cpython::set_raw_path(enabled)
}

/// The layout self-check's findings: "ok", or what did not match.
#[pyfunction]
pub fn layout_report() -> &'static str {
    cpython::selfcheck::report()
}
