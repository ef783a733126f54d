//! serde → JSON text written by this crate's own writers, so values from
//! Rust follow the same output rules as values from Python:
//! `json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)`.
//!
//! - Compact: no whitespace. Strings through [`write_str`] (UTF-8, not
//!   ASCII-escaped); floats through [`write_f64`] (Python `repr`; `f32` is
//!   widened to `f64` first, as Python would hold it); NaN and infinities are
//!   an error. Integers through [`write_i64`]/[`write_u64`], and 128-bit ones
//!   outside those ranges through [`write_digits30`].
//! - `()`, unit structs and `None` → `null`; sequences, tuples and byte
//!   strings → arrays; structs and maps → objects in field/iteration order.
//! - Enums externally tagged: `"Unit"`, `{"Newtype":v}`, `{"Tuple":[…]}`,
//!   `{"Struct":{…}}`.
//! - Map keys as Python's `json` writes them: strings as themselves, and
//!   integers, floats, bools and `None` as their JSON text in a string
//!   (`{"1":…}`, `{"true":…}`, `{"null":…}`); other keys are an error.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use super::{write_digits30, write_f64, write_i64, write_str, write_u64, LoneSurrogate, Text};

/// Why a value could not be written.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// NaN or an infinity (not JSON).
    NonFiniteFloat(f64),
    /// A map key of a kind JSON objects cannot have (named in the payload).
    KeyMustBeString(&'static str),
    /// A string with a lone surrogate (cannot be UTF-8).
    LoneSurrogate(LoneSurrogate),
    /// An error raised by a `Serialize` implementation.
    Custom(String),
    /// The output buffer could not grow.
    OutOfMemory,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonFiniteFloat(v) => {
                write!(
                    f,
                    "float value {v} is not JSON compliant (NaN and infinities are not allowed)"
                )
            }
            Self::KeyMustBeString(kind) => write!(
                f,
                "map keys must be strings, integers, floats, bools or None, not {kind}"
            ),
            Self::LoneSurrogate(s) => write!(
                f,
                "string has a lone surrogate U+{:04X} at index {}",
                s.code_point, s.index
            ),
            Self::Custom(msg) => f.write_str(msg),
            Self::OutOfMemory => f.write_str("out of memory while writing JSON"),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Custom(msg.to_string())
    }
}

impl From<super::StrError> for Error {
    fn from(e: super::StrError) -> Self {
        match e {
            super::StrError::LoneSurrogate(s) => Self::LoneSurrogate(s),
            super::StrError::OutOfMemory => Self::OutOfMemory,
        }
    }
}

impl From<LoneSurrogate> for Error {
    fn from(e: LoneSurrogate) -> Self {
        Self::LoneSurrogate(e)
    }
}

/// Appends the JSON text of `value`. On error `out` is restored to its
/// previous length.
pub fn to_writer<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    let start = out.len();
    let result = value.serialize(&mut Serializer { out });
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// The JSON text of `value`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    to_writer(&mut out, value)?;
    Ok(out)
}

/// The serde serializer; use [`to_writer`] or [`to_vec`].
pub struct Serializer<'a> {
    out: &'a mut Vec<u8>,
}

impl Serializer<'_> {
    fn string(&mut self, s: &str) -> Result<(), Error> {
        Ok(write_str(self.out, Text::Utf8(s), false)?)
    }

    fn float(&mut self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::NonFiniteFloat(v));
        }
        write_f64(self.out, v);
        Ok(())
    }

    fn i128(&mut self, v: i128) {
        match i64::try_from(v) {
            Ok(v) => write_i64(self.out, v),
            Err(_) => write_digits(self.out, v < 0, v.unsigned_abs()),
        }
    }

    fn u128(&mut self, v: u128) {
        match u64::try_from(v) {
            Ok(v) => write_u64(self.out, v),
            Err(_) => write_digits(self.out, false, v),
        }
    }

    /// `{"variant":` — the opening of an externally tagged enum value.
    fn tag(&mut self, variant: &str) -> Result<(), Error> {
        self.out.push(b'{');
        self.string(variant)?;
        self.out.push(b':');
        Ok(())
    }
}

