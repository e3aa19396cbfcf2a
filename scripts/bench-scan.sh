#!/usr/bin/env bash
# Benchmark: `anypoint-doctor scan` (every rule on) against `grep -rE` and
# `rg` with equivalent patterns (one per rule, below), over two generated
# trees with deterministic content:
#   (a) today's shape: 10,000 files of ~10 KB (~100 MB) in 100 folders,
#       code-like lines, a retired call in every 500th file;
#   (b) matches in 2% of files (every rule's kind in turn), 40 minified
#       single-line 1 MB files (one with a finding near its end), and
#       folders 12 deep.
# For each tree and tool: the median over RUNS runs (after one warm-up, so
# the files are in the page cache) of wall time and CPU time (user+sys), and
# the ratios scan/grep and scan/rg (below 1: scan is faster).
#
# Needs: ripgrep (`rg`). On Debian/Ubuntu: apt-get update && apt-get install -y ripgrep
# (elsewhere: cargo install ripgrep, or https://github.com/BurntSushi/ripgrep#installation).
#
#   scripts/bench-scan.sh            # builds the release binary first
#   FILES=2000 RUNS=3 scripts/bench-scan.sh # a smaller tree, fewer runs
#   BIN=path/to/anypoint-doctor scripts/bench-scan.sh  # no build
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v rg >/dev/null; then
  echo "bench-scan: ripgrep (rg) is missing. Install it: apt-get update && apt-get install -y ripgrep" >&2
  echo "            (or cargo install ripgrep; see https://github.com/BurntSushi/ripgrep#installation)" >&2
  exit 2
fi
FILES=${FILES:-10000}
RUNS=${RUNS:-5}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/anypoint-doctor
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-scan.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------
# The patterns: one per rule, the regex the matcher runs on a line for it
# (src/scan/matcher.rs), written in the syntax both GNU grep -E and rg read.
# Case-insensitive parts go through `ci` (a -> [Aa]), since one grep run
# cannot mix -i and case-sensitive patterns. What the scan does beyond the
# regex is logic no grep has, so grep and rg report a superset of lines:
#   - path rules: a placeholder segment is SEGMENT below; the method
#     (repository-v2-create needs a POST nearby, client-applications-list a
#     GET or none), `unless_nearby` (targetAdminSite) and "not a subpath"
#     are checked on the lines around a match;
#   - literal-secret: the value must mix letters and digits, not be a call or
#     an expression, and an Anypoint URL must be within 10 lines;
#   - mixed-control-planes: hosts of two planes in one file (grep reports
#     every host line);
#   - the leading optional slash of a path and `*?` (lazy) in the host
#     regex change where a match starts, not which lines match.
ci() { sed 's/[A-Za-z]/[\U&\L&]/g' <<<"$1"; }
SEP='\\?/'
# One path segment: a literal or placeholder, or a quoted run splicing a variable in.
SEG="([^/\\\\[:space:]\"'\`]|\"[^\"/]{0,80}\"|'[^'/]{0,80}')+"
# A control plane host, any case (the matcher's HOST).
HOST="\\b([a-zA-Z0-9-]+\\.)*($(ci anypoint)|$(ci platform))\\.$(ci mulesoft)\\.$(ci com)\\b"
VALUE='[A-Za-z0-9._~+/=-]{16,}'
KEYS="client_secret|clientSecret|client-secret|access_token|accessToken|ANYPOINT_CLIENT_SECRET|ANYPOINT_BEARER"
path() { # /a/{x}/b -> the path regex, segments joined by SEP
  local out="" s
  IFS=/ read -ra segs <<<"${1#/}"
  for s in "${segs[@]}"; do
    [[ $s == \{*\} ]] && s=$SEG
    out+="${out:+$SEP}$s"
  done
  printf '\\b%s\\b' "$out"
}
declare -A PATTERNS=(
  # paths = ["/exchange/api/v1/organizations/{orgId}/environments/{envId}/apis"], subpaths
  [scan.exchange-v1-apis]="$(path /exchange/api/v1/organizations/{orgId}/environments/{envId}/apis)"
  # paths = ["/apiplatform/repository/v2/organizations/{orgId}/applications"], method POST
  [scan.repository-v2-create]="$(path /apiplatform/repository/v2/organizations/{orgId}/applications)"
  # both application paths, method GET, unless targetAdminSite nearby
  [scan.client-applications-list]="$(path /apiplatform/repository/v2/organizations/{orgId}/applications)|$(path /exchange/api/v2/organizations/{orgId}/applications)"
  # keys assigned a value (`k = "v"`, `"k": "v"`, `k=v`, Postman's key/value), or `Bearer v`; any case
  [scan.literal-secret]="(^|[^A-Za-z0-9_])[\"']?($(ci "$KEYS"))[\"']?[[:space:]]*([:=]|,[[:space:]]*[\"']?$(ci value)[\"']?[[:space:]]*:)[[:space:]]*[\"']?$VALUE|\\b$(ci Bearer)[[:space:]]+$VALUE"
  # http:// (or JSON-escaped http:\/\/) before a control plane host; any case
  [scan.plain-http]="$(ci http):($SEP){2}$HOST"
  # every control plane host; any case
  [scan.mixed-control-planes]="$HOST"
)
# One pattern per rule, and no rule without one.
RULE_IDS=$(ls rules/ | sed -n 's/\.toml$//p' | sort)
test "$(printf '%s\n' "${!PATTERNS[@]}" | sort)" = "$RULE_IDS" || {
  echo "bench-scan: the patterns above must name exactly the rules in rules/: $RULE_IDS" >&2
  exit 1
}
ARGS=()
for id in $RULE_IDS; do ARGS+=(-e "${PATTERNS[$id]}"); done

