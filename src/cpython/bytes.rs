//! A `bytes` object written in place, so that `dumps` returns the buffer it
//! wrote instead of a copy of it.
//!
//! CPython lets the creator of a `bytes` object fill and resize it before
//! anyone else sees it: `PyBytes_FromStringAndSize(NULL, n)` returns an
//! uninitialised object of `n` bytes, and `_PyBytes_Resize` reallocates one
//! whose reference count is 1. [`BytesBuilder`] owns such an object and
//! keeps it private until [`BytesBuilder::finish`] hands it out.

use pyo3::exceptions::PyMemoryError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::ptr::{self, NonNull};

// pyo3-ffi no longer declares it; CPython still exports it (3.11-3.15).
extern "C" {
    fn _PyBytes_Resize(
        bytes: *mut *mut ffi::PyObject,
        newsize: ffi::Py_ssize_t,
    ) -> std::os::raw::c_int;
}

/// A growable `bytes` object under construction: `len` bytes written, room
/// for `cap`.
///
/// # Invariant
/// `obj` is the only reference to a `bytes` object whose size is `cap`
/// (its `ob_size`; the terminating NUL CPython keeps after it is not ours
/// to write), and `data` points to its first byte. The object never leaves
/// this value before `finish`, so its reference count stays 1, as
/// `_PyBytes_Resize` requires, and no Python code can read it half-written
/// (Python code that runs during an encode, such as a `default=` hook,
/// cannot reach it). A `Python<'py>` token is kept: every call, the final
/// decref included, happens on the thread that holds the GIL, and the type
/// is neither `Send` nor `Sync`.
///
/// After a failed resize CPython has freed the object; the builder is then
/// empty (`obj` is `None`) and every later call fails with `MemoryError`.
///
/// # Streaming chunks into it
/// Anything that produces the output in order can append it with
/// [`extend_from_slice`](Self::extend_from_slice) as it goes, freeing its
/// own buffers as soon as they are copied: the serial encoder spills a
/// small staging buffer at item boundaries; parallel encoding can do the
/// same with each finished chunk, in list order, on the GIL-holding thread
/// (`[`, then the chunks separated by `,`, then `]`), so the whole output
/// never exists twice. Reserve the expected total first (an estimate is
/// enough: it only spares reallocations, and `finish` trims any large
/// excess; see [`kept_slack`]).
pub struct BytesBuilder<'py> {
    py: Python<'py>,
    obj: Option<NonNull<ffi::PyObject>>,
    data: *mut u8,
    len: usize,
    cap: usize,
}

/// The unused room `finish` leaves allocated rather than reallocating the
/// object to its length: up to an eighth of the length.
///
/// An encode reserves a little more than it expects to write. Shrinking
/// that block when done defeats glibc's adaptive mmap threshold, under
/// which freeing a mapped block raises the threshold to its size so that
/// later blocks up to that size come from the reused heap: the object
/// freed is smaller than the block the next encode of the same data asks
/// for, which is then mapped afresh, and every page of it faulted in again,
/// every call (`test_repeated_large_calls_reuse_memory` counts them). Kept,
/// the slack makes the next block of that size a reused one. Other allocators lose nothing but the slack;
/// small outputs, whose reserve is mostly a fixed margin, are shrunk.
fn kept_slack(len: usize) -> usize {
    len / 8
}

/// The capacity asked for when an allocation of the one wanted fails (an
/// over-large size estimate must not fail an encode that fits).
const FALLBACK_CAPACITY: usize = 64 * 1024;

impl<'py> BytesBuilder<'py> {
    /// An empty builder with room for `capacity` bytes (at least 1). If that
    /// much cannot be allocated, starts smaller and grows on demand.
    pub fn with_capacity(py: Python<'py>, capacity: usize) -> PyResult<Self> {
        let cap = capacity.clamp(1, isize::MAX as usize);
        // SAFETY: a NULL source asks for an uninitialised object of `cap`
        // bytes (never the shared empty or one-byte objects: `cap` >= 1 and
        // no source); the GIL is held (`py`).
        let mut obj =
            unsafe { ffi::PyBytes_FromStringAndSize(ptr::null(), cap as ffi::Py_ssize_t) };
        let mut got = cap;
        if obj.is_null() && cap > FALLBACK_CAPACITY {
            drop(PyErr::take(py));
            got = FALLBACK_CAPACITY;
            // SAFETY: as above.
            obj = unsafe {
                ffi::PyBytes_FromStringAndSize(ptr::null(), FALLBACK_CAPACITY as ffi::Py_ssize_t)
            };
        }
        let Some(obj) = NonNull::new(obj) else {
            return Err(PyErr::take(py).unwrap_or_else(|| PyMemoryError::new_err(())));
        };
        let mut b = BytesBuilder {
            py,
            obj: Some(obj),
            data: ptr::null_mut(),
            len: 0,
            cap: got,
        };
        b.data = b.data_ptr();
        Ok(b)
    }

