//! The Python-facing functions of `slotjson._native`.

mod args;
mod document;
mod encode;
mod errors;
pub mod ranges;
mod table;
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

/// Whether values of every type are read from object memory (True), or some
/// through the C API (see `layout_report` for which).
#[pyfunction]
pub fn raw_path_enabled() -> bool {
    cpython::raw_path()
}

/// Switch the raw-memory path (tests use this to exercise the fallback).
/// Returns the new state of the whole: a reader whose layout self-check
/// failed stays off.
#[pyfunction]
#[pyo3(name = "_set_raw_path")]
pub fn set_raw_path(enabled: bool) -> bool {
    cpython::set_raw_path(enabled)
}

/// The layout self-check's findings, per raw reader: `{name: {"raw": bool,
/// "reason": str}}`, where `raw` says whether the reader reads object memory
/// now and `reason` is "ok" or why it does not; `bytes_builder` says whether
/// `dumps` writes its `bytes` result in place.
#[pyfunction]
pub fn layout_report(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    use pyo3::types::PyDict;
    let out = PyDict::new(py);
    let report = cpython::selfcheck::report();
    for r in cpython::Reader::ALL {
        let entry = PyDict::new(py);
        let raw = cpython::raw(r);
        let failed = report.map_or("the self-check has not run", |rep| {
            rep.readers[r as usize].as_str()
        });
        let reason = if !failed.is_empty() {
            failed
        } else if raw {
            "ok"
        } else {
            "switched off (SLOTJSON_NO_RAW or _set_raw_path)"
        };
        entry.set_item("raw", raw)?;
        entry.set_item("reason", reason)?;
        out.set_item(r.name(), entry)?;
    }
    let entry = PyDict::new(py);
    let builder = report.and_then(|rep| rep.builder.as_deref());
    entry.set_item("raw", cpython::selfcheck::builder_passed())?;
    entry.set_item("reason", builder.unwrap_or("ok"))?;
    out.set_item("bytes_builder", entry)?;
    Ok(out)
}
