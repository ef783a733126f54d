//! Float text exactly as Python's `repr(float)`.
//!
//! `ryu` supplies the shortest round-trip digits, which are the digits
//! Python's `repr` picks too; only the layout differs. ryu writes fixed
//! notation for 1e-5 <= |v| < 1e16 and `d[.ddd]e[-]X` otherwise, while Python
//! starts fixed notation at 1e-4 and writes exponents as `e±XX`. Re-laying out
//! just those two differences from ryu's text is much cheaper than
//! re-parsing it in full; the tests check the result against CPython and
//! against a layout-independent re-parse.

#[cfg(test)]
mod tests;

/// Appends the `repr()` text of a finite `f64`: shortest round-trip digits,
/// fixed notation when 1e-4 <= |v| < 1e16, `.0` on integral values,
/// otherwise `d[.ddd]e±XX` with at least two exponent digits; `-0.0` kept.
/// The caller handles NaN and infinities (they are not JSON).
pub fn write_f64(out: &mut Vec<u8>, v: f64) {
    debug_assert!(v.is_finite(), "write_f64({v}) is not finite");
    if v == 0.0 {
        out.extend_from_slice(if v.is_sign_negative() {
            b"-0.0"
        } else {
            b"0.0"
        });
        return;
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(v).as_bytes();
    // The exponent part is at most `e-324`, five bytes.
    let tail = text.len().saturating_sub(5);
    match text[tail..].iter().position(|&c| c == b'e') {
        Some(at) => {
            let e = tail + at;
            out.extend_from_slice(&text[..e]);
            write_exponent(out, &text[e + 1..]);
        }
        None => {
            let sign = usize::from(v < 0.0);
            if text[sign..].starts_with(b"0.0000") {
                write_below_1e_4(out, sign == 1, &text[sign + 6..]);
            } else {
                out.extend_from_slice(text);
            }
        }
    }
}

/// ryu's exponent (`16`, `-7`, `308`) as Python's (`e+16`, `e-07`, `e+308`).
#[inline]
fn write_exponent(out: &mut Vec<u8>, ryu_exp: &[u8]) {
    let (sign, digits) = match ryu_exp.split_first() {
        Some((b'-', rest)) => (b'-', rest),
        _ => (b'+', ryu_exp),
    };
    match *digits {
        [d] => out.extend_from_slice(&[b'e', sign, b'0', d]),
        [d1, d2] => out.extend_from_slice(&[b'e', sign, d1, d2]),
        [d1, d2, d3] => out.extend_from_slice(&[b'e', sign, d1, d2, d3]),
        _ => unreachable!("a double's decimal exponent has 1 to 3 digits"),
    }
}

/// 1e-5 <= |v| < 1e-4, which ryu writes as `0.0000ddd`: Python writes
/// `d[.dd]e-05`.
#[cold]
fn write_below_1e_4(out: &mut Vec<u8>, negative: bool, digits: &[u8]) {
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
