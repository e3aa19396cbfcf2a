#!/usr/bin/env bash
# Runs MuleSoft's own CLI, anypoint-cli-v4 1.6.12 from npm, against `anypoint-doctor sim --tls`
# and checks that it prints the simulator's data: API Manager's API instances, contracts, policies,
# SLA tiers, upstreams, alerts, autodiscovery and proxy download, Access Management's
# environments, business groups and user, and Exchange's assets (list, describe, download) with
# their portal pages and resources.
# Prints PASS/FAIL per command; exits 1 if any fails, 2 if the set-up fails.
#
# Needs node + npm (Node 20), cargo (unless DOCTOR_BIN is set) and the npm registry.
# Environment:
#   ACLI_DIR    keep the CLI install in this folder and reuse it on later runs (saves ~20 s);
#               default: a temporary folder, deleted at the end.
#   RECORD      record every exchange to this HAR file (`sim --record`), for `anypoint-doctor needs`.
#   COMMANDS    run only the commands whose name (as PASS/FAIL prints it) matches this extended
#               regular expression; default: all (scripts/record-needs-corpus.sh keeps a recording
#               small with it).
#   DOCTOR_BIN, READY_SECS: see scripts/lib/sim.sh.
set -euo pipefail

ACLI_VERSION=1.6.12
# The healthy scenario's API instance in Sandbox (see src/sim/scenarios.rs).
API_ID=18972610
# Its root org (scenarios::ROOT_ORG), which owns the scenario's Exchange asset.
ORG_ID=9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/sim.sh
source "$repo/scripts/lib/sim.sh"
begin_script anypoint-cli-compat

# 1. The CLI. Puppeteer must not download a browser; the npm cache stays in the install folder.
acli_dir=${ACLI_DIR:-$work/acli}
mkdir -p "$acli_dir"
acli_dir=$(cd "$acli_dir" && pwd)
acli="$acli_dir/node_modules/.bin/anypoint-cli-v4"
installed=$(node -p "require('$acli_dir/node_modules/anypoint-cli-v4/package.json').version" 2>/dev/null || true)
if [[ "$installed" == "$ACLI_VERSION" && -x "$acli" ]]; then
    echo "== anypoint-cli-v4 $ACLI_VERSION already in $acli_dir"
else
    echo "== installing anypoint-cli-v4@$ACLI_VERSION into $acli_dir"
    (
        cd "$acli_dir"
        [[ -f package.json ]] || npm init -y >/dev/null
        PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error \
            --cache "$acli_dir/.npm-cache" "anypoint-cli-v4@$ACLI_VERSION" >"$work/npm.log" 2>&1
    ) || { cat "$work/npm.log" >&2; die "npm install failed"; }
fi

# 2. The doctor, and its simulator over https with the certificate the CLI is told to trust.
find_doctor
cert="$work/cert.pem"
# RECORD=FILE: the simulator records every exchange to FILE (HAR), written when it stops; then
# `anypoint-doctor needs FILE` says what these commands need.
start_sim --scenario healthy --tls --cert-file "$cert" ${RECORD:+--record "$RECORD"}

