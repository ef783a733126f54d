//! `datetime`, `date`, `time`, `timedelta` and fixed-offset `timezone` values.

use super::layout::*;
use super::object::Obj;
use crate::json::{Date, Time};
use pyo3::ffi;
use std::ffi::CStr;

/// A value's tzinfo: none (naive) or the tzinfo object (borrowed from the
/// value, which holds it).
pub type TzInfo<'a> = Option<Obj<'a>>;

/// `timedelta`'s normalized fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeltaParts {
    pub days: i32,
    pub seconds: i32,
    pub microseconds: i32,
}

#[inline(always)]
fn date_from(d: &[u8]) -> Date {
    Date {
        year: u16::from(d[0]) << 8 | u16::from(d[1]),
        month: d[2],
        day: d[3],
    }
}

#[inline(always)]
fn time_from(d: &[u8]) -> Time {
    Time {
        hour: d[0],
        minute: d[1],
        second: d[2],
        microsecond: u32::from(d[3]) << 16 | u32::from(d[4]) << 8 | u32::from(d[5]),
    }
}

/// Fields of `obj`, a `date` (or subclass, datetime excluded) instance.
#[inline]
pub fn date_parts(obj: Obj<'_>) -> Date {
    if super::raw(super::Reader::Date) {
        // SAFETY: a live date; layout confirmed by the self-check.
        let d = unsafe { &*(obj.as_ptr() as *const DateObject) };
        return date_from(&d.data);
    }
    Date {
        year: attr(obj, c"year") as u16,
        month: attr(obj, c"month") as u8,
        day: attr(obj, c"day") as u8,
    }
}

/// Fields and tzinfo of `obj`, a `datetime` (or subclass) instance.
#[inline]
pub fn datetime_parts(obj: Obj<'_>) -> (Date, Time, TzInfo<'_>) {
    if super::raw(super::Reader::DateTime) {
        // SAFETY: a live datetime; layout confirmed by the self-check; the
        // tzinfo field exists only when hastzinfo is set, and then holds a
        // strong reference owned by the datetime.
        unsafe {
            let d = &*(obj.as_ptr() as *const DateTimeObject);
            let tz = (d.hastzinfo != 0 && !d.tzinfo.is_null() && d.tzinfo != ffi::Py_None())
                .then(|| Obj::from_ptr(d.tzinfo));
            return (date_from(&d.data[..4]), time_from(&d.data[4..]), tz);
        }
    }
    (date_parts(obj), api_time(obj), api_tzinfo(obj))
}

/// Fields and tzinfo of `obj`, a `time` (or subclass) instance.
#[inline]
pub fn time_parts(obj: Obj<'_>) -> (Time, TzInfo<'_>) {
    if super::raw(super::Reader::Time) {
        // SAFETY: as for datetime_parts.
        unsafe {
            let t = &*(obj.as_ptr() as *const TimeObject);
            let tz = (t.hastzinfo != 0 && !t.tzinfo.is_null() && t.tzinfo != ffi::Py_None())
                .then(|| Obj::from_ptr(t.tzinfo));
            return (time_from(&t.data), tz);
        }
    }
    (api_time(obj), api_tzinfo(obj))
}

/// Fields of `obj`, a `timedelta` (or subclass) instance.
#[inline]
pub fn delta_parts(obj: Obj<'_>) -> DeltaParts {
    if super::raw(super::Reader::TimeDelta) {
        // SAFETY: a live timedelta; layout confirmed by the self-check.
        let d = unsafe { &*(obj.as_ptr() as *const DeltaObject) };
        return DeltaParts {
            days: d.days,
            seconds: d.seconds,
            microseconds: d.microseconds,
        };
    }
    DeltaParts {
        days: attr(obj, c"days") as i32,
        seconds: attr(obj, c"seconds") as i32,
        microseconds: attr(obj, c"microseconds") as i32,
    }
}

/// The UTC offset in microseconds of `tz` if it is exactly a
/// `datetime.timezone` (a fixed offset); `None` for any other tzinfo, whose
/// offset only Python can compute.
#[inline]
pub fn tz_fixed_offset(tz: Obj<'_>) -> Option<i64> {
    let types = super::types();
    if tz.addr() == types.utc {
        return Some(0);
    }
    if tz.ty() != types.timezone || !super::raw(super::Reader::TimeZone) {
        return None;
    }
    // SAFETY: an exact `datetime.timezone`, whose (private) struct holds a
    // timedelta offset; the self-check compared this read with utcoffset().
    unsafe {
        let off = (*(tz.as_ptr() as *const TimeZoneObject)).offset;
        if off.is_null() || (*off).ob_type != types.timedelta.0 {
            return None;
        }
        let d = &*(off as *const DeltaObject);
        Some(
            (i64::from(d.days) * 86_400 + i64::from(d.seconds)) * 1_000_000
                + i64::from(d.microseconds),
        )
    }
}

fn api_time(obj: Obj<'_>) -> Time {
    Time {
        hour: attr(obj, c"hour") as u8,
        minute: attr(obj, c"minute") as u8,
        second: attr(obj, c"second") as u8,
        microsecond: attr(obj, c"microsecond") as u32,
    }
}

fn api_tzinfo(obj: Obj<'_>) -> TzInfo<'_> {
    // SAFETY: attribute lookup with the GIL held (fallback path). The value
    // holds its tzinfo, so the borrowed pointer stays valid after we drop
    // the new reference.
    unsafe {
        let p = ffi::PyObject_GetAttrString(obj.as_ptr(), c"tzinfo".as_ptr());
        if p.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        ffi::Py_DECREF(p);
        (p != ffi::Py_None()).then(|| Obj::from_ptr(p))
    }
}

/// An int attribute of a date/time value (fallback path).
fn attr(obj: Obj<'_>, name: &CStr) -> i64 {
    // SAFETY: attribute lookup and int conversion with the GIL held.
    unsafe {
        let p = ffi::PyObject_GetAttrString(obj.as_ptr(), name.as_ptr());
        if p.is_null() {
            ffi::PyErr_Clear();
            return 0;
        }
        let v = ffi::PyLong_AsLongLong(p);
        ffi::Py_DECREF(p);
        if v == -1 {
            ffi::PyErr_Clear();
        }
        v
    }
}
