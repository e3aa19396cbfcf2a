#!/usr/bin/env bash
# Records the `recorded-*.har` traffic files of the `needs` accuracy corpus (tests/fixtures/needs/,
# tests/it/needs_corpus.rs) from `anypoint-doctor sim --scenario healthy --record FILE`, one
# simulator run per file: scripted curl calls as a pipeline makes them, the doctor's own read
# commands and a `check`, and, when ACLI_DIR is set, anypoint-cli-v4 through
# scripts/anypoint-cli-compat.sh (its RECORD option).
# It writes the traffic only: each `<name>.expected.json` beside it is written by hand from the
# catalogue (scopes/endpoints.toml, scopes/capabilities.toml), never from `needs`' output, so a
# re-recording that changes what is called needs its expectation reviewed by hand.
#
# Needs curl and jq; cargo, unless DOCTOR_BIN is set.
# Environment:
#   OUT         the folder to write to (default: tests/fixtures/needs).
#   ACLI_DIR    anypoint-cli-v4's install folder (see scripts/anypoint-cli-compat.sh); unset, the
#               CLI's file is not recorded.
#   DOCTOR_BIN, READY_SECS: see scripts/lib/sim.sh.
set -euo pipefail

# The healthy scenario's tenant (crates/anypoint-sim/src/scenarios.rs): a root org with a Design,
# a Sandbox and a Production environment, and a business group with its own Sandbox.
SCENARIO=healthy
ROOT_ORG=9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f
BUSINESS_GROUP=5d7e9f10-2a3b-4c5d-9e6f-708192a3b4c5
DESIGN=0badc0de-2222-4333-8444-999988887777
SANDBOX=c0ffee00-1111-4222-8333-444455556666
PRODUCTION=deadbeef-7777-4888-9999-aaaabbbbcccc
BG_SANDBOX=5eed5eed-3333-4444-8555-666677778888
# The API instance in Sandbox, and the client application that has no contract with it yet.
API_ID=18972610
APPLICATION_ID=2349041

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$repo/tests/fixtures/needs}
# shellcheck source=lib/sim.sh
source "$repo/scripts/lib/sim.sh"
begin_script record-needs-corpus

command -v curl >/dev/null || die "curl is needed"
command -v jq >/dev/null || die "jq is needed"
mkdir -p "$out"
out=$(cd "$out" && pwd)
find_doctor

# record NAME: a fresh simulator recording to $out/recorded-NAME.har; `finish` stops it, and it
# writes the file in full when it stops.
recording=""
record() {
    recording="$out/recorded-$1.har"
    rm -f "$work/sim.out"
    start_sim --scenario "$SCENARIO" --record "$recording"
}
finish() {
    stop_sim
    sim_pid="" drain_pid=""
    echo "== wrote $recording ($(jq '.log.entries | length' "$recording") exchanges)"
}

# token: a client-credentials token for the scenario's Connected App, as a pipeline gets it.
bearer=""
token() {
    bearer=$(curl -sS -X POST "$url/accounts/api/v2/oauth2/token" \
        -H 'Content-Type: application/json' \
        --data "$(jq -nc --arg id "$client_id" --arg secret "$client_secret" \
            '{grant_type: "client_credentials", client_id: $id, client_secret: $secret}')" |
        jq -r '.access_token // empty')
    [[ -n "$bearer" ]] || die "the simulator issued no token"
}

