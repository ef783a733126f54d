//! Writing a value as its annotation's plan node says.

use super::{EmitError, Emitter, ErrorKind, Result, Seg};
use crate::cpython::{self, DictIter, Obj, TypeRef};
use crate::plan::{Fast, Kind, Node};
use pyo3::ffi;

/// Type tests shared by typed nodes and union dispatch.
pub(super) mod is {
    use super::*;

    #[inline(always)]
    pub fn str_(t: TypeRef) -> bool {
        t == cpython::types().str_ || t.has_flag(ffi::Py_TPFLAGS_UNICODE_SUBCLASS)
    }
    /// int or subclass, but not bool (bool is not an int in a plan).
    #[inline(always)]
    pub fn int(t: TypeRef) -> bool {
        let ty = cpython::types();
        t == ty.int || (t.has_flag(ffi::Py_TPFLAGS_LONG_SUBCLASS) && t != ty.bool_)
    }
    #[inline(always)]
    pub fn float(t: TypeRef) -> bool {
        let ty = cpython::types();
        t == ty.float || t.is_subtype(ty.float)
    }
    #[inline(always)]
    pub fn sequence(t: TypeRef) -> bool {
        let ty = cpython::types();
        t == ty.list
            || t == ty.tuple
            || t.has_flag(ffi::Py_TPFLAGS_LIST_SUBCLASS | ffi::Py_TPFLAGS_TUPLE_SUBCLASS)
    }
    #[inline(always)]
    pub fn list(t: TypeRef) -> bool {
        t == cpython::types().list || t.has_flag(ffi::Py_TPFLAGS_LIST_SUBCLASS)
    }
    #[inline(always)]
    pub fn dict(t: TypeRef) -> bool {
        t == cpython::types().dict || t.has_flag(ffi::Py_TPFLAGS_DICT_SUBCLASS)
    }
    #[inline(always)]
    pub fn datetime(t: TypeRef) -> bool {
        let ty = cpython::types();
        t == ty.datetime || t.is_subtype(ty.datetime)
    }
    /// A date that is not a datetime.
    #[inline(always)]
    pub fn date(t: TypeRef) -> bool {
        let ty = cpython::types();
        t == ty.date || (t.is_subtype(ty.date) && !t.is_subtype(ty.datetime))
    }
    #[inline(always)]
    pub fn of(t: TypeRef, base: TypeRef) -> bool {
        t == base || t.is_subtype(base)
    }
}

