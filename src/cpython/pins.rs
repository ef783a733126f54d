//! Strong references that keep objects alive until the encode call ends.

use super::object::Obj;
use pyo3::ffi;
use pyo3::Python;

/// Objects the walker must be able to come back to after it has run Python
/// code (a `default=` hook, a tzinfo's `utcoffset`, `__eq__`, …): that code
/// may drop the last other reference to a container the walker is inside
/// of. Before each such call the walker adds its ancestors and the value at
/// hand here; the references are released when the call's `Pins` is
/// dropped, after the walk, on the thread that holds the GIL.
#[derive(Default)]
pub struct Pins {
    held: Vec<*mut ffi::PyObject>,
}

impl Pins {
    pub fn hold(&mut self, _py: Python<'_>, obj: Obj<'_>) {
        // SAFETY: a live object (module invariant); the GIL is held (`_py`
        // proves it).
        unsafe { ffi::Py_INCREF(obj.as_ptr()) };
        self.held.push(obj.as_ptr());
    }
}

impl Drop for Pins {
    fn drop(&mut self) {
        if self.held.is_empty() {
            return;
        }
        // Only an emitter that ran Python code (with a `Python` token) can
        // have pins, and it drops them on the same GIL-holding thread.
        for &p in self.held.iter().rev() {
            // SAFETY: we took these references in `hold` on this thread.
            unsafe { ffi::Py_DECREF(p) };
        }
    }
}