# call METHOD PATH [JSON-BODY]: one request with the token; prints its status. Any status is fine
# (a 404 for a path the simulator does not serve is still a request the automation makes).
call() {
    local method=$1 path=$2 status
    local args=(-sS -o /dev/null -w '%{http_code}' -X "$method" -H "Authorization: Bearer $bearer")
    (($# < 3)) || args+=(-H 'Content-Type: application/json' --data "$3")
    status=$(curl "${args[@]}" "$url$path")
    echo "   $status $method $path"
}

# doctor_run COMMAND...: one of the doctor's commands against the simulator, as the Connected App, with
# nothing from the caller's environment; its exit code is printed, not judged (a finding is not a
# failure of the recording).
doctor_run() {
    local status=0
    env -u ANYPOINT_ORG -u ANYPOINT_ENV -u ANYPOINT_BEARER -u ANYPOINT_ADMIN_BEARER \
        -u HTTPS_PROXY -u HTTP_PROXY -u https_proxy -u http_proxy \
        ANYPOINT_HOST="$url" ANYPOINT_CLIENT_ID="$client_id" ANYPOINT_CLIENT_SECRET="$client_secret" \
        "$doctor" "$@" >"$work/doctor.out" 2>&1 || status=$?
    echo "   anypoint-doctor $* (exit $status)"
}

apis=/apimanager/api/v1/organizations/$ROOT_ORG/environments

echo "== scripted calls: environments and API instances in two business groups"
record pipeline-two-business-groups
token
call GET /accounts/api/me
call GET "/accounts/api/organizations/$ROOT_ORG/environments"
call GET "/accounts/api/organizations/$BUSINESS_GROUP/environments"
call GET "$apis/$SANDBOX/apis"
call GET "/apimanager/api/v1/organizations/$BUSINESS_GROUP/environments/$BG_SANDBOX/apis"
finish

echo "== scripted calls: paged lists, and the Design environment"
record pipeline-paged-and-design
token
call GET "$apis/$PRODUCTION/apis?offset=0&limit=1"
call GET "$apis/$PRODUCTION/apis?offset=1&limit=1"
call GET "/exchange/api/v2/organizations/$ROOT_ORG/applications?offset=0&limit=1"
call GET "/exchange/api/v2/organizations/$ROOT_ORG/applications?offset=1&limit=1"
call GET "/accounts/api/organizations/$ROOT_ORG/environments/$DESIGN"
call GET "/exchange/api/v2/assets?organizationId=$ROOT_ORG&offset=0&limit=2"
finish

echo "== scripted calls: a Graph API search of two business groups, and the retired v1 list"
record pipeline-graphql-and-retired
token
call POST /graph/api/v2/graphql "$(jq -nc --arg root "$ROOT_ORG" --arg bg "$BUSINESS_GROUP" '{
    query: "query GetAssets($organizationIds: [String!], $limit: Int) { assets(organizationIds: $organizationIds, limit: $limit) { groupId assetId version type } }",
    variables: {organizationIds: [$root, $bg], limit: 5}}')"
call GET "/exchange/api/v1/organizations/$ROOT_ORG/environments/$SANDBOX/apis"
finish

echo "== scripted calls: a contract create"
record pipeline-contract-create
token
call POST "$apis/$SANDBOX/apis/$API_ID/contracts" "$(jq -nc --argjson app "$APPLICATION_ID" '{
    applicationId: $app, partyId: "", partyName: "", acceptedTerms: true, requestedTierId: 1797161}')"
finish

echo "== scripted calls the catalogue does not know: CloudHub and Runtime Manager"
record pipeline-runtime-manager
token
call GET /cloudhub/api/v2/applications
call GET "/amc/application-manager/api/v2/organizations/$ROOT_ORG/environments/$PRODUCTION/deployments"
call GET /hybrid/api/v1/servers
call GET "/accounts/api/organizations/$BUSINESS_GROUP"
finish

echo "== the doctor's read commands"
record doctor-apps-and-apis
doctor_run apps
doctor_run apis --env Sandbox,Production
finish

echo "== the doctor's creates: a client application, then its contract by id"
record doctor-create-app-and-contract
doctor_run create app --name corpus-app --format json
app_id=$(sed -n 's/^  "id": \([0-9]*\),$/\1/p' "$work/doctor.out")
[[ -n "$app_id" ]] || die "create app printed no id: $(cat "$work/doctor.out")"
doctor_run create contract --app "$app_id" --api "$API_ID" --env Sandbox
finish

echo "== the doctor's check: its probes, which needs leaves out"
record doctor-check
doctor_run check
finish

if [[ -n "${ACLI_DIR:-}" ]]; then
    echo "== anypoint-cli-v4 through the recorder (scripts/anypoint-cli-compat.sh)"
    recording="$out/recorded-anypoint-cli-v4.har"
    # Five of its commands, one per kind of request (each also signs in and reads the user and the
    # environments): the API instance list, a contract list, a policy template, Monitoring's
    # alerts, and the Graph API's asset search.
    COMMANDS='^(api-mgr api list|api-mgr contract list|api-mgr policy describe|api-mgr alert list [0-9]|exchange asset list)' \
        RECORD="$recording" DOCTOR_BIN="$doctor" "$repo/scripts/anypoint-cli-compat.sh" >"$work/acli.log" 2>&1 ||
        { cat "$work/acli.log" >&2; die "anypoint-cli-compat.sh failed"; }
    echo "== wrote $recording ($(jq '.log.entries | length' "$recording") exchanges)"
else
    echo "== ACLI_DIR is not set: anypoint-cli-v4's recording left as it is"
fi
