#!/usr/bin/env bash
# Benchmark of `check` (issues 7 and 15): a full check against the simulator
# with 10 environments and a fixed latency per request (100 and 300 ms by
# default; give others as arguments). Prints, from one run, the wall time
# over https (HTTP/2 offered by ALPN) and over plain http, its ratio to the
# four-round-trip floor, HTTP requests, requests sent twice, connections and
# TLS handshakes the simulator accepted, with the org given by id
# (ANYPOINT_ORG, read beside /me) and without; then the wall time and peak
# memory of the binary against `sim --tls`, both ways, and how long
# `--version` takes. `--timeline` also
# prints each request's start and end as the simulator logged them.
# Needs: cargo, GNU time (/usr/bin/time), and hyperfine (apt-get install
# hyperfine); without hyperfine, --version is timed with a shell loop.
set -euo pipefail
cd "$(dirname "$0")/.."
latency=100
for arg in "$@"; do
  case "$arg" in [0-9]*) latency=$arg; break ;; esac
done

cargo build --release --quiet --bin anypoint-doctor --example bench_check
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/anypoint-doctor

echo "== in-process run (examples/bench_check.rs)"
"$target/release/examples/bench_check" "$@"

echo
echo "== the binary against \`sim --tls\` ($latency ms): wall time and peak memory of \`check\`"
cert=$(mktemp -d)/sim.pem
SIM_CLEANUP='rm -f "$cert"; rmdir "$(dirname "$cert")" 2>/dev/null || true'
. scripts/sim-lib.sh
start_sim "$bin" --scenario-file examples/bench-world.toml --latency-ms "$latency" --tls --cert-file "$cert"
# No cache folder: each run paces afresh, as the first run of the day would.
for org in "" b0000000-0000-4000-8000-000000000001; do
  echo "  ANYPOINT_ORG=${org:-(not set)}"
  for run in 1 2 3; do
    env -u XDG_CACHE_HOME HOME=/nonexistent ${org:+ANYPOINT_ORG=$org} \
      ANYPOINT_HOST=$url ANYPOINT_CLIENT_ID=b1b2b3b4b5b6b7b8b9b0c1c2c3c4c5c6 ANYPOINT_CLIENT_SECRET=bench-secret \
      /usr/bin/time -f "    run $run: %e s wall, %M KiB peak" "$bin" check --ca-file "$cert" --format json >/dev/null
  done
done

echo
echo "== \`anypoint-doctor --version\`"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs 100 "$bin --version" 2>&1 | grep -E "Time|Range"
else
  start=$(date +%s%N)
  for _ in $(seq 100); do "$bin" --version >/dev/null; done
  echo "  mean $(( ($(date +%s%N) - start) / 100000 )) µs over 100 runs (install hyperfine for a better figure)"
fi
