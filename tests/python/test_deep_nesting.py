"""Nesting deeper than the thread's C stack can hold is refused, never a crash.

`max_depth` is the user's limit; the walker also checks how much of the
current thread's stack is left, because Python threads can have small
stacks. Each case runs in a child process so a crash shows up as a failed
test instead of killing the test run.
"""

import subprocess
import sys
import textwrap

import pytest
import slotjson

CHILD = textwrap.dedent(
    """
    import sys, threading
    import slotjson
    depth, stack = int(sys.argv[1]), int(sys.argv[2])
    nested = []
    for _ in range(depth):
        nested = [nested]
    result = []
    def run():
        try:
            out = slotjson.dumps(nested, max_depth=depth + 1)
            result.append("ok" if out == b"[" * (depth + 1) + b"]" * (depth + 1) else "wrong bytes")
        except slotjson.EncodeError as e:
            result.append("EncodeError: " + str(e))
    if stack:
        threading.stack_size(stack)
        t = threading.Thread(target=run)
        t.start()
        t.join()
    else:
        run()
    print(result[0])
    """
)


def run_child(depth, stack):
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(depth), str(stack)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"child died with {proc.returncode}: {proc.stderr[-500:]}"
    return proc.stdout.strip()


@pytest.mark.parametrize(
    "depth,stack",
    [(200_000, 0), (5_000, 256 * 1024), (2_000, 64 * 1024)],
    ids=["main-thread", "256k-thread", "64k-thread"],
)
def test_too_deep_for_the_stack_is_an_error(depth, stack):
    out = run_child(depth, stack)
    assert out.startswith("EncodeError: ") and "stack" in out, out


@pytest.mark.parametrize("depth,stack", [(1_500, 0), (800, 4 * 1024 * 1024)], ids=["main-thread", "4m-thread"])
def test_deep_nesting_within_the_stack_works(depth, stack):
    assert run_child(depth, stack) == "ok"


def test_max_depth_still_applies_first():
    nested = []
    for _ in range(50):
        nested = [nested]
    with pytest.raises(slotjson.EncodeError, match="maximum depth 10 exceeded"):
        slotjson.dumps(nested, max_depth=10)
