"""Calls every read method of the Python anypoint-sdk against a running simulator.

Run by scripts/anypoint-sdk-compat.sh, which starts `anypoint-doctor sim --scenario healthy` and
sets SIM_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET. A method passes when it returns the
simulator's data (not an empty answer) and no request it made on the way was refused: the SDK
swallows some errors (its inventory collector turns a 404 into an empty list), so every exchange
is recorded below the SDK, at the requests session, and a failed one fails the method.

Prints PASS, FAIL or SKIP (with why) per method, then the count; exits 1 if any method failed.
"""

import os
import sys
import tempfile
import traceback

import requests

from anypoint_sdk import AnypointClient
from anypoint_sdk.collectors.inventory import build_inventory

exchanges = []
_send = requests.Session.send


def _recording_send(self, request, **kwargs):
    response = _send(self, request, **kwargs)
    exchanges.append((request.method, request.url, response.status_code))
    return response


requests.Session.send = _recording_send
# Downloads go to the control plane's Maven host, `maven.<host>` (anypoint_sdk.control_planes);
# on loopback that name does not resolve, so they reach the simulator as an HTTP proxy would
# carry them: the script sets HTTP_PROXY to the simulator and NO_PROXY to its own address.

url = os.environ["SIM_URL"]
client = AnypointClient.from_client_credentials(
    os.environ["ANYPOINT_CLIENT_ID"], os.environ["ANYPOINT_CLIENT_SECRET"], base_url=url
)
work = tempfile.mkdtemp(prefix="anypoint-sdk-compat.")
results = []


def check(name, call, expect=lambda value: bool(value), raises=None):
    """`raises`: the exception the SDK documents for this answer, which then passes."""
    before = len(exchanges)
    try:
        value = call()
    except Exception as error:  # the SDK's HttpError, a KeyError on a missing field, ...
        if raises and isinstance(error, raises):
            value = error
        else:
            results.append(("FAIL", name, f"{type(error).__name__}: {error}"))
            if os.environ.get("VERBOSE"):
                traceback.print_exc()
            return None
    refused = [e for e in exchanges[before:] if not 200 <= e[2] < 400]
    if refused:
        method, where, status = refused[0]
        results.append(("FAIL", name, f"{len(refused)} refused, first {method} {where} -> {status}"))
    elif not expect(value):
        results.append(("FAIL", name, f"no data: {value!r}"[:200]))
    else:
        results.append(("PASS", name, summary(value)))
    return value


def skip(name, why):
    results.append(("SKIP", name, why))


def summary(value):
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, dict):
        return ", ".join(sorted(value)[:6])
    return repr(value)[:80]


def file_written(path):
    return lambda _: os.path.isfile(path) and os.path.getsize(path) > 0


def dir_written(path):
    return lambda _: os.path.isdir(path) and any(os.scandir(path))


# Who and where: the org, its environments, the first API instance that has contracts.
me = check("organizations.me", client.organizations.me) or {}
orgs = check("organizations.list_accessible", client.organizations.list_accessible) or []
org_id = (me.get("client") or {}).get("org_id") or (orgs[0]["id"] if orgs else "")
envs = check("environments.list", lambda: client.environments.list(org_id)) or []
check(
    "environments.list_by_orgs",
    lambda: client.environments.list_by_orgs([{"id": org_id}], use_cache=False),
)
# API Manager does not manage design environments (the reference's §12.1); how its API answers for
# one is not documented, and the simulator answers 404 as for an unknown environment [inferred].
managed = [env for env in envs if env.get("type") != "design"]
instance, env_id = None, None
for env in managed:
    listed = client.apis.list_instances(org_id, env["id"]) or []
    if listed:
        instance, env_id = listed[0], env["id"]
        break
