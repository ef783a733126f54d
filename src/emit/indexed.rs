//! A top-level sequence written as one JSON array while recording where
//! each item starts (the document index), in the same single pass.

use super::value::is;
use super::{Emitter, Result, Seg};
use crate::cpython::{self, Obj};

impl<'a> Emitter<'a, '_> {
    /// Writes `seq` (a list or tuple) as `[item,…]` into `self.out` and
    /// appends to `index` the little-endian u64 start of each item, then the
    /// total length: N+1 entries (spec/FORMAT.md).
    pub fn write_indexed(&mut self, seq: Obj<'a>, index: &mut Vec<u8>) -> Result<()> {
        self.enter(seq)?;
        let list = is::list(seq.ty());
        self.out.push(b'[');
        let mut i = 0;
        loop {
            let item = if list {
                cpython::list_get(seq, i)
            } else {
                cpython::tuple_get(seq, i)
            };
            let Some(item) = item else { break };
            if i > 0 {
                self.out.push(b',');
            }
            index.extend_from_slice(&(self.out.len() as u64).to_le_bytes());
            self.write_any(item).map_err(|e| e.at(Seg::Index(i)))?;
            i += 1;
        }
        self.out.push(b']');
        index.extend_from_slice(&(self.out.len() as u64).to_le_bytes());
        self.leave();
        Ok(())
    }
}
