#!/usr/bin/env bash
# Benchmark: `anypoint-doctor scan` against `grep -rE` with an equivalent
# pattern, over a generated tree of 10,000 files (~100 MB, deterministic
# content, a few findings sprinkled in). Prints both times and the ratio.
#
#   scripts/bench-scan.sh            # builds the release binary first
#   FILES=2000 scripts/bench-scan.sh # a smaller tree
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-10000}
RUNS=${RUNS:-10}
cargo build --release --quiet
BIN=$PWD/target/release/anypoint-doctor
TREE=$(mktemp -d "${TMPDIR:-/tmp}/bench-scan.XXXXXX")
trap 'rm -rf "$TREE"' EXIT

# Deterministic content: a pool of code-like lines picked by a linear
# congruential generator; every 500th file gets a retired call.
awk -v files="$FILES" -v tree="$TREE" 'BEGIN {
  split("sh py js yaml json xml java dwl", ext, " ")
  words = "deploy exchange organizations environments api client request response token header " \
          "mulesoft anypoint value config item list build stage script import return function"
  nw = split(words, w, " ")
  seed = 42
  for (i = 0; i < 2000; i++) {
    line = ""
    n = 6 + i % 10
    for (j = 0; j < n; j++) { seed = (seed * 1103515245 + 12345) % 2147483648; line = line w[1 + seed % nw] (j % 3 ? " " : "_") }
    pool[i] = sprintf("%s = \"%s/%d\" # %08x", w[1 + i % nw], line, i, seed)
  }
  for (f = 0; f < files; f++) {
    dir = tree "/d" (f % 100)
    if (f < 100) system("mkdir -p " dir)
    path = dir "/file" f "." ext[1 + f % 8]
    size = 0
    while (size < 10240) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      l = pool[seed % 2000]; print l > path; size += length(l) + 1
    }
    if (f % 500 == 0) print "curl https://anypoint.mulesoft.com/exchange/api/v1/organizations/${ORG}/environments/${ENV}/apis" > path
    close(path)
  }
}'
BYTES=$(du -sb "$TREE" | cut -f1)
echo "tree: $FILES files, $((BYTES / 1000000)) MB in $TREE; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

PATTERN='/exchange/api/v1/organizations/[^/]+/environments/[^/]+/apis|/apiplatform/repository/v2/organizations/[^/]+/applications|/exchange/api/v2/organizations/[^/]+/applications|http://([a-z0-9-]+\.)*(anypoint|platform)\.mulesoft\.com|(client_secret|clientSecret|client-secret|access_token|accessToken|ANYPOINT_CLIENT_SECRET|ANYPOINT_BEARER|Bearer)[^A-Za-z0-9]+[A-Za-z0-9._~+/=-]{16,}|(anypoint|platform)\.mulesoft\.com'
SCAN="$BIN scan --fail-on never --format json $TREE"
GREP="grep -rE -n -I '$PATTERN' $TREE"

# Both must agree that the tree holds findings.
test "$(eval "$GREP" | grep -c /exchange/api/v1/)" -gt 0

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs "$RUNS" --export-json "$TREE/times.json" -N \
    "$SCAN" "bash -c \"$GREP > /dev/null\"" >&2
  read -r scan_s grep_s < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["median"], r[1]["median"])' "$TREE/times.json")
else
  median() { # command -> median seconds over RUNS runs
    local times=()
    eval "$1" >/dev/null 2>&1 || true
    for _ in $(seq "$RUNS"); do
      local t0 t1; t0=$(date +%s.%N); eval "$1" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
      times+=("$(echo "$t1 - $t0" | bc)")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
  }
  scan_s=$(median "$SCAN"); grep_s=$(median "$GREP")
fi
awk -v s="$scan_s" -v g="$grep_s" 'BEGIN {
  printf "scan:    %.3f s (median)\ngrep -rE: %.3f s (median)\nratio grep/scan: %.2fx (above 1: scan is faster)\n", s, g, g / s }'
