use super::super::{DocumentBuilder, Envelope, Error};
use super::build;

fn doc3() -> super::Document {
    build(&[b"1".to_vec(), b"{\"a\":[2]}".to_vec(), b"3".to_vec()])
}

#[test]
fn envelope_wraps_a_page() {
    let doc = doc3();
    assert_eq!(
        doc.envelope(1, Some(1), "items", "total", None).unwrap(),
        br#"{"items":[{"a":[2]}],"total":3}"#
    );
    assert_eq!(
        doc.envelope(5, Some(1), "data", "count", Some(b"{}"))
            .unwrap(),
        br#"{"data":[],"count":3}"#
    );
    assert_eq!(
        doc.envelope(
            0,
            None,
            "items",
            "total",
            Some(br#" {"next":null,"page":{"n":1}} "#)
        )
        .unwrap(),
        br#"{"items":[1,{"a":[2]},3],"total":3,"next":null,"page":{"n":1}}"#
    );
    assert_eq!(
        doc.envelope(0, Some(0), "items", "total", Some(b"{ \n }"))
            .unwrap(),
        br#"{"items":[],"total":3}"#
    );
    let empty = DocumentBuilder::new().finish();
    assert_eq!(
        empty.envelope(0, None, "items", "total", None).unwrap(),
        br#"{"items":[],"total":0}"#
    );
}

#[test]
fn envelope_keys_are_escaped() {
    let doc = doc3();
    assert_eq!(
        doc.envelope(0, Some(1), "it\"ems", "tot\nal", None)
            .unwrap(),
        b"{\"it\\\"ems\":[1],\"tot\\nal\":3}"
    );
}

#[test]
fn pre_encoded_keys_append() {
    let doc = doc3();
    let keys = Envelope::new("items", "total").unwrap();
    let mut out = b"x".to_vec();
    doc.write_envelope_into(&mut out, 2, None, &keys, Some(br#"{"k":1}"#))
        .unwrap();
    assert_eq!(out, br#"x{"items":[3],"total":3,"k":1}"#);
    assert_eq!(
        doc.write_envelope_into(&mut out, 0, None, &keys, Some(b"[]")),
        Err(Error::BadExtra)
    );
    assert_eq!(out, br#"x{"items":[3],"total":3,"k":1}"#);
}

/// Checked before any key is written, so this runs without the writers.
#[test]
fn extra_must_be_object_text() {
    let doc = doc3();
    for extra in [&b""[..], b"[]", b"{", b"}", b"null", b"{}x", b"x{}"] {
        assert_eq!(
            doc.envelope(0, None, "items", "total", Some(extra)),
            Err(Error::BadExtra),
            "{}",
            String::from_utf8_lossy(extra)
        );
    }
}
