//! The binary container: header, index, blob (spec/FORMAT.md).
//!
//! Reading is O(1) unless asked to verify: the header is checked, the total
//! length must match it exactly, and only the first and last index entries
//! and the blob's brackets are looked at. Every other entry is checked when
//! a read uses it (spec/FORMAT.md, "Using index entries").

use std::ops::Range;

use super::checksum::sj64;
use super::error::FormatError;
use super::view::DocumentView;

/// The first 8 bytes of every container. 0x89 is neither ASCII (so the
/// container cannot be taken for text or JSON) nor 0x80 (a pickle stream's
/// first byte); CR LF, 0x1A and LF expose text-mode transfers.
pub const MAGIC: [u8; 8] = *b"\x89SJD\r\n\x1a\n";
/// The format version this module reads and writes.
pub const VERSION: u16 = 1;
/// Header size in bytes; the index starts here.
pub const HEADER_LEN: usize = 64;
/// Flag bit 0: the body checksum field holds SJ64(index ‖ blob).
pub const FLAG_BODY_CHECKSUM: u16 = 1;

// Field positions within the header (little-endian integers).
const AT_VERSION: usize = 8;
const AT_FLAGS: usize = 10;
const AT_COUNT: usize = 16;
const AT_BLOB_LEN: usize = 24;
const AT_BODY_CHECKSUM: usize = 32;
const AT_HEADER_CHECKSUM: usize = 56;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

fn looks_like_json(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    matches!(
        first,
        Some(b'[' | b'{' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
    )
}

/// Names what the bytes are when they are not a container, so a caller who
/// passed the wrong object gets a useful message.
fn check_magic(bytes: &[u8]) -> Result<(), FormatError> {
    if bytes.starts_with(&MAGIC) {
        return Ok(());
    }
    if MAGIC.starts_with(bytes) {
        return Err(FormatError::TooShort { have: bytes.len() });
    }
    if bytes.len() >= 4 && bytes[..4] == MAGIC[..4] {
        return Err(FormatError::LineEndingsMangled);
    }
    if bytes[0] == 0x80 {
        return Err(FormatError::LooksLikePickle);
    }
    if looks_like_json(bytes) {
        return Err(FormatError::LooksLikeJson);
    }
    Err(FormatError::BadMagic)
}

/// The decoded fixed header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Number of items N.
    pub count: u64,
    /// Blob length L in bytes.
    pub blob_len: u64,
    /// SJ64 of the index and blob bytes, when the container carries one.
    pub body_checksum: Option<u64>,
}

impl Header {
    /// Decodes and checks a header from the first [`HEADER_LEN`] bytes of
    /// `bytes` (anything after them is ignored), including its checksum and
    /// the consistency of count and blob length. Range readers call this on
    /// the first 64 bytes of a container.
    pub fn parse(bytes: &[u8]) -> Result<Self, FormatError> {
        check_magic(bytes)?;
        if bytes.len() < HEADER_LEN {
            return Err(FormatError::TooShort { have: bytes.len() });
        }
        // Magic and version keep their place in every version, so an old
        // reader can say which version it was given.
        let version = u16_at(bytes, AT_VERSION);
        if version != VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        let stored = u64_at(bytes, AT_HEADER_CHECKSUM);
        let computed = sj64(&bytes[..AT_HEADER_CHECKSUM]);
        if stored != computed {
            return Err(FormatError::HeaderChecksum { stored, computed });
        }
        let flags = u16_at(bytes, AT_FLAGS);
        if flags & !FLAG_BODY_CHECKSUM != 0 {
            return Err(FormatError::UnsupportedFlags(flags));
        }
        let has_checksum = flags & FLAG_BODY_CHECKSUM != 0;
        let body = u64_at(bytes, AT_BODY_CHECKSUM);
        let reserved_zero = bytes[12..AT_COUNT].iter().all(|&b| b == 0)
            && bytes[40..AT_HEADER_CHECKSUM].iter().all(|&b| b == 0)
            && (has_checksum || body == 0);
        if !reserved_zero {
            return Err(FormatError::ReservedNotZero);
        }
        let header = Self {
            count: u64_at(bytes, AT_COUNT),
            blob_len: u64_at(bytes, AT_BLOB_LEN),
            body_checksum: has_checksum.then_some(body),
        };
        // `[]` for no items; otherwise each item takes at least one byte plus
        // a separator, after the `[`.
        let possible = if header.count == 0 {
            header.blob_len == 2
        } else {
            header.blob_len >= 3 && header.count <= (header.blob_len - 1) / 2
        };
        if !possible {
            return Err(FormatError::ImpossibleCount {
                count: header.count,
                blob_len: header.blob_len,
            });
        }
        header.container_len()?;
        Ok(header)
    }

