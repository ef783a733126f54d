//! Leaf values: text, numbers, dates.

use super::{EmitError, Emitter, ErrorKind, Result, SCALAR_ROOM};
use crate::cpython::{self, IntValue, Obj};
use crate::json;

impl<'a> Emitter<'a, '_> {
    #[inline(always)]
    pub(super) fn write_str_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let Some(text) = cpython::str_text(v) else {
            return Err(EmitError::new(ErrorKind::Other(
                "could not read str".into(),
            )));
        };
        self.write_text(text.text())
    }

    /// A string's contents as a JSON string (or, during the walk of a
    /// `release_gil=True` call, a hole to be filled in later).
    #[inline(always)]
    pub(super) fn write_text(&mut self, text: json::Text<'_>) -> Result<()> {
        if let Some(tape) = &mut self.tape {
            if tape.cut_str(self.out.len(), text) {
                return Ok(());
            }
        }
        json::write_str(&mut self.out, text, self.opts.ascii).map_err(|e| match e {
            json::StrError::LoneSurrogate(e) => EmitError::new(ErrorKind::LoneSurrogate {
                index: e.index,
                code_point: e.code_point,
            }),
            json::StrError::OutOfMemory => super::out_of_memory(),
        })
    }

    #[inline(always)]
    pub(super) fn write_int_obj(&mut self, v: Obj<'a>) -> Result<()> {
        match cpython::int_value(v) {
            Ok(IntValue::Small(i)) => {
                self.room(SCALAR_ROOM)?;
                json::write_i64(&mut self.out, i)
            }
            Ok(IntValue::Digits { negative, digits }) => {
                // A 30-bit digit is worth less than ten decimal digits.
                self.room(digits.len().saturating_mul(10).saturating_add(2))?;
                json::write_digits30(&mut self.out, negative, digits)
            }
            Ok(IntValue::Decimal(s)) => self.put(s.as_bytes())?,
            Err(msg) => return Err(EmitError::new(ErrorKind::Other(msg))),
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn write_float_obj(&mut self, v: Obj<'a>) -> Result<()> {
        self.write_f64(cpython::float_value(v))
    }

    #[inline(always)]
    pub(super) fn write_f64(&mut self, f: f64) -> Result<()> {
        if f.is_finite() {
            self.room(SCALAR_ROOM)?;
            json::write_f64(&mut self.out, f);
        } else if self.opts.nan_null {
            self.put(b"null")?;
        } else {
            return Err(EmitError::new(ErrorKind::NonFinite(f)));
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn write_bool_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let lit: &[u8] = if v.addr() == cpython::types().true_ {
            b"true"
        } else {
            b"false"
        };
        self.put(lit)
    }

    #[inline]
    pub(super) fn write_datetime_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let types = cpython::types();
        if v.ty() != types.datetime && self.write_temporal_subclass(v, types.datetime)? {
            return Ok(());
        }
        let (date, time, tz) = cpython::datetime_parts(v);
        let offset = match tz {
            None => None,
            Some(tz) => match cpython::tz_fixed_offset(tz) {
                Some(off) => Some(off),
                None => self.utcoffset(v, types.datetime)?,
            },
        };
        self.room(SCALAR_ROOM)?;
        json::temporal::write_datetime(&mut self.out, date, time, offset, self.opts.time);
        Ok(())
    }

    #[inline]
    pub(super) fn write_date_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let types = cpython::types();
        if v.ty() != types.date && self.write_temporal_subclass(v, types.date)? {
            return Ok(());
        }
        self.room(SCALAR_ROOM)?;
        json::temporal::write_date(&mut self.out, cpython::date_parts(v));
        Ok(())
    }

    #[inline]
    pub(super) fn write_time_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let types = cpython::types();
        if v.ty() != types.time && self.write_temporal_subclass(v, types.time)? {
            return Ok(());
        }
        let (time, tz) = cpython::time_parts(v);
        let offset = match tz {
            None => None,
            Some(tz) => match cpython::tz_fixed_offset(tz) {
                Some(off) => Some(off),
                None => self.utcoffset(v, types.time)?,
            },
        };
        self.room(SCALAR_ROOM)?;
        json::temporal::write_time(&mut self.out, time, offset, self.opts.time);
        Ok(())
    }

    #[inline]
    pub(super) fn write_timedelta_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let d = cpython::delta_parts(v);
        self.room(SCALAR_ROOM)?;
        if self.opts.timedelta_seconds {
            json::temporal::write_duration_seconds(
                &mut self.out,
                d.days,
                d.seconds,
                d.microseconds,
            );
        } else {
            json::temporal::write_duration_iso(&mut self.out, d.days, d.seconds, d.microseconds);
        }
        Ok(())
    }

    /// UUID: its 128-bit `int` slot, formatted; other layouts via `str()`.
    #[inline]
    pub(super) fn write_uuid_obj(&mut self, v: Obj<'a>) -> Result<()> {
        let types = cpython::types();
        if v.ty() == types.uuid {
            if let Some(value) = self.uuid_int(v) {
                self.room(SCALAR_ROOM)?;
                json::write_uuid(&mut self.out, value);
                return Ok(());
            }
        }
        self.write_str_of(v, types.uuid)
    }

    fn uuid_int(&self, v: Obj<'a>) -> Option<u128> {
        let off = cpython::types().uuid_int_offset?;
        let off = cpython::raw(cpython::Reader::Uuid).then_some(off);
        let read = cpython::slot(v, off, &cpython::types().uuid_int_name);
        let int = match &read {
            cpython::SlotRead::Value(o) => *o,
            _ => return None,
        };
        if int.ty() != cpython::types().int {
            return None;
        }
        match cpython::int_value(int).ok()? {
            IntValue::Small(i) => u128::try_from(i).ok(),
            IntValue::Digits {
                negative: false,
                digits,
            } if digits.len() <= 5 => {
                let mut acc: u128 = 0;
                for (i, &d) in digits.iter().enumerate() {
                    acc |= (d as u128).checked_shl(30 * i as u32)?;
                }
                Some(acc)
            }
            _ => None,
        }
    }
}
