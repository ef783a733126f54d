//! Encoding a top-level list on several worker threads.
//!
//! The calling thread keeps the GIL for the whole call, so no Python code
//! runs and nothing can change while the workers read object memory. The
//! list is cut into contiguous chunks; each worker writes its chunks with a
//! GIL-free emitter into its own buffer. A chunk that meets anything needing
//! Python (a slow path, or an error, whose message needs Python objects) is
//! abandoned by the worker and redone by the calling thread with the GIL, in
//! order, so the output and any error are exactly those of a serial encode.

use super::{Emitter, Options, Result};
use crate::cpython::Obj;
use crate::plan::ModelPlan;
use pyo3::Python;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

/// Chunks per worker: enough to even out items of very different sizes.
const CHUNKS_PER_WORKER: usize = 8;

/// One chunk's output: its bytes (items separated by commas) and each
/// item's start within them (little-endian u64), or `None` if the calling
/// thread must redo it.
struct Part {
    range: Range<usize>,
    written: Option<(Vec<u8>, Vec<u8>)>,
}

/// The reused pools, one per worker count asked for.
fn pool(workers: usize) -> Arc<rayon::ThreadPool> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    pools
        .entry(workers)
        .or_insert_with(|| {
            Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(workers)
                    .thread_name(|i| format!("slotjson-{i}"))
                    .build()
                    .expect("worker threads can be started"),
            )
        })
        .clone()
}

fn chunks(n: usize, workers: usize) -> Vec<Range<usize>> {
    let count = (workers * CHUNKS_PER_WORKER).clamp(1, n.max(1));
    (0..count)
        .map(|c| (n * c / count)..(n * (c + 1) / count))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Writes `[item,…]` for the list or tuple `seq` of `n` items using
/// `workers` threads; returns the bytes and, with `indexed`, the N+1-entry
/// index. `expect` seeds the workers' class cache (the first item's plan).
#[allow(clippy::too_many_arguments)]
pub fn encode_items<'a>(
    py: Python<'_>,
    seq: Obj<'a>,
    n: usize,
    opts: &Options,
    workers: usize,
    expect: Option<Arc<ModelPlan>>,
    indexed: bool,
    size_hint: usize,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let ranges = chunks(n, workers);
    let per_chunk = size_hint / ranges.len().max(1) + 64;
    let parts: Vec<Part> = pool(workers).install(|| {
        ranges
            .into_par_iter()
            .map(|range| {
                let mut em = Emitter::without_gil(opts, per_chunk);
                if let Some(plan) = &expect {
                    em.expect_class(plan.clone());
                }
                let mut index = Vec::new();
                let written = em
                    .write_items(seq, range.clone(), indexed.then_some(&mut index))
                    .ok()
                    .map(|()| (std::mem::take(&mut em.out), index));
                Part { range, written }
            })
            .collect()
    });

    // Stitch in order; redo abandoned chunks here, with the GIL.
    let total: usize = parts
        .iter()
        .filter_map(|p| p.written.as_ref())
        .map(|(b, _)| b.len() + 1)
        .sum();
    let mut out = Vec::with_capacity(total + 2);
    let mut index = Vec::with_capacity(if indexed { (n + 1) * 8 } else { 0 });
    out.push(b'[');
    let mut redo = Emitter::new(py, opts, 0);
    for (k, part) in parts.into_iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let base = out.len() as u64;
        match part.written {
            Some((bytes, starts)) => {
                out.extend_from_slice(&bytes);
                for s in starts.chunks_exact(8) {
                    let at = u64::from_le_bytes(s.try_into().expect("8 bytes")) + base;
                    index.extend_from_slice(&at.to_le_bytes());
                }
            }
            None => {
                redo.out = std::mem::take(&mut out);
                let mut starts = Vec::new();
                let written = redo.write_items(seq, part.range, indexed.then_some(&mut starts));
                out = std::mem::take(&mut redo.out);
                written?;
                index.extend_from_slice(&starts);
            }
        }
    }
    out.push(b']');
    if indexed {
        index.extend_from_slice(&(out.len() as u64).to_le_bytes());
    }
    Ok((out, index))
}
