//! Joining the chunks of a parallel (or `release_gil`) encode, in list
//! order, straight into the buffer the result lives in: the `bytes` that
//! `dumps` returns, or a Document's vector. Each chunk is copied once and
//! freed as soon as it is, so the whole output never exists twice.

use super::{EmitError, ErrorKind, Result};
use crate::cpython::BytesBuilder;

/// Where joined output goes.
pub trait Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<()>;
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        crate::json::room::put(self, bytes).map_err(|_| super::out_of_memory())
    }
}

impl Sink for BytesBuilder<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.extend_from_slice(bytes)
            .map_err(|e| EmitError::new(ErrorKind::OutOfMemory(e)))
    }
}

/// `[` + chunks separated by `,` + `]`, and (when asked for) the N+1-entry
/// index of item starts in that array (little-endian u64, spec/FORMAT.md).
pub struct Joiner<'s, S: Sink> {
    sink: &'s mut S,
    index: Option<Vec<u8>>,
    /// Bytes written so far.
    written: u64,
}

impl<'s, S: Sink> Joiner<'s, S> {
    /// Starts the array; `index_entries`: the item count, if an index is
    /// wanted.
    pub fn new(sink: &'s mut S, index_entries: Option<usize>) -> Result<Self> {
        sink.put(b"[")?;
        let index = match index_entries {
            Some(n) => Some(
                crate::json::room::vec_with_capacity(n.saturating_add(1).saturating_mul(8))
                    .map_err(|_| super::out_of_memory())?,
            ),
            None => None,
        };
        Ok(Joiner {
            sink,
            index,
            written: 1,
        })
    }

    /// Appends one chunk: items separated by commas, with `starts` the
    /// little-endian u64 start of each item within `bytes`.
    pub fn push(&mut self, bytes: &[u8], starts: &[u8]) -> Result<()> {
        self.push_parts(bytes.len(), starts, |sink| sink.put(bytes))
    }

    /// `push` for a chunk of `len` bytes that `write` hands to the sink in
    /// parts.
    pub fn push_parts(
        &mut self,
        len: usize,
        starts: &[u8],
        write: impl FnOnce(&mut S) -> Result<()>,
    ) -> Result<()> {
        // A chunk of a list that shrank meanwhile may be empty; an empty
        // piece would leave `,,` behind.
        if len == 0 {
            return Ok(());
        }
        if self.written > 1 {
            self.sink.put(b",")?;
            self.written += 1;
        }
        if let Some(index) = &mut self.index {
            // Sized for the whole list up front; a list that grew meanwhile
            // grows it (fallibly).
            index
                .try_reserve(starts.len())
                .map_err(|_| super::out_of_memory())?;
            for s in starts.chunks_exact(8) {
                let at = u64::from_le_bytes(s.try_into().expect("8 bytes")) + self.written;
                index.extend_from_slice(&at.to_le_bytes());
            }
        }
        write(self.sink)?;
        self.written += len as u64;
        Ok(())
    }

    /// Closes the array; returns the index (empty if none was asked for),
    /// closed by the total length.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.sink.put(b"]")?;
        let total = self.written + 1;
        Ok(match self.index {
            Some(mut index) => {
                crate::json::room::put(&mut index, &total.to_le_bytes())
                    .map_err(|_| super::out_of_memory())?;
                index
            }
            None => Vec::new(),
        })
    }
}
