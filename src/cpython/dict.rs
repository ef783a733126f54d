//! `dict` entries.
//!
//! Dict internals changed in every version from 3.10 to 3.13 (split keys,
//! unicode-only key tables, inline values), so entries are read with
//! `PyDict_Next`: it only reads the table, never allocates or runs Python
//! code, and checks its position against the current size, so a dict changed
//! by a slow-path call is never read out of bounds.

use super::object::Obj;
use pyo3::ffi;

pub struct DictIter<'a> {
    dict: Obj<'a>,
    pos: ffi::Py_ssize_t,
}

impl<'a> DictIter<'a> {
    /// Entries of `dict`, which must be a dict (or subclass) instance.
    pub fn new(dict: Obj<'a>) -> Self {
        DictIter { dict, pos: 0 }
    }

    pub fn len(dict: Obj<'_>) -> usize {
        // SAFETY: a live dict.
        unsafe { ffi::PyDict_Size(dict.as_ptr()).max(0) as usize }
    }
}

impl<'a> Iterator for DictIter<'a> {
    type Item = (Obj<'a>, Obj<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut k = std::ptr::null_mut();
        let mut v = std::ptr::null_mut();
        // SAFETY: a live dict; PyDict_Next returns borrowed, non-null
        // references owned by the dict when it returns true.
        unsafe {
            if ffi::PyDict_Next(self.dict.as_ptr(), &mut self.pos, &mut k, &mut v) == 0 {
                return None;
            }
            Some((Obj::from_ptr(k), Obj::from_ptr(v)))
        }
    }
}
