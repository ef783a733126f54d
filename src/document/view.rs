//! `DocumentView`: a borrowed blob + index, and the checks that make every
//! slice taken from it safe even when the index came from untrusted bytes.

use super::error::{Error, FormatError};

/// A borrowed document: the blob (one JSON array text) and its index
/// (N+1 little-endian u64 item start offsets into the blob).
///
/// All reads go through this type; [`super::Document`] only owns or shares
/// the memory. Index entries are read with `u64::from_le_bytes` because the
/// index may sit unaligned in a borrowed buffer. Each entry pair used for a
/// slice is checked when it is used (spec/FORMAT.md, section 5), so a view
/// over a corrupted container gives errors, never panics or out-of-bounds
/// slices.
#[derive(Clone, Copy, Debug)]
pub struct DocumentView<'a> {
    pub(super) index: &'a [u8],
    pub(super) blob: &'a [u8],
    pub(super) count: usize,
}

fn bad(entry: usize, value: u64, reason: &'static str) -> FormatError {
    FormatError::BadIndexEntry {
        entry: entry as u64,
        value,
        reason,
    }
}

impl<'a> DocumentView<'a> {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The whole JSON array text.
    pub fn blob(&self) -> &'a [u8] {
        self.blob
    }

    /// The raw index: N+1 little-endian u64 (a `<Q` buffer), entry i being
    /// the blob position where item i starts and entry N the blob length.
    pub fn index_bytes(&self) -> &'a [u8] {
        self.index
    }

    /// Index entry `k` (0..=N) as stored, unchecked; `None` past the end.
    pub fn offset(&self, k: usize) -> Option<u64> {
        let at = k.checked_mul(8)?;
        let bytes: [u8; 8] = self.index.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(u64::from_le_bytes(bytes))
    }

    fn offset_checked(&self, k: usize) -> Result<(u64, usize), FormatError> {
        let value = self
            .offset(k)
            .ok_or_else(|| bad(k, 0, "missing from the index"))?;
        let pos = usize::try_from(value).map_err(|_| bad(k, value, "past the end of the blob"))?;
        Ok((value, pos))
    }

    /// Blob positions `(s, e)` of items `a..b` (`a < b <= N`): `s` is item
    /// a's first byte, `e` is one past the separator (`,` or `]`) that ends
    /// item b-1, so the items' text is `blob[s..e - 1]`.
    ///
    /// Checks only entries a and b, which is what makes pages O(output): the
    /// entries must be in bounds and in order with room for b-a non-empty
    /// items, entry a must follow `[` (a == 0, position 1) or `,`, and entry
    /// b must follow `,` or, for b == N, the final `]` at the blob's end.
    /// Corrupt entries between a and b cannot change the bytes returned.
    pub fn span(&self, a: usize, b: usize) -> Result<(usize, usize), FormatError> {
        debug_assert!(a < b && b <= self.count);
        let blob = self.blob;
        let (sv, s) = self.offset_checked(a)?;
        let (ev, e) = self.offset_checked(b)?;
        if s == 0 || s > blob.len() {
            return Err(bad(a, sv, "outside the blob"));
        }
        if e > blob.len() {
            return Err(bad(b, ev, "past the end of the blob"));
        }
        // Every item is at least one byte plus its separator.
        if e < s || e - s < (b - a).saturating_mul(2) {
            return Err(bad(b, ev, "out of order"));
        }
        let (before, first) = if a == 0 { (b'[', s == 1) } else { (b',', true) };
        if !first || blob[s - 1] != before {
            return Err(bad(a, sv, "not at an item start"));
        }
        let (after, last) = if b == self.count {
            (b']', e == blob.len())
        } else {
            (b',', true)
        };
        if !last || blob[e - 1] != after {
            return Err(bad(b, ev, "not after an item's separator"));
        }
        Ok((s, e))
    }

    /// The JSON text of item `i` (without separator).
    pub fn item(&self, i: usize) -> Result<&'a [u8], Error> {
        if i >= self.count {
            return Err(Error::OutOfRange {
                index: i,
                len: self.count,
            });
        }
        let (s, e) = self.span(i, i + 1)?;
        Ok(&self.blob[s..e - 1])
    }

    /// Iterates over the items' JSON texts.
    pub fn items(&self) -> impl Iterator<Item = Result<&'a [u8], Error>> + 'a {
        let view = *self;
        (0..view.count).map(move |i| view.item(i))
    }

    /// Checks the whole index in O(N): every entry is an item boundary and
    /// every item is non-empty. Does not parse the items' JSON.
    pub fn verify_index(&self) -> Result<(), FormatError> {
        let blob = self.blob;
        if self.index.len() != (self.count + 1) * 8 {
            return Err(FormatError::BadIndexEntry {
                entry: self.count as u64,
                value: 0,
                reason: "missing from the index",
            });
        }
        if blob.len() < 2 || blob[0] != b'[' || blob[blob.len() - 1] != b']' {
            return Err(FormatError::BadBlob);
        }
        if self.count == 0 {
            return match self.offset(0) {
                Some(2) if blob.len() == 2 => Ok(()),
                v => Err(FormatError::BadIndexEntry {
                    entry: 0,
                    value: v.unwrap_or(0),
                    reason: "an empty document's only entry must be 2",
                }),
            };
        }
        // One pass checking consecutive pairs: the same rule as `span`, so a
        // verified view never fails a later read.
        for i in 0..self.count {
            self.span(i, i + 1)?;
        }
        Ok(())
    }
}
