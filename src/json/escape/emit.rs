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

/// `ASCII_ESCAPE` as ready-made output: bytes 0..6 hold the escape (or the
/// byte itself), byte 7 its length, so writing one is a fixed 8-byte store
/// plus a length fix-up instead of a branch per escape kind.
static ASCII_WORD: [u64; 128] = {
    let mut table = [0u64; 128];
    let mut b = 0;
    while b < 128 {
        let (bytes, len): ([u8; 6], u64) = match ASCII_ESCAPE[b] {
            0 => ([b as u8, 0, 0, 0, 0, 0], 1),
            b'u' => ([b'\\', b'u', b'0', b'0', HEX[b >> 4], HEX[b & 0xF]], 6),
            letter => ([b'\\', letter, 0, 0, 0, 0], 2),
        };
        let mut word = len << 56;
        let mut k = 0;
        while k < 6 {
            word |= (bytes[k] as u64) << (8 * k);
            k += 1;
        }
        table[b] = word;
        b += 1;
    }
    table
};

/// Appends the low `len` bytes of `word` (little-endian). Storing a fixed
/// number of bytes and then dropping the excess is one store and no call,
/// where a variable-length copy would be a `memcpy` call.
#[inline(always)]
pub fn put<const N: usize>(out: &mut Vec<u8>, bytes: &[u8; N], len: usize) {
    debug_assert!(len <= N);
    out.extend_from_slice(bytes);
    out.truncate(out.len() - (N - len));
}

/// Writes ASCII byte `b` (< 0x80) as JSON requires; `ASCII` selects
/// `ensure_ascii`, which also escapes DEL.
#[inline(always)]
pub fn put_ascii<const ASCII: bool>(out: &mut Vec<u8>, b: u8) {
    if ASCII && b == 0x7F {
        return push_u_escape(out, 0x7F);
    }
    let word = ASCII_WORD[(b & 0x7F) as usize];
    put(out, &word.to_le_bytes(), (word >> 56) as usize);
}

/// Writes ASCII byte `b` (< 0x7F), escaped if JSON requires it.
#[inline(always)]
pub fn push_ascii(out: &mut Vec<u8>, b: u8) {
    put_ascii::<false>(out, b);
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

/// Writes a chunk of `n` (<= 16) code units. `bytes` holds them narrowed
/// (byte `k` = unit `k` where it is plain ASCII), `stops` flags the ones that
/// are not (bit 7 of byte `k`, see `scan::stops_mask`), and `stop(out, k)`
/// writes unit `k` of those. The plain runs between stops go out as
/// fixed-size stores cut back to length.
///
/// Callers advance their input by the whole chunk whatever it holds, so the
/// next chunk's loads never wait on this one's classification; only the
/// output length does.
#[inline(always)]
pub fn chunk<E>(
    out: &mut Vec<u8>,
    bytes: &[u8; 16],
    stops: u128,
    n: usize,
    stop: impl FnMut(&mut Vec<u8>, usize) -> Result<(), E>,
) -> Result<(), E> {
    // Chunks are passed by reference throughout: a `[u8; 16]` passed by
    // value travels as a 128-bit integer, and the compiler then stops
    // vectorizing the byte-wise classification done on it.
    debug_assert!(n <= 16);
    // Flags past `n` (padding) are not stops.
    let stops = if n < 16 {
        stops & ((1u128 << (8 * n)) - 1)
    } else {
        stops
    };
    if stops == 0 {
        put(out, bytes, n);
        return Ok(());
    }
    with_stops(out, bytes, stops, n, stop)
}

/// `chunk` when at least one unit is flagged, out of line so the callers'
/// loops stay small.
#[inline(never)]
fn with_stops<E>(
    out: &mut Vec<u8>,
    bytes: &[u8; 16],
    mut stops: u128,
    n: usize,
    mut stop: impl FnMut(&mut Vec<u8>, usize) -> Result<(), E>,
) -> Result<(), E> {
    let whole = u128::from_le_bytes(*bytes);
    let mut from = 0;
    loop {
        let k = (stops.trailing_zeros() / 8) as usize;
        if k > from {
            put(out, &(whole >> (8 * from)).to_le_bytes(), k - from);
        }
        stop(out, k)?;
        from = k + 1;
        stops &= stops - 1;
        if stops == 0 {
            break;
        }
    }
    // `from` is 16 after a stop in the last byte: nothing is left to copy,
    // and `checked_shr` keeps the shift in range.
    let rest = whole.checked_shr(8 * from as u32).unwrap_or(0);
    put(out, &rest.to_le_bytes(), n - from);
    Ok(())
}
