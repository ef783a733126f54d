//! Top-level sequences written item by item, recording where each item
//! starts (the document index) in the same pass. Serial calls write all
//! items; parallel calls write one contiguous range per chunk.

use super::value::is;
use super::{Emitter, Result, Seg};
use crate::cpython::{self, Obj};
use std::ops::Range;

impl<'a> Emitter<'a, '_> {
    /// Writes `seq` (a list or tuple) as `[item,…]` into `self.out` and,
    /// with `index`, appends to it the little-endian u64 start of each item,
    /// then the total length: N+1 entries (spec/FORMAT.md). Positions count
    /// the bytes already spilled (see `spill`).
    pub fn write_indexed(&mut self, seq: Obj<'a>, mut index: Option<&mut Vec<u8>>) -> Result<()> {
        self.out.push(b'[');
        let n = self.seq_len(seq);
        self.write_items(seq, 0..n, index.as_deref_mut())?;
        self.out.push(b']');
        if let Some(index) = index {
            index.extend_from_slice(&(self.written() as u64).to_le_bytes());
        }
        Ok(())
    }

    /// Writes items `range` of `seq` separated by commas (no brackets),
    /// with `seq` counted as the open container around them (cycles,
    /// depth). With `index`, appends each item's start in the output.
    pub fn write_items(
        &mut self,
        seq: Obj<'a>,
        range: Range<usize>,
        mut index: Option<&mut Vec<u8>>,
    ) -> Result<()> {
        self.enter(seq)?;
        let list = is::list(seq.ty());
        let get = |i| {
            if list {
                cpython::list_get(seq, i)
            } else {
                cpython::tuple_get(seq, i)
            }
        };
        if range.start + 1 < range.end {
            if let Some(next) = get(range.start + 1) {
                cpython::prefetch(next);
            }
        }
        for i in range.clone() {
            let Some(item) = get(i) else { break };
            // A two-step pipeline, so that an item's fields are in cache by
            // the time it is written: the header of the item after next is
            // fetched now, and the next item's header (fetched one step ago)
            // gives the field objects to fetch.
            if i + 2 < range.end {
                if let Some(after_next) = get(i + 2) {
                    cpython::prefetch(after_next);
                }
            }
            if i + 1 < range.end {
                if let Some(next) = get(i + 1) {
                    self.prefetch_fields(next);
                }
            }
            if i > range.start {
                self.out.push(b',');
            }
            if let Some(index) = index.as_mut() {
                index.extend_from_slice(&(self.written() as u64).to_le_bytes());
            }
            self.write_any(item).map_err(|e| e.at(Seg::Index(i)))?;
            self.item_boundary()?;
        }
        self.leave();
        Ok(())
    }

    /// Prefetch the field objects of `item` if it is of the class met last
    /// (whose plan gives the slot offsets).
    #[inline(always)]
    fn prefetch_fields(&self, item: Obj<'a>) {
        if let Some((cls, Some(plan))) = &self.last_class {
            if item.ty() == *cls {
                for f in plan.fields() {
                    if let Some(off) = f.offset {
                        cpython::prefetch_slot(item, off);
                    }
                }
            }
        }
    }
}
