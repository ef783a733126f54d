//! Plan types.

use crate::cpython::TypeRef;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::sync::{Arc, OnceLock};

/// How to write one annotated type.
pub struct Node {
    pub kind: Kind,
    /// The annotation as text, for error messages (`list[Label]`).
    pub text: Box<str>,
    /// The common case, decided when the plan is built so the walker need
    /// not decode `kind` for it: a value whose type is exactly `fast_type`
    /// is written as `fast` says (for an optional, `fast` describes the
    /// inner node, and `fast_optional` says `None` is written as `null`).
    pub fast: Fast,
    pub fast_type: usize,
    pub fast_optional: bool,
}

/// What a value of exactly a node's `fast_type` is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fast {
    /// No fast case: always the general dispatch.
    No,
    Str,
    Int,
    Float,
    Bool,
    DateTime,
    /// The node's (or the optional's inner node's) `Kind::Model` plan.
    Model,
}

impl Node {
    pub fn new(kind: Kind, text: Box<str>) -> Node {
        let (inner, fast_optional) = match &kind {
            Kind::Optional(inner) => (&inner.kind, true),
            other => (other, false),
        };
        let ty = crate::cpython::types();
        let (fast, fast_type) = match inner {
            Kind::Str => (Fast::Str, ty.str_.addr()),
            Kind::Int => (Fast::Int, ty.int.addr()),
            Kind::Float => (Fast::Float, ty.float.addr()),
            Kind::Bool => (Fast::Bool, ty.bool_.addr()),
            Kind::DateTime => (Fast::DateTime, ty.datetime.addr()),
            Kind::Model(plan) => (Fast::Model, plan.cls.addr()),
            _ => (Fast::No, 0),
        };
        Node {
            kind,
            text,
            fast,
            fast_type,
            fast_optional,
        }
    }
}

pub enum Kind {
    /// `Any`, `object`, literals and unknown classes: dispatch on the value.
    Any,
    Str,
    Int,
    Float,
    Bool,
    None,
    DateTime,
    Date,
    Time,
    TimeDelta,
    Uuid,
    Decimal,
    Optional(Box<Node>),
    /// First choice that accepts the value's type wins.
    Union(Box<[Node]>),
    /// `list[T]`, `tuple[T, ...]`, `Sequence[T]`: a list or tuple value.
    List(Box<Node>),
    /// `tuple[A, B]`: a list or tuple value of exactly this length.
    Tuple(Box<[Node]>),
    Dict {
        key: KeyKind,
        /// The key annotation as text (`str`, `Color`), for messages.
        key_text: Box<str>,
        value: Box<Node>,
    },
    Enum(Arc<EnumTable>),
    Model(Arc<ModelPlan>),
}

/// Allowed dict key annotations.
#[derive(Clone)]
pub enum KeyKind {
    Str,
    Int,
    /// Members of this Enum, whose values must be str or int.
    Enum(Arc<EnumTable>),
    Any,
}

/// An Enum class's members and their values, looked up by identity.
pub struct EnumTable {
    pub cls: TypeRef,
    /// (member address, value); members are kept alive by `_keep`.
    pub members: Box<[(usize, Py<PyAny>)]>,
    pub _keep: Box<[Py<PyAny>]>,
}

impl EnumTable {
    #[inline]
    pub fn value_of(&self, addr: usize) -> Option<&Py<PyAny>> {
        self.members
            .iter()
            .find(|(a, _)| *a == addr)
            .map(|(_, v)| v)
    }
}

/// When a field is left out of the JSON object.
pub enum Omit {
    Never,
    IfNone,
    /// None, or an empty str, list, tuple or dict.
    IfEmpty,
    /// The value equals this default.
    IfDefault(Py<PyAny>),
    /// The value is this very object (a pointer compare, no `==`).
    IfIdentical(Py<PyAny>),
}

