//! One-byte inputs: UTF-8 text, and Latin-1 (which ASCII is a subset of).
//! Plain runs are found by `scan` and copied in one piece.

use super::{emit, scan};

/// `bytes` is valid UTF-8. `ASCII` selects `ensure_ascii` output.
pub fn utf8<const ASCII: bool>(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    let mut copied = 0;
    let mut i = 0;
    loop {
        // Without `ASCII`, UTF-8 sequences pass through untouched, so the
        // scan need not stop at bytes >= 0x80.
        i += scan::find::<ASCII, ASCII>(&bytes[i..]);
        if i >= len {
            break;
        }
        out.extend_from_slice(&bytes[copied..i]);
        let b = bytes[i];
        if b < 0x80 {
            push_ascii::<ASCII>(out, b);
            i += 1;
        } else {
            // Like Latin-1 below: finish a cluster of non-ASCII characters
            // (common in non-Latin scripts) before scanning again.
            while i < len && bytes[i] >= 0x80 {
                let (cp, n) = emit::decode_utf8(bytes, i);
                emit::push_escaped_code_point(out, cp);
                i += n;
            }
        }
        copied = i;
    }
    out.extend_from_slice(&bytes[copied..]);
}

/// `bytes` are code points U+0000..=U+00FF. `ASCII` selects `ensure_ascii`.
pub fn latin1<const ASCII: bool>(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    let mut copied = 0;
    let mut i = 0;
    loop {
        i += scan::find::<true, ASCII>(&bytes[i..]);
        if i >= len {
            break;
        }
        out.extend_from_slice(&bytes[copied..i]);
        let b = bytes[i];
        if b < 0x80 {
            push_ascii::<ASCII>(out, b);
            i += 1;
        } else {
            // Non-ASCII letters often come in clusters ("ÄÖÜ", "ñá"):
            // handle a whole cluster before scanning again.
            while i < len && bytes[i] >= 0x80 {
                let b = bytes[i];
                if ASCII {
                    emit::push_u_escape(out, b as u32);
                } else {
                    out.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]);
                }
                i += 1;
            }
        }
        copied = i;
    }
    out.extend_from_slice(&bytes[copied..]);
}

#[inline(always)]
fn push_ascii<const ASCII: bool>(out: &mut Vec<u8>, b: u8) {
    if ASCII && b == 0x7F {
        emit::push_u_escape(out, 0x7F);
    } else {
        emit::push_ascii(out, b);
    }
}
