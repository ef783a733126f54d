// With the `python` feature, expose `Py_3_11`, `Py_3_12`, … cfgs for the
// interpreter being built against: the CPython layout readers differ by version.
fn main() {
    #[cfg(feature = "python")]
    pyo3_build_config::use_pyo3_cfgs();
}
