//! Prefetching the objects the walker is about to read.
//!
//! Walking a large object graph is bound by memory latency: every value is
//! a separate heap object, mostly not in cache. Asking for the next few
//! objects before they are needed lets those misses overlap.

use super::object::Obj;
use super::{raw, Reader};
use pyo3::ffi;

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
    if raw(Reader::Slots) {
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

/// Prefetch the first 64 bytes of an object we hold a pointer to, which
/// span two cache lines unless it starts one: a `str`'s UTF-8 pointer or a
/// datetime's tzinfo often lies in the second.
#[inline(always)]
pub fn prefetch_wide(obj: Obj<'_>) {
    touch_range(obj.as_ptr() as *const u8, LINE);
}
