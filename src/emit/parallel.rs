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
use std::sync::{Arc, Mutex};

/// Chunks per worker: enough to even out items of very different sizes.
const CHUNKS_PER_WORKER: usize = 8;

/// The fewest items in a chunk of a parallel encode.
const MIN_CHUNK_ITEMS: usize = 16;

/// A chunk's bytes (items separated by commas) and each item's start within
/// them (little-endian u64); `None` if the calling thread must redo it.
type Written = Option<(Vec<u8>, Vec<u8>)>;

/// The reused pools of this process, one per worker count asked for.
struct Pools {
    /// The process that started their threads.
    pid: u32,
    by_workers: HashMap<usize, Arc<rayon::ThreadPool>>,
}

/// The pool of `workers` threads, started on first use; `None` if the
/// threads cannot be started (the caller then works alone).
///
/// A forked child inherits the parent's pools but none of their threads:
/// a job handed to them would wait forever. So the pools remember the
/// process that started them, and the first call in a child leaks the
/// inherited ones (dropping them would signal threads that do not exist,
/// through locks and condvars in whatever state the fork caught them) and
/// starts new ones. The lock is only taken with the GIL held (callers take
/// the pool before releasing it), and Python forks holding the GIL, so a
/// fork never copies it locked.
pub fn pool(_py: Python<'_>, workers: usize) -> Option<Arc<rayon::ThreadPool>> {
    static POOLS: Mutex<Option<Pools>> = Mutex::new(None);
    let pid = std::process::id();
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    match pools.as_ref() {
        Some(p) if p.pid == pid => {}
        _ => {
            if let Some(inherited) = pools.take() {
                std::mem::forget(inherited);
            }
            *pools = Some(Pools {
                pid,
                by_workers: HashMap::new(),
            });
        }
    }
    let by_workers = &mut pools.as_mut()?.by_workers;
    if let Some(p) = by_workers.get(&workers) {
        return Some(p.clone());
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("slotjson-{i}"))
            .build()
            .ok()?,
    );
    by_workers.insert(workers, p.clone());
    Some(p)
}

fn chunks(n: usize, workers: usize) -> Vec<Range<usize>> {
    let count = (workers * CHUNKS_PER_WORKER).clamp(1, n.max(1));
    (0..count)
        .map(|c| (n * c / count)..(n * (c + 1) / count))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Chunks for workers that take the next one as they finish: of the
/// uniform size while much is left, then each a share of what is left
/// (down to `MIN_CHUNK_ITEMS`), so that the last chunks handed out are
/// short and the workers finish close together.
fn guided_chunks(n: usize, workers: usize) -> Vec<Range<usize>> {
    let uniform = n / (workers * CHUNKS_PER_WORKER).max(1);
    let mut ranges = Vec::new();
    let mut at = 0;
    while at < n {
        let left = n - at;
        let size = uniform
            .min(left / (2 * workers).max(1))
            .max(MIN_CHUNK_ITEMS)
            .min(left);
        ranges.push(at..at + size);
        at += size;
    }
    ranges
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

    /// Contiguous item ranges of one size that the list is cut into (for
    /// `release_gil`, which walks them a batch at a time), and the buffer
    /// size to start each one's output with.
    pub(super) fn chunks(&self) -> (Vec<Range<usize>>, usize) {
        let ranges = chunks(self.n, self.workers);
        let per_chunk = self.size_hint / ranges.len().max(1) + 64;
        (ranges, per_chunk)
    }

    /// The expected output size of items `range`.
    fn bytes_for(&self, range: &Range<usize>) -> usize {
        (self.size_hint as u128 * range.len() as u128 / self.n.max(1) as u128) as usize + 64
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
    let mut out = Joiner::new(sink, indexed.then_some(n))?;
    let Some(pool) = pool(py, workers) else {
        // No threads to be had: the calling thread writes it all.
        let mut em = Emitter::new(py, opts, job.size_hint);
        if let Some(plan) = expect {
            em.expect_class(plan.clone());
        }
        let mut starts = Vec::new();
        em.write_items(seq, 0..n, indexed.then_some(&mut starts))?;
        out.push(&em.out, &starts)?;
        return out.finish();
    };
    let ranges = guided_chunks(n, workers);
    let (tx, rx) = mpsc::channel::<(usize, Written)>();
    let ranges = &ranges;
    pool.in_place_scope_fifo(|scope| -> Result<()> {
        let spawn = |k: usize| {
            let tx = tx.clone();
            let range = ranges[k].clone();
            scope.spawn_fifo(move |_| {
                let mut em = Emitter::without_gil(opts, job.bytes_for(&range));
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
                    let mut em = Emitter::new(py, opts, job.bytes_for(range));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guided_chunks_cover_the_list_and_shrink_towards_its_end() {
        for workers in 1..=8 {
            for n in (0..300).chain([1_000, 10_000, 123_457, 1_000_000]) {
                let ranges = guided_chunks(n, workers);
                let mut at = 0;
                for r in &ranges {
                    assert_eq!(r.start, at, "n={n} workers={workers}");
                    assert!(!r.is_empty());
                    at = r.end;
                }
                assert_eq!(at, n);
                let sizes: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
                // Never growing, except for the remainder folded into the
                // minimum size at the very end.
                for w in sizes.windows(2) {
                    assert!(w[1] <= w[0] || w[1] <= MIN_CHUNK_ITEMS, "{sizes:?}");
                }
                if n >= 1_000 {
                    let uniform = n / (workers * CHUNKS_PER_WORKER);
                    assert_eq!(sizes[0], uniform.max(MIN_CHUNK_ITEMS), "{sizes:?}");
                    assert!(*sizes.last().unwrap() <= MIN_CHUNK_ITEMS, "{sizes:?}");
                    // The tail adds about 2 * workers * ln(uniform / MIN)
                    // chunks: each is 1 - 1/(2 * workers) of the one before.
                    let tail =
                        2.0 * workers as f64 * ((uniform / MIN_CHUNK_ITEMS).max(1) as f64).ln();
                    let bound = workers * CHUNKS_PER_WORKER + tail as usize + 2 * workers + 2;
                    assert!(sizes.len() <= bound, "{} > {bound}: {sizes:?}", sizes.len());
                }
            }
        }
    }
}
