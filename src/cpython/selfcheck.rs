//! Import-time check of every layout assumption against the running
//! interpreter, reader by reader ([`Reader`]). Struct sizes are compared with
//! `tp_basicsize`; values read through the raw readers are compared with what
//! the C API (or attribute access) says for sample objects. A mismatch
//! leaves that reader (and the readers that rely on it) off: they then use
//! their C API fallbacks, slower but correct, while the others stay raw.
//!
//! The in-place `bytes` builder is checked too (it relies on the C API only,
//! not on layouts): if it fails, `dumps` copies a finished buffer instead.
//!
//! `SLOTJSON_SELFCHECK_POISON` (reader names separated by commas) makes those
//! readers' checks fail, so the tests can show what one mismatch switches off.

use super::layout::*;
use super::object::{Obj, TypeRef};
use super::{bytes, datetime, dict, number, seq, slots, text, types, Reader};
use crate::json::Text;
use pyo3::ffi;
use pyo3::prelude::*;
use std::mem::size_of;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static BUILDER_PASSED: AtomicBool = AtomicBool::new(false);
/// Per reader, why it failed (empty: it passed); then the builder's.
static REPORT: OnceLock<Report> = OnceLock::new();

/// What the self-check found.
pub struct Report {
    /// Per reader (in [`Reader::ALL`] order): its mismatches, empty if none.
    pub readers: Vec<String>,
    /// Why the `bytes` builder failed, if it did.
    pub builder: Option<String>,
}

/// Whether `BytesBuilder` passed its check (encoders may write into `bytes`
/// objects in place).
pub fn builder_passed() -> bool {
    BUILDER_PASSED.load(Ordering::Relaxed)
}

/// What the self-check found (`None` before it ran).
pub fn report() -> Option<&'static Report> {
    REPORT.get()
}

/// Mismatches found, per reader.
struct Failures([Vec<String>; Reader::ALL.len()]);

impl Failures {
    fn push(&mut self, r: Reader, msg: String) {
        self.0[r as usize].push(msg);
    }
}

/// Run the checks and enable each reader whose checks (and whose
/// dependencies' checks) pass, unless the `SLOTJSON_NO_RAW` environment
/// variable is set.
pub fn run(py: Python<'_>) -> PyResult<()> {
    let mut f = Failures(Default::default());
    for r in Reader::ALL {
        super::set_raw(r, true); // the readers under test
    }
    let result = check_all(py, &mut f);
    for r in Reader::ALL {
        super::set_raw(r, false);
    }
    result?;
    let poison = std::env::var("SLOTJSON_SELFCHECK_POISON").unwrap_or_default();
    for name in poison.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Reader::ALL.iter().find(|r| r.name() == name) {
            Some(&r) => f.push(r, "made to fail by SLOTJSON_SELFCHECK_POISON".to_owned()),
            None => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "SLOTJSON_SELFCHECK_POISON: no reader named {name:?}"
                )))
            }
        }
    }
    let mut reasons: Vec<String> = f.0.iter().map(|v| v.join("; ")).collect();
    for r in Reader::ALL {
        let own = f.0[r as usize].is_empty();
        let failed_needs: Vec<&str> = r
            .needs()
            .iter()
            .filter(|n| !f.0[**n as usize].is_empty())
            .map(|n| n.name())
            .collect();
        if own && !failed_needs.is_empty() {
            reasons[r as usize] = format!("relies on the {} reader", failed_needs.join(", "));
        }
        super::PASSED[r as usize].store(own && failed_needs.is_empty(), Ordering::Relaxed);
    }
    let builder = bytes::check_builder(py);
    BUILDER_PASSED.store(builder.is_ok(), Ordering::Relaxed);
    let _ = REPORT.set(Report {
        readers: reasons,
        builder: builder
            .err()
            .map(|e| format!("{e} (dumps copies its output instead)")),
    });
    let disabled = std::env::var_os("SLOTJSON_NO_RAW").is_some_and(|v| !v.is_empty() && v != "0");
    super::set_raw_path(!disabled);
    Ok(())
}

