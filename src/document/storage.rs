//! `Document`: a [`DocumentView`] over memory it owns or shares.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::checksum::sj64;
use super::container::{open, HEADER_LEN};
use super::error::{Error, FormatError};
use super::page::Envelope;
use super::view::DocumentView;

/// An immutable buffer shared with its owner, e.g. a wrapper keeping a
/// Python `bytes` or an mmap alive. It must return the same bytes on every
/// call for as long as it lives.
pub type SharedBuffer = Arc<dyn AsRef<[u8]> + Send + Sync>;

#[derive(Clone)]
enum Storage {
    /// Built in memory: blob and little-endian index in their own vectors.
    Owned { blob: Vec<u8>, index: Vec<u8> },
    /// A whole container in a shared buffer, read in place.
    Shared {
        buf: SharedBuffer,
        index: Range<usize>,
        blob: Range<usize>,
        body_checksum: Option<u64>,
    },
}

/// A JSON array blob with its item index, owned or over a shared container
/// buffer. Reads are the [`DocumentView`] methods, repeated here for
/// convenience; [`view`](Self::view) gives the view itself.
#[derive(Clone)]
pub struct Document {
    storage: Storage,
    count: usize,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("items", &self.count)
            .field("blob_len", &self.view().blob().len())
            .field("shared", &matches!(self.storage, Storage::Shared { .. }))
            .finish()
    }
}

impl Document {
    pub(super) fn owned(blob: Vec<u8>, index: Vec<u8>, count: usize) -> Self {
        Self {
            storage: Storage::Owned { blob, index },
            count,
        }
    }

    /// A document from a blob and its little-endian u64 index (N+1 entries)
    /// written elsewhere, e.g. by an emitter that records item starts itself.
    /// The whole index is checked against the blob (O(N)).
    pub fn from_parts(blob: Vec<u8>, index: Vec<u8>) -> Result<Self, FormatError> {
        let doc = Self::from_index_len(blob, index)?;
        doc.view().verify_index()?;
        Ok(doc)
    }

    /// A document from a blob and index that an encoder wrote together in
    /// one pass (as `from_parts`, without the O(N) check of every entry
    /// against the blob, which builds with debug assertions still make).
    /// The index length is checked.
    pub fn from_encoded(blob: Vec<u8>, index: Vec<u8>) -> Result<Self, FormatError> {
        if cfg!(debug_assertions) {
            return Self::from_parts(blob, index);
        }
        Self::from_index_len(blob, index)
    }

    /// The document, if the index has a whole number of entries (at least one).
    fn from_index_len(blob: Vec<u8>, index: Vec<u8>) -> Result<Self, FormatError> {
        if index.len() % 8 != 0 || index.is_empty() {
            return Err(FormatError::BadBlob);
        }
        let count = index.len() / 8 - 1;
        Ok(Self::owned(blob, index, count))
    }

