//! The simulator's API instance configuration routes: policies, policy
//! templates, SLA tiers, upstreams, alerts (legacy and Monitoring),
//! autodiscovery properties and the proxy download. Each answers its data
//! to a caller with the scope and 403 to one without; the routes that an
//! anypoint-client-go module describes answer what
//! `tests/it/conformance/published/<module>.json` restates, in every
//! scenario. In-process simulators on loopback ports; nothing sleeps.

use anypoint_sim::World;
use anypoint_sim::scenarios::{
    self, ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, PRODUCTION, ROOT_ORG, SANDBOX, SCENARIOS,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::api::Api as Sim;
use crate::support::published as description;

/// The healthy world's API instances in Sandbox and Production.
const SANDBOX_API: u64 = 18972610;
const PRODUCTION_API: u64 = 18972611;

fn instance(env: &str, api: u64) -> String {
    format!("/apimanager/api/v1/organizations/{ROOT_ORG}/environments/{env}/apis/{api}")
}

fn monitoring_alerts(env: &str, api: u64) -> String {
    format!(
        "/monitoring/api/alerts/api/v2/organizations/{ROOT_ORG}/environments/{env}/alerts?type=basic&apiId={api}&resourceType=api"
    )
}

fn proxy(env: &str, api: u64) -> String {
    format!("/proxies/xapi/v1/organizations/{ROOT_ORG}/environments/{env}/apis/{api}/proxy")
}

fn templates() -> String {
    format!("/apimanager/api/v1/organizations/{ROOT_ORG}/policy-templates")
}

/// The API groups of an environment, or one of them.
fn groups(env: &str) -> String {
    format!("/apimanager/api/v1/organizations/{ROOT_ORG}/environments/{env}/groupInstances")
}

/// The org's automated policies, all or those of one environment.
fn automated(env: Option<&str>) -> String {
    let all = format!("/apimanager/api/v1/organizations/{ROOT_ORG}/automated-policies");
    env.map_or_else(|| all.clone(), |env| format!("{all}?environmentId={env}"))
}

/// The group the built-in worlds give each environment with instances
/// (`furnish::environments`), in the order their instances come: Sandbox first.
const SANDBOX_GROUP: u64 = 7_100_000;
const PRODUCTION_GROUP: u64 = 7_100_001;

/// The instance-scoped reads that need View APIs Configuration (or more),
/// with the environment's groups and automated policies.
fn configuration_reads(env: &str, api: u64) -> Vec<String> {
    let base = instance(env, api);
    let group = if api == SANDBOX_API {
        SANDBOX_GROUP
    } else {
        PRODUCTION_GROUP
    };
    vec![
        groups(env),
        format!("{}/{group}/tiers", groups(env)),
        automated(Some(env)),
        format!("{base}/policies"),
        format!("{base}/tiers"),
        format!("{base}/upstreams"),
        format!("{base}/autodiscoveryProperties?gatewayVersion=4.6.0"),
        proxy(env, api),
    ]
}

/// The alert reads, legacy and Monitoring.
fn alert_reads(env: &str, api: u64) -> Vec<String> {
    vec![
        format!("{}/alerts", instance(env, api)),
        monitoring_alerts(env, api),
    ]
}

async fn app_token(sim: &Sim) -> String {
    sim.token(CLIENT_ID, CLIENT_SECRET).await
}

async fn assert_status(sim: &Sim, token: &str, paths: &[String], status: u16) {
    for path in paths {
        let answer = sim.get(path, Some(token)).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.body);
        if status == 403 {
            assert_eq!(answer.json()["name"], "ForbiddenError", "{path}");
        }
    }
}

