//! Models: `{"key":value,…}` in field order, read slot by slot.

use super::{EmitError, Emitter, ErrorKind, Result, Seg};
use crate::cpython::{self, Obj, SlotRead};
use crate::plan::{Extra, FieldKey, FieldPlan, ModelPlan, Omit, KEY_BLOCK};

impl<'a> Emitter<'a, '_> {
    /// `obj`'s exact class must be `plan.cls` (slot offsets are only valid
    /// for it); callers check.
    pub(super) fn write_model(&mut self, plan: &ModelPlan, obj: Obj<'a>) -> Result<()> {
        debug_assert!(obj.ty() == plan.cls);
        if obj.ty() != plan.cls {
            return Err(EmitError::new(ErrorKind::Other(format!(
                "plan for {} used on another class",
                plan.name
            ))));
        }
        if plan.shape.general {
            return self.write_model_general(plan, obj);
        }
        self.enter(obj)?;
        let fields = plan.fields();
        // Start fetching every field's object now so the cache misses overlap
        // instead of being paid one after another.
        let mut slotted = true;
        for f in fields {
            match f.offset {
                Some(off) => cpython::prefetch_slot(obj, off),
                None => slotted = false,
            }
        }
        let ascii = usize::from(self.opts.ascii);
        // Every field is written as `,"key":value`; the first field's comma
        // becomes the opening brace as soon as its key is written (before
        // its value, whose lists may move `out` into the final bytes).
        let mut open = false;
        if slotted && cpython::raw(cpython::Reader::Slots) {
            for f in fields {
                let Some(v) = f.offset.and_then(|off| cpython::slot_value(obj, off)) else {
                    return Err(self.unset(f, None));
                };
                if !matches!(f.omit, Omit::Never) && self.omitted(f, v)? {
                    continue;
                }
                self.put_key(&f.keys[ascii], &mut open)?;
                self.write_value(&f.node, v)
                    .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?;
            }
        } else {
            for f in fields {
                self.write_field_by_lookup(f, obj, ascii, &mut open)?;
            }
        }
        if open {
            self.push(b'}')?;
        } else {
            self.put(b"{}")?;
        }
        self.leave();
        Ok(())
    }

    /// An instance of a subclass of `plan.cls` written with `plan` (the
    /// plan is `as_declared`): its slot offsets, if any, lie in the base's
    /// part of the layout, which every subclass instance shares.
    pub(super) fn write_model_as_declared(&mut self, plan: &ModelPlan, obj: Obj<'a>) -> Result<()> {
        debug_assert!(obj.ty().is_subtype(plan.cls));
        if !plan.shape.general || !obj.ty().is_subtype(plan.cls) {
            return Err(EmitError::new(ErrorKind::Other(format!(
                "plan for {} used on another class",
                plan.name
            ))));
        }
        self.write_model_general(plan, obj)
    }

    /// A model whose plan has more than fields read from slots (see
    /// `plan::Shape`): keys chosen by `by_alias`, values from the instance
    /// `__dict__`, an array form, a tag, extra items, computed values.
    fn write_model_general(&mut self, plan: &ModelPlan, obj: Obj<'a>) -> Result<()> {
        self.enter(obj)?;
        let shape = &plan.shape;
        let ascii = usize::from(self.opts.ascii);
        let keys = 2 * usize::from(self.opts.by_alias.unwrap_or(shape.by_alias)) + ascii;
        let array = shape.array_like;
        let raw = cpython::raw(cpython::Reader::Slots);
        let mut open = false;
        if let Some(tag) = &shape.tag {
            if array {
                self.push(b'[')?;
                open = true;
            } else {
                self.put_key(&tag.keys[ascii], &mut open)?;
            }
            self.put(&tag.value[ascii])?;
        }
        let mut hint = 0;
        for f in plan.fields() {
            let found = match f.offset {
                Some(off) if raw => match cpython::slot_value(obj, off) {
                    Some(v) => Some(v),
                    None => return Err(self.unset(f, None)),
                },
                // The dict is read again for every field: Python code run
                // while writing the previous one may have replaced it.
                _ if f.in_dict => cpython::instance_dict(obj)
                    .and_then(|d| cpython::dict_field(d, &f.name, &mut hint)),
                _ => None,
            };
            match found {
                Some(v) => {
                    if !matches!(f.omit, Omit::Never) && !array && self.omitted(f, v)? {
                        continue;
                    }
                    self.put_sep(array, &f.keys[keys], &mut open)?;
                    self.write_value(&f.node, v)
                        .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?;
                }
                None if array => self.write_array_item_by_lookup(f, obj, &mut open)?,
                None => self.write_field_by_lookup(f, obj, keys, &mut open)?,
            }
        }
        if let Some(extra) = &shape.extra {
            self.write_extra(extra, obj, &mut open)?;
        }
        for f in plan.computed.get().map(|c| &c[..]).unwrap_or(&[]) {
            if array {
                self.write_array_item_by_lookup(f, obj, &mut open)?;
            } else {
                self.write_field_by_lookup(f, obj, keys, &mut open)?;
            }
        }
        match (open, array) {
            (true, false) => self.push(b'}')?,
            (true, true) => self.push(b']')?,
            (false, false) => self.put(b"{}")?,
            (false, true) => self.put(b"[]")?,
        }
        self.leave();
        Ok(())
    }

    /// `,"key":` for an object, `,` for an array (the first one opens it).
    #[inline(always)]
    fn put_sep(&mut self, array: bool, key: &FieldKey, open: &mut bool) -> Result<()> {
        if !array {
            self.put_key(key, open)?;
        } else if *open {
            self.push(b',')?;
        } else {
            self.push(b'[')?;
            *open = true;
        }
        Ok(())
    }

    /// A field of an array-like model read by attribute lookup.
    fn write_array_item_by_lookup(
        &mut self,
        f: &FieldPlan,
        obj: Obj<'a>,
        open: &mut bool,
    ) -> Result<()> {
        if self.py.is_none() {
            self.gil()?;
        }
        let read = cpython::slot(obj, f.offset, &f.name);
        let v = match &read {
            SlotRead::Value(v) => *v,
            SlotRead::Owned(o) => o.obj(),
            SlotRead::Unset(cause) => return Err(self.unset(f, cause.as_ref())),
            SlotRead::Failed(e) => {
                let err = e.clone_ref(self.gil()?);
                return Err(
                    EmitError::new(ErrorKind::Python(err)).at(Seg::Field(f.name_text.clone()))
                );
            }
        };
        self.put_sep(true, &f.keys[0], open)?;
        self.write_node(&f.node, v)
            .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?;
        drop(read);
        Ok(())
    }

    /// The items of the dict in the model's extra slot (None: nothing),
    /// written after the fields as `json.dumps` writes a dict's items.
    fn write_extra(&mut self, extra: &Extra, obj: Obj<'a>, open: &mut bool) -> Result<()> {
        if extra.offset.is_none() && self.py.is_none() {
            self.gil()?;
        }
        let read = cpython::slot(obj, extra.offset, &extra.name);
        let d = match &read {
            SlotRead::Value(v) => *v,
            SlotRead::Owned(o) => o.obj(),
            SlotRead::Unset(_) => return Ok(()),
            SlotRead::Failed(e) => {
                let err = e.clone_ref(self.gil()?);
                return Err(
                    EmitError::new(ErrorKind::Python(err)).at(Seg::Field(extra.name_text.clone()))
                );
            }
        };
        let ty = cpython::types();
        if d.addr() == ty.none_obj {
            return Ok(());
        }
        if !super::value::is::dict(d.ty()) {
            let got = d.ty().to_bound(self.gil()?).unbind();
            return Err(EmitError::new(ErrorKind::Mismatch {
                expected: "dict".into(),
                got,
            })
            .at(Seg::Field(extra.name_text.clone())));
        }
        if cpython::DictIter::len(d) == 0 {
            return Ok(());
        }
        let mut first = !*open;
        if first {
            self.push(b'{')?;
            *open = true;
        }
        // Held with the dict keys in progress: pinned if Python code runs.
        self.keys.push(d);
        let written = self.write_entries(
            d,
            &mut first,
            |e, k| e.write_any_key(k),
            |e, x| e.write_any(x),
        );
        self.keys.pop();
        self.pinned_keys = self.pinned_keys.min(self.keys.len());
        drop(read);
        written
    }

    /// One field of a model that is not read slot by slot (raw path off,
    /// or a field that is not a slot).
    fn write_field_by_lookup(
        &mut self,
        f: &FieldPlan,
        obj: Obj<'a>,
        keys: usize,
        open: &mut bool,
    ) -> Result<()> {
        if f.offset.is_none() && self.py.is_none() {
            self.gil()?; // attribute lookup runs Python code
        }
        let read = cpython::slot(obj, f.offset, &f.name);
        let v = match &read {
            SlotRead::Value(v) => *v,
            // `read` keeps the new reference until this field is written.
            SlotRead::Owned(o) => o.obj(),
            SlotRead::Unset(cause) => return Err(self.unset(f, cause.as_ref())),
            SlotRead::Failed(e) => {
                let err = e.clone_ref(self.gil()?);
                return Err(
                    EmitError::new(ErrorKind::Python(err)).at(Seg::Field(f.name_text.clone()))
                );
            }
        };
        if !matches!(f.omit, Omit::Never) && self.omitted(f, v)? {
            return Ok(());
        }
        self.put_key(&f.keys[keys], open)?;
        self.write_node(&f.node, v)
            .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?;
        drop(read);
        Ok(())
    }

    /// A field that was never set.
    #[cold]
    fn unset(&self, f: &FieldPlan, cause: Option<&pyo3::PyErr>) -> Box<EmitError> {
        let py = match self.gil() {
            Ok(py) => py,
            Err(e) => return e,
        };
        let cause = cause.map(|c| c.clone_ref(py));
        EmitError::new(ErrorKind::Unset(f.name_text.clone(), cause))
            .at(Seg::Field(f.name_text.clone()))
    }

    /// Appends `,"key":` (`{"key":` for the first field, setting `open`):
    /// one fixed-size copy cut back to length for the usual short key,
    /// instead of a `memcpy` call.
    #[inline(always)]
    fn put_key(&mut self, key: &FieldKey, open: &mut bool) -> Result<()> {
        let at = self.out.len();
        if key.len <= KEY_BLOCK {
            self.put(&key.block)?;
            self.out.truncate(self.out.len() - (KEY_BLOCK - key.len));
        } else {
            self.put(&key.text)?;
        }
        if !*open {
            self.out[at] = b'{';
            *open = true;
        }
        Ok(())
    }

    fn omitted(&mut self, f: &FieldPlan, v: Obj<'a>) -> Result<bool> {
        let ty = cpython::types();
        Ok(match &f.omit {
            Omit::Never => false,
            Omit::IfNone => v.addr() == ty.none_obj,
            Omit::IfEmpty => v.addr() == ty.none_obj || self.is_empty(v)?,
            Omit::IfDefault(d) => self
                .equals(v, d)
                .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?,
            Omit::IfIdentical(d) => v.as_ptr() == d.as_ptr(),
        })
    }

    fn is_empty(&self, v: Obj<'a>) -> Result<bool> {
        use super::value::is;
        let t = v.ty();
        if is::str_(t) {
            let text = if self.py.is_some() {
                cpython::str_text(v)
            } else {
                cpython::str_text_raw(v)
            };
            match text {
                Some(t) => Ok(t.is_empty()),
                None => self.gil().map(|_| false),
            }
        } else if is::sequence(t) {
            Ok(self.seq_len(v) == 0)
        } else if is::dict(t) {
            Ok(cpython::DictIter::len(v) == 0)
        } else {
            Ok(false)
        }
    }
}
