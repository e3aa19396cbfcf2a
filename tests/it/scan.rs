//! Black-box tests of `anypoint-doctor scan` over temporary trees: formats
//! (SARIF's shape included), exit codes, --fail-on, .gitignore, binary,
//! huge, unreadable and invalid UTF-8 files, symlink loops, and a literal
//! secret that must never be printed. Every run starts from an empty environment.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::assert_contains_all;
use crate::support::bin::{Run, command, doctor};
use crate::support::fs::assert_matches;

const SECRET: &str = "canary9F8E7D6C5B4A39281706F5E4";
const RETIRED: &str = "curl \"https://anypoint.mulesoft.com/exchange/api/v1/organizations/${ORG_ID}/environments/${ENV_ID}/apis\"\n";

/// `scan ARGS` run in `dir`, with an empty environment.
fn scan(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let args: Vec<&str> = std::iter::once("scan")
        .chain(args.iter().copied())
        .collect();
    let output = command(&args, &[] as &[(&str, &str)])
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "scan took too long"
    );
    Run::of(output)
}

/// A fresh empty folder under the target directory, removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Tree {
        // Tests run in parallel in one process: each tree gets a folder of its own.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("scan-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Tree(dir)
    }

    fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> &Tree {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for entry in std::fs::read_dir(&self.0).into_iter().flatten().flatten() {
                let _ =
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o755));
            }
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// (path, rule) of every finding in a JSON scan.
fn findings(run: &Run) -> Vec<(String, String)> {
    assert_matches("scan.schema.json", &run.stdout)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn a_project() -> Tree {
    let tree = Tree::new("project");
    tree.write("ci/deploy.sh", RETIRED)
        .write(
            "app/client.py",
            format!(
                "BASE = \"https://anypoint.mulesoft.com\"\nclient_secret = \"{SECRET}\"\nrequests.get(BASE + \"/apiplatform/repository/v2/organizations/\" + org + \"/applications\")\n"
            ),
        )
        .write("docs/readme.md", "nothing to see here\n");
    tree
}

#[test]
fn table_is_the_default_with_location_rule_text_and_fix() {
    let tree = a_project();
    let run = scan(&tree.0, &[]);
    assert_eq!(run.code, 1, "an error-level finding: {}", run.stdout);
    // Location, rule, what was found and the fix, then the count.
    insta::assert_snapshot!("table", run.stdout);
}

#[test]
fn json_lists_findings_and_a_summary() {
    let tree = a_project();
    let run = scan(&tree.0, &["--format", "json", "."]);
    assert_eq!(run.code, 1);
    let json = assert_matches("scan.schema.json", &run.stdout);
    let first = &json["findings"][0];
    for field in ["path", "rule", "severity", "title", "text", "fix"] {
        assert!(first[field].is_string(), "{field} in {first}");
    }
    assert!(first["line"].is_u64() && first["column"].is_u64());
    assert_eq!(json["summary"]["files_scanned"], 3);
    assert_eq!(json["summary"]["error"], 2);
    assert_eq!(json["summary"]["info"], 1);
}

#[test]
fn sarif_has_the_shape_code_scanning_tools_read() {
    let tree = a_project();
    let run = scan(&tree.0, &["--format", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif = run.json();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif"));
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "scan.exchange-v1-apis"));
    // Each rule's name is a name, not its id again (Microsoft's SARIF
    // Multitool warns on that), and no two rules share one.
    let names: std::collections::BTreeSet<&str> =
        rules.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names.len(), rules.len(), "{rules:#?}");
    for rule in rules {
        let name = rule["name"].as_str().unwrap_or_default();
        assert!(
            name != rule["id"]
                && name.starts_with(char::is_uppercase)
                && name.chars().all(char::is_alphanumeric),
            "{rule:#}"
        );
    }
    assert!(
        rules.iter().any(|r| r["name"] == "ExchangeV1Apis"),
        "{rules:#?}"
    );
    // The tool's information URI is the package's homepage, never a made-up one.
    let information = run0["tool"]["driver"].get("informationUri");
    assert_eq!(
        information.and_then(serde_json::Value::as_str),
        anypoint_doctor::scan::output::HOMEPAGE,
        "{:#}",
        run0["tool"]["driver"]
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in results {
        assert!(result["ruleId"].as_str().unwrap().starts_with("scan."));
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(result["message"]["text"].is_string());
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://") && !uri.starts_with("./"),
            "{uri}"
        );
        let base = location["artifactLocation"]["uriBaseId"].as_str().unwrap();
        assert!(
            run0["originalUriBaseIds"][base]["uri"]
                .as_str()
                .unwrap()
                .starts_with("file:///")
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ci/deploy.sh"
    ));
}

#[test]
fn a_literal_secret_is_never_printed_in_any_format() {
    let tree = a_project();
    for format in ["table", "json", "sarif"] {
        let run = scan(&tree.0, &["--format", format]);
        assert!(
            run.stdout.contains("scan.literal-secret"),
            "{format}: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
            "{format} printed the secret"
        );
        assert!(run.stdout.contains("****"), "{format}");
    }
}

