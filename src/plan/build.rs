//! Building plans from the Python spec objects of `slotjson._spec`.

use super::node::*;
use crate::cpython::{member_offset_for, TypeRef};
use crate::json::{self, Text};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use std::collections::HashMap;
use std::sync::Arc;

/// A compiled plan, as Python sees it (stored on the class as
/// `__slotjson_plan__`).
#[pyclass(frozen, name = "Plan", module = "slotjson._native")]
pub struct PyPlan {
    pub plan: Arc<ModelPlan>,
}

#[pymethods]
impl PyPlan {
    /// The class this plan writes.
    #[getter]
    fn cls(&self, py: Python<'_>) -> Py<PyAny> {
        self.plan._cls_ref.clone_ref(py)
    }

    /// One dict per written field: name, key, offset (None when read by
    /// attribute lookup), writer, omit.
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for f in self.plan.fields() {
            let d = PyDict::new(py);
            d.set_item("name", &*f.name_text)?;
            let key = std::str::from_utf8(&f.key_utf8[1..f.key_utf8.len() - 2]).unwrap_or("");
            d.set_item("key", key)?;
            d.set_item("offset", f.offset)?;
            d.set_item("in_dict", f.in_dict)?;
            d.set_item("writer", &*f.node.text)?;
            let omit = match f.omit {
                Omit::Never => None,
                Omit::IfNone => Some("none"),
                Omit::IfEmpty => Some("empty"),
                Omit::IfDefault(_) => Some("default"),
                Omit::IfIdentical(_) => Some("identical"),
            };
            d.set_item("omit", omit)?;
            out.append(d)?;
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "<slotjson plan for {} ({} fields)>",
            self.plan.name,
            self.plan.fields().len()
        )
    }
}

/// The class's own compiled plan, if it has one: the `__slotjson_plan__`
/// entry of the class's own namespace (an inherited attribute belongs to a
/// base class and does not count), read natively so that no metaclass hook
/// can hide or forge it, and only if it is a plan built for this very class
/// (a plan copied onto another class is ignored). `slotjson._spec` stores
/// plans with `type.__setattr__`, into that same namespace.
pub fn plan_of(cls: &Bound<'_, PyAny>) -> Option<Arc<ModelPlan>> {
    let ty = TypeRef::from_bound(cls)?;
    let py = cls.py();
    let attr = ty.own_attr(py, pyo3::intern!(py, "__slotjson_plan__"))?;
    let plan = attr.cast_exact::<PyPlan>().ok()?.get().plan.clone();
    (plan.cls == ty).then_some(plan)
}

/// Build plans for a group of model specs that may refer to each other
/// (recursive types). Returns them in the order given.
pub fn build_plans(py: Python<'_>, specs: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyPlan>>> {
    let specs: Vec<Bound<'_, PyAny>> = specs.try_iter()?.collect::<PyResult<_>>()?;
    let mut group: HashMap<usize, Arc<ModelPlan>> = HashMap::new();
    let mut shells = Vec::with_capacity(specs.len());
    for spec in &specs {
        let cls = spec.getattr("cls")?;
        let ty = TypeRef::from_bound(&cls)
            .ok_or_else(|| PyTypeError::new_err("spec.cls is not a class"))?;
        let plan = Arc::new(ModelPlan {
            cls: ty,
            _cls_ref: cls.clone().unbind(),
            name: spec.getattr("name")?.extract::<String>()?.into(),
            fields: Default::default(),
            shape: shape(py, ty, spec)?,
            computed: Default::default(),
        });
        group.insert(ty.addr(), plan.clone());
        shells.push(plan);
    }
    let builder = Builder { py, group: &group };
    for (spec, plan) in specs.iter().zip(&shells) {
        let cls = spec.getattr("cls")?;
        let mut fields = Vec::new();
        for f in spec.getattr("fields")?.try_iter()? {
            fields.push(builder.field(plan.cls, &cls, &f?)?);
        }
        let mut computed = Vec::new();
        for f in spec.getattr("computed")?.try_iter()? {
            let mut field = builder.field(plan.cls, &cls, &f?)?;
            field.offset = None; // always by attribute lookup
            field.in_dict = false;
            computed.push(field);
        }
        let _ = plan.fields.set(fields.into_boxed_slice());
        let _ = plan.computed.set(computed.into_boxed_slice());
    }
    shells
        .into_iter()
        .map(|plan| Py::new(py, PyPlan { plan }))
        .collect()
}

