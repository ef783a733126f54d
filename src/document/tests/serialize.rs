//! `push_serialize`: serde values through the crate's JSON writers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::{DocumentBuilder, Error};
use crate::json::ser::{to_vec, Error as SerError};

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    String::from_utf8(to_vec(value).unwrap()).unwrap()
}

#[derive(Serialize)]
struct Point {
    x: i32,
    y: Option<f64>,
    label: &'static str,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
enum Shape {
    Empty,
    Circle(f64),
    Pair(i8, u8),
    Rect { w: u32, h: u32 },
}

#[derive(Serialize)]
struct Meters(f32);

#[derive(Serialize)]
struct Unit;

#[test]
fn structs_and_enums() {
    let p = Point {
        x: -3,
        y: None,
        label: "a\"b\n",
        tags: vec!["t", "é"],
    };
    assert_eq!(
        json(&p),
        r#"{"x":-3,"y":null,"label":"a\"b\n","tags":["t","é"]}"#
    );
    assert_eq!(json(&Shape::Empty), r#""Empty""#);
    assert_eq!(json(&Shape::Circle(1.5)), r#"{"Circle":1.5}"#);
    assert_eq!(json(&Shape::Pair(-1, 2)), r#"{"Pair":[-1,2]}"#);
    assert_eq!(
        json(&Shape::Rect { w: 1, h: 2 }),
        r#"{"Rect":{"w":1,"h":2}}"#
    );
    assert_eq!(json(&Unit), "null");
    assert_eq!(json(&()), "null");
    assert_eq!(json(&(1, "x", true)), r#"[1,"x",true]"#);
    assert_eq!(json(&Meters(0.1)), "0.10000000149011612");
    assert_eq!(json(&'q'), r#""q""#);
    assert_eq!(json(serde_bytes_like(b"\x00\xff")), "[0,255]");
}

/// `&[u8]` serializes as a sequence; a byte string needs an explicit
/// `serialize_bytes`.
fn serde_bytes_like(bytes: &'static [u8]) -> &'static impl Serialize {
    struct Bytes(&'static [u8]);
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    Box::leak(Box::new(Bytes(bytes)))
}

#[test]
fn numbers() {
    assert_eq!(
        json(&[i64::MIN, 0, i64::MAX]),
        "[-9223372036854775808,0,9223372036854775807]"
    );
    assert_eq!(json(&u64::MAX), "18446744073709551615");
    assert_eq!(json(&(1i128 << 70)), "1180591620717411303424");
    assert_eq!(json(&i128::MIN), "-170141183460469231731687303715884105728");
    assert_eq!(json(&u128::MAX), "340282366920938463463374607431768211455");
    assert_eq!(json(&-5i128), "-5");
    assert_eq!(json(&[1e16, 1e-5, -0.0, 2.0]), "[1e+16,1e-05,-0.0,2.0]");
}

#[test]
fn map_keys_like_python() {
    let m: BTreeMap<i32, &str> = [(2, "b"), (-1, "a")].into_iter().collect();
    assert_eq!(json(&m), r#"{"-1":"a","2":"b"}"#);
    let m: BTreeMap<bool, u8> = [(true, 1)].into_iter().collect();
    assert_eq!(json(&m), r#"{"true":1}"#);
    let m: BTreeMap<Option<&str>, u8> = [(None, 0), (Some("k\""), 1)].into_iter().collect();
    assert_eq!(json(&m), r#"{"null":0,"k\"":1}"#);
    let m: BTreeMap<char, u8> = [('c', 1)].into_iter().collect();
    assert_eq!(json(&m), r#"{"c":1}"#);
}

#[test]
fn push_serialize_builds_items() {
    let mut b = DocumentBuilder::new();
    b.push_serialize(&Shape::Rect { w: 3, h: 4 }).unwrap();
    b.push_serialize("s").unwrap();
    assert!(b.push_serialize(&[1.0, f64::NAN]).is_err());
    b.push_serialize(&[1u8, 2]).unwrap();
    let doc = b.finish();
    assert_eq!(doc.blob(), br#"[{"Rect":{"w":3,"h":4}},"s",[1,2]]"#);
    assert_eq!(doc.page(1, Some(2)).unwrap(), br#"["s",[1,2]]"#);
    doc.verify().unwrap();
}

/// Errors raised before any writer runs; these need no writers.
#[test]
fn errors_leave_the_builder_unchanged() {
    let mut b = DocumentBuilder::new();
    b.push_raw(b"1");
    assert!(matches!(
        b.push_serialize(&f64::NAN),
        Err(Error::Serialize(SerError::NonFiniteFloat(v))) if v.is_nan()
    ));
    assert!(matches!(
        b.push_serialize(&[f64::INFINITY]),
        Err(Error::Serialize(SerError::NonFiniteFloat(_)))
    ));
    let bad_key: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
    assert_eq!(
        b.push_serialize(&bad_key),
        Err(Error::Serialize(SerError::KeyMustBeString("a sequence")))
    );
    assert_eq!(
        to_vec(&vec![f32::NEG_INFINITY]),
        Err(SerError::NonFiniteFloat(f64::NEG_INFINITY))
    );
    assert_eq!(b.len(), 1);
    assert_eq!(b.finish().blob(), b"[1]");
}