    /// Opens a container held in `buf` without copying it (see
    /// [`DocumentView::from_bytes`] for what is checked and when).
    pub fn from_bytes<B>(buf: B, verify: bool) -> Result<Self, FormatError>
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        Self::from_shared(Arc::new(buf), verify)
    }

    /// Opens a container in an already shared buffer, without copying it.
    pub fn from_shared(buf: SharedBuffer, verify: bool) -> Result<Self, FormatError> {
        let bytes: &[u8] = (*buf).as_ref();
        let (header, view) = open(bytes, verify)?;
        let index = HEADER_LEN..HEADER_LEN + view.index.len();
        let blob = index.end..index.end + view.blob.len();
        let count = view.count;
        let storage = Storage::Shared {
            index,
            blob,
            body_checksum: header.body_checksum,
            buf,
        };
        Ok(Self { storage, count })
    }

    /// The borrowed view that all reads go through.
    pub fn view(&self) -> DocumentView<'_> {
        match &self.storage {
            Storage::Owned { blob, index } => DocumentView {
                index,
                blob,
                count: self.count,
            },
            Storage::Shared {
                buf, index, blob, ..
            } => {
                let bytes: &[u8] = (**buf).as_ref();
                match (bytes.get(index.clone()), bytes.get(blob.clone())) {
                    (Some(index), Some(blob)) => DocumentView {
                        index,
                        blob,
                        count: self.count,
                    },
                    // The buffer broke its promise not to change. An empty
                    // index makes every item read fail instead of panicking
                    // or returning other bytes.
                    _ => DocumentView {
                        index: &[],
                        blob: &[],
                        count: self.count,
                    },
                }
            }
        }
    }

    /// The shared container buffer this document reads from, if any (to
    /// store or send the container again without re-encoding it).
    pub fn shared_buffer(&self) -> Option<&SharedBuffer> {
        match &self.storage {
            Storage::Shared { buf, .. } => Some(buf),
            Storage::Owned { .. } => None,
        }
    }

    /// Full check in O(size): the body checksum, when the document was
    /// opened from a container that has one, and the whole index.
    pub fn verify(&self) -> Result<(), FormatError> {
        if let Storage::Shared {
            buf,
            index,
            body_checksum: Some(stored),
            ..
        } = &self.storage
        {
            let bytes: &[u8] = (**buf).as_ref();
            let computed = sj64(bytes.get(index.start..).unwrap_or_default());
            if *stored != computed {
                return Err(FormatError::BodyChecksum {
                    stored: *stored,
                    computed,
                });
            }
        }
        self.view().verify_index()
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// See [`DocumentView::blob`].
    pub fn blob(&self) -> &[u8] {
        self.view().blob()
    }

    /// See [`DocumentView::index_bytes`].
    pub fn index_bytes(&self) -> &[u8] {
        self.view().index_bytes()
    }

    /// See [`DocumentView::offset`].
    pub fn offset(&self, k: usize) -> Option<u64> {
        self.view().offset(k)
    }

    /// See [`DocumentView::item`].
    pub fn item(&self, i: usize) -> Result<&[u8], Error> {
        self.view().item(i)
    }

    /// See [`DocumentView::page`].
    pub fn page(&self, offset: usize, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        self.view().page(offset, limit)
    }

    /// See [`DocumentView::write_page_into`].
    pub fn write_page_into(
        &self,
        out: &mut Vec<u8>,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<(), Error> {
        self.view().write_page_into(out, offset, limit)
    }

    /// See [`DocumentView::slice`].
    pub fn slice(&self, a: usize, b: usize) -> Result<Vec<u8>, Error> {
        self.view().slice(a, b)
    }

    /// See [`DocumentView::write_slice_into`].
    pub fn write_slice_into(&self, out: &mut Vec<u8>, a: usize, b: usize) -> Result<(), Error> {
        self.view().write_slice_into(out, a, b)
    }

    /// See [`DocumentView::take`].
    pub fn take(&self, indices: impl IntoIterator<Item = usize>) -> Result<Vec<u8>, Error> {
        self.view().take(indices)
    }

    /// See [`DocumentView::write_take_into`].
    pub fn write_take_into(
        &self,
        out: &mut Vec<u8>,
        indices: impl IntoIterator<Item = usize>,
    ) -> Result<(), Error> {
        self.view().write_take_into(out, indices)
    }

    /// See [`DocumentView::envelope`].
    pub fn envelope(
        &self,
        offset: usize,
        limit: Option<usize>,
        items_key: &str,
        total_key: &str,
        extra: Option<&[u8]>,
    ) -> Result<Vec<u8>, Error> {
        self.view()
            .envelope(offset, limit, items_key, total_key, extra)
    }

    /// See [`DocumentView::write_envelope_into`].
    pub fn write_envelope_into(
        &self,
        out: &mut Vec<u8>,
        offset: usize,
        limit: Option<usize>,
        keys: &Envelope,
        extra: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.view()
            .write_envelope_into(out, offset, limit, keys, extra)
    }

    /// See [`DocumentView::to_container`]. A document read from a
    /// checksummed container is checked against its stored checksum first,
    /// so damaged bytes are never written out under a fresh, valid one.
    pub fn to_container(&self, checksum: bool) -> Result<Vec<u8>, FormatError> {
        self.check_stored_checksum()?;
        self.view().to_container(checksum)
    }

    /// See [`to_container`](Self::to_container).
    pub fn write_container(&self, out: &mut Vec<u8>, checksum: bool) -> Result<(), FormatError> {
        self.check_stored_checksum()?;
        self.view().write_container(out, checksum)
    }

    /// The view to write out as a container, after the checks
    /// [`to_container`](Self::to_container) makes (the stored checksum, the
    /// whole index), for callers that write the container bytes themselves.
    pub fn view_to_write(&self) -> Result<DocumentView<'_>, FormatError> {
        self.check_stored_checksum()?;
        let view = self.view();
        view.verify_index()?;
        Ok(view)
    }

    fn check_stored_checksum(&self) -> Result<(), FormatError> {
        match &self.storage {
            Storage::Shared {
                body_checksum: Some(_),
                ..
            } => self.verify(),
            _ => Ok(()),
        }
    }
}