/// The model-level parts of a spec: key choice, array form, tag, extra
/// items (see `Shape`).
fn shape(py: Python<'_>, ty: TypeRef, spec: &Bound<'_, PyAny>) -> PyResult<Shape> {
    let by_alias: bool = spec.getattr("by_alias")?.extract()?;
    let array_like: bool = spec.getattr("array_like")?.extract()?;
    let tag = spec.getattr("tag")?;
    let tag = if tag.is_none() {
        None
    } else {
        let (key, value): (String, Bound<'_, PyAny>) = tag.extract()?;
        let mut text = [Vec::new(), Vec::new()];
        for (ascii, out) in text.iter_mut().enumerate() {
            if let Ok(s) = value.extract::<String>() {
                json::write_str(out, Text::Utf8(&s), ascii == 1)
                    .map_err(|_| PyTypeError::new_err(format!("tag {s:?} cannot be encoded")))?;
            } else if value.is_instance_of::<pyo3::types::PyInt>()
                && !value.is_instance_of::<pyo3::types::PyBool>()
            {
                out.extend_from_slice(value.str()?.to_str()?.as_bytes());
            } else {
                return Err(PyTypeError::new_err("a tag value must be a str or an int"));
            }
        }
        let [utf8, ascii] = text;
        Some(Tag {
            keys: [
                FieldKey::new(&encode_key(&key, false)?),
                FieldKey::new(&encode_key(&key, true)?),
            ],
            value: [utf8.into_boxed_slice(), ascii.into_boxed_slice()],
        })
    };
    let extra = spec.getattr("extra")?;
    let extra = if extra.is_none() {
        None
    } else {
        let name: String = extra.getattr("name")?.extract()?;
        let slot = extra.getattr("slot")?;
        Some(Extra {
            name: PyString::intern(py, &name).unbind(),
            name_text: name.into(),
            offset: if slot.is_none() {
                None
            } else {
                member_offset_for(ty, &slot)
            },
        })
    };
    let in_dict = spec
        .getattr("fields")?
        .try_iter()?
        .map(|f| f?.getattr("in_dict")?.extract::<bool>())
        .collect::<PyResult<Vec<bool>>>()?
        .into_iter()
        .any(|d| d);
    let has_computed = spec.getattr("computed")?.len()? > 0;
    Ok(Shape {
        general: by_alias
            || array_like
            || tag.is_some()
            || extra.is_some()
            || in_dict
            || has_computed,
        by_alias,
        from_dict: in_dict,
        as_declared: spec.getattr("as_declared")?.extract()?,
        array_like,
        tag,
        extra,
    })
}

struct Builder<'a, 'py> {
    py: Python<'py>,
    group: &'a HashMap<usize, Arc<ModelPlan>>,
}

fn encode_key(key: &str, ascii: bool) -> PyResult<Box<[u8]>> {
    let mut out = Vec::with_capacity(key.len() + 3);
    json::write_str(&mut out, Text::Utf8(key), ascii)
        .map_err(|_| PyTypeError::new_err(format!("JSON key {key:?} cannot be encoded")))?;
    out.push(b':');
    Ok(out.into_boxed_slice())
}

impl Builder<'_, '_> {
    fn field(
        &self,
        cls_ty: TypeRef,
        cls: &Bound<'_, PyAny>,
        f: &Bound<'_, PyAny>,
    ) -> PyResult<FieldPlan> {
        let py = self.py;
        let name_obj = f.getattr("name")?;
        let name: String = name_obj.extract()?;
        let key: String = f.getattr("key")?.extract()?;
        let slot = f.getattr("slot")?;
        let offset = if slot.is_none() {
            None
        } else {
            member_offset_for(cls_ty, &slot)
        };
        let _ = cls;
        let omit = match f.getattr("omit")?.extract::<Option<String>>()?.as_deref() {
            None => Omit::Never,
            Some("none") => Omit::IfNone,
            Some("empty") => Omit::IfEmpty,
            Some("default") => Omit::IfDefault(f.getattr("default")?.unbind()),
            Some("identical") => Omit::IfIdentical(f.getattr("default")?.unbind()),
            Some(other) => {
                return Err(PyTypeError::new_err(format!("unknown omit rule {other:?}")))
            }
        };
        let alias: Option<String> = f.getattr("alias")?.extract()?;
        let alias = alias.as_deref().unwrap_or(&key);
        let key_utf8 = encode_key(&key, false)?;
        let key_ascii = encode_key(&key, true)?;
        Ok(FieldPlan {
            name: PyString::intern(py, &name).unbind(),
            name_text: name.into(),
            keys: [
                FieldKey::new(&key_utf8),
                FieldKey::new(&key_ascii),
                FieldKey::new(&encode_key(alias, false)?),
                FieldKey::new(&encode_key(alias, true)?),
            ],
            key_utf8,
            key_ascii,
            offset,
            in_dict: f.getattr("in_dict")?.extract()?,
            node: self.node(&f.getattr("type")?)?,
            omit,
        })
    }

    fn node(&self, n: &Bound<'_, PyAny>) -> PyResult<Node> {
        let kind: String = n.getattr("kind")?.extract()?;
        let text: String = n.getattr("text")?.extract()?;
        let kind = match kind.as_str() {
            "any" | "custom" | "literal" => Kind::Any,
            "str" => Kind::Str,
            "int" => Kind::Int,
            "float" => Kind::Float,
            "bool" => Kind::Bool,
            "none" => Kind::None,
            "datetime" => Kind::DateTime,
            "date" => Kind::Date,
            "time" => Kind::Time,
            "timedelta" => Kind::TimeDelta,
            "uuid" => Kind::Uuid,
            "decimal" => Kind::Decimal,
            "optional" => Kind::Optional(Box::new(self.node(&n.getattr("inner")?)?)),
            "union" => Kind::Union(self.nodes(&n.getattr("choices")?)?),
            "list" => Kind::List(Box::new(self.node(&n.getattr("item")?)?)),
            "tuple" => Kind::Tuple(self.nodes(&n.getattr("items")?)?),
            "dict" => {
                let key_node = n.getattr("key")?;
                let key = match key_node.getattr("kind")?.extract::<String>()?.as_str() {
                    "str" => KeyKind::Str,
                    "int" => KeyKind::Int,
                    "enum" => KeyKind::Enum(Arc::new(self.enum_table(&key_node.getattr("cls")?)?)),
                    _ => KeyKind::Any,
                };
                let key_text = key_node.getattr("text")?.extract::<String>()?.into();
                Kind::Dict {
                    key,
                    key_text,
                    value: Box::new(self.node(&n.getattr("value")?)?),
                }
            }
            "enum" => Kind::Enum(Arc::new(self.enum_table(&n.getattr("cls")?)?)),
            "model" => Kind::Model(self.model(&n.getattr("cls")?)?),
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unknown spec node kind {other:?}"
                )))
            }
        };
        Ok(Node::new(kind, text.into()))
    }

    fn nodes(&self, seq: &Bound<'_, PyAny>) -> PyResult<Box<[Node]>> {
        seq.try_iter()?.map(|n| self.node(&n?)).collect()
    }

    fn model(&self, cls: &Bound<'_, PyAny>) -> PyResult<Arc<ModelPlan>> {
        let ty = TypeRef::from_bound(cls)
            .ok_or_else(|| PyTypeError::new_err("model node without a class"))?;
        if let Some(p) = self.group.get(&ty.addr()) {
            return Ok(p.clone());
        }
        if let Some(p) = plan_of(cls) {
            return Ok(p);
        }
        // Not compiled yet and not in this group: let the Python side
        // compile it (it handles its own recursion).
        let spec = self.py.import("slotjson._spec")?;
        spec.call_method1("plan_for", (cls,))?;
        plan_of(cls).ok_or_else(|| PyTypeError::new_err(format!("no plan for {cls}")))
    }

    fn enum_table(&self, cls: &Bound<'_, PyAny>) -> PyResult<EnumTable> {
        let ty = TypeRef::from_bound(cls)
            .ok_or_else(|| PyTypeError::new_err("enum node without a class"))?;
        let mut members = Vec::new();
        let mut keep = Vec::new();
        for m in cls
            .getattr("__members__")?
            .call_method0("values")?
            .try_iter()?
        {
            let m = m?;
            members.push((m.as_ptr() as usize, m.getattr("value")?.unbind()));
            keep.push(m.unbind());
        }
        Ok(EnumTable {
            cls: ty,
            members: members.into(),
            _keep: keep.into(),
        })
    }
}
