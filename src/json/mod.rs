//! Pure-Rust JSON writers: string escaping, numbers and ISO 8601 dates.
//!
//! No pyo3 here: these functions take plain Rust values (the `cpython` layer
//! extracts them from object memory) and append JSON text to a `Vec<u8>`.
//! Every function follows the output rules in `spec/TYPES.md`, which are the
//! rules of `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`.

pub mod escape;
pub mod float;
pub mod int;
pub mod room;
pub mod ser;
pub mod temporal;
pub mod uuid;

pub use escape::{write_str, LoneSurrogate, StrError, Text};
pub use float::write_f64;
pub use int::{write_digits30, write_i128, write_i64, write_u128, write_u64};
pub use room::OutOfMemory;
pub use temporal::{Date, Time, TimeFormat};
pub use uuid::write_uuid;
