//! The paths that run Python code. Each pins the objects the walker is
//! inside of first (see `Emitter::pin`), so the called code cannot free
//! them; the walker re-reads containers afterwards.

use super::{EmitError, Emitter, ErrorKind, Result};
use crate::cpython::{self, Obj, TypeRef};
use crate::plan::{plan_of, recent_plan, remember_plan, ModelPlan};
use pyo3::prelude::*;
use std::sync::Arc;

impl<'a, 'py> Emitter<'a, 'py> {
    /// Keep everything the walker will come back to alive until the call
    /// ends: the containers it is inside of, the dict keys in progress and
    /// `v`. Each stays on the stack, so it is pinned once however many
    /// Python calls happen below it.
    fn pin(&mut self, v: Obj<'a>) -> Result<()> {
        let py = self.gil()?;
        for &o in &self.stack[self.pinned_stack..] {
            self.pins.hold(py, o);
        }
        self.pinned_stack = self.stack.len();
        for &k in &self.keys[self.pinned_keys.min(self.keys.len())..] {
            self.pins.hold(py, k);
        }
        self.pinned_keys = self.keys.len();
        self.pins.hold(py, v);
        Ok(())
    }

    /// The plan of `t` if it is a dataclass (compiled on first use).
    pub(super) fn model_plan(&mut self, t: TypeRef) -> Result<Option<Arc<ModelPlan>>> {
        if let Some((last, plan)) = &self.last_class {
            if *last == t {
                return Ok(plan.clone());
            }
        }
        if let Some(plan) = recent_plan(t) {
            self.last_class = Some((t, Some(plan.clone())));
            return Ok(Some(plan));
        }
        let cls = t.to_bound(self.gil()?);
        let plan = match plan_of(&cls) {
            Some(p) => Some(p),
            None => {
                if let Some(&top) = self.stack.last() {
                    self.pin(top)?;
                }
                let found = self
                    .gil()?
                    .import("slotjson._spec")
                    .and_then(|m| m.call_method1("plan_for", (&cls,)))
                    .map_err(|e| EmitError::new(ErrorKind::Spec(e)))?;
                if found.is_none() {
                    None
                } else {
                    plan_of(&cls)
                }
            }
        };
        if let Some(p) = &plan {
            remember_plan(p);
        }
        self.last_class = Some((t, plan.clone()));
        Ok(plan)
    }

    /// The plan of `v`'s class if it is a dataclass (compiling it if needed).
    pub fn class_plan(&mut self, v: Obj<'a>) -> Result<Option<Arc<ModelPlan>>> {
        self.model_plan(v.ty())
    }

    /// `v.utcoffset()` in microseconds, through `base.utcoffset` (`base` is
    /// `datetime` or `time`: a subclass's own `utcoffset` is ignored, as
    /// `isoformat` ignores it). CPython checks the tzinfo's answer there,
    /// so this raises what `isoformat()` raises for it: `ValueError` for
    /// an offset of ±24 hours or more, `TypeError` for a value that is not
    /// None or a timedelta (subclasses are fine, read as timedeltas).
    pub(super) fn utcoffset(&mut self, v: Obj<'a>, base: TypeRef) -> Result<Option<i64>> {
        self.pin(v)?;
        let py = self.gil()?;
        let off = base
            .to_bound(py)
            .call_method1(pyo3::intern!(py, "utcoffset"), (v.to_bound(py),))
            .map_err(|e| EmitError::new(ErrorKind::Python(e)))?;
        if off.is_none() {
            return Ok(None);
        }
        let delta = Obj::held(&off);
        if !delta.ty().is_subtype(cpython::types().timedelta) {
            let msg = format!(
                "tzinfo.utcoffset() must return None or timedelta, not '{}'",
                off.get_type()
            );
            return Err(EmitError::new(ErrorKind::Other(msg)));
        }
        let d = cpython::delta_parts(delta);
        let us = (i64::from(d.days) * 86_400 + i64::from(d.seconds)) * 1_000_000
            + i64::from(d.microseconds);
        if us.unsigned_abs() >= 86_400_000_000 {
            // CPython refuses these before we see them; never format one.
            return Err(EmitError::new(ErrorKind::Other(
                "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)".into(),
            )));
        }
        Ok(Some(us))
    }

