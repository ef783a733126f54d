//! slotjson: schema-compiled JSON for Python dataclasses.
//!
//! Pure-Rust layers, usable without Python: [`json`] (writers) and
//! [`document`] (blob + offset index). With the `python` feature, the
//! extension module `slotjson._native`: `plan` (compiled specs), `emit` (the
//! plan walker), `cpython` (the only unsafe code: object layouts) and `api`
//! (the functions Python calls).

pub mod document;
pub mod json;

#[cfg(feature = "python")]
mod api;
#[cfg(feature = "python")]
mod cpython;
#[cfg(feature = "python")]
mod emit;
#[cfg(feature = "python")]
mod plan;
#[cfg(feature = "python")]
mod table;

#[cfg(feature = "python")]
use pyo3::prelude::*;

#[cfg(feature = "python")]
// The encoder relies on the GIL (workers read memory while the caller holds
// it); free-threaded builds need a critical-section design first.
#[pymodule(gil_used = true)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    cpython::init_types(py)?;
    cpython::selfcheck::run(py)?;
    m.add_function(wrap_pyfunction!(api::dumps, m)?)?;
    m.add_function(wrap_pyfunction!(api::build_plans, m)?)?;
    m.add_function(wrap_pyfunction!(api::raw_path_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(api::set_raw_path, m)?)?;
    m.add_function(wrap_pyfunction!(api::layout_report, m)?)?;
    m.add_function(wrap_pyfunction!(api::dumps_indexed, m)?)?;
    m.add_function(wrap_pyfunction!(api::set_threads, m)?)?;
    m.add_class::<plan::PyPlan>()?;
    m.add_class::<api::PyDocument>()?;
    m.add_class::<api::PyDocumentIndex>()?;
    api::ranges::register(m)?;
    Ok(())
}
