#!/usr/bin/env bash
# Runs every test: the Rust unit tests, then the Python suite on each
# supported CPython (3.11–3.15), each in its own venv with a release build of
# the extension, and once more on the default python3 against a build with
# debug assertions and overflow checks on. 3.11–3.13 come from pyenv or PATH;
# 3.14 and 3.15, when not on PATH, from Debian unstable's packages in a chroot
# (.ci/sid, created on first use, needs root; SLOTJSON_NO_SID=1 skips them).
#
#   scripts/test.sh                # every supported interpreter
#   PYTHONS="python3.12" scripts/test.sh
#   PYTHONS="sid:python3.15" scripts/test.sh   # one from the chroot
#   PYTEST_ARGS="-x -k oracle" scripts/test.sh
#
# The Redis tests start their own redis-server on loopback and skip when it
# is not installed (apt-get install redis-server), unless
# SLOTJSON_REQUIRE_REDIS=1; framework tests likewise with
# SLOTJSON_REQUIRE_EXTRAS=1. CI sets both. The test-only packages are listed
# in tests/requirements.txt (see its header for which may be missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venvs=${SLOTJSON_VENVS:-$root/.venvs}

if [ -z "${SLOTJSON_INNER:-}" ]; then
    echo "== cargo test"
    cargo test --lib --tests --quiet
    # The walker's own unit tests need the Python-facing half of the crate.
    cargo test --lib --features python --quiet emit::
fi

# Container fuzzing on the stable toolchain: the cargo-fuzz target's checks
# (fuzz/fuzz_targets/check.rs) fed by a seeded mutation loop for a bounded
# time; the seed is printed, SLOTJSON_FUZZ_SEED replays it. The Python-level
# mutation loop (tests/python/test_document_fuzz.py) runs with the suite.
echo "== container fuzzing (${SLOTJSON_FUZZ_SECONDS:=30} s)"
SLOTJSON_FUZZ_SECONDS=$SLOTJSON_FUZZ_SECONDS cargo test --release --quiet --test fuzz_container -- --ignored --nocapture

# Interpreters: $PYTHONS if given, else the newest patch release of each
# supported minor version known to pyenv, else python3.X on PATH.
find_pythons() {
    if [ -n "${PYTHONS:-}" ]; then
        for p in $PYTHONS; do command -v "$p" || echo "$p"; done
        return
    fi
    local minor v prefix
    for minor in 11 12 13 14 15; do
        prefix=""
        if command -v pyenv >/dev/null 2>&1; then
            v=$(pyenv versions --bare 2>/dev/null | grep -E "^3\.$minor\.[0-9]+$" | sort -t. -k3 -n | tail -1 || true)
            [ -n "$v" ] && prefix=$(pyenv prefix "$v" 2>/dev/null || true)
        fi
        if [ -n "$prefix" ] && [ -x "$prefix/bin/python3" ]; then
            echo "$prefix/bin/python3"
        elif command -v "python3.$minor" >/dev/null 2>&1; then
            command -v "python3.$minor"
        elif [ "$minor" -ge 14 ] && [ -z "${SLOTJSON_NO_SID:-}" ]; then
            echo "sid:python3.$minor"
        fi
    done
}

