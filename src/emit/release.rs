//! `release_gil=True`: the two passes of `tape`, over chunks of a list.
//!
//! The list is cut into chunks as for a parallel encode. Chunks are walked
//! with the GIL held — by the workers, reading object memory while the
//! calling thread keeps the GIL, or by the calling thread itself for chunks
//! that need Python (slow paths, errors) — for about one switch interval;
//! then the GIL is released and the walked chunks are rendered while other
//! Python threads run; then the next chunks are walked. The list itself is
//! re-read after every release: items appended or removed meanwhile are
//! seen as they are, and every output is still one valid JSON array.

use super::join::{Joiner, Sink};
use super::parallel::{pool, ListJob};
use super::tape::{Rendered, Tape};
use super::{Emitter, Options, Result};
use crate::cpython::Obj;
use crate::json::StrError;
use crate::plan::ModelPlan;
use pyo3::prelude::*;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One chunk after the first pass: everything in it is owned, nothing
/// points into Python objects.
struct Walked {
    range: Range<usize>,
    out: Vec<u8>,
    starts: Vec<u8>,
    tape: Tape,
}

/// How long the GIL is held between two releases: Python's own switch
/// interval, so the call and other threads take turns as Python threads do.
fn slice(py: Python<'_>) -> Duration {
    py.import("sys")
        .and_then(|sys| sys.call_method0("getswitchinterval"))
        .and_then(|v| v.extract::<f64>())
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_millis(5), |s| {
            Duration::from_secs_f64(s.min(1.0))
        })
}

fn walk<'a>(
    mut em: Emitter<'a, '_>,
    expect: &Option<Arc<ModelPlan>>,
    seq: Obj<'a>,
    range: Range<usize>,
    indexed: bool,
) -> Result<Walked> {
    if let Some(plan) = expect {
        em.expect_class(plan.clone());
    }
    let mut starts = Vec::new();
    em.write_items(seq, range.clone(), indexed.then_some(&mut starts))?;
    Ok(Walked {
        range,
        out: std::mem::take(&mut em.out),
        starts,
        tape: em.tape.take().unwrap_or_default(),
    })
}

/// Formats the leaves of every walked chunk.
fn render_all(
    walked: &[Walked],
    pool: Option<&rayon::ThreadPool>,
    ascii: bool,
) -> Vec<std::result::Result<Rendered, StrError>> {
    let render = |w: &Walked| w.tape.render(ascii);
    match pool {
        Some(pool) => pool.install(|| walked.par_iter().map(render).collect()),
        None => walked.iter().map(render).collect(),
    }
}

/// `ListJob::run` with `release_gil=True`.
pub(super) fn encode_items_releasing<S: Sink>(
    py: Python<'_>,
    job: &ListJob<'_, '_>,
    sink: &mut S,
) -> Result<Vec<u8>> {
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
    let slice = slice(py);
    // Taken with the GIL held (see `pool`); `None`: the calling thread
    // walks and renders every chunk itself.
    let pool = if workers > 1 { pool(py, workers) } else { None };
    let pool = pool.as_deref();
    let mut out = Joiner::new(sink, indexed.then_some(n))?;
    let mut walked: Vec<Walked> = Vec::with_capacity(ranges.len());
    let mut holding_since = Instant::now();
    // Between clock checks, one chunk per worker is walked.
    let batches: Vec<&[Range<usize>]> = ranges.chunks(workers.max(1)).collect();
    for (b, batch) in batches.iter().enumerate() {
        // First pass, with the GIL.
        let by_workers: Vec<Option<Walked>> = if let Some(pool) = pool {
            pool.install(|| {
                batch
                    .par_iter()
                    .map(|r| {
                        let em = Emitter::without_gil(opts, per_chunk).taping();
                        walk(em, expect, seq, r.clone(), indexed).ok()
                    })
                    .collect()
            })
        } else {
            batch.iter().map(|_| None).collect()
        };
        for (range, done) in batch.iter().zip(by_workers) {
            walked.push(match done {
                Some(w) => w,
                None => {
                    let em = Emitter::new(py, opts, per_chunk).taping();
                    walk(em, expect, seq, range.clone(), indexed)?
                }
            });
        }
        if b + 1 < batches.len() && holding_since.elapsed() < slice {
            continue;
        }
        // Second pass: the leaves are formatted without the GIL, then the
        // chunks are joined into the output with it (where the sink is),
        // from the walk's bytes and the leaves' texts.
        let rendered = py.detach(|| render_all(&walked, pool, opts.ascii));
        for (w, r) in walked.drain(..).zip(rendered) {
            match r {
                Ok(r) => {
                    let starts = w
                        .tape
                        .moved_starts(&w.starts, &r)
                        .map_err(|_| super::out_of_memory())?;
                    out.push_parts(Tape::filled_len(&w.out, &r), &starts, |sink| {
                        w.tape.fill(&w.out, &r, |part| sink.put(part))
                    })?;
                }
                Err(_) => {
                    let (bytes, starts) = rewrite(py, opts, expect, seq, w.range, indexed)?;
                    out.push(&bytes, &starts)?;
                }
            }
        }
        holding_since = Instant::now();
    }
    out.finish()
}

/// A chunk whose render failed (a lone surrogate: its error needs the
/// value's path, which only a walk with the GIL can build), written in one
/// pass with the GIL: the error it raises, or (if another thread changed
/// the offending value meanwhile) its output.
fn rewrite<'a>(
    py: Python<'_>,
    opts: &Options,
    expect: &Option<Arc<ModelPlan>>,
    seq: Obj<'a>,
    range: Range<usize>,
    indexed: bool,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let w = walk(Emitter::new(py, opts, 0), expect, seq, range, indexed)?;
    Ok((w.out, w.starts))
}

/// A value that is not a list or tuple, with `release_gil=True`: walked
/// with the GIL, rendered without it.
pub fn encode_value_releasing<'a>(py: Python<'_>, obj: Obj<'a>, opts: &Options) -> Result<Vec<u8>> {
    let mut em = Emitter::new(py, opts, 256).taping();
    em.write(obj)?;
    let walked = std::mem::take(&mut em.out);
    let tape = em.tape.take().unwrap_or_default();
    drop(em);
    match py.detach(|| tape.render(opts.ascii)) {
        Ok(r) => {
            let mut bytes = crate::json::room::vec_with_capacity(Tape::filled_len(&walked, &r))
                .map_err(|_| super::out_of_memory())?;
            let Ok(()) = tape.fill(&walked, &r, |part| {
                bytes.extend_from_slice(part);
                Ok::<(), std::convert::Infallible>(())
            });
            Ok(bytes)
        }
        Err(_) => {
            let mut em = Emitter::new(py, opts, walked.len());
            em.write(obj)?;
            Ok(std::mem::take(&mut em.out))
        }
    }
}
