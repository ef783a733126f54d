//! One encoder per column, built once per record batch from the column's
//! Arrow type (arrow-json's layout): `encode(row, out)` appends the JSON of
//! a non-null cell. Nulls are read from the column's validity by
//! [`Column::write`], never by the encoders themselves, and nested types
//! (lists, structs, maps, dictionaries) hold a `Column` per child.

use super::error::{At, Result, Step, TableError, TableErrorKind};
use super::text::{date_of_days, instant, split, write_decimal};
use crate::json::{self, temporal, Text, Time, TimeFormat};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrowPrimitiveType, FixedSizeListArray, GenericStringArray, OffsetSizeTrait,
    StringViewArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, TimeUnit};
use std::collections::HashMap;
use std::sync::Arc;

/// The options that change how cells are written.
#[derive(Clone, Copy, Debug)]
pub struct CellOptions {
    pub ascii: bool,
    pub nan_null: bool,
    pub time: TimeFormat,
    pub timedelta_seconds: bool,
    pub max_depth: u32,
}

/// UTC offsets (in seconds) of a named time zone, looked up with the GIL
/// before the encode starts: for each distinct whole second of the
/// instants given, the zone's offset at that instant.
pub trait Zones {
    fn offsets(&mut self, zone: &str, seconds: &[i64]) -> Result<HashMap<i64, i32>>;
}

/// Appends the JSON of one non-null cell.
pub trait Encode: Send + Sync {
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()>;
}

/// A column (or a nested child): its validity and its encoder.
pub struct Column<'a> {
    nulls: Option<NullBuffer>,
    enc: Box<dyn Encode + 'a>,
}

impl Column<'_> {
    #[inline]
    pub fn write(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        match &self.nulls {
            Some(n) if n.is_null(row) => {
                out.extend_from_slice(b"null");
                Ok(())
            }
            _ => self.enc.encode(row, out),
        }
    }
}

/// The JSON key of a name: `"name":`, escaped as any string.
pub fn key_text(name: &str, ascii: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 3);
    let _ = json::write_str(&mut out, Text::Utf8(name), ascii);
    out.push(b':');
    out
}

/// The encoder of `array` (the column or child named by `name`, for
/// errors) at nesting `depth`.
pub fn column<'a>(
    array: &'a dyn Array,
    opts: &CellOptions,
    zones: &mut dyn Zones,
    depth: u32,
) -> Result<Column<'a>> {
    if depth > opts.max_depth {
        return Err(TableError::new(TableErrorKind::Depth(opts.max_depth)));
    }
    let enc = encoder(array, opts, zones, depth)?;
    Ok(Column {
        nulls: array.logical_nulls().filter(|n| n.null_count() > 0),
        enc,
    })
}

fn boxed<'a>(e: impl Encode + 'a) -> Result<Box<dyn Encode + 'a>> {
    Ok(Box::new(e))
}

