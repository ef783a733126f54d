use std::sync::Arc;

use super::super::container::{
    blob_range, index_range, page_from_fetched, Header, RangeRead, FLAG_BODY_CHECKSUM, HEADER_LEN,
    MAGIC,
};
use super::super::{sj64, Document, DocumentBuilder, DocumentView, FormatError};
use super::{build, random_items, Rng};

fn container(items: &[&[u8]], checksum: bool) -> Vec<u8> {
    let mut b = DocumentBuilder::new();
    for item in items {
        b.push_raw(item);
    }
    b.finish().to_container(checksum).unwrap()
}

/// Rewrites a header field and re-seals the header checksum, to reach the
/// checks behind it.
fn patch_header(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
    let check = sj64(&buf[..56]);
    buf[56..64].copy_from_slice(&check.to_le_bytes());
}

fn err(buf: &[u8]) -> FormatError {
    DocumentView::from_bytes(buf, true).unwrap_err()
}

#[test]
fn round_trip_owned_and_shared() {
    let mut rng = Rng::new(4);
    for n in 0..40 {
        let items = random_items(&mut rng, n);
        let doc = build(&items);
        for checksum in [false, true] {
            let bytes = doc.to_container(checksum).unwrap();
            assert_eq!(bytes.len(), HEADER_LEN + 8 * (n + 1) + doc.blob().len());
            for verify in [false, true] {
                let view = DocumentView::from_bytes(&bytes, verify).unwrap();
                assert_eq!(view.blob(), doc.blob());
                assert_eq!(view.index_bytes(), doc.index_bytes());
                let shared = Document::from_bytes(bytes.clone(), verify).unwrap();
                assert!(shared.shared_buffer().is_some());
                shared.verify().unwrap();
                for i in 0..n {
                    assert_eq!(view.item(i).unwrap(), doc.item(i).unwrap());
                    assert_eq!(shared.item(i).unwrap(), doc.item(i).unwrap());
                }
                let (a, b) = (n / 3, n - n / 3);
                assert_eq!(shared.slice(a, b).unwrap(), doc.slice(a, b).unwrap());
                assert_eq!(shared.to_container(checksum).unwrap(), bytes);
            }
        }
    }
}

#[test]
fn shared_buffer_is_not_copied() {
    let bytes: Arc<Vec<u8>> = Arc::new(container(&[b"1", b"22"], true));
    let doc = Document::from_shared(bytes.clone(), false).unwrap();
    assert_eq!(Arc::strong_count(&bytes), 2);
    assert_eq!(doc.blob().as_ptr(), bytes[HEADER_LEN + 24..].as_ptr());
    assert_eq!(doc.page(1, None).unwrap(), b"[22]");
    drop(doc);
    assert_eq!(Arc::strong_count(&bytes), 1);
}

#[test]
fn header_layout() {
    let bytes = container(&[b"1", b"22"], true);
    assert_eq!(bytes[..8], MAGIC);
    assert_eq!(bytes[8..10], [1, 0]); // version
    assert_eq!(bytes[10..12], [FLAG_BODY_CHECKSUM as u8, 0]);
    assert_eq!(bytes[12..16], [0; 4]);
    assert_eq!(bytes[16..24], 2u64.to_le_bytes());
    assert_eq!(bytes[24..32], 6u64.to_le_bytes()); // [1,22]
    assert_eq!(bytes[32..40], sj64(&bytes[64..]).to_le_bytes());
    assert_eq!(bytes[40..56], [0; 16]);
    assert_eq!(bytes[56..64], sj64(&bytes[..56]).to_le_bytes());
    assert_eq!(bytes[64..88], [1u64, 3, 6].map(u64::to_le_bytes).concat());
    assert_eq!(&bytes[88..], b"[1,22]");
    let header = Header::parse(&bytes).unwrap();
    assert_eq!(header.count, 2);
    assert_eq!(header.blob_len, 6);
    assert_eq!(header.blob_start(), Ok(88));
    assert_eq!(header.container_len(), Ok(94));
    assert_eq!(header.encode()[..], bytes[..64]);

    let plain = container(&[b"1", b"22"], false);
    assert_eq!(plain[10..12], [0, 0]);
    assert_eq!(plain[32..40], [0; 8]);
    assert_eq!(Header::parse(&plain).unwrap().body_checksum, None);
}

