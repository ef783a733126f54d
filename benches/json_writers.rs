//! Throughput of the pure-Rust JSON writers on typical field values.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use slotjson::json::temporal::{write_datetime, Date, Time, TimeFormat};
use slotjson::json::{write_digits30, write_f64, write_i64, write_str, Text};

/// Repeats `unit` until the text is at least `bytes` long in UTF-8.
fn sized(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes.div_ceil(unit.len()))
}

/// The same text in each layout CPython could store it in.
enum Stored {
    Bytes(Vec<u8>, bool),
    Ucs2(Vec<u16>),
    Ucs4(Vec<u32>),
    Utf8(String),
}

impl Stored {
    fn text(&self) -> Text<'_> {
        match self {
            Stored::Bytes(b, true) => Text::Ascii(b),
            Stored::Bytes(b, false) => Text::Latin1(b),
            Stored::Ucs2(u) => Text::Ucs2(u),
            Stored::Ucs4(u) => Text::Ucs4(u),
            Stored::Utf8(s) => Text::Utf8(s),
        }
    }
}

fn strings(c: &mut Criterion) {
    const ASCII: &str =
        "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. ";
    const ESCAPES: &str = "line one\nline \"two\"\tC:\\path\\to\\file, and 10% more text before the next \\ break.\r\n";
    const LATIN1: &str =
        "Ça coûte très cher à Zürich, señor: déjà vu, naïve façade, Ærø og Øresund. ";
    const CJK: &str = "中文文本的编码速度测试，包括常用汉字和标点符号。日本語のテキストも含む。";
    const NAMES: &str = "José García, Zoë Müller, François Lefèvre, Jürgen Groß and Ana Peña. ";
    const QUOTES: &str =
        "He said \u{201c}this is fine\u{201d} \u{2014} twice, then left the room quietly. ";
    const ASTRAL: &str = "😀🎉🚀🌍 emoji 👍🏽🔥💯 text 🧪📦🦀 ";

    let mut group = c.benchmark_group("write_str");
    for size in [100, 10_000] {
        let cases = [
            (
                "ascii",
                Stored::Bytes(sized(ASCII, size).into_bytes(), true),
            ),
            (
                "ascii_escapes",
                Stored::Bytes(sized(ESCAPES, size).into_bytes(), true),
            ),
            (
                "latin1",
                Stored::Bytes(
                    sized(LATIN1, size).chars().map(|c| c as u8).collect(),
                    false,
                ),
            ),
            (
                "latin1_sparse",
                Stored::Bytes(sized(NAMES, size).chars().map(|c| c as u8).collect(), false),
            ),
            (
                "bmp_mostly_ascii",
                Stored::Ucs2(sized(QUOTES, size).encode_utf16().collect()),
            ),
            (
                "bmp_cjk",
                Stored::Ucs2(sized(CJK, size).encode_utf16().collect()),
            ),
            (
                "astral",
                Stored::Ucs4(sized(ASTRAL, size).chars().map(|c| c as u32).collect()),
            ),
            ("utf8_cjk", Stored::Utf8(sized(CJK, size))),
        ];
        for (name, stored) in &cases {
            let mut out = Vec::with_capacity(16 * size);
            // Throughput in UTF-8 bytes of input, so layouts compare fairly.
            let mut probe = Vec::new();
            write_str(&mut probe, stored.text(), false).unwrap();
            group.throughput(Throughput::Bytes(probe.len() as u64 - 2));
            for ascii in [false, true] {
                let id = BenchmarkId::new(
                    format!("{name}{}", if ascii { "/ensure_ascii" } else { "" }),
                    size,
                );
                group.bench_function(id, |b| {
                    b.iter(|| {
                        out.clear();
                        write_str(&mut out, black_box(stored.text()), ascii).unwrap();
                        black_box(&out);
                    })
                });
            }
        }
    }
    group.finish();
}

