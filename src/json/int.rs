//! Integer text, including integers of any size.

/// Appends the decimal text of `v`.
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let _ = (out, v);
    unimplemented!()
}

/// Appends the decimal text of `v`.
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    let _ = (out, v);
    unimplemented!()
}

/// Appends the decimal text of an integer of any size given as its sign and
/// its magnitude in base 2**30 digits, least significant first (the layout of
/// CPython's `PyLongObject`). Leading zero digits are allowed; an empty or
/// all-zero magnitude is `0` (never `-0`).
pub fn write_digits30(out: &mut Vec<u8>, negative: bool, digits: &[u32]) {
    let _ = (out, negative, digits);
    unimplemented!()
}
