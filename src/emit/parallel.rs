//! Encoding a top-level list on several worker threads.
//!
//! The calling thread keeps the GIL for the whole call, so no Python code
//! runs and nothing can change while the workers read object memory. The
//! list is cut into contiguous chunks; each worker writes its chunks with a
//! GIL-free emitter into its own buffer. Meanwhile the calling thread joins
//! finished chunks, in list order, into the output (see `join`), freeing
//! each as soon as it is copied. A chunk that meets anything needing Python
//! (a slow path, or an error, whose message needs Python objects) is
//! abandoned by the worker and redone by the calling thread with the GIL,
//! in order — once every worker is done, so that no worker reads objects
//! while Python code runs — and the output and any error are those of a
//! serial encode.

use super::join::{Joiner, Sink};
use super::{Emitter, Options, Result};
use crate::cpython::Obj;
use crate::plan::ModelPlan;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

/// Chunks per worker: enough to even out items of very different sizes.
const CHUNKS_PER_WORKER: usize = 8;

/// A chunk's bytes (items separated by commas) and each item's start within
/// them (little-endian u64); `None` if the calling thread must redo it.
type Written = Option<(Vec<u8>, Vec<u8>)>;

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

fn chunks(n: usize, workers: usize) -> Vec<Range<usize>> {
    let count = (workers * CHUNKS_PER_WORKER).clamp(1, n.max(1));
    (0..count)
        .map(|c| (n * c / count)..(n * (c + 1) / count))
        .filter(|r| !r.is_empty())
        .collect()
}

/// A top-level list or tuple to encode on worker threads (or with
/// `release_gil=True`) as one JSON array.
pub struct ListJob<'a, 'o> {
    pub seq: Obj<'a>,
    /// Its length when the call began.
    pub n: usize,
    pub opts: &'o Options,
    pub workers: usize,
    /// The first item's plan, which seeds the workers' class cache
    /// (workers cannot look classes up).
    pub expect: Option<Arc<ModelPlan>>,
    /// Whether to build the N+1-entry index of item starts.
    pub indexed: bool,
    /// The expected output size.
    pub size_hint: usize,
}

impl ListJob<'_, '_> {
    /// Writes the array into `sink`; returns the index when `indexed`
    /// (else an empty vector).
    pub fn run<S: Sink>(&self, py: Python<'_>, sink: &mut S) -> Result<Vec<u8>> {
        if self.opts.release_gil {
            super::release::encode_items_releasing(py, self, sink)
        } else {
            encode_items(py, self, sink)
        }
    }

    /// The contiguous item ranges the list is cut into, and the buffer
    /// size to start each one's output with.
    pub(super) fn chunks(&self) -> (Vec<Range<usize>>, usize) {
        let ranges = chunks(self.n, self.workers);
        let per_chunk = self.size_hint / ranges.len().max(1) + 64;
        (ranges, per_chunk)
    }
}

/// Writes the list using `job.workers` threads.
fn encode_items<S: Sink>(py: Python<'_>, job: &ListJob<'_, '_>, sink: &mut S) -> Result<Vec<u8>> {
    let ListJob {
        seq,
        n,
        opts,
        workers,
        ref expect,
        indexed,
        ..
    } = *job;
    let (ranges, per_chunk) = job.chunks();
    let mut out = Joiner::new(sink, indexed.then_some(n))?;
    let (tx, rx) = mpsc::channel::<(usize, Written)>();
    let ranges = &ranges;
    pool(workers).in_place_scope_fifo(|scope| -> Result<()> {
        let spawn = |k: usize| {
            let tx = tx.clone();
            let range = ranges[k].clone();
            scope.spawn_fifo(move |_| {
                let mut em = Emitter::without_gil(opts, per_chunk);
                if let Some(plan) = expect {
                    em.expect_class(plan.clone());
                }
                let mut index = Vec::new();
                let written = em
                    .write_items(seq, range, indexed.then_some(&mut index))
                    .ok()
                    .map(|()| (std::mem::take(&mut em.out), index));
                // The receiver outlives the scope; a send cannot fail.
                let _ = tx.send((k, written));
            });
        };
        // At most this many chunks are written or waiting to be joined at
        // once: one per worker plus one queued, so a worker that finishes
        // finds the next chunk ready, while finished chunks cannot pile up
        // as the joining thread waits for a slow one (peak memory stays
        // near one copy of the output).
        let window = workers + 1;
        let mut spawned = 0;
        while spawned < ranges.len().min(window) {
            spawn(spawned);
            spawned += 1;
        }
        let mut arrived: Vec<Option<Written>> = (0..ranges.len()).map(|_| None).collect();
        let mut received = 0;
        let receive = |arrived: &mut Vec<Option<Written>>, received: &mut usize| {
            let (k, written) = rx.recv().expect("every chunk reports");
            arrived[k] = Some(written);
            *received += 1;
        };
        for (k, range) in ranges.iter().enumerate() {
            while arrived[k].is_none() {
                receive(&mut arrived, &mut received);
            }
            // Hand out the next chunk before copying this one, so that a
            // worker that just finished need not wait for the copy.
            if spawned < ranges.len() {
                spawn(spawned);
                spawned += 1;
            }
            match arrived[k].take().flatten() {
                Some((bytes, starts)) => out.push(&bytes, &starts)?,
                None => {
                    // Python code may run below: wait for every worker first.
                    while received < spawned {
                        receive(&mut arrived, &mut received);
                    }
                    let mut em = Emitter::new(py, opts, per_chunk);
                    if let Some(plan) = expect {
                        em.expect_class(plan.clone());
                    }
                    let mut starts = Vec::new();
                    em.write_items(seq, range.clone(), indexed.then_some(&mut starts))?;
                    out.push(&em.out, &starts)?;
                }
            }
        }
        Ok(())
    })?;
    out.finish()
}
