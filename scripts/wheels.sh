#!/usr/bin/env bash
# Builds a wheel per supported CPython (3.11–3.15) and an sdist into dist/,
# checks each wheel's platform tag and external library references against
# the manylinux policy (auditwheel), then installs each into a fresh venv of
# its interpreter, with no Rust toolchain or compiler on PATH and no package
# index, and runs a smoke test.
#
#   scripts/wheels.sh                      # every supported interpreter
#   WHEEL_PYTHONS="3.13" scripts/wheels.sh # some of them
#
# Wheels are linked with zig (the `ziglang` package) against glibc 2.17, so
# they are tagged manylinux2014 whichever machine built them. 3.14 and 3.15
# are built and tested in the Debian unstable chroot (.ci/sid) unless a
# python3.14/python3.15 is on PATH. SLOTJSON_VENVS: where the build venvs go.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venvs=${SLOTJSON_VENVS:-$root/.venvs}
dist=$root/dist
policy=manylinux2014
minors=${WHEEL_PYTHONS:-3.11 3.12 3.13 3.14 3.15}

find_python() { # prints an interpreter path on this host, or nothing
    local minor=$1 v prefix
    if command -v pyenv >/dev/null 2>&1; then
        v=$(pyenv versions --bare 2>/dev/null | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -t. -k3 -n | tail -1 || true)
        prefix=${v:+$(pyenv prefix "$v" 2>/dev/null || true)}
        [ -n "$prefix" ] && [ -x "$prefix/bin/python3" ] && { echo "$prefix/bin/python3"; return; }
    fi
    command -v "python$minor" || true
}

# build_one PYTHON: wheel, audit, install without Rust, smoke test. Runs on
# the host or (re-invoked with SLOTJSON_WHEEL_ONE) inside the chroot.
build_one() {
    local py=$1 ver venv wheel
    ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    venv=$venvs/wheel-build-$ver
    echo "== wheel for CPython $ver ($py)"
    [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "maturin>=1.5,<2" ziglang auditwheel
    rm -f "$dist"/slotjson-*-cp"${ver/./}"-*.whl
    CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/wheel-py$ver} PATH="$venv/bin:$PATH" \
        maturin build --quiet --release --zig --compatibility "$policy" -i "$py" -o "$dist"
    wheel=$(ls "$dist"/slotjson-*-cp"${ver/./}"-*.whl)
    echo "-- $wheel"
    case $wheel in *-manylinux2014_x86_64.manylinux_2_17_x86_64.whl | *-manylinux_2_17_x86_64.manylinux2014_x86_64.whl) ;;
        *) echo "unexpected platform tag: $wheel" >&2; return 1 ;;
    esac
    # Only libraries the manylinux policy allows (libc, libm, libpthread, …).
    "$venv/bin/auditwheel" show "$wheel" | tee "$dist/auditwheel-$ver.txt"
    tr -s ' \n' '  ' <"$dist/auditwheel-$ver.txt" |
        grep -q 'is consistent with the following platform tag: "manylinux_2_17_x86_64"' || {
        echo "auditwheel: $wheel does not meet manylinux_2_17" >&2
        return 1
    }
    # A fresh venv, no cargo/rustc/cc on PATH, no index: the wheel alone.
    local smoke=$venvs/wheel-smoke-$ver
    rm -rf "$smoke"
    "$py" -m venv "$smoke"
    env -i HOME="$HOME" PATH="$smoke/bin:/usr/bin:/bin" "$smoke/bin/python" -m pip install \
        --quiet --no-index --no-cache-dir "$wheel"
    if env -i PATH="$smoke/bin:/usr/bin:/bin" sh -c 'command -v cargo || command -v rustc' >/dev/null; then
        echo "a Rust toolchain is on the smoke test's PATH" >&2
        return 1
    fi
    (cd / && env -i HOME="$HOME" PATH="$smoke/bin:/usr/bin:/bin" "$smoke/bin/python" - <<'PY'
import json, sys
from datetime import datetime, timezone
from typing import Optional
import slotjson

@slotjson.model
class User:
    id: int
    name: str
    tags: tuple[str, ...]
    joined: datetime
    manager: Optional["User"] = None

boss = User(1, "Zoë", ("a", "b"), datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
users = [User(i, f"u{i}", ("x",) * (i % 3), datetime(2020, 1, 1), boss) for i in range(1000)]
out = slotjson.dumps(users, threads=2)
ref = json.dumps(slotjson.to_builtins(users), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
assert out == ref, "dumps differs from the reference"
report = slotjson._native.layout_report()
off = {k: v["reason"] for k, v in report.items() if not v["raw"]}
assert not off, off
assert slotjson.__file__.startswith(sys.prefix), slotjson.__file__
print(f"smoke ok: CPython {sys.version.split()[0]}, {len(out)} bytes, every reader raw")
PY
    )
}

if [ -n "${SLOTJSON_WHEEL_ONE:-}" ]; then
    build_one "$SLOTJSON_WHEEL_ONE"
    exit
fi

mkdir -p "$dist"
rm -f "$dist"/slotjson-*.tar.gz
echo "== sdist"
sdist_venv=$venvs/wheel-sdist
[ -x "$sdist_venv/bin/python" ] || python3 -m venv "$sdist_venv"
"$sdist_venv/bin/python" -m pip install --quiet "maturin>=1.5,<2"
"$sdist_venv/bin/maturin" sdist -o "$dist" >/dev/null
ls "$dist"/slotjson-*.tar.gz

failed=()
for minor in $minors; do
    py=$(find_python "$minor")
    set +e
    if [ -n "$py" ]; then
        build_one "$py"
    elif [ "${minor#3.}" -ge 14 ]; then
        SLOTJSON_WHEEL_ONE=/usr/bin/python$minor "$root/.ci/sid" run scripts/wheels.sh
    else
        echo "no CPython $minor found" >&2
        false
    fi
    rc=$?
    set -e
    [ $rc -eq 0 ] || failed+=("$minor")
done
ls -l "$dist"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED wheels: ${failed[*]}" >&2
    exit 1
fi
