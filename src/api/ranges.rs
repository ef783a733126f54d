//! Byte-range reads of a stored container (spec/FORMAT.md, section 7), for
//! Python clients of stores that can return part of a value (Redis
//! `GETRANGE`, HTTP `Range`, `pread`).
//!
//! The Python side only moves bytes: `RangeRead` says which container bytes
//! to fetch and turns what was fetched into a page, with every check of
//! `document::container::RangeRead`, so the container layout lives in Rust
//! alone.

use std::ops::Range;

use super::args::{envelope_extra, format_error, page_bound};
use crate::cpython::HeldBuffer;
use crate::document::container::{self, Header, RangeRead};
use crate::document::{sj64, Envelope, FormatError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

fn pair(r: Range<u64>) -> (u64, u64) {
    (r.start, r.end)
}

/// A planned page read: made from the container's first 64 bytes, it gives
/// the byte ranges to fetch (half-open, container positions) and checks and
/// assembles the fetched bytes.
#[pyclass(frozen, name = "RangeRead", module = "slotjson._native")]
pub struct PyRangeRead {
    header: Header,
    read: RangeRead,
}

#[pymethods]
impl PyRangeRead {
    /// Checks `header` (at least the first 64 bytes of a container; later
    /// bytes are ignored) and plans the page of `limit` items from `offset`
    /// (all the rest when `limit` is None), clamped like a slice. Raises
    /// `FormatError` when the bytes are not a container header.
    #[new]
    #[pyo3(signature = (header, offset, limit=None))]
    fn new(
        py: Python<'_>,
        header: &Bound<'_, PyAny>,
        offset: &Bound<'_, PyAny>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let offset = page_bound("offset", offset)?;
        let limit = limit.map(|l| page_bound("limit", l)).transpose()?;
        let bytes = HeldBuffer::get(header)?;
        let header = Header::parse(bytes.as_ref()).map_err(|e| format_error(py, e))?;
        Ok(Self {
            header,
            read: RangeRead::new(header, offset, limit),
        })
    }

    /// The number of items N in the container.
    #[getter]
    fn count(&self) -> u64 {
        self.header.count
    }

    /// The blob length L in bytes.
    #[getter]
    fn blob_len(&self) -> u64 {
        self.header.blob_len
    }

    /// SJ64 of the index and blob as stored in the header, or None when the
    /// container was written without one.
    #[getter]
    fn body_checksum(&self) -> Option<u64> {
        self.header.body_checksum
    }

    /// The container length the header states: `64 + 8(N+1) + L`.
    #[getter]
    fn container_len(&self, py: Python<'_>) -> PyResult<u64> {
        self.header.container_len().map_err(|e| format_error(py, e))
    }

    /// The clamped item range `(start, stop)` of the page.
    #[getter]
    fn items(&self) -> (u64, u64) {
        pair(self.read.items())
    }

    /// The container bytes holding the index entries the page needs
    /// (empty for an empty page).
    #[getter]
    fn index_range(&self) -> (u64, u64) {
        pair(self.read.index_range())
    }

    /// Raises `FormatError` unless `length`, the stored value's size, is
    /// exactly what the header states (a truncated or extended value).
    fn check_length(&self, py: Python<'_>, length: u64) -> PyResult<()> {
        let need = self
            .header
            .container_len()
            .map_err(|e| format_error(py, e))?;
        let err = match length.cmp(&need) {
            std::cmp::Ordering::Equal => return Ok(()),
            std::cmp::Ordering::Less => FormatError::Truncated { need, have: length },
            std::cmp::Ordering::Greater => FormatError::TrailingBytes { need, have: length },
        };
        Err(format_error(py, err))
    }

    /// The container bytes to fetch for the items, given the bytes fetched
    /// for `index_range` (or for the unclamped `index_range(offset, ...)`,
    /// which starts at the same entry). Checks the two entries it uses.
    fn blob_range(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
        let index = HeldBuffer::get(index)?;
        self.read
            .blob_range(index.as_ref())
            .map(pair)
            .map_err(|e| format_error(py, e))
    }

    /// The page's JSON array from the bytes fetched for `blob_range`, after
    /// checking the separators at both ends.
    fn page<'py>(
        &self,
        py: Python<'py>,
        fetched: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let fetched = HeldBuffer::get(fetched)?;
        let page = self
            .read
            .page(fetched.as_ref())
            .map_err(|e| format_error(py, e))?;
        crate::cpython::new_bytes(py, &page)
    }

    /// `{"items":[page],"total":N, ...extra}` from the bytes fetched for
    /// `blob_range`: the same bytes as `Document.envelope` with the same
    /// arguments.
    #[pyo3(signature = (fetched, *, items_key="items", total_key="total", extra=None))]
    fn envelope<'py>(
        &self,
        py: Python<'py>,
        fetched: &Bound<'py, PyAny>,
        items_key: &str,
        total_key: &str,
        extra: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        // Encoded before the page is assembled so a bad `extra` costs nothing.
        let extra = envelope_extra(py, extra)?;
        let keys = Envelope::new(items_key, total_key)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let fetched = HeldBuffer::get(fetched)?;
        let page = self
            .read
            .page(fetched.as_ref())
            .map_err(|e| format_error(py, e))?;
        let mut out = Vec::with_capacity(page.len() + 64);
        keys.write_with(&mut out, self.header.count, extra.as_deref(), |out| {
            out.extend_from_slice(&page);
            Ok(())
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
        crate::cpython::new_bytes(py, &out)
    }

    fn __repr__(&self) -> String {
        let items = self.read.items();
        format!(
            "<slotjson._native.RangeRead: items {}..{} of {}>",
            items.start, items.end, self.header.count
        )
    }
}

/// The container bytes holding index entries `first..=last` (the entries
/// for items `first..last`). Their position does not depend on the header,
/// so they can be requested together with it.
#[pyfunction]
#[pyo3(name = "index_range")]
pub fn index_range(first: &Bound<'_, PyAny>, last: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
    let first = page_bound("first", first)?;
    let last = page_bound("last", last)?;
    Ok(pair(container::index_range(first, last)))
}

/// SJ64 (spec/FORMAT.md, "Checksum") of a bytes-like object: the checksum a
/// container header stores for its body.
#[pyfunction]
#[pyo3(name = "sj64")]
pub fn sj64_checksum(data: &Bound<'_, PyAny>) -> PyResult<u64> {
    Ok(sj64(HeldBuffer::get(data)?.as_ref()))
}

/// A `slotjson.FormatError` with a message of its own (a reply that does
/// not match what the checked header calls for).
fn format_error_message(py: Python<'_>, message: String) -> PyErr {
    match py
        .import("slotjson._errors")
        .and_then(|m| m.getattr("FormatError"))
        .and_then(|cls| cls.call1((message,)))
    {
        Ok(err) => PyErr::from_value(err),
        Err(err) => err,
    }
}

/// The next space- or newline-terminated decimal of a packed reply's first
/// line.
fn packed_number(line: &mut &[u8]) -> Option<u64> {
    let end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let (digits, rest) = line.split_at(end);
    *line = rest.get(1..).unwrap_or(&[]);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The parts of a packed page-script reply's first string: `L A H I R\n`
/// (the container length, the blob bytes' container position and the
/// lengths of header, index and pointer record), then header, index and
/// record bytes. The blob comes as a string of its own.
struct Packed<'a> {
    length: u64,
    blob_at: u64,
    header: &'a [u8],
    index: &'a [u8],
    record: &'a [u8],
}

fn unpack(meta: &[u8]) -> Option<Packed<'_>> {
    let newline = meta.iter().take(100).position(|&b| b == b'\n')?;
    let mut line = &meta[..newline];
    let rest = &meta[newline + 1..];
    let length = packed_number(&mut line)?;
    let blob_at = packed_number(&mut line)?;
    let h = usize::try_from(packed_number(&mut line)?).ok()?;
    let i = usize::try_from(packed_number(&mut line)?).ok()?;
    let r = usize::try_from(packed_number(&mut line)?).ok()?;
    if !line.is_empty() || h.checked_add(i)?.checked_add(r)? != rest.len() {
        return None;
    }
    let (header, rest) = rest.split_at(h);
    let (index, record) = rest.split_at(i);
    Some(Packed {
        length,
        blob_at,
        header,
        index,
        record,
    })
}