macro_rules! expect {
    ($failures:expr, $reader:expr, $cond:expr, $($msg:tt)+) => {
        if !$cond {
            $failures.push($reader, format!($($msg)+));
        }
    };
}

fn basicsize(t: TypeRef) -> usize {
    // SAFETY: reading tp_basicsize of a live type object.
    unsafe { (*t.0).tp_basicsize as usize }
}

fn check_all(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    check_sizes(f);
    check_strings(py, f)?;
    check_ints(py, f)?;
    check_floats(py, f)?;
    check_sequences(py, f)?;
    check_temporal(py, f)?;
    check_slots(py, f)?;
    check_instance_dicts(py, f)?;
    Ok(())
}

/// The instance dict read from memory is `__dict__` itself, for a class
/// with the default (managed, on 3.11+) dict and for a subclass of a slotted
/// class; before `__dict__` is first asked for, the read gives nothing or
/// that same dict.
fn check_instance_dicts(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let classes = py.eval(
        c"(type('DictCheck', (), {}), type('DictCheck2', (type('SlotBase', (), {'__slots__': ('s',)}),), {}))",
        None,
        None,
    )?;
    for (i, cls) in classes.try_iter()?.enumerate() {
        let cls = cls?;
        // Values set one by one (kept inline on 3.11+), then the dict asked for.
        let inst = cls.call0()?;
        inst.setattr("a", 1)?;
        inst.setattr("b", "two")?;
        let before = dict::instance_dict(Obj::from_bound(&inst)).map(|o| o.as_ptr());
        let d = inst.getattr("__dict__")?;
        let after = dict::instance_dict(Obj::from_bound(&inst)).map(|o| o.as_ptr());
        expect!(
            f,
            Reader::Dict,
            after == Some(d.as_ptr()) && before.is_none_or(|p| p == d.as_ptr()),
            "instance dict {i}: raw read differs from __dict__"
        );
        // A dict assigned whole (what pydantic does).
        let inst = cls.call0()?;
        let assigned = pyo3::types::PyDict::new(py);
        assigned.set_item("x", 5)?;
        inst.setattr("__dict__", &assigned)?;
        let got = dict::instance_dict(Obj::from_bound(&inst)).map(|o| o.as_ptr());
        expect!(
            f,
            Reader::Dict,
            got == Some(assigned.as_ptr()),
            "instance dict {i}: raw read of an assigned __dict__ differs"
        );
        let name = pyo3::types::PyString::intern(py, "x").unbind();
        let mut hint = 0;
        let value = dict::dict_field(Obj::from_bound(assigned.as_any()), &name, &mut hint)
            .map(|o| o.as_ptr());
        expect!(
            f,
            Reader::Dict,
            value
                == Some(
                    assigned
                        .get_item("x")?
                        .map_or(std::ptr::null_mut(), |v| v.as_ptr())
                ),
            "instance dict {i}: entry lookup differs"
        );
    }
    Ok(())
}

fn check_sizes(f: &mut Failures) {
    let t = types::types();
    let pairs: [(Reader, TypeRef, usize); 10] = [
        (Reader::Str, t.str_, size_of::<UnicodeObject>()),
        (Reader::Int, t.int, size_of::<LongHead>()),
        (Reader::Float, t.float, size_of::<FloatObject>()),
        (Reader::List, t.list, size_of::<ListObject>()),
        (Reader::Tuple, t.tuple, size_of::<TupleHead>()),
        (Reader::DateTime, t.datetime, size_of::<DateTimeObject>()),
        (Reader::Date, t.date, size_of::<DateObject>()),
        (Reader::Time, t.time, size_of::<TimeObject>()),
        (Reader::TimeDelta, t.timedelta, size_of::<DeltaObject>()),
        (Reader::TimeZone, t.timezone, size_of::<TimeZoneObject>()),
    ];
    for (r, ty, ours) in pairs {
        let theirs = basicsize(ty);
        let name = r.name();
        expect!(
            f,
            r,
            theirs == ours,
            "{name}: tp_basicsize {theirs} != layout size {ours}"
        );
    }
    // SAFETY: address of the static member descriptor type.
    let member = TypeRef(std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type));
    let (theirs, ours) = (basicsize(member), size_of::<MemberDescrObject>());
    expect!(
        f,
        Reader::Slots,
        theirs == ours,
        "member_descriptor: tp_basicsize {theirs} != layout size {ours}"
    );
}

