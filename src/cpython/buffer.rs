//! The buffer protocol, both ways: exporting our bytes to Python
//! (`memoryview(doc)`) and holding a Python buffer to read it in place
//! (`Document.from_bytes`).

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView};
use std::os::raw::c_int;
use std::sync::Arc;

/// Fill `view` as a read-only, one-dimensional byte buffer over `data`,
/// owned by `owner`.
///
/// # Safety
/// `view` must be the pointer CPython passed to `bf_getbuffer`; `owner`
/// must keep `data` alive and unchanged for as long as the view exists
/// (CPython holds a reference to `owner` until `PyBuffer_Release`).
pub unsafe fn export_bytes(
    view: *mut ffi::Py_buffer,
    owner: &Bound<'_, PyAny>,
    data: &[u8],
    flags: c_int,
) -> PyResult<()> {
    if view.is_null() {
        return Err(PyBufferError::new_err("no buffer view given"));
    }
    if flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE {
        return Err(PyBufferError::new_err("slotjson documents are read-only"));
    }
    // SAFETY: caller contract above; PyBuffer_FillInfo takes a new reference
    // to `owner` into the view and sets format "B", itemsize 1, ndim 1.
    let rc = ffi::PyBuffer_FillInfo(
        view,
        owner.as_ptr(),
        data.as_ptr() as *mut _,
        data.len() as ffi::Py_ssize_t,
        1,
        flags,
    );
    if rc == -1 {
        return Err(PyErr::fetch(owner.py()));
    }
    Ok(())
}

/// A Python object's contiguous byte buffer, held (exported) for as long as
/// this value lives, so its memory can be read without copying.
pub struct HeldBuffer {
    buf: PyBuffer<u8>,
}

impl HeldBuffer {
    /// Export `obj`'s buffer (bytes, bytearray, memoryview, mmap, …).
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let buf = PyBuffer::<u8>::get(obj)?;
        if !buf.is_c_contiguous() {
            return Err(PyBufferError::new_err("the buffer must be C-contiguous"));
        }
        Ok(HeldBuffer { buf })
    }
}

impl AsRef<[u8]> for HeldBuffer {
    fn as_ref(&self) -> &[u8] {
        let len = self.buf.len_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: the export is held by `self.buf` (released on drop), so the
        // memory stays valid and, for resizable objects such as bytearray,
        // cannot be reallocated; it is C-contiguous with `len` bytes.
        unsafe { std::slice::from_raw_parts(self.buf.buf_ptr() as *const u8, len) }
    }
}

/// What a container may be read from, for error messages.
const ACCEPTED: &str = "a bytes-like object of single bytes (bytes, bytearray, memoryview, mmap; \
                        format 'B', 'b' or 'c', C-contiguous)";

/// Whether `root` (the object that exports the memory) can never change it:
/// `bytes`, a read-only `mmap`, or a slotjson document (whose buffers are
/// read-only exports of immutable memory).
fn immutable(root: &Bound<'_, PyAny>, readonly: bool) -> PyResult<bool> {
    if root.is_instance_of::<PyBytes>() {
        return Ok(true);
    }
    if !readonly {
        return Ok(false);
    }
    let ty = root.get_type();
    let module = ty.getattr("__module__")?;
    let name = ty.getattr("__qualname__")?;
    let (module, name) = (module.to_string(), name.to_string());
    Ok(matches!(
        (module.as_str(), name.as_str()),
        ("mmap", "mmap") | ("slotjson", "Document") | ("slotjson._native", "_DocumentIndex")
    ))
}

/// The bytes of a container offered as `obj`, for a Document to keep.
///
/// Memory that cannot change is held in place (zero-copy): `bytes`, a
/// read-only `mmap`, or a `memoryview` of either. Any other byte buffer —
/// `bytearray`, `array('B')`, a writable `mmap`, a numpy array, a read-only
/// view of any of these — is copied once, so writing to it later cannot
/// change the document. Buffers of items other than single bytes, and
/// non-contiguous ones, raise `TypeError`; a copy that cannot be allocated
/// raises `MemoryError`.
pub fn container_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Arc<dyn AsRef<[u8]> + Send + Sync>> {
    // The common case (a cache returned bytes) costs one type check.
    if obj.is_exact_instance_of::<PyBytes>() {
        return Ok(Arc::new(HeldBuffer::get(obj)?));
    }
    let Ok(view) = PyMemoryView::from(obj) else {
        return Err(PyTypeError::new_err(format!(
            "a document container must be {ACCEPTED}, not {}",
            obj.get_type().name()?
        )));
    };
    let held = (|| {
        let format: String = view.getattr("format")?.extract()?;
        let itemsize: usize = view.getattr("itemsize")?.extract()?;
        if itemsize != 1 || !matches!(format.as_str(), "B" | "b" | "c") {
            return Err(PyTypeError::new_err(format!(
                "a document container must be {ACCEPTED}, not a buffer of format {format:?} \
                 (itemsize {itemsize}) from {}",
                obj.get_type().name()?
            )));
        }
        if !view.getattr("c_contiguous")?.extract::<bool>()? {
            return Err(PyTypeError::new_err(format!(
                "a document container must be {ACCEPTED}; this {} is not contiguous",
                obj.get_type().name()?
            )));
        }
        let readonly: bool = view.getattr("readonly")?.extract()?;
        let root = view.getattr("obj")?;
        let bytes: Arc<dyn AsRef<[u8]> + Send + Sync> = if immutable(&root, readonly)? {
            Arc::new(HeldBuffer::get(&view.call_method1("cast", ("B",))?)?)
        } else {
            // `tobytes` raises MemoryError when the copy cannot be made.
            Arc::new(HeldBuffer::get(&view.call_method0("tobytes")?)?)
        };
        Ok(bytes)
    })();
    // Our own view is released now (the zero-copy one, a cast, holds its
    // own export), so a copied exporter (a bytearray) can be resized again.
    view.call_method0("release")?;
    held
}
