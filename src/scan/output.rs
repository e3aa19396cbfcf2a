//! A scan's result as text (one block per finding, grep-style locations),
//! JSON, or SARIF 2.1.0 for code-scanning tools. Pure functions of the
//! result; a secret's value never reaches them (the matcher masks it).

use std::path::Path;

use serde_json::{Value, json};

use super::rules::{Rules, Severity};
use super::{Finding, ScanResult};
use crate::text::{line, wrap_hanging};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// One block per finding; a file's name and line are shown safe for a
/// terminal (`text::line`): neither can forge a finding or send a sequence.
/// The location line stays whole for editors and grep-style tools, and the
/// found text as the file has it; the fix and the rest wrap to `width`.
pub fn table(result: &ScanResult, width: usize) -> String {
    let mut text = String::new();
    for f in &result.findings {
        text.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n  found: {}\n",
            line(&f.path.display().to_string()),
            f.line,
            f.column,
            f.rule.severity.name(),
            f.rule.id,
            f.rule.title,
            line(&f.text),
        ));
        text.push_str(&wrap_hanging(&format!("  fix:   {}", f.rule.fix), width));
        text.push('\n');
    }
    text.push_str(&wrap_hanging(&summary_line(result), width));
    if !result.findings.is_empty() {
        text.push_str(&wrap_hanging(
            "See `anypoint-doctor explain RULE` for why each rule matters.",
            width,
        ));
    }
    text
}

/// `3 findings (1 error, 2 info) in 120 files (4.1 MB); skipped 2 binary, 1 unreadable`.
pub fn summary_line(result: &ScanResult) -> String {
    let counts: Vec<String> = [Severity::Error, Severity::Warning, Severity::Info]
        .iter()
        .map(|s| (s, count(result, *s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.name()))
        .collect();
    let findings = match result.findings.len() {
        0 => "no findings".to_string(),
        1 => format!("1 finding ({})", counts.join(", ")),
        n => format!("{n} findings ({})", counts.join(", ")),
    };
    let files = match result.files_scanned {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let mut line = format!(
        "{findings} in {files} ({:.1} MB)",
        result.bytes_scanned as f64 / 1e6
    );
    let skipped: Vec<String> = [
        (result.skipped_binary, "binary"),
        (result.skipped_too_large, "too large"),
        (result.unreadable.len() as u64, "unreadable"),
        (
            result.skipped_own_requests,
            "in anypoint-doctor's own requests (its --har record)",
        ),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !skipped.is_empty() {
        line.push_str(&format!("; skipped {}", skipped.join(", ")));
    }
    line
}

fn count(result: &ScanResult, severity: Severity) -> usize {
    result
        .findings
        .iter()
        .filter(|f| f.rule.severity == severity)
        .count()
}

pub fn json(result: &ScanResult) -> Value {
    json!({
        "findings": result.findings.iter().map(|f| json!({
            "path": f.path.display().to_string(),
            "line": f.line,
            "column": f.column,
            "rule": f.rule.id,
            "severity": f.rule.severity,
            "title": f.rule.title,
            "text": f.text,
            "fix": f.rule.fix,
        })).collect::<Vec<_>>(),
        "unreadable": result.unreadable.iter().map(|u| json!({
            "path": u.path.display().to_string(),
            "reason": u.reason,
        })).collect::<Vec<_>>(),
        "summary": {
            "files_scanned": result.files_scanned,
            "bytes_scanned": result.bytes_scanned,
            "skipped_binary": result.skipped_binary,
            "skipped_too_large": result.skipped_too_large,
            "skipped_own_requests": result.skipped_own_requests,
            "unreadable": result.unreadable.len(),
            "error": count(result, Severity::Error),
            "warning": count(result, Severity::Warning),
            "info": count(result, Severity::Info),
        },
    })
}

/// SARIF 2.1.0: every rule in `tool.driver.rules`, results located by a URI
/// relative to the scan root it was found under (`ROOTn` in `originalUriBaseIds`).
pub fn sarif(result: &ScanResult) -> Value {
    let rules = &Rules::get().rules;
    let base_ids: serde_json::Map<String, Value> = result
        .roots
        .iter()
        .enumerate()
        .map(|(index, root)| (format!("ROOT{index}"), json!({ "uri": base_uri(root) })))
        .collect();
    let mut sarif = json!({
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [{
            "tool": { "driver": {
                "name": "anypoint-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| json!({
                    "id": r.id,
                    "name": rule_name(&r.id),
                    "shortDescription": { "text": r.title },
                    "fullDescription": { "text": r.why },
                    "help": { "text": r.fix },
                    "defaultConfiguration": { "level": level(r.severity) },
                })).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": base_ids,
            "columnKind": "unicodeCodePoints",
            "results": result.findings.iter().map(|f| sarif_result(f, rules.iter().position(|r| r.id == f.rule.id))).collect::<Vec<_>>(),
        }],
    });
    // Where to learn about the tool: the package's public address, and only
    // that. Until it has one (Cargo.toml `homepage`), there is none to give.
    if let Some(home) = HOMEPAGE {
        sarif["runs"][0]["tool"]["driver"]["informationUri"] = json!(home);
    }
    sarif
}

/// The package's `homepage`, if Cargo.toml names one.
pub const HOMEPAGE: Option<&str> = match env!("CARGO_PKG_HOMEPAGE").as_bytes() {
    [] => None,
    _ => Some(env!("CARGO_PKG_HOMEPAGE")),
};

/// A rule's SARIF `name`: an identifier a person reads, in Pascal case as
/// SARIF 2.1.0 (3.49.7) suggests, from its id: `scan.exchange-v1-apis`
/// is `ExchangeV1Apis`. Code-scanning tools show it beside the id.
fn rule_name(id: &str) -> String {
    id.trim_start_matches("scan.")
        .split(['-', '.', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn sarif_result(f: &Finding, rule_index: Option<usize>) -> Value {
    json!({
        "ruleId": f.rule.id,
        "ruleIndex": rule_index,
        "level": level(f.rule.severity),
        "message": { "text": format!("{}: {}. Fix: {}", f.rule.title, f.text, f.rule.fix) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {
                    "uri": relative_uri(&f.relative),
                    "uriBaseId": format!("ROOT{}", f.root),
                },
                "region": { "startLine": f.line, "startColumn": f.column },
            },
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The folder a root's relative URIs start from, as an absolute `file:` URI
/// ending in `/` (a file root's folder).
fn base_uri(root: &Path) -> String {
    let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let folder = if absolute.is_dir() {
        absolute
    } else {
        absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
    };
    url::Url::from_directory_path(&folder)
        .map(String::from)
        .unwrap_or_else(|()| format!("file://{}/", folder.display()))
}

/// A relative path as a URI reference: `/`-separated, unreserved characters
/// kept, everything else percent-encoded.
fn relative_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::with_capacity(text.len());
    for byte in text.trim_start_matches("./").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_uris_are_encoded_and_never_absolute() {
        assert_eq!(relative_uri(Path::new("./ci/deploy.sh")), "ci/deploy.sh");
        assert_eq!(
            relative_uri(Path::new("my dir/a#b.sh")),
            "my%20dir/a%23b.sh"
        );
    }
}
