//! `fix`'s plan as text: the reviewed diff, the PATCH as curl, a Terraform
//! configuration for MuleSoft's provider, and JSON. None holds a secret: curl
//! and Terraform name where the admin's credentials come from, never them.

use serde::Serialize;

use super::{FixPlan, Origin, Pair};
use crate::fix::FixFormat;
use crate::platform::paths;
use crate::text::line;
use crate::text::shell_word;

/// The plan in `format`, ending with a newline.
pub fn render(plan: &FixPlan, format: FixFormat) -> String {
    match format {
        FixFormat::Diff => diff(plan),
        FixFormat::Curl => curl(plan),
        FixFormat::Terraform => terraform(plan),
        FixFormat::Json => json(plan),
    }
}

/// `Connected App "name" (client id ****abcd)`.
pub(crate) fn app_phrase(plan: &FixPlan) -> String {
    let name = plan
        .app
        .name
        .as_deref()
        .map_or("Connected App".to_string(), |n| {
            format!("Connected App \"{}\"", line(n))
        });
    match &plan.app.client_id_masked {
        Some(id) => format!("{name} (client id {id})"),
        None => name,
    }
}

/// The traffic files a plan was made for, each made safe for one line.
fn files_phrase(files: &[String]) -> String {
    files
        .iter()
        .map(|f| line(f).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn org_phrase(plan: &FixPlan) -> String {
    match (&plan.org_name, &plan.org_id) {
        (Some(name), Some(id)) => format!("{} ({})", line(name), line(id)),
        (None, Some(id)) => line(id).into_owned(),
        _ => "(unknown)".into(),
    }
}

/// `manage:apis  org=Example Corp env=Production`: names where the run
/// learned them, else ids.
pub(crate) fn pair_line(pair: &Pair) -> String {
    let mut text = line(&pair.scope).into_owned();
    let mut sep = "  ";
    if let Some(org) = pair.org_name.as_ref().or(pair.org_id.as_ref()) {
        text.push_str(&format!("{sep}org={}", line(org)));
        sep = " ";
    }
    if let Some(env) = pair.env_name.as_ref().or(pair.env_id.as_ref()) {
        text.push_str(&format!("{sep}env={}", line(env)));
    }
    text
}

fn diff(plan: &FixPlan) -> String {
    let mut out = String::new();
    out.push_str(&format!("Plan for {}\n", app_phrase(plan)));
    out.push_str(&format!("  organization:  {}\n", org_phrase(plan)));
    out.push_str(&format!("  control plane: {}\n", line(&plan.host)));
    if let Origin::TrafficLacks(files) = &plan.origin {
        out.push_str(&format!(
            "  traffic:       {}: only what it needs that the app lacks\n",
            files_phrase(files)
        ));
    }
    out.push_str(&if plan.granted_read {
        format!(
            "  granted:       {} scope(s), read with the org admin's token; kept, and left out below\n",
            plan.granted.len()
        )
    } else {
        "  granted:       not read (no org admin's token): the pairs come from what the app was refused\n".to_string()
    });
    out.push('\n');
    for pair in &plan.add {
        out.push_str(&format!("+ {}\n", pair_line(pair)));
        // On a line of its own: the pair stays whole, and a narrow terminal wraps only the note.
        if pair.may_be_granted {
            out.push_str(
                "    may already be granted: not proven missing; adding it changes nothing if so\n",
            );
        }
    }
    for withheld in &plan.withheld {
        out.push_str(&format!(
            "  (left out) {}: {}\n",
            pair_line(&withheld.pair),
            withheld.why
        ));
    }
    if !plan.unsettled.is_empty() {
        out.push_str(&format!(
            "\nNot settled by the checks ({}); the plan may lack what they would name:\n",
            plan.unsettled.len()
        ));
        for u in &plan.unsettled {
            let target = u
                .target
                .as_deref()
                .map_or(String::new(), |t| format!(" ({})", line(t)));
            out.push_str(&format!(
                "  {} {}{target}: {}\n",
                u.status.word(),
                u.check,
                line(&u.summary)
            ));
        }
        if !plan.granted_read {
            out.push_str("  An org admin's token in ANYPOINT_ADMIN_BEARER settles them: it reads the app's granted scopes.\n");
        }
    }
    out.push('\n');
    out.push_str(&match plan.add.len() {
        0 => format!("{}\n", nothing_to_add(plan)),
        n => format!("{n} scope(s) to add.\n"),
    });
    out
}

/// The plan adds nothing: because nothing is missing, or because the
/// checks that would tell could not run.
fn nothing_to_add(plan: &FixPlan) -> &'static str {
    if plan.incomplete() {
        "No scope to add was found, but checks the plan rests on could not run: the plan is incomplete."
    } else {
        "Nothing to add."
    }
}

/// The body the PATCH takes: `{"scopes":[{"scope","context_params"}]}`.
#[derive(Serialize)]
struct PatchBody {
    scopes: Vec<PatchScope>,
}

#[derive(Serialize)]
struct PatchScope {
    scope: String,
    context_params: serde_json::Map<String, serde_json::Value>,
}

pub(crate) fn patch_body(pairs: &[Pair]) -> String {
    let body = PatchBody {
        scopes: pairs
            .iter()
            .map(|p| PatchScope {
                scope: p.scope.clone(),
                context_params: p
                    .context_params()
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect(),
            })
            .collect(),
    };
    let json = serde_json::to_string(&body).expect("a body of strings serializes");
    // The same JSON with what a terminal acts on (C1 controls, bidi and
    // invisible format characters from a server-supplied id) as `\uXXXX`
    // escapes, so the printed curl shows no raw one: they can only be in
    // strings, and all are in the Basic Multilingual Plane.
    json.chars()
        .map(|c| {
            if crate::text::is_shown_as_code(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `# …` lines: the text made safe for one line each.
fn comments(lines: &[String]) -> String {
    lines.iter().map(|l| format!("# {}\n", line(l))).collect()
}

fn curl(plan: &FixPlan) -> String {
    let mut head = vec![match &plan.origin {
        Origin::Verdicts => format!(
            "anypoint-doctor fix: grants {} the scopes it lacks, in {}, on {}.",
            app_phrase(plan),
            org_phrase(plan),
            plan.host
        ),
        Origin::Traffic => format!(
            "anypoint-doctor needs: grants {} the scopes its traffic needs (least privilege), in {}, on {}.",
            app_phrase(plan),
            org_phrase(plan),
            plan.host
        ),
        Origin::TrafficLacks(files) => format!(
            "anypoint-doctor fix --for-har: grants {} the scopes the traffic in {} needs and it lacks, in {}, on {}.",
            app_phrase(plan),
            files_phrase(files),
            org_phrase(plan),
            plan.host
        ),
    }];
    let Some(client_id) = plan
        .app
        .client_id
        .as_deref()
        .filter(|_| !plan.add.is_empty())
    else {
        head.push(match plan.add.is_empty() {
            true => format!("{} No request to send.", nothing_to_add(plan)),
            false => "No client id is known for the app: no request can be written.".into(),
        });
        return comments(&head);
    };
    head.push(
        "PATCH adds these to the app's scopes (it keeps the others). It needs an org admin's token of the app's root organization in ANYPOINT_ADMIN_BEARER."
            .into(),
    );
    for pair in &plan.add {
        let maybe = if pair.may_be_granted {
            "  (may already be granted: not proven missing)"
        } else {
            ""
        };
        head.push(format!("+ {}{maybe}", pair_line(pair)));
    }
    let url = format!("{}{}", plan.host, paths::connected_app_scopes(client_id));
    format!(
        "{}curl -sS --fail-with-body -X PATCH {} \\\n  -H \"Authorization: Bearer $ANYPOINT_ADMIN_BEARER\" \\\n  -H 'Content-Type: application/json' \\\n  --data {}\n",
        comments(&head),
        shell_word(&url),
        shell_word(&patch_body(&plan.add))
    )
}

/// A value as an HCL string: quoted, with template sequences escaped.
fn hcl_string(value: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if crate::text::is_shown_as_code(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object key: bare when it is an HCL identifier, else quoted.
fn hcl_key(key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        key.to_string()
    } else {
        hcl_string(key)
    }
}

/// One element of `scopes`, as `terraform fmt` lays it out.
fn hcl_scope(pair: &Pair) -> String {
    let maybe = if pair.may_be_granted {
        "    # Not proven missing: it may already be granted (listed once either way).\n"
    } else {
        ""
    };
    format!("{maybe}{}", hcl_element(pair))
}

fn hcl_element(pair: &Pair) -> String {
    let params = pair.context_params();
    if params.is_empty() {
        // No context: the provider reads it back as null, so none is written.
        return format!(
            "    {{\n      scope = {}\n    }},\n",
            hcl_string(&pair.scope)
        );
    }
    let params: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{} = {}", hcl_key(k), hcl_string(v)))
        .collect();
    format!(
        "    {{\n      scope          = {}\n      context_params = {{ {} }}\n    }},\n",
        hcl_string(&pair.scope),
        params.join(", ")
    )
}

fn terraform(plan: &FixPlan) -> String {
    let mut head = vec![match &plan.origin {
        Origin::Verdicts => format!(
            "anypoint-doctor fix: the scopes {} should hold, in {}.",
            app_phrase(plan),
            org_phrase(plan)
        ),
        Origin::Traffic => format!(
            "anypoint-doctor needs: the least privilege {} needs for its traffic, in {}.",
            app_phrase(plan),
            org_phrase(plan)
        ),
        Origin::TrafficLacks(files) => format!(
            "anypoint-doctor fix --for-har: the scopes {} should hold for the traffic in {}, in {}.",
            app_phrase(plan),
            files_phrase(files),
            org_phrase(plan)
        ),
    }];
    if plan.add.is_empty() {
        head.push(format!("{} No change to write.", nothing_to_add(plan)));
        return comments(&head);
    }
    let Some(client_id) = plan.app.client_id.as_deref() else {
        head.push("No client id is known for the app: no resource can be written.".into());
        return comments(&head);
    };
    head.push(
        "anypoint_connected_app_scopes is authoritative: applied, the app holds exactly this list."
            .into(),
    );
    if plan.origin == Origin::Traffic {
        head.push(format!(
            "It lists the {} scope(s) the traffic needs and nothing else: applied, every other scope the app holds is removed, including any the traffic did not show being used.",
            plan.add.len()
        ));
    } else if plan.granted_read {
        head.push(format!(
            "It lists the {} granted scope(s), read with an org admin's token, and the {} to add.",
            plan.granted.len(),
            plan.add.len()
        ));
    } else {
        head.push(format!(
            "ONLY THE {} MISSING SCOPE(S): the app's granted scopes were not read (no org admin's token).",
            plan.add.len()
        ));
        head.push("Merge this list with what the app holds before applying, or every other scope is removed; run fix with ANYPOINT_ADMIN_BEARER for the whole list.".into());
    }
    head.push(
        "The provider deprecates this resource for the inline scopes of anypoint_connected_app; the list is the same."
            .into(),
    );
    let scopes: String = plan.whole_list().into_iter().map(hcl_scope).collect();
    format!(
        "{}
{TERRAFORM_BLOCK}
{VARIABLES}
provider \"anypoint\" {{
  alias         = \"admin\"
  auth_type     = \"user\"
  client_id     = var.anypoint_admin_client_id
  client_secret = var.anypoint_admin_client_secret
  username      = var.anypoint_admin_username
  password      = var.anypoint_admin_password
  base_url      = {}
}}

resource \"anypoint_connected_app_scopes\" \"app\" {{
  provider         = anypoint.admin
  connected_app_id = {}

  scopes = [
{scopes}  ]
}}
",
        comments(&head),
        hcl_string(&plan.host),
        hcl_string(client_id),
    )
}

/// The provider the resource belongs to, so that the file applies on its own
/// (without it Terraform looks for `hashicorp/anypoint`, which does not exist).
///
/// The source is MuleSoft's provider: `anypoint_connected_app_scopes` is in
/// `mulesoft/terraform-provider-anypoint` (`internal/resource/accessmanagement/
/// connectedappscopes.go`), whose README and examples declare it as
/// `mulesoft/anypoint`. The community provider `mulesoft-anypoint/anypoint` has
/// no such resource.
///
/// The version: the resource checks every name against the provider's own list
/// (`validateScopes` -> `constants.IsValidScope`, `internal/constants/scopes.go`).
/// Up to tag v0.0.8 (commit cbdb633) that list lacks `profile`, `full`,
/// `offline_access`, `manage:org_client_applications`,
/// `read:org_client_applications` and `manage:api_contracts_all_envs`, names
/// `fix` writes. A later `scopes.go` lists all of them (and every other name in
/// scopes/scopes.toml), alongside examples that pin `~> 1.0.0`; which release
/// first shipped it could not be established from the stored history, so this
/// asks for the 1.x line, the first one not shown to reject them (inferred).
/// Against an older release the check runs in Create and Update, so
/// `terraform plan` passes and `apply` stops with "Invalid Scope Name" before
/// any request reaches the platform.
const TERRAFORM_BLOCK: &str = "\
# Provider 1.x: releases up to 0.0.8 reject the scope names profile, full, offline_access,
# manage:org_client_applications, read:org_client_applications and manage:api_contracts_all_envs.
terraform {
  required_providers {
    anypoint = {
      source  = \"mulesoft/anypoint\"
      version = \">= 1.0.0\"
    }
  }
}
";

/// Every `var.` the provider block reads, declared: Terraform refuses a
/// reference to an undeclared variable. No defaults, so Terraform asks for
/// each value (or reads `TF_VAR_<name>`); the provider marks `username`,
/// `password` and `client_secret` sensitive, and so does this.
const VARIABLES: &str = "\
variable \"anypoint_admin_client_id\" {
  description = \"Client id of a connected app that acts on behalf of a user (password grant).\"
  type        = string
}

variable \"anypoint_admin_client_secret\" {
  description = \"Client secret of that connected app.\"
  type        = string
  sensitive   = true
}

