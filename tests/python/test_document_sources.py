"""Where a Document's bytes come from, and what may change them afterwards.

- A buffer that can be written to (bytearray, array('B'), a writable mmap,
  a read-only view of a bytearray, numpy) is copied when the document is
  made: writing to it later cannot change the document, its pickle or its
  container bytes. Immutable memory (bytes, a memoryview of bytes, a
  read-only mmap) is read in place.
- Buffers of anything but single bytes, and non-contiguous ones, raise
  TypeError naming what is accepted.
- Document.open reads the file into memory by default: truncating or
  rewriting the file afterwards cannot change the document or kill the
  process (a mapping, which can, is opt-in with mmap=True).
"""

from __future__ import annotations

import array
import mmap
import os
import pickle
import subprocess
import sys
import textwrap

import pytest

import slotjson
from slotjson import Document, FormatError

ITEMS = [[1, 2], "x,y", {"a": [3, 4]}, None, 5.5, "é" * 40]


def texts():
    return [slotjson.dumps(x) for x in ITEMS]


def container(checksum=True):
    return slotjson.dumps_indexed(ITEMS).to_bytes(checksum=checksum)


def check_reads(doc):
    want = texts()
    assert len(doc) == len(want)
    assert [doc[i] for i in range(len(want))] == want
    assert doc.page() == slotjson.dumps(ITEMS)
    assert doc.page(1, 2) == b"[" + b",".join(want[1:3]) + b"]"
    assert doc.take([5, 0]) == b"[" + want[5] + b"," + want[0] + b"]"
    assert pickle.loads(pickle.dumps(doc)).page() == slotjson.dumps(ITEMS)
    doc.verify()


def scribble(buf) -> None:
    """Overwrite every byte after the magic (in place, whatever the type)."""
    view = memoryview(buf).cast("B")
    for i in range(8, len(view)):
        view[i] = 0x2C  # ','
    view.release()


def _writable_bytearray():
    return bytearray(container())


def _writable_array():
    return array.array("B", container())


def _writable_memoryview():
    return memoryview(bytearray(container()))


def _readonly_view_of_bytearray():
    return memoryview(bytearray(container())).toreadonly()


def _char_view_of_bytearray():
    return memoryview(bytearray(container())).cast("c")


def _signed_array():
    return array.array("b", container())


def _writable_mmap():
    data = container()
    m = mmap.mmap(-1, len(data))
    m.write(data)
    return m


def _numpy():
    np = pytest.importorskip("numpy")
    return np.frombuffer(bytearray(container()), dtype=np.uint8)


def _numpy_readonly():
    np = pytest.importorskip("numpy")
    a = np.frombuffer(bytearray(container()), dtype=np.uint8)
    a.flags.writeable = False
    return a


WRITABLE = {
    "bytearray": _writable_bytearray,
    "array-B": _writable_array,
    "array-b": _signed_array,
    "memoryview-of-bytearray": _writable_memoryview,
    "readonly-view-of-bytearray": _readonly_view_of_bytearray,
    "char-view-of-bytearray": _char_view_of_bytearray,
    "anonymous-mmap": _writable_mmap,
    "numpy": _numpy,
    "numpy-readonly-flag": _numpy_readonly,
}


def _root(buf):
    """The object whose memory `buf` shows (writes go there)."""
    if isinstance(buf, memoryview):
        return buf.obj
    if type(buf).__module__ == "numpy" and buf.base is not None:
        return buf.base
    return buf


@pytest.mark.parametrize("kind", WRITABLE)
def test_a_writable_buffer_is_copied(kind):
    buf = WRITABLE[kind]()
    doc = Document.from_bytes(buf, verify=True)
    scribble(_root(buf))
    check_reads(doc)
    assert doc.to_bytes() == container()


@pytest.mark.parametrize("kind", WRITABLE)
def test_a_copied_buffer_is_released_at_once(kind):
    buf = WRITABLE[kind]()
    doc = Document.from_bytes(buf)
    root = _root(buf)
    del buf
    if isinstance(root, bytearray):
        root.extend(b"more")  # not exported: it may be resized
        root.clear()
    elif isinstance(root, mmap.mmap):
        root.close()
    check_reads(doc)


def test_bytearray_pickle_round_trip_after_writes():
    buf = bytearray(container())
    doc = Document.from_bytes(buf)
    blob = pickle.dumps(doc)
    buf[100:110] = b"\xff" * 10
    again = pickle.dumps(doc)
    assert blob == again
    check_reads(pickle.loads(again))


