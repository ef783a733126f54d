//! `list` and `tuple` items.
//!
//! Lists are read item by item with the length re-read each time, so a list
//! that shrinks during a slow-path Python call is never read out of bounds.

use super::layout::*;
use super::object::Obj;
use pyo3::ffi;
use std::mem::size_of;

/// Current length of `list` (a list or subclass instance).
#[inline(always)]
pub fn list_len(list: Obj<'_>) -> usize {
    if super::raw(super::Reader::List) {
        // SAFETY: a live list; ob_size confirmed by the self-check.
        return unsafe { (*(list.as_ptr() as *const ListObject)).ob_base.ob_size as usize };
    }
    // SAFETY: C API on a live list with the GIL held.
    unsafe { ffi::PyList_Size(list.as_ptr()).max(0) as usize }
}

/// Item `i` of `list`, or `None` past the end.
#[inline(always)]
pub fn list_get<'a>(list: Obj<'a>, i: usize) -> Option<Obj<'a>> {
    if super::raw(super::Reader::List) {
        // SAFETY: a live list; `i` is checked against the current ob_size;
        // items of a list are never NULL below ob_size.
        unsafe {
            let l = &*(list.as_ptr() as *const ListObject);
            if i >= l.ob_base.ob_size as usize {
                return None;
            }
            return Some(Obj::from_ptr(*l.ob_item.add(i)));
        }
    }
    // SAFETY: C API on a live list with the GIL held; returns a borrowed
    // reference owned by the list.
    unsafe {
        let p = ffi::PyList_GetItem(list.as_ptr(), i as ffi::Py_ssize_t);
        if p.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        Some(Obj::from_ptr(p))
    }
}

/// Length of `tuple` (a tuple or subclass instance). Tuples are immutable.
#[inline(always)]
pub fn tuple_len(tuple: Obj<'_>) -> usize {
    if super::raw(super::Reader::Tuple) {
        // SAFETY: a live tuple; ob_size confirmed by the self-check.
        return unsafe { (*(tuple.as_ptr() as *const TupleHead)).ob_base.ob_size as usize };
    }
    // SAFETY: C API on a live tuple with the GIL held.
    unsafe { ffi::PyTuple_Size(tuple.as_ptr()).max(0) as usize }
}

/// Item `i < tuple_len(tuple)` of `tuple`, or `None` past the end.
#[inline(always)]
pub fn tuple_get<'a>(tuple: Obj<'a>, i: usize) -> Option<Obj<'a>> {
    if i >= tuple_len(tuple) {
        return None;
    }
    // SAFETY: a live, complete tuple (user code cannot reach one under
    // construction, so no item is NULL) and `i` is in bounds; the inline item
    // array follows the head (layout confirmed by the self-check).
    unsafe {
        let p = if super::raw(super::Reader::Tuple) {
            *((tuple.as_ptr() as *const u8).add(size_of::<TupleHead>())
                as *const *mut ffi::PyObject)
                .add(i)
        } else {
            ffi::PyTuple_GetItem(tuple.as_ptr(), i as ffi::Py_ssize_t)
        };
        (!p.is_null()).then(|| Obj::from_ptr(p))
    }
}
