use super::write_f64;

fn repr(v: f64) -> String {
    let mut out = Vec::new();
    write_f64(&mut out, v);
    String::from_utf8(out).unwrap()
}

#[test]
fn layout_examples() {
    let cases: &[(f64, &str)] = &[
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (-1.0, "-1.0"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (9999999999999998.0, "9999999999999998.0"),
        (0.0001, "0.0001"),
        (0.001, "0.001"),
        (1.5e-5, "1.5e-05"),
        (1e-5, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (123.456, "123.456"),
        (0.1, "0.1"),
        (1.0 / 3.0, "0.3333333333333333"),
        (123456789012345680.0, "1.2345678901234568e+17"),
        (1e22, "1e+22"),
        (9007199254740993.0, "9007199254740992.0"),
        (5e-324, "5e-324"),
        (-5e-324, "-5e-324"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (f64::MAX, "1.7976931348623157e+308"),
        (f64::MIN, "-1.7976931348623157e+308"),
        (2.5e100, "2.5e+100"),
        (-123.456, "-123.456"),
        (-0.0001, "-0.0001"),
        (100.0, "100.0"),
        (0.5, "0.5"),
    ];
    for &(v, want) in cases {
        assert_eq!(repr(v), want, "{v:e}");
    }
}

#[test]
fn appends() {
    let mut out = b"[1,".to_vec();
    write_f64(&mut out, 2.5);
    assert_eq!(out, b"[1,2.5");
}

#[test]
fn matches_python_repr() {
    let data = include_str!("../testdata/floats.txt");
    let mut count = 0;
    for line in data.lines() {
        let (bits, want) = line.split_once(' ').unwrap();
        let v = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        assert_eq!(repr(v), want, "bits {bits}");
        // The text must also read back as the same double.
        assert_eq!(want.parse::<f64>().unwrap().to_bits(), v.to_bits());
        count += 1;
    }
    assert!(count > 4000);
}

/// Layout-independent statement of Python's rule: read ryu's text, in
/// whichever notation it chose, into digits and a decimal point position,
/// then lay those out as `repr` does. (The digits must come from ryu: Rust's
/// own `{:e}` breaks ties between shortest candidates differently from
/// Python, e.g. for 2**-25.)
fn reference(v: f64) -> String {
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(v.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{int}{frac}");
    let digits = all.trim_start_matches('0');
    // v = 0.D1D2...Dn * 10**point
    let point = exp.parse::<i32>().unwrap() + int.len() as i32 - (all.len() - digits.len()) as i32;
    let digits = digits.trim_end_matches('0');
    let n = digits.len() as i32;
    let body = if -4 < point && point <= 16 {
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point < n {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        } else {
            format!("{digits}{}.0", "0".repeat((point - n) as usize))
        }
    } else {
        let rest = if n > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let e = point - 1;
        format!(
            "{}{rest}e{}{:02}",
            &digits[..1],
            if e < 0 { '-' } else { '+' },
            e.abs()
        )
    };
    if v < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

#[test]
fn random_bit_patterns_match_reference() {
    let mut state = 0x0DDB_1A5E_5BAD_5EEDu64;
    let mut checked = 0;
    while checked < 100_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Half of them drawn near 1.0 so that the fixed-notation range and
        // its edges are well covered.
        let bits = if checked % 2 == 0 {
            state
        } else {
            (state >> 12) | (0x3C0u64 + (state & 0x7F)) << 52
        };
        let v = f64::from_bits(bits);
        if v.is_finite() {
            assert_eq!(repr(v), reference(v), "bits {bits:016x}");
            checked += 1;
        }
    }
}

#[test]
fn reference_agrees_with_python() {
    for line in include_str!("../testdata/floats.txt").lines() {
        let (bits, want) = line.split_once(' ').unwrap();
        let v = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        assert_eq!(reference(v), want, "bits {bits}");
    }
}

#[test]
fn every_power_of_ten() {
    // 1e-330..1e310, skipping the values that underflow to zero or overflow
    // to infinity; the layout switches at 1e-5/1e-4 and 1e15/1e16.
    for e in -330i32..=310 {
        let v: f64 = format!("1e{e}").parse().unwrap();
        if v == 0.0 || v.is_infinite() {
            continue;
        }
        let text = repr(v);
        let want = if (-4..16).contains(&e) {
            if e < 0 {
                format!("0.{}1", "0".repeat((-e - 1) as usize))
            } else {
                format!("1{}.0", "0".repeat(e as usize))
            }
        } else {
            let shortest = format!("{v:e}");
            let (mantissa, exp) = shortest.split_once('e').unwrap();
            let exp: i32 = exp.parse().unwrap();
            format!(
                "{mantissa}e{}{:02}",
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            )
        };
        assert_eq!(text, want, "1e{e}");
    }
}
