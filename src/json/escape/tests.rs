use super::{write_str, LoneSurrogate, StrError, Text};

/// Straightforward per-code-point statement of the output rules, used to
/// check the chunked implementation on generated strings.
fn reference(cps: &[u32], ascii: bool) -> Result<Vec<u8>, LoneSurrogate> {
    let mut out = String::from("\"");
    for (index, &cp) in cps.iter().enumerate() {
        match cp {
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x09 => out.push_str("\\t"),
            0x0A => out.push_str("\\n"),
            0x0C => out.push_str("\\f"),
            0x0D => out.push_str("\\r"),
            0..=0x1F => out.push_str(&format!("\\u{cp:04x}")),
            0x7F.. if ascii && cp >= 0x1_0000 => {
                let v = cp - 0x1_0000;
                out.push_str(&format!(
                    "\\u{:04x}\\u{:04x}",
                    0xD800 + (v >> 10),
                    0xDC00 + (v & 0x3FF)
                ));
            }
            0x7F.. if ascii => out.push_str(&format!("\\u{cp:04x}")),
            0xD800..=0xDFFF => {
                return Err(LoneSurrogate {
                    index,
                    code_point: cp,
                })
            }
            _ => out.push(char::from_u32(cp).unwrap()),
        }
    }
    out.push('"');
    Ok(out.into_bytes())
}

fn run(text: Text<'_>, ascii: bool) -> Result<Vec<u8>, LoneSurrogate> {
    // A non-empty buffer checks that output is appended, not overwritten.
    let mut out = b"[".to_vec();
    write_str(&mut out, text, ascii).map_err(|e| match e {
        StrError::LoneSurrogate(s) => s,
        StrError::OutOfMemory => panic!("out of memory"),
    })?;
    assert_eq!(out[0], b'[');
    out.remove(0);
    Ok(out)
}

/// Writes `cps` in every layout that can hold it, in both modes, and checks
/// each result against `expect(ascii)`.
fn check_layouts(cps: &[u32], expect: impl Fn(bool) -> Result<Vec<u8>, LoneSurrogate>) {
    let ucs2: Option<Vec<u16>> = cps.iter().map(|&c| u16::try_from(c).ok()).collect();
    let latin1: Option<Vec<u8>> = cps.iter().map(|&c| u8::try_from(c).ok()).collect();
    let utf8: Option<String> = cps.iter().map(|&c| char::from_u32(c)).collect();
    for ascii in [false, true] {
        let want = expect(ascii);
        let show = |r: &Result<Vec<u8>, LoneSurrogate>| {
            format!("{:?}", r.as_ref().map(|v| String::from_utf8_lossy(v)))
        };
        let mut got = vec![("ucs4", run(Text::Ucs4(cps), ascii))];
        if let Some(u) = &ucs2 {
            got.push(("ucs2", run(Text::Ucs2(u), ascii)));
        }
        if let Some(b) = &latin1 {
            got.push(("latin1", run(Text::Latin1(b), ascii)));
            if b.is_ascii() {
                got.push(("ascii", run(Text::Ascii(b), ascii)));
            }
        }
        if let Some(s) = &utf8 {
            got.push(("utf8", run(Text::Utf8(s), ascii)));
        }
        for (layout, result) in got {
            assert_eq!(
                result,
                want,
                "{layout} ascii={ascii} {cps:x?}\n got {}\nwant {}",
                show(&result),
                show(&want)
            );
        }
    }
}

fn cps(s: &str) -> Vec<u32> {
    s.chars().map(|c| c as u32).collect()
}