    /// Bytes written so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room before the next reallocation.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.cap
    }

    fn data_ptr(&self) -> *mut u8 {
        match self.obj {
            // SAFETY: a live bytes object (invariant); PyBytes_AsString
            // cannot fail for an exact bytes object.
            Some(o) => unsafe { ffi::PyBytes_AsString(o.as_ptr()) as *mut u8 },
            None => ptr::null_mut(),
        }
    }

    /// Resize the object to `size` bytes (at least `len`, and at least 1).
    fn resize(&mut self, size: usize) -> PyResult<()> {
        debug_assert!(size >= self.len && size >= 1);
        let Some(obj) = self.obj.take() else {
            return Err(PyMemoryError::new_err(
                "the output buffer was lost to an earlier failed resize",
            ));
        };
        let Ok(n) = ffi::Py_ssize_t::try_from(size) else {
            self.obj = Some(obj);
            return Err(PyMemoryError::new_err(()));
        };
        let mut p = obj.as_ptr();
        // SAFETY: `p` is a bytes object of refcount 1 that only we hold
        // (invariant), of nonzero size; the GIL is held (`self.py`). On
        // success `p` is the (possibly moved) object, holding the first
        // min(old, new) bytes; on failure CPython has freed it and set
        // `p` to NULL and an exception.
        let rc = unsafe { _PyBytes_Resize(&mut p, n) };
        if rc != 0 || p.is_null() {
            self.data = ptr::null_mut();
            self.len = 0;
            self.cap = 0;
            return Err(PyErr::take(self.py).unwrap_or_else(|| PyMemoryError::new_err(())));
        }
        self.obj = NonNull::new(p);
        self.cap = size;
        self.data = self.data_ptr();
        Ok(())
    }

    /// Set the object's size to `len` without reallocating; the rest of its
    /// block stays allocated until the object is freed.
    fn trim_in_place(&mut self) {
        let Some(obj) = self.obj else { return };
        debug_assert!(self.len < self.cap);
        // SAFETY: `obj` is a bytes object that only we hold (invariant),
        // so nothing reads its size or contents while they change; a bytes
        // object is a PyVarObject whose `ob_size` is its length (checked
        // against `PyBytes_Size` by `check_builder`). `len < cap`, so the
        // NUL written at `data + len` lies within the `cap` bytes of the
        // buffer; its hash is still unset, as its bytes were written
        // directly.
        unsafe {
            (*obj.as_ptr().cast::<ffi::PyVarObject>()).ob_size = self.len as ffi::Py_ssize_t;
            *self.data.add(self.len) = 0;
        }
        self.cap = self.len;
    }

    /// Make room for `additional` more bytes, at least doubling the
    /// capacity when it must grow.
    pub fn reserve(&mut self, additional: usize) -> PyResult<()> {
        let Some(need) = self.len.checked_add(additional) else {
            return Err(PyMemoryError::new_err(()));
        };
        if need <= self.cap && self.obj.is_some() {
            return Ok(());
        }
        self.resize(need.max(self.cap.saturating_mul(2)).max(1))
    }

    /// Append `bytes`.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) -> PyResult<()> {
        self.reserve(bytes.len())?;
        // SAFETY: `reserve` left room for `bytes.len()` bytes after `len`
        // in the object's buffer (invariant: `data` is its start, `cap` its
        // size); `bytes` cannot overlap it, as it is private to us.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.data.add(self.len), bytes.len()) };
        self.len += bytes.len();
        Ok(())
    }

    /// The finished `bytes` object, of the length written (a small excess
    /// of room stays allocated with it; see [`kept_slack`]).
    pub fn finish(mut self) -> PyResult<Bound<'py, PyBytes>> {
        if self.len == 0 {
            return Ok(PyBytes::new(self.py, b""));
        }
        if self.cap - self.len > kept_slack(self.len) {
            // Shrinking also writes the terminating NUL after `len`.
            self.resize(self.len)?;
        } else if self.len != self.cap {
            self.trim_in_place();
        }
        let Some(obj) = self.obj.take() else {
            return Err(PyMemoryError::new_err(()));
        };
        // SAFETY: we own this reference (invariant) and give it away; the
        // object is a bytes object, fully written, with its NUL terminator
        // (set when it was created or last resized to exactly `len`) and
        // its hash still unset (its bytes were written directly).
        Ok(unsafe { Bound::from_owned_ptr(self.py, obj.as_ptr()).cast_into_unchecked() })
    }
}

