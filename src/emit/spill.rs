//! Moving the output, as it grows, into the `bytes` object the call will
//! return (serial `dumps`), so the finished JSON never exists twice.
//!
//! The walker keeps writing into `out`, a small buffer that stays in cache;
//! after an item of any list or tuple, once `out` holds `SPILL_AT` bytes,
//! they are appended to a [`BytesBuilder`] and `out` starts over (bytes
//! once written are never rewritten, so any point between two values
//! would do; list items are where large outputs have them).
//! The peak is then the output plus about `SPILL_AT` (or the largest item,
//! if larger), instead of twice the output. The builder is only created at
//! the first spill: a smaller output is copied once into its `bytes` at the
//! end, as before.

use super::{EmitError, Emitter, ErrorKind, Result};
use crate::cpython::BytesBuilder;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Staging bytes that trigger a spill: a few L2-resident pages, few enough
/// copies that their cost stays negligible.
pub const SPILL_AT: usize = 64 * 1024;

/// The output's destination while spilling is on.
pub(super) struct Spill<'py> {
    /// Expected size of the whole output (the builder's first capacity).
    hint: usize,
    /// Created at the first spill.
    bytes: Option<BytesBuilder<'py>>,
}

impl<'py> Spill<'py> {
    pub(super) fn new(hint: usize) -> Self {
        Spill { hint, bytes: None }
    }
}

impl<'py> Emitter<'_, 'py> {
    /// From now on, move `out` into a `bytes` object at item boundaries
    /// (see the module doc); `size_hint` is the expected output size. Only
    /// on the calling thread; finish with [`Emitter::finish_bytes`].
    pub fn spill_to_bytes(&mut self, size_hint: usize) {
        // A tape's holes are positions in `out`: the two never mix.
        debug_assert!(self.tape.is_none());
        if self.py.is_some() && crate::cpython::selfcheck::builder_passed() {
            self.spill = Some(Spill::new(size_hint));
            self.spill_at = SPILL_AT;
        }
    }

    /// Bytes written so far, spilled ones included: where the next byte
    /// will be in the output.
    #[inline(always)]
    pub fn written(&self) -> usize {
        self.spilled + self.out.len()
    }

    /// Called after each item of a list or tuple.
    #[inline(always)]
    pub(super) fn item_boundary(&mut self) -> Result<()> {
        if self.out.len() >= self.spill_at {
            self.spill_now()
        } else {
            Ok(())
        }
    }

    #[inline(never)]
    fn spill_now(&mut self) -> Result<()> {
        let (Some(py), Some(spill)) = (self.py, self.spill.as_mut()) else {
            return Ok(());
        };
        let py_err = |e: PyErr| EmitError::new(ErrorKind::OutOfMemory(e));
        let bytes = match &mut spill.bytes {
            Some(b) => b,
            None => {
                // The hint may be short (a first call, items of unusual
                // size): then the builder doubles as it goes.
                let cap = spill.hint.max(self.out.len().saturating_mul(2));
                spill
                    .bytes
                    .insert(BytesBuilder::with_capacity(py, cap).map_err(py_err)?)
            }
        };
        bytes.extend_from_slice(&self.out).map_err(py_err)?;
        self.spilled += self.out.len();
        self.out.clear();
        Ok(())
    }

    /// The whole output as `bytes`: the spilled part with the rest of `out`
    /// appended, or (nothing spilled) one copy of `out`.
    pub fn finish_bytes(mut self) -> PyResult<Bound<'py, PyBytes>> {
        let Some(py) = self.py else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "finish_bytes needs the GIL",
            ));
        };
        match self.spill.take().and_then(|s| s.bytes) {
            Some(mut bytes) => {
                bytes.extend_from_slice(&self.out)?;
                self.out = Vec::new(); // freed before the final trim
                bytes.finish()
            }
            None => crate::cpython::new_bytes(py, &self.out),
        }
    }
}
