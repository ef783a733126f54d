//! One JSON array blob plus an offset index: pages by slicing, and the
//! binary container (spec/FORMAT.md). Plain Rust, no pyo3.
//!
//! A document of N items is a compact JSON array text `[item0,item1,...]`
//! (the blob) and N+1 offsets: offset i is where item i starts in the blob
//! and offset N is the blob's length, so item i is
//! `blob[off[i]..off[i + 1] - 1]` (the `- 1` drops the following `,` or
//! `]`). Any run of consecutive items is one contiguous slice of the blob,
//! which is what makes a page cost only its own size.
//!
//! - [`DocumentBuilder`] writes items into a blob and records the offsets.
//! - [`Document`] owns that memory, or shares a container buffer (e.g. a
//!   Python `bytes`) and reads it in place.
//! - [`DocumentView`] is the borrowed form every read goes through: `page`,
//!   `slice`, `take`, `item`, `envelope` and their `write_*_into` variants.
//! - [`container`] is the binary format and the byte-range reading helpers.

mod builder;
mod checksum;
pub mod container;
mod error;
mod page;
mod storage;
mod view;

#[cfg(test)]
mod tests;

pub use builder::DocumentBuilder;
pub use checksum::sj64;
pub use error::{Error, FormatError};
pub use page::Envelope;
pub use storage::{Document, SharedBuffer};
pub use view::DocumentView;
