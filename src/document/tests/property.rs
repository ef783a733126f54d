//! Corrupted, truncated and random containers: never a panic, and a
//! container that passes verification reads exactly like the original.

use super::super::container::{Header, HEADER_LEN};
use super::super::{DocumentView, Error};
use super::{array, build, random_items, Rng};

#[derive(Debug)]
enum Op {
    Item(usize),
    Slice(usize, usize),
    Page(usize, Option<usize>),
    Take(Vec<usize>),
}

/// Every item, pages of every start, and random slices and takes (indices
/// may be past the end).
fn ops(rng: &mut Rng, n: usize) -> Vec<Op> {
    let mut ops: Vec<Op> = (0..n + 2).map(Op::Item).collect();
    for offset in 0..n + 2 {
        ops.push(Op::Page(offset, Some(1 + rng.below(4))));
    }
    ops.push(Op::Page(0, None));
    for _ in 0..8 {
        ops.push(Op::Slice(rng.below(n + 2), rng.below(n + 2)));
        let take = (0..rng.below(6)).map(|_| rng.below(n + 1)).collect();
        ops.push(Op::Take(take));
    }
    ops
}

fn run(view: &DocumentView<'_>, op: &Op) -> Result<Vec<u8>, Error> {
    match op {
        Op::Item(i) => view.item(*i).map(<[u8]>::to_vec),
        Op::Slice(a, b) => view.slice(*a, *b),
        Op::Page(o, l) => view.page(*o, *l),
        Op::Take(t) => view.take(t.iter().copied()),
    }
}

/// What must hold for any view, verified or not: results are slices of its
/// own blob in brackets, never anything else.
fn sane(view: &DocumentView<'_>, op: &Op, result: &Result<Vec<u8>, Error>) {
    let Ok(bytes) = result else { return };
    match op {
        Op::Item(i) => {
            let item = view.item(*i).unwrap();
            let blob = view.blob().as_ptr_range();
            assert!(blob.contains(&item.as_ptr()) && item.as_ptr_range().end <= blob.end);
            assert!(!item.is_empty());
        }
        _ => assert!(bytes.len() >= 2 && bytes[0] == b'[' && bytes[bytes.len() - 1] == b']'),
    }
}

/// A verified view: no read may fail except for out-of-range indices, and
/// its items joined are its blob.
fn consistent(view: &DocumentView<'_>, ops: &[Op]) {
    for op in ops {
        match run(view, op) {
            Ok(_) | Err(Error::OutOfRange { .. }) => {}
            Err(e) => panic!("verified view failed {op:?}: {e}"),
        }
    }
    let items: Vec<&[u8]> = view.items().map(Result::unwrap).collect();
    assert_eq!(array(&items), view.blob());
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, index_end: usize) {
    match rng.below(8) {
        0 | 1 => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 + rng.below(255) as u8;
        }
        3 if bytes.len() >= index_end && index_end > HEADER_LEN + 8 => {
            // A plausible index entry: another entry's value, nudged.
            let entries = (index_end - HEADER_LEN) / 8;
            let (k, from) = (rng.below(entries), rng.below(entries));
            let src = HEADER_LEN + 8 * from;
            let mut v = u64::from_le_bytes(bytes[src..src + 8].try_into().unwrap());
            v = v.wrapping_add(rng.below(5) as u64).wrapping_sub(2);
            let at = HEADER_LEN + 8 * k;
            bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        4 => bytes.truncate(rng.below(bytes.len())),
        5 => {
            for _ in 0..1 + rng.below(9) {
                bytes.push(rng.byte());
            }
        }
        6 => {
            let at = rng.below(bytes.len());
            bytes.remove(at);
        }
        _ => {
            let at = rng.below(bytes.len() + 1);
            bytes.insert(at, rng.byte());
        }
    }
}

