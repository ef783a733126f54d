//! Turning an emitter failure into `slotjson.EncodeError`.

use crate::emit::{EmitError, ErrorKind, Seg};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

fn type_name(t: &Py<PyAny>, py: Python<'_>) -> String {
    t.bind(py)
        .getattr(pyo3::intern!(py, "__name__"))
        .and_then(|n| n.extract())
        .unwrap_or_else(|_| "?".to_owned())
}

/// `Name: message` (just `Name` when `str(e)` is empty or fails with an
/// `Exception`); `Err` with what `str(e)` raised if that is no `Exception`.
fn exc_text(e: &PyErr, py: Python<'_>) -> Result<String, PyErr> {
    let name = e
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    let msg = match e.value(py).str() {
        Ok(s) => s.to_string(),
        Err(failed) if !wrappable(py, &failed) => return Err(failed),
        Err(_) => String::new(),
    };
    Ok(if msg.is_empty() {
        name
    } else {
        format!("{name}: {msg}")
    })
}

/// Whether `e` may be wrapped in an `EncodeError`: only `Exception`s are.
/// `KeyboardInterrupt`, `SystemExit`, `GeneratorExit` and every other
/// `BaseException` that is not an `Exception` must reach the caller as it
/// was raised (same object, same traceback): they stop the program, they
/// do not describe the value being written.
pub fn wrappable(py: Python<'_>, e: &PyErr) -> bool {
    e.is_instance_of::<PyException>(py)
}

/// `root` is the class name when the top-level value is a model, else "".
#[allow(clippy::boxed_local)] // errors travel boxed: the success path stays small
pub fn to_pyerr(py: Python<'_>, err: Box<EmitError>, root: &str) -> PyErr {
    let EmitError { path, kind } = *err;
    let mut cause: Option<PyErr> = None;
    let detail = match kind {
        ErrorKind::Spec(e) | ErrorKind::OutOfMemory(e) => return e,
        ErrorKind::NoMemory => {
            return pyo3::exceptions::PyMemoryError::new_err("out of memory while writing JSON")
        }
        // Every failure that carries an exception raised by Python code
        // passes through here: one check for all of them.
        ErrorKind::HookRaised(e) | ErrorKind::Python(e) | ErrorKind::Unset(_, Some(e))
            if !wrappable(py, &e) =>
        {
            return e
        }
        ErrorKind::Mismatch { expected, got } => {
            format!("expected {expected}, got {}", type_name(&got, py))
        }
        ErrorKind::TupleLength { expected, got, len } => {
            format!(
                "expected {expected}, got {} of length {len}",
                type_name(&got, py)
            )
        }
        ErrorKind::Unset(name, err) => {
            cause = err;
            format!("attribute '{name}' is not set")
        }
        ErrorKind::Cycle => "circular reference detected".to_owned(),
        ErrorKind::Depth(n) => format!("maximum depth {n} exceeded"),
        ErrorKind::StackDepth(n) => {
            format!("nesting deeper than {n} levels does not fit in this thread's stack (lower max_depth)")
        }
        ErrorKind::NonFinite(f) => {
            let text = if f.is_nan() {
                "nan"
            } else if f > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            format!("float {text} is not allowed in JSON (use nan=\"null\")")
        }
        ErrorKind::LoneSurrogate { index, code_point } => {
            format!("string contains a lone surrogate U+{code_point:04X} at index {index} (use ascii=True)")
        }
        ErrorKind::Unsupported(t) => format!(
            "unsupported type {} (pass default= to convert it)",
            type_name(&t, py)
        ),
        ErrorKind::UnsupportedKey(t) => format!("unsupported dict key type {}", type_name(&t, py)),
        ErrorKind::HookRaised(e) => {
            let text = match exc_text(&e, py) {
                Ok(text) => format!("default= hook raised {text}"),
                Err(failed) => return failed,
            };
            cause = Some(e);
            text
        }
        ErrorKind::HookReturned(t) => format!(
            "default= hook returned unsupported type {}",
            type_name(&t, py)
        ),
        ErrorKind::Python(e) => {
            let text = match exc_text(&e, py) {
                Ok(text) => text,
                Err(failed) => return failed,
            };
            cause = Some(e);
            text
        }
        ErrorKind::Other(s) => s,
        // Only worker emitters stop with this, and the caller redoes their
        // part with the GIL; reaching here is a bug worth reporting clearly.
        ErrorKind::NeedsGil => "internal error: a worker's stop reached the caller".to_owned(),
    };
    match build(py, path, root, &detail, cause) {
        Ok(e) => e,
        Err(e) => e,
    }
}

fn build(
    py: Python<'_>,
    path: Vec<Seg>,
    root: &str,
    detail: &str,
    cause: Option<PyErr>,
) -> PyResult<PyErr> {
    let segs: Vec<Bound<'_, PyTuple>> = path
        .into_iter()
        .rev()
        .map(|s| match s {
            Seg::Field(name) => PyTuple::new(
                py,
                [
                    ("field").into_pyobject(py)?.into_any(),
                    (&*name).into_pyobject(py)?.into_any(),
                ],
            ),
            Seg::Index(i) => PyTuple::new(
                py,
                [
                    ("index").into_pyobject(py)?.into_any(),
                    i.into_pyobject(py)?.into_any(),
                ],
            ),
            Seg::Key(k) => PyTuple::new(
                py,
                [("key").into_pyobject(py)?.into_any(), k.into_bound(py)],
            ),
        })
        .collect::<PyResult<_>>()?;
    let segs = PyTuple::new(py, segs)?;
    let cause = cause.map(|e| e.into_value(py).into_any());
    let exc = py
        .import("slotjson._errors")?
        .call_method1("encode_error", (root, segs, detail, cause))?;
    Ok(PyErr::from_value(exc))
}
