//! The simulator's Exchange reads, seen from a plain HTTP client: the Graph
//! API's asset search as anypoint-cli-v4 sends it, the v1 and v2 asset
//! routes, the REST search, the asset portal's pages and resources, the
//! signed file links, who may read each (Exchange Viewer or a broader
//! Exchange scope in the asset's business group, or an org admin), and the
//! answers against the schemas in `conformance/published/exchange_assets.json`
//! in every scenario that has assets.

use std::collections::BTreeMap;

use anypoint_sim::scenarios::{self, SCENARIOS};
use anypoint_sim::world::Grant;
use anypoint_sim::{World, catalogue, generate};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::api::{Answer, Api, world};
use crate::support::published as description;

const ROOT: &str = scenarios::ROOT_ORG;
const BUSINESS_GROUP: &str = scenarios::BUSINESS_GROUP;
const ADMIN_TOKEN: &str = scenarios::ADMIN_TOKEN;
const GRAPHQL: &str = "/graph/api/v2/graphql";

/// anypoint-cli-v4 1.6.12's `exchange asset list` query, as apollo-client
/// sends it (`__typename` added; reference anypoint-cli-v4.md).
const CLI_QUERY: &str = "query ($organizationIds: [String], $limit: Int, $offset: Int, $searchText: String!) {\n  assets(limit: $limit, offset: $offset, searchTerm: $searchText, organizationIds: $organizationIds) {\n    groupId\n    assetId\n    version\n    name\n    type\n    updatedDate\n    createdDate\n    __typename\n  }\n}\n";

/// The healthy world's asset.
fn v1_asset() -> String {
    format!("/exchange/api/v1/assets/{ROOT}/orders-api/1.0.3")
}

fn v2_asset() -> String {
    format!("/exchange/api/v2/assets/{ROOT}/orders-api/1.0.3")
}

/// The healthy world with the login app's scopes replaced.
fn granted(grants: &[(&str, Option<&str>)]) -> World {
    let mut world = world("healthy");
    world.connected_apps[0].scopes = grants
        .iter()
        .map(|(scope, org)| Grant {
            scope: scope.to_string(),
            org: org.map(str::to_string),
            env: None,
        })
        .collect();
    world
}

/// A token for the world's login app.
async fn app_token(api: &Api) -> String {
    api.token(scenarios::CLIENT_ID, scenarios::CLIENT_SECRET)
        .await
}

/// The Graph API's answer to `query` with `variables` (no Authorization
/// header: the token goes as the variable `accessToken`, as the CLI sends it).
async fn graphql(api: &Api, query: &str, variables: Value) -> Answer {
    let body = json!({"operationName": null, "variables": variables, "query": query});
    api.post_json(GRAPHQL, None, &body).await
}

// ---------------------------------------------------------------- Graph API search

#[tokio::test]
async fn graph_search_answers_the_fields_the_cli_selects() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let variables = json!({"limit": 10, "offset": 0, "searchText": "", "accessToken": token});
    let (status, body) = graphql(&api, CLI_QUERY, variables).await.pair();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"data": {"assets": [{
            "groupId": ROOT,
            "assetId": "orders-api",
            "version": "1.0.3",
            "name": "Orders API",
            "type": "rest-api",
            "updatedDate": anypoint_sim::routes::AUDIT_DATE,
            "createdDate": anypoint_sim::routes::AUDIT_DATE,
            "__typename": "Asset",
        }]}})
    );
    api.stop().await;
}

#[tokio::test]
async fn graph_search_filters_by_term_organizations_types_and_page() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let search = |arguments: &str| format!("{{ assets(query: {{{arguments}}}) {{ assetId }} }}");
    let cases = [
        ("searchTerm: \"ORDERS\"", 1),
        ("searchTerm: \"billing\"", 0),
        (
            &format!("organizationIds: [\"{ROOT}\"], types: [\"rest-api\"]") as &str,
            1,
        ),
        (&format!("organizationIds: [\"{BUSINESS_GROUP}\"]"), 0),
        ("types: [\"connector\"]", 0),
        ("offset: 1, limit: 5", 0),
        ("offset: 0, limit: 0", 0),
    ];
    for (arguments, expected) in cases {
        let variables = json!({"accessToken": token});
        let (status, body) = graphql(&api, &search(arguments), variables).await.pair();
        assert_eq!(status, 200, "{arguments}: {body}");
        let found = body["data"]["assets"].as_array().expect("a list").len();
        assert_eq!(found, expected, "{arguments}: {body}");
    }
    api.stop().await;
}

