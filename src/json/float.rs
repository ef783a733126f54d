//! Float text exactly as Python's `repr(float)`.

/// Appends the `repr()` text of a finite `f64`: shortest round-trip digits,
/// fixed notation when 1e-4 <= |v| < 1e16, `.0` on integral values,
/// otherwise `d[.ddd]e±XX` with at least two exponent digits; `-0.0` kept.
/// The caller handles NaN and infinities (they are not JSON).
pub fn write_f64(out: &mut Vec<u8>, v: f64) {
    let _ = (out, v);
    unimplemented!("json::float::write_f64")
}
