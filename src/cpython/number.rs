//! `int` and `float` values.

use super::layout::*;
use super::object::Obj;
use pyo3::ffi;
use std::mem::size_of;

/// An int's value: small ones as `i64`, larger ones as their base-2**30
/// digits (raw path) or decimal text (fallback path).
pub enum IntValue<'a> {
    Small(i64),
    Digits { negative: bool, digits: &'a [u32] },
    Decimal(String),
}

/// The value of `obj`, which must be an `int` (or subclass) instance.
/// `Err` carries the message of a failed fallback conversion.
#[inline]
pub fn int_value(obj: Obj<'_>) -> Result<IntValue<'_>, String> {
    if super::raw(super::Reader::Int) {
        return Ok(raw_int(obj));
    }
    api_int(obj)
}

#[inline(always)]
fn raw_int(obj: Obj<'_>) -> IntValue<'_> {
    let p = obj.as_ptr() as *const u8;
    // SAFETY: `obj` is a live int (caller checked); layout confirmed by the
    // self-check; `ndigits` digits follow the head inside the object.
    unsafe {
        let tag = (*(p as *const LongHead)).tag;
        #[cfg(Py_3_12)]
        let (negative, n) = {
            let t = tag as usize;
            (
                t & LONG_SIGN_MASK == LONG_SIGN_NEGATIVE,
                t >> LONG_NDIGITS_SHIFT,
            )
        };
        #[cfg(not(Py_3_12))]
        let (negative, n) = (tag < 0, tag.unsigned_abs());
        let digits = std::slice::from_raw_parts(p.add(size_of::<LongHead>()) as *const u32, n);
        match digits.len() {
            0 => IntValue::Small(0),
            1 => IntValue::Small(if negative {
                -(digits[0] as i64)
            } else {
                digits[0] as i64
            }),
            2 => {
                let m = digits[0] as i64 | (digits[1] as i64) << LONG_DIGIT_BITS;
                IntValue::Small(if negative { -m } else { m })
            }
            3 => {
                let m = digits[0] as u128 | (digits[1] as u128) << 30 | (digits[2] as u128) << 60;
                let limit = if negative {
                    1u128 << 63
                } else {
                    (1u128 << 63) - 1
                };
                if m <= limit {
                    IntValue::Small(if negative {
                        (m as i128).wrapping_neg() as i64
                    } else {
                        m as i64
                    })
                } else {
                    IntValue::Digits { negative, digits }
                }
            }
            _ => IntValue::Digits { negative, digits },
        }
    }
}

fn api_int(obj: Obj<'_>) -> Result<IntValue<'_>, String> {
    // SAFETY: C API calls on a live int with the GIL held (fallback path).
    unsafe {
        let mut overflow = 0;
        let v = ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow);
        // -1 is an error only when an exception is set.
        if overflow == 0 && (v != -1 || ffi::PyErr_Occurred().is_null()) {
            return Ok(IntValue::Small(v));
        }
        ffi::PyErr_Clear();
        // int's own repr, so a subclass's __repr__/__str__ is not consulted.
        let repr = (*std::ptr::addr_of_mut!(ffi::PyLong_Type))
            .tp_repr
            .expect("int has tp_repr");
        let s = repr(obj.as_ptr());
        if s.is_null() {
            let err = pyo3::PyErr::fetch(pyo3::Python::assume_attached());
            return Err(err.to_string());
        }
        let mut size: ffi::Py_ssize_t = 0;
        let utf8 = ffi::PyUnicode_AsUTF8AndSize(s, &mut size);
        let text =
            String::from_utf8_lossy(std::slice::from_raw_parts(utf8 as *const u8, size as usize))
                .into_owned();
        ffi::Py_DECREF(s);
        Ok(IntValue::Decimal(text))
    }
}

/// The value of `obj`, which must be a `float` (or subclass) instance.
#[inline(always)]
pub fn float_value(obj: Obj<'_>) -> f64 {
    if super::raw(super::Reader::Float) {
        // SAFETY: a live float; ob_fval's position confirmed by the self-check.
        return unsafe { (*(obj.as_ptr() as *const FloatObject)).ob_fval };
    }
    // SAFETY: C API on a live float with the GIL held; cannot fail for a
    // float instance.
    unsafe { ffi::PyFloat_AsDouble(obj.as_ptr()) }
}
