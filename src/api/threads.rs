//! How many worker threads an encode call uses.

use crate::cpython;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this much expected output, one thread is as fast or faster:
/// handing chunks to workers costs about what it saves. Measured on 2 cores
/// with the harness's flat and nested workloads, two workers won from about
/// 20–120 KB of output on; 128 KB leaves a margin.
const PARALLEL_MIN_BYTES: usize = 128 * 1024;
/// The most workers one call may ask for.
const MAX_WORKERS: usize = 256;

/// Workers for automatic calls (0: not set, use the CPU count).
static DEFAULT_WORKERS: AtomicUsize = AtomicUsize::new(0);

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The `threads=` argument: None (automatic) or an int in 1..=256.
pub fn parse(threads: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(t) = threads.filter(|t| !t.is_none()) else {
        return Ok(None);
    };
    match t.extract::<i64>() {
        Ok(n)
            if (1..=MAX_WORKERS as i64).contains(&n)
                && !t.is_instance_of::<pyo3::types::PyBool>() =>
        {
            Ok(Some(n as usize))
        }
        _ => Err(PyValueError::new_err(format!(
            "threads must be None or an int from 1 to {MAX_WORKERS}, not {t}"
        ))),
    }
}

/// Workers for a sequence of `items` expected to give `bytes` of JSON.
pub fn workers_for(asked: Option<usize>, items: usize, bytes: usize) -> usize {
    // Workers read object memory directly; with the raw path off every read
    // goes through the C API, which only the GIL-holding thread may call.
    if !cpython::raw_path() || items < 2 {
        return 1;
    }
    let n = match asked {
        Some(n) => n,
        None if bytes < PARALLEL_MIN_BYTES => 1,
        None => match DEFAULT_WORKERS.load(Ordering::Relaxed) {
            0 => cpus(),
            n => n,
        },
    };
    n.min(items)
}

/// `slotjson.set_threads(n)`: the worker count of automatic calls, for the
/// whole process (None: the number of CPUs). Returns the previous setting.
#[pyfunction]
#[pyo3(signature = (n))]
pub fn set_threads(n: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let new = parse(n)?.unwrap_or(0);
    let old = DEFAULT_WORKERS.swap(new, Ordering::Relaxed);
    Ok((old != 0).then_some(old))
}

/// Workers for a table of `rows` expected to give `bytes` of JSON (tables
/// are read from their own buffers, raw path or not).
pub fn workers_for_rows(asked: Option<usize>, rows: usize, bytes: usize) -> usize {
    if rows < 2 {
        return 1;
    }
    let n = match asked {
        Some(n) => n,
        None if bytes < PARALLEL_MIN_BYTES => 1,
        None => match DEFAULT_WORKERS.load(Ordering::Relaxed) {
            0 => cpus(),
            n => n,
        },
    };
    n.min(rows)
}
