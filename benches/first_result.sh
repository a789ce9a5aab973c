#!/usr/bin/env bash
# Time to first result, as BENCHMARKS.md reports it. Clones this repository (at REV, HEAD by
# default) into a fresh temporary directory and times, with /usr/bin/time:
#   release  `cargo run --release -- run` from the fresh clone: the cold release build plus one
#            run of the suite against the embedded server
#   binary   that release binary, copied alone into an empty directory, running the suite
#   test     the cold `cargo test --no-run` (the build), then `cargo test` once built (the run)
# Crates are fetched first (`cargo fetch`), so downloads are not timed.
#
#   benches/first_result.sh [REV] [release|binary|test ...]
#
# Each timed line reads `<label>: wall <s> s, user <s> s, sys <s> s, max RSS <KiB> KiB`.
# CPU time (user + sys) is what to compare on a shared machine; wall time only on a quiet one.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
rev=HEAD
if [[ $# -gt 0 && $1 != release && $1 != binary && $1 != test ]]; then
    rev=$1
    shift
fi
sections=("${@:-release binary test}")
sections=(${sections[*]})

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Runs the command with its output in $work/<log>, then prints the timing and the suite's
# summary lines from that log.
timed() {
    local label=$1 log=$2
    shift 2
    /usr/bin/time -o "$work/timing" -f "$label: wall %e s, user %U s, sys %S s, max RSS %M KiB" \
        "$@" >"$work/$log" 2>&1 || { tail -20 "$work/$log"; exit 1; }
    cat "$work/timing"
    grep -E '^[0-9]+ scenarios|^test result: FAILED' "$work/$log" | sed 's/^/  /' || true
}

git clone --quiet --no-local "$repo" "$work/clone"
git -C "$work/clone" checkout --quiet "$(git -C "$repo" rev-parse "$rev")"
cd "$work/clone"
echo "commit $(git rev-parse --short HEAD), $(rustc --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo fetch --locked --quiet

for section in "${sections[@]}"; do
    case $section in
    release)
        timed "fresh clone: cargo run --release (build and suite)" release.log \
            cargo run --release --locked --quiet -- run --color never
        echo "  binary: $(stat -c %s target/release/magento-contract) bytes"
        ;;
    binary)
        [[ -x target/release/magento-contract ]] || cargo build --release --locked --quiet
        mkdir "$work/empty"
        cp target/release/magento-contract "$work/empty/"
        (cd "$work/empty" && timed "release binary in an empty directory (suite)" binary.log \
            env -u MAGENTO_FEATURES_DIR -u MAGENTO_SCHEMAS_DIR -u MAGENTO_SNAPSHOTS_DIR \
            -u MAGENTO_DRIFT_BASELINE -u MAGENTO_REPORT_DIR ./magento-contract run --color never)
        ;;
    test)
        timed "cold cargo test --no-run (build)" test-build.log cargo test --locked --no-run
        timed "cargo test once built (run)" test.log cargo test --locked
        ;;
    *)
        echo "unknown section $section: use release, binary or test" >&2
        exit 2
        ;;
    esac
done
