//! Borrowed and owned object handles.

use pyo3::ffi;
use pyo3::prelude::*;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A borrowed pointer to a live Python object (see the module invariant).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Obj<'a> {
    ptr: NonNull<ffi::PyObject>,
    _life: PhantomData<&'a ffi::PyObject>,
}

// SAFETY: an `Obj` is a plain pointer; reading the objects it points to from
// another thread is sound under the module invariant (the owner of the call
// holds the GIL and runs no Python code while the pointer is used). Refcount
// changes and C API calls stay on the thread that holds the GIL.
unsafe impl Send for Obj<'_> {}
unsafe impl Sync for Obj<'_> {}

impl<'a> Obj<'a> {
    /// Borrow the object behind a `Bound` for as long as the `Bound` lives.
    #[inline]
    pub fn from_bound(b: &'a Bound<'_, PyAny>) -> Self {
        // SAFETY: a Bound always holds a non-null strong reference.
        Obj {
            ptr: unsafe { NonNull::new_unchecked(b.as_ptr()) },
            _life: PhantomData,
        }
    }

    /// Borrow an object that something other than the walk itself keeps
    /// alive for the whole encode call: a compiled plan's constants, or a
    /// new reference the caller holds until it has finished writing it.
    #[inline]
    pub fn held<'x>(b: &Bound<'_, PyAny>) -> Obj<'x> {
        // SAFETY: a Bound always holds a non-null strong reference; the
        // caller keeps it (or its owner) alive while the Obj is used.
        Obj {
            ptr: unsafe { NonNull::new_unchecked(b.as_ptr()) },
            _life: PhantomData,
        }
    }

    /// Borrow an object held by a `Py` that outlives the encode call (a
    /// compiled plan's constants). Needs no GIL: only the pointer is read.
    #[inline]
    pub fn of_py<'x>(p: &Py<PyAny>) -> Obj<'x> {
        // SAFETY: a Py always holds a non-null strong reference.
        Obj {
            ptr: unsafe { NonNull::new_unchecked(p.as_ptr()) },
            _life: PhantomData,
        }
    }

    /// # Safety
    /// `ptr` must be non-null and point to an object that stays alive for `'a`
    /// (module invariant).
    #[inline(always)]
    pub(super) unsafe fn from_ptr(ptr: *mut ffi::PyObject) -> Self {
        Obj {
            ptr: NonNull::new_unchecked(ptr),
            _life: PhantomData,
        }
    }

    #[inline(always)]
    pub fn as_ptr(self) -> *mut ffi::PyObject {
        self.ptr.as_ptr()
    }

    #[inline(always)]
    pub fn addr(self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// The object's type (`Py_TYPE`).
    #[inline(always)]
    pub fn ty(self) -> TypeRef {
        // SAFETY: every live object starts with a PyObject header whose
        // ob_type is a valid, live type object.
        TypeRef(unsafe { (*self.ptr.as_ptr()).ob_type })
    }

    /// A new strong reference as a `Bound` (needs the GIL: `py`).
    #[inline]
    pub fn to_bound<'py>(self, py: Python<'py>) -> Bound<'py, PyAny> {
        // SAFETY: the object is alive (module invariant) and the GIL is held.
        unsafe { Bound::from_borrowed_ptr(py, self.as_ptr()) }
    }
}

/// A type object pointer. Types outlive the objects that have them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TypeRef(pub(super) *mut ffi::PyTypeObject);

// SAFETY: only compared and read under the module invariant.
unsafe impl Send for TypeRef {}
unsafe impl Sync for TypeRef {}

impl TypeRef {
    #[inline(always)]
    pub fn addr(self) -> usize {
        self.0 as usize
    }

    #[inline(always)]
    pub fn flags(self) -> std::os::raw::c_ulong {
        // SAFETY: a live type object; tp_flags is a plain field.
        unsafe { (*self.0).tp_flags }
    }

    #[inline(always)]
    pub fn has_flag(self, flag: std::os::raw::c_ulong) -> bool {
        self.flags() & flag != 0
    }

