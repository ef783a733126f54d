//! Fallible growth of output buffers.
//!
//! Every writer appends to a `Vec<u8>`; `Vec`'s own growth aborts the
//! process when the allocator refuses. Writers therefore make room first,
//! through [`reserve`], at the few places a buffer grows (a writer's entry,
//! a long string's segment), and their inner loops then write into room
//! already there: a failed allocation becomes [`OutOfMemory`] (a
//! `MemoryError` in Python), never an abort.

/// The allocator refused to grow an output buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

impl std::fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of memory while writing JSON")
    }
}

impl std::error::Error for OutOfMemory {}

/// Makes room for `additional` more bytes in `out`, so that writing them
/// cannot reallocate (and so cannot abort).
#[inline(always)]
pub fn reserve(out: &mut Vec<u8>, additional: usize) -> Result<(), OutOfMemory> {
    if out.capacity() - out.len() >= additional {
        return Ok(());
    }
    grow(out, additional)
}

/// Grows geometrically (as `Vec` does) when the allocator allows it, else by
/// an eighth, else by exactly what is needed: near a memory limit a request
/// that fits still succeeds.
#[cold]
#[inline(never)]
fn grow(out: &mut Vec<u8>, additional: usize) -> Result<(), OutOfMemory> {
    let doubled = out.capacity().max(additional);
    let eighth = (out.capacity() / 8).max(additional);
    if out.try_reserve_exact(doubled).is_ok() || out.try_reserve_exact(eighth).is_ok() {
        return Ok(());
    }
    out.try_reserve_exact(additional).map_err(|_| OutOfMemory)
}

/// Appends `bytes`, growing fallibly.
#[inline(always)]
pub fn put(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), OutOfMemory> {
    reserve(out, bytes.len())?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// A vector with room for `capacity` items, or `OutOfMemory`.
pub fn vec_with_capacity<T>(capacity: usize) -> Result<Vec<T>, OutOfMemory> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| OutOfMemory)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_leaves_the_room_asked_for() {
        let mut out = Vec::new();
        for n in [0, 1, 7, 100, 5000, 1 << 20] {
            reserve(&mut out, n).unwrap();
            assert!(out.capacity() - out.len() >= n);
            out.resize(out.len() + n / 2, b'x');
        }
    }

    #[test]
    fn an_impossible_request_is_an_error_not_an_abort() {
        let mut out = vec![1u8, 2, 3];
        assert_eq!(reserve(&mut out, usize::MAX - 1), Err(OutOfMemory));
        assert_eq!(reserve(&mut out, isize::MAX as usize), Err(OutOfMemory));
        assert_eq!(out, [1, 2, 3]);
        assert!(vec_with_capacity::<u64>(usize::MAX / 4).is_err());
        put(&mut out, b"45").unwrap();
        assert_eq!(out, [1, 2, 3, b'4', b'5']);
    }
}
