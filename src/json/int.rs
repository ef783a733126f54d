//! Integer text, including integers of any size.

#[cfg(test)]
mod tests;

/// Appends the decimal text of `v`.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends the decimal text of `v`.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends the decimal text of `v`.
#[inline]
pub fn write_i128(out: &mut Vec<u8>, v: i128) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends the decimal text of `v`.
#[inline]
pub fn write_u128(out: &mut Vec<u8>, v: u128) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

const DIGIT_BITS: u32 = 30;
const DIGIT_MASK: u32 = (1 << DIGIT_BITS) - 1;

/// Appends the decimal text of an integer of any size given as its sign and
/// its magnitude in base 2**30 digits, least significant first (the layout of
/// CPython's `PyLongObject`). Leading zero digits are allowed; an empty or
/// all-zero magnitude is `0` (never `-0`).
pub fn write_digits30(out: &mut Vec<u8>, negative: bool, digits: &[u32]) {
    debug_assert!(
        digits.iter().all(|&d| d <= DIGIT_MASK),
        "not base 2**30 digits"
    );
    let used = digits
        .iter()
        .rposition(|&d| d != 0)
        .map_or(0, |top| top + 1);
    let digits = &digits[..used];
    if digits.is_empty() {
        out.push(b'0');
        return;
    }
    if negative {
        out.push(b'-');
    }
    match digits.len() {
        // Up to 60 bits, then up to 120 bits: native integer formatting.
        1 | 2 => write_u64(
            out,
            digits
                .iter()
                .rev()
                .fold(0u64, |acc, &d| acc << DIGIT_BITS | (d & DIGIT_MASK) as u64),
        ),
        3 | 4 => write_u128(
            out,
            digits.iter().rev().fold(0u128, |acc, &d| {
                acc << DIGIT_BITS | (d & DIGIT_MASK) as u128
            }),
        ),
        _ => write_big(out, digits),
    }
}

const CHUNK: u64 = 1_000_000_000;

/// Schoolbook conversion: divide the magnitude by 10**9 until it is zero,
/// collecting nine decimal digits per division. Quadratic in the length,
/// which is fine for the integer sizes JSON documents carry.
fn write_big(out: &mut Vec<u8>, digits: &[u32]) {
    let mut magnitude: Vec<u32> = digits.iter().map(|&d| d & DIGIT_MASK).collect();
    // Each 30-bit digit is worth less than 9.04 decimal digits, so this many
    // 9-digit chunks always suffice.
    let mut chunks: Vec<u32> = Vec::with_capacity(magnitude.len() * 31 / 30 + 1);
    while !magnitude.is_empty() {
        let mut rem = 0u64;
        for d in magnitude.iter_mut().rev() {
            // rem < 10**9 keeps this below 2**60.
            let cur = rem << DIGIT_BITS | *d as u64;
            *d = (cur / CHUNK) as u32;
            rem = cur % CHUNK;
        }
        chunks.push(rem as u32);
        while magnitude.last() == Some(&0) {
            magnitude.pop();
        }
    }
    let (top, rest) = chunks.split_last().expect("non-zero magnitude");
    out.reserve(10 + rest.len() * 9);
    write_u64(out, *top as u64);
    for &chunk in rest.iter().rev() {
        out.extend_from_slice(&nine_digits(chunk));
    }
}

/// `v` (< 10**9) zero-padded to nine digits.
fn nine_digits(mut v: u32) -> [u8; 9] {
    let mut text = [b'0'; 9];
    for slot in text.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    text
}
