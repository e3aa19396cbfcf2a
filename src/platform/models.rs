//! The response shapes the doctor reads, with only the fields it uses. Field
//! names follow ../shared/reference/anypoint-api.md; anything else is ignored.

use serde::Deserialize;

use crate::secret::Secret;

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

/// The OAuth grant types a client application may be given.
pub const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "implicit",
    "password",
    "client_credentials",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub expires_in: Option<u64>,
}

/// GET /accounts/api/me: `client` for a Connected App token, `user` for a user token.
#[derive(Debug, Deserialize)]
pub struct Me {
    pub client: Option<MeClient>,
    pub user: Option<MeUser>,
}

#[derive(Debug, Deserialize)]
pub struct MeClient {
    pub client_id: String,
    pub name: Option<String>,
    pub org_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeUser {
    pub username: Option<String>,
    pub organization_id: Option<String>,
    pub organization: Option<OrgRef>,
}

#[derive(Debug, Deserialize)]
pub struct OrgRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_root: bool,
    #[serde(default)]
    pub parent_organization_ids: Vec<String>,
    #[serde(default)]
    pub sub_organization_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hierarchy {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub sub_organizations: Vec<Hierarchy>,
}

#[derive(Debug, Deserialize)]
pub struct EnvironmentList {
    pub data: Vec<Environment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_production: bool,
    /// `design`, `sandbox` or `production` (reference §4.4); kept as read,
    /// since an unknown value must not make the list unreadable.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

impl Environment {
    /// Design Center's environment, which API Manager does not manage
    /// (reference §12.1). Without a `type` it is not taken for one: a name
    /// is the user's to choose.
    pub fn is_design(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("design"))
    }
}

/// GET /accounts/api/connectedApplications/{clientId}: what an exact run needs of the app.
#[derive(Debug, Deserialize)]
pub struct ConnectedAppInfo {
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub owner_org_id: Option<String>,
}

/// The app's granted scopes. MuleSoft's clients disagree on the key (`data` or `scopes`); accept both.
#[derive(Debug, Deserialize)]
pub struct ScopeGrantList {
    #[serde(alias = "scopes")]
    pub data: Vec<ScopeGrant>,
    /// Every grant, over all pages.
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScopeGrant {
    pub scope: String,
    #[serde(default)]
    pub context_params: ContextParams,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContextParams {
    pub org: Option<String>,
    #[serde(rename = "envId")]
    pub env_id: Option<String>,
    /// Any other key (`applicationId`, `clientId` of per-application
    /// scopes): kept, so a list written back whole (`fix --format
    /// terraform`) loses none.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

/// GET /apimanager/api/v1/.../apis: assets, each with its API instances.
#[derive(Debug, Deserialize)]
pub struct ApiAssetList {
    pub assets: Vec<ApiAsset>,
    #[serde(default)]
    pub total: Option<u64>,
}

impl ApiAssetList {
    /// The first API instance listed, if any.
    pub fn first_instance(&self) -> Option<&ApiInstance> {
        self.assets.iter().flat_map(|a| &a.apis).next()
    }
}

#[derive(Debug, Deserialize)]
pub struct ApiAsset {
    #[serde(default)]
    pub apis: Vec<ApiInstance>,
}

/// An API instance in API Manager: what a contract must match.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInstance {
    pub id: u64,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub asset_id: Option<String>,
    #[serde(default)]
    pub asset_version: Option<String>,
    #[serde(default)]
    pub product_version: Option<String>,
    #[serde(default)]
    pub instance_label: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub environment_id: Option<String>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub active_contracts_count: Option<u64>,
}

/// GET /apiplatform/repository/v2/.../applications.
#[derive(Debug, Deserialize)]
pub struct ApplicationList {
    pub applications: Vec<ClientApplication>,
    pub total: Option<u64>,
}

/// A client application, as listed or as created (Exchange v2 answers the same fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientApplication {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// Who created it (`owners[]` on the legacy list, §4.8): a Connected
    /// App is `{"entityType": "client", "id": <its client id>}`.
    #[serde(default)]
    pub owners: Vec<Owner>,
}

impl ClientApplication {
    /// Created by the Connected App with this client id (and, as far as the
    /// list tells, by no one else).
    pub fn owned_only_by(&self, client_id: &str) -> bool {
        !self.owners.is_empty()
            && self.owners.iter().all(|o| {
                o.entity_type.as_deref() == Some("client") && o.id.as_deref() == Some(client_id)
            })
    }
}

/// An owner of a listed client application.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    #[serde(default)]
    pub entity_type: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

/// GET /apimanager/api/v1/.../apis/{apiId}/contracts.
#[derive(Debug, Deserialize)]
pub struct ContractList {
    pub contracts: Vec<ApiContract>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiContract {
    pub id: u64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub application_id: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
        let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn reference_fixtures_parse() {
        let me: Me = fixture("accounts-me-connected-app.json");
        assert_eq!(
            me.client.unwrap().org_id,
            "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f"
        );
        let me: Me = fixture("accounts-me-user.json");
        assert_eq!(
            me.user.unwrap().organization.unwrap().id,
            "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f"
        );
        let org: Organization = fixture("accounts-organization.json");
        assert!(org.is_root);
        let tree: Hierarchy = fixture("accounts-hierarchy.json");
        assert_eq!(tree.sub_organizations[0].name, "Payments BG");
        let envs: EnvironmentList = fixture("accounts-environments-list.json");
        assert_eq!(envs.data.len(), 3);
        let design: Vec<&str> = envs
            .data
            .iter()
            .filter(|e| e.is_design())
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(design, ["Design"], "the fixture's type field is read");
        let grants: ScopeGrantList = fixture("connected-app-scopes-list.json");
        assert_eq!(
            grants.data[4].context_params.env_id.as_deref(),
            Some("c0ffee00-1111-4222-8333-444455556666")
        );
        let apis: ApiAssetList = fixture("apimanager-apis-list.json");
        assert_eq!(apis.assets[0].apis[0].active_contracts_count, Some(1));
        let token: TokenResponse = fixture("token-success.json");
        assert_eq!(token.expires_in, Some(3600));
    }
}

/// How an identity answer that cannot be read is explained (moved from the
/// `check` tests, which sent each through a mock platform: the reason is
/// `Reply::json`'s alone; the HTML case stays there, end to end).
#[cfg(test)]
mod me_cases {
    use super::Me;
    use crate::platform::answer::Reply;

    #[test]
    fn an_unreadable_identity_answer_gets_a_one_line_reason() {
        let cases: [(&str, &str, &[&str]); 4] = [
            (
                "text/html",
                "<html><body><h1>Corporate proxy login</h1></body></html>",
                &["HTTP 200", "HTML page", "Corporate proxy login"],
            ),
            (
                "application/json",
                r#"{"client": {"client_id": "client-id", "org_"#,
                &["HTTP 200", "truncated JSON", "client_id"],
            ),
            (
                "application/json",
                r#"{"client": {"client_id": 42, "org_id": true}}"#,
                &["HTTP 200", "unexpected shape"],
            ),
            ("application/json", "", &["HTTP 200", "empty body"]),
        ];
        for (content_type, body, wanted) in cases {
            let reply = Reply::new(200, Some(content_type.into()), body.as_bytes().to_vec());
            let reason = reply.json::<Me>().expect_err(body).to_string();
            assert!(!reason.contains('\n'), "{body}: {reason:?}");
            for word in wanted {
                assert!(
                    reason.contains(word),
                    "{body}: {word:?} missing from {reason:?}"
                );
            }
        }
    }
}
