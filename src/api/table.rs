//! `dumps(table)` / `dumps_indexed(table)`: any object exporting the Arrow
//! C stream interface (pyarrow, polars, pandas, DuckDB), encoded by
//! `crate::table` without the GIL.

use super::errors::to_pyerr;
use super::threads;
use crate::cpython;
use crate::emit::{EmitError, ErrorKind, Options, Seg};
use crate::table::{self, CellOptions, Step, TableError, TableErrorKind, Zones};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// JSON bytes per row of the last table encoded: sizes the next call's
/// buffers.
static ROW_BYTES: AtomicUsize = AtomicUsize::new(0);

pub use cpython::is_arrow_stream;

/// Named time zones, resolved through `slotjson._tables.zone_offsets`
/// (Python's `zoneinfo`) with the GIL, once per distinct second.
struct PyZones<'py> {
    py: Python<'py>,
    cache: HashMap<String, HashMap<i64, i32>>,
}

impl Zones for PyZones<'_> {
    fn offsets(&mut self, zone: &str, seconds: &[i64]) -> table::error::Result<HashMap<i64, i32>> {
        let known = self.cache.entry(zone.to_owned()).or_default();
        let missing: Vec<i64> = seconds
            .iter()
            .copied()
            .filter(|s| !known.contains_key(s))
            .collect();
        if !missing.is_empty() {
            let found: Vec<Option<i32>> = self
                .py
                .import("slotjson._tables")
                .and_then(|m| m.getattr("zone_offsets"))
                .and_then(|f| f.call1((zone, PyList::new(self.py, &missing)?)))
                .and_then(|r| r.extract())
                .map_err(|e| {
                    TableError::new(TableErrorKind::Unsupported(format!(
                        "time zone {zone:?}: {e}"
                    )))
                })?;
            for (s, o) in missing.iter().zip(found) {
                let Some(o) = o else {
                    return Err(TableError::new(TableErrorKind::OutOfRange(format!(
                        "timestamp {s} s in time zone {zone:?} is out of the range Python's datetime holds"
                    ))));
                };
                known.insert(*s, o);
            }
        }
        Ok(seconds.iter().map(|s| (*s, known[s])).collect())
    }
}

fn to_err(py: Python<'_>, e: Box<TableError>) -> PyErr {
    if e.kind == TableErrorKind::OutOfMemory {
        return PyMemoryError::new_err("out of memory writing the table's JSON");
    }
    let detail = e.detail();
    let path = e
        .path
        .into_iter()
        .map(|s| match s {
            Step::Index(i) => Seg::Index(i),
            // Rows are dicts to the reference (`to_pylist()`): a column or
            // struct member is a key, written `['name']`.
            Step::Field(f) => Seg::Key(pyo3::types::PyString::new(py, &f).into_any().unbind()),
        })
        .collect();
    to_pyerr(
        py,
        Box::new(EmitError {
            path,
            kind: ErrorKind::Other(detail),
        }),
        "",
    )
}

/// Columns pandas added for its index (listed in the schema's `pandas`
/// metadata): `df.to_dict("records")` has no such keys.
fn pandas_index_columns(py: Python<'_>, meta: &arrow_schema::Metadata) -> PyResult<Vec<String>> {
    let Some(text) = meta.get("pandas") else {
        return Ok(Vec::new());
    };
    py.import("slotjson._tables")?
        .getattr("pandas_index_columns")?
        .call1((text,))?
        .extract()
}

/// Encodes `obj` (an Arrow stream exporter) as a JSON array of rows; with
/// `indexed`, also the document index.
pub fn encode_table(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    opts: &Options,
    indexed: bool,
) -> PyResult<table::Encoded> {
    let (schema, batches) = cpython::import_stream(obj)?;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let hidden = pandas_index_columns(py, schema.metadata())?;
    let keep = (0..names.len())
        .filter(|&c| !hidden.contains(&names[c]))
        .collect();
    let table = table::Table {
        batches,
        names,
        keep,
    };
    let cells = CellOptions {
        ascii: opts.ascii,
        nan_null: opts.nan_null,
        time: opts.time,
        timedelta_seconds: opts.timedelta_seconds,
        max_depth: opts.max_depth,
    };
    let rows = table.rows();
    let per_row = match ROW_BYTES.load(Ordering::Relaxed) {
        0 => 16 * table.keep.len() + 2,
        n => n,
    };
    let workers = threads::workers_for_rows(opts.threads, rows, rows.saturating_mul(per_row));
    let mut zones = PyZones {
        py,
        cache: HashMap::new(),
    };
    let result = table::plan(&table, &cells, &mut zones).and_then(|plans| {
        let pool = if workers > 1 {
            crate::emit::pool(py, workers)
        } else {
            None
        };
        py.detach(|| table::encode(&table, &plans, pool.as_deref(), workers, indexed, per_row))
    });
    // The batches are dropped here, on the calling thread: a producer's
    // release callback may need the GIL.
    drop(table);
    let encoded = result.map_err(|e| to_err(py, e))?;
    if let Some(n) = encoded.blob.len().checked_div(rows) {
        ROW_BYTES.store(n + 1, Ordering::Relaxed);
    }
    Ok(encoded)
}
