//! slotjson: schema-compiled JSON for Python dataclasses.
//!
//! Pure-Rust layers (usable without Python): [`json`] writers and the
//! [`document`] blob + index. With the `python` feature, the extension module
//! `slotjson._native` (see `api`).

pub mod document;
pub mod json;