#[test]
fn fail_on_sets_the_threshold_for_exit_1() {
    let tree = Tree::new("fail-on");
    tree.write("list.sh", "curl https://anypoint.mulesoft.com/apiplatform/repository/v2/organizations/$ORG/applications\n");
    assert_eq!(
        scan(&tree.0, &[]).code,
        0,
        "information does not fail by default"
    );
    assert_eq!(scan(&tree.0, &["--fail-on", "warning"]).code, 0);
    assert_eq!(scan(&tree.0, &["--fail-on", "info"]).code, 1);
    tree.write("retired.sh", RETIRED);
    assert_eq!(scan(&tree.0, &[]).code, 1);
    assert_eq!(scan(&tree.0, &["--fail-on", "never"]).code, 0);
    let clean = Tree::new("clean");
    clean.write("a.txt", "hello\n");
    let run = scan(&clean.0, &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("no findings in 1 file "),
        "{}",
        run.stdout
    );
}

#[test]
fn a_path_that_does_not_exist_is_a_one_line_usage_error() {
    let tree = Tree::new("missing");
    let run = scan(&tree.0, &["no-such-dir"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("no-such-dir"),
        "{}",
        lines[0]
    );
    assert_eq!(scan(&tree.0, &["--fail-on", "sometimes"]).code, 2);
}

#[test]
fn gitignore_is_respected_unless_no_ignore_and_dotfiles_are_scanned() {
    let tree = Tree::new("gitignore");
    tree.write(".gitignore", "build/\n")
        .write("build/generated.sh", RETIRED)
        .write(".gitlab-ci.yml", format!("script:\n  - {RETIRED}"));
    let run = scan(&tree.0, &["--format", "json"]);
    let paths: Vec<String> = findings(&run).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["./.gitlab-ci.yml"], "{}", run.stdout);
    let run = scan(&tree.0, &["--format", "json", "--no-ignore"]);
    assert_eq!(findings(&run).len(), 2, "{}", run.stdout);
}

#[test]
fn binary_and_huge_files_are_skipped_and_invalid_utf8_is_read() {
    let tree = Tree::new("skips");
    let mut binary = vec![0u8; 16];
    binary.extend_from_slice(RETIRED.as_bytes());
    let mut huge = RETIRED.as_bytes().to_vec();
    huge.resize(2 * 1024 * 1024, b'x');
    let mut latin1 = b"caf\xe9 \xff\xfe ".to_vec();
    latin1.extend_from_slice(RETIRED.as_bytes());
    tree.write("app.bin", binary)
        .write("huge.log", huge)
        .write("latin1.sh", latin1);
    let run = scan(&tree.0, &["--format", "json", "--max-file-size", "1M"]);
    assert_eq!(
        findings(&run),
        [(
            "./latin1.sh".to_string(),
            "scan.exchange-v1-apis".to_string()
        )]
    );
    let summary = &run.json()["summary"];
    assert_eq!(
        (
            summary["skipped_binary"].as_u64(),
            summary["skipped_too_large"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let table = scan(&tree.0, &["--max-file-size", "1M"]);
    assert!(
        table.stdout.contains("skipped 1 binary, 1 too large"),
        "{}",
        table.stdout
    );
    // Raised above the file's size, the huge file is scanned.
    let run = scan(&tree.0, &["--format", "json", "--max-file-size", "4M"]);
    assert_eq!(findings(&run).len(), 2);
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let tree = Tree::new("unreadable");
    tree.write("secret/inner.sh", RETIRED)
        .write("locked.sh", RETIRED)
        .write("open.sh", RETIRED);
    let mode = |p: &str, m: u32| {
        std::fs::set_permissions(tree.0.join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode("locked.sh", 0o000);
    mode("secret", 0o000);
    // Root reads through permissions: then nothing is unreadable.
    let root = std::fs::read(tree.0.join("locked.sh")).is_ok();
    let run = scan(&tree.0, &["--format", "json"]);
    mode("secret", 0o755);
    let found = findings(&run);
    if root {
        assert_eq!(found.len(), 3, "{}", run.stdout);
        assert_eq!(run.code, 1);
    } else {
        assert_eq!(
            found,
            [("./open.sh".to_string(), "scan.exchange-v1-apis".to_string())]
        );
        let json = assert_matches("scan.schema.json", &run.stdout);
        assert_eq!(json["summary"]["unreadable"], 2, "{}", run.stdout);
        assert_contains_all(&run.stderr, &["locked.sh", "secret"], &run.stderr);
        assert_eq!(run.code, 1, "a finding outranks an incomplete scan");
        let only_unreadable = scan(&tree.0, &["locked.sh"]);
        assert_eq!(only_unreadable.code, 3, "{}", only_unreadable.stderr);
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_with_or_without_follow() {
    let tree = Tree::new("loop");
    tree.write("a/x.sh", RETIRED);
    std::os::unix::fs::symlink("..", tree.0.join("a/up")).unwrap();
    std::os::unix::fs::symlink("self", tree.0.join("a/self")).unwrap();
    let run = scan(&tree.0, &["--format", "json"]);
    assert_eq!(findings(&run).len(), 1, "{}", run.stdout);
    let run = scan(&tree.0, &["--format", "json", "--follow"]);
    assert_eq!(findings(&run).len(), 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("loop") || run.stderr.contains("self"),
        "{}",
        run.stderr
    );
}

#[test]
fn list_and_explain_know_the_rules() {
    let explain = doctor(&["explain", "scan.literal-secret"], &[] as &[(&str, &str)]);
    assert_eq!(explain.code, 0, "{explain:#?}");
    insta::assert_snapshot!("explain-literal-secret", explain.stdout);
}
