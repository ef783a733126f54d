//! Bulk search for the first byte that cannot be copied verbatim into a JSON
//! string. Runs of plain bytes are the common case, so they are skipped a
//! whole chunk at a time and then copied with one `extend_from_slice`.
//!
//! Every byte below 0x20 and `"`/`\` always stop the scan. `HIGH` adds all
//! bytes from 0x80 up (input that must be transcoded or `\u`-escaped), `DEL`
//! adds 0x7F (which `ensure_ascii=True` escapes). `DEL` is only meaningful
//! with `HIGH`.

/// Index of the first byte to stop at, or `bytes.len()` if there is none.
#[inline]
pub fn find<const HIGH: bool, const DEL: bool>(bytes: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::find::<HIGH, DEL>(bytes)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::find::<HIGH, DEL>(bytes)
    }
}

/// True when none of the 16 bytes is a stop byte in `ensure_ascii` mode
/// (so they are printable ASCII other than `"` and `\`).
#[inline(always)]
pub fn printable16(bytes: &[u8; 16]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::mask::<true, true>(bytes, 0) == 0
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::find::<true, true>(bytes) == 16
    }
}

#[inline(always)]
fn stops<const HIGH: bool, const DEL: bool>(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || (HIGH && b >= 0x80) || (DEL && b == 0x7F)
}

fn find_scalar<const HIGH: bool, const DEL: bool>(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| stops::<HIGH, DEL>(b))
        .map_or(bytes.len(), |p| from + p)
}

/// Eight bytes per step in a `u64`, portable and safe.
pub(super) mod swar {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;

    // The classic "has zero byte" trick. A borrow out of a matching byte can
    // flag bytes above it, never below it, so the lowest flagged byte is
    // always a true match; that is all `find` relies on.
    #[inline(always)]
    fn below(x: u64, n: u8) -> u64 {
        x.wrapping_sub(LO * n as u64) & !x & HI
    }

    #[inline(always)]
    fn equal(x: u64, b: u8) -> u64 {
        below(x ^ (LO * b as u64), 1)
    }

    #[inline(always)]
    fn mask<const HIGH: bool, const DEL: bool>(x: u64) -> u64 {
        let mut m = below(x, 0x20) | equal(x, b'"') | equal(x, b'\\');
        if HIGH {
            m |= x & HI;
        }
        if DEL {
            m |= equal(x, 0x7F);
        }
        m
    }

    #[inline(always)]
    fn load(bytes: &[u8], at: usize) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    }

    #[inline]
    pub fn find<const HIGH: bool, const DEL: bool>(bytes: &[u8]) -> usize {
        let len = bytes.len();
        if len < 8 {
            return super::find_scalar::<HIGH, DEL>(bytes, 0);
        }
        let mut i = 0;
        while i + 8 <= len {
            let m = mask::<HIGH, DEL>(load(bytes, i));
            if m != 0 {
                return i + (m.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        if i < len {
            // Overlap the last word with bytes already known to be plain,
            // so a hit in it is at or after `i`.
            let m = mask::<HIGH, DEL>(load(bytes, len - 8));
            if m != 0 {
                return len - 8 + (m.trailing_zeros() / 8) as usize;
            }
        }
        len
    }
}

/// Sixteen bytes per step. SSE2 is part of the x86_64 baseline, so no
/// runtime detection is needed.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };

    /// Bit `k` of the result is set when byte `k` of `bytes[at..at + 16]`
    /// stops the scan.
    #[inline(always)]
    pub fn mask<const HIGH: bool, const DEL: bool>(bytes: &[u8], at: usize) -> u32 {
        let chunk = &bytes[at..at + 16];
        // SAFETY: `chunk` is exactly 16 readable bytes and `_mm_loadu_si128`
        // has no alignment requirement. The other intrinsics only operate on
        // registers, and SSE2 is always available on x86_64.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            let low = if HIGH {
                // Signed compare: bytes >= 0x80 are negative, so this single
                // compare finds both control characters and non-ASCII bytes.
                _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))
            } else {
                // Unsigned `v <= 0x1F`, leaving UTF-8 bytes >= 0x80 alone.
                _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v)
            };
            let mut m = _mm_or_si128(_mm_or_si128(quote, backslash), low);
            if DEL {
                m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
            }
            _mm_movemask_epi8(m) as u32
        }
    }

    #[inline]
    pub fn find<const HIGH: bool, const DEL: bool>(bytes: &[u8]) -> usize {
        let len = bytes.len();
        if len < 16 {
            return super::swar::find::<HIGH, DEL>(bytes);
        }
        let mut i = 0;
        while i + 16 <= len {
            let m = mask::<HIGH, DEL>(bytes, i);
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
        if i < len {
            // Bytes before `i` are plain, so a hit here is at or after `i`.
            let m = mask::<HIGH, DEL>(bytes, len - 16);
            if m != 0 {
                return len - 16 + m.trailing_zeros() as usize;
            }
        }
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference<const HIGH: bool, const DEL: bool>(bytes: &[u8]) -> usize {
        find_scalar::<HIGH, DEL>(bytes, 0)
    }

    fn check_all(bytes: &[u8]) {
        fn one<const HIGH: bool, const DEL: bool>(bytes: &[u8]) {
            let want = reference::<HIGH, DEL>(bytes);
            assert_eq!(find::<HIGH, DEL>(bytes), want, "{bytes:?} {HIGH} {DEL}");
            assert_eq!(
                swar::find::<HIGH, DEL>(bytes),
                want,
                "{bytes:?} {HIGH} {DEL}"
            );
        }
        if let Ok(chunk) = <&[u8; 16]>::try_from(bytes) {
            assert_eq!(
                printable16(chunk),
                reference::<true, true>(bytes) == 16,
                "{bytes:?}"
            );
        }
        one::<false, false>(bytes);
        one::<true, false>(bytes);
        one::<true, true>(bytes);
    }

    #[test]
    fn every_byte_value_at_every_position() {
        for len in 0..70 {
            let plain = vec![b'a'; len];
            check_all(&plain);
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut v = plain.clone();
                    v[pos] = b;
                    check_all(&v);
                }
            }
        }
    }

    #[test]
    fn first_of_several_hits_wins() {
        // Borrows in the SWAR check may flag bytes after a real hit; the
        // reported index must still be the first real one.
        for len in 2..40 {
            for a in 0..len {
                for b in a + 1..len {
                    for (x, y) in [(0u8, 0x01u8), (0x1F, b'"'), (b'\\', 0x00), (0x80, 0x1F)] {
                        let mut v = vec![b' '; len];
                        v[a] = x;
                        v[b] = y;
                        check_all(&v);
                        v[a] = 0x21;
                        check_all(&v);
                    }
                }
            }
        }
    }
}