variable \"anypoint_admin_username\" {
  description = \"Username of an org admin who may change the app's scopes.\"
  type        = string
  sensitive   = true
}

variable \"anypoint_admin_password\" {
  description = \"Password of that org admin.\"
  type        = string
  sensitive   = true
}
";

/// The JSON document: a version, then the plan.
#[derive(Serialize)]
struct JsonPlan<'a> {
    schema_version: u32,
    #[serde(flatten)]
    plan: &'a FixPlan,
}

fn json(plan: &FixPlan) -> String {
    let document = JsonPlan {
        schema_version: 1,
        plan,
    };
    serde_json::to_string_pretty(&document).expect("the plan serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_terminal_acts_on_is_escaped_in_hcl_and_in_the_patch_body() {
        let hostile = "env\u{9b}31m\u{202e}gnp\u{feff}";
        assert_eq!(hcl_string(hostile), r#""env\u009B31m\u202Egnp\uFEFF""#);
        let pair = Pair {
            scope: "manage:api_contracts".into(),
            name: "Manage Contracts".into(),
            org_id: Some("org".into()),
            org_name: None,
            env_id: Some(hostile.into()),
            env_name: None,
            other_params: Vec::new(),
            may_be_granted: false,
        };
        let body = patch_body(std::slice::from_ref(&pair));
        assert!(!body.chars().any(crate::text::is_shown_as_code), "{body:?}");
        // The same JSON: the platform reads the same id.
        let read: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(read["scopes"][0]["context_params"]["envId"], hostile);
    }

    #[test]
    fn hcl_strings_escape_quotes_and_templates() {
        assert_eq!(hcl_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(hcl_string("${x} %{y} $z"), r#""$${x} %%{y} $z""#);
        assert_eq!(hcl_key("envId"), "envId");
        assert_eq!(hcl_key("a.b"), "\"a.b\"");
    }
}