# ---------------------------------------------------------------------------
# Trees. A pool of code-like lines (words that are also the rules' anchors:
# exchange, organizations, mulesoft, ...) picked by a linear congruential
# generator, so both trees are the same on every machine.
gen() { # tree shape
  awk -v files="$FILES" -v tree="$1" -v shape="$2" '
  function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed }
  BEGIN {
    split("sh py js yaml json xml java dwl", ext, " ")
    words = "deploy exchange organizations environments api client request response token header " \
            "mulesoft anypoint value config item list build stage script import return function"
    nw = split(words, w, " ")
    seed = 42
    for (i = 0; i < 2000; i++) {
      line = ""
      n = 6 + i % 10
      for (j = 0; j < n; j++) line = line w[1 + rnd() % nw] (j % 3 ? " " : "_")
      pool[i] = sprintf("%s = \"%s/%d\" # %08x", w[1 + i % nw], line, i, seed)
    }
    host = "https://anypoint.mulesoft.com"
    hit[0] = "curl " host "/exchange/api/v1/organizations/${ORG}/environments/${ENV}/apis"
    hit[1] = "curl -X POST " host "/apiplatform/repository/v2/organizations/$ORG/applications -d @app.json"
    hit[2] = "r = requests.get(f\"" host "/exchange/api/v2/organizations/{org}/applications\")"
    hit[3] = "BASE = \"" host "\"\nclient_secret = \"9F8E7D6C5B4A39281706F5E4D3C2B1A0\""
    hit[4] = "curl http://anypoint.mulesoft.com/accounts/api/me"
    hit[5] = "US=" host "\nEU=https://eu1.anypoint.mulesoft.com"
    for (f = 0; f < files; f++) {
      if (shape == "a") {
        dir = tree "/d" (f % 100)
      } else { # 12 deep, 128 leaves: the first 7 levels from the bits of f % 128
        dir = tree
        for (k = 0; k < 12; k++) dir = dir "/d" (k < 7 ? int((f % 128) / 2 ^ k) % 2 : k)
      }
      if (!(dir in made)) { system("mkdir -p " dir); made[dir] = 1 }
      path = dir "/file" f "." ext[1 + f % 8]
      size = 0
      limit = shape == "a" ? 10240 : 4096 + rnd() % 8192
      while (size < limit) { l = pool[rnd() % 2000]; print l > path; size += length(l) + 1 }
      if (shape == "a" && f % 500 == 0) print hit[0] > path
      if (shape == "b" && f % 50 == 0) print hit[(f / 50) % 6] > path
      close(path)
    }
    if (shape == "b") for (m = 0; m < 40; m++) { # minified: one 1 MB line of JSON
      dir = tree "/min/d" (m % 4)
      if (!(dir in made)) { system("mkdir -p " dir); made[dir] = 1 }
      path = dir "/bundle" m ".min.js"
      printf "var c={" > path
      for (size = 7; size < 1048000; size += length(piece)) {
        piece = "\"" w[1 + rnd() % nw] "\":\"" pool[rnd() % 2000] "\","
        printf "%s", piece > path
      }
      if (m == 0) printf "\"u\":\"http://anypoint.mulesoft.com/accounts/api/me\"" > path
      printf "}\n" > path
      close(path)
    }
  }'
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# measure NAME COMMAND... : median wall and CPU (user+sys) seconds over RUNS runs.
measure() {
  local name=$1 walls=() cpus=() t
  shift
  "$@" >"$WORK/out" 2>/dev/null || true
  for _ in $(seq "$RUNS"); do
    # Output goes to a file: GNU grep stops at the first match when it writes to /dev/null.
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$WORK/out" 2>/dev/null || true; } 2>&1)
    read -r wall user sys <<<"$t"
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  done
  WALL[$name]=$(printf '%s\n' "${walls[@]}" | median)
  CPU[$name]=$(printf '%s\n' "${cpus[@]}" | median)
}