#[test]
fn what_is_not_a_container_is_named() {
    use FormatError::*;
    let good = container(&[b"1"], true);
    assert_eq!(err(b""), TooShort { have: 0 });
    assert_eq!(err(&MAGIC[..5]), TooShort { have: 5 });
    assert_eq!(err(&good[..63]), TooShort { have: 63 });
    assert_eq!(err(b"[1,2]"), LooksLikeJson);
    assert_eq!(err(b"  \n{\"a\":1}"), LooksLikeJson);
    assert_eq!(err(b"\xEF\xBB\xBF[1]"), LooksLikeJson);
    assert_eq!(err(b"\"s\""), LooksLikeJson);
    assert_eq!(err(b"-1"), LooksLikeJson);
    assert_eq!(err(b"null"), LooksLikeJson);
    assert_eq!(err(b"\x80\x04\x95\x00"), LooksLikePickle);
    assert_eq!(err(b"PK\x03\x04"), BadMagic);
    assert_eq!(err(b"\x89PNG\r\n\x1a\n"), BadMagic);
    // CR LF → LF, and LF → CR LF.
    let mut crlf_to_lf = good[..4].to_vec();
    crlf_to_lf.extend_from_slice(&good[5..]);
    assert_eq!(err(&crlf_to_lf), LineEndingsMangled);
    let lf_to_crlf = [&good[..4], b"\r\r\n\x1a\r\n", &good[8..]].concat();
    assert_eq!(err(&lf_to_crlf), LineEndingsMangled);
}

#[test]
fn header_checks() {
    use FormatError::*;
    let good = container(&[b"1", b"[2,3]"], true);

    let mut b = good.clone();
    b[8] = 2;
    assert_eq!(err(&b), UnsupportedVersion(2));

    let mut b = good.clone();
    b[17] ^= 1;
    assert!(matches!(err(&b), HeaderChecksum { .. }));
    let mut b = good.clone();
    b[60] ^= 0x40;
    assert!(matches!(err(&b), HeaderChecksum { .. }));

    let mut b = good.clone();
    patch_header(&mut b, 10, &[3, 0]);
    assert_eq!(err(&b), UnsupportedFlags(3));

    for at in [12, 15, 40, 55] {
        let mut b = good.clone();
        patch_header(&mut b, at, &[1]);
        assert_eq!(err(&b), ReservedNotZero, "byte {at}");
    }
    let mut b = container(&[b"1"], false);
    patch_header(&mut b, 32, &[1]); // checksum value without its flag
    assert_eq!(err(&b), ReservedNotZero);

    let mut b = good.clone();
    patch_header(&mut b, 16, &5u64.to_le_bytes()); // 5 items in 9 bytes
    assert_eq!(
        err(&b),
        ImpossibleCount {
            count: 5,
            blob_len: 9
        }
    );
    let mut b = good.clone();
    patch_header(&mut b, 16, &0u64.to_le_bytes());
    assert!(matches!(err(&b), ImpossibleCount { count: 0, .. }));
    let mut b = good.clone();
    patch_header(&mut b, 24, &u64::MAX.to_le_bytes());
    assert_eq!(err(&b), TooLarge);
}

#[test]
fn length_and_body_checks() {
    use FormatError::*;
    let good = container(&[b"1", b"[2,3]"], true);
    let n = good.len() as u64;
    assert_eq!(
        err(&good[..good.len() - 1]),
        Truncated {
            need: n,
            have: n - 1
        }
    );
    assert_eq!(err(&good[..64]), Truncated { need: n, have: 64 });
    let mut long = good.clone();
    long.push(b' ');
    assert_eq!(
        err(&long),
        TrailingBytes {
            need: n,
            have: n + 1
        }
    );

    // A blob byte changed: only verification notices.
    let mut b = good.clone();
    let last = b.len() - 3;
    b[last] = b'9';
    assert!(DocumentView::from_bytes(&b, false).is_ok());
    assert!(matches!(err(&b), BodyChecksum { .. }));
    let shared = Document::from_bytes(b, false).unwrap();
    assert!(matches!(shared.verify(), Err(BodyChecksum { .. })));

    // An index entry changed: also covered by the body checksum.
    let mut b = good.clone();
    b[72] = 4;
    assert!(matches!(err(&b), BodyChecksum { .. }));

    // Without a checksum the index is still verified entry by entry.
    let mut b = container(&[b"1", b"[2,3]"], false);
    b[72] = 5; // inside [2,3], not after a comma
    let view = DocumentView::from_bytes(&b, false).unwrap();
    assert!(matches!(err(&b), BadIndexEntry { entry: 1, .. }));
    assert!(view.write_container(&mut Vec::new(), true).is_err());

    let mut b = good.clone();
    b[88] = b'{';
    assert_eq!(DocumentView::from_bytes(&b, false).unwrap_err(), BadBlob);
    let mut b = good.clone();
    b[64] = 2;
    assert!(matches!(
        DocumentView::from_bytes(&b, false).unwrap_err(),
        BadIndexEntry {
            entry: 0,
            value: 2,
            ..
        }
    ));
    let mut b = good.clone();
    b[80] = 8;
    assert!(matches!(
        DocumentView::from_bytes(&b, false).unwrap_err(),
        BadIndexEntry {
            entry: 2,
            value: 8,
            ..
        }
    ));
}