pub struct FieldPlan {
    /// Attribute name (interned), for attribute lookup and messages.
    pub name: Py<PyString>,
    pub name_text: Box<str>,
    /// `"key":` pre-encoded for `ascii=False` and for `ascii=True`.
    pub key_utf8: Box<[u8]>,
    pub key_ascii: Box<[u8]>,
    /// `,"key":` as the walker writes it, indexed by `2 * by_alias + ascii`
    /// (the alias keys equal the others unless the spec gives aliases).
    pub keys: [FieldKey; 4],
    /// Slot byte offset on exact instances of the model class.
    pub offset: Option<usize>,
    /// Read from the instance `__dict__` (by attribute lookup when the
    /// dict or the entry is missing).
    pub in_dict: bool,
    pub node: Node,
    pub omit: Omit,
}

/// Size of a key's fixed-size block (see `FieldKey`).
pub const KEY_BLOCK: usize = 32;

/// A field's `,"key":` text. Keys up to `KEY_BLOCK` bytes are also kept
/// zero-padded in a block of that size, which is written with one
/// fixed-size copy and cut back to length (no `memcpy` call).
pub struct FieldKey {
    pub block: [u8; KEY_BLOCK],
    /// Length of the text; the block holds it when `len <= KEY_BLOCK`.
    pub len: usize,
    pub text: Box<[u8]>,
}

impl FieldKey {
    /// `key` is the encoded `"key":`.
    pub fn new(key: &[u8]) -> Self {
        let mut text = Vec::with_capacity(key.len() + 1);
        text.push(b',');
        text.extend_from_slice(key);
        let mut block = [0u8; KEY_BLOCK];
        if text.len() <= KEY_BLOCK {
            block[..text.len()].copy_from_slice(&text);
        }
        FieldKey {
            block,
            len: text.len(),
            text: text.into_boxed_slice(),
        }
    }
}

pub struct ModelPlan {
    /// The class; the plan holds a strong reference, so the pointer stays valid.
    pub cls: TypeRef,
    pub _cls_ref: Py<PyAny>,
    pub name: Box<str>,
    /// Filled right after creation, so recursive models can refer to
    /// themselves.
    pub fields: OnceLock<Box<[FieldPlan]>>,
    /// What is written besides the fields, and how (see `Shape`).
    pub shape: Shape,
    /// Values read by attribute lookup (with the GIL) and written after
    /// the fields and the extra items: computed properties.
    pub computed: OnceLock<Box<[FieldPlan]>>,
}

/// The parts of a model's plan beyond "fields as an object, read from
/// slots": all decided from the spec when the plan is built.
#[derive(Default)]
pub struct Shape {
    /// Anything below is set (or a field is read from `__dict__`, or there
    /// are computed fields): the walker takes its general model loop.
    pub general: bool,
    /// Keys by alias unless the call says otherwise (`by_alias=`).
    pub by_alias: bool,
    /// Some field is read from the instance `__dict__` (what to prefetch).
    pub from_dict: bool,
    /// An instance of a subclass, in a field annotated with this class, is
    /// written with this plan (the spec's `as_declared`; only for plans that
    /// read no slot of the subclass's own: see `Builder`).
    pub as_declared: bool,
    /// Write the values as a JSON array, in field order, without keys.
    pub array_like: bool,
    /// A constant written first: `"key":value` (an object) or `value` (an
    /// array), pre-encoded for `ascii` false and true.
    pub tag: Option<Tag>,
    /// A slot (or attribute) holding a dict (or None) whose items are
    /// written after the fields, as `json.dumps` writes a dict's items.
    pub extra: Option<Extra>,
}

pub struct Tag {
    pub keys: [FieldKey; 2],
    pub value: [Box<[u8]>; 2],
}

pub struct Extra {
    pub name: Py<PyString>,
    pub name_text: Box<str>,
    pub offset: Option<usize>,
}

impl ModelPlan {
    #[inline(always)]
    pub fn fields(&self) -> &[FieldPlan] {
        self.fields.get().map(|f| &f[..]).unwrap_or(&[])
    }

    /// Where the last slot the fields read ends: the bytes of an instance
    /// worth prefetching.
    pub fn slots_end(&self) -> usize {
        self.fields()
            .iter()
            .filter_map(|f| f.offset)
            .max()
            .map_or(0, |off| off + std::mem::size_of::<usize>())
    }
}