#[tokio::test]
async fn graph_search_shows_only_what_the_caller_may_read() {
    // Without any Exchange scope the app's search is empty, not refused.
    let api = Api::scenario("no-exchange-viewer").await;
    let token = app_token(&api).await;
    let variables = json!({"searchText": "", "accessToken": token});
    let (status, body) = graphql(&api, CLI_QUERY, variables).await.pair();
    assert_eq!((status, body["data"]["assets"].clone()), (200, json!([])));
    // The org admin reads every asset; its token may come as a header too.
    let body = json!({"query": CLI_QUERY, "variables": {"searchText": ""}});
    let request = api
        .http
        .post(api.url(GRAPHQL))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body);
    let (status, body) = api.send(request).await.pair();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["assets"][0]["assetId"], "orders-api");
    api.stop().await;
}

#[tokio::test]
async fn graph_queries_it_cannot_answer_get_graphql_errors() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let cases = [
        (
            "{ organizations { id } }",
            400,
            "Cannot query field \"organizations\" on type \"Query\".",
        ),
        (
            "{ assets { assetId owner } }",
            400,
            "Cannot query field \"owner\" on type \"Asset\".",
        ),
        (
            "{ assets { organization } }",
            400,
            "must have a selection of subfields",
        ),
        (
            "{ assets(sort: \"name\") { assetId } }",
            400,
            "Unknown argument \"sort\"",
        ),
        (
            "mutation { deleteAsset(id: 1) }",
            400,
            "only an `assets` query",
        ),
        ("{ assets { assetId }", 400, "Syntax Error"),
        (
            "{ assets { assetId } } { assets { name } }",
            400,
            "one `assets` query",
        ),
    ];
    for (query, status, message) in cases {
        let answer = graphql(&api, query, json!({"accessToken": token})).await;
        let (got, body) = answer.pair();
        assert_eq!(got, status, "{query}: {body}");
        let said = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(said.contains(message), "{query}: {body}");
    }
    // Without a token, or with one this simulator never issued: 401.
    for variables in [json!({}), json!({"accessToken": "not-a-token"})] {
        let (status, body) = graphql(&api, CLI_QUERY, variables).await.pair();
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    api.stop().await;
}

// ---------------------------------------------------------------- one asset

#[tokio::test]
async fn the_v1_asset_answers_what_describe_and_download_read() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let (status, asset) = api.get(&v1_asset(), Some(&token)).await.pair();
    assert_eq!(status, 200, "{asset}");
    assert_eq!(asset["name"], "Orders API");
    assert_eq!(asset["status"], "published");
    assert_eq!(asset["type"], "rest-api");
    assert_eq!(asset["productAPIVersion"], "v1");
    assert_eq!(
        asset["versions"],
        json!([{"version": "1.0.3", "status": "published", "createdAt": anypoint_sim::routes::AUDIT_DATE}])
    );
    assert!(asset["modifiedAt"].is_string());
    let file = &asset["files"][0];
    assert_eq!(
        (file["classifier"].as_str(), file["isGenerated"].as_bool()),
        (Some("oas"), Some(false))
    );
    // An asset version the catalogue lacks.
    let unknown = format!("/exchange/api/v1/assets/{ROOT}/orders-api/9.9.9");
    assert_eq!(api.get(&unknown, Some(&token)).await.status, 404);
    api.stop().await;
}

