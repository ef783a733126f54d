//! Pages: JSON arrays cut from the blob by byte slicing.
//!
//! Every function here costs time proportional to its output (plus O(1) per
//! requested item for `take`): a page of consecutive items is a single
//! `memcpy` of the blob between two index entries.

use std::ops::Range;

use super::error::Error;
use super::view::DocumentView;
use crate::json::{self, Text};

/// Pre-encoded envelope keys, for callers that serve many envelopes with the
/// same keys (see [`DocumentView::write_envelope_into`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// `{"items":`
    head: Vec<u8>,
    /// `,"total":`
    mid: Vec<u8>,
}

impl Envelope {
    /// Encodes the two member names as JSON strings.
    pub fn new(items_key: &str, total_key: &str) -> Result<Self, Error> {
        let mut head = vec![b'{'];
        json::write_str(&mut head, Text::Utf8(items_key), false)
            .map_err(|e| Error::Serialize(e.into()))?;
        head.push(b':');
        let mut mid = vec![b','];
        json::write_str(&mut mid, Text::Utf8(total_key), false)
            .map_err(|e| Error::Serialize(e.into()))?;
        mid.push(b':');
        Ok(Self { head, mid })
    }

    /// Appends `{<items>:<page>,<total>:N<extra members>}`, with the page
    /// written by `page` (a JSON array); nothing is left behind on error.
    /// `extra` is JSON object text whose members are appended (`{}` or
    /// `None` adds nothing); only its braces are checked.
    pub fn write_with(
        &self,
        out: &mut Vec<u8>,
        total: u64,
        extra: Option<&[u8]>,
        page: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let members = extra_members(extra)?;
        atomically(out, |out| {
            put(out, &self.head)?;
            page(out)?;
            put(out, &self.mid)?;
            put(out, itoa::Buffer::new().format(total).as_bytes())?;
            if !members.is_empty() {
                put(out, b",")?;
                put(out, members)?;
            }
            put(out, b"}")
        })
    }
}

/// Appends `bytes`, growing `out` fallibly (`Error::OutOfMemory`).
fn put(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), Error> {
    Ok(json::room::put(out, bytes)?)
}

fn trim_json_ws(mut s: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    while let Some((first, rest)) = s.split_first() {
        if !ws(first) {
            break;
        }
        s = rest;
    }
    while let Some((last, rest)) = s.split_last() {
        if !ws(last) {
            break;
        }
        s = rest;
    }
    s
}

/// The members text inside `extra`'s braces (empty for `None` or `{}`).
/// Only the braces are checked: the caller guarantees the rest is valid.
fn extra_members(extra: Option<&[u8]>) -> Result<&[u8], Error> {
    let Some(extra) = extra else {
        return Ok(b"");
    };
    match trim_json_ws(extra) {
        [b'{', inner @ .., b'}'] => Ok(trim_json_ws(inner)),
        _ => Err(Error::BadExtra),
    }
}

/// Runs `write` and, if it fails, truncates `out` back to where it was, so a
/// failed call never leaves half a page behind.
fn atomically(
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    let start = out.len();
    let result = write(out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

impl<'a> DocumentView<'a> {
    /// The item range of `items[a:b]` for non-negative Python slice bounds:
    /// both clamped to N, empty when `b <= a`.
    pub fn slice_range(&self, a: usize, b: usize) -> Range<usize> {
        let a = a.min(self.count);
        a..b.clamp(a, self.count)
    }

    /// The item range of a page: `limit` items from `offset`, all remaining
    /// items when `limit` is `None`, clamped like a Python slice.
    pub fn page_range(&self, offset: usize, limit: Option<usize>) -> Range<usize> {
        let end = limit.map_or(usize::MAX, |l| offset.saturating_add(l));
        self.slice_range(offset, end)
    }

    /// Appends the JSON array of items `a..b` (clamped, see
    /// [`slice_range`](Self::slice_range)).
    pub fn write_slice_into(&self, out: &mut Vec<u8>, a: usize, b: usize) -> Result<(), Error> {
        let range = self.slice_range(a, b);
        if range.is_empty() {
            return put(out, b"[]");
        }
        let (s, e) = self.span(range.start, range.end)?;
        // blob[s..e-1] is the items joined by commas; the brackets replace
        // the separators on either side.
        json::room::reserve(out, e - s + 1)?;
        out.push(b'[');
        out.extend_from_slice(&self.blob[s..e - 1]);
        out.push(b']');
        Ok(())
    }

    /// The JSON array of items `a..b`, clamped like `items[a:b]`.
    pub fn slice(&self, a: usize, b: usize) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.write_slice_into(&mut out, a, b)?;
        Ok(out)
    }

    /// Appends the JSON array of a page (see [`page_range`](Self::page_range)).
    pub fn write_page_into(
        &self,
        out: &mut Vec<u8>,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<(), Error> {
        let range = self.page_range(offset, limit);
        self.write_slice_into(out, range.start, range.end)
    }

    /// The JSON array of `limit` items from `offset` (all remaining when
    /// `None`); always a valid array, `[]` past the end.
    pub fn page(&self, offset: usize, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.write_page_into(&mut out, offset, limit)?;
        Ok(out)
    }

    /// Appends the JSON array of the items at `indices`, in that order,
    /// repeats allowed. An index >= N is an error and appends nothing.
    pub fn write_take_into(
        &self,
        out: &mut Vec<u8>,
        indices: impl IntoIterator<Item = usize>,
    ) -> Result<(), Error> {
        atomically(out, |out| {
            let indices = indices.into_iter();
            // Estimated from the average item size, capped at the blob size
            // so a huge iterator does not ask for more than it may need.
            let average = self.blob.len() / self.count.max(1);
            let estimate = indices.size_hint().0.saturating_mul(average);
            json::room::reserve(out, estimate.min(self.blob.len()) + 2)?;
            put(out, b"[")?;
            for (k, i) in indices.enumerate() {
                let item = self.item(i)?;
                json::room::reserve(out, item.len() + 2)?;
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(item);
            }
            put(out, b"]")
        })
    }

    /// The JSON array of the items at `indices` (any order, repeats allowed).
    pub fn take(&self, indices: impl IntoIterator<Item = usize>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.write_take_into(&mut out, indices)?;
        Ok(out)
    }

    /// Appends `{<items>:<page>,<total>:N<extra members>}` where N is the
    /// document's item count and `extra` is JSON object text whose members
    /// are appended (`{}` or `None` adds nothing). Only `extra`'s braces are
    /// checked; member names that repeat the envelope's are not detected.
    pub fn write_envelope_into(
        &self,
        out: &mut Vec<u8>,
        offset: usize,
        limit: Option<usize>,
        keys: &Envelope,
        extra: Option<&[u8]>,
    ) -> Result<(), Error> {
        keys.write_with(out, self.count as u64, extra, |out| {
            self.write_page_into(out, offset, limit)
        })
    }

    /// `{"<items_key>":[page],"<total_key>":N,...extra}` as a new buffer; see
    /// [`write_envelope_into`](Self::write_envelope_into).
    pub fn envelope(
        &self,
        offset: usize,
        limit: Option<usize>,
        items_key: &str,
        total_key: &str,
        extra: Option<&[u8]>,
    ) -> Result<Vec<u8>, Error> {
        // Checked before the keys are encoded so a bad `extra` costs nothing.
        extra_members(extra)?;
        let keys = Envelope::new(items_key, total_key)?;
        let mut out = Vec::new();
        self.write_envelope_into(&mut out, offset, limit, &keys, extra)?;
        Ok(out)
    }
}
