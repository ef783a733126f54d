//! Cell text that the `json` writers do not already spell: Arrow's epoch
//! counts as calendar fields, and decimals as Python's `str(Decimal)`.

use crate::json::{Date, Time};

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), for
/// any `i64` day count (years beyond `u16` are returned as i64).
pub fn civil_from_days(days: i64) -> (i64, u8, u8) {
    // H. Hinnant's days_from_civil inverse, in eras of 400 years.
    let z = days as i128 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = if m <= 2 { y + 1 } else { y };
    (y.clamp(i64::MIN as i128, i64::MAX as i128) as i64, m, d)
}

/// The date of `days` since the epoch, if its year is one Python's
/// `datetime.date` holds (1..=9999).
pub fn date_of_days(days: i64) -> Option<Date> {
    let (year, month, day) = civil_from_days(days);
    (1..=9999).contains(&year).then_some(Date {
        year: year as u16,
        month,
        day,
    })
}

/// A point in time as calendar date, time of day (microseconds) and the
/// nanoseconds beyond the microsecond (0..1000).
pub struct Instant {
    pub date: Date,
    pub time: Time,
    pub nanos: u16,
}

/// `seconds` and `nanos` (0..1e9) since the epoch, as calendar fields.
pub fn instant(seconds: i64, nanos: u32) -> Option<Instant> {
    let days = seconds.div_euclid(86_400);
    let sod = seconds.rem_euclid(86_400) as u32;
    Some(Instant {
        date: date_of_days(days)?,
        time: Time {
            hour: (sod / 3600) as u8,
            minute: (sod / 60 % 60) as u8,
            second: (sod % 60) as u8,
            microsecond: nanos / 1000,
        },
        nanos: (nanos % 1000) as u16,
    })
}

/// Splits a count of `1 / per_second` units into whole seconds (floored)
/// and nanoseconds.
#[inline]
pub fn split(v: i64, per_second: i64) -> (i64, u32) {
    let s = v.div_euclid(per_second);
    let frac = v.rem_euclid(per_second);
    (s, (frac * (1_000_000_000 / per_second)) as u32)
}

/// Appends `str(Decimal)` of `unscaled * 10**-scale` (quoted): plain
/// notation when the exponent is at most 0 and the adjusted exponent at
/// least -6, scientific (`1.5E+3`) otherwise, as Python's `Decimal.__str__`.
pub fn write_decimal(out: &mut Vec<u8>, negative: bool, digits: &str, scale: i8) {
    let exp = -(scale as i64);
    let n = digits.len() as i64;
    let left = exp + n;
    let dot = if exp <= 0 && left > -6 { left } else { 1 };
    out.push(b'"');
    if negative {
        out.push(b'-');
    }
    if dot <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-dot) as usize));
        out.extend_from_slice(digits.as_bytes());
    } else if dot >= n {
        out.extend_from_slice(digits.as_bytes());
        out.extend(std::iter::repeat_n(b'0', (dot - n) as usize));
    } else {
        out.extend_from_slice(&digits.as_bytes()[..dot as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits.as_bytes()[dot as usize..]);
    }
    if left != dot {
        let e = left - dot;
        out.push(b'E');
        out.push(if e < 0 { b'-' } else { b'+' });
        out.extend_from_slice(itoa::Buffer::new().format(e.unsigned_abs()).as_bytes());
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
        assert!(date_of_days(2_932_897).is_none());
        assert!(date_of_days(-719_163).is_none());
    }

    fn dec(neg: bool, digits: &str, scale: i8) -> String {
        let mut out = Vec::new();
        write_decimal(&mut out, neg, digits, scale);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimal_text_is_python_str() {
        assert_eq!(dec(false, "150", 2), "\"1.50\"");
        assert_eq!(dec(false, "0", 2), "\"0.00\"");
        assert_eq!(dec(true, "5", 3), "\"-0.005\"");
        assert_eq!(dec(false, "15", -2), "\"1.5E+3\"");
        assert_eq!(dec(false, "1", 0), "\"1\"");
        assert_eq!(dec(false, "1", 7), "\"1E-7\"");
        assert_eq!(dec(false, "12", 7), "\"0.0000012\"");
        assert_eq!(dec(false, "0", -1), "\"0E+1\"");
    }
}
