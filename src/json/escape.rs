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

/// Why a string could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrError {
    /// A surrogate code point with `ascii == false`.
    LoneSurrogate(LoneSurrogate),
    /// The output buffer could not grow.
    OutOfMemory,
}

impl From<LoneSurrogate> for StrError {
    fn from(e: LoneSurrogate) -> Self {
        Self::LoneSurrogate(e)
    }
}

impl From<super::OutOfMemory> for StrError {
    fn from(_: super::OutOfMemory) -> Self {
        Self::OutOfMemory
    }
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
///
/// The room is made fallibly before anything is written
/// ([`room::reserve`](super::room::reserve)): a string's worst case when it
/// is short, and for a long one its escape-free size up front and then each
/// segment's worst case before that segment is escaped. The escaping loops
/// therefore never grow the buffer themselves, and an allocation failure is
/// `StrError::OutOfMemory`, never an abort.
pub fn write_str(out: &mut Vec<u8>, text: Text<'_>, ascii: bool) -> Result<(), StrError> {
    let (units, worst) = worst_case(text, ascii);
    if units <= RESERVE_WORST_CASE_UP_TO {
        super::room::reserve(out, units * worst + 2)?;
        out.push(b'"');
        body(out, text, ascii)?;
        out.push(b'"');
        return Ok(());
    }
    super::room::reserve(out, units + 2)?;
    out.push(b'"');
    let mut at = 0;
    while at < units {
        let segment = segment(text, at, RESERVE_WORST_CASE_UP_TO);
        let (len, _) = worst_case(segment, ascii);
        super::room::reserve(out, len * worst + 1)?;
        body(out, segment, ascii).map_err(|e| match e {
            StrError::LoneSurrogate(s) => StrError::LoneSurrogate(LoneSurrogate {
                index: s.index + at,
                ..s
            }),
            other => other,
        })?;
        at += len;
    }
    super::room::reserve(out, 1)?;
    out.push(b'"');
    Ok(())
}

/// The escaped text, without quotes, into room already made.
fn body(out: &mut Vec<u8>, text: Text<'_>, ascii: bool) -> Result<(), StrError> {
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
    Ok(())
}

/// About `max` units of `text` from unit `at` (UTF-8 is cut at a character
/// boundary; CPython's code units never pair up across a cut).
fn segment(text: Text<'_>, at: usize, max: usize) -> Text<'_> {
    match text {
        Text::Ascii(b) => Text::Ascii(&b[at..(at + max).min(b.len())]),
        Text::Latin1(b) => Text::Latin1(&b[at..(at + max).min(b.len())]),
        Text::Ucs2(u) => Text::Ucs2(&u[at..(at + max).min(u.len())]),
        Text::Ucs4(u) => Text::Ucs4(&u[at..(at + max).min(u.len())]),
        Text::Utf8(s) => {
            let mut end = (at + max).min(s.len());
            while !s.is_char_boundary(end) {
                end += 1;
            }
            Text::Utf8(&s[at..end])
        }
    }
}

/// Strings up to this many code units get their worst-case output size
/// reserved up front, so writing them never reallocates. Longer strings get
/// their escape-free size up front (their worst case can be 12 times the
/// input, and reserving that would multiply peak memory for a rare benefit),
/// then are escaped in segments of this many units, each one's worst case
/// made room for first.
const RESERVE_WORST_CASE_UP_TO: usize = 1 << 14;

/// The number of code units (bytes for UTF-8) and the most output bytes one
/// of them can take.
fn worst_case(text: Text<'_>, ascii: bool) -> (usize, usize) {
    // Worst cases per unit: `\u00XX` for a control character (6 bytes),
    // `\uXXXX` for any escaped BMP code point (6 bytes, at least 2 UTF-8
    // bytes in), a surrogate pair (12 bytes) for an astral UCS4 unit.
    match text {
        Text::Ascii(b) | Text::Latin1(b) => (b.len(), 6),
        Text::Utf8(s) => (s.len(), 6),
        Text::Ucs2(u) => (u.len(), 6),
        Text::Ucs4(u) => (u.len(), if ascii { 12 } else { 6 }),
    }
}
