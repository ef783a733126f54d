//! The escape sequences themselves, shared by every input layout.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// How each ASCII byte is written inside a JSON string: 0 copies it, `u`
/// means `\u00XX`, anything else is the letter after the backslash.
/// DEL (0x7F) is 0 here; `ensure_ascii` escapes it through `push_u_escape`.
static ASCII_ESCAPE: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Writes ASCII byte `b` (< 0x80), escaped if JSON requires it.
#[inline(always)]
pub fn push_ascii(out: &mut Vec<u8>, b: u8) {
    match ASCII_ESCAPE[(b & 0x7F) as usize] {
        0 => out.push(b),
        b'u' => push_u_escape(out, b as u32),
        letter => out.extend_from_slice(&[b'\\', letter]),
    }
}

/// `\uxxxx` for a UTF-16 code unit (`unit` <= 0xFFFF).
#[inline(always)]
pub fn push_u_escape(out: &mut Vec<u8>, unit: u32) {
    out.extend_from_slice(&[
        b'\\',
        b'u',
        HEX[(unit >> 12 & 0xF) as usize],
        HEX[(unit >> 8 & 0xF) as usize],
        HEX[(unit >> 4 & 0xF) as usize],
        HEX[(unit & 0xF) as usize],
    ]);
}

/// `ensure_ascii` form of a code point >= 0x7F: one `\u` escape in the BMP
/// (surrogates included, as themselves), a surrogate pair above it.
#[inline(always)]
pub fn push_escaped_code_point(out: &mut Vec<u8>, cp: u32) {
    if cp < 0x1_0000 {
        push_u_escape(out, cp);
    } else {
        let cp = valid_or_replacement(cp) - 0x1_0000;
        push_u_escape(out, 0xD800 | (cp >> 10));
        push_u_escape(out, 0xDC00 | (cp & 0x3FF));
    }
}

/// UTF-8 of a code point >= 0x80 that is not a surrogate.
#[inline(always)]
pub fn push_utf8(out: &mut Vec<u8>, cp: u32) {
    if cp < 0x800 {
        out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]);
    } else if cp < 0x1_0000 {
        out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | (cp >> 6 & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    } else {
        let cp = valid_or_replacement(cp);
        out.extend_from_slice(&[
            0xF0 | (cp >> 18) as u8,
            0x80 | (cp >> 12 & 0x3F) as u8,
            0x80 | (cp >> 6 & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    }
}

/// CPython never stores code points above U+10FFFF; should one show up
/// anyway, U+FFFD keeps the output valid UTF-8 / valid JSON.
#[inline(always)]
fn valid_or_replacement(cp: u32) -> u32 {
    debug_assert!(cp <= 0x10_FFFF, "code point {cp:#x} out of range");
    if cp <= 0x10_FFFF {
        cp
    } else {
        0xFFFD
    }
}

/// Decodes the multi-byte sequence starting at `bytes[at]` (a lead byte
/// >= 0xC0 of valid UTF-8); returns the code point and the sequence length.
#[inline(always)]
pub fn decode_utf8(bytes: &[u8], at: usize) -> (u32, usize) {
    let b0 = bytes[at] as u32;
    let cont = |k: usize| (bytes[at + k] & 0x3F) as u32;
    if b0 < 0xE0 {
        ((b0 & 0x1F) << 6 | cont(1), 2)
    } else if b0 < 0xF0 {
        ((b0 & 0x0F) << 12 | cont(1) << 6 | cont(2), 3)
    } else {
        (
            (b0 & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3),
            4,
        )
    }
}