# 3. The commands. Each run gets a fresh HOME: the CLI caches tokens keyed by client id and
# secret only, not by host. --collectMetrics turns telemetry OFF in this CLI (its parser inverts it).
# They sign in as the Connected App, or with `auth` set, as the org admin. With `shows` set to a
# file, what the command wrote there is printed after its output, so a download is checked by its
# content.
failures=0
commands=0
auth=()
shows=""
check() {
    local name=$1 expected=$2
    shift 2
    local home output status=0 line word wanted
    if [[ -n "${COMMANDS:-}" && ! "$name" =~ $COMMANDS ]]; then
        auth=()
        shows=""
        return 0
    fi
    commands=$((commands + 1))
    home=$(mktemp -d "$work/home.XXXXXX")
    ((${#auth[@]} > 0)) || auth=(--client_id "$client_id" --client_secret "$client_secret")
    output=$(env -u HTTPS_PROXY -u HTTP_PROXY -u https_proxy -u http_proxy \
        -u ANYPOINT_HOST -u ANYPOINT_CLIENT_ID -u ANYPOINT_CLIENT_SECRET -u ANYPOINT_BEARER \
        -u ANYPOINT_USERNAME -u ANYPOINT_PASSWORD -u ANYPOINT_ORG -u ANYPOINT_ENV \
        HOME="$home" XDG_CONFIG_HOME="$home/.config" NODE_EXTRA_CA_CERTS="$cert" \
        "$acli" "$@" --host "127.0.0.1:$port" "${auth[@]}" --collectMetrics 2>&1) || status=$?
    auth=()
    if [[ -n "$shows" ]]; then
        output+=$'\n'"--- $(basename "$shows"):"$'\n'"$(cat "$shows" 2>&1)"
        shows=""
    fi
    local missing=()
    IFS='|' read -r -a wanted <<<"$expected"
    for word in "${wanted[@]}"; do
        grep -qF -- "$word" <<<"$output" || missing+=("$word")
    done
    if ((status == 0 && ${#missing[@]} == 0)); then
        echo "PASS  $name"
    else
        echo "FAIL  $name (exit $status${missing:+; missing: $(IFS=,; echo "${missing[*]}")})"
        failures=$((failures + 1))
    fi
    while IFS= read -r line; do echo "      $line"; done <<<"$output"
}

check "api-mgr api list" "orders-api|$API_ID|orders-sbx|Orders API" \
    api-mgr api list --environment Sandbox
check "api-mgr contract list $API_ID" "orders-portal|4e5f6a7b8c9d40e1f2a3b4c5d6e7f809|Gold|APPROVED" \
    api-mgr contract list "$API_ID" --environment Sandbox
check "account environment list" "Design|Sandbox|Production|c0ffee00-1111-4222-8333-444455556666" \
    account environment list
check "account business-group list" "Example Corp|Payments BG|Root|Business unit" \
    account business-group list
# The org's owner, as the org names it, is the admin /users/me describes: one identity.
auth=(--bearer "$admin_token")
check "account business-group describe (org admin)" "Example Corp|ada-admin|Platinum|Design,Sandbox,Production" \
    account business-group describe

# API Manager and Account
check "account environment describe Sandbox" "c0ffee00-1111-4222-8333-444455556666|Sandbox|9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f|sandbox" \
    account environment describe Sandbox
check "account user describe" "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9|doctor-ci-app|2026-03-02" \
    account user describe
check "api-mgr api describe $API_ID" "$API_ID|orders-sbx|orders-api|1.0.3|c0ffee00-1111-4222-8333-444455556666" \
    api-mgr api describe "$API_ID" --environment Sandbox
check "api-mgr policy list $API_ID" "client-id-enforcement|rate-limiting-sla-based|Enabled|clientIdExpression" \
    api-mgr policy list "$API_ID" --environment Sandbox
check "api-mgr policy describe client-id-enforcement" "Client ID enforcement|Security|clientIdExpression" \
    api-mgr policy describe client-id-enforcement
check "api-mgr tier list $API_ID" "Gold|1797161|ACTIVE|Auto" \
    api-mgr tier list "$API_ID" --environment Sandbox
check "api-mgr upstream list $API_ID" "https://orders-sbx.upstream.example.com/api|orders-sbx-backend" \
    api-mgr upstream list "$API_ID" --environment Sandbox
check "api-mgr alert list $API_ID" "orders-sbx slow responses|api_response_time|critical" \
    api-mgr alert list "$API_ID" --environment Sandbox
check "api-mgr alert list-legacy $API_ID" "orders-sbx request surge|api-request-count|Warning" \
    api-mgr alert list-legacy "$API_ID" --environment Sandbox
check "api-mgr api autodiscovery $API_ID 4.6.0" "apiId|$API_ID" \
    api-mgr api autodiscovery "$API_ID" 4.6.0 --environment Sandbox
check "api-mgr api download-proxy $API_ID" "API Proxy downloaded to|orders-sbx-proxy.zip" \
    api-mgr api download-proxy "$API_ID" "$work/proxy" --environment Sandbox

# Exchange: the healthy scenario's asset (the API instances' orders-api 1.0.3 in the root org, which
# is the group the CLI takes when an identifier names none), its pages, resource and main file.
ASSET=orders-api/1.0.3
downloads="$work/downloads"
mkdir -p "$downloads"
check "exchange asset list" "$ORG_ID|orders-api|1.0.3|Orders API|rest-api" \
    exchange asset list
check "exchange asset describe $ASSET" "Orders API|published|rest-api|v1|1.0.3" \
    exchange asset describe "$ASSET"
check "exchange asset page list $ASSET" "home|getting-started" \
    exchange asset page list "$ASSET"
shows="$downloads/home.md"
check "exchange asset page download $ASSET home" 'home|# Orders API|`'"$ORG_ID"'/orders-api`' \
    exchange asset page download "$ASSET" "$downloads" home
check "exchange asset resource list $ASSET" "resources/orders-api-logo.svg" \
    exchange asset resource list "$ASSET"
shows="$downloads/orders-api-logo.svg"
check "exchange asset resource download $ASSET" "<svg|Orders API</text>" \
    exchange asset resource download "$ASSET" resources/orders-api-logo.svg "$downloads/orders-api-logo.svg"
shows="$downloads/orders-api-1.0.3-oas.yaml"
check "exchange asset download $ASSET" "orders-api-1.0.3-oas.yaml|openapi: 3.0.0|title: Orders API" \
    exchange asset download "$ASSET" "$downloads"

if ((failures > 0)); then
    echo "$failures of $commands commands failed"
    exit 1
fi
echo "all $commands commands printed the simulator's data"
