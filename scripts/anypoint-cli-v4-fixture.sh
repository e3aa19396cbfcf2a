#!/usr/bin/env bash
# Writes tests/fixtures/anypoint-cli-v4/config.json with MuleSoft's own CLI:
# anypoint-cli-v4 1.6.12 from npm, `anypoint-cli-v4 conf KEY VALUE` for the
# simulator's healthy app (its credentials are the simulator's, not a real
# org's), a host of http://127.0.0.1:8081 (`sim`'s default port), the org
# "Example Corp" and the environment "Sandbox". The file is what `conf`
# 10.2.0 writes: encrypted with the key `anypoint-cli`, a new IV each time.
# Needs: node and npm (apt-get install nodejs npm), the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The CLI's browser login (puppeteer) is not needed to save settings.
PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund --ignore-scripts \
  --prefix "$work/cli" anypoint-cli-v4@1.6.12 >/dev/null
cli=$work/cli/node_modules/.bin/anypoint-cli-v4
mkdir -p "$work/home"
export XDG_CONFIG_HOME=$work/config HOME=$work/home
"$cli" --version
"$cli" conf client_id 7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9
"$cli" conf client_secret sim-0123456789abcdefFEDCBA9876543210
"$cli" conf host http://127.0.0.1:8081
"$cli" conf organization "Example Corp"
"$cli" conf environment Sandbox
mkdir -p tests/fixtures/anypoint-cli-v4
cp "$work/config/anypoint-cli-v4-nodejs/config.json" tests/fixtures/anypoint-cli-v4/config.json
echo "wrote tests/fixtures/anypoint-cli-v4/config.json ($(wc -c < tests/fixtures/anypoint-cli-v4/config.json) bytes)"
