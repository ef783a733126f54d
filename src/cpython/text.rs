//! `str` contents in the width CPython stores them.

use super::layout::*;
use super::object::Obj;
use crate::json::Text;
use pyo3::ffi;
use std::mem::size_of;

/// A string's code units: borrowed from the object, or (fallback path for
/// strings UTF-8 cannot hold) a private copy.
pub enum StrText<'a> {
    Borrowed(Text<'a>),
    Copied(Vec<u32>),
}

impl StrText<'_> {
    #[inline(always)]
    pub fn text(&self) -> Text<'_> {
        match self {
            StrText::Borrowed(t) => *t,
            StrText::Copied(v) => Text::Ucs4(v),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self.text() {
            Text::Ascii(b) | Text::Latin1(b) => b.is_empty(),
            Text::Ucs2(u) => u.is_empty(),
            Text::Ucs4(u) => u.is_empty(),
            Text::Utf8(s) => s.is_empty(),
        }
    }
}

/// The contents of `obj`, which must be a `str` (or subclass) instance.
/// `None` only if the fallback C API fails (out of memory); the Python error
/// is cleared.
#[inline]
pub fn str_text(obj: Obj<'_>) -> Option<StrText<'_>> {
    if super::raw(super::Reader::Str) {
        if let Some(t) = raw_text(obj) {
            return Some(StrText::Borrowed(t));
        }
    }
    api_text(obj)
}

/// The contents of `obj` from object memory only, never through the C API
/// (for threads that do not hold the GIL): `None` when the raw path is off
/// or the string's layout needs the C API (a legacy, not-ready string).
#[inline]
pub fn str_text_raw(obj: Obj<'_>) -> Option<StrText<'_>> {
    if super::raw(super::Reader::Str) {
        raw_text(obj).map(StrText::Borrowed)
    } else {
        None
    }
}

/// The contents of `obj` (a `str` or subclass instance) borrowed from
/// object memory, for the walker's inline fast path: `None` when the raw
/// path is off or the layout needs the C API (then use `str_text`).
#[inline(always)]
pub fn str_text_borrowed(obj: Obj<'_>) -> Option<Text<'_>> {
    if super::raw(super::Reader::Str) {
        raw_text(obj)
    } else {
        None
    }
}

#[inline(always)]
fn raw_text(obj: Obj<'_>) -> Option<Text<'_>> {
    let p = obj.as_ptr() as *const u8;
    // SAFETY: `obj` is a live str instance (caller checked the type) and the
    // self-check confirmed these struct layouts; the data block holds
    // `length` code units of the stated kind and lives as long as the object.
    unsafe {
        let head = &*(p as *const AsciiObject);
        let state = head.state;
        #[cfg(not(Py_3_12))]
        if state & STATE_READY == 0 {
            return None; // legacy wstr-only string: let the C API ready it
        }
        let len = head.length as usize;
        if state & STATE_ASCII == 0 {
            // A UTF-8 copy cached by an earlier PyUnicode_AsUTF8 call (ours
            // on the fallback path, or another library's) is valid UTF-8 and
            // far cheaper to escape than transcoding the code points again.
            let compact = &*(p as *const CompactUnicodeObject);
            if !compact.utf8.is_null() {
                let bytes = std::slice::from_raw_parts(
                    compact.utf8 as *const u8,
                    compact.utf8_length as usize,
                );
                return Some(Text::Utf8(std::str::from_utf8_unchecked(bytes)));
            }
        }
        let data: *const u8 = if state & STATE_COMPACT != 0 {
            if state & STATE_ASCII != 0 {
                p.add(size_of::<AsciiObject>())
            } else {
                p.add(size_of::<CompactUnicodeObject>())
            }
        } else {
            (*(p as *const UnicodeObject)).data as *const u8
        };
        if len == 0 {
            return Some(Text::Ascii(&[]));
        }
        if data.is_null() {
            return None;
        }
        Some(match (state >> STATE_KIND_SHIFT) & STATE_KIND_MASK {
            1 if state & STATE_ASCII != 0 => Text::Ascii(std::slice::from_raw_parts(data, len)),
            1 => Text::Latin1(std::slice::from_raw_parts(data, len)),
            2 => Text::Ucs2(std::slice::from_raw_parts(data as *const u16, len)),
            4 => Text::Ucs4(std::slice::from_raw_parts(data as *const u32, len)),
            _ => return None,
        })
    }
}

fn api_text(obj: Obj<'_>) -> Option<StrText<'_>> {
    // SAFETY: C API calls on a live str with the GIL held (the fallback path
    // only runs on the GIL-holding thread). The UTF-8 buffer is cached inside
    // the object and lives as long as it; the UCS4 copy is ours to free.
    unsafe {
        let mut size: ffi::Py_ssize_t = 0;
        let utf8 = ffi::PyUnicode_AsUTF8AndSize(obj.as_ptr(), &mut size);
        if !utf8.is_null() {
            let bytes = std::slice::from_raw_parts(utf8 as *const u8, size as usize);
            return Some(StrText::Borrowed(Text::Utf8(
                std::str::from_utf8_unchecked(bytes),
            )));
        }
        ffi::PyErr_Clear(); // surrogates: UTF-8 can't hold them; copy code points
        let copy = ffi::PyUnicode_AsUCS4Copy(obj.as_ptr());
        if copy.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        let len = ffi::PyUnicode_GetLength(obj.as_ptr()) as usize;
        let v = std::slice::from_raw_parts(copy as *const u32, len).to_vec();
        ffi::PyMem_Free(copy as *mut std::ffi::c_void);
        Some(StrText::Copied(v))
    }
}
