//! Classifying sixteen input bytes at a time: which of them cannot be
//! copied verbatim into a JSON string.
//!
//! Every byte below 0x20 and `"`/`\` always stop the copy. `HIGH` adds all
//! bytes from 0x80 up (input that must be transcoded or `\u`-escaped), `DEL`
//! adds 0x7F (which `ensure_ascii=True` escapes). `DEL` is only meaningful
//! with `HIGH`.
//!
//! The classification of a chunk in memory is a plain loop over a
//! fixed-size array, which the compiler turns into SSE2 compares on x86_64
//! (and the equivalent elsewhere); only the final mask leaves the vector
//! unit. Explicit intrinsics would need an `unsafe` call site (a
//! `#[target_feature]` function is only safe to call from another one),
//! and this module has none.

const HI: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;

/// Bit 7 of byte `k` of the result is set exactly when byte `k` of
/// `chunk` stops the copy; all other bits are clear.
#[inline(always)]
pub fn stops_mask<const HIGH: bool, const DEL: bool>(chunk: &[u8; 16]) -> u128 {
    let mut flags = [0u8; 16];
    for (flag, &b) in flags.iter_mut().zip(chunk) {
        // Non-short-circuiting `|` keeps this one vector compare per test.
        let low = if HIGH {
            // Signed: bytes >= 0x80 are negative, so one compare finds both
            // control characters and non-ASCII bytes.
            (b as i8) < 0x20
        } else {
            b < 0x20
        };
        let stop = low | (b == b'"') | (b == b'\\') | (DEL & (b == 0x7F));
        *flag = (stop as u8).wrapping_neg();
    }
    u128::from_le_bytes(flags) & HI
}

/// `stops_mask` for a chunk that is already in general registers (the
/// short tail of a string, assembled from overlapping loads): SWAR on its
/// two halves is cheaper there than moving it into a vector register.
#[inline(always)]
pub fn stops_mask_word<const HIGH: bool, const DEL: bool>(chunk: u128) -> u128 {
    let lo = swar::mask::<HIGH, DEL>(chunk as u64);
    let hi = swar::mask::<HIGH, DEL>((chunk >> 64) as u64);
    (hi as u128) << 64 | lo as u128
}

/// Number of leading bytes of `chunk` that need no escaping, 0..=16.
#[cfg(test)]
pub fn plain_prefix<const HIGH: bool, const DEL: bool>(chunk: &[u8; 16]) -> usize {
    (stops_mask::<HIGH, DEL>(chunk).trailing_zeros() / 8) as usize
}

#[cfg(test)]
fn stops<const HIGH: bool, const DEL: bool>(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || (HIGH && b >= 0x80) || (DEL && b == 0x7F)
}

mod swar {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;

    /// Exact per-byte flags: each sum below works on 7-bit values and cannot
    /// carry out of its byte (unlike the classic has-zero-byte trick, whose
    /// borrows can flag bytes above a match); its bit 7 answers the question.
    #[inline(always)]
    pub fn mask<const HIGH: bool, const DEL: bool>(x: u64) -> u64 {
        let low7 = x & !HI;
        let at_least_0x20 = low7 + LO * (0x80 - 0x20);
        let not = |b: u8| (low7 ^ (LO * b as u64)) + LO * 0x7F;
        let mut plain = at_least_0x20 & not(b'"') & not(b'\\');
        if DEL {
            plain &= not(0x7F);
        }
        if HIGH {
            // A set high bit always stops the copy.
            !(plain & !x) & HI
        } else {
            // A set high bit never does (UTF-8 passes through).
            !plain & !x & HI
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference<const HIGH: bool, const DEL: bool>(bytes: &[u8; 16]) -> u128 {
        let mut m = 0u128;
        for (k, &b) in bytes.iter().enumerate() {
            if stops::<HIGH, DEL>(b) {
                m |= 0x80 << (8 * k);
            }
        }
        m
    }

    fn check_all(bytes: &[u8; 16]) {
        fn one<const HIGH: bool, const DEL: bool>(bytes: &[u8; 16]) {
            let want = reference::<HIGH, DEL>(bytes);
            let chunk = bytes;
            assert_eq!(
                stops_mask::<HIGH, DEL>(chunk),
                want,
                "{bytes:?} {HIGH} {DEL}"
            );
            assert_eq!(
                stops_mask_word::<HIGH, DEL>(u128::from_le_bytes(*chunk)),
                want,
                "{bytes:?} {HIGH} {DEL}"
            );
            assert_eq!(
                plain_prefix::<HIGH, DEL>(chunk),
                (want.trailing_zeros() / 8) as usize
            );
        }
        one::<false, false>(bytes);
        one::<true, false>(bytes);
        one::<true, true>(bytes);
    }

    #[test]
    fn every_byte_value_at_every_position() {
        let plain = [b'a'; 16];
        check_all(&plain);
        for pos in 0..16 {
            for b in 0..=255u8 {
                let mut v = plain;
                v[pos] = b;
                check_all(&v);
                // A second, later stop byte must not change the answer.
                if pos < 15 {
                    v[15] = 0;
                    check_all(&v);
                }
            }
        }
    }

    #[test]
    fn first_of_several_hits_wins() {
        // Every stop must be flagged, and only stops, wherever they sit
        // relative to each other.
        for a in 0..16 {
            for b in a + 1..16 {
                for (x, y) in [(0u8, 0x01u8), (0x1F, b'"'), (b'\\', 0x00), (0x80, 0x1F)] {
                    let mut v = [b' '; 16];
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
