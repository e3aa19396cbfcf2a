//! What `apps`, `apis` and `create` print: typed results with a JSON wire
//! form, each rendered here as a table or JSON, so the commands only gather.

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::platform::models::{ApiContract, ApiInstance, ClientApplication};
use crate::text::line;

/// How the listing and create commands print their result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
}

/// A client application as the listing and create commands show it. The
/// fields are in the order the JSON has always had them (alphabetical). No
/// `Debug`: it may hold the client secret in clear.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedApp {
    pub client_id: Option<String>,
    /// Only when asked for (`create app --show-secret`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub description: Option<String>,
    pub id: u64,
    pub name: String,
}

impl ListedApp {
    /// The application without its secret.
    pub fn of(app: &ClientApplication) -> ListedApp {
        ListedApp {
            client_id: app.client_id.clone(),
            client_secret: None,
            description: app.description.clone(),
            id: app.id,
            name: app.name.clone(),
        }
    }
}

/// `apps`: the client applications of the root organization.
pub struct AppList {
    pub root_org: String,
    pub apps: Vec<ListedApp>,
}

impl AppList {
    /// Nothing in a table when the list is empty: the command says why on stderr.
    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Json => json(&self.apps),
            OutputFormat::Table if self.apps.is_empty() => String::new(),
            OutputFormat::Table => {
                let rows = self.apps.iter().map(|app| {
                    vec![
                        app.id.to_string(),
                        line(&app.name).into_owned(),
                        line(app.client_id.as_deref().unwrap_or_default()).into_owned(),
                    ]
                });
                format!(
                    "{}\n\n{} client application(s) in the root organization \"{}\".\n",
                    plain_table(&["ID", "NAME", "CLIENT ID"], rows),
                    self.apps.len(),
                    line(&self.root_org)
                )
            }
        }
    }
}

/// An API instance with the environment that lists it. Fields in the JSON's order.
#[derive(Debug, Serialize)]
pub struct ListedApi {
    pub api: ApiInstance,
    pub environment: String,
}

/// `apis`: the API instances of the selected environments.
pub struct ApiList {
    pub apis: Vec<ListedApi>,
}

impl ApiList {
    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Json => json(&self.apis),
            OutputFormat::Table if self.apis.is_empty() => "No API instances found.\n".into(),
            OutputFormat::Table => {
                let shown = |text: Option<&str>| line(text.unwrap_or_default()).into_owned();
                let rows = self.apis.iter().map(|ListedApi { api, environment }| {
                    let asset = format!(
                        "{}:{}:{}",
                        api.group_id.as_deref().unwrap_or("?"),
                        api.asset_id.as_deref().unwrap_or("?"),
                        api.asset_version.as_deref().unwrap_or("?")
                    );
                    vec![
                        shown(Some(environment)),
                        api.id.to_string(),
                        shown(Some(&asset)),
                        shown(api.product_version.as_deref()),
                        shown(api.instance_label.as_deref()),
                        shown(api.status.as_deref()),
                        api.active_contracts_count
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                    ]
                });
                let header = [
                    "ENVIRONMENT",
                    "ID",
                    "ASSET",
                    "PRODUCT VERSION",
                    "LABEL",
                    "STATUS",
                    "CONTRACTS",
                ];
                format!("{}\n", plain_table(&header, rows))
            }
        }
    }
}

/// Where `create app` put the client secret, for the table (the JSON has it only when shown).
pub enum SecretShown {
    Printed,
    WrittenTo(String),
    NotReturned,
    Withheld,
}

/// The contract `create app` suggests next: an API instance a selected environment lists.
pub struct NextContract {
    pub environment: String,
    pub api: u64,
    pub command: String,
}

/// `create app`: the application created.
pub struct CreatedApp {
    pub app: ListedApp,
    pub root_org: String,
    pub secret: SecretShown,
    /// Looked up for the table only; `None` when no environment lists an instance.
    pub next: Option<NextContract>,
}

impl CreatedApp {
    pub fn render(&self, format: OutputFormat) -> String {
        if format == OutputFormat::Json {
            return json(&self.app);
        }
        let app = &self.app;
        let secret = match (&self.secret, &app.client_secret) {
            (SecretShown::Printed, Some(secret)) => secret.clone(),
            (SecretShown::WrittenTo(path), _) => format!("written to {path} (mode 0600)"),
            (SecretShown::NotReturned, _) => "not available: the platform did not return it here; reset it on the application's page in Exchange if you need it".into(),
            _ => "not shown here (--show-secret prints it, --secret-file PATH writes it); later, Exchange lists client secrets to an administrator (targetAdminSite=true)".into(),
        };
        let next = match &self.next {
            Some(next) => format!(
                "Next, its contract with API instance {} in \"{}\" (`anypoint-doctor apis` lists the others):\n  {}",
                next.api,
                line(&next.environment),
                line(&next.command)
            ),
            None => {
                "Next: `anypoint-doctor apis` lists the API instances a contract can name.".into()
            }
        };
        format!(
            "Created client application \"{}\" in \"{}\".\n  id            {}\n  clientId      {}\n  clientSecret  {secret}\n\n{next}\n",
            line(&app.name),
            line(&self.root_org),
            app.id,
            line(app.client_id.as_deref().unwrap_or("(not returned)")),
        )
    }
}

/// `create contract`: the contract created, or the one that already existed.
/// Fields in the JSON's order; `application` and `api` are for the table.
#[derive(Serialize)]
pub struct ContractResult {
    pub contract: ApiContract,
    pub environment: String,
    /// "created" or "already exists".
    pub result: String,
    #[serde(skip)]
    pub application: String,
    #[serde(skip)]
    pub api: u64,
}

impl ContractResult {
    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Json => json(self),
            OutputFormat::Table => format!(
                "Contract {} {}: application {} ↔ API instance {} in \"{}\" (status {}).\n",
                self.contract.id,
                self.result,
                line(&self.application),
                self.api,
                line(&self.environment),
                line(self.contract.status.as_deref().unwrap_or("unknown"))
            ),
        }
    }
}

fn json(value: &impl Serialize) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).expect("plain data")
    )
}

/// A table without borders or wrapping, as the listing commands print it.
fn plain_table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for row in rows {
        table.add_row(row);
    }
    table.trim_fmt()
}