#[tokio::test]
async fn reading_an_asset_needs_an_exchange_scope_in_its_business_group() {
    let routes = [
        v1_asset(),
        format!("{}/asset", v2_asset()),
        format!("/exchange/api/v2/assets/{ROOT}/orders-api/asset"),
        format!("/exchange/api/v2/assets/{ROOT}/orders-api"),
        format!("{}/portal/pages", v2_asset()),
        format!("{}/portal/pages/home", v2_asset()),
        format!("{}/portal/resources", v2_asset()),
        format!("{}/portal/resources/orders-api-logo.svg", v2_asset()),
    ];
    // Exchange Viewer, or a broader Exchange scope, in the asset's group (the root org).
    for scope in ["read:exchange", "manage:exchange", "edit:exchange"] {
        let api = Api::start(granted(&[(scope, Some(ROOT))])).await;
        let token = app_token(&api).await;
        for route in &routes {
            let answer = api.get(route, Some(&token)).await;
            assert_eq!(answer.status, StatusCode::OK, "{scope} {route}: {answer:?}");
        }
        api.stop().await;
    }
    // The scope in another business group, or none: 403 in Exchange's shape.
    for grants in [
        &[("read:exchange", Some(BUSINESS_GROUP))][..],
        &[("profile", None)],
    ] {
        let api = Api::start(granted(grants)).await;
        let token = app_token(&api).await;
        for route in &routes {
            let (status, body) = api.get(route, Some(&token)).await.pair();
            assert_eq!(
                (status, body["message"].clone()),
                (403, json!("Unauthorized")),
                "{grants:?} {route}"
            );
        }
        // The org admin may read every asset.
        for route in &routes {
            assert_eq!(
                api.get(route, Some(ADMIN_TOKEN)).await.status,
                StatusCode::OK,
                "{route}"
            );
        }
        api.stop().await;
    }
}

#[tokio::test]
async fn an_asset_of_a_business_group_needs_the_scope_there() {
    let mut world = granted(&[("read:exchange", Some(BUSINESS_GROUP))]);
    let mut api_instance = world.apis[0].clone();
    api_instance.id = 18972699;
    api_instance.env = scenarios::BG_SANDBOX.into();
    api_instance.group_id = None;
    api_instance.asset_id = "payments-api".into();
    world.apis.push(api_instance);
    let api = Api::start(world).await;
    let token = app_token(&api).await;
    let payments = format!("/exchange/api/v1/assets/{BUSINESS_GROUP}/payments-api/1.0.3");
    let (status, body) = api.get(&payments, Some(&token)).await.pair();
    assert_eq!(
        (status, body["groupId"].clone()),
        (200, json!(BUSINESS_GROUP)),
        "{body}"
    );
    assert_eq!(api.get(&v1_asset(), Some(&token)).await.status, 403);
    // The search shows the one asset the app may read.
    let variables = json!({"searchText": "", "accessToken": token});
    let (_, body) = graphql(&api, CLI_QUERY, variables).await.pair();
    let ids: Vec<&Value> = body["data"]["assets"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| &a["assetId"])
        .collect();
    assert_eq!(ids, [&json!("payments-api")], "{body}");
    api.stop().await;
}

// ---------------------------------------------------------------- portal, files

#[tokio::test]
async fn the_portal_serves_pages_as_markdown_and_resources_as_files() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let (status, pages) = api
        .get(&format!("{}/portal/pages", v2_asset()), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200);
    assert_eq!(pages[0], json!({"name": "home", "path": "home"}));
    let home = api
        .get(&format!("{}/portal/pages/home", v2_asset()), Some(&token))
        .await;
    assert_eq!(home.header("content-type"), Some("text/markdown"));
    assert!(home.body.starts_with("# Orders API\n"), "{}", home.body);
    let missing = api
        .get(&format!("{}/portal/pages/nope", v2_asset()), Some(&token))
        .await;
    assert_eq!(missing.status, 404);

    let (status, resources) = api
        .get(&format!("{}/portal/resources", v2_asset()), Some(&token))
        .await
        .pair();
    assert_eq!(
        (status, resources.clone()),
        (200, json!([{"path": "resources/orders-api-logo.svg"}]))
    );
    // `resource download` appends the listed path to …/portal/.
    let path = resources[0]["path"].as_str().expect("a path");
    let image = api
        .get(&format!("{}/portal/{path}", v2_asset()), Some(&token))
        .await;
    assert_eq!(image.header("content-type"), Some("image/svg+xml"));
    assert!(image.body.contains(">Orders API</text>"), "{}", image.body);
    let missing = api
        .get(
            &format!("{}/portal/resources/nope.png", v2_asset()),
            Some(&token),
        )
        .await;
    assert_eq!(missing.status, 404);
    api.stop().await;
}