#[tokio::test]
async fn the_healthy_instance_answers_its_configuration() {
    let sim = Sim::scenario("healthy").await;
    let token = app_token(&sim).await;
    let base = instance(SANDBOX, SANDBOX_API);

    // As anypoint-cli-v4 asks (fullInfo=false): an array of policies.
    let (status, policies) = sim
        .get(&format!("{base}/policies?fullInfo=false"), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{policies}");
    let applied = ["client-id-enforcement", "rate-limiting-sla-based"];
    let templates_applied: Vec<&str> = policies
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| p["policyTemplateId"].as_str().expect("a template id"))
        .collect();
    assert_eq!(templates_applied, applied);
    assert_eq!(policies[0]["apiId"], SANDBOX_API);
    assert_eq!(policies[1]["order"], 2);
    // As anypoint-sdk asks (no fullInfo): the full data, the same policies with the tiers' limits.
    let (status, full) = sim
        .get(&format!("{base}/policies"), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{full}");
    let templates_applied: Vec<&str> = full["policies"]
        .as_array()
        .expect("{policies}")
        .iter()
        .map(|p| p["template"]["assetId"].as_str().expect("a template"))
        .collect();
    assert_eq!(templates_applied, applied);
    assert_eq!(full["policies"][0]["policyId"], policies[0]["id"]);
    assert_eq!(full["tiers"]["values"][0]["id"], 1797161);

    // The tier the healthy contract names, with that contract counted.
    let (status, tiers) = sim.get(&format!("{base}/tiers"), Some(&token)).await.pair();
    assert_eq!(status, 200, "{tiers}");
    assert_eq!(tiers["total"], 1);
    assert_eq!(tiers["tiers"][0]["name"], "Gold");
    assert_eq!(tiers["tiers"][0]["id"], 1797161);
    assert_eq!(tiers["tiers"][0]["applicationCount"], 1);

    let (status, upstreams) = sim
        .get(&format!("{base}/upstreams"), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{upstreams}");
    assert_eq!(
        upstreams["upstreams"][0]["uri"],
        "https://orders-sbx.upstream.example.com/api"
    );

    // Legacy alerts name their recipients as /users/me names the admin: one identity.
    let (status, legacy) = sim
        .get(&format!("{base}/alerts"), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{legacy}");
    assert_eq!(legacy[0]["type"], "api-request-count");
    let admin = sim
        .get("/accounts/api/users/me", Some(ADMIN_TOKEN))
        .await
        .json();
    assert_eq!(legacy[0]["recipients"][0]["value"], admin["id"]);
    let (status, monitoring) = sim
        .get(&monitoring_alerts(SANDBOX, SANDBOX_API), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{monitoring}");
    assert_eq!(monitoring[0]["metricType"], "api_response_time");
    assert_ne!(
        monitoring[0]["alertId"], legacy[0]["id"],
        "two services, two alerts"
    );

    // Mule 4 gateways find the instance by id; Mule 3 ones by name and version.
    let discovery = format!("{base}/autodiscoveryProperties?gatewayVersion=");
    let (_, mule4) = sim
        .get(&format!("{discovery}4.6.0"), Some(&token))
        .await
        .pair();
    assert_eq!(mule4["apiId"], SANDBOX_API);
    let (_, mule3) = sim
        .get(&format!("{discovery}3.9.0"), Some(&token))
        .await
        .pair();
    assert_eq!(
        mule3["apiName"],
        format!("groupId:{ROOT_ORG}:assetId:orders-api")
    );
    assert_eq!(mule3["apiVersion"], format!("v1:{SANDBOX_API}"));

    // Monitoring needs the instance it is asked about.
    let no_api = format!(
        "/monitoring/api/alerts/api/v2/organizations/{ROOT_ORG}/environments/{SANDBOX}/alerts"
    );
    assert_eq!(sim.get(&no_api, Some(&token)).await.status, 400);
    // An instance of another environment is not found.
    let other = format!("{}/policies", instance(SANDBOX, PRODUCTION_API));
    assert_eq!(sim.get(&other, Some(&token)).await.status, 404);
    sim.stop().await;
}

#[tokio::test]
async fn the_proxy_archive_is_a_named_zip_the_same_every_time() {
    let sim = Sim::scenario("healthy").await;
    let token = app_token(&sim).await;
    let download = || async {
        let response = sim
            .http
            .get(sim.url(&proxy(SANDBOX, SANDBOX_API)))
            .bearer_auth(&token)
            .send()
            .await
            .expect("the simulator answers");
        assert_eq!(response.status(), StatusCode::OK);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .expect("a text header")
            .to_string();
        (disposition, response.bytes().await.expect("the archive"))
    };
    let (disposition, archive) = download().await;
    assert_eq!(disposition, "attachment; filename=\"orders-sbx-proxy.zip\"");
    assert_eq!(&archive[..4], b"PK\x03\x04");
    let text = String::from_utf8_lossy(&archive);
    assert!(text.contains(&format!("api.id={SANDBOX_API}")), "{text}");
    assert_eq!(download().await.1, archive);
    sim.stop().await;
}

#[tokio::test]
async fn configuration_reads_need_api_manager_scopes_in_the_instances_environment() {
    // env-scope-gap: API Manager's scopes in Sandbox only.
    let sim = Sim::scenario("env-scope-gap").await;
    let token = app_token(&sim).await;
    let sandbox: Vec<String> = configuration_reads(SANDBOX, SANDBOX_API)
        .into_iter()
        .chain(alert_reads(SANDBOX, SANDBOX_API))
        .collect();
    assert_status(&sim, &token, &sandbox, 200).await;
    let production: Vec<String> = configuration_reads(PRODUCTION, PRODUCTION_API)
        .into_iter()
        .chain(alert_reads(PRODUCTION, PRODUCTION_API))
        .collect();
    assert_status(&sim, &token, &production, 403).await;
    // An org admin may read everything.
    assert_status(&sim, ADMIN_TOKEN, &production, 200).await;
    sim.stop().await;
}

#[tokio::test]
async fn alerts_need_an_alert_scope_beyond_api_configuration() {
    // missing-manage-scopes: View and Manage APIs Configuration, no Environment
    // Administrator, no alert scope (§7, §11.2).
    let sim = Sim::scenario("missing-manage-scopes").await;
    let token = app_token(&sim).await;
    assert_status(
        &sim,
        &token,
        &configuration_reads(SANDBOX, SANDBOX_API),
        200,
    )
    .await;
    assert_status(&sim, &token, &alert_reads(SANDBOX, SANDBOX_API), 403).await;
    sim.stop().await;
}

#[tokio::test]
async fn api_groups_and_automated_policies_answer_what_anypoint_sdk_reads() {
    let sim = Sim::scenario("healthy").await;
    let token = app_token(&sim).await;
    let get = |path: String| {
        let (sim, token) = (&sim, &token);
        async move { sim.get(&path, Some(token)).await.pair() }
    };
    let (status, list) = get(groups(SANDBOX)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1);
    let group = &list["instances"][0];
    assert_eq!(group["id"], SANDBOX_GROUP);
    assert_eq!(group["groupName"], "Sandbox APIs");
    assert_eq!(group["environmentId"], SANDBOX);
    assert_eq!(group["apiInstances"][0]["id"], SANDBOX_API);
    let one = format!("{}/{SANDBOX_GROUP}", groups(SANDBOX));
    assert_eq!(get(one.clone()).await.1["groupVersionName"], "v1");
    assert_eq!(
        get(format!("{one}/tiers")).await.1["tiers"][0]["name"],
        "Group Gold"
    );
    let (status, contracts) = get(format!("{one}/contracts")).await;
    assert_eq!(
        (status, &contracts["total"]),
        (200, &Value::from(0)),
        "{contracts}"
    );
    // A group is found in its own environment only.
    let elsewhere = format!("{}/{PRODUCTION_GROUP}", groups(SANDBOX));
    assert_eq!(get(elsewhere).await.0, 404);

    let (status, all) = get(automated(None)).await;
    assert_eq!((status, &all["total"]), (200, &Value::from(2)), "{all}");
    let (_, sandbox) = get(automated(Some(SANDBOX))).await;
    let policy = &sandbox["automatedPolicies"][0];
    assert_eq!(sandbox["total"], 1);
    assert_eq!(policy["ruleOfApplication"]["environmentId"], SANDBOX);
    assert_eq!(policy["assetId"], "rate-limiting");
    let by_id = format!("{}/{}", automated(None), policy["id"]);
    assert_eq!(&get(by_id).await.1, policy);
    assert_eq!(get(format!("{}/1", automated(None))).await.0, 404);
    sim.stop().await;

    // env-scope-gap: no API Manager scope in Production, so its policy is not listed.
    let sim = Sim::scenario("env-scope-gap").await;
    let token = app_token(&sim).await;
    let (status, all) = sim.get(&automated(None), Some(&token)).await.pair();
    assert_eq!(status, 200, "{all}");
    let envs: Vec<&Value> = all["automatedPolicies"]
        .as_array()
        .expect("{all}")
        .iter()
        .map(|p| &p["ruleOfApplication"]["environmentId"])
        .collect();
    assert_eq!(envs, [SANDBOX]);
    sim.stop().await;
}

#[tokio::test]
async fn policy_templates_are_read_with_a_policy_scope_in_the_org() {
    let sim = Sim::scenario("healthy").await;
    let token = app_token(&sim).await;
    let (status, list) = sim.get(&templates(), Some(&token)).await.pair();
    assert_eq!(status, 200, "{list}");
    assert!(list.as_array().expect("an array").len() >= 2);
    let (status, one) = sim
        .get(
            &format!("{}/client-id-enforcement", templates()),
            Some(&token),
        )
        .await
        .pair();
    assert_eq!(status, 200, "{one}");
    assert_eq!(
        one["configuration"][0]["propertyName"],
        "clientIdExpression"
    );
    let unknown = format!("{}/no-such-policy", templates());
    assert_eq!(sim.get(&unknown, Some(&token)).await.status, 404);
    sim.stop().await;

    // business-group-org: the app's API Manager scopes are in the business group only.
    let sim = Sim::scenario("business-group-org").await;
    let token = app_token(&sim).await;
    assert_status(&sim, &token, &[templates()], 403).await;
    let group = format!(
        "/apimanager/api/v1/organizations/{}/policy-templates",
        scenarios::BUSINESS_GROUP
    );
    assert_status(&sim, &token, &[group], 200).await;
    sim.stop().await;
}

/// A published description: the routes of `tests/it/conformance/published/<module>.json`
/// with their compiled schemas.
fn published(module: &str) -> Vec<(String, u16, jsonschema::Validator)> {
    let doc = description(module);
    doc["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|route| {
            let schema = &route["schema"];
            jsonschema::meta::validate(schema).expect("a valid JSON Schema");
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(schema)
                .expect("the schema compiles");
            let path = route["path"].as_str().expect("a path").to_string();
            let status = route["status"].as_u64().expect("a status") as u16;
            (path, status, validator)
        })
        .collect()
}

/// `template` with the instance's org, environment and id.
fn fill(template: &str, world: &World, api: &anypoint_sim::world::ApiInstance) -> String {
    let (org, _) = world
        .environment(&api.env)
        .expect("the instance's environment");
    template
        .replace("{orgId}", &org.id)
        .replace("{envId}", &api.env)
        .replace("{apiId}", &api.id.to_string())
}

#[tokio::test]
async fn configuration_answers_match_the_published_descriptions_in_every_scenario() {
    let modules = ["apim_policy", "apim_tier", "apim_upstream", "apim_alerts"];
    let routes: Vec<_> = modules.iter().flat_map(|m| published(m)).collect();
    for scenario in SCENARIOS {
        let mut world = scenario.world().resolve().expect("the world resolves");
        if world.apis.is_empty() {
            continue;
        }
        // The data are under test, not the scenario's faults, latency or rate limit.
        world.faults.clear();
        world.latency_ms = 0;
        world.rate_limit_per_minute = None;
        let sim = Sim::start(world.clone()).await;
        for api in &world.apis {
            for (template, status, validator) in &routes {
                let path = fill(template, &world, api);
                let answer = sim.get(&path, Some(ADMIN_TOKEN)).await;
                assert_eq!(answer.status.as_u16(), *status, "{}: {path}", scenario.name);
                let body = answer.json();
                let errors = validator.iter_errors(&body).into_errors();
                assert!(
                    errors.is_empty(),
                    "{}: {path} does not match its published schema:\n{errors}\n{body:#}",
                    scenario.name
                );
            }
        }
        sim.stop().await;
    }
}
