//! One JSON array blob plus an offset index: pages by slicing, and the
//! binary container (spec/FORMAT.md). Plain Rust, no pyo3.