impl<'a> Emitter<'a, '_> {
    #[cold]
    pub(super) fn mismatch(&self, node: &Node, v: Obj<'a>) -> Box<EmitError> {
        match self.gil() {
            Ok(py) => EmitError::new(ErrorKind::Mismatch {
                expected: node.text.clone(),
                got: v.ty().to_bound(py).unbind(),
            }),
            Err(e) => e,
        }
    }

    #[cold]
    fn tuple_length(&self, node: &Node, v: Obj<'a>, len: usize) -> Box<EmitError> {
        match self.gil() {
            Ok(py) => EmitError::new(ErrorKind::TupleLength {
                expected: node.text.clone(),
                got: v.ty().to_bound(py).unbind(),
                len,
            }),
            Err(e) => e,
        }
    }

    /// `write_node`, with the common cases (a value of exactly the
    /// annotated builtin type or model class, or `None` for an optional)
    /// decided inline by the caller; everything else, errors included, goes
    /// through `write_node`.
    #[inline(always)]
    pub(super) fn write_value(&mut self, node: &Node, v: Obj<'a>) -> Result<()> {
        let ty = cpython::types();
        if node.fast_optional && v.addr() == ty.none_obj {
            self.put(b"null")?;
            return Ok(());
        }
        if v.ty().addr() != node.fast_type {
            return self.write_node(node, v);
        }
        match node.fast {
            Fast::Str => match cpython::str_text_borrowed(v) {
                Some(text) => self.write_text(text),
                None => self.write_str_obj(v),
            },
            Fast::Int => self.write_int_obj(v),
            Fast::Float => self.write_float_obj(v),
            Fast::Bool => {
                self.write_bool_obj(v)?;
                Ok(())
            }
            Fast::DateTime => self.write_datetime_obj(v),
            Fast::Model => {
                let inner = match &node.kind {
                    Kind::Optional(inner) => inner,
                    _ => node,
                };
                match &inner.kind {
                    Kind::Model(plan) => self.write_model(plan, v),
                    _ => self.write_node(node, v),
                }
            }
            Fast::No => self.write_node(node, v),
        }
    }

    pub(super) fn write_node(&mut self, node: &Node, v: Obj<'a>) -> Result<()> {
        let t = v.ty();
        let ty = cpython::types();
        match &node.kind {
            Kind::Str if is::str_(t) => self.write_str_obj(v),
            Kind::Int if is::int(t) => self.write_int_obj(v),
            Kind::Float if is::float(t) => self.write_float_obj(v),
            Kind::Float if is::int(t) => self.write_int_obj(v),
            Kind::Bool if t == ty.bool_ => {
                self.write_bool_obj(v)?;
                Ok(())
            }
            Kind::None if v.addr() == ty.none_obj => {
                self.put(b"null")?;
                Ok(())
            }
            Kind::Optional(inner) => {
                if v.addr() == ty.none_obj {
                    self.put(b"null")?;
                    Ok(())
                } else if self.accepts(inner, v, false) {
                    self.write_node(inner, v)
                } else {
                    Err(self.mismatch(node, v)) // names `T | None`, not `T`
                }
            }
            Kind::Union(choices) => {
                let has_int = choices.iter().any(|c| matches!(c.kind, Kind::Int));
                match choices.iter().find(|c| self.accepts(c, v, has_int)) {
                    Some(choice) => self.write_node(choice, v),
                    None => Err(self.mismatch(node, v)),
                }
            }
            Kind::List(item) if is::sequence(t) => {
                self.write_seq(v, |e, _, x| e.write_value(item, x))
            }
            Kind::Tuple(items) if is::sequence(t) => {
                let n = self.seq_len(v);
                if n != items.len() {
                    return Err(self.tuple_length(node, v, n));
                }
                // A tuple cannot change length; a list that grows during a
                // slow-path call past the annotated length is a mismatch.
                self.write_seq(v, |e, i, x| match items.get(i) {
                    Some(n) => e.write_node(n, x),
                    None => Err(e.tuple_length(node, v, i + 1)),
                })
            }
            Kind::Dict {
                key,
                key_text,
                value,
            } if is::dict(t) => self.write_dict(
                v,
                |e, k| e.write_key(key, key_text, k),
                |e, x| e.write_value(value, x),
            ),
            Kind::DateTime if is::datetime(t) => self.write_datetime_obj(v),
            Kind::Date if is::date(t) => self.write_date_obj(v),
            Kind::Time if is::of(t, ty.time) => self.write_time_obj(v),
            Kind::TimeDelta if is::of(t, ty.timedelta) => {
                self.write_timedelta_obj(v)?;
                Ok(())
            }
            Kind::Uuid if is::of(t, ty.uuid) => self.write_uuid_obj(v),
            Kind::Decimal if is::of(t, ty.decimal) => self.write_str_of(v, ty.decimal),
            Kind::Enum(table) => match table.value_of(v.addr()) {
                Some(value) => self.write_unwrapped(Obj::of_py(value)),
                None if is::of(t, table.cls) => self.write_enum_slow(v),
                None => Err(self.mismatch(node, v)),
            },
            Kind::Model(plan) => {
                if t == plan.cls {
                    self.write_model(plan, v)
                } else if t.is_subtype(plan.cls) {
                    if plan.shape.as_declared {
                        return self.write_model_as_declared(plan, v);
                    }
                    match self.model_plan(t)? {
                        Some(sub) => self.write_model(&sub, v),
                        None => Err(self.mismatch(node, v)),
                    }
                } else {
                    Err(self.mismatch(node, v))
                }
            }
            Kind::Any => self.write_any(v),
            _ => Err(self.mismatch(node, v)),
        }
    }

    /// Whether a union choice takes `v` (see spec/TYPES.md, union dispatch).
    fn accepts(&self, c: &Node, v: Obj<'a>, union_has_int: bool) -> bool {
        let t = v.ty();
        let ty = cpython::types();
        match &c.kind {
            Kind::Any => true,
            Kind::Str => is::str_(t),
            Kind::Int => is::int(t),
            Kind::Float => is::float(t) || (!union_has_int && is::int(t)),
            Kind::Bool => t == ty.bool_,
            Kind::None => v.addr() == ty.none_obj,
            Kind::Optional(inner) => {
                v.addr() == ty.none_obj || self.accepts(inner, v, union_has_int)
            }
            Kind::Union(cs) => cs.iter().any(|c| self.accepts(c, v, union_has_int)),
            Kind::List(_) => is::sequence(t),
            Kind::Tuple(items) => is::sequence(t) && self.seq_len(v) == items.len(),
            Kind::Dict { .. } => is::dict(t),
            Kind::DateTime => is::datetime(t),
            Kind::Date => is::date(t),
            Kind::Time => is::of(t, ty.time),
            Kind::TimeDelta => is::of(t, ty.timedelta),
            Kind::Uuid => is::of(t, ty.uuid),
            Kind::Decimal => is::of(t, ty.decimal),
            Kind::Enum(table) => is::of(t, table.cls),
            Kind::Model(plan) => is::of(t, plan.cls),
        }
    }

    #[inline]
    pub(super) fn seq_len(&self, v: Obj<'a>) -> usize {
        if is::list(v.ty()) {
            cpython::list_len(v)
        } else {
            cpython::tuple_len(v)
        }
    }

    /// `[item,item,…]` over a list or tuple. List length and items are
    /// re-read each step (a slow-path call may have changed the list).
    #[inline]
    pub(super) fn write_seq(
        &mut self,
        v: Obj<'a>,
        mut item: impl FnMut(&mut Self, usize, Obj<'a>) -> Result<()>,
    ) -> Result<()> {
        self.enter(v)?;
        self.push(b'[')?;
        let list = is::list(v.ty());
        let mut i = 0;
        loop {
            let x = if list {
                cpython::list_get(v, i)
            } else {
                cpython::tuple_get(v, i)
            };
            let Some(x) = x else { break };
            // The next item's header, while this one is written.
            if let Some(next) = if list {
                cpython::list_get(v, i + 1)
            } else {
                cpython::tuple_get(v, i + 1)
            } {
                cpython::prefetch(next);
            }
            if i > 0 {
                self.push(b',')?;
            }
            item(self, i, x).map_err(|e| e.at(Seg::Index(i)))?;
            self.item_boundary()?;
            i += 1;
        }
        self.push(b']')?;
        self.leave();
        Ok(())
    }

    /// `{"key":value,…}` over a dict.
    #[inline]
    pub(super) fn write_dict(
        &mut self,
        v: Obj<'a>,
        key: impl FnMut(&mut Self, Obj<'a>) -> Result<()>,
        value: impl FnMut(&mut Self, Obj<'a>) -> Result<()>,
    ) -> Result<()> {
        self.enter(v)?;
        self.push(b'{')?;
        let mut first = true;
        self.write_entries(v, &mut first, key, value)?;
        self.push(b'}')?;
        self.leave();
        Ok(())
    }

    /// The entries of dict `v` as `"key":value` pairs separated by commas
    /// (one before the first too unless `first`), inside an object the
    /// caller opened.
    pub(super) fn write_entries(
        &mut self,
        v: Obj<'a>,
        first: &mut bool,
        mut key: impl FnMut(&mut Self, Obj<'a>) -> Result<()>,
        mut value: impl FnMut(&mut Self, Obj<'a>) -> Result<()>,
    ) -> Result<()> {
        for (k, x) in DictIter::new(v) {
            if !*first {
                self.push(b',')?;
            }
            *first = false;
            // Both are borrowed from the dict, which Python code run while
            // writing them may change: `pin` holds the entry in progress.
            self.keys.push(k);
            self.keys.push(x);
            let written = match key(self, k) {
                Ok(()) => {
                    self.push(b':')?;
                    value(self, x)
                }
                Err(e) => Err(e),
            };
            if let Err(e) = written {
                return Err(match self.py {
                    Some(py) => e.at(Seg::Key(k.to_bound(py).unbind())),
                    None => e,
                });
            }
            self.keys.truncate(self.keys.len() - 2);
            self.pinned_keys = self.pinned_keys.min(self.keys.len());
        }
        Ok(())
    }
}
