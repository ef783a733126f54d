//! Per-call options of `dumps`.

use crate::json::TimeFormat;
use pyo3::prelude::*;

pub struct Options {
    pub time: TimeFormat,
    /// Write NaN/inf as `null` instead of raising.
    pub nan_null: bool,
    /// Escape all non-ASCII text (`ensure_ascii=True`).
    pub ascii: bool,
    /// Called with values of unsupported types.
    pub default: Option<Py<PyAny>>,
    /// Containers/models that may be open at once.
    pub max_depth: u32,
    /// Write timedelta as total seconds instead of an ISO 8601 duration.
    pub timedelta_seconds: bool,
    /// Worker threads asked for; `None` chooses by size.
    pub threads: Option<usize>,
    /// Let other Python threads run between slices of the work.
    pub release_gil: bool,
    /// Keys by alias (`Some(true)`), by field name (`Some(false)`), or as
    /// each model's own configuration says (`None`).
    pub by_alias: Option<bool>,
}
