//! ISO 8601 text for dates, times, datetimes and durations, as Python's
//! `isoformat()` writes them.

mod scratch;
#[cfg(test)]
mod tests;

use scratch::Scratch;

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
    let mut s = Scratch::new();
    s.byte(b'"');
    s.date(date);
    s.byte(b'"');
    out.extend_from_slice(s.as_bytes());
}

/// `"HH:MM:SS[.ffffff][±HH:MM[:SS[.ffffff]]]"` (quoted). `offset_us` is the
/// UTC offset in microseconds (`None` for naive), |offset| < 24h.
pub fn write_time(out: &mut Vec<u8>, time: Time, offset_us: Option<i64>, fmt: TimeFormat) {
    let mut s = Scratch::new();
    s.byte(b'"');
    s.time(time, fmt);
    s.offset(offset_us, fmt);
    s.byte(b'"');
    out.extend_from_slice(s.as_bytes());
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
    if !write_datetime_common(out, date, time, offset_us, fmt) {
        write_datetime_any(out, date, time, offset_us, fmt);
    }
}

/// `write_datetime` for any field values.
fn write_datetime_any(
    out: &mut Vec<u8>,
    date: Date,
    time: Time,
    offset_us: Option<i64>,
    fmt: TimeFormat,
) {
    let mut s = Scratch::new();
    s.byte(b'"');
    s.date(date);
    s.byte(b'T');
    s.time(time, fmt);
    s.offset(offset_us, fmt);
    s.byte(b'"');
    out.extend_from_slice(s.as_bytes());
}

/// Size of the block `write_datetime_common` assembles: a quoted datetime
/// with microseconds and a `±HH:MM` offset is 34 bytes.
const DATETIME_BLOCK: usize = 40;

/// `write_datetime` for the usual values (four-digit year, every field in
/// range, naive or a whole-minute offset): the text is assembled at fixed
/// positions in a fixed-size block and appended with one fixed-size copy
/// cut back to length. Returns false, having written nothing, for any
/// other value.
#[inline]
fn write_datetime_common(
    out: &mut Vec<u8>,
    date: Date,
    time: Time,
    offset_us: Option<i64>,
    fmt: TimeFormat,
) -> bool {
    const US_PER_MINUTE: i64 = 60_000_000;
    let in_range = (1000..=9999).contains(&date.year)
        && date.month < 100
        && date.day < 100
        && time.hour < 100
        && time.minute < 100
        && time.second < 100
        && time.microsecond < 1_000_000;
    let offset_minutes = match offset_us {
        None => None,
        Some(o) if o % US_PER_MINUTE == 0 && o.unsigned_abs() < 100 * 60 * 60_000_000 => {
            Some(o / US_PER_MINUTE)
        }
        Some(_) => return false,
    };
    if !in_range {
        return false;
    }
    #[inline(always)]
    fn two(v: u32) -> [u8; 2] {
        let at = 2 * v as usize;
        [scratch::PAIRS[at], scratch::PAIRS[at + 1]]
    }
    let mut b = [0u8; DATETIME_BLOCK];
    let year = u32::from(date.year);
    b[0] = b'"';
    b[1..3].copy_from_slice(&two(year / 100));
    b[3..5].copy_from_slice(&two(year % 100));
    b[5] = b'-';
    b[6..8].copy_from_slice(&two(date.month.into()));
    b[8] = b'-';
    b[9..11].copy_from_slice(&two(date.day.into()));
    b[11] = b'T';
    b[12..14].copy_from_slice(&two(time.hour.into()));
    b[14] = b':';
    b[15..17].copy_from_slice(&two(time.minute.into()));
    b[17] = b':';
    b[18..20].copy_from_slice(&two(time.second.into()));
    let mut n = 20;
    if time.microsecond != 0 && !fmt.omit_microseconds {
        let us = time.microsecond;
        b[20] = b'.';
        b[21..23].copy_from_slice(&two(us / 10_000));
        b[23..25].copy_from_slice(&two(us / 100 % 100));
        b[25..27].copy_from_slice(&two(us % 100));
        n = 27;
    }
    match offset_minutes {
        None => {}
        Some(0) if fmt.utc_z => {
            b[n] = b'Z';
            n += 1;
        }
        Some(m) => {
            let a = m.unsigned_abs() as u32;
            b[n] = if m < 0 { b'-' } else { b'+' };
            b[n + 1..n + 3].copy_from_slice(&two(a / 60));
            b[n + 3] = b':';
            b[n + 4..n + 6].copy_from_slice(&two(a % 60));
            n += 6;
        }
    }
    b[n] = b'"';
    n += 1;
    out.extend_from_slice(&b);
    out.truncate(out.len() - (DATETIME_BLOCK - n));
    true
}