/// One native step from a packed page-script reply (`PAGE_SCRIPT` with
/// `ARGV[4] = 1`: `meta` and `blob`) to what an HTTP response needs: every check `RangeRead`
/// makes (header, length, the ranges the server read, the entries and
/// separators used), then the page. Returns `(body, start, stop, total,
/// checksum, headers, record)`: `headers` are the response's raw ASGI
/// headers (`etag`, `x-total-count`, `content-length`, `content-type`),
/// `record` the pointer record the script read through (the caller checks
/// it), or None.
#[pyfunction]
#[pyo3(name = "served_page", signature = (meta, blob, offset, limit=None))]
pub fn served_page<'py>(
    py: Python<'py>,
    meta: &Bound<'py, PyBytes>,
    blob: &Bound<'py, PyBytes>,
    offset: u64,
    limit: Option<u64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let blob = blob.as_bytes();
    let packed = unpack(meta.as_bytes())
        .ok_or_else(|| format_error_message(py, "malformed page script reply".to_owned()))?;
    let header = Header::parse(packed.header).map_err(|e| format_error(py, e))?;
    let read = RangeRead::new(header, offset, limit);
    let need = header.container_len().map_err(|e| format_error(py, e))?;
    if packed.length != need {
        let (need, have) = (need, packed.length);
        let err = if have < need {
            FormatError::Truncated { need, have }
        } else {
            FormatError::TrailingBytes { need, have }
        };
        return Err(format_error(py, err));
    }
    let index_range = read.index_range();
    if packed.index.len() as u64 != index_range.end - index_range.start {
        let message = format!(
            "the server read {} index bytes where the header calls for {}",
            packed.index.len(),
            index_range.end - index_range.start
        );
        return Err(format_error_message(py, message));
    }
    let blob_range = read
        .blob_range(packed.index)
        .map_err(|e| format_error(py, e))?;
    let read_at = packed.blob_at..packed.blob_at + blob.len() as u64;
    if blob_range.start != blob_range.end && read_at != blob_range {
        let message = format!(
            "the server read blob bytes {}..{} where the index calls for {}..{}",
            read_at.start, read_at.end, blob_range.start, blob_range.end
        );
        return Err(format_error_message(py, message));
    }
    let body = read.page(blob).map_err(|e| format_error(py, e))?;
    let items = read.items();
    let etag = match header.body_checksum {
        Some(sum) => format!("\"sj-{sum:016x}-{}-{}\"", items.start, items.end),
        None => format!("\"sjb-{:016x}\"", sj64(&body)),
    };
    let headers = PyList::empty(py);
    for (name, value) in [
        (&b"etag"[..], etag.as_bytes()),
        (b"x-total-count", header.count.to_string().as_bytes()),
        (b"content-length", body.len().to_string().as_bytes()),
        (b"content-type", b"application/json"),
    ] {
        headers.append((PyBytes::new(py, name), PyBytes::new(py, value)))?;
    }
    let record = (!packed.record.is_empty()).then(|| PyBytes::new(py, packed.record));
    (
        PyBytes::new(py, &body),
        items.start,
        items.end,
        header.count,
        header.body_checksum,
        headers,
        record,
    )
        .into_pyobject(py)
}

/// Adds this module's class and functions to `slotjson._native`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRangeRead>()?;
    m.add_function(wrap_pyfunction!(served_page, m)?)?;
    m.add_function(wrap_pyfunction!(index_range, m)?)?;
    m.add_function(wrap_pyfunction!(sj64_checksum, m)?)?;
    Ok(())
}
