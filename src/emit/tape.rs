//! `release_gil=True`: an encode in two passes, so most of the formatting
//! runs while other Python threads run.
//!
//! 1. The walk, with the GIL held (nothing can change underneath), writes
//!    the JSON as usual — brackets, keys, numbers, ASCII text — but leaves a
//!    hole wherever a costly leaf goes (text that must be transcoded to
//!    UTF-8) and *copies* that leaf's value into a `Tape`.
//! 2. `Tape::render` formats the leaves: transcoding and escaping. It
//!    reads only the tape, never an object, so it runs with the GIL
//!    released: other threads may mutate, rebind or free anything meanwhile.
//! 3. `Tape::fill` hands the walk's bytes and the leaves' texts, in order,
//!    to the output (the `bytes` being built, back under the GIL): the
//!    output is copied once, as in a default call.
//!
//! Copies rather than strong references: a tape entry costs about what an
//! incref would, needs no decref pass (with the GIL) at the end, and can
//! never be the last reference to something.
//!
//! What is cut out is a measured trade: every hole costs a tape entry and a
//! second copy of the bytes around it. Floats and datetimes were cut out
//! too at first; formatting them during the walk made `release_gil=True`
//! faster on the harness's nested workload (floats about 4%; datetimes 14%
//! with two threads encoding at once, and 5% when the strings have no
//! cached UTF-8 copy either).

use crate::json::{self, StrError, Text};

/// Non-ASCII strings shorter than this are escaped during the walk: for
/// them the copy and the bookkeeping cost more than the transcoding.
const DEFER_STR_MIN: usize = 8;

/// Which arena a copied string's code units are in, and how to read them.
#[derive(Clone, Copy)]
enum Units {
    Latin1,
    Ucs2,
    Ucs4,
}

/// A string cut out: where its code units are in their arena.
struct Leaf {
    units: Units,
    start: usize,
    len: usize,
}

/// The leaves cut out of one piece of output, in output order, each with
/// its position in the walk's output (`at`).
#[derive(Default)]
pub struct Tape {
    leaves: Vec<(usize, Leaf)>,
    narrow: Vec<u8>,
    ucs2: Vec<u16>,
    ucs4: Vec<u32>,
}

/// The leaves of a tape, formatted: their texts back to back, and the end
/// of each one's text.
pub struct Rendered {
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl Tape {
    /// Cuts `text` out (returns true) if it is worth it: text stored as
    /// Latin-1, UCS-2 or UCS-4 is transcoded to UTF-8 later, without the
    /// GIL. ASCII, and text CPython already holds as UTF-8, is left to the
    /// walk (false): escaping it costs about what copying it here would.
    /// So is text the tape has no memory left to copy (the walk then
    /// writes it, or reports the MemoryError).
    #[inline]
    pub fn cut_str(&mut self, at: usize, text: Text<'_>) -> bool {
        let copied = match text {
            Text::Latin1(b) if b.len() >= DEFER_STR_MIN => {
                copy(&mut self.narrow, b).map(|at| (Units::Latin1, at, b.len()))
            }
            Text::Ucs2(u) if u.len() >= DEFER_STR_MIN => {
                copy(&mut self.ucs2, u).map(|at| (Units::Ucs2, at, u.len()))
            }
            Text::Ucs4(u) if u.len() >= DEFER_STR_MIN => {
                copy(&mut self.ucs4, u).map(|at| (Units::Ucs4, at, u.len()))
            }
            _ => None,
        };
        let Some((units, start, len)) = copied else {
            return false;
        };
        if self.leaves.try_reserve(1).is_err() {
            return false;
        }
        self.leaves.push((at, Leaf { units, start, len }));
        true
    }

    /// Formats every leaf (the part that runs without the GIL): their texts
    /// one after another, and where each ends.
    ///
    /// Fails on a lone surrogate, whose error needs the value's path, or when
    /// memory runs out: the caller redoes that piece with the GIL (which
    /// raises the error, or MemoryError if memory is still short).
    pub fn render(&self, ascii: bool) -> Result<Rendered, StrError> {
        let mut text = json::room::vec_with_capacity(self.size_hint())?;
        let mut ends = json::room::vec_with_capacity(self.leaves.len())?;
        for &(_, Leaf { units, start, len }) in &self.leaves {
            json::write_str(&mut text, self.text(units, start, len), ascii)?;
            ends.push(text.len());
        }
        Ok(Rendered { text, ends })
    }

    /// The length of the walk's output `walked` with the holes filled.
    pub fn filled_len(walked: &[u8], rendered: &Rendered) -> usize {
        walked.len() + rendered.text.len()
    }

    /// `starts` (little-endian u64 positions in `walked`, ascending: item
    /// starts) moved to the same places in the filled output.
    pub fn moved_starts(
        &self,
        starts: &[u8],
        rendered: &Rendered,
    ) -> Result<Vec<u8>, json::OutOfMemory> {
        let mut moved = json::room::vec_with_capacity(starts.len())?;
        let mut leaves = self.leaves.iter().zip(&rendered.ends).peekable();
        let mut shift = 0;
        for s in starts.chunks_exact(8) {
            let s = u64::from_le_bytes(s.try_into().expect("8 bytes")) as usize;
            // Holes before `s` push it along; a hole at `s` is inside the
            // item that starts there.
            while let Some(&(&(at, _), &end)) = leaves.peek() {
                if at >= s {
                    break;
                }
                shift = end;
                leaves.next();
            }
            moved.extend_from_slice(&((s + shift) as u64).to_le_bytes());
        }
        Ok(moved)
    }

    /// Hands the filled output to `put` in order: the walk's bytes between
    /// holes and each hole's text.
    pub fn fill<E>(
        &self,
        walked: &[u8],
        rendered: &Rendered,
        mut put: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut from = 0;
        let mut text_from = 0;
        for (&(at, _), &end) in self.leaves.iter().zip(&rendered.ends) {
            if at > from {
                put(&walked[from..at])?;
            }
            put(&rendered.text[text_from..end])?;
            from = at;
            text_from = end;
        }
        if walked.len() > from {
            put(&walked[from..])?;
        }
        Ok(())
    }

    fn text(&self, units: Units, start: usize, len: usize) -> Text<'_> {
        let end = start + len;
        match units {
            Units::Latin1 => Text::Latin1(&self.narrow[start..end]),
            Units::Ucs2 => Text::Ucs2(&self.ucs2[start..end]),
            Units::Ucs4 => Text::Ucs4(&self.ucs4[start..end]),
        }
    }