fn encoder<'a>(
    array: &'a dyn Array,
    opts: &CellOptions,
    zones: &mut dyn Zones,
    depth: u32,
) -> Result<Box<dyn Encode + 'a>> {
    use DataType as T;
    match array.data_type() {
        T::Null => boxed(Null),
        T::Boolean => boxed(Bools(array.as_boolean())),
        T::Int8 => ints::<Int8Type>(array),
        T::Int16 => ints::<Int16Type>(array),
        T::Int32 => ints::<Int32Type>(array),
        T::Int64 => ints::<Int64Type>(array),
        T::UInt8 => ints::<UInt8Type>(array),
        T::UInt16 => ints::<UInt16Type>(array),
        T::UInt32 => ints::<UInt32Type>(array),
        T::UInt64 => ints::<UInt64Type>(array),
        T::Float16 => floats::<Float16Type>(array, opts, |v| v.to_f64()),
        T::Float32 => floats::<Float32Type>(array, opts, f64::from),
        T::Float64 => floats::<Float64Type>(array, opts, |v| v),
        T::Utf8 => boxed(Strs(array.as_string::<i32>(), opts.ascii)),
        T::LargeUtf8 => boxed(Strs(array.as_string::<i64>(), opts.ascii)),
        T::Utf8View => boxed(StrViews(array.as_string_view(), opts.ascii)),
        T::Date32 => boxed(Dates {
            days: array
                .as_primitive::<Date32Type>()
                .values()
                .iter()
                .map(|&d| d as i64)
                .collect(),
        }),
        T::Date64 => boxed(Dates {
            days: array
                .as_primitive::<Date64Type>()
                .values()
                .iter()
                .map(|&ms| ms.div_euclid(86_400_000))
                .collect(),
        }),
        T::Time32(TimeUnit::Second) => times(prim::<Time32SecondType>(array), 1, opts),
        T::Time32(TimeUnit::Millisecond) => {
            times(prim::<Time32MillisecondType>(array), 1_000, opts)
        }
        T::Time64(TimeUnit::Microsecond) => {
            times(prim::<Time64MicrosecondType>(array), 1_000_000, opts)
        }
        T::Time64(TimeUnit::Nanosecond) => {
            times(prim::<Time64NanosecondType>(array), 1_000_000_000, opts)
        }
        T::Timestamp(unit, tz) => {
            let (values, per_second) = match unit {
                TimeUnit::Second => (prim::<TimestampSecondType>(array), 1),
                TimeUnit::Millisecond => (prim::<TimestampMillisecondType>(array), 1_000),
                TimeUnit::Microsecond => (prim::<TimestampMicrosecondType>(array), 1_000_000),
                TimeUnit::Nanosecond => (prim::<TimestampNanosecondType>(array), 1_000_000_000),
            };
            let zone = match tz.as_deref() {
                None => Zone::Naive,
                Some(name) => match fixed_offset(name) {
                    Some(seconds) => Zone::Fixed(seconds),
                    None => {
                        let nulls = array.logical_nulls();
                        let mut seconds: Vec<i64> = values
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| nulls.as_ref().is_none_or(|n| n.is_valid(*i)))
                            .map(|(_, &v)| v.div_euclid(per_second))
                            .collect();
                        seconds.sort_unstable();
                        seconds.dedup();
                        Zone::Named(zones.offsets(name, &seconds)?)
                    }
                },
            };
            boxed(Stamps {
                values,
                per_second,
                zone,
                time: opts.time,
            })
        }
        T::Duration(unit) => {
            let (values, per_second) = match unit {
                TimeUnit::Second => (prim::<DurationSecondType>(array), 1),
                TimeUnit::Millisecond => (prim::<DurationMillisecondType>(array), 1_000),
                TimeUnit::Microsecond => (prim::<DurationMicrosecondType>(array), 1_000_000),
                TimeUnit::Nanosecond => (prim::<DurationNanosecondType>(array), 1_000_000_000),
            };
            boxed(Durations {
                values,
                per_second,
                seconds: opts.timedelta_seconds,
            })
        }
        T::Decimal128(_, scale) => boxed(Decimals128 {
            values: prim::<Decimal128Type>(array),
            scale: *scale,
        }),
        T::Decimal256(_, scale) => boxed(Decimals256 {
            values: prim::<Decimal256Type>(array),
            scale: *scale,
        }),
        T::List(_) => list(array.as_list::<i32>(), opts, zones, depth),
        T::LargeList(_) => list(array.as_list::<i64>(), opts, zones, depth),
        T::FixedSizeList(_, _) => {
            let a = array.as_fixed_size_list();
            boxed(FixedLists {
                array: a,
                child: column(a.values().as_ref(), opts, zones, depth + 1)?,
            })
        }
        T::Struct(fields) => {
            let a = array.as_struct();
            let mut members = Vec::with_capacity(fields.len());
            for (i, (f, child)) in fields.iter().zip(a.columns()).enumerate() {
                let name: Arc<str> = Arc::from(f.name().as_str());
                let mut key = key_text(&name, opts.ascii);
                if i > 0 {
                    key.insert(0, b',');
                }
                let col = column(child.as_ref(), opts, zones, depth + 1)
                    .at(|| Step::Field(name.clone()))?;
                members.push(Member { key, name, col });
            }
            boxed(Object(members))
        }
        T::Map(_, _) => {
            let a = array.as_map();
            let keys: Box<dyn Encode + 'a> = match a.keys().data_type() {
                T::Utf8 => Box::new(Strs(a.keys().as_string::<i32>(), opts.ascii)),
                T::LargeUtf8 => Box::new(Strs(a.keys().as_string::<i64>(), opts.ascii)),
                T::Utf8View => Box::new(StrViews(a.keys().as_string_view(), opts.ascii)),
                other => {
                    return Err(TableError::new(TableErrorKind::Unsupported(format!(
                        "map keys of type {other} cannot be JSON object keys (string keys only)"
                    ))))
                }
            };
            boxed(Maps {
                offsets: a.value_offsets(),
                keys,
                values: column(a.values().as_ref(), opts, zones, depth + 1)?,
            })
        }
        T::Dictionary(_, _) => {
            let a = array.as_any_dictionary();
            if a.values().is_empty() {
                // Every key is null (full validation found no key out of
                // range), so no row reads a value.
                return boxed(Null);
            }
            boxed(Dict {
                keys: a.normalized_keys(),
                values: column(a.values().as_ref(), opts, zones, depth)?,
            })
        }
        other @ (T::Binary | T::LargeBinary | T::BinaryView | T::FixedSizeBinary(_)) => {
            Err(TableError::new(TableErrorKind::Unsupported(format!(
                "binary column type {other} has no JSON form"
            ))))
        }
        other => Err(TableError::new(TableErrorKind::Unsupported(format!(
            "unsupported column type {other}"
        )))),
    }
}

