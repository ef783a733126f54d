//! The compiled serialization plan: what to write for each annotated type,
//! and for each model its fields (slot offset, pre-encoded JSON key, node).
//!
//! Plans are built once per class from the Python spec (`slotjson._spec`)
//! by [`build`] and then only read; the emitter walks them without the GIL.

mod build;
mod node;
mod recent;

pub use build::{build_plans, plan_of, PyPlan};
pub use node::{Extra, Fast, FieldKey, FieldPlan, KeyKind, Kind, ModelPlan, Node, Omit, KEY_BLOCK};
pub use recent::{recent_plan, remember_plan};
