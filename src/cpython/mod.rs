//! The only module that knows CPython's object layouts, and the only module
//! with `unsafe` code.
//!
//! Everything outside works with [`Obj`], a borrowed pointer to a live Python
//! object, through safe readers (`str_text`, `int_value`, `slot`, …) that read
//! object memory directly (no attribute lookups, no C API calls per value).
//! Each reader has a fallback through the public C API, used when the layout
//! self-check at import ([`selfcheck`]) finds that one of its layout
//! assumptions does not hold for the running interpreter (each [`Reader`] is
//! decided on its own), or when a test switches the raw path off with
//! [`set_raw_path`].
//!
//! # The invariant behind the safe surface
//! An `Obj<'a>` is created from a `Bound` held by the caller (so the GIL is
//! held and the object is alive for `'a`), or read out of another `Obj`'s
//! memory. It stays valid because, during an encode call, no Python code runs
//! except in the emitter's slow paths, and those go through [`Pins`], which
//! holds strong references to every object the walker is inside of (and the
//! value at hand) for the duration of the Python call. Containers are re-read
//! after such a call (list length, slot pointers), never cached across it.

// Second guard behind build.rs: the readers assume the GIL-build layouts
// and that the GIL keeps objects unchanged (spec/FREE_THREADING.md).
#[cfg(Py_GIL_DISABLED)]
compile_error!(
    "slotjson does not support free-threaded CPython (Py_GIL_DISABLED); see spec/FREE_THREADING.md"
);

mod arrow;
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

pub use arrow::{import_stream, is_arrow_stream};
pub use buffer::{container_bytes, export_bytes, HeldBuffer};
pub use bytes::{new_bytes, BytesBuilder};
pub use datetime::{date_parts, datetime_parts, delta_parts, time_parts, tz_fixed_offset};
pub use dict::{dict_field, instance_dict, prefetch_instance_dict, prefetch_values, DictIter};
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

/// One raw reader: a family of object layouts read from memory, switched on
/// or off as a unit. The import self-check decides each on its own checks
/// (and those of the readers it relies on, see [`Reader::needs`]), so a
/// layout change in one type costs that type its speed, not every type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Reader {
    /// `str` text (`PyASCIIObject`/`PyCompactUnicodeObject`/`PyUnicodeObject`).
    Str,
    /// `int` digits (`PyLongObject`).
    Int,
    /// `float` value.
    Float,
    /// `list` length and items.
    List,
    /// `tuple` length and inline items (3.14 added `ob_hash`).
    Tuple,
    /// Instance `__dict__` pointers (managed dicts, `tp_dictoffset`) and
    /// entries.
    Dict,
    /// `datetime.datetime` fields and tzinfo.
    DateTime,
    /// `datetime.date` fields.
    Date,
    /// `datetime.time` fields and tzinfo.
    Time,
    /// `datetime.timedelta` fields.
    TimeDelta,
    /// `datetime.timezone`'s fixed offset (a timedelta).
    TimeZone,
    /// `__slots__` members at the offsets of member descriptors.
    Slots,
    /// `uuid.UUID.int`, a slot holding an int.
    Uuid,
}

impl Reader {
    pub const ALL: [Reader; 13] = [
        Reader::Str,
        Reader::Int,
        Reader::Float,
        Reader::List,
        Reader::Tuple,
        Reader::Dict,
        Reader::DateTime,
        Reader::Date,
        Reader::Time,
        Reader::TimeDelta,
        Reader::TimeZone,
        Reader::Slots,
        Reader::Uuid,
    ];

    /// The name `layout_report()` uses.
    pub fn name(self) -> &'static str {
        match self {
            Reader::Str => "str",
            Reader::Int => "int",
            Reader::Float => "float",
            Reader::List => "list",
            Reader::Tuple => "tuple",
            Reader::Dict => "dict",
            Reader::DateTime => "datetime",
            Reader::Date => "date",
            Reader::Time => "time",
            Reader::TimeDelta => "timedelta",
            Reader::TimeZone => "timezone",
            Reader::Slots => "slots",
            Reader::Uuid => "uuid",
        }
    }

    /// Readers whose raw results this one's raw read relies on.
    pub fn needs(self) -> &'static [Reader] {
        match self {
            // The offset is a timedelta, read as one.
            Reader::TimeZone => &[Reader::TimeDelta],
            // UUID.int is a slot holding an int.
            Reader::Uuid => &[Reader::Slots, Reader::Int],
            _ => &[],
        }
    }
}

const READERS: usize = Reader::ALL.len();

/// Per reader: in use now (the check passed and no test switched it off).
static RAW: [AtomicBool; READERS] = [const { AtomicBool::new(false) }; READERS];
/// Per reader: the import self-check passed (with its dependencies).
static PASSED: [AtomicBool; READERS] = [const { AtomicBool::new(false) }; READERS];
/// Every reader in use: what the parallel workers need, since a reader
/// switched off falls back to the C API, which only the GIL-holding thread
/// may call.
static ALL_RAW: AtomicBool = AtomicBool::new(false);

/// Whether reader `r` takes the raw-memory fast path.
#[inline(always)]
pub fn raw(r: Reader) -> bool {
    RAW[r as usize].load(Ordering::Relaxed)
}

/// Whether every reader takes the raw-memory fast path.
#[inline(always)]
pub fn raw_path() -> bool {
    ALL_RAW.load(Ordering::Relaxed)
}

/// Whether reader `r` passed the import self-check.
pub fn passed(r: Reader) -> bool {
    PASSED[r as usize].load(Ordering::Relaxed)
}

fn set_raw(r: Reader, on: bool) {
    RAW[r as usize].store(on, Ordering::Relaxed);
}

fn update_all_raw() {
    let all = Reader::ALL.iter().all(|&r| raw(r));
    ALL_RAW.store(all, Ordering::Relaxed);
}

/// Switch the raw-memory fast path of every reader on or off. Switching on
/// only turns on the readers that passed the import self-check; returns
/// whether every reader is now raw.
pub fn set_raw_path(enabled: bool) -> bool {
    for r in Reader::ALL {
        set_raw(r, enabled && passed(r));
    }
    update_all_raw();
    raw_path()
}
