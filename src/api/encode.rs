//! `dumps`: one value to JSON bytes.

use super::errors::to_pyerr;
use super::threads;
use crate::cpython::{self, BytesBuilder, Obj};
use crate::emit::{
    encode_value_releasing, EmitError, Emitter, ErrorKind, ListJob, Options, SPILL_AT,
};
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

/// `max_depth` when the caller gives none.
const DEFAULT_MAX_DEPTH: i64 = 256;

/// The keyword options shared by `dumps` and `dumps_indexed`, validated.
#[allow(clippy::too_many_arguments)]
pub fn parse_options(
    utc_z: bool,
    omit_microseconds: bool,
    nan: &str,
    ascii: bool,
    default: Option<Bound<'_, PyAny>>,
    max_depth: Option<&Bound<'_, PyAny>>,
    timedelta: &str,
    threads: Option<&Bound<'_, PyAny>>,
    release_gil: bool,
) -> PyResult<Options> {
    // A bool is an int to Python, but never a sensible depth.
    let depth = match max_depth {
        None => DEFAULT_MAX_DEPTH,
        Some(m) => match m.extract::<i64>() {
            Ok(d) if !m.is_instance_of::<pyo3::types::PyBool>() => d,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "max_depth must be a non-negative int, not {m:?}"
                )))
            }
        },
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
        threads: threads::parse(threads)?,
        release_gil,
        by_alias: None,
    })
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

/// Encoded output: one buffer and its index, or (`dumps`) the final
/// `bytes` object, written in place.
pub enum Encoded {
    Whole(Vec<u8>, Vec<u8>),
    Bytes(Py<PyBytes>),
}

/// Where a serial encode puts its output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A Rust vector (a Document's storage, envelope extras).
    Vec,
    /// The `bytes` object `dumps` returns, written in place
    /// (`Encoded::Bytes`; a small output is copied into it once).
    Bytes,
}

impl Encoded {
    /// The JSON text as `bytes` (copied once, unless it already is).
    pub fn into_pybytes<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        match self {
            Encoded::Whole(blob, _) => cpython::new_bytes(py, &blob),
            Encoded::Bytes(b) => Ok(b.into_bound(py)),
        }
    }

    /// The JSON text and index as vectors (a Document's storage).
    pub fn into_parts(self) -> (Vec<u8>, Vec<u8>) {
        match self {
            Encoded::Whole(blob, index) => (blob, index),
            // Not produced for these callers (they ask for Target::Vec).
            Encoded::Bytes(b) => (Python::attach(|py| b.as_bytes(py).to_vec()), Vec::new()),
        }
    }

    fn len(&self, py: Python<'_>) -> usize {
        match self {
            Encoded::Whole(blob, _) => blob.len(),
            Encoded::Bytes(b) => b.as_bytes(py).len(),
        }
    }
}

/// How a top-level value is written. This is the one place that decides it
/// for `dumps` and `dumps_indexed` alike: a new top-level kind (say, a
/// table written row by row) is one more variant here and one more arm in
/// each of the two callers.
pub enum TopLevel {
    /// A list or tuple (or a subclass): a JSON array of its items, written
    /// item by item (on worker threads when it is large) and indexable.
    Items,
    /// An object exporting the Arrow C stream interface (pyarrow, polars,
    /// pandas, DuckDB): a JSON array of row objects, written from its
    /// columns by `crate::table` (one indexable item per row).
    Table,
    /// Anything else: one JSON value written by the walker (which refuses
    /// what it does not support, or passes it to `default=`).
    Value,
}

/// See [`TopLevel`].
pub fn top_level(bound: &Bound<'_, PyAny>) -> TopLevel {
    let obj = Obj::from_bound(bound);
    let t = obj.ty();
    let types = cpython::types();
    if t == types.list
        || t == types.tuple
        || t.has_flag(pyo3::ffi::Py_TPFLAGS_LIST_SUBCLASS | pyo3::ffi::Py_TPFLAGS_TUPLE_SUBCLASS)
    {
        TopLevel::Items
    } else if t != types.dict
        && super::table::is_arrow_stream(bound)
        && plan_of(bound.get_type().as_any()).is_none()
    {
        TopLevel::Table
    } else {
        TopLevel::Value
    }
}

/// Encode `obj` (GIL held throughout).
pub fn encode_value(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    opts: &Options,
    target: Target,
) -> PyResult<Encoded> {
    let o = Obj::from_bound(obj);
    match top_level(obj) {
        TopLevel::Items => {
            return encode_seq_to(py, o, opts, false, target).map_err(|e| to_pyerr(py, e, ""))
        }
        TopLevel::Table => {
            let encoded = super::table::encode_table(py, obj, opts, false)?;
            return Ok(Encoded::Whole(encoded.blob, Vec::new()));
        }
        TopLevel::Value => {}
    }
    if opts.release_gil {
        return encode_value_releasing(py, o, opts)
            .map(|blob| Encoded::Whole(blob, Vec::new()))
            .map_err(|e| to_pyerr(py, e, &root_name(obj)));
    }
    let mut em = Emitter::new(py, opts, SMALL_CAPACITY);
    if target == Target::Bytes {
        // A model or dict holding a large list spills at its items.
        em.spill_to_bytes(SMALL_CAPACITY);
    }
    match em.write(o) {
        Ok(()) if target == Target::Bytes => Ok(Encoded::Bytes(em.finish_bytes()?.unbind())),
        Ok(()) => Ok(Encoded::Whole(std::mem::take(&mut em.out), Vec::new())),
        Err(e) => {
            drop(em);
            Err(to_pyerr(py, e, &root_name(obj)))
        }
    }
}