    /// The 64 header bytes, header checksum included.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[..8].copy_from_slice(&MAGIC);
        h[AT_VERSION..AT_VERSION + 2].copy_from_slice(&VERSION.to_le_bytes());
        let flags = if self.body_checksum.is_some() {
            FLAG_BODY_CHECKSUM
        } else {
            0
        };
        h[AT_FLAGS..AT_FLAGS + 2].copy_from_slice(&flags.to_le_bytes());
        h[AT_COUNT..AT_COUNT + 8].copy_from_slice(&self.count.to_le_bytes());
        h[AT_BLOB_LEN..AT_BLOB_LEN + 8].copy_from_slice(&self.blob_len.to_le_bytes());
        let body = self.body_checksum.unwrap_or(0);
        h[AT_BODY_CHECKSUM..AT_BODY_CHECKSUM + 8].copy_from_slice(&body.to_le_bytes());
        let check = sj64(&h[..AT_HEADER_CHECKSUM]);
        h[AT_HEADER_CHECKSUM..].copy_from_slice(&check.to_le_bytes());
        h
    }

    /// Byte position of the blob: `64 + 8 * (N + 1)`.
    pub fn blob_start(&self) -> Result<u64, FormatError> {
        self.count
            .checked_add(1)
            .and_then(|n| n.checked_mul(8))
            .and_then(|n| n.checked_add(HEADER_LEN as u64))
            .ok_or(FormatError::TooLarge)
    }

    /// Total container length: `64 + 8 * (N + 1) + L`.
    pub fn container_len(&self) -> Result<u64, FormatError> {
        self.blob_start()?
            .checked_add(self.blob_len)
            .ok_or(FormatError::TooLarge)
    }

    /// The item range of a page (`limit` items from `offset`, or all the
    /// rest), clamped to N like a Python slice.
    pub fn page_items(&self, offset: u64, limit: Option<u64>) -> Range<u64> {
        let start = offset.min(self.count);
        let end = limit.map_or(u64::MAX, |l| offset.saturating_add(l));
        start..end.clamp(start, self.count)
    }
}

/// Container byte range of index entries `first..=last`, the entries needed
/// for items `first..last`. Depends only on the format, not on the header.
pub fn index_range(first: u64, last: u64) -> Range<u64> {
    let at = |k: u64| (HEADER_LEN as u64).saturating_add(k.saturating_mul(8));
    at(first)..at(last.saturating_add(1)).max(at(first))
}

/// Container byte range to fetch for the items between index entry values
/// `first_off` (start of the first item) and `end_off` (entry after the last
/// item). It includes the byte before the first item (`[` or `,`) and the
/// separator after the last (`,` or `]`) so the fetched bytes can be checked
/// and turned into a page in place ([`page_from_fetched`]). Empty when
/// `first_off == end_off` (an empty page needs no fetch).
pub fn blob_range(
    header: &Header,
    first_off: u64,
    end_off: u64,
) -> Result<Range<u64>, FormatError> {
    // Also proves that `start + blob_len` cannot overflow.
    header.container_len()?;
    let start = header.blob_start()?;
    if first_off == end_off {
        return Ok(start..start);
    }
    if first_off == 0 || first_off > end_off || end_off > header.blob_len {
        return Err(FormatError::BadIndexEntry {
            entry: 0,
            value: first_off,
            reason: "range outside the blob or out of order",
        });
    }
    Ok(start + first_off - 1..start + end_off)
}

