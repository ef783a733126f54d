//! Errors of the document module.

use std::fmt;

use crate::json::ser::Error as SerError;

/// What is wrong with bytes that were offered as a container, or with an
/// index entry found to be inconsistent when it was used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// Shorter than the fixed header.
    TooShort { have: usize },
    /// Does not start with the container magic.
    BadMagic,
    /// Starts like JSON text (the blob alone was probably passed).
    LooksLikeJson,
    /// Starts like a pickle stream.
    LooksLikePickle,
    /// The magic's line-ending bytes were changed, as by a text-mode transfer.
    LineEndingsMangled,
    /// A format version this reader does not know.
    UnsupportedVersion(u16),
    /// Flag bits this reader does not know (they may change the meaning of
    /// the data, so they are not ignored).
    UnsupportedFlags(u16),
    /// The stored header checksum does not match the header bytes.
    HeaderChecksum { stored: u64, computed: u64 },
    /// Reserved header bytes are not zero.
    ReservedNotZero,
    /// The item count cannot fit in a blob of the stated length.
    ImpossibleCount { count: u64, blob_len: u64 },
    /// The stated sizes do not fit in this machine's address space.
    TooLarge,
    /// The buffer ends before the end stated by the header.
    Truncated { need: u64, have: u64 },
    /// The buffer continues after the end stated by the header.
    TrailingBytes { need: u64, have: u64 },
    /// The blob is not a JSON array text (`[` … `]`).
    BadBlob,
    /// Index entry `entry` (0-based, of N+1) does not point at an item
    /// boundary.
    BadIndexEntry {
        entry: u64,
        value: u64,
        reason: &'static str,
    },
    /// The stored body checksum does not match the index and blob bytes.
    BodyChecksum { stored: u64, computed: u64 },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { have } => write!(
                f,
                "too short for a slotjson document container: {have} bytes, the header alone is {}",
                super::container::HEADER_LEN
            ),
            Self::BadMagic => f.write_str("not a slotjson document container (bad magic bytes)"),
            Self::LooksLikeJson => f.write_str(
                "not a slotjson document container: looks like JSON text (pass the container, not the blob)",
            ),
            Self::LooksLikePickle => {
                f.write_str("not a slotjson document container: looks like a pickle stream")
            }
            Self::LineEndingsMangled => f.write_str(
                "bad magic: its line-ending bytes were changed (was the container read or written in text mode?)",
            ),
            Self::UnsupportedVersion(v) => {
                write!(f, "unsupported container format version {v} (this reader knows 1)")
            }
            Self::UnsupportedFlags(flags) => {
                write!(f, "unsupported container flags {flags:#06x}")
            }
            Self::HeaderChecksum { stored, computed } => write!(
                f,
                "header checksum mismatch: stored {stored:#018x}, computed {computed:#018x}"
            ),
            Self::ReservedNotZero => f.write_str("reserved header bytes are not zero"),
            Self::ImpossibleCount { count, blob_len } => write!(
                f,
                "impossible header: {count} items cannot fit in a blob of {blob_len} bytes"
            ),
            Self::TooLarge => f.write_str("container sizes exceed this machine's address space"),
            Self::Truncated { need, have } => {
                write!(f, "truncated: need {need} bytes, have {have}")
            }
            Self::TrailingBytes { need, have } => write!(
                f,
                "{} trailing bytes: the container is {need} bytes, the buffer {have}",
                have - need
            ),
            Self::BadBlob => f.write_str("the blob is not a JSON array ([ … ])"),
            Self::BadIndexEntry {
                entry,
                value,
                reason,
            } => write!(f, "bad index entry {entry} (offset {value}): {reason}"),
            Self::BodyChecksum { stored, computed } => write!(
                f,
                "blob checksum mismatch (index and blob): stored {stored:#018x}, computed {computed:#018x}"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// An error from building or reading a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// An item index past the end (`take`, `item`).
    OutOfRange { index: usize, len: usize },
    /// The container's index is inconsistent (found when an entry was used).
    Format(FormatError),
    /// `envelope`'s `extra` is not JSON object text.
    BadExtra,
    /// A value could not be written as JSON (`push_serialize`).
    Serialize(SerError),
    /// The output buffer could not be allocated or grown.
    OutOfMemory,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfRange { index, len } => {
                write!(f, "item index {index} out of range for {len} items")
            }
            Self::Format(e) => e.fmt(f),
            Self::BadExtra => f.write_str("envelope extra must be JSON object text ({ … })"),
            Self::Serialize(e) => e.fmt(f),
            Self::OutOfMemory => f.write_str("out of memory"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Format(e) => Some(e),
            Self::Serialize(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        Self::Format(e)
    }
}

impl From<crate::json::OutOfMemory> for Error {
    fn from(_: crate::json::OutOfMemory) -> Self {
        Self::OutOfMemory
    }
}

impl From<SerError> for Error {
    fn from(e: SerError) -> Self {
        Self::Serialize(e)
    }
}
