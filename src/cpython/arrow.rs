//! The Arrow PyCapsule interface: importing a table through
//! `__arrow_c_stream__` (the Arrow C stream interface) into arrow-rs record
//! batches that own their buffers. The one unsafe step, taking the stream
//! out of its capsule, is here; reading the batches is arrow-rs's safe API.

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// The capsule name the C stream interface requires.
const STREAM_CAPSULE: &std::ffi::CStr = c"arrow_array_stream";

/// Whether `obj`'s type exports the Arrow C stream interface.
pub fn is_arrow_stream(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type()
        .hasattr(pyo3::intern!(obj.py(), "__arrow_c_stream__"))
        .unwrap_or(false)
}

/// Every batch of `obj`'s Arrow stream, and its schema. Each column is
/// checked in full (buffer sizes, offsets, UTF-8) as arrow-rs's safe
/// constructors would: the import itself trusts the producer.
pub fn import_stream(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let capsule = obj.call_method0(pyo3::intern!(obj.py(), "__arrow_c_stream__"))?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__() did not return a PyCapsule"))?;
    // Checks the name (PyCapsule_IsValid) and that the pointer is not NULL.
    let ptr = capsule
        .pointer_checked(Some(STREAM_CAPSULE))
        .map_err(|_| {
            PyTypeError::new_err(
                "__arrow_c_stream__() did not return a capsule named \"arrow_array_stream\"",
            )
        })?
        .cast::<FFI_ArrowArrayStream>()
        .as_ptr();
    // SAFETY: the capsule's name was checked above (and the pointer is not
    // NULL), and the Arrow PyCapsule interface defines a capsule of that
    // name to hold a valid `struct ArrowArrayStream` (whose layout
    // `FFI_ArrowArrayStream` matches, `#[repr(C)]`). `from_raw` moves the stream out and marks the
    // one in the capsule released (release = NULL), which is how the
    // interface says a consumer takes ownership: the capsule's destructor
    // then does nothing. We hold `capsule` (and the GIL) meanwhile, so the
    // pointer stays valid during the move.
    let reader = unsafe { RecordBatchStreamReader::from_raw(ptr) }
        .map_err(|e| PyValueError::new_err(format!("cannot import the Arrow stream: {e}")))?;
    let schema = reader.schema();
    let mut batches = Vec::new();
    for batch in reader {
        let batch = batch
            .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
        for c in batch.columns() {
            c.to_data().validate_full().map_err(|e| {
                PyValueError::new_err(format!("the Arrow stream holds an invalid array: {e}"))
            })?;
        }
        batches.push(batch);
    }
    Ok((schema, batches))
}