/// The values of a primitive array (its nulls are read by `Column`).
fn prim<T: ArrowPrimitiveType>(array: &dyn Array) -> &[T::Native] {
    array.as_primitive::<T>().values()
}

/// `"+HH:MM"` / `"-HH:MM"` (also `+HHMM`, `+HH`) and the names of UTC: the
/// zone's fixed offset in seconds; None for a named zone.
fn fixed_offset(tz: &str) -> Option<i32> {
    if matches!(tz, "UTC" | "utc" | "Z" | "z") {
        return Some(0);
    }
    let b = tz.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<u8> = b[1..].iter().filter(|c| **c != b':').copied().collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |i: usize| i32::from(digits[i] - b'0') * 10 + i32::from(digits[i + 1] - b'0');
    let (h, m) = (n(0), if digits.len() == 4 { n(2) } else { 0 });
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

struct Null;
impl Encode for Null {
    fn encode(&self, _: usize, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(b"null");
        Ok(())
    }
}

struct Bools<'a>(&'a arrow_array::BooleanArray);
impl Encode for Bools<'_> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(if self.0.value(row) { b"true" } else { b"false" });
        Ok(())
    }
}

struct Ints<'a, N>(&'a [N]);
impl<N: itoa::Integer + Copy + Send + Sync> Encode for Ints<'_, N> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(itoa::Buffer::new().format(self.0[row]).as_bytes());
        Ok(())
    }
}

fn ints<'a, T: ArrowPrimitiveType>(array: &'a dyn Array) -> Result<Box<dyn Encode + 'a>>
where
    T::Native: itoa::Integer,
{
    boxed(Ints(prim::<T>(array)))
}

struct Floats<'a, N> {
    values: &'a [N],
    nan_null: bool,
    widen: fn(N) -> f64,
}
impl<N: Copy + Send + Sync> Encode for Floats<'_, N> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let v = (self.widen)(self.values[row]);
        if v.is_finite() {
            json::write_f64(out, v);
        } else if self.nan_null {
            out.extend_from_slice(b"null");
        } else {
            return Err(TableError::new(TableErrorKind::NonFinite(v)));
        }
        Ok(())
    }
}

fn floats<'a, T: ArrowPrimitiveType>(
    array: &'a dyn Array,
    opts: &CellOptions,
    widen: fn(T::Native) -> f64,
) -> Result<Box<dyn Encode + 'a>> {
    boxed(Floats {
        values: prim::<T>(array),
        nan_null: opts.nan_null,
        widen,
    })
}

struct Strs<'a, O: OffsetSizeTrait>(&'a GenericStringArray<O>, bool);
impl<O: OffsetSizeTrait> Encode for Strs<'_, O> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        // Arrow strings are valid UTF-8: no lone surrogate can occur.
        let _ = json::write_str(out, Text::Utf8(self.0.value(row)), self.1);
        Ok(())
    }
}

