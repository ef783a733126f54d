//! Two- and four-byte inputs (CPython's UCS2 and UCS4 layouts), which may
//! hold surrogate code points.
//!
//! A string stored this wide is often mostly ASCII anyway (one emoji or
//! typographic quote widens the whole string), so text is taken in chunks
//! of `LANES` units: a chunk of plain printable ASCII is narrowed and copied
//! at once, any other chunk is encoded unit by unit.

use super::{emit, scan, LoneSurrogate};

const LANES: usize = 16;

/// `ASCII` selects `ensure_ascii` output. `T` is `u16` or `u32`.
pub fn units<T: Copy + Into<u32>, const ASCII: bool>(
    out: &mut Vec<u8>,
    units: &[T],
) -> Result<(), LoneSurrogate> {
    let mut chunks = units.chunks_exact(LANES);
    let mut index = 0;
    for chunk in &mut chunks {
        match narrow_plain(chunk.try_into().expect("chunks_exact")) {
            Some(bytes) => out.extend_from_slice(&bytes),
            None => one_by_one::<T, ASCII>(out, chunk, index)?,
        }
        index += LANES;
    }
    one_by_one::<T, ASCII>(out, chunks.remainder(), index)?;
    Ok(())
}

/// The chunk as bytes if every unit is printable ASCII other than `"` and
/// `\`. Narrowing first lets the check run on one 16-byte vector.
#[inline(always)]
fn narrow_plain<T: Copy + Into<u32>>(chunk: &[T; LANES]) -> Option<[u8; LANES]> {
    let mut any = 0u32;
    let mut bytes = [0u8; LANES];
    for (byte, &unit) in bytes.iter_mut().zip(chunk) {
        let u: u32 = unit.into();
        any |= u;
        *byte = u as u8;
    }
    (any < 0x80 && scan::stops_mask::<true, true>(&bytes) == 0).then_some(bytes)
}

/// `first` is the index of `units[0]` in the whole string.
#[inline(always)]
fn one_by_one<T: Copy + Into<u32>, const ASCII: bool>(
    out: &mut Vec<u8>,
    units: &[T],
    first: usize,
) -> Result<(), LoneSurrogate> {
    for (k, &unit) in units.iter().enumerate() {
        let cp: u32 = unit.into();
        if cp < 0x7F {
            emit::push_ascii(out, cp as u8);
        } else if ASCII {
            emit::push_escaped_code_point(out, cp);
        } else if cp < 0x80 {
            out.push(0x7F);
        } else if (0xD800..0xE000).contains(&cp) {
            return Err(LoneSurrogate {
                index: first + k,
                code_point: cp,
            });
        } else {
            emit::push_utf8(out, cp);
        }
    }
    Ok(())
}
