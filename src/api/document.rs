//! `slotjson.Document`: a JSON array blob plus its item index, served by
//! slicing (see spec/FORMAT.md for the container).

use super::args::{envelope_extra, format_error, page_bound, to_index};
use super::encode::{encode_value, parse_options, top_level, Target, TopLevel};
use super::errors::to_pyerr;
use crate::cpython::{self, BytesBuilder, Obj};
use crate::document::container::{Header, HEADER_LEN};
use crate::document::{sj64, Document, Envelope, Error as DocError};
use crate::emit::Options;
use pyo3::exceptions::{PyIndexError, PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PySlice, PyType};
use std::os::raw::c_int;

/// An immutable JSON array with an index of where each item starts.
#[pyclass(frozen, name = "Document", module = "slotjson")]
pub struct PyDocument {
    doc: Document,
}

/// The index of a document as a read-only byte buffer (for `doc.offsets`).
#[pyclass(frozen, name = "_DocumentIndex", module = "slotjson._native")]
pub struct PyDocumentIndex {
    doc: Py<PyDocument>,
}

fn doc_error(py: Python<'_>, e: DocError) -> PyErr {
    match e {
        DocError::OutOfRange { .. } => PyIndexError::new_err(e.to_string()),
        DocError::OutOfMemory => PyMemoryError::new_err(e.to_string()),
        DocError::Format(f) => format_error(py, f),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// A page bound as usize (see `args::page_bound`).
fn non_negative(name: &str, v: &Bound<'_, PyAny>) -> PyResult<usize> {
    page_bound(name, v).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// An item index as Python reads it (negative from the end); an int too
/// large for isize is out of range, as for a list.
fn item_index(v: &Bound<'_, PyAny>, len: usize) -> PyResult<usize> {
    let index = to_index(v, || {
        "Document indices must be integers or slices".to_owned()
    })?;
    let (k, shown): (i128, String) = match index.extract::<i64>() {
        Ok(i) if i < 0 => (i as i128 + len as i128, i.to_string()),
        Ok(i) => (i as i128, i.to_string()),
        Err(_) => (-1, "past 64 bits".to_owned()),
    };
    if k < 0 || k >= len as i128 {
        return Err(PyIndexError::new_err(format!(
            "document index {shown} out of range for {len} items"
        )));
    }
    Ok(k as usize)
}

/// Encode the items of `items` as one indexed document. It takes exactly
/// what `dumps` writes as a JSON array of items (see `encode::top_level`):
/// for anything else it raises what `dumps` raises, or `TypeError` when
/// `dumps` would write it as some other JSON value.
pub fn encode_indexed(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    opts: &Options,
) -> PyResult<Document> {
    let seq = Obj::from_bound(items);
    match top_level(items) {
        TopLevel::Items => {}
        TopLevel::Table => {
            // One item per row.
            let encoded = super::table::encode_table(py, items, opts, true)?;
            return Document::from_encoded(encoded.blob, encoded.index)
                .map_err(|e| format_error(py, e));
        }
        TopLevel::Value => return Err(not_indexable(py, items, opts)),
    }
    let (blob, index) = super::encode::encode_seq(py, seq, opts, true)
        .map_err(|e| to_pyerr(py, e, ""))? // a sequence: paths start at `[i]`
        .into_parts();
    Document::from_encoded(blob, index).map_err(|e| format_error(py, e))
}

/// The error for a top-level value that is not a list or tuple: the one
/// `dumps` raises for it (a set, a generator, an unsupported object), or a
/// `TypeError` naming what `dumps` writes it as.
#[cold]
fn not_indexable(py: Python<'_>, items: &Bound<'_, PyAny>, opts: &Options) -> PyErr {
    let kind = items.get_type();
    let name = kind
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    let written = match encode_value(py, items, opts, Target::Vec) {
        Err(e) => return e,
        Ok(encoded) => encoded.into_parts().0,
    };
    let what = match written.first() {
        Some(b'[') => {
            return PyTypeError::new_err(format!(
                "dumps_indexed takes a list or tuple of items; {name} becomes a JSON array only \
                 through default=, which dumps_indexed does not apply to the top-level value"
            ))
        }
        Some(b'{') => "a JSON object",
        Some(b'"') => "a JSON string",
        _ => "a single JSON value",
    };
    PyTypeError::new_err(format!(
        "dumps_indexed takes a list or tuple of items; dumps writes {name} as {what}, \
         which has no items to index"
    ))
}

impl PyDocument {
    /// Items `a..b` (already clamped) as one JSON array, copied once.
    fn slice_bytes<'py>(
        &self,
        py: Python<'py>,
        a: usize,
        b: usize,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if a >= b {
            return Ok(PyBytes::new(py, b"[]"));
        }
        let view = self.doc.view();
        let (s, e) = view.span(a, b).map_err(|f| format_error(py, f))?;
        let items = &view.blob()[s..e - 1];
        if crate::cpython::selfcheck::builder_passed() {
            // Written in place: one pass over the page's bytes (`new_with`
            // zero-fills the buffer first, a second pass).
            let mut out = BytesBuilder::with_capacity(py, items.len() + 2)?;
            out.extend_from_slice(b"[")?;
            out.extend_from_slice(items)?;
            out.extend_from_slice(b"]")?;
            return out.finish();
        }
        PyBytes::new_with(py, items.len() + 2, |buf| {
            buf[0] = b'[';
            buf[1..=items.len()].copy_from_slice(items);
            buf[items.len() + 1] = b']';
            Ok(())
        })
    }
}

#[pymethods]
impl PyDocument {
    fn __len__(&self) -> usize {
        self.doc.len()
    }

    /// Size of the JSON array in bytes.
    #[getter]
    fn nbytes(&self) -> usize {
        self.doc.blob().len()
    }

    /// The JSON array of items `[offset, offset + limit)`, clamped like a
    /// slice (all remaining items when `limit` is None).
    #[pyo3(signature = (offset=None, limit=None))]
    fn page<'py>(
        &self,
        py: Python<'py>,
        offset: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let offset = offset
            .map(|o| non_negative("offset", o))
            .transpose()?
            .unwrap_or(0);
        let limit = limit.map(|l| non_negative("limit", l)).transpose()?;
        let r = self.doc.view().page_range(offset, limit);
        self.slice_bytes(py, r.start, r.end)
    }

    /// `doc[i]`: one item's JSON; `doc[a:b]`: a JSON array (step 1 only).
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if let Ok(slice) = key.cast::<PySlice>() {
            let ind = slice.indices(self.doc.len() as isize)?;
            if ind.step != 1 {
                return Err(PyValueError::new_err("Document slices must have step 1"));
            }
            let (a, b) = (ind.start.max(0) as usize, ind.stop.max(0) as usize);
            return self.slice_bytes(py, a, b.max(a));
        }
        let item = self
            .doc
            .item(item_index(key, self.doc.len())?)
            .map_err(|e| doc_error(py, e))?;
        cpython::new_bytes(py, item)
    }

    /// A JSON array of the items at `indices` (any iterable of ints, numpy
    /// integer arrays included; repeats allowed; negative as in Python).
    fn take<'py>(
        &self,
        py: Python<'py>,
        indices: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut picked = Vec::new();
        for i in indices.try_iter()? {
            picked.push(item_index(&i?, self.doc.len())?);
        }
        let out = self.doc.take(picked).map_err(|e| doc_error(py, e))?;
        cpython::new_bytes(py, &out)
    }

    /// `{"items":[…],"total":N, …extra}`; `extra` (a dict) is written by
    /// `dumps`.
    #[pyo3(signature = (offset=None, limit=None, *, items_key="items", total_key="total", extra=None))]
    fn envelope<'py>(
        &self,
        py: Python<'py>,
        offset: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        items_key: &str,
        total_key: &str,
        extra: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let offset = offset
            .map(|o| non_negative("offset", o))
            .transpose()?
            .unwrap_or(0);
        let limit = limit.map(|l| non_negative("limit", l)).transpose()?;
        let extra = envelope_extra(py, extra)?;
        let keys = Envelope::new(items_key, total_key).map_err(|e| doc_error(py, e))?;
        let mut out = Vec::new();
        self.doc
            .write_envelope_into(&mut out, offset, limit, &keys, extra.as_deref())
            .map_err(|e| doc_error(py, e))?;
        cpython::new_bytes(py, &out)
    }

    /// The index as a read-only `memoryview` of format `Q` (little-endian
    /// u64), N+1 entries: item i is `bytes(doc)[off[i]:off[i+1]-1]`.
    #[getter]
    fn offsets<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let idx = Bound::new(
            py,
            PyDocumentIndex {
                doc: slf.clone().unbind(),
            },
        )?;
        let mv = py
            .import("builtins")?
            .getattr("memoryview")?
            .call1((idx,))?;
        mv.call_method1("cast", ("Q",))
    }

    /// The container bytes (spec/FORMAT.md), with a checksum of the body
    /// unless `checksum=False`.
    #[pyo3(signature = (*, checksum=true))]
    fn to_bytes<'py>(&self, py: Python<'py>, checksum: bool) -> PyResult<Bound<'py, PyBytes>> {
        let view = self.doc.view_to_write().map_err(|e| format_error(py, e))?;
        let (index, blob) = (view.index_bytes(), view.blob());
        let total = HEADER_LEN + index.len() + blob.len();
        if !crate::cpython::selfcheck::builder_passed() {
            let mut out = crate::json::room::vec_with_capacity(total)
                .map_err(|_| PyMemoryError::new_err("out of memory"))?;
            view.write_container(&mut out, checksum)
                .map_err(|e| format_error(py, e))?;
            return cpython::new_bytes(py, &out);
        }
        // Written once, into the bytes returned: header room, index, blob,
        // then the header with the checksum of what was written.
        let mut out = BytesBuilder::with_capacity(py, total)?;
        out.extend_from_slice(&[0u8; HEADER_LEN])?;
        out.extend_from_slice(index)?;
        out.extend_from_slice(blob)?;
        let written = out.written_mut();
        let header = Header {
            count: view.len() as u64,
            blob_len: blob.len() as u64,
            body_checksum: checksum.then(|| sj64(&written[HEADER_LEN..])),
        };
        written[..HEADER_LEN].copy_from_slice(&header.encode());
        out.finish()
    }

    /// Read a container from a buffer: `bytes` (and a `memoryview` of
    /// bytes, a read-only `mmap`) are read in place and kept alive by the
    /// document; any buffer that can be written to (`bytearray`, `array`, a
    /// writable `mmap`) is copied first, so later writes cannot change the
    /// document. O(1) unless `verify=True`, which checks the checksum and
    /// whole index.
    #[classmethod]
    #[pyo3(signature = (buffer, *, verify=false))]
    fn from_bytes(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        buffer: &Bound<'_, PyAny>,
        verify: bool,
    ) -> PyResult<Self> {
        let held = cpython::container_bytes(buffer)?;
        let doc = Document::from_shared(held, verify).map_err(|e| format_error(py, e))?;
        Ok(PyDocument { doc })
    }

    /// Read a container file (a path, or an open file descriptor, read from
    /// its start and left open) into memory. With `mmap=True` the file is
    /// mapped instead: nothing is read until a page is served, but if the
    /// file is truncated while the document is alive, reading the lost
    /// pages kills the process with SIGBUS (the hazard of every file
    /// mapping); only map files nothing else will shorten.
    #[classmethod]
    #[pyo3(signature = (path, *, verify=false, mmap=false))]
    fn open(
        cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        verify: bool,
        mmap: bool,
    ) -> PyResult<Self> {
        let io = py.import("io")?;
        // An int is the caller's file descriptor: read it, leave it open.
        let is_fd = path.is_instance_of::<pyo3::types::PyInt>();
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("closefd", !is_fd)?;
        let f = io.getattr("open")?.call((path, "rb"), Some(&kwargs))?;
        let contents = (|| {
            if !mmap {
                // The whole file, from its start; a caller's descriptor is
                // put back where it was.
                let at = if is_fd {
                    Some(f.call_method0("tell")?)
                } else {
                    None
                };
                f.call_method1("seek", (0,))?;
                let data = f.call_method0("read")?;
                if let Some(at) = at {
                    f.call_method1("seek", (at,))?;
                }
                return Ok(data);
            }
            let size: usize = py
                .import("os")?
                .call_method1("fstat", (f.call_method0("fileno")?,))?
                .getattr("st_size")?
                .extract()?;
            if size == 0 {
                return Ok(pyo3::types::PyBytes::new(py, b"").into_any());
            }
            let mmap = py.import("mmap")?;
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("access", mmap.getattr("ACCESS_READ")?)?;
            mmap.getattr("mmap")?
                .call((f.call_method0("fileno")?, 0), Some(&kwargs))
        })();
        f.call_method0("close")?;
        Self::from_bytes(cls, py, &contents?, verify)
    }

    /// Write the container to a path or a binary file object.
    #[pyo3(signature = (target, *, checksum=true))]
    fn write(&self, py: Python<'_>, target: &Bound<'_, PyAny>, checksum: bool) -> PyResult<()> {
        let data = self.to_bytes(py, checksum)?;
        if target.hasattr("write")? {
            target.call_method1("write", (data,))?;
        } else {
            let f = py.import("io")?.call_method1("open", (target, "wb"))?;
            let written = f.call_method1("write", (data,));
            f.call_method0("close")?;
            written?;
        }
        Ok(())
    }

    /// Check the whole document (body checksum when present, every index
    /// entry); raises FormatError.
    fn verify(&self, py: Python<'_>) -> PyResult<()> {
        self.doc.verify().map_err(|e| format_error(py, e))
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(py, true)?,)))
    }

    fn __repr__(&self) -> String {
        format!(
            "<slotjson.Document: {} items, {} bytes>",
            self.doc.len(),
            self.doc.blob().len()
        )
    }

    /// The whole JSON array, zero-copy (`memoryview(doc)`, `bytes(doc)`).
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let blob = slf.get().doc.blob();
        // SAFETY: `view` comes from CPython's bf_getbuffer; the document is
        // immutable and the view keeps a reference to it, so `blob` stays
        // valid and unchanged while exported.
        unsafe { cpython::export_bytes(view, slf.as_any(), blob, flags) }
    }

    unsafe fn __releasebuffer__(&self, _view: *mut pyo3::ffi::Py_buffer) {}
}

