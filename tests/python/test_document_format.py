"""The document container (spec/FORMAT.md) against damaged and foreign input.

The core is a deterministic fuzz loop (seeded random.Random, not hypothesis,
so the default run is fast and reproducible): valid containers are
bit-flipped, truncated, extended, spliced and forged, and each result is
opened with and without verification. Two oracles judge every case:

* a transcription of the spec's reader (section 5) in this file, `SpecReader`,
  which says whether opening must fail and, for every read, either the exact
  bytes or that the read must raise FormatError; the implementation must
  agree exactly, so a read can never return bytes the spec does not allow;
* the guarantees the spec promises, checked directly: header damage,
  truncation and extension are always rejected; a verified container with a
  body checksum reads back exactly the container it came from; a verified
  document never fails a read; with a blob-only mutation and no verification
  an item differs from the original only at the mutated bytes.

SLOTJSON_FORMAT_CASES sets the number of fuzz cases (default 20,000, each
opened twice) and SLOTJSON_FORMAT_SEED the seed, for longer runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import random
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import slotjson
from slotjson import Document, FormatError

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "spec" / "vectors"


def _load_reference():
    spec = importlib.util.spec_from_file_location("sjdoc_reference", ROOT / "spec" / "reference" / "sjdoc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sjdoc = _load_reference()
sj64 = sjdoc.sj64
MAGIC = sjdoc.MAGIC
HEADER = 64
CASES = int(os.environ.get("SLOTJSON_FORMAT_CASES", "20000"))
SEED = int(os.environ.get("SLOTJSON_FORMAT_SEED", "0x5D0C"), 0)


def u64(buf: bytes, at: int) -> int:
    return int.from_bytes(buf[at : at + 8], "little")


def with_header_checksum(head: bytes) -> bytes:
    """The 64-byte header with bytes 56..64 recomputed from bytes 0..56."""
    return head[:56] + struct.pack("<Q", sj64(head[:56]))


def patch(container: bytes, at: int, fmt: str, value: int) -> bytes:
    """Overwrite a header field and recompute the header checksum, so the
    reader gets past the checksum to the check under test."""
    buf = bytearray(container)
    struct.pack_into(fmt, buf, at, value)
    return with_header_checksum(bytes(buf[:HEADER])) + bytes(buf[HEADER:])


# --- the spec's reader, transcribed ---------------------------------------------------


class Reject(Exception):
    """The spec says this open or read must fail (FormatError)."""


@dataclass
class SpecReader:
    n: int
    blob: bytes
    index: bytes
    checksummed: bool

    @classmethod
    def open(cls, buf: bytes, verify: bool) -> SpecReader:
        # Section 5, "Opening", steps 1-8 in order.
        if buf[:8] != MAGIC:
            raise Reject("magic")
        if len(buf) < HEADER:
            raise Reject("too short")
        version, flags = struct.unpack_from("<HH", buf, 8)
        if version != 1:
            raise Reject("version")
        if u64(buf, 56) != sj64(buf[:56]):
            raise Reject("header checksum")
        body = u64(buf, 32)
        if flags & ~1 or any(buf[12:16]) or any(buf[40:56]) or (not flags & 1 and body):
            raise Reject("flags/reserved")
        n, blob_len = u64(buf, 16), u64(buf, 24)
        if (n == 0 and blob_len != 2) or (n > 0 and (blob_len < 3 or n > (blob_len - 1) // 2)):
            raise Reject("impossible count")
        blob_start = HEADER + 8 * (n + 1)
        if blob_start + blob_len >= 2**64:
            raise Reject("too large")
        if len(buf) != blob_start + blob_len:
            raise Reject("length")
        reader = cls(n, buf[blob_start:], buf[HEADER:blob_start], bool(flags & 1))
        blob = reader.blob
        if blob[:1] != b"[" or blob[-1:] != b"]":
            raise Reject("blob")
        if reader.off(0) != (2 if n == 0 else 1) or reader.off(n) != blob_len:
            raise Reject("first/last entry")
        if verify:
            reader.verify(body if flags & 1 else None, buf)
        return reader

    def verify(self, body: int | None, buf: bytes) -> None:
        # Section 5, "Verifying".
        if body is not None and body != sj64(buf[HEADER:]):
            raise Reject("body checksum")
        for i in range(self.n):
            self.span(i, i + 1)

    def off(self, k: int) -> int:
        return u64(self.index, 8 * k)

    def span(self, a: int, b: int) -> tuple[int, int]:
        # Section 5, "Using index entries": only entries a and b are read.
        s, e, size = self.off(a), self.off(b), len(self.blob)
        if not (1 <= s <= e <= size and e - s >= 2 * (b - a)):
            raise Reject(f"entries {a}, {b}")
        if (a == 0 and s != 1) or (a > 0 and self.blob[s - 1] != ord(",")):
            raise Reject(f"entry {a}")
        if (b == self.n and (e != size or self.blob[e - 1] != ord("]"))) or (
            b < self.n and self.blob[e - 1] != ord(",")
        ):
            raise Reject(f"entry {b}")
        return s, e

    def item(self, i: int) -> bytes:
        s, e = self.span(i, i + 1)
        return self.blob[s : e - 1]

    def items(self, a: int, b: int) -> bytes:
        """The JSON array of items a..b (already clamped)."""
        if a >= b:
            return b"[]"
        s, e = self.span(a, b)
        return b"[" + self.blob[s : e - 1] + b"]"


def outcome(fn, *args):
    """('ok', bytes) or ('reject',) for a read, FormatError mapped to reject."""
    try:
        return ("ok", fn(*args))
    except (FormatError, Reject):
        return ("reject",)


# --- valid containers to damage ----------------------------------------------------

# Values whose JSON has commas and brackets inside items, so that a moved
# index entry can land on a plausible boundary, as the spec warns.
ATOMS = [0, 1, -7, 2**65, 1.5, -0.0, True, None, "", "a,b", "],[", "é", "日本", 'q"\\', "x" * 40]


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth >= 3 or roll < 0.5:
        return rng.choice(ATOMS)
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["k", "a,b", "é", "]"]) + str(j): random_value(rng, depth + 1) for j in range(rng.randrange(4))}


@dataclass
class Original:
    data: bytes
    items: list[bytes]
    checksummed: bool
    blob_start: int = field(init=False)

    def __post_init__(self):
        self.blob_start = HEADER + 8 * (len(self.items) + 1)


def build_corpus(rng: random.Random) -> list[Original]:
    corpus = []
    sizes = [0, 1, 1, 2, 3] + [rng.randrange(2, 14) for _ in range(25)]
    for n in sizes:
        values = [random_value(rng) for _ in range(n)]
        doc = slotjson.dumps_indexed(values)
        items = [json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode() for v in values]
        for checksum in (True, False):
            data = doc.to_bytes(checksum=checksum)
            # The writer agrees with the reference writer, byte for byte.
            assert data == sjdoc.encode(items, checksum=checksum)
            corpus.append(Original(data, items, checksum))
    return corpus


# --- mutations ------------------------------------------------------------------------


@dataclass
class Case:
    kind: str
    buf: bytes
    original: Original | None = None
    regions: frozenset[str] = frozenset()  # of header, index, blob: where bytes changed
    positions: frozenset[int] = frozenset()  # container positions changed


def flip(rng, orig: Original) -> Case:
    data = bytearray(orig.data)
    region = rng.choice(["header", "index", "blob", "blob", "any"])
    lo, hi = {
        "header": (0, HEADER),
        "index": (HEADER, orig.blob_start),
        "blob": (orig.blob_start, len(data)),
        "any": (0, len(data)),
    }[region]
    positions = {rng.randrange(lo, hi) for _ in range(rng.choice([1, 1, 2, 3]))}
    for p in positions:
        data[p] ^= rng.randrange(1, 256)
    regions = {"header" if p < HEADER else "index" if p < orig.blob_start else "blob" for p in positions}
    return Case("flip", bytes(data), orig, frozenset(regions), frozenset(positions))


def set_separator(rng, orig: Original) -> Case:
    """Write a separator-like byte into the blob (commas in new places)."""
    data = bytearray(orig.data)
    p = rng.randrange(orig.blob_start, len(data))
    new = rng.choice(b',[]"')
    if data[p] == new:
        new = ord("x") if new != ord("x") else ord(",")
    data[p] = new
    return Case("flip", bytes(data), orig, frozenset({"blob"}), frozenset({p}))


def move_entry(rng, orig: Original) -> Case:
    """Point an index entry at another position, often just after a comma:
    a boundary the lazy checks accept (spec section 5 says only verification
    with a checksum catches it)."""
    n = len(orig.items)
    data = bytearray(orig.data)
    k = rng.randrange(n + 1)
    blob = orig.data[orig.blob_start :]
    commas = [i + 1 for i, c in enumerate(blob) if c == ord(",")]
    roll = rng.random()
    if commas and roll < 0.6:
        value = rng.choice(commas)
    elif roll < 0.8:
        value = rng.randrange(len(blob) + 2)
    else:
        value = rng.choice([0, 2**63, 2**64 - 1, len(blob) + 1, rng.getrandbits(64)])
    struct.pack_into("<Q", data, HEADER + 8 * k, value)
    positions = frozenset(p for p in range(HEADER + 8 * k, HEADER + 8 * k + 8) if data[p] != orig.data[p])
    return Case("move", bytes(data), orig, frozenset({"index"} if positions else ()), positions)


def truncate(rng, orig: Original) -> Case:
    cut = rng.choice([rng.randrange(len(orig.data)), len(orig.data) - 1, rng.randrange(HEADER + 1)])
    return Case("truncate", orig.data[:cut], orig)


def append(rng, orig: Original) -> Case:
    extra = rng.choice([b"\n", b"\0", b"]", rng.randbytes(rng.randrange(1, 17))])
    return Case("append", orig.data + extra, orig)


def splice(rng, a: Original, b: Original) -> Case:
    i = rng.randrange(len(a.data) + 1)
    j = rng.choice([i, rng.randrange(len(b.data) + 1)])
    return Case("splice", a.data[:i] + b.data[j:])


def reheader(rng, orig: Original) -> Case:
    """Change one header field and recompute the header checksum, so the
    later opening checks (flags, reserved, sizes) are reached."""
    at, fmt, choices = rng.choice(
        [
            (8, "<H", [0, 2, 0xFFFF]),
            (10, "<H", [0, 1, 2, 3, 0x8001]),
            (12, "<I", [1, 2**31]),
            (16, "<Q", [0, 1, len(orig.items) + 1, max(len(orig.items) - 1, 0), 2**61, 2**64 - 1]),
            (24, "<Q", [0, 2, 3, u64(orig.data, 24) - 1, u64(orig.data, 24) + 1, 2**63, 2**64 - 1]),
            (32, "<Q", [0, 1, rng.getrandbits(64)]),
            (40, "<Q", [1]),
            (48, "<Q", [2**63]),
        ]
    )
    value = rng.choice(choices)
    buf = patch(orig.data, at, fmt, value)
    return Case("reheader", buf, orig if buf != orig.data else None)


def forge(rng) -> Case:
    """A header that passes every header check, over a random index and a
    comma-dense random blob: exercises the lazy entry checks directly."""
    n = rng.randrange(0, 8)
    blob_len = 2 if n == 0 else rng.randrange(max(3, 2 * n + 1), 2 * n + 20)
    inner = bytes(rng.choice(b",,,1x]") for _ in range(blob_len - 2))
    blob = b"[" + inner + b"]"
    if rng.random() < 0.2:
        blob = bytes([rng.choice(b"[x")]) + blob[1:-1] + bytes([rng.choice(b"]x")])
    entries = sorted(rng.randrange(0, blob_len + 2) for _ in range(n + 1))
    if rng.random() < 0.5:
        rng.shuffle(entries)
    if rng.random() < 0.8 and n > 0:
        entries[0], entries[-1] = 1, blob_len
    elif n == 0:
        entries = [rng.choice([2, 2, 2, 1, 0])]
    index = b"".join(struct.pack("<Q", e) for e in entries)
    checksum = rng.random() < 0.5
    body = sj64(index + blob) if checksum else 0
    if checksum and rng.random() < 0.2:
        body ^= 1
    head = MAGIC + struct.pack("<HHIQQQ16x", 1, int(checksum), 0, n, blob_len, body)
    return Case("forge", with_header_checksum(head + bytes(8)) + index + blob)


def noise(rng) -> Case:
    size = rng.choice([0, 1, 7, 8, 63, 64, 65, rng.randrange(300)])
    data = rng.randbytes(size)
    if rng.random() < 0.5:
        data = (MAGIC + data)[: max(size, 8)]
    return Case("noise", data)


def make_case(rng, corpus: list[Original]) -> Case:
    orig = rng.choice(corpus)
    roll = rng.random()
    if roll < 0.35:
        return flip(rng, orig)
    if roll < 0.45:
        return set_separator(rng, orig)
    if roll < 0.60:
        return move_entry(rng, orig)
    if roll < 0.68:
        return truncate(rng, orig)
    if roll < 0.73:
        return append(rng, orig)
    if roll < 0.80:
        return splice(rng, orig, rng.choice(corpus))
    if roll < 0.88:
        return reheader(rng, orig)
    if roll < 0.96:
        return forge(rng)
    return noise(rng)


# --- the check ------------------------------------------------------------------------


def reads(rng, n: int) -> list[tuple]:
    """A sample of reads: every item, then pages, slices and takes."""
    plan: list[tuple] = [("item", i) for i in range(-n, n)]
    plan += [("item", n), ("item", -n - 1)]
    for _ in range(4):
        a, b = rng.randrange(n + 2), rng.randrange(n + 3)
        plan.append(("page", a, b))
        plan.append(("slice", a - rng.randrange(n + 2), b))
    plan.append(("page", 0, None))
    plan.append(("take", [rng.randrange(-n, n) for _ in range(rng.randrange(4))] if n else []))
    return plan


def perform(doc: Document, op: tuple):
    if op[0] == "item":
        return doc[op[1]]
    if op[0] == "page":
        return doc.page(op[1], op[2])
    if op[0] == "slice":
        return doc[op[1] : op[2]]
    return doc.take(op[1])


def expect(model: SpecReader, op: tuple):
    n = model.n
    if op[0] == "item":
        i = op[1]
        if not -n <= i < n:
            return ("index error",)
        return outcome(model.item, i % n)
    if op[0] == "page":
        a, limit = op[1], op[2]
        b = n if limit is None else min(a + limit, n)
        return outcome(model.items, min(a, n), b)
    if op[0] == "slice":
        a, b, _ = slice(op[1], op[2]).indices(n)
        return outcome(model.items, a, max(a, b))
    return outcome(lambda: b"[" + b",".join(model.item(i % n) for i in op[1]) + b"]")


def actual(doc: Document, op: tuple):
    try:
        return ("ok", perform(doc, op))
    except FormatError:
        return ("reject",)
    except IndexError:
        return ("index error",)


@dataclass
class Stats:
    cases: int = 0
    opened: dict = field(default_factory=lambda: {False: 0, True: 0})
    reads: int = 0
    rejected_reads: int = 0
    mutated_reads: int = 0  # successful item reads whose bytes differ from the original
    moved_reads: int = 0  # ... of those, through a moved index entry the lazy checks accept


def check_case(case: Case, verify: bool, rng: random.Random, known: dict[bytes, Original], stats: Stats) -> None:
    buf = case.buf
    why = ""
    try:
        model = SpecReader.open(buf, verify)
    except Reject as e:
        model, why = None, str(e)
    try:
        doc = Document.from_bytes(buf, verify=verify)
    except FormatError as e:
        assert model is None, f"{case.kind}: valid per spec, but open failed: {e}"
        assert str(e), "FormatError without a message"
        return
    assert model is not None, f"{case.kind}: opened, but the spec rejects it ({why})"
    stats.opened[verify] += 1

    # Guarantees, independently of the model.
    orig = case.original
    assert case.kind not in ("truncate", "append"), "a length change was not detected"
    assert "header" not in case.regions, "header damage was not detected"
    if verify and model.checksummed and case.kind != "forge":
        # With a body checksum, verification leaves no room for damage: the
        # buffer is one of the containers that were written.
        assert buf in known, f"{case.kind}: verified a damaged container"

    # The document's shape is the container's, zero-copy.
    assert len(doc) == model.n
    assert bytes(doc) == model.blob == bytes(memoryview(doc))
    assert doc.nbytes == len(model.blob)
    assert doc.offsets.tobytes() == model.index

    n = model.n
    for op in reads(rng, n):
        got, want = actual(doc, op), expect(model, op)
        assert got == want, f"{case.kind} verify={verify} {op}: got {got!r:.120}, spec says {want!r:.120}"
        stats.reads += 1
        if got[0] == "reject":
            stats.rejected_reads += 1
            assert not verify, f"{case.kind}: a verified document failed a read {op}"
            continue
        if got[0] != "ok" or op[0] != "item":
            continue
        i = op[1] % n
        text = got[1]
        # Whatever is returned is blob text, never header or index bytes.
        assert text in model.blob
        if buf in known:
            assert text == known[buf].items[i]
        elif orig is not None and case.regions == {"blob"} and not verify:
            # The index is intact, so the item's range is the original one:
            # same length, different only where bytes were changed.
            original_text = orig.items[i]
            assert len(text) == len(original_text)
            start = orig.blob_start + u64(orig.data, HEADER + 8 * i)
            diff = {start + k for k, (x, y) in enumerate(zip(text, original_text, strict=True)) if x != y}
            assert diff <= case.positions, f"item {i} changed outside the mutated bytes"
            stats.mutated_reads += bool(diff)
        elif orig is not None and i < len(orig.items) and text != orig.items[i]:
            stats.mutated_reads += 1
            stats.moved_reads += case.kind == "move"

    # verify() on an unverified document agrees with verifying at open.
    if not verify:
        try:
            doc.verify()
            verified = True
        except FormatError:
            verified = False
        try:
            SpecReader.open(buf, True)
            assert verified, f"{case.kind}: verify() failed on a container the spec accepts"
        except Reject:
            assert not verified, f"{case.kind}: verify() passed a container the spec rejects"


def test_fuzz_damaged_containers():
    rng = random.Random(SEED)
    corpus = build_corpus(rng)
    known = {o.data: o for o in corpus}
    stats = Stats()
    for o in corpus:  # the originals themselves, both ways
        for verify in (False, True):
            check_case(Case("original", o.data, o), verify, rng, known, stats)
    while stats.cases < CASES:
        case = make_case(rng, corpus)
        for verify in (False, True):
            check_case(case, verify, rng, known, stats)
        stats.cases += 1
    # The generator must reach the interesting outcomes, or the loop proves
    # little: documents that open, reads that fail lazily, and reads that
    # return changed bytes without verification.
    assert stats.cases >= min(CASES, 10_000)
    assert stats.opened[False] > CASES // 10, stats
    assert stats.opened[True] > CASES // 20, stats
    assert stats.rejected_reads > CASES // 10, stats
    assert stats.mutated_reads > CASES // 100, stats
    assert stats.moved_reads > CASES // 1000, stats


def test_fuzz_random_containers_from_the_reference_writer():
    # Containers written by the reference (not by slotjson) open to their items.
    rng = random.Random(11)
    for _ in range(300):
        items = [
            json.dumps(random_value(rng), ensure_ascii=False, separators=(",", ":")).encode()
            for _ in range(rng.randrange(12))
        ]
        checksum = rng.random() < 0.5
        data = sjdoc.encode(items, checksum=checksum)
        for verify in (False, True):
            doc = Document.from_bytes(data, verify=verify)
            assert [doc[i] for i in range(len(doc))] == items
        assert doc.to_bytes(checksum=checksum) == data
        assert sjdoc.decode(data) == items


# --- recognisable errors --------------------------------------------------------------


def container(items=(1, "a,b", [2, [3]]), checksum=True) -> bytes:
    return slotjson.dumps_indexed(list(items)).to_bytes(checksum=checksum)


@pytest.mark.parametrize(
    "data",
    [
        b"[1,2]",
        b'{"items":[]}',
        b" \n\t[1]" + b" " * 80,
        b"\xef\xbb\xbf[1]" + b" " * 80,
        b'"text"' * 20,
        b"null",
        b"-1",
        b"7" * 100,
        b"true",
        b"false",
    ],
)
def test_json_input_is_named(data):
    with pytest.raises(FormatError, match="looks like JSON") as info:
        Document.from_bytes(data)
    assert isinstance(info.value, ValueError)


def test_json_blob_of_a_document_is_named():
    doc = slotjson.dumps_indexed([1, 2])
    with pytest.raises(FormatError, match=r"looks like JSON text \(pass the container, not the blob\)"):
        Document.from_bytes(bytes(doc))
    with pytest.raises(FormatError, match="looks like JSON"):
        Document.from_bytes(doc)  # the Document itself exports its blob


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_input_is_named(protocol):
    doc = slotjson.dumps_indexed([1, 2])
    with pytest.raises(FormatError, match="looks like a pickle"):
        Document.from_bytes(pickle.dumps(doc, protocol=protocol))
    with pytest.raises(FormatError, match="looks like a pickle"):
        Document.from_bytes(pickle.dumps(container(), protocol=protocol))


@pytest.mark.parametrize("data", [b"", b"\x89", MAGIC[:4], MAGIC[:7]])
def test_short_input_is_named(data):
    with pytest.raises(FormatError, match=rf"too short .*: {len(data)} bytes"):
        Document.from_bytes(data)


def test_magic_alone_and_header_prefix_are_too_short():
    good = container()
    for cut in (8, 20, 63):
        with pytest.raises(FormatError, match=rf"too short .*: {cut} bytes, the header alone is 64"):
            Document.from_bytes(good[:cut])


def test_text_mode_damage_is_named():
    good = container()
    for mangled in (good.replace(b"\r\n", b"\n", 1), good.replace(b"\r\n", b"\r\r\n", 1), good[:6] + good[7:]):
        with pytest.raises(FormatError, match="line-ending bytes were changed"):
            Document.from_bytes(mangled)


def test_other_bytes_are_bad_magic():
    for data in (b"GIF89a" + bytes(80), b"\x00" * 100, b"\x89PNG\r\n\x1a\n" + bytes(80), b"SJD"):
        with pytest.raises(FormatError, match=r"bad magic bytes|too short"):
            Document.from_bytes(data)


@pytest.mark.parametrize("version", [0, 2, 3, 0x0100, 0xFFFF])
def test_wrong_version_is_named(version):
    good = container()
    data = patch(good, 8, "<H", version)
    assert u64(data, 56) == sj64(data[:56])  # a well-formed header otherwise
    for verify in (False, True):
        with pytest.raises(
            FormatError, match=rf"unsupported container format version {version} \(this reader knows 1\)"
        ):
            Document.from_bytes(data, verify=verify)
    # Version is checked before the header checksum (bytes 0..10 keep their
    # meaning in every version), so an unknown version is named even when the
    # rest of its header means something else.
    raw = bytearray(good)
    struct.pack_into("<H", raw, 8, version)
    with pytest.raises(FormatError, match=f"version {version}"):
        Document.from_bytes(bytes(raw))


def test_header_errors_are_named():
    good = container()
    n = 3
    blob_len = u64(good, 24)
    cases = [
        (bytes(good[:20]) + bytes([good[20] ^ 1]) + good[21:], "header checksum mismatch"),
        (patch(good, 10, "<H", 3), r"unsupported container flags 0x0003"),
        (patch(good, 10, "<H", 0x8001), r"unsupported container flags 0x8001"),
        (patch(good, 12, "<I", 1), "reserved header bytes are not zero"),
        (patch(good, 44, "<I", 1), "reserved header bytes are not zero"),
        (patch(container(checksum=False), 32, "<Q", 5), "reserved header bytes are not zero"),
        (patch(good, 16, "<Q", blob_len), rf"impossible header: {blob_len} items cannot fit"),
        (patch(good, 24, "<Q", 3), "impossible header"),
        (patch(patch(good, 16, "<Q", 2**61), 24, "<Q", 2**63), "exceed this machine's address space"),
        (patch(good, 16, "<Q", n + 1), r"truncated: need \d+ bytes, have"),
        (patch(good, 24, "<Q", blob_len - 1), r"1 trailing bytes: the container is \d+ bytes"),
        (good[:-1], rf"truncated: need {len(good)} bytes, have {len(good) - 1}"),
        (good + b"\n", rf"1 trailing bytes: the container is {len(good)} bytes, the buffer {len(good) + 1}"),
    ]
    for data, message in cases:
        for verify in (False, True):
            with pytest.raises(FormatError, match=message):
                Document.from_bytes(data, verify=verify)


def test_blob_and_index_errors_are_named():
    good = bytearray(container(checksum=False))
    blob_start = HEADER + 8 * 4
    # The blob must be an array.
    for at, byte in ((blob_start, b"{"), (len(good) - 1, b"}")):
        data = bytearray(good)
        data[at : at + 1] = byte
        with pytest.raises(FormatError, match=r"the blob is not a JSON array"):
            Document.from_bytes(bytes(data))
    # First and last entries are checked at open, inner ones when used.
    for k, value, message in (
        (0, 2, r"bad index entry 0 \(offset 2\): the first item must start right after the `\[`"),
        (3, 7, r"bad index entry 3 \(offset 7\): the last entry must be the blob length"),
    ):
        data = bytearray(good)
        struct.pack_into("<Q", data, HEADER + 8 * k, value)
        with pytest.raises(FormatError, match=message):
            Document.from_bytes(bytes(data))
    data = bytearray(good)
    struct.pack_into("<Q", data, HEADER + 8, 2**63)
    doc = Document.from_bytes(bytes(data))  # entry 1 is not read at open
    assert doc[2] == b"[2,[3]]"  # and does not affect items it does not bound
    assert doc[2:] == doc.page(2) == b"[[2,[3]]]"
    # Entries strictly inside a range are not read either (section 5).
    assert doc[:2] == doc.page(0, 2) == b'[1,"a,b"]'
    for read in (lambda: doc[0], lambda: doc[1], lambda: doc.page(1, 1), lambda: doc[1:], lambda: doc.take([2, 1])):
        with pytest.raises(FormatError, match=r"bad index entry 1 \(offset 9223372036854775808\)"):
            read()
    with pytest.raises(FormatError, match="bad index entry 1"):
        Document.from_bytes(bytes(data), verify=True)
    with pytest.raises(FormatError, match="bad index entry 1"):
        doc.verify()


def test_body_checksum_is_checked_only_on_verify():
    good = container()
    data = bytearray(good)
    data[-3] ^= 0x20  # inside the last item's text
    doc = Document.from_bytes(bytes(data))  # O(1): the blob is trusted
    assert doc[0] == b"1"
    with pytest.raises(FormatError, match=r"blob checksum mismatch .*stored 0x[0-9a-f]{16}, computed 0x[0-9a-f]{16}"):
        doc.verify()
    with pytest.raises(FormatError, match="checksum mismatch"):
        Document.from_bytes(bytes(data), verify=True)


def test_format_error_is_a_value_error():
    assert issubclass(FormatError, ValueError)
    assert slotjson.FormatError is FormatError
    assert not issubclass(FormatError, slotjson.EncodeError)


def test_writing_to_a_bytearray_after_opening_does_not_change_the_document():
    # A writable buffer is copied when the document is made: writes to it
    # afterwards (or resizing it) change nothing the document reads.
    rng = random.Random(3)
    items = [[1, 2], "x,y", {"a": [3, 4]}, None, 5.5]
    good = container(items, checksum=False)
    texts = [json.dumps(x, separators=(",", ":")).encode() for x in items]
    for _ in range(100):
        buf = bytearray(good)
        doc = Document.from_bytes(buf, verify=True)
        for _ in range(3):
            buf[rng.randrange(len(buf))] = rng.choice(b",[]x\x00\xff")
        assert [doc[i] for i in range(5)] == texts
        assert doc.page(1, 3) == b"[" + b",".join(texts[1:4]) + b"]"
        buf.clear()
        assert doc.to_bytes(checksum=False) == good


# --- the spec's test vectors ----------------------------------------------------------


def read_hex(path: Path) -> bytes:
    return bytes.fromhex("".join(path.read_text().split()))


VECTOR_NAMES = sorted(p.stem for p in VECTORS.glob("*.hex"))


def test_vectors_exist():
    assert {"empty", "small", "nochecksum"} <= set(VECTOR_NAMES)


@pytest.mark.parametrize("name", VECTOR_NAMES)
@pytest.mark.parametrize("verify", [False, True])
def test_vectors_open_to_their_items(name, verify):
    data = read_hex(VECTORS / f"{name}.hex")
    items = (VECTORS / f"{name}.items").read_bytes().splitlines()
    doc = Document.from_bytes(data, verify=verify)
    assert len(doc) == len(items)
    assert [doc[i] for i in range(len(doc))] == items
    assert bytes(doc) == b"[" + b",".join(items) + b"]"
    assert doc.page() == bytes(doc)
    # Writers must reproduce the bytes, from the container and from the values.
    checksum = bool(data[10] & 1)
    assert doc.to_bytes(checksum=checksum) == data
    values = [json.loads(line) for line in items]
    assert slotjson.dumps_indexed(values).to_bytes(checksum=checksum) == data


def test_worked_example_page():
    data = read_hex(VECTORS / "small.hex")
    doc = Document.from_bytes(data, verify=True)
    assert doc.page(1, 2) == b'["a,b",[2,[3]]]'
    assert doc.offsets.tolist() == [1, 3, 9, 17, 36, 41]
    assert len(data) == 153


def _invalid_vectors():
    lines = (VECTORS / "invalid.txt").read_text().splitlines()
    return [tuple(line.split()) for line in lines if line.strip() and not line.startswith("#")]


INVALID_MESSAGES = {
    "TooShort": "too short",
    "BadMagic": "bad magic bytes",
    "LooksLikeJson": "looks like JSON",
    "LooksLikePickle": "looks like a pickle",
    "LineEndingsMangled": "line-ending bytes were changed",
    "UnsupportedVersion": "unsupported container format version",
    "UnsupportedFlags": "unsupported container flags",
    "HeaderChecksum": "header checksum mismatch",
    "ReservedNotZero": "reserved header bytes",
    "ImpossibleCount": "impossible header",
    "TooLarge": "address space",
    "Truncated": "truncated",
    "TrailingBytes": "trailing bytes",
    "BadBlob": "not a JSON array",
    "BadIndexEntry": "bad index entry",
    "BodyChecksum": "blob checksum mismatch",
}


@pytest.mark.parametrize("kind,hexdata", _invalid_vectors(), ids=lambda v: v if len(v) < 30 else "")
def test_invalid_vectors_are_rejected_with_their_kind(kind, hexdata):
    with pytest.raises(FormatError, match=INVALID_MESSAGES[kind]):
        Document.from_bytes(bytes.fromhex(hexdata), verify=True)


def test_checksum_vectors_and_written_checksums():
    # The reference SJ64 matches the spec's vectors...
    for line in (VECTORS / "checksum.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            data, want = line.split()
            assert f"{sj64(b'' if data == '-' else bytes.fromhex(data)):016x}" == want
    # ...and the checksums slotjson writes match the reference SJ64 for
    # bodies of every length mod 32 (the padding rule).
    for n in range(0, 40):
        doc = slotjson.dumps_indexed(["x" * k for k in range(n % 7)] + [n])
        data = doc.to_bytes()
        assert u64(data, 56) == sj64(data[:56])
        assert u64(data, 32) == sj64(data[HEADER:])


# --- section 7: byte-range reads ------------------------------------------------------


class RangeStore:
    """A container behind a GETRANGE-style API that counts round trips."""

    def __init__(self, data: bytes):
        self.data = data
        self.trips = 0
        self.fetched = 0

    def get(self, *ranges: tuple[int, int]) -> list[bytes]:
        self.trips += 1  # pipelined: all ranges in one round trip
        out = [self.data[a:b] for a, b in ranges]
        self.fetched += sum(map(len, out))
        return out


def range_page(store: RangeStore, i: int, limit: int) -> bytes:
    """The page [i, i+limit) by the recipe of spec/FORMAT.md, section 7."""
    j = i + limit
    head, entries = store.get((0, 64), (64 + 8 * i, 64 + 8 * (j + 1)))
    assert head[:8] == MAGIC and u64(head, 56) == sj64(head[:56])
    n, blob_len = u64(head, 16), u64(head, 24)
    i, j = min(i, n), min(j, n)
    if i >= j:
        return b"[]"
    s, e = u64(entries, 0), u64(entries, 8 * (j - i))
    # The lazy rule, as far as it can be checked without the blob.
    assert s >= 1 and e <= blob_len and e - s >= 2 * (j - i)
    assert s == 1 if i == 0 else True
    assert e == blob_len if j == n else True
    blob_start = 64 + 8 * (n + 1)
    (fetched,) = store.get((blob_start + s - 1, blob_start + e))
    assert fetched[:1] == (b"[" if i == 0 else b",")
    assert fetched[-1:] == (b"]" if j == n else b",")
    return b"[" + fetched[1:-1] + b"]"


def test_byte_range_recipe_matches_page():
    items = [{"id": k, "name": f"item {k}, ok", "tags": [k, [k]]} for k in range(17)]
    doc = slotjson.dumps_indexed(items)
    data = doc.to_bytes()
    for i in range(20):
        for limit in range(0, 20):
            store = RangeStore(data)
            assert range_page(store, i, limit) == doc.page(i, limit), (i, limit)
            # Header and entries i..=i+limit in one trip (fewer bytes when
            # the range runs off the container), then the items' bytes with
            # one separator on each side; nothing for an empty page.
            index_bytes = len(data[64 + 8 * i : 64 + 8 * (i + limit + 1)])
            j = min(i + limit, len(doc))
            if i < j:
                off = doc.offsets.tolist()
                assert store.trips == 2
                assert store.fetched == 64 + index_bytes + (off[j] - off[i] + 1)
            else:
                assert store.trips == 1
                assert store.fetched == 64 + index_bytes
