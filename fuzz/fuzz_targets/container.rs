//! Arbitrary bytes as a container (the checks are in `check.rs`, shared with
//! the stable mutation loop `tests/fuzz_container.rs`).
//!
//! `cargo +nightly fuzz run container` (from the repository root).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "check.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
