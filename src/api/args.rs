//! Argument handling shared by the Python-facing functions.

use super::encode::{encode, parse_options};
use crate::document::FormatError;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyType};

/// `slotjson.FormatError` carrying `e`'s message.
pub fn format_error(py: Python<'_>, e: FormatError) -> PyErr {
    match py
        .import("slotjson._errors")
        .and_then(|m| m.getattr("FormatError"))
    {
        Ok(cls) => PyErr::from_type(cls.cast_into::<PyType>().expect("a class"), e.to_string()),
        Err(err) => err,
    }
}

/// `operator.index(v)`: `v` if it is an int, else what its `__index__`
/// returns. A value whose type has no `__index__` is a `TypeError` with
/// `message`; whatever `__index__` raises propagates as it is, as for a
/// list index (a `KeyboardInterrupt` must never become a `TypeError`).
pub fn to_index<'py>(
    v: &Bound<'py, PyAny>,
    message: impl FnOnce() -> String,
) -> PyResult<Bound<'py, PyAny>> {
    if v.is_instance_of::<PyInt>() {
        return Ok(v.clone());
    }
    if !v.get_type().hasattr("__index__")? {
        return Err(PyTypeError::new_err(message()));
    }
    let index = v.call_method0("__index__")?;
    if !index.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "__index__ returned non-int (type {})",
            index.get_type().name()?
        )));
    }
    Ok(index)
}

/// A page bound: a non-negative int. Values past u64 saturate: every use
/// clamps them to the item count anyway, like a Python slice.
pub fn page_bound(name: &str, v: &Bound<'_, PyAny>) -> PyResult<u64> {
    let index = to_index(v, || format!("{name} must be an int"))?;
    if let Ok(n) = index.extract::<u64>() {
        return Ok(n);
    }
    if index.lt(0)? {
        return Err(PyValueError::new_err(format!(
            "{name} must be >= 0, not {index}"
        )));
    }
    Ok(u64::MAX)
}

/// The `extra=` of an envelope: a dict written by `dumps` (default
/// options) as JSON object text, or None.
pub fn envelope_extra(
    py: Python<'_>,
    extra: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Vec<u8>>> {
    match extra {
        None => Ok(None),
        Some(e) if e.is_instance_of::<PyDict>() => {
            let opts = parse_options(false, false, "error", false, None, None, "iso", None, false)?;
            Ok(Some(encode(py, e, &opts)?))
        }
        Some(_) => Err(PyTypeError::new_err("extra must be a dict")),
    }
}
