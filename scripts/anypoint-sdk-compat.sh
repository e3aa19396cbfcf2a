#!/usr/bin/env bash
# Runs every read method of the Python anypoint-sdk 0.3.2 from PyPI against
# `anypoint-doctor sim --scenario healthy` (scripts/anypoint-sdk-compat.py says what passes).
# Prints PASS/FAIL/SKIP per method and the count; exits 1 if any fails, 2 if the set-up fails.
#
# Needs python3 (3.9 or later, with venv), cargo (unless DOCTOR_BIN is set) and the PyPI registry.
# Environment:
#   SDK_VENV    keep the SDK's virtual environment in this folder and reuse it on later runs;
#               default: a temporary folder, deleted at the end.
#   DOCTOR_BIN, READY_SECS: see scripts/lib/sim.sh.
set -euo pipefail

SDK_VERSION=0.3.2

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/sim.sh
source "$repo/scripts/lib/sim.sh"
begin_script anypoint-sdk-compat

# 1. The SDK, in its own virtual environment.
venv=${SDK_VENV:-$work/venv}
if [[ "$("$venv/bin/python" -c 'import anypoint_sdk; print(anypoint_sdk.__version__)' 2>/dev/null)" == "$SDK_VERSION" ]]; then
    echo "== anypoint-sdk $SDK_VERSION already in $venv"
else
    echo "== installing anypoint-sdk==$SDK_VERSION into $venv"
    { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "anypoint-sdk==$SDK_VERSION"; } \
        >"$work/pip.log" 2>&1 || { cat "$work/pip.log" >&2; die "pip install failed"; }
fi

# 2. The doctor and its simulator, over plain http: the SDK's downloads go to `maven.<host>`,
# which does not resolve on loopback, so the simulator also serves as their HTTP proxy.
find_doctor
start_sim --scenario healthy

# 3. The methods.
env -u HTTPS_PROXY -u https_proxy -u NO_PROXY -u no_proxy -u ANYPOINT_BASE_URL \
    SIM_URL="$url" HTTP_PROXY="$url" http_proxy="$url" \
    ANYPOINT_CLIENT_ID="$client_id" ANYPOINT_CLIENT_SECRET="$client_secret" \
    "$venv/bin/python" "$repo/scripts/anypoint-sdk-compat.py"
