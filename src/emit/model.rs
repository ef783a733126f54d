//! Models: `{"key":value,…}` in field order, read slot by slot.

use super::{EmitError, Emitter, ErrorKind, Result, Seg};
use crate::cpython::{self, Obj, SlotRead};
use crate::plan::{FieldKey, FieldPlan, ModelPlan, Omit, KEY_BLOCK};

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
        if slotted && cpython::raw_path() {
            for f in fields {
                let Some(v) = f.offset.and_then(|off| cpython::slot_value(obj, off)) else {
                    return Err(self.unset(f, None));
                };
                if !matches!(f.omit, Omit::Never) && self.omitted(f, v)? {
                    continue;
                }
                self.put_key(&f.keys[ascii], &mut open);
                self.write_value(&f.node, v)
                    .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?;
            }
        } else {
            for f in fields {
                self.write_field_by_lookup(f, obj, ascii, &mut open)?;
            }
        }
        if open {
            self.out.push(b'}');
        } else {
            self.out.extend_from_slice(b"{}");
        }
        self.leave();
        Ok(())
    }

    /// One field of a model that is not read slot by slot (raw path off,
    /// or a field that is not a slot).
    fn write_field_by_lookup(
        &mut self,
        f: &FieldPlan,
        obj: Obj<'a>,
        ascii: usize,
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
        self.put_key(&f.keys[ascii], open);
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
    fn put_key(&mut self, key: &FieldKey, open: &mut bool) {
        let at = self.out.len();
        if key.len <= KEY_BLOCK {
            self.out.extend_from_slice(&key.block);
            self.out.truncate(self.out.len() - (KEY_BLOCK - key.len));
        } else {
            self.out.extend_from_slice(&key.text);
        }
        if !*open {
            self.out[at] = b'{';
            *open = true;
        }
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