check("apis.list_instances", lambda: client.apis.list_instances(org_id, env_id))
api_id = (instance or {}).get("id")
check("apis.get_instance", lambda: client.apis.get_instance(org_id, env_id, api_id))
check("applications.list", lambda: client.applications.list(org_id))
check("contracts.list_api_contracts", lambda: client.contracts.list_api_contracts(org_id, env_id, api_id))
check("tiers.list_api_tiers", lambda: client.tiers.list_api_tiers(org_id, env_id, api_id))
check("policies.list_api_policies", lambda: client.policies.list_api_policies(org_id, env_id, api_id))
automated = check(
    "policies.list_environment_automated_policies",
    lambda: client.policies.list_environment_automated_policies(org_id, env_id),
) or []
check(
    "policies.get_automated_policy",
    lambda: client.policies.get_automated_policy(org_id, automated[0]["id"]),
)
groups = check("groups.list", lambda: client.groups.list(org_id, env_id)) or []
group_id = groups[0]["id"] if groups else None
check("groups.get", lambda: client.groups.get(org_id, env_id, group_id))
grouped_api = next(
    (a.get("id") for g in groups for a in (g.get("apiInstances") or []) if isinstance(a, dict)),
    api_id,
)
check("groups.find_group_for_api", lambda: client.groups.find_group_for_api(org_id, env_id, grouped_api))
# The built-in worlds hold contracts on API instances only: a group's list is read, and empty.
check(
    "contracts.list_group_contracts",
    lambda: client.contracts.list_group_contracts(org_id, env_id, group_id),
    lambda value: value == [],
)
check("tiers.list_group_tiers", lambda: client.tiers.list_group_tiers(org_id, env_id, group_id))

# Exchange: the instance's asset.
group, asset, version = (
    (instance or {}).get("groupId") or org_id,
    (instance or {}).get("assetId"),
    (instance or {}).get("assetVersion"),
)
check("exchange.list_assets", lambda: client.exchange.list_assets(org_id=org_id))
check("exchange.list_assets_for_org", lambda: client.exchange.list_assets_for_org(org_id))
check("exchange.list_policy_assets", lambda: client.exchange.list_policy_assets(org_id=org_id))
check(
    "exchange.list_policy_implementations",
    lambda: client.exchange.list_policy_implementations(org_id=org_id),
)
check("exchange.get_asset", lambda: client.exchange.get_asset(group, asset, version))
check("exchange.get_asset_files", lambda: client.exchange.get_asset_files(group, asset, version))
resources = check("exchange.list_resources", lambda: client.exchange.list_resources(group, asset, version)) or []
resource_path = (resources[0].get("path") if resources and isinstance(resources[0], dict) else None) or ""
target = os.path.join(work, "resource")
check(
    "exchange.download_resource",
    lambda: client.exchange.download_resource(group, asset, version, resource_path, target),
    file_written(target),
)
target = os.path.join(work, "asset.zip")
check(
    "exchange.download_asset_file",
    lambda: client.exchange.download_asset_file(group, asset, version, target, classifier="fat-oas", packaging="zip"),
    file_written(target),
)
# The simulator's assets are OAS specs: the RAML reads find the asset's files and no RAML among
# them, which the SDK reports as documented (available False; ValueError for the download).
check(
    "exchange.check_raml_available",
    lambda: client.exchange.check_raml_available(group, asset, version),
    lambda value: value.get("available") is False,
)
target = os.path.join(work, "raml")
check(
    "exchange.download_raml_bundle",
    lambda: client.exchange.download_raml_bundle(group, asset, version, target),
    lambda value: "no RAML classifier" in str(value),
    raises=ValueError,
)
check(
    "exchange.check_oas_available",
    lambda: client.exchange.check_oas_available(group, asset, version),
    lambda value: value.get("available") is True,
)
target = os.path.join(work, "oas")
check(
    "exchange.download_oas_bundle",
    lambda: client.exchange.download_oas_bundle(group, asset, version, target),
    dir_written(target),
)
for kind in ("yaml", "json"):
    target = os.path.join(work, f"api.{kind}")
    method = getattr(client.exchange, f"download_oas_as_{kind}")
    check(
        f"exchange.download_oas_as_{kind}",
        lambda method=method, target=target: method(group, asset, version, target),
        file_written(target),
    )
skip(
    "exchange.check_publication_status",
    "reads the status link a publication (a write) returns; no read of existing data",
)
skip(
    "observability.get_api_request_count",
    "Anypoint Monitoring's metrics, outside this tool's domain (Access Management, API Manager, Exchange)",
)
check(
    "collectors.build_inventory",
    lambda: build_inventory(client, orgs=[org_id], envs_by_org={org_id: managed}),
)

for status, name, detail in results:
    print(f"{status:<5} {name}" + (f" ({detail})" if detail else ""))
passed = sum(1 for r in results if r[0] == "PASS")
failed = sum(1 for r in results if r[0] == "FAIL")
print(f"{passed} of {passed + failed} read methods passed; {len(results) - passed - failed} skipped")
sys.exit(1 if failed else 0)
