"""A mutation loop over Document.from_bytes(data, verify=False) and every
read: len, indexing, iteration, slices, page, take, envelope, offsets,
to_bytes, pickling and verify.

At least 100,000 mutated containers (SLOTJSON_FUZZ_CASES to change it; the
seed is printed, SLOTJSON_FUZZ_SEED replays one). Each call must return
bytes of the right shape or raise the documented FormatError, IndexError or
ValueError; anything else, or a crash, fails. The loop runs in a child
process, so a crash fails this test only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    r"""
    import json, os, pickle, random, struct, sys, time
    import slotjson
    from slotjson import Document, FormatError
    from slotjson._native import sj64

    cases = int(sys.argv[1])
    seed = int(sys.argv[2])
    rng = random.Random(seed)
    docs = [
        [],
        [1],
        [1, "a,b", [2, [3]], {"k": "v", "e": "\u00e9"}, None],
        [[1, 2], "x,y", {"a": [3, 4]}, None, 5.5, "]", ",", "[", True],
        list(range(40)),
    ]
    corpus = []
    for items in docs:
        doc = slotjson.dumps_indexed(items)
        corpus.append((doc.to_bytes(), len(items)))
        corpus.append((doc.to_bytes(checksum=False), len(items)))
    INTERESTING = [0, 1, 2, 3, 7, 8, 63, 64, 65, 2**32, 2**63, 2**64 - 1]
    SEPARATORS = b",[]\"\x00\xff"

    def reseal(b):
        if len(b) < 64:
            return b
        b = bytearray(b)
        if b[10] & 1:
            b[32:40] = struct.pack("<Q", sj64(bytes(b[64:])))
        b[56:64] = struct.pack("<Q", sj64(bytes(b[:56])))
        return bytes(b)

    def mutate(data, n):
        b = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(7)
            if op == 0 and b:
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            elif op == 1 and b:
                b[rng.randrange(len(b))] = rng.choice(SEPARATORS)
            elif op in (2, 3) and len(b) >= 64:
                at = rng.choice([16, 24, 32]) if op == 2 else 64 + 8 * rng.randrange(n + 2)
                if at + 8 <= len(b):
                    b[at : at + 8] = struct.pack("<Q", rng.choice(INTERESTING + [len(b), len(b) - 64 - 8 * (n + 1)]) % 2**64)
            elif op == 4:
                del b[rng.randrange(len(b) + 1) :]
            elif op == 5:
                at = rng.randrange(len(b) + 1)
                b[at:at] = bytes(rng.choice(SEPARATORS) for _ in range(rng.randint(1, 8)))
            elif b:
                i, j = rng.randrange(len(b)), rng.randrange(len(b))
                b[i], b[j] = b[j], b[i]
        data = bytes(b)
        return reseal(data) if rng.random() < 0.7 else data

    EXPECTED = (FormatError, IndexError, ValueError)
    stats = {"opened": 0, "refused": 0, "reads": 0, "read_errors": 0}

    def array(x):
        assert isinstance(x, bytes) and x[:1] == b"[" and x[-1:] == b"]", x[:40]

    def read(fn):
        stats["reads"] += 1
        try:
            return fn()
        except EXPECTED:
            stats["read_errors"] += 1
            return None

    start = time.monotonic()
    for case in range(cases):
        data, n = corpus[rng.randrange(len(corpus))]
        data = mutate(data, n)
        try:
            doc = Document.from_bytes(data, verify=False)
        except FormatError:
            stats["refused"] += 1
            continue
        stats["opened"] += 1
        n = len(doc)
        assert isinstance(n, int) and n >= 0
        a, b = rng.randrange(n + 2), rng.randrange(n + 2)
        x = read(lambda: doc.page(a, rng.randrange(n + 2)))
        x is None or array(x)
        x = read(lambda: doc.page(a))
        x is None or array(x)
        x = read(lambda: doc[a:b])
        x is None or array(x)
        x = read(lambda: doc.take([rng.randrange(n + 1) for _ in range(3)]))
        x is None or array(x)
        x = read(lambda: doc[rng.randrange(-n - 1, n + 1)])
        assert x is None or (isinstance(x, bytes) and x)
        x = read(lambda: doc.envelope(a, 3, extra={"k": 1}))
        assert x is None or (x.startswith(b'{"items":[') and x.endswith(b',"k":1}'))
        x = read(lambda: [item for item in doc][:5])
        x = read(lambda: doc.offsets.tolist())
        assert x is None or len(x) == n + 1
        assert bytes(doc)[:1] == b"[" and len(bytes(doc)) == doc.nbytes
        copy = read(lambda: doc.to_bytes())
        if copy is not None:
            again = Document.from_bytes(copy, verify=True)
            assert len(again) == n
        x = read(lambda: pickle.loads(pickle.dumps(doc)))
        assert x is None or len(x) == n
        read(doc.verify)
    stats["seconds"] = round(time.monotonic() - start, 1)
    print(json.dumps(stats))
    """
)


def test_mutated_containers_never_crash_or_raise_the_unexpected():
    cases = int(os.environ.get("SLOTJSON_FUZZ_CASES", "100000"))
    seed = int(os.environ.get("SLOTJSON_FUZZ_SEED", str(int.from_bytes(os.urandom(4), "little"))))
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(cases), str(seed)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, f"seed {seed}: exit {run.returncode}\n{run.stderr[-3000:]}"
    stats = json.loads(run.stdout.strip().splitlines()[-1])
    # The mutations must reach the reads, not only the opening checks.
    assert stats["opened"] > cases // 10, stats
    assert stats["reads"] > stats["read_errors"] > 0, stats
