//! The only module that knows CPython's object layouts, and the only module
//! with `unsafe` code.
//!
//! Everything outside works with [`Obj`], a borrowed pointer to a live Python
//! object, through safe readers (`str_text`, `int_value`, `slot`, …) that read
//! object memory directly (no attribute lookups, no C API calls per value).
//! Each reader has a fallback through the public C API, used when the layout
//! self-check at import ([`selfcheck`]) finds that a layout assumption does
//! not hold for the running interpreter, or when a test switches the raw path
//! off with [`set_raw_path`].
//!
//! # The invariant behind the safe surface
//! An `Obj<'a>` is created from a `Bound` held by the caller (so the GIL is
//! held and the object is alive for `'a`), or read out of another `Obj`'s
//! memory. It stays valid because, during an encode call, no Python code runs
//! except in the emitter's slow paths, and those go through [`Pins`], which
//! holds strong references to every object the walker is inside of (and the
//! value at hand) for the duration of the Python call. Containers are re-read
//! after such a call (list length, slot pointers), never cached across it.

mod buffer;
mod bytes;
mod datetime;
mod dict;
mod layout;
mod number;
mod object;
mod pins;
mod prefetch;
mod seq;
mod slots;
mod stack;
mod text;
mod types;

pub mod selfcheck;

pub use buffer::{container_bytes, export_bytes, HeldBuffer};
pub use bytes::BytesBuilder;
pub use datetime::{date_parts, datetime_parts, delta_parts, time_parts, tz_fixed_offset};
pub use dict::{dict_field, instance_dict, DictIter};
pub use number::{float_value, int_value, IntValue};
pub use object::{Obj, TypeRef};
pub use pins::Pins;
pub use prefetch::{prefetch, prefetch_slot, prefetch_span, prefetch_wide};
pub use seq::{list_get, list_len, tuple_get, tuple_len};
pub use slots::{member_offset_for, slot, slot_value, SlotRead};
pub use stack::{stack_floor, stack_pointer};
pub use text::{str_text, str_text_borrowed, str_text_raw};
pub use types::{init_types, types};

use std::sync::atomic::{AtomicBool, Ordering};

static RAW_PATH: AtomicBool = AtomicBool::new(false);

/// Whether readers take the raw-memory fast path.
#[inline(always)]
pub fn raw_path() -> bool {
    RAW_PATH.load(Ordering::Relaxed)
}

/// Switch the raw-memory fast path on or off. Switching it on only succeeds
/// when the import-time layout self-check passed; returns the new state.
pub fn set_raw_path(enabled: bool) -> bool {
    let on = enabled && selfcheck::passed();
    RAW_PATH.store(on, Ordering::Relaxed);
    on
}