    /// `issubclass(self, base)` without running Python code (walks tp_mro).
    #[inline]
    pub fn is_subtype(self, base: TypeRef) -> bool {
        // SAFETY: both are live type objects; PyType_IsSubtype only reads the
        // MRO tuple and never calls back into Python.
        self == base || unsafe { ffi::PyType_IsSubtype(self.0, base.0) != 0 }
    }

    /// The metatype (`type(cls)`).
    #[inline]
    pub fn meta(self) -> TypeRef {
        // SAFETY: a type object is an object; its header holds its metatype.
        TypeRef(unsafe { (*(self.0 as *mut ffi::PyObject)).ob_type })
    }

    /// The value stored under `name` in the type's own namespace (its
    /// `tp_dict`, what `type.__dict__` shows), not inherited and not looked
    /// up through the metatype: no `__getattribute__`, `__getattr__` or
    /// `__dict__` override of a metaclass is consulted, and no Python code
    /// runs (`name` is an exact str, hashed and compared natively).
    pub fn own_attr<'py>(
        self,
        py: Python<'py>,
        name: &Bound<'py, pyo3::types::PyString>,
    ) -> Option<Bound<'py, PyAny>> {
        // SAFETY: a live type object with the GIL held. Before 3.12 the type
        // dict is the `tp_dict` field (a borrowed reference, NULL only
        // before PyType_Ready); from 3.12 `PyType_GetDict` gives a new
        // reference (builtin static types keep theirs elsewhere). The item
        // is borrowed from the dict and turned into a new reference at once.
        unsafe {
            #[cfg(Py_3_12)]
            let dict = {
                let d = ffi::PyType_GetDict(self.0);
                if d.is_null() {
                    ffi::PyErr_Clear();
                    return None;
                }
                Bound::from_owned_ptr(py, d)
            };
            #[cfg(not(Py_3_12))]
            let dict = {
                let d = (*self.0).tp_dict;
                if d.is_null() {
                    return None;
                }
                Bound::from_borrowed_ptr(py, d)
            };
            if ffi::PyDict_Check(dict.as_ptr()) == 0 {
                return None;
            }
            let item = ffi::PyDict_GetItemWithError(dict.as_ptr(), name.as_ptr());
            if item.is_null() {
                ffi::PyErr_Clear();
                return None;
            }
            Some(Bound::from_borrowed_ptr(py, item))
        }
    }

    /// A new strong reference to the type (needs the GIL: `py`).
    pub fn to_bound<'py>(self, py: Python<'py>) -> Bound<'py, PyAny> {
        // SAFETY: live type object, GIL held.
        unsafe { Bound::from_borrowed_ptr(py, self.0 as *mut ffi::PyObject) }
    }

    pub fn from_bound(b: &Bound<'_, PyAny>) -> Option<TypeRef> {
        // SAFETY: reading ob_type/tp_flags of a live object.
        let is_type = unsafe { ffi::PyType_Check(b.as_ptr()) } != 0;
        is_type.then(|| TypeRef(b.as_ptr() as *mut ffi::PyTypeObject))
    }
}

/// A strong reference that is released on drop (fallback readers return
/// these when the C API hands out new references).
pub struct Owned<'a> {
    obj: Obj<'a>,
}

impl<'a> Owned<'a> {
    /// # Safety
    /// `ptr` must be a new strong reference (non-null); the GIL must be held
    /// when this value is dropped.
    pub(super) unsafe fn from_new_ref(ptr: *mut ffi::PyObject) -> Self {
        Owned {
            obj: Obj::from_ptr(ptr),
        }
    }

    /// The object; valid while this `Owned` is alive (callers keep it in
    /// scope for as long as they use the pointer).
    #[inline]
    pub fn obj(&self) -> Obj<'a> {
        self.obj
    }
}

impl Drop for Owned<'_> {
    fn drop(&mut self) {
        // SAFETY: we own one strong reference; fallback readers only run on
        // the thread that holds the GIL.
        unsafe { ffi::Py_DECREF(self.obj.as_ptr()) }
    }
}