#[pymethods]
impl PyDocumentIndex {
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let index = slf.get().doc.get().doc.index_bytes();
        // SAFETY: as for Document: the index belongs to the immutable
        // document this object holds.
        unsafe { cpython::export_bytes(view, slf.as_any(), index, flags) }
    }

    unsafe fn __releasebuffer__(&self, _view: *mut pyo3::ffi::Py_buffer) {}
}

/// Serialize `items` once into a Document (see `dumps` for the options).
#[pyfunction]
#[pyo3(signature = (items, *, utc_z=false, omit_microseconds=false, nan="error", ascii=false, default=None, max_depth=None, timedelta="iso", threads=None, release_gil=false, by_alias=None))]
#[allow(clippy::too_many_arguments)]
pub fn dumps_indexed(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    utc_z: bool,
    omit_microseconds: bool,
    nan: &str,
    ascii: bool,
    default: Option<Bound<'_, PyAny>>,
    max_depth: Option<Bound<'_, PyAny>>,
    timedelta: &str,
    threads: Option<Bound<'_, PyAny>>,
    release_gil: bool,
    by_alias: Option<bool>,
) -> PyResult<PyDocument> {
    let mut opts = parse_options(
        utc_z,
        omit_microseconds,
        nan,
        ascii,
        default,
        max_depth.as_ref(),
        timedelta,
        threads.as_ref(),
        release_gil,
    )?;
    opts.by_alias = by_alias;
    Ok(PyDocument {
        doc: encode_indexed(py, items, &opts)?,
    })
}