/// Encode `obj` into one buffer.
pub fn encode(py: Python<'_>, obj: &Bound<'_, PyAny>, opts: &Options) -> PyResult<Vec<u8>> {
    encode_value(py, obj, opts, Target::Vec).map(|e| e.into_parts().0)
}

/// Encode a list or tuple as one JSON array, on one or several threads
/// (see `threads`); with `indexed`, also the N+1-entry item index.
pub fn encode_seq(
    py: Python<'_>,
    seq: Obj<'_>,
    opts: &Options,
    indexed: bool,
) -> Result<Encoded, Box<EmitError>> {
    encode_seq_to(py, seq, opts, indexed, Target::Vec)
}

/// `encode_seq`, with the serial path writing to `target` (the index, if
/// any, is always a vector).
fn encode_seq_to<'a>(
    py: Python<'_>,
    seq: Obj<'a>,
    opts: &Options,
    indexed: bool,
    target: Target,
) -> Result<Encoded, Box<EmitError>> {
    // dumps_indexed also passes list and tuple subclasses.
    let is_list = seq.ty().has_flag(pyo3::ffi::Py_TPFLAGS_LIST_SUBCLASS);
    let n = if is_list {
        cpython::list_len(seq)
    } else {
        cpython::tuple_len(seq)
    };
    let size_hint = n
        .saturating_mul(ITEM_BYTES.load(Ordering::Relaxed))
        .clamp(SMALL_CAPACITY, 1 << 30);
    let workers = threads::workers_for(opts.threads, n, size_hint);
    let encoded = if workers > 1 || (opts.release_gil && n > 0) {
        // Workers cannot look classes up: give them the first item's plan.
        let mut em = Emitter::new(py, opts, 0);
        let first = if is_list {
            cpython::list_get(seq, 0)
        } else {
            cpython::tuple_get(seq, 0)
        };
        let expect = match first {
            Some(first) => em.class_plan(first)?,
            None => None,
        };
        drop(em);
        let job = ListJob {
            seq,
            n,
            opts,
            workers,
            expect,
            indexed,
            size_hint,
        };
        // Joined straight into the result as chunks finish: a little more
        // room than the hint, so a close estimate never regrows it.
        let capacity = size_hint + size_hint / 16 + (1 << 16);
        if target == Target::Bytes && crate::cpython::selfcheck::builder_passed() {
            let mut bytes = BytesBuilder::with_capacity(py, capacity)
                .map_err(|e| EmitError::new(ErrorKind::OutOfMemory(e)))?;
            job.run(py, &mut bytes)?;
            let bytes = bytes
                .finish()
                .map_err(|e| EmitError::new(ErrorKind::OutOfMemory(e)))?;
            Encoded::Bytes(bytes.unbind())
        } else {
            // A size hint: without it the joiner grows the vector as it goes.
            let mut blob = crate::json::room::vec_with_capacity(size_hint).unwrap_or_default();
            let index = job.run(py, &mut blob)?;
            if blob.capacity() - blob.len() > blob.len() / 8 {
                blob.shrink_to_fit(); // a Document may keep it for long
            }
            Encoded::Whole(blob, index)
        }
    } else if target == Target::Bytes {
        // A staging buffer moved into the final bytes at item boundaries:
        // the output exists once, plus about SPILL_AT.
        let staging = size_hint.min(SPILL_AT + SPILL_AT / 2);
        let mut em = Emitter::new(py, opts, staging);
        em.spill_to_bytes(size_hint);
        em.write_indexed(seq, None)?;
        let bytes = em
            .finish_bytes()
            .map_err(|e| EmitError::new(ErrorKind::OutOfMemory(e)))?;
        Encoded::Bytes(bytes.unbind())
    } else {
        let mut em = Emitter::new(py, opts, size_hint);
        let entries = if indexed { n.saturating_add(1) } else { 0 };
        let mut index = crate::json::room::vec_with_capacity(entries.saturating_mul(8))
            .map_err(|_| crate::emit::out_of_memory())?;
        em.write_indexed(seq, indexed.then_some(&mut index))?;
        Encoded::Whole(std::mem::take(&mut em.out), index)
    };
    if let Some(per_item) = encoded.len(py).checked_div(n) {
        ITEM_BYTES.store(per_item + 1, Ordering::Relaxed);
    }
    Ok(encoded)
}

/// Serialize `obj` to JSON bytes (see spec/TYPES.md).
#[pyfunction]
#[pyo3(signature = (obj, *, utc_z=false, omit_microseconds=false, nan="error", ascii=false, default=None, max_depth=None, timedelta="iso", threads=None, release_gil=false, by_alias=None))]
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
    threads: Option<Bound<'py, PyAny>>,
    release_gil: bool,
    by_alias: Option<bool>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut opts = parse_options(
        utc_z,
        omit_microseconds,
        nan,
        ascii,
        default,
        max_depth.as_ref(),
        timedelta,
        threads.as_ref(),
        release_gil,
    )?;
    opts.by_alias = by_alias;
    encode_value(py, obj, &opts, Target::Bytes)?.into_pybytes(py)
}
