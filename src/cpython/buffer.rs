//! The buffer protocol, both ways: exporting our bytes to Python
//! (`memoryview(doc)`) and holding a Python buffer to read it in place
//! (`Document.from_bytes`).

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use std::os::raw::c_int;

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
