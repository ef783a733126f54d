//! `__slots__` members: byte offsets from member descriptors, and reading
//! a slot at its offset.

use super::layout::*;
use super::object::{Obj, Owned, TypeRef};
use pyo3::ffi;
use pyo3::prelude::*;

/// The byte offset of an object slot described by `descr`, if `descr` is a
/// member descriptor of kind `T_OBJECT_EX` (what `__slots__` creates).
pub fn member_offset(descr: &Bound<'_, PyAny>) -> Option<usize> {
    // SAFETY: comparing the descriptor's type with the static member
    // descriptor type; only then reading its PyMemberDef (layout confirmed by
    // the self-check, which runs before any plan is built).
    unsafe {
        let p = descr.as_ptr();
        if (*p).ob_type != std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type) {
            return None;
        }
        let def = (*(p as *const MemberDescrObject)).d_member;
        if def.is_null() || (*def).type_code != T_OBJECT_EX || (*def).offset <= 0 {
            return None;
        }
        Some((*def).offset as usize)
    }
}

/// The slot offset usable on exact instances of `cls`: `descr`'s offset if
/// the pointer at that offset lies inside `cls`'s instance size.
pub fn member_offset_for(cls: TypeRef, descr: &Bound<'_, PyAny>) -> Option<usize> {
    let off = member_offset(descr)?;
    // SAFETY: reading tp_basicsize of a live type object.
    let size = unsafe { (*cls.0).tp_basicsize } as usize;
    (off + std::mem::size_of::<*mut ffi::PyObject>() <= size).then_some(off)
}

/// What reading a field gave.
pub enum SlotRead<'a> {
    /// A borrowed value (raw path: the instance holds the reference).
    Value(Obj<'a>),
    /// A new reference (attribute lookup on the fallback path).
    Owned(Owned<'a>),
    /// The slot was never set (or was deleted); the AttributeError when the
    /// value was looked up by name.
    Unset(Option<PyErr>),
    /// The attribute lookup raised something other than AttributeError.
    Failed(PyErr),
}

/// Read field `name` of `obj`: at byte `offset` when the raw path is on and
/// the field is a slot of `obj`'s exact class (the plan checked both),
/// otherwise by attribute lookup.
#[inline(always)]
pub fn slot<'a>(
    obj: Obj<'a>,
    offset: Option<usize>,
    name: &Py<pyo3::types::PyString>,
) -> SlotRead<'a> {
    if let (Some(off), true) = (offset, super::raw(super::Reader::Slots)) {
        // SAFETY: the plan built `offset` from a member descriptor of
        // `obj`'s exact class and checked it against tp_basicsize; a slot holds
        // NULL or a strong reference owned by the instance.
        let p = unsafe { *((obj.as_ptr() as *const u8).add(off) as *const *mut ffi::PyObject) };
        if p.is_null() {
            return SlotRead::Unset(None);
        }
        // SAFETY: non-null pointer owned by the live instance.
        return SlotRead::Value(unsafe { Obj::from_ptr(p) });
    }
    getattr(obj, name)
}

/// The value in `obj`'s slot at byte `offset` (`None`: never set), read
/// from object memory whatever the raw-path setting: for walkers that have
/// checked `raw(Reader::Slots)` once for a whole object. `offset` must come from
/// the plan of `obj`'s exact class, like `slot`'s.
#[inline(always)]
pub fn slot_value(obj: Obj<'_>, offset: usize) -> Option<Obj<'_>> {
    // SAFETY: as in `slot`: the plan built `offset` from a member descriptor
    // of `obj`'s exact class (a plain PyMemberDef, valid whatever the layout
    // self-check found) and checked it against tp_basicsize; a slot holds
    // NULL or a strong reference owned by the live instance.
    unsafe {
        let p = *((obj.as_ptr() as *const u8).add(offset) as *const *mut ffi::PyObject);
        (!p.is_null()).then(|| Obj::from_ptr(p))
    }
}

fn getattr<'a>(obj: Obj<'a>, name: &Py<pyo3::types::PyString>) -> SlotRead<'a> {
    // SAFETY: attribute lookup with the GIL held (the fallback and
    // non-slotted paths run only on the GIL-holding thread).
    unsafe {
        let p = ffi::PyObject_GetAttr(obj.as_ptr(), name.as_ptr());
        if !p.is_null() {
            return SlotRead::Owned(Owned::from_new_ref(p));
        }
        let py = Python::assume_attached();
        let err = PyErr::fetch(py);
        if err.is_instance_of::<pyo3::exceptions::PyAttributeError>(py) {
            SlotRead::Unset(Some(err))
        } else {
            SlotRead::Failed(err)
        }
    }
}
