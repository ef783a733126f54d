//! The container fuzz target on the stable toolchain: a seeded mutation loop
//! that feeds `fuzz/fuzz_targets/check.rs` (the same checks `cargo fuzz run
//! container` runs on nightly) with containers built from real documents and
//! the spec's vectors, mutated as a byte-level fuzzer would: bit flips,
//! interesting bytes and integers written over header fields and index
//! entries, truncation, extension, splices between inputs, and separators
//! planted in the blob.
//!
//! `cargo test --test fuzz_container` runs a fixed, quick set of cases;
//! `SLOTJSON_FUZZ_SECONDS=30 cargo test --release --test fuzz_container --
//! --ignored` runs for that long (scripts/test.sh does, in CI), with
//! `SLOTJSON_FUZZ_SEED` to vary or replay the seed. A failing case is
//! written to `target/fuzz-container-failure.bin` before the panic is
//! re-raised, so it can be replayed with the nightly target.

#[path = "../fuzz/fuzz_targets/check.rs"]
mod check;

use slotjson::document::DocumentBuilder;
use std::panic;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic for a given seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// Valid containers of several shapes, plus the spec's vectors.
fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for name in ["empty", "small", "nochecksum"] {
        let path = format!("{}/spec/vectors/{name}.hex", env!("CARGO_MANIFEST_DIR"));
        out.push(hex(&std::fs::read_to_string(path).unwrap()));
    }
    let items: [&[u8]; 8] = [
        b"1",
        br#""a,b""#,
        b"[2,[3]]",
        br#"{"k":"v","e":"\u00e9"}"#,
        b"null",
        b"[]",
        br#"",]""#,
        b"-1.5e+300",
    ];
    for n in [0usize, 1, 2, 3, 7, 40] {
        let mut b = DocumentBuilder::new();
        for i in 0..n {
            b.push_raw(items[i % items.len()]);
        }
        let doc = b.finish();
        out.push(doc.to_container(true).unwrap());
        out.push(doc.to_container(false).unwrap());
    }
    out
}

const INTERESTING_BYTES: [u8; 10] = [b',', b'[', b']', b'"', 0, 0xff, 0x80, 0x89, b'\r', b'\n'];

fn interesting_u64(data: &[u8], rng: &mut Rng) -> u64 {
    let len = data.len() as u64;
    match rng.below(10) {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => u64::MAX,
        4 => len,
        5 => len.saturating_sub(64),
        6 => (len / 8).saturating_sub(rng.below(4) as u64),
        7 => 1 << rng.below(64),
        8 => u64::MAX - rng.below(16) as u64,
        _ => rng.next(),
    }
}

fn mutate(data: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            0 if !data.is_empty() => {
                let at = rng.below(data.len());
                data[at] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let at = rng.below(data.len());
                data[at] = INTERESTING_BYTES[rng.below(INTERESTING_BYTES.len())];
            }
            // A header field (count, blob length, checksums) or an index entry.
            2 | 3 => {
                let field = [16usize, 24, 32, 56][rng.below(4)];
                let at = if rng.below(2) == 0 {
                    field
                } else {
                    64 + 8 * rng.below(data.len() / 8 + 1)
                };
                let value = interesting_u64(data, rng).to_le_bytes();
                if at + 8 <= data.len() {
                    data[at..at + 8].copy_from_slice(&value);
                }
            }
            4 => {
                let keep = rng.below(data.len() + 1);
                data.truncate(keep);
            }
            5 => {
                let extra = 1 + rng.below(16);
                for _ in 0..extra {
                    data.push(INTERESTING_BYTES[rng.below(INTERESTING_BYTES.len())]);
                }
            }
            6 => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let to = (from + 1 + rng.below(32)).min(other.len());
                    let at = rng.below(data.len() + 1);
                    data.splice(at..at, other[from..to].iter().copied());
                }
            }
            7 if data.len() > 1 => {
                let a = rng.below(data.len());
                let b = rng.below(data.len());
                data.swap(a, b);
            }
            _ => {
                // Flags and version bytes.
                let at = [8usize, 9, 10, 11, 12][rng.below(5)];
                if at < data.len() {
                    data[at] = rng.next() as u8;
                }
            }
        }
    }
}

/// Runs mutated cases until `budget` is spent or `cases` were run; returns
/// the number run.
fn fuzz(seed: u64, cases: u64, budget: Duration) -> u64 {
    let corpus = corpus();
    let mut rng = Rng(seed | 1);
    let start = Instant::now();
    let mut run = 0;
    // Whole corpus first, unmutated.
    for data in &corpus {
        check::check(data);
    }
    while run < cases && start.elapsed() < budget {
        let mut data = corpus[rng.below(corpus.len())].clone();
        mutate(&mut data, &corpus, &mut rng);
        let outcome = panic::catch_unwind(|| check::check(&data));
        if let Err(cause) = outcome {
            let path = format!(
                "{}/target/fuzz-container-failure.bin",
                env!("CARGO_MANIFEST_DIR")
            );
            let _ = std::fs::write(&path, &data);
            eprintln!("case {run} (seed {seed}) failed; input written to {path}");
            panic::resume_unwind(cause);
        }
        run += 1;
    }
    run
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn mutated_containers_quick() {
    let run = fuzz(0x5107_1503, 20_000, Duration::from_secs(120));
    assert_eq!(run, 20_000);
}

/// The time-bounded run CI makes (`SLOTJSON_FUZZ_SECONDS`, default 30).
#[test]
#[ignore = "long: run by scripts/test.sh with SLOTJSON_FUZZ_SECONDS"]
fn mutated_containers_for_a_while() {
    let seconds = env_u64("SLOTJSON_FUZZ_SECONDS").unwrap_or(30);
    let seed = env_u64("SLOTJSON_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("fuzz_container: seed {seed}, {seconds} s");
    let run = fuzz(seed, u64::MAX, Duration::from_secs(seconds));
    eprintln!("fuzz_container: {run} cases");
    assert!(run > 0);
}