#[test]
fn errors_display_what_is_wrong() {
    let good = container(&[b"1"], true);
    let msg = |b: &[u8]| err(b).to_string();
    assert!(msg(&good[..good.len() - 2]).contains("truncated: need 83 bytes, have 81"));
    assert!(msg(b"[1]").contains("looks like JSON"));
    assert!(msg(b"\x80\x05").contains("pickle"));
    let mut b = good.clone();
    b[8] = 7;
    assert!(msg(&b).contains("unsupported container format version 7"));
    let mut b = good.clone();
    b[20] = 1;
    assert!(msg(&b).contains("header checksum mismatch"));
    let mut b = good.clone();
    b[81] = b'2';
    assert!(msg(&b).contains("blob checksum mismatch"));
}

#[test]
fn lazily_checked_entries() {
    // Entry 2 of 4 points inside item 1: reads that use it fail, the others
    // are unaffected (they never look at it).
    let mut b = container(&[b"1", b"[2,3]", b"4"], false);
    let at = HEADER_LEN + 16;
    b[at..at + 8].copy_from_slice(&5u64.to_le_bytes());
    let doc = DocumentView::from_bytes(&b, false).unwrap();
    assert_eq!(doc.item(0).unwrap(), b"1");
    assert!(doc.item(1).is_err());
    assert!(doc.item(2).is_err());
    assert_eq!(doc.page(0, None).unwrap(), b"[1,[2,3],4]");
    assert!(doc.take([0, 1]).is_err());
    assert!(doc.page(2, None).is_err());
    assert!(DocumentView::from_bytes(&b, true).is_err());
}

/// The byte-range recipe of spec/FORMAT.md gives the same pages as reading
/// the whole container.
#[test]
fn range_reads_match_full_reads() {
    let mut rng = Rng::new(5);
    for n in 0..20 {
        let items = random_items(&mut rng, n);
        let doc = build(&items);
        let bytes = doc.to_container(true).unwrap();
        let fetch = |r: std::ops::Range<u64>| &bytes[r.start as usize..r.end as usize];
        let header = Header::parse(fetch(0..64)).unwrap();
        for offset in 0..n + 2 {
            for limit in [Some(0), Some(1), Some(3), Some(n), None] {
                let read = RangeRead::new(header, offset as u64, limit.map(|l| l as u64));
                let index = fetch(read.index_range());
                let range = read.blob_range(index).unwrap();
                let page = read.page(fetch(range)).unwrap();
                assert_eq!(
                    page,
                    doc.page(offset, limit).unwrap(),
                    "{offset} {limit:?} of {n}"
                );
            }
        }
    }
}

#[test]
fn range_helpers() {
    assert_eq!(index_range(0, 0), 64..72);
    assert_eq!(index_range(2, 5), 80..112);
    let bytes = container(&[b"1", b"22", b"333"], false);
    let header = Header::parse(&bytes).unwrap();
    // Blob `[1,22,333]` starts at 64 + 8 * 4 = 96; items 1..3 are entries
    // 3 and 10: fetch from the `,` before `22` to the final `]`.
    assert_eq!(blob_range(&header, 3, 10), Ok(98..106));
    assert_eq!(&bytes[98..106], b",22,333]");
    assert_eq!(page_from_fetched(&bytes[98..106]).unwrap(), b"[22,333]");
    assert_eq!(blob_range(&header, 3, 3), Ok(96..96));
    assert_eq!(page_from_fetched(b"").unwrap(), b"[]");
    assert!(blob_range(&header, 0, 3).is_err());
    assert!(blob_range(&header, 5, 3).is_err());
    assert!(blob_range(&header, 3, 11).is_err());
    assert!(page_from_fetched(b"22,").is_err());
    assert!(page_from_fetched(b",]").is_err());

    let read = RangeRead::new(header, 1, Some(1));
    assert_eq!(read.items(), 1..2);
    assert_eq!(read.index_range(), 72..88);
    assert!(read.blob_range(&bytes[72..80]).is_err()); // too short
                                                       // Entries fetched for an unclamped range (before N was known): the
                                                       // needed ones are a prefix.
    let wide = RangeRead::new(header, 1, Some(10));
    assert_eq!(wide.index_range(), 72..96);
    let fetched = &bytes[index_range(1, 11).start as usize..];
    assert_eq!(wide.blob_range(fetched), Ok(98..106));
    assert!(read.page(b",22]").is_err()); // `]` but not the last item
    assert!(read.page(b"[22,").is_err()); // `[` but not the first item
    let past = RangeRead::new(header, 9, None);
    assert!(past.index_range().is_empty());
    assert_eq!(past.blob_range(b"").unwrap(), 96..96);
    assert_eq!(past.page(b"").unwrap(), b"[]");
}
