//! One-byte inputs: UTF-8 text, and Latin-1 (which ASCII is a subset of).
//!
//! Input goes sixteen bytes at a time through `emit::chunk`. Short strings,
//! the common case, thus cost one chunk and no `memcpy` call, and an escape
//! in the middle of a run costs no rescan.

use super::{emit, scan};

/// The last `bytes.len() - at` (< 16) bytes as a chunk, zero-padded.
#[inline(always)]
fn tail(bytes: &[u8], at: usize) -> u128 {
    let len = bytes.len();
    if len >= 16 {
        // The last sixteen bytes, moved down so `at` lands on byte 0.
        let last = u128::from_le_bytes(bytes[len - 16..].try_into().expect("16 bytes"));
        last >> (8 * (at + 16 - len))
    } else {
        short(bytes) >> (8 * at)
    }
}

/// All of a string shorter than sixteen bytes, from two overlapping loads
/// (the overlap holds the same bytes, so or-ing them is exact).
#[inline(always)]
fn short(bytes: &[u8]) -> u128 {
    let len = bytes.len();
    if len >= 8 {
        let word =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes")) as u128;
        word(0) | word(len - 8) << (8 * (len - 8))
    } else if len >= 4 {
        let word =
            |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as u128;
        word(0) | word(len - 4) << (8 * (len - 4))
    } else if len > 0 {
        let byte = |at: usize| (bytes[at] as u128) << (8 * at);
        byte(0) | byte(len / 2) | byte(len - 1)
    } else {
        0
    }
}

/// `bytes` is valid UTF-8. `ASCII` selects `ensure_ascii` output.
pub fn utf8<const ASCII: bool>(out: &mut Vec<u8>, bytes: &[u8]) {
    if ASCII {
        return utf8_escaped(out, bytes);
    }
    // UTF-8 sequences pass through untouched, so only ASCII bytes stop the
    // copy and each stop is one byte.
    run::<false, false>(out, bytes, emit::put_ascii::<false>);
}

/// `bytes` are code points U+0000..=U+00FF. `ASCII` selects `ensure_ascii`.
pub fn latin1<const ASCII: bool>(out: &mut Vec<u8>, bytes: &[u8]) {
    run::<true, ASCII>(out, bytes, |out, b| {
        if b < 0x80 {
            emit::put_ascii::<ASCII>(out, b);
        } else if ASCII {
            emit::push_u_escape(out, b as u32);
        } else {
            out.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]);
        }
    });
}

/// Strings up to this long store each plain chunk as it is classified
/// (fixed-size stores, no call); longer ones gather plain chunks into runs
/// copied with one `extend_from_slice`, which is faster per byte once the
/// `memcpy` call is paid for.
const STORE_EACH_CHUNK_UP_TO: usize = 64;

/// Chunks of one-byte input where every stop byte is written on its own.
#[inline(always)]
fn run<const HIGH: bool, const DEL: bool>(
    out: &mut Vec<u8>,
    bytes: &[u8],
    mut stop: impl FnMut(&mut Vec<u8>, u8),
) {
    let mut chunks = bytes.chunks_exact(16);
    let mut first = 0;
    if bytes.len() <= STORE_EACH_CHUNK_UP_TO {
        for c in &mut chunks {
            let c: &[u8; 16] = c.try_into().expect("16 bytes");
            let stops = scan::stops_mask::<HIGH, DEL>(c);
            let _ = emit::chunk::<()>(out, c, stops, 16, |out, k| {
                stop(out, bytes[first + k]);
                Ok(())
            });
            first += 16;
        }
    } else {
        // Start of the plain run not yet copied.
        let mut copied = 0;
        for c in &mut chunks {
            let c: &[u8; 16] = c.try_into().expect("16 bytes");
            let stops = scan::stops_mask::<HIGH, DEL>(c);
            if stops != 0 {
                out.extend_from_slice(&bytes[copied..first]);
                let _ = emit::chunk::<()>(out, c, stops, 16, |out, k| {
                    stop(out, bytes[first + k]);
                    Ok(())
                });
                copied = first + 16;
            }
            first += 16;
        }
        out.extend_from_slice(&bytes[copied..first]);
    }
    let n = chunks.remainder().len();
    if n > 0 {
        let c = tail(bytes, first);
        let stops = scan::stops_mask_word::<HIGH, DEL>(c);
        let _ = emit::chunk::<()>(out, &c.to_le_bytes(), stops, n, |out, k| {
            stop(out, bytes[first + k]);
            Ok(())
        });
    }
}

/// `ensure_ascii` output from UTF-8, where one stop can be a multi-byte
/// sequence reaching into the next chunk.
fn utf8_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    let mut i = 0;
    while i < len {
        let c = match bytes.get(i..i + 16) {
            Some(c) => c.try_into().expect("16 bytes"),
            None => tail(bytes, i).to_le_bytes(),
        };
        let n = (len - i).min(16);
        let stops = scan::stops_mask::<true, true>(&c);
        let plain = ((stops.trailing_zeros() / 8) as usize).min(n);
        emit::put(out, &c, plain);
        i += plain;
        if plain == n {
            continue;
        }
        let b = bytes[i];
        if b < 0x80 {
            emit::put_ascii::<true>(out, b);
            i += 1;
        } else {
            // Non-Latin scripts come in clusters: finish one before the
            // next chunk.
            while i < len && bytes[i] >= 0x80 {
                let (cp, n) = emit::decode_utf8(bytes, i);
                emit::push_escaped_code_point(out, cp);
                i += n;
            }
        }
    }
}
