use super::super::{DocumentBuilder, Error};
use super::{array, build, random_items, split_array, Rng};

/// Python's `items[a:b]` for non-negative bounds.
fn py_slice<T>(items: &[T], a: usize, b: usize) -> &[T] {
    let a = a.min(items.len());
    let b = b.min(items.len()).max(a);
    &items[a..b]
}

#[test]
fn every_slice_and_page_of_random_documents() {
    let mut rng = Rng::new(2);
    for n in 0..24 {
        let items = random_items(&mut rng, n);
        let doc = build(&items);
        let split = split_array(doc.blob());
        for a in 0..n + 3 {
            for b in 0..n + 3 {
                let want = array(py_slice(&split, a, b));
                assert_eq!(doc.slice(a, b).unwrap(), want, "slice {a}..{b} of {n}");
                assert_eq!(
                    doc.page(a, Some(b)).unwrap(),
                    array(py_slice(&split, a, a + b))
                );
            }
            assert_eq!(doc.page(a, None).unwrap(), array(py_slice(&split, a, n)));
        }
    }
}

#[test]
fn pages_clamp_like_python() {
    let doc = build(&[b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
    assert_eq!(doc.page(0, None).unwrap(), b"[1,2,3]");
    assert_eq!(doc.page(1, Some(1)).unwrap(), b"[2]");
    assert_eq!(doc.page(2, Some(100)).unwrap(), b"[3]");
    assert_eq!(doc.page(3, Some(1)).unwrap(), b"[]");
    assert_eq!(doc.page(usize::MAX, Some(usize::MAX)).unwrap(), b"[]");
    assert_eq!(doc.page(1, Some(usize::MAX)).unwrap(), b"[2,3]");
    assert_eq!(doc.page(0, Some(0)).unwrap(), b"[]");
    assert_eq!(doc.slice(2, 1).unwrap(), b"[]");
    assert_eq!(doc.slice(0, usize::MAX).unwrap(), b"[1,2,3]");
    let empty = DocumentBuilder::new().finish();
    assert_eq!(empty.page(0, None).unwrap(), b"[]");
    assert_eq!(empty.slice(0, 5).unwrap(), b"[]");
    assert_eq!(empty.take([]).unwrap(), b"[]");
}

#[test]
fn write_into_appends() {
    let doc = build(&[b"1".to_vec(), b"2".to_vec()]);
    let mut out = b"prefix:".to_vec();
    doc.write_page_into(&mut out, 1, None).unwrap();
    doc.write_slice_into(&mut out, 0, 1).unwrap();
    doc.write_take_into(&mut out, [1, 0]).unwrap();
    assert_eq!(out, b"prefix:[2][1][2,1]");
}

#[test]
fn take_any_order_with_repeats() {
    let mut rng = Rng::new(3);
    for n in 1..30 {
        let items = random_items(&mut rng, n);
        let doc = build(&items);
        let split = split_array(doc.blob());
        for _ in 0..20 {
            let picks: Vec<usize> = (0..rng.below(2 * n + 1)).map(|_| rng.below(n)).collect();
            let want: Vec<&[u8]> = picks.iter().map(|&i| split[i]).collect();
            assert_eq!(doc.take(picks.iter().copied()).unwrap(), array(&want));
        }
    }
}

#[test]
fn take_out_of_range_is_an_error_and_appends_nothing() {
    let doc = build(&[b"1".to_vec(), b"2".to_vec()]);
    assert_eq!(
        doc.take([0, 2, 1]),
        Err(Error::OutOfRange { index: 2, len: 2 })
    );
    assert_eq!(
        doc.take(0..usize::MAX),
        Err(Error::OutOfRange { index: 2, len: 2 })
    );
    let mut out = b"keep".to_vec();
    assert!(doc.write_take_into(&mut out, [1, 1, 7]).is_err());
    assert_eq!(out, b"keep");
}

#[test]
fn view_and_document_agree() {
    let doc = build(&[b"1".to_vec(), b"[2]".to_vec()]);
    let view = doc.view();
    assert_eq!(view.len(), 2);
    assert_eq!(
        view.page(0, Some(1)).unwrap(),
        doc.page(0, Some(1)).unwrap()
    );
    assert_eq!(view.blob(), doc.blob());
    let items: Vec<&[u8]> = view.items().map(Result::unwrap).collect();
    assert_eq!(items, [&b"1"[..], b"[2]"]);
    assert_eq!(view.page_range(1, None), 1..2);
    assert_eq!(view.slice_range(5, 1), 2..2);
}

#[test]
fn encoded_parts_are_read_as_built_and_a_bad_index_length_is_refused() {
    use super::super::Document;
    let le = |v: &[u64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let doc = Document::from_encoded(b"[1,22,333]".to_vec(), le(&[1, 3, 6, 10])).unwrap();
    assert_eq!(doc.page(1, Some(2)).unwrap(), b"[22,333]");
    assert!(Document::from_encoded(b"[1]".to_vec(), vec![1, 0, 0]).is_err());
    assert!(Document::from_encoded(b"[1]".to_vec(), Vec::new()).is_err());
    // An index that does not match the blob: a read fails cleanly, never
    // returns other bytes (debug builds refuse it up front).
    let refused_up_front = cfg!(debug_assertions);
    match Document::from_encoded(b"[1,22,333]".to_vec(), le(&[1, 4, 6, 10])) {
        Ok(doc) => assert!(doc.page(0, Some(1)).is_err() && doc.page(1, Some(1)).is_err()),
        Err(_) => assert!(refused_up_front),
    }
}