    /// A strict subclass of `base` (`datetime`, `date` or `time`): written
    /// here and `true` when `slotjson._types.temporal_rule` says it is not
    /// read field by field (a known missing-value sentinel such as
    /// `pandas.NaT` is `null`; a class that overrides `isoformat` is its
    /// `isoformat()` text); `false` to read its fields like the base's.
    #[cold]
    pub(super) fn write_temporal_subclass(&mut self, v: Obj<'a>, base: TypeRef) -> Result<bool> {
        self.pin(v)?;
        let py = self.gil()?;
        let rule = py
            .import(pyo3::intern!(py, "slotjson._types"))
            .and_then(|m| {
                m.call_method1(
                    pyo3::intern!(py, "temporal_rule"),
                    (v.ty().to_bound(py), base.to_bound(py)),
                )
            })
            .map_err(|e| EmitError::new(ErrorKind::Python(e)))?;
        if rule.is_none() {
            return Ok(false);
        }
        if rule.eq("null").unwrap_or(false) {
            self.put(b"null")?;
            return Ok(true);
        }
        let text = v
            .to_bound(py)
            .call_method0(pyo3::intern!(py, "isoformat"))
            .map_err(|e| EmitError::new(ErrorKind::Python(e)))?;
        if !super::value::is::str_(Obj::held(&text).ty()) {
            let msg = format!(
                "{}.isoformat() returned {}, not str",
                v.ty()
                    .to_bound(py)
                    .getattr("__name__")
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                text.get_type()
                    .getattr("__name__")
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            );
            return Err(EmitError::new(ErrorKind::Other(msg)));
        }
        self.write_str_obj(Obj::held(&text))?;
        Ok(true)
    }

    /// `base.__str__(v)` written as a JSON string (Decimal, UUID: the base
    /// class's text, so a subclass's `__str__` is not consulted).
    pub(super) fn write_str_of(&mut self, v: Obj<'a>, base: TypeRef) -> Result<()> {
        let s = {
            self.pin(v)?;
            let py = self.gil()?;
            base.to_bound(py)
                .call_method1(pyo3::intern!(py, "__str__"), (v.to_bound(py),))
                .map_err(|e| EmitError::new(ErrorKind::Python(e)))?
        };
        self.write_str_obj(Obj::held(&s))
    }

    /// `dict key Color.RED has a float value; …`
    #[cold]
    pub(super) fn bad_enum_key(&self, member: Obj<'a>, value: Obj<'a>) -> Box<EmitError> {
        let py = match self.gil() {
            Ok(py) => py,
            Err(e) => return e,
        };
        let name = |o: Bound<'_, PyAny>| {
            o.getattr("__name__")
                .map(|n| n.to_string())
                .unwrap_or_default()
        };
        let member_name = member
            .to_bound(py)
            .getattr("name")
            .map(|n| n.to_string())
            .unwrap_or_default();
        EmitError::new(ErrorKind::Other(format!(
            "dict key {}.{member_name} has a {} value; enum keys need str or int values",
            name(member.ty().to_bound(py)),
            name(value.ty().to_bound(py)),
        )))
    }

    /// An Enum member's `.value`.
    pub(super) fn enum_value(&mut self, v: Obj<'a>) -> Result<Bound<'py, PyAny>> {
        self.pin(v)?;
        let py = self.gil()?;
        v.to_bound(py)
            .getattr(pyo3::intern!(py, "value"))
            .map_err(|e| EmitError::new(ErrorKind::Python(e)))
    }

    pub(super) fn write_enum_slow(&mut self, v: Obj<'a>) -> Result<()> {
        let value = self.enum_value(v)?.unbind();
        let value = value.into_bound(self.gil()?);
        self.write_unwrapped(Obj::held(&value))
    }

    /// An unsupported value: through the `default=` hook, or an error.
    pub(super) fn write_default(&mut self, v: Obj<'a>) -> Result<()> {
        let py = self.gil()?;
        let Some(hook) = self.opts.default.as_ref() else {
            return Err(EmitError::new(ErrorKind::Unsupported(
                v.ty().to_bound(py).unbind(),
            )));
        };
        if self.unwraps >= self.opts.max_depth {
            return Err(EmitError::new(ErrorKind::Depth(self.opts.max_depth)));
        }
        let result = {
            self.pin(v)?;
            hook.bind(py)
                .call1((v.to_bound(py),))
                .map_err(|e| EmitError::new(ErrorKind::HookRaised(e)))?
        };
        let r = Obj::held(&result);
        if r.ty() == v.ty() {
            return Err(EmitError::new(ErrorKind::HookReturned(
                r.ty().to_bound(py).unbind(),
            )));
        }
        self.write_unwrapped(r)
    }

    /// `v == default` for omit-if-default.
    pub(super) fn equals(&mut self, v: Obj<'a>, default: &Py<PyAny>) -> Result<bool> {
        let py = self.gil()?;
        let d = default.bind(py);
        if v.as_ptr() == d.as_ptr() {
            return Ok(true);
        }
        self.pin(v)?;
        v.to_bound(py)
            .eq(d)
            .map_err(|e| EmitError::new(ErrorKind::Python(e)))
    }
}
