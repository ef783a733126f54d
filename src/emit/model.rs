//! Models: `{"key":value,…}` in field order, read slot by slot.

use super::{EmitError, Emitter, ErrorKind, Result, Seg};
use crate::cpython::{self, Obj, SlotRead};
use crate::plan::{FieldPlan, ModelPlan, Omit};

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
        // Start fetching every field's object now so the cache misses overlap
        // instead of being paid one after another.
        for f in plan.fields() {
            if let Some(off) = f.offset {
                cpython::prefetch_slot(obj, off);
            }
        }
        self.out.push(b'{');
        let mut first = true;
        for f in plan.fields() {
            if f.offset.is_none() && self.py.is_none() {
                self.gil()?; // attribute lookup runs Python code
            }
            let read = cpython::slot(obj, f.offset, &f.name);
            let v = match &read {
                SlotRead::Value(v) => *v,
                // `read` keeps the new reference until this field is written.
                SlotRead::Owned(o) => o.obj(),
                SlotRead::Unset(cause) => {
                    let py = self.gil()?;
                    let cause = cause.as_ref().map(|c| c.clone_ref(py));
                    let err = EmitError::new(ErrorKind::Unset(f.name_text.clone(), cause));
                    return Err(err.at(Seg::Field(f.name_text.clone())));
                }
                SlotRead::Failed(e) => {
                    let err = e.clone_ref(self.gil()?);
                    return Err(
                        EmitError::new(ErrorKind::Python(err)).at(Seg::Field(f.name_text.clone()))
                    );
                }
            };
            if !matches!(f.omit, Omit::Never) && self.omitted(f, v)? {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            let key = if self.opts.ascii {
                &f.key_ascii
            } else {
                &f.key_utf8
            };
            self.out.extend_from_slice(key);
            self.write_node(&f.node, v)
                .map_err(|e| e.at(Seg::Field(f.name_text.clone())))?;
            drop(read);
        }
        self.out.push(b'}');
        self.leave();
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