mapfile -t pythons < <(find_pythons)
[ ${#pythons[@]} -gt 0 ] || { echo "no supported CPython (3.11-3.15) found" >&2; exit 1; }

default_ver=$( { python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; } || echo none)
tested=()
failed=()
# install_test_requirements VENV_PYTHON UNAVAILABLE_FILE
# Installs tests/requirements.txt: the lines above its "optional" marker
# strictly; the ones below it together, or, if that fails, one by one. An
# optional package pip finds no distribution for, or whose build fails, on
# this interpreter is written to UNAVAILABLE_FILE (its tests then skip, even
# under SLOTJSON_REQUIRE_EXTRAS=1); any other failure stops the run.
install_test_requirements() {
    local py=$1 unavailable=$2 section=core line req name log
    local core=() optional=()
    while read -r line; do
        case $line in "# --- optional"*) section=optional; continue ;; esac
        line=${line%%#*}
        line=${line%"${line##*[![:space:]]}"}
        [ -n "$line" ] || continue
        if [ $section = core ]; then core+=("$line"); else optional+=("$line"); fi
    done < "$root/tests/requirements.txt"
    : > "$unavailable"
    "$py" -m pip install --quiet "${core[@]}"
    [ ${#optional[@]} -gt 0 ] || return 0
    log=$(mktemp)
    if "$py" -m pip install --quiet "${optional[@]}" >"$log" 2>&1; then
        rm -f "$log"
        return 0
    fi
    for req in "${optional[@]}"; do
        "$py" -m pip install --quiet "$req" >"$log" 2>&1 && continue
        if grep -qE "Retrying \(|Could not fetch URL|ProxyError|SSLError|ConnectionError" "$log" ||
            ! grep -qE "No matching distribution found|Failed to build|Failed building wheel|subprocess-exited-with-error" "$log"; then
            cat "$log" >&2
            rm -f "$log"
            echo "pip could not install $req (see above)" >&2
            return 1
        fi
        name=$(sed -E 's/^([A-Za-z0-9._-]+).*/\1/' <<<"$req" | tr 'A-Z_.' 'a-z--')
        echo "$name" >>"$unavailable"
        echo "note: $req has no wheel or buildable sdist for $("$py" -c 'import platform; print("CPython", platform.python_version())'); its tests skip" >&2
    done
    rm -f "$log"
}

# run_suite PYTHON VENV_NAME LABEL MATURIN_PROFILE_ARGS...
run_suite() {
    local py=$1 name=$2 label=$3
    shift 3
    echo "== $label ($py)"
    local venv="$venvs/$name"
    [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
    local t0=$SECONDS t1 t2
    "$venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
    "$venv/bin/python" -m pip install --quiet "maturin>=1.5,<2"
    install_test_requirements "$venv/bin/python" "$venv/slotjson-unavailable-extras"
    t1=$SECONDS
    VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --quiet "$@"
    t2=$SECONDS
    set +e
    # shellcheck disable=SC2086
    (cd "$root" && SLOTJSON_UNAVAILABLE_EXTRAS="$(cat "$venv/slotjson-unavailable-extras")" \
        "$venv/bin/python" -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-})
    local rc=$?
    set -e
    echo "-- $label: venv and pip $((t1 - t0))s, build $((t2 - t1))s, pytest $((SECONDS - t2))s"
    # Exit code 5 means pytest collected nothing: that is a failure here.
    [ $rc -eq 0 ] || failed+=("$label (pytest exit $rc)")
}

for py in "${pythons[@]}"; do
    case $py in
        sid:*)
            # The same script inside the chroot, for that interpreter only.
            py=${py#sid:}
            ver=${py#python}
            echo "== CPython $ver (Debian unstable chroot)"
            set +e
            SLOTJSON_INNER=1 PYTHONS="/usr/bin/$py" SLOTJSON_SKIP_CHECKED=1 "$root/.ci/sid" run scripts/test.sh
            rc=$?
            set -e
            [ $rc -eq 0 ] || failed+=("CPython $ver in the chroot (exit $rc)")
            ;;
        *)
            ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
            CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/py$ver} \
                run_suite "$py" "py$ver" "CPython $ver" --release
            ;;
    esac
    tested+=("$ver")
done
if [ -z "${SLOTJSON_SKIP_CHECKED:-}" ]; then
    run_suite "$(command -v python3)" checked "CPython $default_ver, debug assertions on" --profile checked
fi
[ -z "${SLOTJSON_INNER:-}" ] || exit ${#failed[@]}

case " ${tested[*]} " in
    *" $default_ver "*) ;;
    *) failed+=("default python3 ($default_ver) is not a supported interpreter") ;;
esac
echo "== tested on CPython: ${tested[*]}"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
