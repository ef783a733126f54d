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
use super::parallel::{chunks, pool};
use super::tape::{Render, Tape};
use super::{Emitter, Options, Result};
use crate::cpython::Obj;
use crate::json::LoneSurrogate;
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

type Rendered = std::result::Result<(Vec<u8>, Vec<u8>), LoneSurrogate>;

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

/// Renders the walked chunks, freeing each one's buffers as soon as it is
/// rendered (holding them all until the end would double the peak memory).
fn render_all(walked: Vec<Walked>, workers: usize, opts: Render) -> Vec<(Range<usize>, Rendered)> {
    let render = |w: Walked| {
        let rendered = w.tape.render(&w.out, &w.starts, opts);
        (w.range, rendered)
    };
    if workers > 1 {
        pool(workers).install(|| walked.into_par_iter().map(render).collect())
    } else {
        walked.into_iter().map(render).collect()
    }
}

/// The output of a one-worker call: the rendered chunks joined by commas,
/// and their item starts.
struct Single {
    bytes: Vec<u8>,
    starts: Vec<u8>,
}

impl Single {
    /// Renders chunks until one fails (its range is returned, and nothing
    /// of it is kept) or none are left.
    fn render(
        &mut self,
        chunks: &mut impl Iterator<Item = Walked>,
        opts: Render,
    ) -> Option<Range<usize>> {
        for w in chunks {
            let mark = (self.bytes.len(), self.starts.len());
            if !self.bytes.is_empty() {
                self.bytes.push(b',');
            }
            let body = self.bytes.len();
            let rendered =
                w.tape
                    .render_into(&w.out, &w.starts, opts, &mut self.bytes, &mut self.starts);
            if rendered.is_err() {
                self.bytes.truncate(mark.0);
                self.starts.truncate(mark.1);
                return Some(w.range);
            }
            if self.bytes.len() == body {
                // An empty chunk (the list shrank meanwhile): no comma.
                self.bytes.truncate(mark.0);
            }
        }
        None
    }

    /// A chunk written in one pass (`starts` relative to `bytes`).
    fn append(&mut self, bytes: &[u8], starts: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if !self.bytes.is_empty() {
            self.bytes.push(b',');
        }
        let base = self.bytes.len() as u64;
        for s in starts.chunks_exact(8) {
            let at = u64::from_le_bytes(s.try_into().expect("8 bytes")) + base;
            self.starts.extend_from_slice(&at.to_le_bytes());
        }
        self.bytes.extend_from_slice(bytes);
    }
}

/// `encode_items` with `release_gil=True` (same arguments and result).
#[allow(clippy::too_many_arguments)]
pub fn encode_items_releasing<'a, S: Sink>(
    py: Python<'_>,
    seq: Obj<'a>,
    n: usize,
    opts: &Options,
    workers: usize,
    expect: Option<Arc<ModelPlan>>,
    indexed: bool,
    size_hint: usize,
    sink: &mut S,
) -> Result<Vec<u8>> {
    let ranges = chunks(n, workers);
    let per_chunk = size_hint / ranges.len().max(1) + 64;
    let render = Render {
        ascii: opts.ascii,
        time: opts.time,
    };
    let slice = slice(py);
    let mut out = Joiner::new(sink, indexed.then_some(n))?;
    // One worker renders every chunk, in order, into one buffer. Growing
    // it near the end would copy all of it: an eighth more than the size
    // hint (the last call's bytes per item) keeps the escaping of a long
    // string from doing that.
    let mut single = Single {
        bytes: Vec::with_capacity(if workers <= 1 {
            size_hint + size_hint / 8 + (1 << 16)
        } else {
            0
        }),
        starts: Vec::new(),
    };
    let mut walked: Vec<Walked> = Vec::with_capacity(ranges.len());
    let mut holding_since = Instant::now();
    // Between clock checks, one chunk per worker is walked.
    let batches: Vec<&[Range<usize>]> = ranges.chunks(workers.max(1)).collect();
    for (b, batch) in batches.iter().enumerate() {
        // First pass, with the GIL.
        let by_workers: Vec<Option<Walked>> = if workers > 1 {
            pool(workers).install(|| {
                batch
                    .par_iter()
                    .map(|r| {
                        let em = Emitter::without_gil(opts, per_chunk).taping();
                        walk(em, &expect, seq, r.clone(), indexed).ok()
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
                    walk(em, &expect, seq, range.clone(), indexed)?
                }
            });
        }
        if b + 1 < batches.len() && holding_since.elapsed() < slice {
            continue;
        }
        // Second pass, without it.
        let batch = std::mem::take(&mut walked);
        if workers > 1 {
            let rendered = py.allow_threads(|| render_all(batch, workers, render));
            for (range, r) in rendered {
                match r {
                    Ok((bytes, starts)) => out.push(&bytes, &starts)?,
                    Err(_) => {
                        let (bytes, starts) = rewrite(py, opts, &expect, seq, range, indexed)?;
                        out.push(&bytes, &starts)?;
                    }
                }
            }
        } else {
            let mut batch = batch.into_iter();
            while let Some(failed) = py.allow_threads(|| single.render(&mut batch, render)) {
                let (bytes, starts) = rewrite(py, opts, &expect, seq, failed, indexed)?;
                single.append(&bytes, &starts);
            }
        }
        holding_since = Instant::now();
    }
    if workers <= 1 {
        out.push(&single.bytes, &single.starts)?;
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
    let render = Render {
        ascii: opts.ascii,
        time: opts.time,
    };
    match py.allow_threads(|| tape.render(&walked, &[], render)) {
        Ok((bytes, _)) => Ok(bytes),
        Err(_) => {
            let mut em = Emitter::new(py, opts, walked.len());
            em.write(obj)?;
            Ok(std::mem::take(&mut em.out))
        }
    }
}
