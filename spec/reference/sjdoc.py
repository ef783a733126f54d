"""Reference reader and writer for the slotjson document container.

A plain, unoptimized transcription of spec/FORMAT.md for implementers in
other languages; the Rust module `slotjson::document` is the real one.
Run `python3 spec/reference/sjdoc.py` to check spec/vectors/ against it.
"""

import os
import struct

MASK = (1 << 64) - 1
P1 = 0x9E3779B97F4A7C15
P2 = 0xC2B2AE3D27D4EB4F
M = 0xFF51AFD7ED558CCD
F2 = 0xC4CEB9FE1A85EC53

MAGIC = b"\x89SJD\r\n\x1a\n"
VERSION = 1
HEADER_LEN = 64
FLAG_BODY_CHECKSUM = 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK


def _fmix(x):
    x ^= x >> 33
    x = (x * M) & MASK
    x ^= x >> 33
    x = (x * F2) & MASK
    return x ^ (x >> 33)


def sj64(data: bytes) -> int:
    n = len(data)
    lanes = [((P1 * (j + 1)) & MASK) ^ n for j in range(4)]
    if n % 32:
        data = data + bytes(32 - n % 32)
    for block in range(0, len(data), 32):
        for j in range(4):
            w = int.from_bytes(data[block + 8 * j : block + 8 * j + 8], "little")
            lanes[j] = _rotl(((lanes[j] ^ w) * M) & MASK, 31)
    h = (n * P2) & MASK
    for lane in lanes:
        h = _rotl(((h ^ _fmix(lane)) * P1) & MASK, 27)
    return _fmix(h)


def encode(items, checksum=True) -> bytes:
    """Container bytes for a list of item JSON texts (bytes)."""
    blob = b"[" + b",".join(items) + b"]"
    offsets, pos = [], 1
    for item in items:
        offsets.append(pos)
        pos += len(item) + 1
    offsets.append(len(blob))
    index = b"".join(struct.pack("<Q", o) for o in offsets)
    flags = FLAG_BODY_CHECKSUM if checksum else 0
    body = sj64(index + blob) if checksum else 0
    head = MAGIC + struct.pack("<HHIQQQ16x", VERSION, flags, 0, len(items), len(blob), body)
    return head + struct.pack("<Q", sj64(head)) + index + blob


def decode(buf: bytes, verify=True):
    """The list of item JSON texts; raises ValueError on any violation."""
    if len(buf) < HEADER_LEN or buf[:8] != MAGIC:
        raise ValueError("not a container")
    version, flags, reserved, n, blob_len, body, pad1, pad2, check = struct.unpack_from(
        "<HHIQQQQQQ", buf, 8
    )
    if version != VERSION:
        raise ValueError(f"unsupported version {version}")
    if check != sj64(buf[:56]):
        raise ValueError("header checksum mismatch")
    if flags & ~FLAG_BODY_CHECKSUM or reserved or pad1 or pad2:
        raise ValueError("unsupported flags or reserved bytes")
    if not flags & FLAG_BODY_CHECKSUM and body:
        raise ValueError("reserved bytes")
    if (n == 0 and blob_len != 2) or (n > 0 and (blob_len < 3 or n > (blob_len - 1) // 2)):
        raise ValueError("impossible count")
    blob_start = HEADER_LEN + 8 * (n + 1)
    if len(buf) != blob_start + blob_len:
        raise ValueError("wrong length")
    off = struct.unpack_from(f"<{n + 1}Q", buf, HEADER_LEN)
    blob = buf[blob_start:]
    if verify and flags & FLAG_BODY_CHECKSUM and body != sj64(buf[HEADER_LEN:]):
        raise ValueError("body checksum mismatch")
    if blob[:1] != b"[" or blob[-1:] != b"]":
        raise ValueError("bad blob")
    if n == 0:
        if off[0] != 2:
            raise ValueError("bad index entry 0")
        return []
    items = []
    for i in range(n):
        s, e = off[i], off[i + 1]
        ok = 1 <= s and e <= blob_len and e - s >= 2
        ok = ok and blob[s - 1] == (ord("[") if i == 0 else ord(","))
        ok = ok and (s == 1 if i == 0 else True)
        ok = ok and blob[e - 1] == (ord("]") if i == n - 1 else ord(","))
        ok = ok and (e == blob_len if i == n - 1 else True)
        if not ok:
            raise ValueError(f"bad index entry {i}")
        items.append(blob[s : e - 1])
    return items


def _hex_file(path):
    with open(path) as f:
        return bytes.fromhex("".join(f.read().split()))


def _main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors")
    for name in sorted(os.listdir(here)):
        if not name.endswith(".hex"):
            continue
        buf = _hex_file(os.path.join(here, name))
        with open(os.path.join(here, name[:-4] + ".items"), "rb") as f:
            expected = f.read().splitlines()
        assert decode(buf) == expected, name
        print(f"{name}: {len(expected)} items ok")
    with open(os.path.join(here, "checksum.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                data, want = line.split()
                data = b"" if data == "-" else bytes.fromhex(data)
                assert f"{sj64(data):016x}" == want, line
    print("checksum.txt ok")


if __name__ == "__main__":
    _main()