fn check_strings(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let samples = py.eval(
        c"['', 'abc', 'caf\\xe9', '\\u65e5\\u672c', '\\U0001f600x', 'a\\ud800b', type('S', (str,), {})('sub\\xe9'), 'x' * 100]",
        None,
        None,
    )?;
    for s in samples.try_iter()? {
        let s = s?;
        let obj = Obj::from_bound(&s);
        // SAFETY: C API length of a live str.
        let n = unsafe { ffi::PyUnicode_GetLength(obj.as_ptr()) } as usize;
        let Some(st) = text::str_text(obj) else {
            f.push(Reader::Str, format!("str {s}: raw read failed"));
            continue;
        };
        let units: Vec<u32> = match st.text() {
            Text::Ascii(b) | Text::Latin1(b) => b.iter().map(|&c| c.into()).collect(),
            Text::Ucs2(u) => u.iter().map(|&c| c.into()).collect(),
            Text::Ucs4(u) => u.to_vec(),
            Text::Utf8(s) => s.chars().map(u32::from).collect(),
        };
        // SAFETY: C API reads of a live str within its length.
        let expected: Vec<u32> = (0..n)
            .map(|i| unsafe { ffi::PyUnicode_ReadChar(obj.as_ptr(), i as isize) })
            .collect();
        expect!(
            f,
            Reader::Str,
            units == expected,
            "str {:?}: raw code points differ from PyUnicode_ReadChar",
            s.repr()?.to_string()
        );
        if let Text::Ascii(b) = st.text() {
            expect!(
                f,
                Reader::Str,
                b.is_ascii(),
                "str {:?}: ASCII flag on non-ASCII data",
                s.repr()?.to_string()
            );
        }
    }
    // The cached UTF-8 copy: once PyUnicode_AsUTF8AndSize has made it, the
    // raw reader must return exactly that buffer.
    let s = py.eval(c"'caf\\xe9 \\u65e5\\U0001f600'.upper().lower()", None, None)?;
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: C API on a live str; the returned buffer is owned by it.
    let utf8 = unsafe { ffi::PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    let cached = match text::str_text(Obj::from_bound(&s))
        .as_ref()
        .map(|t| t.text())
    {
        Some(Text::Utf8(u)) => u.as_ptr() == utf8 as *const u8 && u.len() == size as usize,
        _ => false,
    };
    expect!(
        f,
        Reader::Str,
        cached,
        "str: the cached UTF-8 buffer is not where the layout says"
    );
    Ok(())
}

/// Hex digits of a base-2**30 magnitude, for comparison with `hex()`.
fn digits_to_hex(digits: &[u32]) -> String {
    let mut bits: Vec<bool> = Vec::new();
    for d in digits {
        for b in 0..LONG_DIGIT_BITS {
            bits.push(d >> b & 1 == 1);
        }
    }
    while bits.last() == Some(&false) {
        bits.pop();
    }
    if bits.is_empty() {
        return "0".to_owned();
    }
    let mut out = String::new();
    for chunk in (0..bits.len().div_ceil(4)).rev() {
        let mut v = 0;
        for b in (0..4).rev() {
            v = v << 1 | usize::from(*bits.get(chunk * 4 + b).unwrap_or(&false));
        }
        out.push(char::from_digit(v as u32, 16).unwrap());
    }
    out
}

fn check_ints(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let samples = py.eval(
        c"[0, 1, -1, 2**30 - 1, 2**30, -2**31, 2**60, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, -2**200, 10**40, True, type('I', (int,), {})(-12345)]",
        None,
        None,
    )?;
    for v in samples.try_iter()? {
        let v = v?;
        let obj = Obj::from_bound(&v);
        let hex: String = py
            .eval(c"lambda v: format(abs(int(v)), 'x')", None, None)?
            .call1((&v,))?
            .extract()?;
        let negative: bool = v.lt(0)?;
        let ok = match number::int_value(obj) {
            Ok(number::IntValue::Small(x)) => v.extract::<i64>().ok() == Some(x),
            Ok(number::IntValue::Digits {
                negative: n,
                digits,
            }) => n == negative && digits_to_hex(digits) == hex && v.extract::<i64>().is_err(),
            _ => false,
        };
        expect!(f, Reader::Int, ok, "int {v}: raw value differs");
    }
    Ok(())
}

fn check_floats(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let samples = py.eval(
        c"[0.0, -0.0, 1.5, 1e308, 5e-324, float('nan'), type('F', (float,), {})(2.25)]",
        None,
        None,
    )?;
    for v in samples.try_iter()? {
        let v = v?;
        // SAFETY: C API read of a live float.
        let expected = unsafe { ffi::PyFloat_AsDouble(v.as_ptr()) };
        let got = number::float_value(Obj::from_bound(&v));
        expect!(
            f,
            Reader::Float,
            got.to_bits() == expected.to_bits(),
            "float {v}: raw value differs"
        );
    }
    Ok(())
}

fn check_sequences(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let list = py.eval(c"[1, 'a', None, 2.5]", None, None)?;
    let tuple = py.eval(c"(1, 'a', None, 2.5, ())", None, None)?;
    let lo = Obj::from_bound(&list);
    let to = Obj::from_bound(&tuple);
    expect!(
        f,
        Reader::List,
        seq::list_len(lo) == 4,
        "list: raw length differs"
    );
    expect!(
        f,
        Reader::Tuple,
        seq::tuple_len(to) == 5,
        "tuple: raw length differs"
    );
    for i in 0..4 {
        // SAFETY: C API borrowed item reads within bounds.
        let (l, t) = unsafe {
            (
                ffi::PyList_GetItem(lo.as_ptr(), i),
                ffi::PyTuple_GetItem(to.as_ptr(), i),
            )
        };
        expect!(
            f,
            Reader::List,
            seq::list_get(lo, i as usize).map(Obj::as_ptr) == Some(l),
            "list: raw item {i} differs"
        );
        expect!(
            f,
            Reader::Tuple,
            seq::tuple_get(to, i as usize).map(Obj::as_ptr) == Some(t),
            "tuple: raw item {i} differs"
        );
    }
    expect!(
        f,
        Reader::List,
        seq::list_get(lo, 4).is_none(),
        "list: read past the end"
    );
    Ok(())
}

fn check_temporal(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let g = py
        .eval(c"__import__('datetime').__dict__", None, None)?
        .cast_into::<pyo3::types::PyDict>()?;
    let dts = py.eval(
        c"[datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999), datetime(1969, 7, 20, 20, 17, 40, 1, tzinfo=timezone.utc), datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=timezone(timedelta(hours=-5, seconds=-7, microseconds=-3)))]",
        Some(&g),
        None,
    )?;
    let fields = [
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "microsecond",
    ];
    for dt in dts.try_iter()? {
        let dt = dt?;
        let (d, t, tz) = datetime::datetime_parts(Obj::from_bound(&dt));
        let got = [
            d.year as i64,
            d.month as i64,
            d.day as i64,
            t.hour as i64,
            t.minute as i64,
            t.second as i64,
            t.microsecond as i64,
        ];
        let want: Vec<i64> = fields
            .iter()
            .map(|n| dt.getattr(*n).and_then(|v| v.extract()))
            .collect::<PyResult<_>>()?;
        expect!(
            f,
            Reader::DateTime,
            got[..] == want[..],
            "datetime {dt}: raw fields differ"
        );
        let tzinfo = dt.getattr("tzinfo")?;
        expect!(
            f,
            Reader::DateTime,
            tz.map(Obj::as_ptr) == (!tzinfo.is_none()).then(|| tzinfo.as_ptr()),
            "datetime {dt}: raw tzinfo differs"
        );
        if let Some(tz) = tz {
            let off = tzinfo.call_method1("utcoffset", (&dt,))?;
            let want = off.call_method0("total_seconds")?.extract::<f64>()?;
            let got = datetime::tz_fixed_offset(tz).map(|us| us as f64 / 1e6);
            expect!(
                f,
                Reader::TimeZone,
                got == Some(want),
                "timezone {tzinfo}: raw offset differs"
            );
        }
    }
    let d = py.eval(c"date(2024, 2, 29)", Some(&g), None)?;
    let dp = datetime::date_parts(Obj::from_bound(&d));
    expect!(
        f,
        Reader::Date,
        (dp.year, dp.month, dp.day) == (2024, 2, 29),
        "date: raw fields differ"
    );
    let t = py.eval(
        c"time(23, 58, 57, 123456, tzinfo=timezone.utc)",
        Some(&g),
        None,
    )?;
    let (tp, ttz) = datetime::time_parts(Obj::from_bound(&t));
    expect!(
        f,
        Reader::Time,
        (tp.hour, tp.minute, tp.second, tp.microsecond) == (23, 58, 57, 123456),
        "time: raw fields differ"
    );
    expect!(
        f,
        Reader::Time,
        ttz.map(|o| o.addr()) == Some(types::types().utc),
        "time: raw tzinfo differs"
    );
    let naive = py.eval(c"time(1, 2)", Some(&g), None)?;
    expect!(
        f,
        Reader::Time,
        datetime::time_parts(Obj::from_bound(&naive)).1.is_none(),
        "time: naive read as aware"
    );
    let td = py.eval(
        c"timedelta(days=-3, seconds=5, microseconds=7)",
        Some(&g),
        None,
    )?;
    let tdp = datetime::delta_parts(Obj::from_bound(&td));
    let want = datetime::DeltaParts {
        days: td.getattr("days")?.extract()?,
        seconds: 5,
        microseconds: 7,
    };
    expect!(
        f,
        Reader::TimeDelta,
        tdp == want,
        "timedelta: raw fields differ"
    );
    Ok(())
}

fn check_slots(py: Python<'_>, f: &mut Failures) -> PyResult<()> {
    let cls = py.eval(
        c"type('SlotCheck', (), {'__slots__': ('a', 'b', 'c')})",
        None,
        None,
    )?;
    let inst = cls.call0()?;
    let value = py.eval(c"object()", None, None)?;
    inst.setattr("a", &value)?;
    inst.setattr("c", 7)?;
    let cty = TypeRef::from_bound(&cls).expect("a type");
    let name = pyo3::types::PyString::intern(py, "a").unbind();
    for (attr, want) in [
        ("a", Some(value.as_ptr())),
        ("b", None),
        ("c", Some(inst.getattr("c")?.as_ptr())),
    ] {
        let descr = cls.getattr("__dict__")?.get_item(attr)?;
        expect!(
            f,
            Reader::Slots,
            slots::member_owner(&descr).map(|t| t.addr())
                == Some(descr.getattr("__objclass__")?.as_ptr() as usize),
            "slot {attr}: PyDescr_TYPE differs from __objclass__"
        );
        let Some(off) = slots::member_offset_for(cty, &descr) else {
            f.push(
                Reader::Slots,
                format!("slot {attr}: no offset from its member descriptor"),
            );
            continue;
        };
        let got = match slots::slot(Obj::from_bound(&inst), Some(off), &name) {
            slots::SlotRead::Value(o) => Some(o.as_ptr()),
            slots::SlotRead::Unset(_) => None,
            _ => Some(std::ptr::null_mut()),
        };
        expect!(
            f,
            Reader::Slots,
            got == want,
            "slot {attr}: raw read at offset {off} differs"
        );
    }
    if let Some(off) = types::types().uuid_int_offset {
        let u = py.eval(c"__import__('uuid').UUID(int=2**127 + 5)", None, None)?;
        let int = u.getattr("int")?;
        let got = match slots::slot(Obj::from_bound(&u), Some(off), &name) {
            slots::SlotRead::Value(o) => o.as_ptr(),
            _ => std::ptr::null_mut(),
        };
        expect!(
            f,
            Reader::Uuid,
            got == int.as_ptr(),
            "UUID.int: raw read at offset {off} differs"
        );
    }
    Ok(())
}
