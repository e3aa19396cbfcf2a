//! What `apps`, `apis` and `create` print: typed results with a JSON wire
//! form, each rendered here as a table or JSON, so the commands only gather.

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::platform::models::{ApiContract, ApiInstance, ClientApplication};
use crate::platform::paging::Cut;
use crate::platform::paging::{API_INSTANCES, APPLICATIONS};
use crate::text::{command_lines, line, wrap_hanging};

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
    /// Where a bound of the reading stopped the list (`platform::paging`).
    pub incomplete: Option<Cut>,
}

/// The JSON of a list a bound stopped: an object, so that it cannot be
/// taken for the whole list (which is an array).
#[derive(Serialize)]
struct Stopped<'a, T: Serialize, C: Serialize> {
    #[serde(flatten)]
    items: T,
    incomplete: &'a C,
}

#[derive(Serialize)]
struct Applications<'a> {
    applications: &'a [ListedApp],
}

impl AppList {
    /// Nothing in a table when the whole list is empty: the command says why
    /// on stderr. A table wider than `width` is printed as one record a row.
    pub fn render(&self, format: OutputFormat, width: usize) -> String {
        match (format, &self.incomplete) {
            (OutputFormat::Json, None) => json(&self.apps),
            (OutputFormat::Json, Some(cut)) => json(&Stopped {
                items: Applications {
                    applications: &self.apps,
                },
                incomplete: cut,
            }),
            (OutputFormat::Table, None) if self.apps.is_empty() => String::new(),
            (OutputFormat::Table, _) => {
                let rows = self.apps.iter().map(|app| {
                    vec![
                        app.id.to_string(),
                        line(&app.name).into_owned(),
                        line(app.client_id.as_deref().unwrap_or_default()).into_owned(),
                    ]
                });
                let count = match &self.incomplete {
                    None => format!(
                        "{} client application(s) in the root organization \"{}\".",
                        self.apps.len(),
                        line(&self.root_org)
                    ),
                    Some(cut) => format!(
                        "The list of client applications in the root organization \"{}\" is incomplete: {}.",
                        line(&self.root_org),
                        cut.describe(APPLICATIONS)
                    ),
                };
                format!(
                    "{}\n\n{}",
                    plain_table(&["ID", "NAME", "CLIENT ID"], rows, width),
                    wrap_hanging(&count, width)
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
    /// The environments whose list a bound of the reading stopped (`platform::paging`).
    pub incomplete: Vec<IncompleteList>,
}

/// One environment's list of API instances, stopped by a bound.
#[derive(Debug, Serialize)]
pub struct IncompleteList {
    pub environment: String,
    #[serde(flatten)]
    pub cut: Cut,
}

#[derive(Serialize)]
struct Apis<'a> {
    apis: &'a [ListedApi],
}

impl ApiList {
    /// A table wider than `width` is printed as one record a row.
    pub fn render(&self, format: OutputFormat, width: usize) -> String {
        let table = match format {
            OutputFormat::Json if self.incomplete.is_empty() => return json(&self.apis),
            OutputFormat::Json => {
                return json(&Stopped {
                    items: Apis { apis: &self.apis },
                    incomplete: &self.incomplete,
                });
            }
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
                format!("{}\n", plain_table(&header, rows, width))
            }
        };
        let stopped: String = self
            .incomplete
            .iter()
            .map(|list| {
                let told = format!(
                    "The list of API instances in \"{}\" is incomplete: {}.",
                    line(&list.environment),
                    list.cut.describe(API_INSTANCES)
                );
                format!("\n{}", wrap_hanging(&told, width))
            })
            .collect();
        table + &stopped
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
    /// The table's text wraps to `width`.
    pub fn render(&self, format: OutputFormat, width: usize) -> String {
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
                "Next, its contract with API instance {} in \"{}\" (`anypoint-doctor apis` lists the others):\n{}",
                next.api,
                line(&next.environment),
                command_lines(&line(&next.command), width, "  ", "    ").trim_end()
            ),
            None => {
                "Next: `anypoint-doctor apis` lists the API instances a contract can name.".into()
            }
        };
        let text = format!(
            "Created client application \"{}\" in \"{}\".\n  id            {}\n  clientId      {}\n  clientSecret  {secret}\n\n{next}\n",
            line(&app.name),
            line(&self.root_org),
            app.id,
            line(app.client_id.as_deref().unwrap_or("(not returned)")),
        );
        wrap_hanging(&text, width)
    }
}

/// `create contract`: the contract created, or the one that already existed.
/// Fields in the JSON's order; `application` and `api` are for the table.
#[derive(Serialize)]
pub struct ContractResult {
    pub contract: ApiContract,
    pub environment: String,
    /// "created", "already exists", or "exists" (after a create that got no
    /// answer, when the list before it could not be read).
    pub result: String,
    #[serde(skip)]
    pub application: String,
    #[serde(skip)]
    pub api: u64,
}

impl ContractResult {
    /// The table's line wraps to `width`.
    pub fn render(&self, format: OutputFormat, width: usize) -> String {
        match format {
            OutputFormat::Json => json(self),
            OutputFormat::Table => wrap_hanging(
                &format!(
                    "Contract {} {}: application {} ↔ API instance {} in \"{}\" (status {}).\n",
                    self.contract.id,
                    self.result,
                    line(&self.application),
                    self.api,
                    line(&self.environment),
                    line(self.contract.status.as_deref().unwrap_or("unknown"))
                ),
                width,
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

/// A table without borders or wrapping, as the listing commands print it;
/// one wider than `width` as one record a row instead (each column's name,
/// then its value), which no width cuts through.
fn plain_table(header: &[&str], rows: impl Iterator<Item = Vec<String>>, width: usize) -> String {
    let rows: Vec<Vec<String>> = rows.collect();
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for row in &rows {
        table.add_row(row);
    }
    let text = table.trim_fmt();
    if text.lines().all(|l| l.chars().count() <= width) {
        return text;
    }
    let label = header.iter().map(|h| h.chars().count()).max().unwrap_or(0);
    let records: Vec<String> = rows
        .iter()
        .map(|row| {
            header
                .iter()
                .zip(row)
                .map(|(name, value)| format!("{name:<label$}  {value}").trim_end().to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    records.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::paging::Bound;

    fn cut() -> Cut {
        Cut {
            stopped_by: Bound::Items,
            limit: 20_000,
            items_read: 20_000,
            pages_read: 100,
            bytes_read: 3 << 20,
            total: Some(1_000_000_000_000),
        }
    }

    #[test]
    fn an_api_list_a_bound_stopped_says_so_per_environment_in_each_format() {
        let api: ApiInstance = serde_json::from_str(r#"{"id": 7}"#).expect("an instance");
        let list = ApiList {
            apis: vec![ListedApi {
                api,
                environment: "Sandbox".into(),
            }],
            incomplete: vec![IncompleteList {
                environment: "Sandbox".into(),
                cut: cut(),
            }],
        };
        let table = list.render(OutputFormat::Table, 1000);
        assert!(
            table.ends_with("\nThe list of API instances in \"Sandbox\" is incomplete: anypoint-doctor stopped reading it at its bound of 20000 API instances, after 20000 API instances in 100 page(s) (3 MiB); the answers counted 1000000000000.\n"),
            "{table}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&list.render(OutputFormat::Json, 80)).expect("JSON");
        assert_eq!(json["apis"][0]["environment"], "Sandbox");
        assert_eq!(json["incomplete"][0]["environment"], "Sandbox");
        assert_eq!(json["incomplete"][0]["stoppedBy"], "items");
        let whole = ApiList {
            incomplete: Vec::new(),
            ..list
        };
        assert!(
            serde_json::from_str::<serde_json::Value>(&whole.render(OutputFormat::Json, 80))
                .expect("JSON")
                .is_array()
        );
    }
}