/// ISO 8601 duration of a `timedelta` given in its normalized fields
/// (`0 <= seconds < 86400`, `0 <= microseconds < 10**6`, days may be negative).
/// See spec/TYPES.md: `"PT0S"`, `"-P1DT2H3M4.5S"`, …
pub fn write_duration_iso(out: &mut Vec<u8>, days: i32, seconds: i32, microseconds: i32) {
    let total = total_microseconds(days, seconds, microseconds);
    if total == 0 {
        out.extend_from_slice(b"\"PT0S\"");
        return;
    }
    let magnitude = total.unsigned_abs();
    // At most about 8.6e16 seconds: the rest fits in u64 arithmetic.
    let whole_seconds = (magnitude / US_PER_SECOND) as u64;
    let fraction = (magnitude - whole_seconds as u128 * US_PER_SECOND) as u32;
    let s = whole_seconds % 60;
    let m = whole_seconds / 60 % 60;
    let h = whole_seconds / 3600 % 24;
    let d = whole_seconds / 86_400;

    let mut num = itoa::Buffer::new();
    out.push(b'"');
    if total < 0 {
        out.push(b'-');
    }
    out.push(b'P');
    if d > 0 {
        out.extend_from_slice(num.format(d).as_bytes());
        out.push(b'D');
    }
    if h > 0 || m > 0 || s > 0 || fraction > 0 {
        out.push(b'T');
        if h > 0 {
            out.extend_from_slice(num.format(h).as_bytes());
            out.push(b'H');
        }
        if m > 0 {
            out.extend_from_slice(num.format(m).as_bytes());
            out.push(b'M');
        }
        if s > 0 || fraction > 0 {
            out.extend_from_slice(num.format(s).as_bytes());
            if fraction > 0 {
                let digits = scratch::six_digits(fraction);
                let kept = digits
                    .iter()
                    .rposition(|&c| c != b'0')
                    .map_or(0, |last| last + 1);
                out.push(b'.');
                out.extend_from_slice(&digits[..kept]);
            }
            out.push(b'S');
        }
    }
    out.push(b'"');
}

/// `timedelta.total_seconds()` written as a Python float repr, rounded
/// exactly as Python's int true division rounds.
pub fn write_duration_seconds(out: &mut Vec<u8>, days: i32, seconds: i32, microseconds: i32) {
    let total = total_microseconds(days, seconds, microseconds);
    let magnitude = total.unsigned_abs();
    let value = if magnitude < 1 << 53 {
        // Both operands are exact doubles and IEEE division rounds
        // correctly, which is what Python's int true division does too.
        total as f64 / 1e6
    } else {
        // Too many digits for an exact double: let the correctly rounded
        // decimal parser do the rounding from the exact decimal value.
        let mut text = String::with_capacity(40);
        if total < 0 {
            text.push('-');
        }
        text.push_str(itoa::Buffer::new().format(magnitude / US_PER_SECOND));
        text.push('.');
        let fraction = scratch::six_digits((magnitude % US_PER_SECOND) as u32);
        text.extend(fraction.iter().map(|&c| char::from(c)));
        text.parse().expect("a decimal literal is a valid f64")
    };
    crate::json::float::write_f64(out, value);
}

const US_PER_SECOND: u128 = 1_000_000;

/// `timedelta` range: up to about 8.6e22 microseconds, beyond `i64`.
fn total_microseconds(days: i32, seconds: i32, microseconds: i32) -> i128 {
    days as i128 * 86_400_000_000 + seconds as i128 * 1_000_000 + microseconds as i128
}
