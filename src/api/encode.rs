//! `dumps`: one value to JSON bytes.

use super::errors::to_pyerr;
use crate::cpython::{self, Obj};
use crate::emit::{Emitter, Options};
use crate::json::TimeFormat;
use crate::plan::plan_of;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes per top-level list item in the last list encoded: sizes the output
/// buffer of the next call so large encodes rarely regrow.
static ITEM_BYTES: AtomicUsize = AtomicUsize::new(128);
const SMALL_CAPACITY: usize = 256;

#[allow(clippy::too_many_arguments)]
pub fn parse_options(
    utc_z: bool,
    omit_microseconds: bool,
    nan: &str,
    ascii: bool,
    default: Option<Bound<'_, PyAny>>,
    max_depth: &Bound<'_, PyAny>,
    timedelta: &str,
) -> PyResult<Options> {
    // A bool is an int to Python, but never a sensible depth.
    let depth = match max_depth.extract::<i64>() {
        Ok(d) if !max_depth.is_instance_of::<pyo3::types::PyBool>() => d,
        _ => {
            return Err(PyValueError::new_err(format!(
                "max_depth must be a non-negative int, not {max_depth:?}"
            )))
        }
    };
    let nan_null = match nan {
        "error" => false,
        "null" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "nan must be \"error\" or \"null\", not {other:?}"
            )))
        }
    };
    let timedelta_seconds = match timedelta {
        "iso" => false,
        "seconds" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "timedelta must be \"iso\" or \"seconds\", not {other:?}"
            )))
        }
    };
    if !(0..=u32::MAX as i64).contains(&depth) {
        return Err(PyValueError::new_err(format!(
            "max_depth must be a non-negative int, not {depth}"
        )));
    }
    if let Some(d) = &default {
        if !d.is_callable() {
            return Err(PyTypeError::new_err("default must be callable or None"));
        }
    }
    Ok(Options {
        time: TimeFormat {
            utc_z,
            omit_microseconds,
        },
        nan_null,
        ascii,
        default: default.map(Bound::unbind),
        max_depth: depth as u32,
        timedelta_seconds,
    })
}

/// Bytes per item to reserve for a list of `n` items.
pub fn item_bytes_hint() -> usize {
    ITEM_BYTES.load(Ordering::Relaxed)
}

pub fn record_item_bytes(bytes: usize) {
    ITEM_BYTES.store(bytes + 1, Ordering::Relaxed);
}

/// The class name that starts error paths when `obj` is a model.
pub fn root_name(obj: &Bound<'_, PyAny>) -> String {
    let cls = obj.get_type();
    if plan_of(cls.as_any()).is_some() || cls.hasattr("__dataclass_fields__").unwrap_or(false) {
        cls.name().map(|n| n.to_string()).unwrap_or_default()
    } else {
        String::new()
    }
}

/// Encode `obj` into a fresh buffer (GIL held throughout).
pub fn encode(py: Python<'_>, obj: &Bound<'_, PyAny>, opts: &Options) -> PyResult<Vec<u8>> {
    let o = Obj::from_bound(obj);
    let list_len = (o.ty() == cpython::types().list).then(|| cpython::list_len(o));
    let capacity = match list_len {
        Some(n) => n
            .saturating_mul(ITEM_BYTES.load(Ordering::Relaxed))
            .clamp(SMALL_CAPACITY, 1 << 30),
        None => SMALL_CAPACITY,
    };
    let mut em = Emitter::new(py, opts, capacity);
    match em.write(o) {
        Ok(()) => {
            if let Some(n) = list_len.filter(|&n| n > 0) {
                ITEM_BYTES.store(em.out.len() / n + 1, Ordering::Relaxed);
            }
            Ok(std::mem::take(&mut em.out))
        }
        Err(e) => {
            drop(em);
            Err(to_pyerr(py, e, &root_name(obj)))
        }
    }
}

/// Serialize `obj` to JSON bytes (see spec/TYPES.md).
#[pyfunction]
#[pyo3(signature = (obj, *, utc_z=false, omit_microseconds=false, nan="error", ascii=false, default=None, max_depth=None, timedelta="iso"))]
#[allow(clippy::too_many_arguments)]
pub fn dumps<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    utc_z: bool,
    omit_microseconds: bool,
    nan: &str,
    ascii: bool,
    default: Option<Bound<'py, PyAny>>,
    max_depth: Option<Bound<'py, PyAny>>,
    timedelta: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let opts = parse_options(
        utc_z,
        omit_microseconds,
        nan,
        ascii,
        default,
        &max_depth.unwrap_or_else(|| 256i64.into_pyobject(py).expect("int").into_any()),
        timedelta,
    )?;
    let out = encode(py, obj, &opts)?;
    Ok(PyBytes::new(py, &out))
}
