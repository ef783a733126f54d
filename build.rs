// With the `python` feature, expose `Py_3_11`, `Py_3_12`, … cfgs for the
// interpreter being built against: the CPython layout readers differ by version.
fn main() {
    #[cfg(feature = "python")]
    {
        pyo3_build_config::use_pyo3_cfgs();
        // The raw readers rely on the GIL: see spec/FREE_THREADING.md.
        if pyo3_build_config::get().is_free_threaded() {
            eprintln!(
                "error: slotjson does not support free-threaded CPython (Py_GIL_DISABLED, e.g. 3.14t): \
                 its encoder reads object memory while the GIL keeps it unchanged, and the layouts \
                 differ (see spec/FREE_THREADING.md). Build against the default (GIL) interpreter."
            );
            std::process::exit(1);
        }
    }
}
