#!/usr/bin/env bash
# Benchmark of a whole-org sweep (issue 15): `check --org all` over the
# simulator's generated world (20 business groups × 5 environments by
# default, 400 requests per path and minute) with a fixed latency per request
# (100 ms). Prints, from one run: the sweep's wall time and its ratio to its
# floor (the same sweep with no cap on requests in flight), the requests and
# the throttled answers (in-process, examples/bench_sweep.rs); then the
# binary against `sim`: wall time, peak memory, and the first lines it
# prints on a pseudo-terminal (the progress bar) and on a pipe (the sections).
# Needs: cargo, GNU time (/usr/bin/time), script (util-linux).
# Usage: scripts/bench-sweep.sh [LATENCY_MS] [GROUPS] [ENVIRONMENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
latency=${1:-100}
groups=${2:-20}
environments=${3:-5}

cargo build --release --quiet --bin anypoint-doctor --example bench_sweep
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/anypoint-doctor

echo "== in-process sweep (examples/bench_sweep.rs)"
"$target/release/examples/bench_sweep" "$latency" "$groups" "$environments"

echo
echo "== the binary against \`sim --scenario generated-${groups}x${environments}\` ($latency ms)"
. scripts/sim-lib.sh
start_sim "$bin" --scenario "generated-${groups}x${environments}" --latency-ms "$latency"
export ANYPOINT_HOST=$url ANYPOINT_CLIENT_ID=7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9 ANYPOINT_CLIENT_SECRET=sim-0123456789abcdefFEDCBA9876543210
# Exit 1 or 3 is a verdict, not a failure of the benchmark. The three runs
# fall in one minute: past the first, the platform's per-path limit may
# answer 429 (pacing by the headers is not there yet).
/usr/bin/time -f "  %e s wall, %M KiB peak (exit %x)" "$bin" check --org all --format json >"${SWEEP_JSON:-/dev/null}" || true
echo "  sections on a pipe:"
{ "$bin" check --org all || true; } | grep -E "^(── |All business groups|What to fix)" | sed 's/^/    /' | head -5
echo "  on a terminal, the progress line as last drawn before the report:"
{ script -qec "$bin check --org all" /dev/null || true; } | tr '\r' '\n' | grep -a "business groups \[" | tail -1 | sed 's/\x1b\[2K//; s/^/    /'