#[tokio::test]
async fn the_main_file_link_downloads_without_a_token_only_as_signed() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let asset = api.get(&v1_asset(), Some(&token)).await.json();
    let link = asset["files"][0]["externalLink"]
        .as_str()
        .expect("a link")
        .to_string();
    assert!(link.starts_with(&api.running.base_url), "{link}");
    assert!(
        link.contains("/orders-api-1.0.3-oas.yaml?signature="),
        "{link}"
    );
    let file = api.send(api.http.get(&link)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.starts_with("openapi: 3.0.0\n"), "{}", file.body);
    assert!(file.body.contains("title: Orders API"), "{}", file.body);

    let unsigned = link.split('?').next().expect("a path").to_string();
    let tampered = format!("{unsigned}?signature=0000000000000000");
    let other_file = link.replace("oas.yaml", "raml.zip");
    for refused in [unsigned, tampered, other_file] {
        let answer = api.send(api.http.get(&refused)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{refused}");
        assert!(
            answer.body.contains("<Code>AccessDenied</Code>"),
            "{}",
            answer.body
        );
    }
    api.stop().await;
    // A link of another run does not verify: each run signs with its own key.
    let again = Api::scenario("healthy").await;
    let path = link
        .split_once("/sim/")
        .map(|(_, p)| format!("/sim/{p}"))
        .expect("a path");
    assert_eq!(again.get(&path, None).await.status, StatusCode::FORBIDDEN);
    again.stop().await;
}

#[tokio::test]
async fn the_rest_search_takes_the_described_parameters() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let search = "/exchange/api/v2/assets/search";
    let (status, found) = api
        .get(
            &format!("{search}?types=rest-api&search=order&organizationId={ROOT}"),
            Some(&token),
        )
        .await
        .pair();
    assert_eq!(status, 200, "{found}");
    assert_eq!(found[0]["assetId"], "orders-api");
    assert_eq!(found[0]["organization"]["name"], "Example Corp");
    let (_, none) = api
        .get(
            &format!("{search}?types=rest-api&organizationId={BUSINESS_GROUP}"),
            Some(&token),
        )
        .await
        .pair();
    assert_eq!(none, json!([]));
    // `types` is required (S2 `exchange_assets`).
    let (status, refused) = api.get(search, Some(&token)).await.pair();
    assert_eq!(
        (status, refused["status"].clone()),
        (400, json!(400)),
        "{refused}"
    );
    api.stop().await;
}

#[tokio::test]
async fn the_rest_list_holds_the_orgs_assets_and_mulesofts_public_policies() {
    // no-exchange-viewer: the app may read no Exchange asset of its own org.
    for (scenario, own) in [("healthy", 1), ("no-exchange-viewer", 0)] {
        let api = Api::scenario(scenario).await;
        let token = app_token(&api).await;
        let (status, all) = api
            .get("/exchange/api/v2/assets", Some(&token))
            .await
            .pair();
        assert_eq!(status, 200, "{all}");
        let kinds: BTreeMap<String, usize> =
            all.as_array()
                .expect("{all}")
                .iter()
                .fold(BTreeMap::new(), |mut n, a| {
                    *n.entry(a["type"].as_str().expect("a type").to_string())
                        .or_default() += 1;
                    n
                });
        let templates = anypoint_sim::policy_templates::TEMPLATES.len();
        let expected = BTreeMap::from([
            ("policy".to_string(), templates),
            ("policy-implementation".to_string(), templates),
            ("rest-api".to_string(), own),
        ]);
        let expected: BTreeMap<String, usize> =
            expected.into_iter().filter(|(_, n)| *n > 0).collect();
        assert_eq!(kinds, expected, "{scenario}: {all}");
        // As anypoint-sdk's list_assets filters: by organization and type.
        let (_, mine) = api
            .get(
                &format!("/exchange/api/v2/assets?organizationIds={ROOT}&type=rest-api"),
                Some(&token),
            )
            .await
            .pair();
        assert_eq!(
            mine.as_array().expect("{mine}").len(),
            own,
            "{scenario}: {mine}"
        );
        api.stop().await;
    }
}

