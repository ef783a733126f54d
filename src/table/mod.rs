//! Tables (Arrow record batches) as JSON rows: `[{"col":v,…},…]`, keys in
//! column order, one array item per row.
//!
//! Beside the object walker (`emit`), not inside it: a table's columns are
//! typed, contiguous and immutable, so the plan is a column encoder per
//! column ([`encoder`]), built once per record batch from the Arrow types,
//! and the row writer asks each column's validity for nulls. Everything
//! here is safe Rust over arrow-rs arrays that own their buffers (imported
//! through the C stream interface by `cpython::arrow`), so the encode runs
//! without the GIL, split into row ranges over the worker pool, and the
//! output is byte-identical for any worker count. Text is written by the
//! `json` writers the walker uses.

pub mod encoder;
pub mod error;
mod text;

pub use encoder::{CellOptions, Zones};
pub use error::{Step, TableError, TableErrorKind};

use arrow_array::RecordBatch;
use encoder::{key_text, write_object, Member};
use error::{At, Result};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// Rows per chunk handed to a worker, at least.
const MIN_CHUNK_ROWS: usize = 512;
/// Chunks per worker: evens out rows of different sizes.
const CHUNKS_PER_WORKER: usize = 8;

/// An imported table: its batches and which columns are written.
pub struct Table {
    pub batches: Vec<RecordBatch>,
    /// Column names, in schema order.
    pub names: Vec<String>,
    /// Indices of the columns written (pandas index columns are not).
    pub keep: Vec<usize>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// The row writer of one batch: a member per written column.
pub struct Rows<'a> {
    members: Vec<Member<'a>>,
}

fn plan_batch<'a>(
    table: &Table,
    batch: &'a RecordBatch,
    opts: &CellOptions,
    zones: &mut dyn Zones,
) -> Result<Rows<'a>> {
    let mut members = Vec::with_capacity(table.keep.len());
    for (n, &c) in table.keep.iter().enumerate() {
        let name: Arc<str> = Arc::from(table.names[c].as_str());
        let mut key = key_text(&name, opts.ascii);
        if n > 0 {
            key.insert(0, b',');
        }
        let col = encoder::column(batch.column(c).as_ref(), opts, zones, 1)
            .at(|| Step::Field(name.clone()))?;
        members.push(Member { key, name, col });
    }
    Ok(Rows { members })
}

/// Which rows of which batch a chunk covers; `first` is the table row of
/// its first row (for error paths and the index).
struct Piece {
    batch: usize,
    rows: Range<usize>,
    first: usize,
}

/// A chunk: consecutive rows, possibly across batches.
fn chunks(table: &Table, workers: usize) -> Vec<Vec<Piece>> {
    let total = table.rows();
    let size = (total / (workers * CHUNKS_PER_WORKER).max(1)).max(MIN_CHUNK_ROWS);
    let mut out: Vec<Vec<Piece>> = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    let mut in_current = 0;
    let mut first = 0;
    for (b, batch) in table.batches.iter().enumerate() {
        let mut at = 0;
        let n = batch.num_rows();
        while at < n {
            let take = (size - in_current).min(n - at);
            current.push(Piece {
                batch: b,
                rows: at..at + take,
                first,
            });
            at += take;
            first += take;
            in_current += take;
            if in_current == size {
                out.push(std::mem::take(&mut current));
                in_current = 0;
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A chunk's rows appended to `out`, comma-separated (a comma before each
/// row but the table's first), and each row's start within `out`.
fn write_chunk(
    plans: &[Rows<'_>],
    pieces: &[Piece],
    indexed: bool,
    mut out: Vec<u8>,
    capacity: usize,
) -> Result<(Vec<u8>, Vec<u64>)> {
    out.try_reserve(capacity)
        .map_err(|_| TableError::new(TableErrorKind::OutOfMemory))?;
    let mut starts = Vec::new();
    for p in pieces {
        let plan = &plans[p.batch];
        for (k, row) in p.rows.clone().enumerate() {
            let at = p.first + k;
            if at > 0 {
                out.push(b',');
            }
            if indexed {
                starts.push(out.len() as u64);
            }
            write_object(&plan.members, row, &mut out).at(|| Step::Index(at))?;
        }
    }
    Ok((out, starts))
}

/// The encoded table: `[rows]` and, when `indexed`, the N+1 little-endian
/// u64 entries of the document index (spec/FORMAT.md).
pub struct Encoded {
    pub blob: Vec<u8>,
    pub index: Vec<u8>,
}

/// Plans every batch (on the calling thread: named time zones need
/// Python), then encodes through `run`, which is given the whole work as a
/// closure to call without the GIL.
pub fn plan<'a>(
    table: &'a Table,
    opts: &CellOptions,
    zones: &mut dyn Zones,
) -> Result<Vec<Rows<'a>>> {
    table
        .batches
        .iter()
        .map(|b| plan_batch(table, b, opts, zones))
        .collect()
}

/// Encodes the planned table on `pool` (None: on this thread). Call it
/// without the GIL.
pub fn encode(
    table: &Table,
    plans: &[Rows<'_>],
    pool: Option<&rayon::ThreadPool>,
    workers: usize,
    indexed: bool,
    bytes_per_row: usize,
) -> Result<Encoded> {
    let rows = table.rows();
    let oom = || TableError::new(TableErrorKind::OutOfMemory);
    let mut index = Vec::new();
    if indexed {
        index.try_reserve_exact((rows + 1) * 8).map_err(|_| oom())?;
    }
    let blob = match pool {
        Some(pool) if workers > 1 => {
            let chunks = chunks(table, workers);
            let parts: Vec<Result<(Vec<u8>, Vec<u64>)>> = pool.install(|| {
                chunks
                    .par_iter()
                    .map(|c| {
                        let n: usize = c.iter().map(|p| p.rows.len()).sum();
                        write_chunk(plans, c, indexed, Vec::new(), n * bytes_per_row)
                    })
                    .collect()
            });
            // The first failure in row order, whatever the worker count.
            let mut total = 2;
            for p in &parts {
                match p {
                    Ok((b, _)) => total += b.len(),
                    Err(e) => return Err(e.clone()),
                }
            }
            let mut blob = Vec::new();
            blob.try_reserve_exact(total).map_err(|_| oom())?;
            blob.push(b'[');
            for (bytes, starts) in parts.into_iter().flatten() {
                let base = blob.len() as u64;
                for s in starts {
                    index.extend_from_slice(&(base + s).to_le_bytes());
                }
                blob.extend_from_slice(&bytes);
            }
            blob
        }
        _ => {
            let mut first = 0;
            let all: Vec<Piece> = table
                .batches
                .iter()
                .enumerate()
                .map(|(b, batch)| {
                    let p = Piece {
                        batch: b,
                        rows: 0..batch.num_rows(),
                        first,
                    };
                    first += batch.num_rows();
                    p
                })
                .collect();
            let (blob, starts) =
                write_chunk(plans, &all, indexed, vec![b'['], rows * bytes_per_row + 2)?;
            for s in starts {
                index.extend_from_slice(&s.to_le_bytes());
            }
            blob
        }
    };
    let mut blob = blob;
    blob.try_reserve(1).map_err(|_| oom())?;
    blob.push(b']');
    if indexed {
        index.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    }
    Ok(Encoded { blob, index })
}