#[test]
fn mutated_containers() {
    let mut rng = Rng::new(6);
    let (mut rejected, mut accepted) = (0, 0);
    for round in 0..1000 {
        let n = rng.below(24);
        let doc = build(&random_items(&mut rng, n));
        let checksum = round % 4 != 0;
        let good = doc.to_container(checksum).unwrap();
        let original = DocumentView::from_bytes(&good, true).unwrap();
        let index_end = HEADER_LEN + 8 * (n + 1);
        for _ in 0..40 {
            let mut bad = good.clone();
            for _ in 0..1 + rng.below(2) {
                if !bad.is_empty() {
                    mutate(&mut rng, &mut bad, index_end);
                }
            }
            let ops = ops(&mut rng, n);
            let header_touched = bad.len() < HEADER_LEN || bad[..HEADER_LEN] != good[..HEADER_LEN];
            let verified = DocumentView::from_bytes(&bad, true);
            let lazy = DocumentView::from_bytes(&bad, false);
            if bad == good {
                assert!(verified.is_ok());
                continue;
            }
            if bad.len() != good.len() || header_touched {
                // Length and header are always checked.
                assert!(verified.is_err() && lazy.is_err(), "{round}");
            }
            match &verified {
                Ok(view) => {
                    accepted += 1;
                    consistent(view, &ops);
                    if checksum {
                        for op in &ops {
                            assert_eq!(run(view, op), run(&original, op), "{op:?}");
                        }
                    }
                }
                Err(_) => rejected += 1,
            }
            if let Ok(view) = &lazy {
                for op in &ops {
                    sane(view, op, &run(view, op));
                }
            }
        }
    }
    // Most mutations must be caught, and some must reach the readers.
    assert!(
        rejected > 10 * accepted,
        "{rejected} rejected, {accepted} accepted"
    );
}

#[test]
fn every_truncation_is_rejected() {
    let mut rng = Rng::new(7);
    for n in [0, 1, 2, 9] {
        let good = build(&random_items(&mut rng, n))
            .to_container(true)
            .unwrap();
        for len in 0..good.len() {
            assert!(
                DocumentView::from_bytes(&good[..len], false).is_err(),
                "{n} items, {len} bytes"
            );
        }
    }
}

#[test]
fn random_bytes() {
    let mut rng = Rng::new(8);
    for _ in 0..20_000 {
        let len = rng.below(160);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        if rng.below(2) == 0 && len >= 8 {
            bytes[..8].copy_from_slice(&super::super::container::MAGIC);
        }
        for verify in [false, true] {
            assert!(DocumentView::from_bytes(&bytes, verify).is_err());
        }
    }
}

/// A valid header over a random index and blob: the O(1) checks pass often
/// enough that the lazy checks of every read are exercised.
#[test]
fn random_body_behind_a_valid_header() {
    let mut rng = Rng::new(9);
    let alphabet = b"1,,,[]\"a";
    let (mut opened, mut verified) = (0, 0);
    for _ in 0..20_000 {
        let n = rng.below(6);
        let blob_len = 2 * n + 1 + rng.below(8) + usize::from(n == 0);
        let mut blob: Vec<u8> = (0..blob_len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        blob[0] = b'[';
        blob[blob_len - 1] = b']';
        if n == 0 {
            blob.truncate(2);
            blob[1] = b']';
        }
        let mut offsets: Vec<u64> = (0..=n).map(|_| rng.below(blob.len() + 2) as u64).collect();
        if rng.below(3) > 0 {
            offsets.sort_unstable();
        }
        offsets[0] = if n == 0 { 2 } else { 1 };
        offsets[n] = blob.len() as u64;
        let header = Header {
            count: n as u64,
            blob_len: blob.len() as u64,
            body_checksum: None,
        };
        let mut bytes = header.encode().to_vec();
        bytes.extend(offsets.iter().flat_map(|o| o.to_le_bytes()));
        bytes.extend_from_slice(&blob);

        let ops = ops(&mut rng, n);
        if let Ok(view) = DocumentView::from_bytes(&bytes, false) {
            opened += 1;
            for op in &ops {
                sane(&view, op, &run(&view, op));
            }
        }
        if let Ok(view) = DocumentView::from_bytes(&bytes, true) {
            verified += 1;
            consistent(&view, &ops);
            for a in 0..=n {
                for b in a..=n {
                    let items: Vec<&[u8]> = (a..b).map(|i| view.item(i).unwrap()).collect();
                    assert_eq!(view.slice(a, b).unwrap(), array(&items));
                }
            }
        }
    }
    assert!(
        opened > 10_000 && verified > 500,
        "{opened} opened, {verified} verified"
    );
}
