//! SJ64: the container's 64-bit checksum (spec/FORMAT.md, "Checksum").
//!
//! Not cryptographic: it detects accidental corruption (bit rot, truncated or
//! mangled transfers). It reads the input as little-endian 64-bit words in
//! four independent lanes so that the multiply chains overlap in the CPU and
//! a multi-megabyte blob is checked at memory speed, which a byte-at-a-time
//! hash such as FNV cannot do.
//!
//! Each lane step `s = rotl((s ^ w) * M, 31)` is a bijection of `s` for a
//! fixed word `w` and of `w` for a fixed `s`, and the final mix is a bijection
//! of each lane for fixed other lanes, so any change confined to one aligned
//! 8-byte word always changes the checksum.

const P1: u64 = 0x9E37_79B9_7F4A_7C15;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const M: u64 = 0xFF51_AFD7_ED55_8CCD;
const F2: u64 = 0xC4CE_B9FE_1A85_EC53;

const BLOCK: usize = 32;

/// Murmur3's 64-bit finalizer: a bijection that spreads every input bit over
/// the whole word.
fn fmix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(M);
    x ^= x >> 33;
    x = x.wrapping_mul(F2);
    x ^ (x >> 33)
}

fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

fn round(lanes: &mut [u64; 4], block: &[u8]) {
    for (j, lane) in lanes.iter_mut().enumerate() {
        *lane = (*lane ^ word(block, 8 * j)).wrapping_mul(M).rotate_left(31);
    }
}

/// The SJ64 checksum of `data`.
pub fn sj64(data: &[u8]) -> u64 {
    let n = data.len() as u64;
    let mut lanes = [0u64; 4];
    for (j, lane) in lanes.iter_mut().enumerate() {
        *lane = P1.wrapping_mul(j as u64 + 1) ^ n;
    }
    let mut blocks = data.chunks_exact(BLOCK);
    for block in &mut blocks {
        round(&mut lanes, block);
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // Zero padding is unambiguous because the length seeds every lane
        // and the final mix.
        let mut last = [0u8; BLOCK];
        last[..rest.len()].copy_from_slice(rest);
        round(&mut lanes, &last);
    }
    let mut h = n.wrapping_mul(P2);
    for lane in lanes {
        h = (h ^ fmix(lane)).wrapping_mul(P1).rotate_left(27);
    }
    fmix(h)
}

#[cfg(test)]
mod tests {
    use super::sj64;

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    // The same vectors are listed in spec/FORMAT.md and
    // spec/vectors/checksum.txt, for implementations in other languages.
    #[test]
    fn vectors() {
        assert_eq!(sj64(b""), 0xa0a8_b6d1_7a7b_e7eb);
        assert_eq!(sj64(b"a"), 0xee42_9c27_d504_91da);
        assert_eq!(sj64(b"[1,2,3]"), 0x60a1_ec06_d625_1e87);
        assert_eq!(sj64(&pattern(32)), 0x84ad_3a3b_39a7_face);
        assert_eq!(sj64(&pattern(1000)), 0xb659_be18_7128_28ca);
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let data = pattern(200);
        let base = sj64(&data);
        for byte in 0..data.len() {
            for bit in 0..8 {
                let mut d = data.clone();
                d[byte] ^= 1 << bit;
                assert_ne!(sj64(&d), base, "flip at byte {byte} bit {bit}");
            }
        }
    }

    #[test]
    fn length_matters_even_with_zero_bytes() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..100 {
            assert!(seen.insert(sj64(&vec![0u8; n])), "collision at length {n}");
        }
    }
}
