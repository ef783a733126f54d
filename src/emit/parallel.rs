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
use pyo3::prelude::*;
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
pub(super) fn pool(workers: usize) -> Arc<rayon::ThreadPool> {
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

pub(super) fn chunks(n: usize, workers: usize) -> Vec<Range<usize>> {
    let count = (workers * CHUNKS_PER_WORKER).clamp(1, n.max(1));
    (0..count)
        .map(|c| (n * c / count)..(n * (c + 1) / count))
        .filter(|r| !r.is_empty())
        .collect()
}

/// A JSON array written in pieces: `[` + pieces joined by `,` + `]`, and
/// (when asked for) the N+1-entry index of item starts in that array.
pub struct Pieces {
    pieces: Vec<Vec<u8>>,
    pub index: Vec<u8>,
}

impl Pieces {
    /// Length of the whole array.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(Vec::len).sum::<usize>() + self.pieces.len().max(1) + 1
    }

    /// Writes the whole array into `out`, which must be `len()` bytes.
    pub fn fill(&self, out: &mut [u8]) {
        out[0] = b'[';
        let mut at = 1;
        for (k, piece) in self.pieces.iter().enumerate() {
            if k > 0 {
                out[at] = b',';
                at += 1;
            }
            out[at..at + piece.len()].copy_from_slice(piece);
            at += piece.len();
        }
        out[at] = b']';
    }

    pub fn into_vec(self) -> Vec<u8> {
        let mut out = vec![0; self.len()];
        self.fill(&mut out);
        out
    }
}

/// Collects chunk outputs in order, placing their item starts in the index.
pub(super) struct Assembly {
    pieces: Vec<Vec<u8>>,
    index: Vec<u8>,
    /// Where the next piece will start in the joined array.
    next: u64,
}

impl Assembly {
    pub(super) fn new(chunks: usize, index_entries: Option<usize>) -> Self {
        Assembly {
            pieces: Vec::with_capacity(chunks),
            index: Vec::with_capacity(index_entries.map_or(0, |n| (n + 1) * 8)),
            next: 1,
        }
    }

    pub(super) fn push(&mut self, bytes: Vec<u8>, starts: &[u8]) {
        // A chunk of a list that shrank between slices may be empty; an
        // empty piece would leave `,,` behind.
        if bytes.is_empty() {
            return;
        }
        if !self.pieces.is_empty() {
            self.next += 1; // the `,` before this piece
        }
        for s in starts.chunks_exact(8) {
            let at = u64::from_le_bytes(s.try_into().expect("8 bytes")) + self.next;
            self.index.extend_from_slice(&at.to_le_bytes());
        }
        self.next += bytes.len() as u64;
        self.pieces.push(bytes);
    }

    /// The pieces, and with `indexed` the index closed by the total length.
    pub(super) fn finish(self, indexed: bool) -> Pieces {
        let mut pieces = Pieces {
            pieces: self.pieces,
            index: self.index,
        };
        if indexed {
            let total = pieces.len() as u64;
            pieces.index.extend_from_slice(&total.to_le_bytes());
        }
        pieces
    }
}

/// Writes the items of the list or tuple `seq` (`n` items) using `workers`
/// threads, as pieces to be joined (one copy, by the caller, straight into
/// its final buffer) and, with `indexed`, the index. `expect` seeds the
/// workers' class cache (the first item's plan).
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
) -> Result<Pieces> {
    let ranges = chunks(n, workers);
    let per_chunk = size_hint / ranges.len().max(1) + 64;
    let mut out = Assembly::new(ranges.len(), indexed.then_some(n));
    let parts: Vec<Part> = pool(workers).install(|| {
        ranges
            .par_iter()
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
                Part {
                    range: range.clone(),
                    written,
                }
            })
            .collect()
    });
    // In order; chunks not written by a worker are written here, with the GIL.
    for part in parts {
        let (bytes, starts) = match part.written {
            Some(written) => written,
            None => {
                let mut em = Emitter::new(py, opts, per_chunk);
                if let Some(plan) = &expect {
                    em.expect_class(plan.clone());
                }
                let mut starts = Vec::new();
                em.write_items(seq, part.range, indexed.then_some(&mut starts))?;
                (std::mem::take(&mut em.out), starts)
            }
        };
        out.push(bytes, &starts);
    }
    Ok(out.finish(indexed))
}
