//! The plan walker: follows a compiled plan over object memory and writes
//! JSON into a byte buffer.
//!
//! The hot path (`value`, `model`, `scalar`) reads objects only through the
//! `cpython` readers and formats only through the pure `json` writers. What
//! needs Python — plan lookup for a class met at run time, Enum values
//! outside a compiled table, non-fixed tzinfo offsets, Decimal text, the
//! `default=` hook, `==` for omit-if-default — is confined to `slow`, which
//! pins the objects the walker is inside of before running Python code.

mod any;
mod error;
mod indexed;
mod join;
mod model;
mod options;
mod parallel;
mod release;
mod scalar;
mod slow;
mod spill;
mod tape;
mod value;

pub use error::{EmitError, ErrorKind, Seg};
pub use options::Options;
pub use parallel::{pool, ListJob};
pub use release::encode_value_releasing;
pub use spill::SPILL_AT;

use crate::cpython::{self, Obj, TypeRef};
use crate::plan::ModelPlan;
use pyo3::Python;
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, Box<EmitError>>;

/// The most bytes one scalar can take: an int of up to 128 bits, a float, a
/// date, time, datetime or timedelta, a UUID, `null`/`true`/`false`. The
/// scalar writers make this much room first, then call the `json` writers,
/// which append into it (checked builds assert the bound).
pub(crate) const SCALAR_ROOM: usize = 64;

/// The error for an output buffer the allocator would not grow.
#[cold]
pub(crate) fn out_of_memory() -> Box<EmitError> {
    EmitError::new(ErrorKind::NoMemory)
}

/// One encode call's state.
pub struct Emitter<'a, 'py> {
    /// The GIL, on the calling thread; `None` on a worker thread, where
    /// anything that needs Python (slow paths, building an error) stops the
    /// walk with `ErrorKind::NeedsGil` and the caller redoes that part.
    py: Option<Python<'py>>,
    pub out: Vec<u8>,
    opts: &'a Options,
    /// Containers and models the walker is inside of, outermost first: for
    /// cycle detection, the depth limit and pinning around Python calls.
    stack: Vec<Obj<'a>>,
    /// The last class met in an `Any` position and its plan (None: not a
    /// dataclass), so lists of models look their class up once.
    last_class: Option<(TypeRef, Option<Arc<ModelPlan>>)>,
    /// Unwrapping steps in progress around the value: Enum values and
    /// `default=` results being written (bounded by max_depth, like
    /// containers, so a value that unwraps to itself cannot recurse
    /// without end).
    unwraps: u32,
    /// The lowest stack address the recursion may reach on this thread.
    stack_floor: usize,
    /// Dict keys whose values are being written (for error paths; pinned
    /// with the stack before Python code runs).
    keys: Vec<Obj<'a>>,
    /// References taken before running Python code (see `slow`), and how
    /// many entries of `stack` / `keys` they already cover.
    pins: cpython::Pins,
    pinned_stack: usize,
    pinned_keys: usize,
    /// `release_gil=True`: costly leaves are copied here and formatted
    /// later without the GIL, leaving holes in `out` (see `tape`).
    tape: Option<tape::Tape>,
    /// Where `out` goes at item boundaries when `dumps` writes straight
    /// into its `bytes` (see `spill`); `spill_at` is the size of `out` that
    /// triggers it (usize::MAX: never), `spilled` the bytes already moved.
    spill: Option<spill::Spill<'py>>,
    spill_at: usize,
    spilled: usize,
}

impl<'a, 'py> Emitter<'a, 'py> {
    pub fn new(py: Python<'py>, opts: &'a Options, capacity: usize) -> Self {
        Self::with_gil(Some(py), opts, capacity)
    }

    /// An emitter for a worker thread: it never calls into Python.
    pub fn without_gil(opts: &'a Options, capacity: usize) -> Self {
        Self::with_gil(None, opts, capacity)
    }

    fn with_gil(py: Option<Python<'py>>, opts: &'a Options, capacity: usize) -> Self {
        Emitter {
            py,
            // A size hint: if it cannot be had, writes grow the buffer as
            // they go (fallibly).
            out: crate::json::room::vec_with_capacity(capacity).unwrap_or_default(),
            opts,
            stack: Vec::new(),
            last_class: None,
            unwraps: 0,
            stack_floor: cpython::stack_floor(),
            keys: Vec::new(),
            pins: cpython::Pins::default(),
            pinned_stack: 0,
            pinned_keys: 0,
            tape: None,
            spill: None,
            spill_at: usize::MAX,
            spilled: 0,
        }
    }

    /// Cut costly leaves out into a tape instead of formatting them.
    fn taping(mut self) -> Self {
        self.tape = Some(tape::Tape::default());
        self
    }

    /// The GIL token, or the `NeedsGil` stop on a worker thread.
    #[inline]
    fn gil(&self) -> Result<Python<'py>> {
        self.py.ok_or_else(|| EmitError::new(ErrorKind::NeedsGil))
    }

    /// Seed the class cache (workers cannot look plans up themselves).
    pub fn expect_class(&mut self, plan: Arc<ModelPlan>) {
        self.last_class = Some((plan.cls, Some(plan)));
    }

    /// Write any supported value.
    pub fn write(&mut self, obj: Obj<'a>) -> Result<()> {
        self.write_any(obj)
    }

    /// Enter a container or model: the cycle check and the depth limit.
    #[inline(always)]
    fn enter(&mut self, obj: Obj<'a>) -> Result<()> {
        if self.stack.contains(&obj) {
            return Err(EmitError::new(ErrorKind::Cycle));
        }
        if self.stack.len() >= self.opts.max_depth as usize {
            return Err(EmitError::new(ErrorKind::Depth(self.opts.max_depth)));
        }
        if cpython::stack_pointer() < self.stack_floor {
            return Err(EmitError::new(ErrorKind::StackDepth(self.stack.len())));
        }
        self.stack.push(obj);
        Ok(())
    }

    /// Write `v`, which `self` reached by unwrapping a value (an Enum's
    /// value, a `default=` result), as `write_any` does: one more step
    /// toward `max_depth`, and the same stack check as `enter`.
    #[inline]
    fn write_unwrapped(&mut self, v: Obj<'a>) -> Result<()> {
        if self.unwraps >= self.opts.max_depth {
            return Err(EmitError::new(ErrorKind::Depth(self.opts.max_depth)));
        }
        if cpython::stack_pointer() < self.stack_floor {
            let levels = self.stack.len() + self.unwraps as usize;
            return Err(EmitError::new(ErrorKind::StackDepth(levels)));
        }
        self.unwraps += 1;
        let written = self.write_any(v);
        self.unwraps -= 1;
        written
    }

    /// Makes room for `n` more bytes in `out` (see `json::room`): writes
    /// that follow, up to `n` bytes, cannot reallocate, and a failed
    /// allocation is a `MemoryError`, never an abort.
    #[inline(always)]
    fn room(&mut self, n: usize) -> Result<()> {
        crate::json::room::reserve(&mut self.out, n).map_err(|_| out_of_memory())
    }

    /// Appends one byte (fallibly).
    #[inline(always)]
    fn push(&mut self, b: u8) -> Result<()> {
        self.room(1)?;
        self.out.push(b);
        Ok(())
    }

    /// Appends `bytes` (fallibly).
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.room(bytes.len())?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    #[inline(always)]
    fn leave(&mut self) {
        self.stack.pop();
        // Entries below this point were pinned; ones pushed later are not.
        self.pinned_stack = self.pinned_stack.min(self.stack.len());
    }
}