/// Turns the bytes fetched from a [`blob_range`] into the page's JSON array:
/// checks the separators at both ends and replaces them with brackets.
pub fn page_from_fetched(fetched: &[u8]) -> Result<Vec<u8>, FormatError> {
    let bad = |reason| FormatError::BadIndexEntry {
        entry: 0,
        value: 0,
        reason,
    };
    match fetched {
        [] => Ok(b"[]".to_vec()),
        [b'[' | b',', items @ .., b',' | b']'] if !items.is_empty() => {
            let mut page = Vec::with_capacity(fetched.len());
            page.push(b'[');
            page.extend_from_slice(items);
            page.push(b']');
            Ok(page)
        }
        _ => Err(bad(
            "fetched range does not start and end at item separators",
        )),
    }
}

/// A page read with byte-range requests (e.g. Redis `GETRANGE`), following
/// the recipe in spec/FORMAT.md: header → index entries → blob slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeRead {
    header: Header,
    items: Range<u64>,
}

impl RangeRead {
    /// Plans the page of `limit` items from `offset` (all the rest when
    /// `None`) of the container whose decoded header is `header`.
    pub fn new(header: Header, offset: u64, limit: Option<u64>) -> Self {
        let items = header.page_items(offset, limit);
        Self { header, items }
    }

    /// The clamped item range.
    pub fn items(&self) -> Range<u64> {
        self.items.clone()
    }

    /// Step 2: the container bytes holding index entries `start..=end`
    /// (empty for an empty page).
    pub fn index_range(&self) -> Range<u64> {
        if self.items.is_empty() {
            let at = index_range(self.items.start, self.items.start).start;
            return at..at;
        }
        index_range(self.items.start, self.items.end)
    }

    /// The first and last entry of the fetched index bytes, checked like a
    /// lazy in-memory read checks them. Only the entries needed are used, so
    /// a client may have fetched entries for an unclamped range before it
    /// knew N (they start at the same entry).
    fn ends(&self, index: &[u8]) -> Result<(u64, u64), FormatError> {
        let n = self.items.end - self.items.start;
        let bad = |entry, value, reason| FormatError::BadIndexEntry {
            entry,
            value,
            reason,
        };
        let needed = n
            .checked_add(1)
            .and_then(|k| k.checked_mul(8))
            .and_then(|k| usize::try_from(k).ok());
        let index = match needed.and_then(|k| index.get(..k)) {
            Some(index) => index,
            None => return Err(bad(self.items.start, 0, "fetched index is too short")),
        };
        let first = u64_at(index, 0);
        let end = u64_at(index, index.len() - 8);
        if self.items.start == 0 && first != 1 {
            return Err(bad(0, first, "first item must start at 1"));
        }
        if self.items.end == self.header.count && end != self.header.blob_len {
            return Err(bad(
                self.items.end,
                end,
                "last entry must be the blob length",
            ));
        }
        let fits = first >= 1
            && end <= self.header.blob_len
            && end >= first
            && end - first >= n.saturating_mul(2);
        if !fits {
            return Err(bad(self.items.end, end, "out of order or outside the blob"));
        }
        Ok((first, end))
    }

    /// Step 3: the container bytes to fetch, given the bytes fetched for
    /// [`index_range`](Self::index_range) (or for the free function
    /// [`index_range`] of the unclamped items, fetched before the header).
    pub fn blob_range(&self, index: &[u8]) -> Result<Range<u64>, FormatError> {
        if self.items.is_empty() {
            let start = self.header.blob_start()?;
            return Ok(start..start);
        }
        let (first, end) = self.ends(index)?;
        blob_range(&self.header, first, end)
    }

