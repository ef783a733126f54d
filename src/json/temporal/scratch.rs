//! A fixed stack buffer for assembling date/time text, so each value costs a
//! single append to the output.

use super::{Date, Time, TimeFormat};

const US_PER_SECOND: u64 = 1_000_000;

/// "00" to "99", concatenated.
pub(super) static PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

pub struct Scratch {
    // A quoted datetime with offset is at most 44 bytes; even with every
    // field out of its valid range the text stays within 62.
    buf: [u8; 64],
    len: usize,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            buf: [0; 64],
            len: 0,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    #[inline(always)]
    pub fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// Two digits from a table: the common case for every field.
    #[inline(always)]
    fn two(&mut self, v: u64) {
        if v < 100 {
            let at = 2 * v as usize;
            self.buf[self.len..self.len + 2].copy_from_slice(&PAIRS[at..at + 2]);
            self.len += 2;
        } else {
            self.padded(v, 2);
        }
    }

    /// `v` as `2 * pairs` digits, zero-padded; larger values in full.
    #[inline(always)]
    fn pairs(&mut self, v: u64, pairs: u32) {
        if v < 100u64.pow(pairs) {
            for k in (0..pairs).rev() {
                self.two(v / 100u64.pow(k) % 100);
            }
        } else {
            self.padded(v, 2 * pairs as usize);
        }
    }

    /// `v` in decimal, zero-padded to `width`; wider values are written in
    /// full rather than truncated. Only reached for out-of-range fields.
    #[cold]
    fn padded(&mut self, v: u64, width: usize) {
        let mut width = width;
        while width < 20 && v >= 10u64.pow(width as u32) {
            width += 1;
        }
        let mut rest = v;
        for slot in self.buf[self.len..self.len + width].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        self.len += width;
    }

    /// `YYYY-MM-DD`
    pub fn date(&mut self, date: Date) {
        self.pairs(date.year as u64, 2);
        self.byte(b'-');
        self.two(date.month as u64);
        self.byte(b'-');
        self.two(date.day as u64);
    }

    /// `HH:MM:SS[.ffffff]`
    pub fn time(&mut self, time: Time, fmt: TimeFormat) {
        self.two(time.hour as u64);
        self.byte(b':');
        self.two(time.minute as u64);
        self.byte(b':');
        self.two(time.second as u64);
        if time.microsecond != 0 && !fmt.omit_microseconds {
            self.byte(b'.');
            self.pairs(time.microsecond as u64, 3);
        }
    }

    /// Nothing for naive values, else `Z` or `±HH:MM[:SS[.ffffff]]`. The
    /// offset's own microseconds are kept even with `omit_microseconds`,
    /// as Python's `isoformat(timespec=...)` keeps them.
    pub fn offset(&mut self, offset_us: Option<i64>, fmt: TimeFormat) {
        let Some(offset) = offset_us else { return };
        if offset == 0 && fmt.utc_z {
            self.byte(b'Z');
            return;
        }
        self.byte(if offset < 0 { b'-' } else { b'+' });
        let magnitude = offset.unsigned_abs();
        let micros = magnitude % US_PER_SECOND;
        let seconds = magnitude / US_PER_SECOND;
        self.two(seconds / 3600);
        self.byte(b':');
        self.two(seconds / 60 % 60);
        if seconds % 60 != 0 || micros != 0 {
            self.byte(b':');
            self.two(seconds % 60);
            if micros != 0 {
                self.byte(b'.');
                self.pairs(micros, 3);
            }
        }
    }
}

/// `v` (< 10**6) as six digits, zero-padded.
pub fn six_digits(v: u32) -> [u8; 6] {
    let mut text = [b'0'; 6];
    let mut rest = v;
    for slot in text.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    text
}
