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
    // Reference point: ryu's own text, without the Python re-layout.
    group.bench_function("ryu_only", |b| {
        b.iter(|| {
            out.clear();
            let mut buf = ryu::Buffer::new();
            for &f in &floats {
                out.extend_from_slice(buf.format_finite(black_box(f)).as_bytes());
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
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = strings, numbers, temporal
}
criterion_main!(benches);
