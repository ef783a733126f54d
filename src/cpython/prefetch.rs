//! Prefetching the objects the walker is about to read.
//!
//! Walking a large object graph is bound by memory latency: every value is
//! a separate heap object, mostly not in cache. Asking for the next few
//! objects before they are needed lets those misses overlap.

use super::object::Obj;
use super::raw_path;
use pyo3::ffi;
use std::mem::size_of;

#[inline(always)]
fn touch(p: *const ffi::PyObject) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it never faults, whatever the
    // address, and has no effect on program state.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Prefetch the object in `obj`'s slot at byte `offset` (a slot of `obj`'s
/// exact class, as the plan guarantees).
#[inline(always)]
pub fn prefetch_slot(obj: Obj<'_>, offset: usize) {
    if raw_path() {
        // SAFETY: as for `slots::slot`: the offset lies inside the instance
        // and holds NULL or a pointer (prefetching NULL is harmless).
        let p =
            unsafe { *((obj.as_ptr() as *const u8).add(offset) as *const *const ffi::PyObject) };
        touch(p);
    }
}

/// Prefetch an object we already hold a pointer to.
#[inline(always)]
pub fn prefetch(obj: Obj<'_>) {
    touch(obj.as_ptr());
}

/// Prefetch the first `bytes` (at least one) of an object we hold a pointer
/// to: a model instance's slots can span several cache lines.
#[inline(always)]
pub fn prefetch_span(obj: Obj<'_>, bytes: usize) {
    touch_range(obj.as_ptr() as *const u8, bytes.max(1));
}

/// Every cache line of `len` bytes from `p`.
#[inline(always)]
fn touch_range(p: *const u8, len: usize) {
    let mut at = 0;
    while at < len {
        touch(p.wrapping_add(at) as *const ffi::PyObject);
        at += LINE;
    }
    // The last byte's line, when `p` is not at the start of one.
    touch(p.wrapping_add(len - 1) as *const ffi::PyObject);
}

const LINE: usize = 64;

/// Prefetch the second line of an object we hold a pointer to: a `str`'s
/// UTF-8 pointer, or a datetime's tzinfo, often lies past the first.
#[inline(always)]
pub fn prefetch_wide(obj: Obj<'_>) {
    touch_range(obj.as_ptr() as *const u8, LINE);
}

/// How much of a string's text to prefetch: the hardware prefetcher takes
/// over once a stream of misses is under way.
const PREFETCH_TEXT_BYTES: usize = 128;

/// Prefetch the buffer a `str`'s text is read from: its cached UTF-8 copy
/// when it has one, else the code units after a compact string's header.
/// `obj`'s header should already be in cache (prefetched a step earlier);
/// its type is checked here.
#[inline(always)]
pub fn prefetch_str_text(obj: Obj<'_>) {
    use super::layout::*;
    if !raw_path() || obj.ty() != super::types().str_ {
        return;
    }
    let p = obj.as_ptr() as *const u8;
    // SAFETY: `obj` is a live exact str and the self-check confirmed these
    // layouts; only header fields are read (those of `CompactUnicodeObject`
    // exist in every non-ASCII str), and the addresses are only prefetched.
    let (data, len) = unsafe {
        let head = &*(p as *const AsciiObject);
        let state = head.state;
        if state & STATE_ASCII != 0 {
            return; // the text follows the header, already fetched
        }
        let compact = &*(p as *const CompactUnicodeObject);
        if !compact.utf8.is_null() {
            (compact.utf8 as *const u8, compact.utf8_length as usize)
        } else if state & STATE_COMPACT != 0 {
            let width = ((state >> STATE_KIND_SHIFT) & STATE_KIND_MASK) as usize;
            let data = p.wrapping_add(size_of::<CompactUnicodeObject>());
            (data, (head.length as usize).saturating_mul(width))
        } else {
            return;
        }
    };
    if len > 0 {
        touch_range(data, len.min(PREFETCH_TEXT_BYTES));
    }
}
