//! spec/vectors/: containers written by the reference implementation in
//! spec/reference/sjdoc.py, decoded by this reader and re-encoded by this
//! writer byte for byte.

use super::super::{sj64, Document, DocumentBuilder, DocumentView};

fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

const VECTORS: &[(&str, &str, &str, bool)] = &[
    (
        "empty",
        include_str!("../../../spec/vectors/empty.hex"),
        include_str!("../../../spec/vectors/empty.items"),
        false,
    ),
    (
        "small",
        include_str!("../../../spec/vectors/small.hex"),
        include_str!("../../../spec/vectors/small.items"),
        true,
    ),
    (
        "nochecksum",
        include_str!("../../../spec/vectors/nochecksum.hex"),
        include_str!("../../../spec/vectors/nochecksum.items"),
        false,
    ),
];

#[test]
fn valid_vectors_decode_and_reencode() {
    for &(name, hex, items, checksum) in VECTORS {
        let bytes = unhex(hex);
        let items: Vec<&str> = items.lines().collect();
        for verify in [false, true] {
            let view = DocumentView::from_bytes(&bytes, verify).unwrap();
            assert_eq!(view.len(), items.len(), "{name}");
            for (i, item) in items.iter().enumerate() {
                assert_eq!(view.item(i).unwrap(), item.as_bytes(), "{name} item {i}");
            }
        }
        let mut b = DocumentBuilder::new();
        for item in &items {
            b.push_raw(item.as_bytes());
        }
        assert_eq!(b.finish().to_container(checksum).unwrap(), bytes, "{name}");
        assert!(Document::from_bytes(bytes, true).is_ok());
    }
}

#[test]
fn invalid_vectors_are_rejected_with_their_error() {
    let text = include_str!("../../../spec/vectors/invalid.txt");
    let mut count = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (kind, hex) = line.split_once(' ').unwrap();
        let err = DocumentView::from_bytes(&unhex(hex), true).unwrap_err();
        let got = format!("{err:?}");
        let got = got.split([' ', '(', '{']).next().unwrap();
        assert_eq!(got, kind, "{err}");
        count += 1;
    }
    assert_eq!(count, 11);
}

#[test]
fn checksum_vectors() {
    let text = include_str!("../../../spec/vectors/checksum.txt");
    let mut count = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (data, want) = line.split_once(' ').unwrap();
        let data = if data == "-" { Vec::new() } else { unhex(data) };
        assert_eq!(format!("{:016x}", sj64(&data)), want);
        count += 1;
    }
    assert_eq!(count, 7);
}