/// 128-bit magnitudes go through the arbitrary-size writer, which takes
/// base 2**30 digits, least significant first.
fn write_digits(out: &mut Vec<u8>, negative: bool, mut magnitude: u128) {
    let mut digits = [0u32; 5];
    let mut n = 0;
    while magnitude != 0 {
        digits[n] = (magnitude & 0x3FFF_FFFF) as u32;
        magnitude >>= 30;
        n += 1;
    }
    write_digits30(out, negative, &digits[..n]);
}

/// An array or object being written; `close` ends it (`]`, `}`, or `]}` /
/// `}}` for a tagged enum variant).
pub struct Compound<'s, 'a> {
    ser: &'s mut Serializer<'a>,
    first: bool,
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !self.first {
            self.ser.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.ser)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.comma();
        self.ser.string(key)?;
        self.ser.out.push(b':');
        value.serialize(&mut *self.ser)
    }

    fn close(self) -> Result<(), Error> {
        self.ser.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'s, 'a> Serializer<'a> {
    fn open(&'s mut self, open: &[u8], close: &'static [u8]) -> Compound<'s, 'a> {
        self.out.extend_from_slice(open);
        Compound {
            ser: self,
            first: true,
            close,
        }
    }
}

impl<'s, 'a> ser::Serializer for &'s mut Serializer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'s, 'a>;
    type SerializeTuple = Compound<'s, 'a>;
    type SerializeTupleStruct = Compound<'s, 'a>;
    type SerializeTupleVariant = Compound<'s, 'a>;
    type SerializeMap = Compound<'s, 'a>;
    type SerializeStruct = Compound<'s, 'a>;
    type SerializeStructVariant = Compound<'s, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        write_i64(self.out, v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.i128(v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        write_u64(self.out, v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.u128(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0u8; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.open(b"[", b"]");
        for &b in v {
            seq.comma();
            write_u64(seq.ser.out, b.into());
        }
        seq.close()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.tag(variant)?;
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'s, 'a>, Error> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Compound<'s, 'a>, Error> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'s, 'a>, Error> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'s, 'a>, Error> {
        self.tag(variant)?;
        Ok(self.open(b"[", b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'s, 'a>, Error> {
        Ok(self.open(b"{", b"}"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'s, 'a>, Error> {
        Ok(self.open(b"{", b"}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'s, 'a>, Error> {
        self.tag(variant)?;
        Ok(self.open(b"{", b"}}"))
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(KeySerializer { ser: self.ser })?;
        self.ser.out.push(b':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// Writes a map key as a JSON string.
struct KeySerializer<'s, 'a> {
    ser: &'s mut Serializer<'a>,
}

impl KeySerializer<'_, '_> {
    /// A non-string key: its JSON text, quoted. The text of numbers, bools
    /// and null never needs escaping.
    fn quoted(
        self,
        write: impl FnOnce(&mut Serializer<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.ser.out.push(b'"');
        write(&mut *self.ser)?;
        self.ser.out.push(b'"');
        Ok(())
    }
}

fn bad_key<T>(kind: &'static str) -> Result<T, Error> {
    Err(Error::KeyMustBeString(kind))
}

impl ser::Serializer for KeySerializer<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(|s| ser::Serializer::serialize_bool(s, v))
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(|s| ser::Serializer::serialize_i64(s, v))
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(|s| ser::Serializer::serialize_i128(s, v))
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(|s| ser::Serializer::serialize_u64(s, v))
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(|s| ser::Serializer::serialize_u128(s, v))
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.quoted(|s| s.float(v))
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.ser.string(v.encode_utf8(&mut [0u8; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.ser.string(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        bad_key("bytes")
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.quoted(|s| ser::Serializer::serialize_unit(s))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.ser.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        bad_key("an enum variant with data")
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        bad_key("a sequence")
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        bad_key("a tuple")
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        bad_key("a tuple struct")
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        bad_key("an enum variant with data")
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        bad_key("a map")
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        bad_key("a struct")
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        bad_key("an enum variant with data")
    }
}