#[tokio::test]
async fn an_assets_files_download_from_maven_with_the_assets_read_access() {
    let api = Api::scenario("healthy").await;
    let token = app_token(&api).await;
    let (status, asset) = api.get(&v2_asset(), Some(&token)).await.pair();
    assert_eq!(status, 200, "{asset}");
    let listed: Vec<(&str, &str)> = asset["files"]
        .as_array()
        .expect("{asset}")
        .iter()
        .map(|f| {
            (
                f["classifier"].as_str().unwrap(),
                f["packaging"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("oas", "yaml"), ("fat-oas", "zip")]);
    assert_eq!(asset["files"][1]["mainFile"], "orders-api-1.0.3-oas.yaml");
    let maven = format!("/api/v2/maven/{ROOT}/orders-api/1.0.3");
    let bundle = api
        .get(
            &format!("{maven}/orders-api-1.0.3-fat-oas.zip"),
            Some(&token),
        )
        .await;
    assert_eq!(bundle.status, 200);
    assert_eq!(bundle.headers["content-type"], "application/zip");
    assert!(
        bundle.body.starts_with("PK\u{3}\u{4}"),
        "{:?}",
        &bundle.body[..8]
    );
    let main = api
        .get(&format!("{maven}/orders-api-1.0.3-oas.yaml"), Some(&token))
        .await;
    assert!(main.body.starts_with("openapi: 3.0.0"), "{}", main.body);
    // A file the asset does not list, no token, no Exchange scope.
    let other = format!("{maven}/orders-api-1.0.3-fat-raml.zip");
    assert_eq!(api.get(&other, Some(&token)).await.status, 404);
    let file = format!("{maven}/orders-api-1.0.3-oas.yaml");
    assert_eq!(api.get(&file, None).await.status, 401);
    api.stop().await;
    let api = Api::scenario("no-exchange-viewer").await;
    let token = app_token(&api).await;
    assert_eq!(api.get(&file, Some(&token)).await.status, 403);
    api.stop().await;
}

// ---------------------------------------------------------------- published schemas

/// The routes of `conformance/published/exchange_assets.json`: path and validator.
fn published() -> Vec<(String, jsonschema::Validator)> {
    let doc = description("exchange_assets");
    doc["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|route| {
            assert_eq!(
                (route["method"].as_str(), route["status"].as_u64()),
                (Some("GET"), Some(200))
            );
            let validator =
                jsonschema::draft202012::new(&route["schema"]).expect("the schema compiles");
            (
                route["path"].as_str().expect("a path").to_string(),
                validator,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_described_routes_answer_the_published_schemas_in_every_scenario() {
    let routes = published();
    assert_eq!(routes.len(), 3);
    let worlds = SCENARIOS
        .iter()
        .map(|s| (s.name.to_string(), world(s.name)))
        .chain([(
            "generated-3x2".to_string(),
            generate::world(3, 2).resolve().expect("resolves"),
        )]);
    for (name, mut world) in worlds {
        // Delivery faults are not about shapes.
        world.faults.clear();
        world.latency_ms = 0;
        world.rate_limit_per_minute = None;
        let assets = catalogue::assets(&world);
        assert!(!assets.is_empty(), "{name}: no asset");
        let api = Api::start(world).await;
        for asset in assets.iter().take(3) {
            let values = BTreeMap::from([
                ("{groupId}", asset.group_id.as_str()),
                ("{assetId}", asset.asset_id.as_str()),
                ("{version}", asset.version.as_str()),
            ]);
            for (template, validator) in &routes {
                let path = values
                    .iter()
                    .fold(template.clone(), |p, (k, v)| p.replace(k, v));
                let (status, body) = api.get(&path, Some(ADMIN_TOKEN)).await.pair();
                assert_eq!(status, 200, "{name} {path}: {body}");
                assert!(body != json!([]), "{name} {path}: empty");
                let errors: Vec<String> = validator
                    .iter_errors(&body)
                    .map(|e| format!("{}: {e}", e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{name} {path}: {errors:#?}");
            }
        }
        api.stop().await;
    }
}
