//! JSON string writing for the four CPython string layouts.

mod emit;
mod narrow;
mod scan;
#[cfg(test)]
mod tests;
mod wide;

/// The code units of a string, in the width CPython stores them.
#[derive(Clone, Copy, Debug)]
pub enum Text<'a> {
    /// Pure ASCII (CPython's compact ASCII layout); also valid UTF-8.
    Ascii(&'a [u8]),
    /// One byte per code point, U+0000..=U+00FF (PyUnicode_1BYTE_KIND, not all ASCII).
    Latin1(&'a [u8]),
    /// Two bytes per code point (PyUnicode_2BYTE_KIND). May contain lone surrogates.
    Ucs2(&'a [u16]),
    /// Four bytes per code point (PyUnicode_4BYTE_KIND). May contain surrogates.
    Ucs4(&'a [u32]),
    /// Already valid UTF-8 (e.g. from `PyUnicode_AsUTF8AndSize` on the fallback path).
    Utf8(&'a str),
}

/// A code point in U+D800..=U+DFFF was found and `ascii` was false:
/// such a string has no UTF-8 encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoneSurrogate {
    /// Index of the offending code point within the string.
    pub index: usize,
    /// The surrogate itself.
    pub code_point: u32,
}

/// Appends `text` as a quoted JSON string.
///
/// `ascii == false`: UTF-8, escaping only `"`, `\` and U+0000..=U+001F
/// (`\b \f \n \r \t` short forms, otherwise `\u00XX` with lowercase hex).
/// Any surrogate code point is an error; nothing is guaranteed about what was
/// appended before the error (the caller discards the buffer).
///
/// `ascii == true`: as `json.dumps(ensure_ascii=True)`: DEL (U+007F) and
/// every non-ASCII code point as `\uXXXX` (lowercase hex), astral code points
/// as a surrogate pair, surrogates escaped as themselves. Never fails.
pub fn write_str(out: &mut Vec<u8>, text: Text<'_>, ascii: bool) -> Result<(), LoneSurrogate> {
    out.reserve(reservation(text, ascii));
    out.push(b'"');
    match (text, ascii) {
        (Text::Ascii(b) | Text::Latin1(b), false) => narrow::latin1::<false>(out, b),
        (Text::Ascii(b) | Text::Latin1(b), true) => narrow::latin1::<true>(out, b),
        (Text::Utf8(s), false) => narrow::utf8::<false>(out, s.as_bytes()),
        (Text::Utf8(s), true) => narrow::utf8::<true>(out, s.as_bytes()),
        (Text::Ucs2(u), false) => wide::units::<_, false>(out, u)?,
        (Text::Ucs2(u), true) => wide::units::<_, true>(out, u)?,
        (Text::Ucs4(u), false) => wide::units::<_, false>(out, u)?,
        (Text::Ucs4(u), true) => wide::units::<_, true>(out, u)?,
    }
    out.push(b'"');
    Ok(())
}

/// Strings up to this many code units get their worst-case output size
/// reserved up front, so writing them never reallocates. Longer strings get
/// their escape-free size only: their worst case can be 12 times the input,
/// and reserving that would multiply peak memory for a rare benefit.
const RESERVE_WORST_CASE_UP_TO: usize = 1 << 14;

fn reservation(text: Text<'_>, ascii: bool) -> usize {
    // Worst cases per unit: `\u00XX` for a control character (6 bytes),
    // `\uXXXX` for any escaped BMP code point (6 bytes, at least 2 UTF-8
    // bytes in), a surrogate pair (12 bytes) for an astral UCS4 unit.
    let (units, worst) = match text {
        Text::Ascii(b) | Text::Latin1(b) => (b.len(), 6),
        Text::Utf8(s) => (s.len(), 6),
        Text::Ucs2(u) => (u.len(), 6),
        Text::Ucs4(u) => (u.len(), if ascii { 12 } else { 6 }),
    };
    let body = if units <= RESERVE_WORST_CASE_UP_TO {
        units * worst
    } else {
        units
    };
    body + 2
}
