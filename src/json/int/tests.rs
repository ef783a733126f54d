use super::{write_digits30, write_i128, write_i64, write_u128, write_u64};

fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = b"x".to_vec();
    f(&mut out);
    assert_eq!(out.remove(0), b'x', "must append");
    String::from_utf8(out).unwrap()
}

fn digits30(mut v: u128) -> Vec<u32> {
    let mut digits = Vec::new();
    while v != 0 {
        digits.push((v & 0x3FFF_FFFF) as u32);
        v >>= 30;
    }
    digits
}

/// Decimal text by repeated "multiply by 2**30 and add" on a little-endian
/// decimal digit vector: a different algorithm from the one under test.
fn reference(negative: bool, digits: &[u32]) -> String {
    let mut dec: Vec<u32> = vec![0];
    for &d in digits.iter().rev() {
        let mut carry = d as u64;
        for x in dec.iter_mut() {
            let v = (*x as u64) * (1 << 30) + carry;
            *x = (v % 10) as u32;
            carry = v / 10;
        }
        while carry > 0 {
            dec.push((carry % 10) as u32);
            carry /= 10;
        }
    }
    while dec.len() > 1 && dec.last() == Some(&0) {
        dec.pop();
    }
    let zero = dec == [0];
    let sign = if negative && !zero { "-" } else { "" };
    sign.to_string()
        + &dec
            .iter()
            .rev()
            .map(|d| char::from(b'0' + *d as u8))
            .collect::<String>()
}

#[test]
fn machine_integers() {
    for v in [0, 1, -1, 9, 10, i64::MAX, i64::MIN, -1234567890] {
        assert_eq!(text(|o| write_i64(o, v)), v.to_string());
    }
    for v in [0, 1, u64::MAX, 10_000_000_000_000_000_000] {
        assert_eq!(text(|o| write_u64(o, v)), v.to_string());
    }
    for v in [0, i128::MAX, i128::MIN, -(1i128 << 100)] {
        assert_eq!(text(|o| write_i128(o, v)), v.to_string());
    }
    assert_eq!(text(|o| write_u128(o, u128::MAX)), u128::MAX.to_string());
}

#[test]
fn zero_is_never_negative() {
    for digits in [&[][..], &[0], &[0, 0, 0], &[0; 9]] {
        assert_eq!(text(|o| write_digits30(o, true, digits)), "0");
        assert_eq!(text(|o| write_digits30(o, false, digits)), "0");
    }
}

#[test]
fn named_values() {
    let two_64 = [0, 0, 16];
    assert_eq!(
        text(|o| write_digits30(o, false, &two_64)),
        "18446744073709551616"
    );
    assert_eq!(
        text(|o| write_digits30(o, false, &digits30(u64::MAX as u128))),
        "18446744073709551615"
    );
    assert_eq!(text(|o| write_digits30(o, false, &[0, 1])), "1073741824");
    assert_eq!(
        text(|o| write_digits30(o, false, &[0, 0, 1])),
        "1152921504606846976"
    );
    let mut two_200 = vec![0; 6];
    two_200.push(1 << 20);
    assert_eq!(
        text(|o| write_digits30(o, true, &two_200)),
        "-1606938044258990275541962092341162602522202993782792835301376"
    );
}

#[test]
fn leading_zero_digits_are_ignored() {
    for v in [1u128, 1 << 30, u64::MAX as u128, u128::MAX, 10u128.pow(30)] {
        let mut digits = digits30(v);
        let want = v.to_string();
        for _ in 0..6 {
            assert_eq!(text(|o| write_digits30(o, false, &digits)), want);
            assert_eq!(
                text(|o| write_digits30(o, true, &digits)),
                format!("-{want}")
            );
            digits.push(0);
        }
    }
}

#[test]
fn around_powers_of_two_up_to_u128() {
    for k in 0..128 {
        let p = 1u128 << k;
        for v in [p - 1, p, p + 1, p.wrapping_mul(3) / 2] {
            assert_eq!(
                text(|o| write_digits30(o, false, &digits30(v))),
                v.to_string(),
                "2**{k}"
            );
        }
    }
}

#[test]
fn random_big_values_match_reference() {
    let mut state = 0x1234_5678_9ABC_DEF1u64;
    for _ in 0..300 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 40) as usize;
        let digits: Vec<u32> = (0..len)
            .map(|i| {
                let x = state.rotate_left(i as u32 * 7)
                    ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                // Some all-ones and zero digits to exercise carries.
                match x % 7 {
                    0 => 0,
                    1 => 0x3FFF_FFFF,
                    _ => (x >> 11) as u32 & 0x3FFF_FFFF,
                }
            })
            .collect();
        let negative = state & 1 == 1;
        assert_eq!(
            text(|o| write_digits30(o, negative, &digits)),
            reference(negative, &digits),
            "{digits:?}"
        );
    }
}

#[test]
fn matches_python_str() {
    let data = include_str!("../testdata/ints.txt");
    let mut count = 0;
    for line in data.lines() {
        let mut fields = line.split(' ');
        let negative = fields.next().unwrap() == "-";
        let digits: Vec<u32> = match fields.next().unwrap() {
            "-" => Vec::new(),
            ds => ds
                .split(',')
                .map(|d| u32::from_str_radix(d, 16).unwrap())
                .collect(),
        };
        let want = fields.next().unwrap();
        assert_eq!(text(|o| write_digits30(o, negative, &digits)), want);
        count += 1;
    }
    assert!(count > 800);
}
