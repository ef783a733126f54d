//! Float text exactly as Python's `repr(float)`.
//!
//! `zmij` supplies the shortest round-trip digits, which are the digits
//! Python's `repr` picks too, and already lays most values out as `repr`
//! does: fixed notation with `.0` on integral values, `e+XX`/`e-XX`/`e±XXX`
//! exponents. Only two layouts differ: zmij starts fixed notation at 1e-5
//! where Python starts it at 1e-4, and writes one-digit exponents (`e-7`)
//! where Python pads them to two (`e-07`). The tests check the result against
//! CPython and against a layout-independent re-parse of ryu's digits.

#[cfg(test)]
mod tests;

/// Appends the `repr()` text of a finite `f64`: shortest round-trip digits,
/// fixed notation when 1e-4 <= |v| < 1e16, `.0` on integral values,
/// otherwise `d[.ddd]e±XX` with at least two exponent digits; `-0.0` kept.
/// The caller handles NaN and infinities (they are not JSON).
#[inline]
pub fn write_f64(out: &mut Vec<u8>, v: f64) {
    debug_assert!(v.is_finite(), "write_f64({v}) is not finite");
    let mut buf = zmij::Buffer::new();
    let text = buf.format_finite(v).as_bytes();
    let a = v.abs();
    // Shortest digits never round across a power of ten that is itself a
    // double's exact shortest text, so the notation follows from |v| alone.
    if (1e-4..1e16).contains(&a) || a == 0.0 {
        out.extend_from_slice(text);
    } else {
        write_relayout(out, text);
    }
}

/// zmij's text outside Python's fixed-notation range, relaid out.
#[cold]
#[inline(never)]
fn write_relayout(out: &mut Vec<u8>, text: &[u8]) {
    let n = text.len();
    if n >= 3 && text[n - 3] == b'e' {
        // `e-D` (a positive exponent below 16 is never in exponent form).
        out.extend_from_slice(&text[..n - 1]);
        out.push(b'0');
        out.push(text[n - 1]);
        return;
    }
    if n >= 4 && (text[n - 4] == b'e' || (n >= 5 && text[n - 5] == b'e')) {
        out.extend_from_slice(text);
        return;
    }
    // 1e-5 <= |v| < 1e-4, which zmij writes as `0.0000ddd`: Python writes
    // `d[.dd]e-05`.
    let negative = text[0] == b'-';
    let digits = &text[usize::from(negative) + 6..];
    debug_assert!(text[usize::from(negative)..].starts_with(b"0.0000"));
    if negative {
        out.push(b'-');
    }
    out.push(digits[0]);
    if digits.len() > 1 {
        out.push(b'.');
        out.extend_from_slice(&digits[1..]);
    }
    out.extend_from_slice(b"e-05");
}
