//! Tests of the document module. Helpers shared by the test files live here:
//! a seeded PRNG, an independent JSON array splitter and item generators.

mod builder;
mod container;
mod envelope;
mod pages;
mod property;
mod serialize;
mod vectors;

use super::{Document, DocumentBuilder};

/// xorshift64*: deterministic, seedable, no dependency.
pub(super) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Splits a JSON array text into its top-level items' texts. Written
/// independently of the index so tests can compare the two.
pub(super) fn split_array(blob: &[u8]) -> Vec<&[u8]> {
    assert!(blob.len() >= 2 && blob[0] == b'[' && blob[blob.len() - 1] == b']');
    let inner = &blob[1..blob.len() - 1];
    if inner.is_empty() {
        return Vec::new();
    }
    let (mut items, mut depth, mut in_str, mut escaped, mut start) =
        (Vec::new(), 0, false, false, 0);
    for (i, &b) in inner.iter().enumerate() {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
}

/// `[` + items joined by `,` + `]`.
pub(super) fn array(items: &[&[u8]]) -> Vec<u8> {
    let mut out = vec![b'['];
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.push(b']');
    out
}

/// Item texts chosen to have commas, brackets and quotes inside them, so an
/// index entry pointing at the wrong comma would be noticed.
const ITEMS: &[&str] = &[
    "0",
    "-12.5e3",
    "true",
    "null",
    "\"\"",
    "\"a,b\"",
    "\"q\\\",]\"",
    "\"é,ü,😀\"",
    "[]",
    "{}",
    "[1,[2,3],{\"k\":[4]}]",
    "{\"id\":7,\"name\":\"x,y\",\"tags\":[\"a\",\"b\"]}",
    "[\"]\",\"[\",\",\"]",
];

pub(super) fn random_items(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|_| ITEMS[rng.below(ITEMS.len())].as_bytes().to_vec())
        .collect()
}

pub(super) fn build(items: &[Vec<u8>]) -> Document {
    let mut b = DocumentBuilder::new();
    for item in items {
        b.push_raw(item);
    }
    b.finish()
}
