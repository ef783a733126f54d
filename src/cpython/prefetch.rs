//! Prefetching the objects the walker is about to read.
//!
//! Walking a large object graph is bound by memory latency: every value is
//! a separate heap object, mostly not in cache. Asking for the next few
//! objects before they are needed lets those misses overlap.

use super::object::Obj;
use super::raw_path;
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
