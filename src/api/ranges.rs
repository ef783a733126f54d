//! Byte-range reads of a stored container (spec/FORMAT.md, section 7), for
//! Python clients of stores that can return part of a value (Redis
//! `GETRANGE`, HTTP `Range`, `pread`).
//!
//! The Python side only moves bytes: `RangeRead` says which container bytes
//! to fetch and turns what was fetched into a page, with every check of
//! `document::container::RangeRead`, so the container layout lives in Rust
//! alone.

use std::ops::Range;

use super::encode::{encode, parse_options};
use crate::cpython::HeldBuffer;
use crate::document::container::{self, Header, RangeRead};
use crate::document::{sj64, FormatError};
use crate::json::{self, Text};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyType};

fn format_error(py: Python<'_>, e: FormatError) -> PyErr {
    match py
        .import("slotjson._errors")
        .and_then(|m| m.getattr("FormatError"))
    {
        Ok(cls) => PyErr::from_type(
            cls.downcast_into::<PyType>().expect("a class"),
            e.to_string(),
        ),
        Err(err) => err,
    }
}

/// A non-negative Python int as u64. Values past u64 are saturated: every
/// use clamps them to the item count anyway, like a Python slice.
fn non_negative(name: &str, v: &Bound<'_, PyAny>) -> PyResult<u64> {
    if v.lt(0)? {
        return Err(PyValueError::new_err(format!(
            "{name} must be >= 0, not {v}"
        )));
    }
    match v.extract::<u64>() {
        Ok(n) => Ok(n),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(v.py()) => Ok(u64::MAX),
        Err(e) => Err(e),
    }
}

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
        let offset = non_negative("offset", offset)?;
        let limit = limit.map(|l| non_negative("limit", l)).transpose()?;
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
        Ok(PyBytes::new(py, &page))
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
        let extra = match extra {
            None => Vec::new(),
            Some(e) if e.is_instance_of::<PyDict>() => {
                let depth = 256i64.into_pyobject(py)?.into_any();
                let opts = parse_options(false, false, "error", false, None, &depth, "iso")?;
                let text = encode(py, e, &opts)?;
                // `dumps` of a dict is compact `{...}`: keep the members.
                text[1..text.len() - 1].to_vec()
            }
            Some(_) => return Err(PyTypeError::new_err("extra must be a dict")),
        };
        let fetched = HeldBuffer::get(fetched)?;
        let page = self
            .read
            .page(fetched.as_ref())
            .map_err(|e| format_error(py, e))?;
        let mut out = Vec::with_capacity(page.len() + extra.len() + 64);
        out.push(b'{');
        json_key(&mut out, items_key)?;
        out.extend_from_slice(&page);
        out.push(b',');
        json_key(&mut out, total_key)?;
        out.extend_from_slice(itoa::Buffer::new().format(self.header.count).as_bytes());
        if !extra.is_empty() {
            out.push(b',');
            out.extend_from_slice(&extra);
        }
        out.push(b'}');
        Ok(PyBytes::new(py, &out))
    }

    fn __repr__(&self) -> String {
        let items = self.read.items();
        format!(
            "<slotjson._native.RangeRead: items {}..{} of {}>",
            items.start, items.end, self.header.count
        )
    }
}

/// `"key":` as a JSON member name.
fn json_key(out: &mut Vec<u8>, key: &str) -> PyResult<()> {
    json::write_str(out, Text::Utf8(key), false)
        .map_err(|e| PyValueError::new_err(format!("bad envelope key: {e:?}")))?;
    out.push(b':');
    Ok(())
}

/// The container bytes holding index entries `first..=last` (the entries
/// for items `first..last`). Their position does not depend on the header,
/// so they can be requested together with it.
#[pyfunction]
#[pyo3(name = "index_range")]
pub fn index_range(first: &Bound<'_, PyAny>, last: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
    let first = non_negative("first", first)?;
    let last = non_negative("last", last)?;
    Ok(pair(container::index_range(first, last)))
}

/// SJ64 (spec/FORMAT.md, "Checksum") of a bytes-like object: the checksum a
/// container header stores for its body.
#[pyfunction]
#[pyo3(name = "sj64")]
pub fn sj64_checksum(data: &Bound<'_, PyAny>) -> PyResult<u64> {
    Ok(sj64(HeldBuffer::get(data)?.as_ref()))
}

/// Adds this module's class and functions to `slotjson._native`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRangeRead>()?;
    m.add_function(wrap_pyfunction!(index_range, m)?)?;
    m.add_function(wrap_pyfunction!(sj64_checksum, m)?)?;
    Ok(())
}