def test_immutable_memory_is_read_in_place(tmp_path):
    data = container()
    path = tmp_path / "doc.sjd"
    path.write_bytes(data)
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    for buf in (data, memoryview(data), memoryview(data).cast("c"), memoryview(b"ab" + data)[2:], mapped):
        doc = Document.from_bytes(buf, verify=True)
        check_reads(doc)
    # The read-only mapping is held while a document reads it in place.
    doc = Document.from_bytes(mapped)
    with pytest.raises(BufferError):
        mapped.close()
    del doc
    mapped.close()


def test_a_document_from_a_document_buffer():
    doc = slotjson.dumps_indexed(ITEMS)
    again = Document.from_bytes(memoryview(Document.from_bytes(doc.to_bytes()).to_bytes()))
    check_reads(again)


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: array.array("Q", [1, 2, 3]), r"format \"Q\" \(itemsize 8\) from array"),
        (lambda: array.array("H", container()[:64]), r"format \"H\" \(itemsize 2\)"),
        (lambda: memoryview(container()[:64]).cast("I"), r"format \"I\""),
        (lambda: memoryview(container() * 2)[::2], "not contiguous"),
        (lambda: "text", "not str"),
        (lambda: 12, "not int"),
        (lambda: None, "not NoneType"),
        (lambda: [1, 2], "not list"),
    ],
    ids=["array-Q", "array-H", "cast-I", "strided", "str", "int", "None", "list"],
)
def test_non_byte_buffers_are_a_type_error(make, pattern):
    with pytest.raises(TypeError, match=pattern) as info:
        Document.from_bytes(make())
    assert "bytes-like object of single bytes" in str(info.value)
    assert not isinstance(info.value, BufferError)


def test_numpy_non_byte_and_strided_arrays_are_a_type_error():
    np = pytest.importorskip("numpy")
    data = np.frombuffer(container(), dtype=np.uint8)
    with pytest.raises(TypeError, match="not contiguous"):
        Document.from_bytes(np.repeat(data, 2)[::2])
    with pytest.raises(TypeError, match="itemsize 8"):
        Document.from_bytes(np.zeros(12, dtype=np.uint64))


# --- Document.open -------------------------------------------------------------


def test_open_reads_the_file_into_memory(tmp_path):
    path = tmp_path / "doc.sjd"
    path.write_bytes(container())
    doc = Document.open(path)
    os.truncate(path, 10)
    check_reads(doc)
    path.write_bytes(b"\x00" * 4096)
    check_reads(doc)
    path.unlink()
    check_reads(doc)


def test_open_of_a_file_being_truncated_is_a_clean_error(tmp_path):
    path = tmp_path / "doc.sjd"
    data = container()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="truncated"):
        Document.open(path)


def test_open_of_a_descriptor_reads_from_the_start_and_leaves_it(tmp_path):
    path = tmp_path / "doc.sjd"
    path.write_bytes(container())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.lseek(fd, 17, os.SEEK_SET)
        check_reads(Document.open(fd))
        assert os.lseek(fd, 0, os.SEEK_CUR) == 17  # where it was, and open
    finally:
        os.close(fd)


def test_open_with_mmap_is_opt_in(tmp_path):
    path = tmp_path / "doc.sjd"
    path.write_bytes(container())
    check_reads(Document.open(path, mmap=True))
    check_reads(Document.open(path, mmap=False, verify=True))
    with pytest.raises(TypeError):
        Document.open(path, True)  # keyword-only


def test_truncating_the_file_cannot_kill_the_reader(tmp_path):
    # The original failure: another process truncates the file behind an
    # opened document and a read that follows dies of SIGBUS. Run in a
    # child process so that a crash fails this test only.
    path = tmp_path / "doc.sjd"
    items = [{"n": i, "text": "y" * 200} for i in range(20_000)]
    path.write_bytes(slotjson.dumps_indexed(items).to_bytes())
    code = textwrap.dedent(
        f"""
        import os, subprocess, sys, slotjson
        path = {str(path)!r}
        doc = slotjson.Document.open(path)
        subprocess.run([sys.executable, "-c", f"import os; os.truncate({{path!r}}, 100)"], check=True)
        assert os.path.getsize(path) == 100
        want = [slotjson.dumps({{"n": i, "text": "y" * 200}}) for i in (0, 10_000, 19_999)]
        assert [doc[0], doc[10_000], doc[19_999]] == want
        assert len(doc.page(0, 20_000)) > 4_000_000
        doc.verify()
        print("ok")
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.strip() == "ok"