    /// Step 4: the page's JSON array from the fetched blob bytes.
    pub fn page(&self, fetched: &[u8]) -> Result<Vec<u8>, FormatError> {
        if self.items.is_empty() {
            return Ok(b"[]".to_vec());
        }
        let first_ok = match fetched.first() {
            Some(b'[') => self.items.start == 0,
            Some(b',') => self.items.start > 0,
            _ => false,
        };
        let last_ok = match fetched.last() {
            Some(b']') => self.items.end == self.header.count,
            Some(b',') => self.items.end < self.header.count,
            _ => false,
        };
        if !(first_ok && last_ok) {
            return Err(FormatError::BadIndexEntry {
                entry: self.items.start,
                value: 0,
                reason: "fetched range does not start and end at item separators",
            });
        }
        page_from_fetched(fetched)
    }
}

/// Opens a container: [`DocumentView::from_bytes`], also returning the
/// header.
pub(super) fn open(buf: &[u8], verify: bool) -> Result<(Header, DocumentView<'_>), FormatError> {
    let header = Header::parse(buf)?;
    let need = header.container_len()?;
    let have = buf.len() as u64;
    if have < need {
        return Err(FormatError::Truncated { need, have });
    }
    if have > need {
        return Err(FormatError::TrailingBytes { need, have });
    }
    // `need == buf.len()`, so every size below fits in usize.
    let count = header.count as usize;
    let blob_start = HEADER_LEN + 8 * (count + 1);
    let view = DocumentView {
        index: &buf[HEADER_LEN..blob_start],
        blob: &buf[blob_start..],
        count,
    };
    let blob = view.blob;
    if blob[0] != b'[' || blob[blob.len() - 1] != b']' {
        return Err(FormatError::BadBlob);
    }
    let first_expected = if count == 0 { 2 } else { 1 };
    let first = view.offset(0).unwrap_or(0);
    if first != first_expected {
        return Err(FormatError::BadIndexEntry {
            entry: 0,
            value: first,
            reason: "the first item must start right after the `[`",
        });
    }
    let last = view.offset(count).unwrap_or(0);
    if last != header.blob_len {
        return Err(FormatError::BadIndexEntry {
            entry: count as u64,
            value: last,
            reason: "the last entry must be the blob length",
        });
    }
    if verify {
        if let Some(stored) = header.body_checksum {
            let computed = sj64(&buf[HEADER_LEN..]);
            if stored != computed {
                return Err(FormatError::BodyChecksum { stored, computed });
            }
        }
        view.verify_index()?;
    }
    Ok((header, view))
}

impl<'a> DocumentView<'a> {
    /// Opens a container in place (zero-copy).
    ///
    /// Without `verify` this is O(1): the header (with its checksum), the
    /// exact total length, the blob's brackets and the first and last index
    /// entries are checked; other entries are checked when a read uses
    /// them, and the blob's bytes are trusted. With `verify` it also checks
    /// the body checksum (when present) and the whole index, in O(size).
    pub fn from_bytes(buf: &'a [u8], verify: bool) -> Result<Self, FormatError> {
        open(buf, verify).map(|(_, view)| view)
    }

    /// Appends this document as a container, with a body checksum when
    /// `checksum`. The index is verified first (O(N)) so that a corrupt
    /// index read without verification is never sealed with a fresh
    /// checksum.
    pub fn write_container(&self, out: &mut Vec<u8>, checksum: bool) -> Result<(), FormatError> {
        self.verify_index()?;
        let start = out.len();
        out.reserve(HEADER_LEN + self.index.len() + self.blob.len());
        out.extend_from_slice(&[0u8; HEADER_LEN]);
        out.extend_from_slice(self.index);
        out.extend_from_slice(self.blob);
        let header = Header {
            count: self.count as u64,
            blob_len: self.blob.len() as u64,
            body_checksum: checksum.then(|| sj64(&out[start + HEADER_LEN..])),
        };
        out[start..start + HEADER_LEN].copy_from_slice(&header.encode());
        Ok(())
    }

    /// This document as a new container buffer.
    pub fn to_container(&self, checksum: bool) -> Result<Vec<u8>, FormatError> {
        let mut out = Vec::new();
        self.write_container(&mut out, checksum)?;
        Ok(out)
    }
}
