#!/bin/sh
# A CI job: a client application and its contract with an API instance.
# Any tool that reads ANYPOINT_HOST, ANYPOINT_CLIENT_ID and
# ANYPOINT_CLIENT_SECRET would do; this one uses the doctor's own commands.
set -eu
id=$(anypoint-doctor create app --name orders-ci --format json |
  sed -n 's/^  "id": \([0-9]*\),$/\1/p')
anypoint-doctor create contract --app "$id" --api 18972610 --env Sandbox
