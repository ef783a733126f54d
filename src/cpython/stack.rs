//! How much C stack the current thread has left.
//!
//! The walker recurses once per nesting level, and Python threads may have
//! small stacks (`threading.stack_size`), so `max_depth` alone cannot
//! prevent a stack overflow. The walker compares its stack pointer with the
//! thread's stack bottom (plus a margin for the Python code slow paths may
//! run) and refuses to go deeper.

use std::cell::Cell;

/// Room kept free below the deepest level the walker enters (at most half
/// of a small thread stack).
const MARGIN: usize = 256 * 1024;
/// Assumed usable stack when the bounds cannot be read.
const FALLBACK_BUDGET: usize = 512 * 1024;

thread_local! {
    static FLOOR: Cell<usize> = const { Cell::new(0) };
}

/// An address near the current stack pointer.
#[inline(always)]
pub fn stack_pointer() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The lowest stack address the walker may reach on this thread.
pub fn stack_floor() -> usize {
    FLOOR.with(|floor| {
        if floor.get() == 0 {
            let low = thread_stack_low().map(|(low, size)| low + MARGIN.min(size / 2));
            floor.set(low.unwrap_or_else(|| stack_pointer().saturating_sub(FALLBACK_BUDGET)));
        }
        floor.get()
    })
}

/// The thread's stack: lowest address and size.
fn thread_stack_low() -> Option<(usize, usize)> {
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread; it is
    // destroyed after reading the stack bounds from it.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (rc == 0 && !addr.is_null() && size > 0).then_some((addr as usize, size))
    }
}
