//! `dict` entries.
//!
//! Dict internals changed in every version from 3.11 to 3.15 (split keys,
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

/// `Py_TPFLAGS_MANAGED_DICT` (CPython 3.11+): the instance dict pointer sits
/// three words before the object header instead of at `tp_dictoffset`.
const MANAGED_DICT: std::os::raw::c_ulong = 1 << 4;
/// Where a managed dict pointer lives, in pointer-sized words before the
/// object (`MANAGED_DICT_OFFSET` in 3.11 to 3.15).
const MANAGED_DICT_WORDS: usize = 3;

/// The instance `__dict__` of `obj`, read from object memory: `None` when
/// the raw path is off, the class has no instance dict, or the dict is not
/// materialized as a plain `dict` (3.11+ may keep the values inline until
/// something asks for `__dict__`; callers then look attributes up). Never
/// allocates or calls the C API, so workers without the GIL may use it.
#[inline]
pub fn instance_dict(obj: Obj<'_>) -> Option<Obj<'_>> {
    if !super::raw(super::Reader::Dict) {
        return None;
    }
    let t = obj.ty();
    // SAFETY: `obj` is a live object (module invariant). With the managed
    // flag the word MANAGED_DICT_WORDS before the header is the dict pointer
    // (3.11, 3.13: NULL when not materialized; 3.12: a values pointer tagged
    // with its low bit instead), as the import self-check confirmed against
    // `__dict__`; otherwise a positive tp_dictoffset is the dict pointer's
    // byte offset inside the instance. The pointer is only used after its
    // type is checked to be exactly `dict`.
    unsafe {
        let word: usize = if t.has_flag(MANAGED_DICT) {
            *(obj.as_ptr() as *const usize).sub(MANAGED_DICT_WORDS)
        } else {
            let off = (*t.0).tp_dictoffset;
            if off <= 0 {
                return None;
            }
            *((obj.as_ptr() as *const u8).add(off as usize) as *const usize)
        };
        if word == 0 || word & 1 != 0 {
            return None;
        }
        let p = word as *mut ffi::PyObject;
        if (*p).ob_type != std::ptr::addr_of_mut!(ffi::PyDict_Type) {
            return None;
        }
        Some(Obj::from_ptr(p))
    }
}

/// The value of the entry whose key is `name` in `dict`, looked up by
/// walking the entries with `PyDict_Next` from `*hint` (where the previous
/// field was found: instance dicts are usually filled in field order), then
/// from the start. Keys compare by identity (field names are interned, as
/// are the keys pydantic and `__init__` store), then by text.
pub fn dict_field<'a>(
    dict: Obj<'a>,
    name: &pyo3::Py<pyo3::types::PyString>,
    hint: &mut ffi::Py_ssize_t,
) -> Option<Obj<'a>> {
    let key = name.as_ptr();
    let matches = |k: *mut ffi::PyObject| -> bool {
        if k == key {
            return true;
        }
        // SAFETY: `k` is a live key of the dict; `key` a live interned str.
        let (a, b) = unsafe { (Obj::from_ptr(k), Obj::from_ptr(key)) };
        if a.ty() != b.ty() {
            return false;
        }
        match (super::str_text_borrowed(a), super::str_text_borrowed(b)) {
            (Some(x), Some(y)) => same_text(x, y),
            _ => false,
        }
    };
    let mut k = std::ptr::null_mut();
    let mut v = std::ptr::null_mut();
    let mut pos = *hint;
    // SAFETY: a live dict; PyDict_Next checks `pos` against the table and
    // returns borrowed, non-null references owned by the dict.
    unsafe {
        if ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut k, &mut v) != 0 && matches(k) {
            *hint = pos;
            return Some(Obj::from_ptr(v));
        }
        let mut pos = 0;
        while ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut k, &mut v) != 0 {
            if matches(k) {
                *hint = pos;
                return Some(Obj::from_ptr(v));
            }
        }
    }
    None
}

fn same_text(a: crate::json::Text<'_>, b: crate::json::Text<'_>) -> bool {
    use crate::json::Text::*;
    match (a, b) {
        (Ascii(x), Ascii(y)) | (Latin1(x), Latin1(y)) => x == y,
        (Ucs2(x), Ucs2(y)) => x == y,
        (Ucs4(x), Ucs4(y)) => x == y,
        (Utf8(x), Utf8(y)) => x == y,
        _ => false,
    }
}

/// Prefetch what reading `obj`'s instance dict will touch first: the word
/// holding the dict pointer (before the header on 3.11+, inside the
/// instance otherwise) and, when already set, the dict object itself.
#[inline(always)]
pub fn prefetch_instance_dict(obj: Obj<'_>) {
    if let Some(d) = instance_dict(obj) {
        super::prefetch(d);
    }
}

/// Prefetch the values of `dict` (which must be a dict): walking its
/// entries brings the entry table into cache, and each value's first line
/// is asked for, so that the misses of the fields read later overlap.
#[inline]
pub fn prefetch_values(dict: Obj<'_>) {
    for (_, v) in DictIter::new(dict) {
        super::prefetch_wide(v);
    }
}