impl Drop for BytesBuilder<'_> {
    fn drop(&mut self) {
        if let Some(obj) = self.obj.take() {
            // SAFETY: our own reference (invariant), released with the GIL
            // held (`self.py`); nothing else refers to the object.
            unsafe { ffi::Py_DECREF(obj.as_ptr()) };
        }
    }
}

/// A new `bytes` object holding a copy of `data`; `MemoryError` (never a
/// panic or an abort) when it cannot be allocated.
pub fn new_bytes<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let Ok(len) = ffi::Py_ssize_t::try_from(data.len()) else {
        return Err(PyMemoryError::new_err(()));
    };
    // SAFETY: the GIL is held (`py`); CPython copies `len` bytes from
    // `data`, a live slice of that length, into a new object, or returns
    // NULL with an exception set.
    let obj = unsafe { ffi::PyBytes_FromStringAndSize(data.as_ptr().cast(), len) };
    if obj.is_null() {
        return Err(PyErr::take(py).unwrap_or_else(|| PyMemoryError::new_err(())));
    }
    // SAFETY: a new reference to a bytes object, just checked non-NULL.
    Ok(unsafe { Bound::from_owned_ptr(py, obj).cast_into_unchecked() })
}

impl BytesBuilder<'_> {
    /// The bytes written so far, to patch in place (a header written last).
    pub fn written_mut(&mut self) -> &mut [u8] {
        if self.len == 0 || self.data.is_null() {
            return &mut [];
        }
        // SAFETY: `data` points to the object's buffer, whose first `len`
        // bytes we wrote (invariant); the object is private to this builder
        // and `&mut self` makes the slice exclusive while it lives.
        unsafe { std::slice::from_raw_parts_mut(self.data, self.len) }
    }
}

/// Whether [`BytesBuilder`] behaves as documented on this interpreter:
/// write across several resizes, shrink, and compare with what was written.
/// Run by the import-time self-check; encoders fall back to copying a
/// finished buffer when it fails.
pub(super) fn check_builder(py: Python<'_>) -> Result<(), String> {
    let expected: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut b = BytesBuilder::with_capacity(py, 3).map_err(|e| format!("bytes builder: {e}"))?;
    if !b.is_empty() || b.capacity() != 3 {
        return Err("bytes builder: a new builder is not empty with the room asked for".into());
    }
    for part in expected.chunks(1234) {
        b.extend_from_slice(part)
            .map_err(|e| format!("bytes builder: {e}"))?;
    }
    if b.len() != expected.len() || b.capacity() < b.len() {
        return Err("bytes builder: wrong length after growing".into());
    }
    // Far more room than used is given back; a little is kept (both ways
    // of finishing are checked).
    check_finished(b, &expected, "after growing")?;
    let mut b = BytesBuilder::with_capacity(py, expected.len() + 1000)
        .map_err(|e| format!("bytes builder: {e}"))?;
    b.extend_from_slice(&expected)
        .map_err(|e| format!("bytes builder: {e}"))?;
    check_finished(b, &expected, "trimmed in place")?;
    let empty = BytesBuilder::with_capacity(py, 10).and_then(BytesBuilder::finish);
    if !matches!(&empty, Ok(e) if e.as_bytes().is_empty()) {
        return Err("bytes builder: an empty build is not b''".into());
    }
    Ok(())
}

/// Finish `b` and compare the object, through the C API, with `expected`.
fn check_finished(b: BytesBuilder<'_>, expected: &[u8], case: &str) -> Result<(), String> {
    let py = b.py;
    let done = b.finish().map_err(|e| format!("bytes builder: {e}"))?;
    // `as_bytes` reads the length with PyBytes_Size.
    if done.as_bytes() != expected {
        return Err(format!(
            "bytes builder: contents differ from what was written ({case})"
        ));
    }
    // SAFETY: a live bytes object; the NUL after its last byte is part of
    // CPython's bytes layout.
    let nul = unsafe { *ffi::PyBytes_AsString(done.as_ptr()).add(expected.len()) };
    if nul != 0 {
        return Err(format!("bytes builder: no NUL terminator ({case})"));
    }
    let same_hash = done.hash().ok() == PyBytes::new(py, expected).hash().ok();
    if !same_hash {
        return Err(format!(
            "bytes builder: hash differs from an equal bytes ({case})"
        ));
    }
    Ok(())
}