#[test]
fn short_forms_and_lowercase_hex() {
    let all_controls: Vec<u32> = (0..0x20).collect();
    let want = concat!(
        r#""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#,
        r#"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#
    );
    check_layouts(&all_controls, |_| Ok(want.as_bytes().to_vec()));
    check_layouts(&cps(r#"a"b\c/d"#), |_| Ok(br#""a\"b\\c/d""#.to_vec()));
}

#[test]
fn non_escaped_specials() {
    // `/`, DEL and the JavaScript line separators are raw without ensure_ascii.
    check_layouts(&[0x2F, 0x7F, 0x2028, 0x2029], |ascii| {
        Ok(if ascii {
            br#""/\u007f\u2028\u2029""#.to_vec()
        } else {
            "\"/\u{7f}\u{2028}\u{2029}\"".as_bytes().to_vec()
        })
    });
}

#[test]
fn transcoding_and_ascii_escapes() {
    let text = "aé\u{ff}\u{100}中\u{ffff}😀\u{10ffff}";
    check_layouts(&cps(text), |ascii| {
        Ok(if ascii {
            br#""a\u00e9\u00ff\u0100\u4e2d\uffff\ud83d\ude00\udbff\udfff""#.to_vec()
        } else {
            format!("\"{text}\"").into_bytes()
        })
    });
    check_layouts(&[], |_| Ok(b"\"\"".to_vec()));
}

#[test]
fn surrogates() {
    for (units, index) in [
        (vec![0xD800u32], 0),
        (vec![0x61, 0x62, 0xDFFF, 0xD800], 2),
        (vec![0xD83D, 0xDE00], 0),
    ] {
        check_layouts(&units, |ascii| {
            if ascii {
                reference(&units, true)
            } else {
                Err(LoneSurrogate {
                    index,
                    code_point: units[index],
                })
            }
        });
    }
    let mut out = Vec::new();
    write_str(&mut out, Text::Ucs2(&[0xD83D, 0xDE00]), true).unwrap();
    assert_eq!(out, br#""\ud83d\ude00""#);
}

#[test]
fn matches_python_json_dumps() {
    let data = include_str!("../testdata/strings.txt");
    let mut count = 0;
    for line in data.lines() {
        let mut fields = line.split('\t');
        let (cps_field, ascii_text, utf8_hex) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let cps: Vec<u32> = match cps_field {
            "-" => Vec::new(),
            f => f
                .split(',')
                .map(|h| u32::from_str_radix(h, 16).unwrap())
                .collect(),
        };
        let utf8 = match utf8_hex {
            "ERR" => None,
            "-" => Some(Vec::new()),
            h => Some(
                (0..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                    .collect(),
            ),
        };
        check_layouts(&cps, |ascii| {
            if ascii {
                return Ok(ascii_text.as_bytes().to_vec());
            }
            match &utf8 {
                Some(bytes) => Ok(bytes.clone()),
                None => {
                    let index = cps
                        .iter()
                        .position(|c| (0xD800..0xE000).contains(c))
                        .unwrap();
                    Err(LoneSurrogate {
                        index,
                        code_point: cps[index],
                    })
                }
            }
        });
        count += 1;
    }
    assert!(count > 400);
}

/// xorshift64*: deterministic, dependency-free test randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_strings_match_reference() {
    const POOLS: [&[u32]; 6] = [
        &[0x61, 0x20, 0x7E, 0x2F, 0x30],
        &[0x00, 0x08, 0x0A, 0x1F, 0x22, 0x5C, 0x7F],
        &[0x80, 0xA0, 0xE9, 0xFF],
        &[0x100, 0x7FF, 0x800, 0x2028, 0x4E2D, 0xFFFF],
        &[0xD800, 0xDBFF, 0xDC00, 0xDFFF],
        &[0x1_0000, 0x1_F600, 0x10_FFFF],
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4000 {
        let widest = 1 + rng.below(POOLS.len());
        // Mostly plain text, so escapes land at varied chunk offsets.
        let len = rng.below(90);
        let cps: Vec<u32> = (0..len)
            .map(|_| {
                let pool = if rng.below(8) == 0 {
                    POOLS[rng.below(widest)]
                } else {
                    POOLS[0]
                };
                pool[rng.below(pool.len())]
            })
            .collect();
        check_layouts(&cps, |ascii| reference(&cps, ascii));
    }
}

#[test]
fn long_strings() {
    let mut text = "x".repeat(20_000);
    text.insert(17_000, '\n');
    text.push('é');
    check_layouts(&cps(&text), |ascii| reference(&cps(&text), ascii));
    let cjk: String = "中文字符".repeat(3000);
    check_layouts(&cps(&cjk), |ascii| reference(&cps(&cjk), ascii));
}

#[test]
fn surrogate_index_in_every_chunk_position() {
    // The wide paths work in chunks; the reported index must be the
    // position in the whole string wherever the surrogate falls.
    for len in [1, 15, 16, 17, 33, 50] {
        for at in 0..len {
            let mut units = vec![0x61u32; len];
            units[at] = 0xDC00;
            let want = LoneSurrogate {
                index: at,
                code_point: 0xDC00,
            };
            assert_eq!(run(Text::Ucs4(&units), false), Err(want));
            let wide: Vec<u16> = units.iter().map(|&u| u as u16).collect();
            assert_eq!(run(Text::Ucs2(&wide), false), Err(want));
            assert!(run(Text::Ucs2(&wide), true).is_ok());
        }
    }
}

#[test]
fn wide_chunks_with_every_ascii_byte() {
    // Each ASCII value at each position of a chunk-sized string, so the
    // chunk check is exercised on every character it must reject.
    for len in [16, 32, 40] {
        for at in 0..len {
            for b in 0..0x80u32 {
                let mut cps = vec![0x41u32; len];
                cps[at] = b;
                check_layouts(&cps, |ascii| reference(&cps, ascii));
            }
        }
    }
}

#[test]
fn every_stop_at_every_position_up_to_70() {
    // One-byte input goes in 16-byte chunks with a tail assembled from
    // overlapping loads (8/4/1-byte pieces), and switches to run copying
    // above 64 bytes: put each kind of stop at each position of each
    // length so every chunk and tail boundary is crossed.
    for len in 0..=70usize {
        let plain: Vec<u32> = (0..len as u32).map(|k| 0x41 + k % 26).collect();
        check_layouts(&plain, |ascii| reference(&plain, ascii));
        for at in 0..len {
            for stop in [
                0x00, 0x1F, 0x22, 0x5C, 0x7F, 0x80, 0xE9, 0xFF, 0x2028, 0x1_F600,
            ] {
                let mut cps = plain.clone();
                cps[at] = stop;
                check_layouts(&cps, |ascii| reference(&cps, ascii));
            }
        }
    }
}

#[test]
fn surrogate_at_every_position_up_to_70() {
    for len in 1..=70usize {
        for at in 0..len {
            let mut units = vec![0xE9u32; len];
            units[at] = 0xD800 + at as u32;
            let want = Err(LoneSurrogate {
                index: at,
                code_point: units[at],
            });
            assert_eq!(run(Text::Ucs4(&units), false), want);
            let wide: Vec<u16> = units.iter().map(|&u| u as u16).collect();
            assert_eq!(run(Text::Ucs2(&wide), false), want);
        }
    }
}

/// Every length 0..=200 (all chunk and tail sizes around the 16-unit
/// chunks, and both sides of the 64-byte run threshold), dense and sparse
/// in non-ASCII and escapes, and a few long lengths, each checked in every
/// layout against the reference.
#[test]
fn every_length_to_200_and_some_long_ones() {
    const DENSE: [u32; 14] = [
        0x61, 0x22, 0x5C, 0x0A, 0x00, 0x7F, 0xE9, 0xFF, 0x100, 0x7FF, 0x800, 0xFFFF, 0x1_F600,
        0x10_FFFF,
    ];
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let lengths = (0..=200).chain(1000..1050).chain([2047, 2048, 2049, 3073]);
    for len in lengths {
        for density in [1, 4, 16] {
            let cps: Vec<u32> = (0..len)
                .map(|_| {
                    if rng.below(density) == 0 {
                        DENSE[rng.below(DENSE.len())]
                    } else {
                        0x61 + rng.below(26) as u32
                    }
                })
                .collect();
            check_layouts(&cps, |ascii| reference(&cps, ascii));
        }
    }
}

/// A surrogate far into a long string reports its index in the whole string.
#[test]
fn surrogate_far_into_a_long_string() {
    // Strings past 16K units are escaped in segments: indices after the
    // first segment count from the start of the string too.
    for at in [1023, 1024, 1025, 2047, 2048, 2500, 16_383, 16_384, 30_001] {
        let mut units = vec![0x4E2Du16; 40_000];
        units[at] = 0xD801;
        let mut out = Vec::new();
        let err = super::write_str(&mut out, Text::Ucs2(&units), false).unwrap_err();
        assert_eq!(
            err,
            StrError::LoneSurrogate(LoneSurrogate {
                index: at,
                code_point: 0xD801
            })
        );
    }
}
