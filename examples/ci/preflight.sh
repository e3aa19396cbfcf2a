#!/usr/bin/env sh
# Pre-flight for any CI runner: before a pipeline creates client applications
# and contracts, check that its Connected App can. Needs anypoint-doctor on
# PATH and ANYPOINT_CLIENT_ID / ANYPOINT_CLIENT_SECRET (and ANYPOINT_HOST
# outside the US control plane) in the environment.
#
# The doctor's exit codes decide: 0 go on; 1 a check failed (stop: the
# report says which scope to add, where); 2 a setting is wrong (stop: fix the
# pipeline); 3 something could not be checked (network, rate limit, a server
# error: retry, but do not change any scope because of it).
#
# Usage: preflight.sh [REPORT_DIR]   (default: doctor-reports)
set -u
reports=${1:-doctor-reports}
mkdir -p "$reports"

anypoint-doctor check \
  --for create-client-application,create-contract,list-api-instances \
  --format junit --report "$reports/anypoint-doctor.md" >"$reports/anypoint-doctor.xml"
status=$?

# Retired and risky Anypoint calls in the repository's own scripts (offline).
anypoint-doctor scan --format sarif --fail-on never . >"$reports/anypoint-doctor.sarif"

case $status in
  0) echo "pre-flight: the Connected App can do what this pipeline needs" ;;
  1) echo "pre-flight: a check failed; see $reports/anypoint-doctor.md for the scope to add" >&2 ;;
  2) echo "pre-flight: a setting is wrong (see the error above); fix the pipeline's variables" >&2 ;;
  3) echo "pre-flight: something could not be checked (network, rate limit or a server error); retry later" >&2 ;;
  *) echo "pre-flight: unexpected exit status $status" >&2 ;;
esac
exit "$status"
