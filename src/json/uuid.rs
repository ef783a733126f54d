//! UUID text.

/// Appends `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` (quoted, lowercase hex),
/// the text of `str(uuid.UUID(int=value))`.
pub fn write_uuid(out: &mut Vec<u8>, value: u128) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 38];
    buf[0] = b'"';
    buf[37] = b'"';
    let mut pos = 36;
    for nibble in 0..32 {
        if matches!(pos, 9 | 14 | 19 | 24) {
            buf[pos] = b'-';
            pos -= 1;
        }
        buf[pos] = HEX[((value >> (4 * nibble)) & 0xf) as usize];
        pos -= 1;
    }
    out.extend_from_slice(&buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python() {
        let mut out = Vec::new();
        write_uuid(&mut out, 0x12345678_9abc_def0_1234_56789abcdef0);
        assert_eq!(out, b"\"12345678-9abc-def0-1234-56789abcdef0\"");
        out.clear();
        write_uuid(&mut out, 0);
        assert_eq!(out, b"\"00000000-0000-0000-0000-000000000000\"");
        out.clear();
        write_uuid(&mut out, u128::MAX);
        assert_eq!(out, b"\"ffffffff-ffff-ffff-ffff-ffffffffffff\"");
    }
}
