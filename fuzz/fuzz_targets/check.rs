//! The container fuzz target's checks, shared by the cargo-fuzz target
//! (`container.rs`, nightly) and the stable, seeded mutation loop that runs
//! with the crate's tests (`tests/fuzz_container.rs`): arbitrary bytes as a
//! container; opening and every kind of read must give a result or an
//! error, never a panic; a view that passed verification must never fail a
//! read, and its items joined must be its blob.

use slotjson::document::container::HEADER_LEN;
use slotjson::document::{sj64, Document, DocumentView, Error};

fn exercise(view: &DocumentView<'_>, data: &[u8], verified: bool) {
    let n = view.len();
    // Read parameters from the input's tail so the fuzzer can steer them.
    let knob = |k: usize| {
        data.get(data.len().wrapping_sub(k + 1))
            .copied()
            .unwrap_or(0) as usize
    };
    let check = |result: Result<Vec<u8>, Error>| match result {
        Ok(page) => assert!(page.first() == Some(&b'[') && page.last() == Some(&b']')),
        Err(Error::OutOfRange { .. }) => {}
        Err(e) => assert!(!verified, "verified view failed: {e}"),
    };
    for i in 0..n.min(64) + 1 {
        match view.item(i) {
            Ok(item) => assert!(!item.is_empty()),
            Err(Error::OutOfRange { .. }) => assert!(i >= n),
            Err(e) => assert!(!verified, "verified view failed: {e}"),
        }
    }
    let (a, b) = (knob(0) % (n + 2), knob(1) % (n + 2));
    check(view.page(a, Some(knob(2))));
    check(view.page(a, None));
    check(view.slice(a, b));
    check(view.take([a, b, a, knob(3) % (n + 1)]));
    check(view.take((0..n).rev().step_by(1 + knob(4))));
    if verified {
        let items: Result<Vec<&[u8]>, Error> = view.items().collect();
        let items = items.expect("verified view");
        let mut joined = vec![b'['];
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                joined.push(b',');
            }
            joined.extend_from_slice(item);
        }
        joined.push(b']');
        assert_eq!(joined, view.blob());
        let round_trip = view.to_container(false).expect("verified view re-encodes");
        assert!(DocumentView::from_bytes(&round_trip, true).is_ok());
    }
}

fn run(data: &[u8]) {
    if let Ok(view) = DocumentView::from_bytes(data, false) {
        exercise(&view, data, false);
    }
    if let Ok(view) = DocumentView::from_bytes(data, true) {
        exercise(&view, data, true);
    }
    // The owned, shared-buffer form must agree with the borrowed one.
    if let Ok(doc) = Document::from_bytes(data.to_vec(), false) {
        let view = DocumentView::from_bytes(data, false).expect("same bytes");
        assert_eq!(doc.len(), view.len());
        assert_eq!(doc.page(0, None), view.page(0, None));
    }
}

/// The input with its body and header checksums recomputed. Mutated headers
/// and bodies would almost never get past the checksums, so without this the
/// checks behind them would go unexplored.
pub fn resealed(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < HEADER_LEN {
        return None;
    }
    let mut bytes = data.to_vec();
    if bytes[10] & 1 != 0 {
        let body = sj64(&bytes[HEADER_LEN..]);
        bytes[32..40].copy_from_slice(&body.to_le_bytes());
    }
    let header = sj64(&bytes[..56]);
    bytes[56..64].copy_from_slice(&header.to_le_bytes());
    Some(bytes)
}

/// One input: as given, and with its checksums recomputed.
pub fn check(data: &[u8]) {
    run(data);
    if let Some(bytes) = resealed(data) {
        run(&bytes);
    }
}
