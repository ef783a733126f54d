//! JSON string writing for the four CPython string layouts.

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
/// `ascii == true`: as `json.dumps(ensure_ascii=True)`: every non-ASCII code
/// point as `\uXXXX` (lowercase hex), astral code points as a surrogate pair,
/// surrogates escaped as themselves. Never fails.
pub fn write_str(out: &mut Vec<u8>, text: Text<'_>, ascii: bool) -> Result<(), LoneSurrogate> {
    let _ = (out, text, ascii);
    unimplemented!("json::escape::write_str")
}
