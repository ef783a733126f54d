//! The plan used most recently on this thread, so a call that starts at a
//! model (or a list of them) skips the attribute lookup on the class.
//!
//! The entry holds the plan, and the plan holds its class, so the class
//! pointer compared here cannot be reused by another class while cached.

use super::node::ModelPlan;
use crate::cpython::TypeRef;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    static RECENT: RefCell<Option<Arc<ModelPlan>>> = const { RefCell::new(None) };
}

/// The cached plan of class `t`, if it is the one used last on this thread.
#[inline]
pub fn recent_plan(t: TypeRef) -> Option<Arc<ModelPlan>> {
    RECENT.with(|r| r.borrow().as_ref().filter(|p| p.cls == t).cloned())
}

pub fn remember_plan(plan: &Arc<ModelPlan>) {
    RECENT.with(|r| *r.borrow_mut() = Some(plan.clone()));
}