struct StrViews<'a>(&'a StringViewArray, bool);
impl Encode for StrViews<'_> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let _ = json::write_str(out, Text::Utf8(self.0.value(row)), self.1);
        Ok(())
    }
}

fn out_of_range(what: &str, v: impl std::fmt::Display) -> Box<TableError> {
    TableError::new(TableErrorKind::OutOfRange(format!(
        "{what} {v} is out of the range Python's datetime types hold"
    )))
}

struct Dates {
    days: Vec<i64>,
}
impl Encode for Dates {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let days = self.days[row];
        let date =
            date_of_days(days).ok_or_else(|| out_of_range("date (days since 1970)", days))?;
        temporal::write_date(out, date);
        Ok(())
    }
}

struct Times<'a, N> {
    values: &'a [N],
    per_second: i64,
    time: TimeFormat,
}
impl<N: Copy + Into<i64> + Send + Sync> Encode for Times<'_, N> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let v: i64 = self.values[row].into();
        let (s, nanos) = split(v, self.per_second);
        if !(0..86_400).contains(&s) {
            return Err(out_of_range("time of day", v));
        }
        let s = s as u32;
        let time = Time {
            hour: (s / 3600) as u8,
            minute: (s / 60 % 60) as u8,
            second: (s % 60) as u8,
            // As `datetime.time` holds it: nanoseconds are truncated.
            microsecond: nanos / 1000,
        };
        temporal::write_time(out, time, None, self.time);
        Ok(())
    }
}

fn times<'a, N: Copy + Into<i64> + Send + Sync + 'a>(
    values: &'a [N],
    per_second: i64,
    opts: &CellOptions,
) -> Result<Box<dyn Encode + 'a>> {
    boxed(Times {
        values,
        per_second,
        time: opts.time,
    })
}

enum Zone {
    Naive,
    /// Seconds east of UTC.
    Fixed(i32),
    /// The offset at each distinct second of the column's instants.
    Named(HashMap<i64, i32>),
}

struct Stamps<'a> {
    values: &'a [i64],
    per_second: i64,
    zone: Zone,
    time: TimeFormat,
}
impl Encode for Stamps<'_> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let v = self.values[row];
        let (s, nanos) = split(v, self.per_second);
        let offset = match &self.zone {
            Zone::Naive => None,
            Zone::Fixed(o) => Some(*o),
            Zone::Named(map) => Some(map.get(&s).copied().unwrap_or(0)),
        };
        let local = s
            .checked_add(offset.unwrap_or(0) as i64)
            .ok_or_else(|| out_of_range("timestamp", v))?;
        let at = instant(local, nanos).ok_or_else(|| out_of_range("timestamp", v))?;
        let offset_us = offset.map(|o| o as i64 * 1_000_000);
        if at.nanos == 0 || self.time.omit_microseconds {
            temporal::write_datetime(out, at.date, at.time, offset_us, self.time);
            return Ok(());
        }
        // Nanoseconds: the nine fraction digits pandas' `Timestamp.isoformat()`
        // writes, spliced into the microsecond text.
        let start = out.len();
        let time = Time {
            microsecond: 0,
            ..at.time
        };
        temporal::write_datetime(out, at.date, time, offset_us, self.time);
        let head = start + 20; // `"YYYY-MM-DDTHH:MM:SS`
        let mut frac = [b'.', 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut f = at.time.microsecond as u64 * 1000 + at.nanos as u64;
        for d in frac[1..].iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.splice(head..head, frac);
        Ok(())
    }
}

struct Durations<'a> {
    values: &'a [i64],
    per_second: i64,
    seconds: bool,
}
impl Encode for Durations<'_> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let v = self.values[row];
        // As `timedelta` holds it: whole microseconds, nanoseconds floored
        // (what `timedelta // timedelta(microseconds=1)` gives for
        // `pandas.Timedelta`).
        let us: i128 = if self.per_second > 1_000_000 {
            (v as i128).div_euclid(1000)
        } else {
            v as i128 * (1_000_000 / self.per_second) as i128
        };
        let days = us.div_euclid(86_400_000_000);
        if days.abs() > 999_999_999 {
            return Err(TableError::new(TableErrorKind::OutOfRange(format!(
                "duration {v} is out of the range of Python's timedelta"
            ))));
        }
        let rest = us.rem_euclid(86_400_000_000);
        let (secs, micros) = ((rest / 1_000_000) as i32, (rest % 1_000_000) as i32);
        if self.seconds {
            temporal::write_duration_seconds(out, days as i32, secs, micros);
        } else {
            temporal::write_duration_iso(out, days as i32, secs, micros);
        }
        Ok(())
    }
}

