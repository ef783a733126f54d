//! `#[repr(C)]` mirrors of the CPython structs the readers use, per version.
//! Every size and offset here is compared with the running interpreter by
//! `selfcheck` before the raw path is enabled.

use pyo3::ffi::{PyObject, PyVarObject};
use std::os::raw::{c_char, c_int, c_uchar, c_void};

/// `PyASCIIObject`: compact ASCII strings store their data right after it.
#[repr(C)]
pub struct AsciiObject {
    pub ob_base: PyObject,
    pub length: isize,
    pub hash: isize,
    /// Bitfield: interned:2, kind:3, compact:1, ascii:1, then `ready:1`
    /// before 3.12 (`statically_allocated:1` from 3.12).
    pub state: u32,
    #[cfg(not(Py_3_12))]
    pub wstr: *mut c_void,
}

/// `PyCompactUnicodeObject`: compact non-ASCII strings store data after it.
#[repr(C)]
pub struct CompactUnicodeObject {
    pub base: AsciiObject,
    pub utf8_length: isize,
    pub utf8: *mut c_char,
    #[cfg(not(Py_3_12))]
    pub wstr_length: isize,
}

/// `PyUnicodeObject`: non-compact strings (e.g. instances of str
/// subclasses) point to a separate data block.
#[repr(C)]
pub struct UnicodeObject {
    pub base: CompactUnicodeObject,
    pub data: *mut c_void,
}

pub const STATE_KIND_SHIFT: u32 = 2;
pub const STATE_KIND_MASK: u32 = 0b111;
pub const STATE_COMPACT: u32 = 1 << 5;
pub const STATE_ASCII: u32 = 1 << 6;
#[cfg(not(Py_3_12))]
pub const STATE_READY: u32 = 1 << 7;

/// Head of `PyLongObject`; the base-2**30 digits (`u32`) follow it.
/// Before 3.12 the tag is `ob_size` (sign × digit count); from 3.12 it is
/// `lv_tag`: digit count << 3 | sign (0 positive, 1 zero, 2 negative).
#[repr(C)]
pub struct LongHead {
    pub ob_base: PyObject,
    pub tag: isize,
}

pub const LONG_DIGIT_BITS: u32 = 30;
#[cfg(Py_3_12)]
pub const LONG_NDIGITS_SHIFT: u32 = 3;
#[cfg(Py_3_12)]
pub const LONG_SIGN_MASK: usize = 3;
#[cfg(Py_3_12)]
pub const LONG_SIGN_NEGATIVE: usize = 2;

#[repr(C)]
pub struct FloatObject {
    pub ob_base: PyObject,
    pub ob_fval: f64,
}

#[repr(C)]
pub struct ListObject {
    pub ob_base: PyVarObject,
    pub ob_item: *mut *mut PyObject,
    pub allocated: isize,
}

/// `PyTupleObject` without its inline item array (which follows it). 3.14
/// caches the tuple's hash in it, before the items.
#[repr(C)]
pub struct TupleHead {
    pub ob_base: PyVarObject,
    #[cfg(Py_3_14)]
    pub ob_hash: isize,
}

/// `PyDateTime_Date`.
#[repr(C)]
pub struct DateObject {
    pub ob_base: PyObject,
    pub hashcode: isize,
    pub hastzinfo: c_char,
    pub data: [c_uchar; 4],
}

/// `PyDateTime_Time` (the tzinfo field exists only when hastzinfo is set).
#[repr(C)]
pub struct TimeObject {
    pub ob_base: PyObject,
    pub hashcode: isize,
    pub hastzinfo: c_char,
    pub data: [c_uchar; 6],
    pub fold: c_uchar,
    pub tzinfo: *mut PyObject,
}

/// `PyDateTime_DateTime` (the tzinfo field exists only when hastzinfo is set).
#[repr(C)]
pub struct DateTimeObject {
    pub ob_base: PyObject,
    pub hashcode: isize,
    pub hastzinfo: c_char,
    pub data: [c_uchar; 10],
    pub fold: c_uchar,
    pub tzinfo: *mut PyObject,
}

/// `PyDateTime_Delta`.
#[repr(C)]
pub struct DeltaObject {
    pub ob_base: PyObject,
    pub hashcode: isize,
    pub days: c_int,
    pub seconds: c_int,
    pub microseconds: c_int,
}

/// `PyDateTime_TimeZone` (private to `_datetimemodule.c`, hence checked
/// against `utcoffset()` on samples): a fixed offset and an optional name.
#[repr(C)]
pub struct TimeZoneObject {
    pub ob_base: PyObject,
    pub offset: *mut PyObject,
    pub name: *mut PyObject,
}

/// Common head of descriptors (`PyDescr_COMMON`).
#[repr(C)]
pub struct DescrHead {
    pub ob_base: PyObject,
    pub d_type: *mut PyObject,
    pub d_name: *mut PyObject,
    pub d_qualname: *mut PyObject,
}

/// `PyMemberDescrObject`.
#[repr(C)]
pub struct MemberDescrObject {
    pub d_common: DescrHead,
    pub d_member: *mut MemberDef,
}

/// `PyMemberDef`.
#[repr(C)]
pub struct MemberDef {
    pub name: *const c_char,
    pub type_code: c_int,
    pub offset: isize,
    pub flags: c_int,
    pub doc: *const c_char,
}

/// `Py_T_OBJECT_EX`: an object slot that raises AttributeError when NULL —
/// what `__slots__` creates.
pub const T_OBJECT_EX: c_int = 16;
