//! Strong references held across a slow-path Python call.

use super::object::Obj;
use pyo3::ffi;
use pyo3::Python;

/// Strong references to objects the walker is inside of, taken before it
/// runs Python code (a `default=` hook, a tzinfo's `utcoffset`, …) so that
/// code cannot free them under the walker, and released afterwards.
pub struct Pins {
    held: Vec<*mut ffi::PyObject>,
}

impl Pins {
    pub fn hold<'a>(_py: Python<'_>, objs: impl IntoIterator<Item = Obj<'a>>) -> Self {
        let held: Vec<_> = objs
            .into_iter()
            .map(|o| {
                // SAFETY: a live object (module invariant); the GIL is held
                // (`_py` proves it).
                unsafe { ffi::Py_INCREF(o.as_ptr()) };
                o.as_ptr()
            })
            .collect();
        Pins { held }
    }
}

impl Drop for Pins {
    fn drop(&mut self) {
        for &p in self.held.iter().rev() {
            // SAFETY: we took these references in `hold`, on the thread that
            // holds the GIL, and drop them there.
            unsafe { ffi::Py_DECREF(p) };
        }
    }
}
