//! Values with no annotation to go by (`Any`, `object`, top-level values):
//! dispatch on the value's type, exact builtin types first.

use super::value::is;
use super::{EmitError, Emitter, ErrorKind, Result};
use crate::cpython::{self, Obj};
use crate::plan::KeyKind;
use pyo3::ffi;

impl<'a> Emitter<'a, '_> {
    /// Writes `v`, an instance of the class met last, with that class's
    /// plan, which is moved out meanwhile rather than cloned: a clone
    /// would write the plan's reference count, one cache line that every
    /// worker thread encoding the same list would then contend for, twice
    /// per item.
    fn write_last_model(&mut self, v: Obj<'a>) -> Result<()> {
        let Some((cls, Some(plan))) = self.last_class.take() else {
            return self.write_any(v);
        };
        let written = self.write_model(&plan, v);
        // Unless a value inside met another class, which is now the last.
        if self.last_class.is_none() {
            self.last_class = Some((cls, Some(plan)));
        }
        written
    }

    pub(super) fn write_any(&mut self, v: Obj<'a>) -> Result<()> {
        let t = v.ty();
        // A list of models: the class met last.
        if matches!(&self.last_class, Some((last, Some(_))) if *last == t) {
            return self.write_last_model(v);
        }
        let ty = cpython::types();
        // Exact builtin types: one pointer compare each, no Python.
        if t == ty.str_ {
            return match cpython::str_text_borrowed(v) {
                Some(text) => self.write_text(text),
                None => self.write_str_obj(v),
            };
        } else if t == ty.int {
            return self.write_int_obj(v);
        } else if t == ty.float {
            return self.write_float_obj(v);
        } else if t == ty.bool_ {
            self.write_bool_obj(v)?;
            return Ok(());
        } else if t == ty.none {
            self.put(b"null")?;
            return Ok(());
        } else if t == ty.list || t == ty.tuple {
            return self.write_seq(v, |e, _, x| e.write_any(x));
        } else if t == ty.dict {
            return self.write_dict(v, |e, k| e.write_any_key(k), |e, x| e.write_any(x));
        } else if t == ty.datetime {
            return self.write_datetime_obj(v);
        } else if t == ty.date {
            return self.write_date_obj(v);
        } else if t == ty.time {
            return self.write_time_obj(v);
        } else if t == ty.timedelta {
            self.write_timedelta_obj(v)?;
            return Ok(());
        } else if t == ty.uuid {
            return self.write_uuid_obj(v);
        } else if t == ty.decimal {
            return self.write_str_of(v, ty.decimal);
        }
        if let Some(plan) = self.model_plan(t)? {
            return self.write_model(&plan, v);
        }
        // Enum members before the int/str subclass tests: IntEnum and
        // StrEnum are written as their value like every other Enum.
        if t.meta().is_subtype(ty.enum_meta) {
            return self.write_enum_slow(v);
        }
        if t.has_flag(ffi::Py_TPFLAGS_UNICODE_SUBCLASS) {
            self.write_str_obj(v)
        } else if t.has_flag(ffi::Py_TPFLAGS_LONG_SUBCLASS) {
            self.write_int_obj(v)
        } else if t.is_subtype(ty.float) {
            self.write_float_obj(v)
        } else if is::sequence(t) {
            self.write_seq(v, |e, _, x| e.write_any(x))
        } else if is::dict(t) {
            self.write_dict(v, |e, k| e.write_any_key(k), |e, x| e.write_any(x))
        } else if is::datetime(t) {
            self.write_datetime_obj(v)
        } else if is::date(t) {
            self.write_date_obj(v)
        } else if t.is_subtype(ty.time) {
            self.write_time_obj(v)
        } else if t.is_subtype(ty.timedelta) {
            self.write_timedelta_obj(v)?;
            Ok(())
        } else if t.is_subtype(ty.uuid) {
            self.write_uuid_obj(v)
        } else if t.is_subtype(ty.decimal) {
            self.write_str_of(v, ty.decimal)
        } else {
            self.write_default(v)
        }
    }

    /// A dict key of a `dict[K, V]` annotation.
    pub(super) fn write_key(&mut self, kind: &KeyKind, text: &str, k: Obj<'a>) -> Result<()> {
        let t = k.ty();
        match kind {
            KeyKind::Str if is::str_(t) => self.write_str_obj(k),
            KeyKind::Int if is::int(t) => self.write_quoted(|e| e.write_int_obj(k)),
            KeyKind::Enum(table) if is::of(t, table.cls) => match table.value_of(k.addr()) {
                Some(value) => self.write_enum_key(k, Obj::of_py(value)),
                None => {
                    let value = self.enum_value(k)?;
                    self.write_enum_key(k, Obj::held(&value))
                }
            },
            KeyKind::Any => self.write_any_key(k),
            _ => Err(EmitError::new(ErrorKind::Mismatch {
                expected: format!("{text} key").into(),
                got: t.to_bound(self.gil()?).unbind(),
            })),
        }
    }

    /// A key with no annotation to go by, as `json.dumps` writes keys.
    pub(super) fn write_any_key(&mut self, k: Obj<'a>) -> Result<()> {
        let t = k.ty();
        let ty = cpython::types();
        if t == ty.str_ {
            match cpython::str_text_borrowed(k) {
                Some(text) => self.write_text(text),
                None => self.write_str_obj(k),
            }
        } else if k.addr() == ty.none_obj {
            self.put(b"\"null\"")?;
            Ok(())
        } else if t == ty.bool_ {
            self.write_quoted(|e| {
                e.write_bool_obj(k)?;
                Ok(())
            })
        } else if t.meta().is_subtype(ty.enum_meta) {
            let value = self.enum_value(k)?;
            self.write_enum_key(k, Obj::held(&value))
        } else if is::str_(t) {
            self.write_str_obj(k)
        } else if is::int(t) {
            self.write_quoted(|e| e.write_int_obj(k))
        } else if is::float(t) {
            // NaN/inf become a "null" key with nan="null", like a None key.
            let f = cpython::float_value(k);
            self.write_quoted(|e| e.write_f64(f))
        } else {
            Err(EmitError::new(ErrorKind::UnsupportedKey(
                t.to_bound(self.gil()?).unbind(),
            )))
        }
    }

    /// An Enum member used as a key: its value, which must be str or int.
    fn write_enum_key(&mut self, member: Obj<'a>, value: Obj<'a>) -> Result<()> {
        let t = value.ty();
        if is::str_(t) {
            self.write_str_obj(value)
        } else if is::int(t) {
            self.write_quoted(|e| e.write_int_obj(value))
        } else {
            Err(self.bad_enum_key(member, value))
        }
    }

    fn write_quoted(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        self.push(b'"')?;
        f(self)?;
        self.push(b'"')?;
        Ok(())
    }
}