/// The string shapes that dominate real documents, one call per string, so
/// per-call overhead shows up as it does in the encoder.
fn hot_strings(c: &mut Criterion) {
    // Mostly-ASCII text with a non-ASCII or escaped character every 10-20
    // characters, stored as UCS-4 because of the astral emoji.
    const MIXED: &str = "Cache 🚀 bell\x07 thread €100 for offset branch zürich ærøskøbing.\n\x00nul a the retry straße.\nПример 🎉 ©2024 when schema 🚀 🚀 vu \u{2029} ©2024 zürich 🎉 schema 🇯🇵.";
    const LATIN1: &str =
        "Ça coûte très cher à Zürich, señor: déjà vu, naïve façade, Ærø og Øresund.";
    const CJK: &str = "中文文本的编码速度测试，包括常用汉字和标点符号。日本語のテキストも含む。";

    let mut group = c.benchmark_group("hot_str");
    let mut out = Vec::with_capacity(1 << 20);
    // Many distinct short strings, as in a list of names or ids.
    for len in [10usize, 40] {
        let items: Vec<Vec<u8>> = (0..1000u32)
            .map(|i| {
                let mut s = format!("item-{i:05}-{}", "abcdefghij".repeat(4)).into_bytes();
                s.truncate(len);
                s
            })
            .collect();
        group.throughput(Throughput::Elements(items.len() as u64));
        group.bench_function(BenchmarkId::new("ascii_x1000", len), |b| {
            b.iter(|| {
                out.clear();
                for s in &items {
                    write_str(&mut out, black_box(Text::Ascii(s)), false).unwrap();
                }
                black_box(&out);
            })
        });
    }
    let ascii_1k = sized(
        "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. ",
        1024,
    )
    .into_bytes();
    let mixed: Vec<u32> = MIXED.chars().map(|c| c as u32).collect();
    let latin1: Vec<u8> = LATIN1.chars().map(|c| c as u8).collect();
    let cjk: Vec<u16> = CJK.encode_utf16().collect();
    let cases = [
        ("ascii_1k", Text::Ascii(&ascii_1k)),
        ("mixed_ucs4", Text::Ucs4(&mixed)),
        ("latin1_sentence", Text::Latin1(&latin1)),
        ("cjk_ucs2", Text::Ucs2(&cjk)),
    ];
    for (name, text) in cases {
        let mut probe = Vec::new();
        write_str(&mut probe, text, false).unwrap();
        // Throughput in bytes written, the figure the targets are set in.
        group.throughput(Throughput::Bytes(probe.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                write_str(&mut out, black_box(text), false).unwrap();
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn hot_floats(c: &mut Criterion) {
    // Prices, ratios, coordinates, tiny and huge magnitudes, integral values:
    // every layout branch of `repr`.
    let floats: Vec<f64> = (0..64)
        .map(|i| {
            let x = i as f64;
            match i % 8 {
                0 => x * 0.25 + 19.99,
                1 => -(x + 1.0) / 3.0,
                2 => 52.52 + x * 1e-6,
                3 => x * 1000.0,
                4 => 3.0e-5 * (x + 1.0),
                5 => 1.5e17 * (x + 1.0),
                6 => 0.1 * x,
                _ => 6.02214076e23 / (x + 1.0),
            }
        })
        .collect();
    let mut out = Vec::with_capacity(1 << 12);
    let mut group = c.benchmark_group("hot_f64");
    group.throughput(Throughput::Elements(floats.len() as u64));
    group.bench_function("mixed_x64", |b| {
        b.iter(|| {
            out.clear();
            for &f in &floats {
                write_f64(&mut out, black_box(f));
            }
            black_box(&out);
        })
    });
    group.finish();
}

fn numbers(c: &mut Criterion) {
    let floats: Vec<f64> = (0..256)
        .map(|i| {
            let i = i as f64;
            match i as u32 % 4 {
                0 => i * 1.25,
                1 => (i + 1.0) / 7.0,
                2 => 1e-7 * (i + 3.0),
                _ => 6.02214076e23 * i,
            }
        })
        .collect();
    let ints: Vec<i64> = (0..256)
        .map(|i: i64| (i - 128) * 0x1234_5678_9ABC)
        .collect();
    // 2**200 - 12346 as seven base-2**30 digits, as CPython stores it.
    let mut big = vec![0x3FFF_FFFFu32; 7];
    big[0] -= 12345;
    big[6] = (1 << 20) - 1;

    let mut group = c.benchmark_group("numbers");
    let mut out = Vec::with_capacity(1 << 16);
    group.throughput(Throughput::Elements(floats.len() as u64));
    group.bench_function("write_f64", |b| {
        b.iter(|| {
            out.clear();
            for &f in &floats {
                write_f64(&mut out, black_box(f));
            }
        })
    });
    // Reference points: the digit generators' own text, without the
    // Python re-layout (write_f64 uses zmij).
    group.bench_function("zmij_only", |b| {
        b.iter(|| {
            out.clear();
            let mut buf = zmij::Buffer::new();
            for &f in &floats {
                out.extend_from_slice(buf.format_finite(black_box(f)).as_bytes());
            }
        })
    });
    group.bench_function("ryu_only", |b| {
        b.iter(|| {
            out.clear();
            let mut buf = ryu::Buffer::new();
            for &f in &floats {
                out.extend_from_slice(buf.format_finite(black_box(f)).as_bytes());
            }
        })
    });
    // `random.uniform()`-like values: 16-17 significant digits, the
    // slowest case for shortest-digit search.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let uniform: Vec<f64> = (0..256)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 * 100.0
        })
        .collect();
    group.bench_function("write_f64/uniform", |b| {
        b.iter(|| {
            out.clear();
            for &f in &uniform {
                write_f64(&mut out, black_box(f));
            }
        })
    });
    group.throughput(Throughput::Elements(ints.len() as u64));
    group.bench_function("write_i64", |b| {
        b.iter(|| {
            out.clear();
            for &i in &ints {
                write_i64(&mut out, black_box(i));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("write_digits30/200bit", |b| {
        b.iter(|| {
            out.clear();
            write_digits30(&mut out, true, black_box(&big));
        })
    });
    group.finish();
}

fn temporal(c: &mut Criterion) {
    let date = Date {
        year: 2024,
        month: 6,
        day: 11,
    };
    let time = Time {
        hour: 13,
        minute: 7,
        second: 59,
        microsecond: 123_456,
    };
    let mut out = Vec::with_capacity(1 << 12);
    let mut group = c.benchmark_group("temporal");
    group.throughput(Throughput::Elements(1));
    for (name, offset) in [
        ("naive", None),
        ("utc", Some(0)),
        ("offset", Some(-18_000_000_000)),
    ] {
        group.bench_function(BenchmarkId::new("write_datetime", name), |b| {
            b.iter(|| {
                out.clear();
                write_datetime(
                    &mut out,
                    black_box(date),
                    black_box(time),
                    black_box(offset),
                    TimeFormat::default(),
                );
            })
        });
    }
    // Whole seconds (no `.ffffff`), the other common shape.
    let whole = Time {
        microsecond: 0,
        ..time
    };
    group.bench_function(
        BenchmarkId::new("write_datetime", "utc_whole_seconds"),
        |b| {
            b.iter(|| {
                out.clear();
                write_datetime(
                    &mut out,
                    black_box(date),
                    black_box(whole),
                    black_box(Some(0)),
                    TimeFormat::default(),
                );
            })
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = hot_strings, hot_floats, strings, numbers, temporal
}
criterion_main!(benches);
