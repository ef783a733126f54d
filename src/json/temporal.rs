//! ISO 8601 text for dates, times, datetimes and durations, as Python's
//! `isoformat()` writes them.

/// A calendar date (proleptic Gregorian), as `datetime.date` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// A time of day, as `datetime.time` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub microsecond: u32,
}

/// Options that change date/time text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeFormat {
    /// Write a zero UTC offset as `Z` instead of `+00:00`.
    pub utc_z: bool,
    /// Never write the `.ffffff` part of the time of day (offsets keep theirs).
    pub omit_microseconds: bool,
}

/// `"YYYY-MM-DD"` (quoted).
pub fn write_date(out: &mut Vec<u8>, date: Date) {
    let _ = (out, date);
    unimplemented!()
}

/// `"HH:MM:SS[.ffffff][±HH:MM[:SS[.ffffff]]]"` (quoted). `offset_us` is the
/// UTC offset in microseconds (`None` for naive), |offset| < 24h.
pub fn write_time(out: &mut Vec<u8>, time: Time, offset_us: Option<i64>, fmt: TimeFormat) {
    let _ = (out, time, offset_us, fmt);
    unimplemented!()
}

/// `"YYYY-MM-DDTHH:MM:SS[.ffffff][±HH:MM[:SS[.ffffff]]]"` (quoted), or with
/// `Z` for a zero offset when `fmt.utc_z`.
pub fn write_datetime(
    out: &mut Vec<u8>,
    date: Date,
    time: Time,
    offset_us: Option<i64>,
    fmt: TimeFormat,
) {
    let _ = (out, date, time, offset_us, fmt);
    unimplemented!()
}

/// ISO 8601 duration of a `timedelta` given in its normalized fields
/// (`0 <= seconds < 86400`, `0 <= microseconds < 10**6`, days may be negative).
/// See spec/TYPES.md: `"PT0S"`, `"-P1DT2H3M4.5S"`, …
pub fn write_duration_iso(out: &mut Vec<u8>, days: i32, seconds: i32, microseconds: i32) {
    let _ = (out, days, seconds, microseconds);
    unimplemented!()
}

/// `timedelta.total_seconds()` written as a Python float repr, rounded
/// exactly as Python's int true division rounds.
pub fn write_duration_seconds(out: &mut Vec<u8>, days: i32, seconds: i32, microseconds: i32) {
    let _ = (out, days, seconds, microseconds);
    unimplemented!()
}