struct Decimals128<'a> {
    values: &'a [i128],
    scale: i8,
}
impl Encode for Decimals128<'_> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let v = self.values[row];
        let mut buf = itoa::Buffer::new();
        write_decimal(out, v < 0, buf.format(v.unsigned_abs()), self.scale);
        Ok(())
    }
}

struct Decimals256<'a> {
    values: &'a [arrow_buffer::i256],
    scale: i8,
}
impl Encode for Decimals256<'_> {
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let text = self.values[row].to_string();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text.as_str()),
        };
        write_decimal(out, negative, digits, self.scale);
        Ok(())
    }
}

/// Writes `[item,…]` for items `range` of `child`.
#[inline]
fn write_items(child: &Column<'_>, range: std::ops::Range<usize>, out: &mut Vec<u8>) -> Result<()> {
    out.push(b'[');
    let start = range.start;
    for j in range {
        if j > start {
            out.push(b',');
        }
        child.write(j, out).at(|| Step::Index(j - start))?;
    }
    out.push(b']');
    Ok(())
}

struct Lists<'a, O> {
    offsets: &'a [O],
    child: Column<'a>,
}
impl<O: OffsetSizeTrait> Encode for Lists<'_, O> {
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let a = self.offsets[row].as_usize();
        let b = self.offsets[row + 1].as_usize();
        write_items(&self.child, a..b, out)
    }
}

fn list<'a, O: OffsetSizeTrait>(
    a: &'a arrow_array::GenericListArray<O>,
    opts: &CellOptions,
    zones: &mut dyn Zones,
    depth: u32,
) -> Result<Box<dyn Encode + 'a>> {
    boxed(Lists {
        offsets: a.value_offsets(),
        child: column(a.values().as_ref(), opts, zones, depth + 1)?,
    })
}

struct FixedLists<'a> {
    array: &'a FixedSizeListArray,
    child: Column<'a>,
}
impl Encode for FixedLists<'_> {
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let a = self.array.value_offset_at(row);
        let n = self.array.value_length() as usize;
        write_items(&self.child, a..a + n, out)
    }
}

/// A struct member or a table column: its key (with the comma before it,
/// after the first), name (for error paths) and column.
pub struct Member<'a> {
    pub key: Vec<u8>,
    pub name: Arc<str>,
    pub col: Column<'a>,
}

/// Writes `{"k":v,…}` for `row` of `members`.
#[inline]
pub fn write_object(members: &[Member<'_>], row: usize, out: &mut Vec<u8>) -> Result<()> {
    out.push(b'{');
    for m in members {
        out.extend_from_slice(&m.key);
        m.col.write(row, out).at(|| Step::Field(m.name.clone()))?;
    }
    out.push(b'}');
    Ok(())
}

struct Object<'a>(Vec<Member<'a>>);
impl Encode for Object<'_> {
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        write_object(&self.0, row, out)
    }
}

struct Maps<'a> {
    offsets: &'a [i32],
    keys: Box<dyn Encode + 'a>,
    values: Column<'a>,
}
impl Encode for Maps<'_> {
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        let a = self.offsets[row] as usize;
        let b = self.offsets[row + 1] as usize;
        out.push(b'{');
        for j in a..b {
            if j > a {
                out.push(b',');
            }
            self.keys.encode(j, out)?;
            out.push(b':');
            self.values.write(j, out).at(|| Step::Index(j - a))?;
        }
        out.push(b'}');
        Ok(())
    }
}

struct Dict<'a> {
    keys: Vec<usize>,
    values: Column<'a>,
}
impl Encode for Dict<'_> {
    #[inline]
    fn encode(&self, row: usize, out: &mut Vec<u8>) -> Result<()> {
        self.values.write(self.keys[row], out)
    }
}
