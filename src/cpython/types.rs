//! Type objects the emitter dispatches on, looked up once at import.

use super::object::TypeRef;
use pyo3::ffi;
use pyo3::prelude::*;
use std::sync::OnceLock;

pub struct Types {
    pub str_: TypeRef,
    pub int: TypeRef,
    pub float: TypeRef,
    pub bool_: TypeRef,
    pub none: TypeRef,
    pub list: TypeRef,
    pub tuple: TypeRef,
    pub dict: TypeRef,
    pub datetime: TypeRef,
    pub date: TypeRef,
    pub time: TypeRef,
    pub timedelta: TypeRef,
    pub timezone: TypeRef,
    pub uuid: TypeRef,
    pub decimal: TypeRef,
    pub enum_meta: TypeRef,
    /// `datetime.timezone.utc`.
    pub utc: usize,
    pub true_: usize,
    pub none_obj: usize,
    /// Byte offset of `UUID.int` (a `__slots__` member), if it is one.
    pub uuid_int_offset: Option<usize>,
    /// `"int"`, interned: the attribute name for the fallback path.
    pub uuid_int_name: Py<pyo3::types::PyString>,
}

// SAFETY: immutable after init; only pointers to immortal-for-our-purposes
// type objects (held by their modules, which are never unloaded).
unsafe impl Send for Types {}
unsafe impl Sync for Types {}

static TYPES: OnceLock<Types> = OnceLock::new();

/// The dispatch types. Panics if called before `init_types` (module init).
#[inline(always)]
pub fn types() -> &'static Types {
    TYPES
        .get()
        .expect("slotjson types are initialised at import")
}

fn type_of(obj: &Bound<'_, PyAny>) -> PyResult<TypeRef> {
    TypeRef::from_bound(obj)
        .ok_or_else(|| pyo3::exceptions::PyTypeError::new_err("expected a type"))
}

fn static_type(t: *mut ffi::PyTypeObject) -> TypeRef {
    TypeRef(t)
}

/// Look the types up (under the GIL, at import). Keeps a strong reference to
/// each module-level type so their pointers stay valid for the process.
pub fn init_types(py: Python<'_>) -> PyResult<()> {
    if TYPES.get().is_some() {
        return Ok(());
    }
    let dt = py.import("datetime")?;
    let get = |m: &Bound<'_, PyModule>, name: &str| -> PyResult<TypeRef> {
        let t = m.getattr(name)?;
        let r = type_of(&t)?;
        std::mem::forget(t); // keep the type alive for the process
        Ok(r)
    };
    let uuid_mod = py.import("uuid")?;
    let uuid = get(&uuid_mod, "UUID")?;
    let uuid_int_offset = uuid
        .to_bound(py)
        .getattr("__dict__")?
        .get_item("int")
        .ok()
        .and_then(|d| super::slots::member_offset_for(uuid, &d));
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    let utc_addr = utc.as_ptr() as usize;
    std::mem::forget(utc);
    // SAFETY: addresses of CPython's static type objects and singletons.
    let (str_, int, float, bool_, list, tuple, dict, none, true_, none_obj) = unsafe {
        (
            static_type(std::ptr::addr_of_mut!(ffi::PyUnicode_Type)),
            static_type(std::ptr::addr_of_mut!(ffi::PyLong_Type)),
            static_type(std::ptr::addr_of_mut!(ffi::PyFloat_Type)),
            static_type(std::ptr::addr_of_mut!(ffi::PyBool_Type)),
            static_type(std::ptr::addr_of_mut!(ffi::PyList_Type)),
            static_type(std::ptr::addr_of_mut!(ffi::PyTuple_Type)),
            static_type(std::ptr::addr_of_mut!(ffi::PyDict_Type)),
            TypeRef((*ffi::Py_None()).ob_type),
            ffi::Py_True() as usize,
            ffi::Py_None() as usize,
        )
    };
    let types = Types {
        str_,
        int,
        float,
        bool_,
        none,
        list,
        tuple,
        dict,
        datetime: get(&dt, "datetime")?,
        date: get(&dt, "date")?,
        time: get(&dt, "time")?,
        timedelta: get(&dt, "timedelta")?,
        timezone: get(&dt, "timezone")?,
        uuid,
        decimal: get(&py.import("decimal")?, "Decimal")?,
        enum_meta: get(&py.import("enum")?, "EnumMeta")?,
        utc: utc_addr,
        true_,
        none_obj,
        uuid_int_offset,
        uuid_int_name: pyo3::types::PyString::intern(py, "int").unbind(),
    };
    let _ = TYPES.set(types);
    Ok(())
}
