//! `DocumentBuilder`: items are written straight into the blob, recording
//! where each one starts.

use super::error::Error;
use super::Document;

/// Builds a [`Document`] item by item.
///
/// ```
/// use slotjson::document::DocumentBuilder;
///
/// let mut b = DocumentBuilder::with_capacity(64, 2);
/// b.begin_item();
/// b.buf().extend_from_slice(br#"{"id":1}"#);
/// b.push_raw(br#"{"id":2}"#);
/// let doc = b.finish();
/// assert_eq!(doc.blob(), br#"[{"id":1},{"id":2}]"#);
/// assert_eq!(doc.page(1, Some(10)).unwrap(), br#"[{"id":2}]"#);
/// ```
///
/// Each item must be exactly one non-empty JSON value, written after its
/// [`begin_item`](Self::begin_item); the builder does not parse it. Reads
/// from the finished document check index entries against the blob, so a
/// misbehaving emitter causes errors on read, not panics.
#[derive(Debug)]
pub struct DocumentBuilder {
    /// `[` followed by the items written so far, comma-separated.
    blob: Vec<u8>,
    /// Little-endian u64 start offsets, one per begun item; kept as bytes so
    /// the finished document can expose it as a `<Q` buffer without copying.
    index: Vec<u8>,
    count: usize,
}

impl Default for DocumentBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl DocumentBuilder {
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// Reserves room for `bytes` of item text and `items` items, so that
    /// callers that know the sizes (e.g. from a previous page) never
    /// reallocate.
    pub fn with_capacity(bytes: usize, items: usize) -> Self {
        // Separators and brackets: one byte per item, plus `[` and `]`.
        let mut blob = Vec::with_capacity(bytes.saturating_add(items).saturating_add(2));
        blob.push(b'[');
        Self {
            blob,
            index: Vec::with_capacity(items.saturating_add(1).saturating_mul(8)),
            count: 0,
        }
    }

    /// Number of items begun so far.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Starts a new item: writes the separator after the previous item and
    /// records where this one starts. Write the item into [`buf`](Self::buf).
    pub fn begin_item(&mut self) {
        if self.count > 0 {
            self.blob.push(b',');
        }
        self.index
            .extend_from_slice(&(self.blob.len() as u64).to_le_bytes());
        self.count += 1;
    }

    /// The blob being written; append the current item's JSON text here.
    /// Do not change bytes before the current item's start.
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.blob
    }

    /// Removes the item begun last, with its separator, e.g. after its
    /// emitter failed halfway. Does nothing when no item was begun.
    pub fn abandon_item(&mut self) {
        if self.count == 0 {
            return;
        }
        let at = self.index.len() - 8;
        let mut start = [0u8; 8];
        start.copy_from_slice(&self.index[at..]);
        self.index.truncate(at);
        self.count -= 1;
        // The first item follows the `[`, which stays; later ones also drop
        // the `,` before them.
        let start = u64::from_le_bytes(start) as usize;
        let keep = if self.count == 0 {
            start
        } else {
            start.saturating_sub(1)
        };
        self.blob.truncate(keep);
    }

    /// Appends one item given as its JSON text. The caller guarantees that
    /// `json` is exactly one valid, non-empty JSON value.
    pub fn push_raw(&mut self, json: &[u8]) {
        self.begin_item();
        self.blob.extend_from_slice(json);
    }

    /// Appends one item written by the crate's JSON writers through serde
    /// (rules: [`crate::json::ser`]). On error nothing is appended.
    pub fn push_serialize<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.begin_item();
        match crate::json::ser::to_writer(&mut self.blob, value) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.abandon_item();
                Err(e.into())
            }
        }
    }

    /// Closes the array and returns the document.
    pub fn finish(mut self) -> Document {
        self.blob.push(b']');
        self.index
            .extend_from_slice(&(self.blob.len() as u64).to_le_bytes());
        Document::owned(self.blob, self.index, self.count)
    }
}