    /// The leaves' formatted size when nothing needs escaping.
    fn size_hint(&self) -> usize {
        self.narrow.len() + self.ucs2.len() * 3 + self.ucs4.len() * 4 + self.leaves.len() * 2
    }
}

/// Appends `units` to `arena`; where they start, or None when the arena
/// cannot grow.
fn copy<T: Copy>(arena: &mut Vec<T>, units: &[T]) -> Option<usize> {
    let start = arena.len();
    arena.try_reserve(units.len()).ok()?;
    arena.extend_from_slice(units);
    Some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filled output and moved starts, as the encoder assembles them.
    fn filled(tape: &Tape, walked: &[u8], starts: &[u8]) -> Result<(Vec<u8>, Vec<u8>), StrError> {
        let rendered = tape.render(false)?;
        let mut out = Vec::new();
        tape.fill(walked, &rendered, |part| {
            out.extend_from_slice(part);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(out.len(), Tape::filled_len(walked, &rendered));
        Ok((out, tape.moved_starts(starts, &rendered).unwrap()))
    }

    fn le(v: &[usize]) -> Vec<u8> {
        v.iter().flat_map(|&x| (x as u64).to_le_bytes()).collect()
    }

    #[test]
    fn fills_holes_and_moves_item_starts() {
        // `[` hole `,1.5,{"k":` hole `}]` with starts before each item.
        let walked = b"[,1.5,{\"k\":}]";
        let mut tape = Tape::default();
        assert!(tape.cut_str(1, Text::Latin1(b"abcdefghijklmnop\xe9")));
        assert!(tape.cut_str(
            11,
            Text::Ucs2(&[0x65e5, 0x672c, 0x8a9e, 0x3067, 0x3059, 0x3088, 0x3002, 0x21])
        ));
        let (out, starts) = filled(&tape, walked, &le(&[1, 2, 6])).unwrap();
        let text = std::str::from_utf8(&out).unwrap();
        assert_eq!(text, r#"["abcdefghijklmnopé",1.5,{"k":"日本語ですよ。!"}]"#);
        let starts: Vec<usize> = starts
            .chunks_exact(8)
            .map(|s| u64::from_le_bytes(s.try_into().unwrap()) as usize)
            .collect();
        assert_eq!(starts, vec![1, 22, 26]);
        assert_eq!(&out[22..25], b"1.5");
        assert_eq!(out[26], b'{');
    }

    #[test]
    fn every_width_and_a_lone_surrogate() {
        let mut tape = Tape::default();
        assert!(tape.cut_str(0, Text::Latin1(&[0xe9; 16])));
        assert!(tape.cut_str(0, Text::Ucs2(&[0x20ac; 16])));
        assert!(tape.cut_str(0, Text::Ucs4(&[0x1f600; 16])));
        assert!(tape.cut_str(0, Text::Latin1(b"\xfc\n................")));
        // Left to the walk: ASCII, UTF-8 already cached, short text.
        assert!(!tape.cut_str(0, Text::Ascii(b"a long enough ASCII string")));
        assert!(!tape.cut_str(0, Text::Utf8("ü and then some more text")));
        assert!(!tape.cut_str(0, Text::Ucs2(&[0x20ac; 7])));
        let (out, _) = filled(&tape, b"", &[]).unwrap();
        let expected = format!(
            "\"{}\"\"{}\"\"{}\"\"ü\\n................\"",
            "é".repeat(16),
            "€".repeat(16),
            "😀".repeat(16)
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);

        let mut bad = Tape::default();
        let mut units = [0x41u16; 16];
        units[3] = 0xd800;
        assert!(bad.cut_str(0, Text::Ucs2(&units)));
        let Err(StrError::LoneSurrogate(err)) = filled(&bad, b"", &[]) else {
            panic!("a lone surrogate is an error");
        };
        assert_eq!((err.index, err.code_point), (3, 0xd800));
    }

    #[test]
    fn no_holes_is_a_copy() {
        let tape = Tape::default();
        let (out, starts) = filled(&tape, b"[1,2]", &le(&[1, 3])).unwrap();
        assert_eq!(out, b"[1,2]");
        assert_eq!(starts, le(&[1, 3]));
    }
}