declare -A WALL CPU
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $RUNS runs each, medians"
echo "grep: $(grep --version | head -1); rg: $(rg --version | head -1)"
printf '%-5s %-5s %9s %9s %11s %11s\n' tree tool wall_s cpu_s scan/tool scan/tool
printf '%-5s %-5s %9s %9s %11s %11s\n' "" "" "" "" "(wall)" "(cpu)"
for shape in a b; do
  tree=$WORK/$shape
  gen "$tree" "$shape"
  # Every line the scan reports, grep and rg report too (they report a superset).
  "$BIN" scan --fail-on never "$tree" |
    sed -nE 's/^(.*):([0-9]+):[0-9]+: (error|warning|info)\[.*/\1:\2/p' | sort -u >"$WORK/scan.lines"
  found=$(grep -c '"rule":' <("$BIN" scan --fail-on never --format json "$tree") || true)
  test "$found" -gt 0
  for tool in "grep -rEn -I" "rg -n --hidden"; do
    missed=$($tool "${ARGS[@]}" "$tree" | cut -d: -f1,2 | sort -u | comm -23 "$WORK/scan.lines" -)
    test -z "$missed" || { echo "bench-scan: $tool misses lines the scan reports: $missed" >&2; exit 1; }
  done
  measure scan "$BIN" scan --fail-on never --format json "$tree"
  measure grep grep -rEn -I "${ARGS[@]}" "$tree"
  measure rg rg -n --hidden "${ARGS[@]}" "$tree"
  for tool in scan grep rg; do
    printf '%-5s %-5s %9.3f %9.3f %11s %11s\n' "$shape" "$tool" "${WALL[$tool]}" "${CPU[$tool]}" \
      "$([ $tool = scan ] || awk -v s="${WALL[scan]}" -v t="${WALL[$tool]}" 'BEGIN {printf "%.2fx", s / t}')" \
      "$([ $tool = scan ] || awk -v s="${CPU[scan]}" -v t="${CPU[$tool]}" 'BEGIN {printf "%.2fx", s / t}')"
  done
  echo "      ($shape: $(find "$tree" -type f | wc -l) files, $(($(du -sb "$tree" | cut -f1) / 1000000)) MB, $found findings)"
  rm -rf "$tree"
done
