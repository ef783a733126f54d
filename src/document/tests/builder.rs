use super::super::{DocumentBuilder, Error};
use super::{build, random_items, split_array, Rng};

fn offsets(doc: &super::Document) -> Vec<u64> {
    (0..=doc.len()).map(|k| doc.offset(k).unwrap()).collect()
}

#[test]
fn empty_document() {
    let doc = DocumentBuilder::new().finish();
    assert_eq!(doc.len(), 0);
    assert!(doc.is_empty());
    assert_eq!(doc.blob(), b"[]");
    assert_eq!(offsets(&doc), [2]);
    assert_eq!(doc.index_bytes(), 2u64.to_le_bytes());
    doc.verify().unwrap();
}

#[test]
fn offsets_follow_the_model() {
    let doc = build(&[b"1".to_vec(), b"\"ab\"".to_vec(), b"[3,4]".to_vec()]);
    assert_eq!(doc.blob(), b"[1,\"ab\",[3,4]]");
    assert_eq!(offsets(&doc), [1, 3, 8, 14]);
    assert_eq!(doc.offset(4), None);
    let index: Vec<u8> = [1u64, 3, 8, 14]
        .iter()
        .flat_map(|o| o.to_le_bytes())
        .collect();
    assert_eq!(doc.index_bytes(), index);
    doc.verify().unwrap();
}

#[test]
fn begin_item_and_buf() {
    let mut b = DocumentBuilder::with_capacity(100, 3);
    assert!(b.is_empty());
    for id in 0..3 {
        b.begin_item();
        b.buf()
            .extend_from_slice(format!("{{\"id\":{id}}}").as_bytes());
    }
    assert_eq!(b.len(), 3);
    let doc = b.finish();
    assert_eq!(doc.blob(), br#"[{"id":0},{"id":1},{"id":2}]"#);
    assert_eq!(doc.item(1).unwrap(), br#"{"id":1}"#);
}

#[test]
fn abandon_item_restores_the_previous_state() {
    let mut b = DocumentBuilder::new();
    b.abandon_item(); // nothing begun: no effect
    b.begin_item();
    b.buf().extend_from_slice(b"{\"half");
    b.abandon_item();
    assert!(b.is_empty());
    b.push_raw(b"1");
    b.push_raw(b"2");
    b.begin_item();
    b.buf().extend_from_slice(b"[3,");
    b.abandon_item();
    b.push_raw(b"4");
    let doc = b.finish();
    assert_eq!(doc.blob(), b"[1,2,4]");
    assert_eq!(offsets(&doc), [1, 3, 5, 7]);
    doc.verify().unwrap();
}

#[test]
fn random_documents_match_an_independent_split() {
    let mut rng = Rng::new(1);
    for n in 0..60 {
        let items = random_items(&mut rng, n);
        let doc = build(&items);
        doc.verify().unwrap();
        let split = split_array(doc.blob());
        assert_eq!(split.len(), n);
        for (i, item) in items.iter().enumerate() {
            assert_eq!(split[i], item.as_slice());
            assert_eq!(doc.item(i).unwrap(), item.as_slice());
        }
        assert_eq!(doc.item(n), Err(Error::OutOfRange { index: n, len: n }));
    }
}

/// An emitter that breaks the rules (an empty item, or clobbering earlier
/// bytes) must cause errors on read, never panics.
#[test]
fn misbehaving_emitters_give_errors_not_panics() {
    let mut b = DocumentBuilder::new();
    b.push_raw(b"1");
    b.begin_item(); // left empty
    b.push_raw(b"3");
    let doc = b.finish();
    assert_eq!(doc.blob(), b"[1,,3]");
    assert!(doc.item(1).is_err());
    assert!(doc.page(0, None).is_err());
    assert_eq!(doc.item(0).unwrap(), b"1");
    assert!(doc.verify().is_err());

    let mut b = DocumentBuilder::new();
    b.push_raw(b"1");
    b.push_raw(b"2");
    b.buf().clear();
    let doc = b.finish();
    for i in 0..2 {
        assert!(doc.item(i).is_err());
    }
    assert!(doc.page(0, None).is_err());
    assert!(doc.verify().is_err());
    assert!(doc.to_container(true).is_err());
}
