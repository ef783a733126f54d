//! `__slots__` members: byte offsets from member descriptors, and reading
//! a slot at its offset.

use super::layout::*;
use super::object::{Obj, Owned, TypeRef};
use pyo3::ffi;
use pyo3::prelude::*;

/// `descr`'s `PyMemberDef` if `descr` is exactly a member descriptor
/// (`types.MemberDescriptorType`, not a subclass or look-alike), with the
/// class that defines it (`PyDescr_TYPE`).
fn member_def<'d>(descr: &'d Bound<'_, PyAny>) -> Option<(&'d MemberDef, TypeRef)> {
    // SAFETY: the descriptor's type is compared with the static member
    // descriptor type before its struct is read; the self-check confirmed
    // that struct's size (`member_descriptor: tp_basicsize`). A member
    // descriptor keeps its PyMemberDef and its defining type alive.
    unsafe {
        let p = descr.as_ptr();
        if (*p).ob_type != std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type) {
            return None;
        }
        let m = &*(p as *const MemberDescrObject);
        let owner = m.d_common.d_type;
        if m.d_member.is_null() || owner.is_null() || ffi::PyType_Check(owner) == 0 {
            return None;
        }
        Some((&*m.d_member, TypeRef(owner as *mut ffi::PyTypeObject)))
    }
}

/// The class that defines member descriptor `descr` (for the self-check).
pub(super) fn member_owner(descr: &Bound<'_, PyAny>) -> Option<TypeRef> {
    member_def(descr).map(|(_, owner)| owner)
}

/// `Py_RELATIVE_OFFSET` (3.12+): an offset relative to the end of the base
/// class's data, not to the object's start.
const RELATIVE_OFFSET: std::os::raw::c_int = 8;

/// The byte offset at which every instance of `cls` (exactly `cls`) holds
/// the object slot that `descr` describes, or `None` when `descr` must not
/// be read by offset on `cls`'s instances (read it by attribute lookup).
///
/// This is the one place where an offset for a raw read is decided. It
/// trusts nothing Python-level (not the descriptor's `__objclass__`, not a
/// spec): the checks are made on the native structs, and they are:
/// - `descr` is exactly a member descriptor (`PyMemberDescr_Type`);
/// - its member is `Py_T_OBJECT_EX` (what `__slots__`, attrs and
///   msgspec.Struct fields create: a `PyObject *` that may be NULL), with an
///   absolute offset;
/// - the class that defines it (`PyDescr_TYPE`) is `cls` or a base of `cls`
///   (`PyType_IsSubtype`, along the MRO), so `cls`'s instances share that
///   class's layout up to its `tp_basicsize`;
/// - neither class has variable-size items (`tp_itemsize == 0`);
/// - the pointer lies after the object header and inside the instance size
///   of both classes, pointer-aligned, and is not `cls`'s `__dict__` or
///   `__weakref__` pointer.
///
/// A descriptor of another class planted on `cls` (`D.x = Other.a`), a
/// forged `__slots__`, spec or `__dict__`, all fail one of these checks.
pub fn member_offset_for(cls: TypeRef, descr: &Bound<'_, PyAny>) -> Option<usize> {
    let (def, owner) = member_def(descr)?;
    if def.type_code != T_OBJECT_EX || def.flags & RELATIVE_OFFSET != 0 {
        return None;
    }
    if !cls.is_subtype(owner) {
        return None;
    }
    let ptr = std::mem::size_of::<*mut ffi::PyObject>();
    let header = std::mem::size_of::<ffi::PyObject>() as isize;
    // SAFETY: plain fields of two live type objects.
    let (size, owner_size, items, dict, weak) = unsafe {
        let c = &*cls.0;
        let o = &*owner.0;
        (
            c.tp_basicsize,
            o.tp_basicsize,
            c.tp_itemsize | o.tp_itemsize,
            c.tp_dictoffset,
            c.tp_weaklistoffset,
        )
    };
    let off = def.offset;
    let end = off.checked_add(ptr as isize)?;
    let fits = off >= header
        && off % ptr as isize == 0
        && end <= size
        && end <= owner_size
        && items == 0
        && off != dict
        && off != weak;
    fits.then_some(off as usize)
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
