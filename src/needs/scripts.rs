//! The requests in scripts, pipelines and code, found by the scanner with
//! one path rule per endpoint of the catalogue: each as its template (a
//! script builds its ids at run time), where it was found by file and line.

use std::path::PathBuf;
use std::sync::LazyLock;

use super::Seen;
use super::endpoints::{Endpoints, literal_segments};
use crate::scan::rules::{Rule, Rules};
use crate::scan::{ScanOptions, scan_with};

/// One rule per endpoint; a rule's title is `METHOD /path/{template}`.
static ENDPOINT_RULES: LazyLock<Rules> = LazyLock::new(|| Rules {
    rules: Endpoints::get()
        .endpoints
        .iter()
        .filter_map(|endpoint| {
            let call = format!("{} {}", endpoint.method, endpoint.path);
            Rule::request(format!("needs.{call}"), &call, endpoint.title.clone())
        })
        .collect(),
});

/// The requests under `roots` (files or folders), in file order, and the
/// files that could not be read, with why. Where two templates match at one
/// place, the most literal one is the request (as `Endpoints::find` decides).
pub fn find(roots: Vec<PathBuf>, max_file_size: u64) -> (Vec<Seen>, Vec<String>) {
    let result = scan_with(
        &ScanOptions {
            roots,
            max_file_size,
            follow: false,
            no_ignore: false,
        },
        &ENDPOINT_RULES,
    );
    let mut seen: Vec<Seen> = Vec::new();
    for finding in &result.findings {
        let (method, path) = finding
            .rule
            .title
            .split_once(' ')
            .expect("a rule title is METHOD /path");
        let at = format!("{}:{}", finding.path.display(), finding.line);
        let request = Seen {
            method: method.into(),
            path: path.into(),
            query: Vec::new(),
            at,
            body_ids: Vec::new(),
            operation: None,
            recorded: super::Recorded::default(),
        };
        match seen
            .iter_mut()
            .find(|s| s.at == request.at && s.method == request.method)
        {
            Some(same) => {
                if literal_segments(&request.path) > literal_segments(&same.path) {
                    *same = request;
                }
            }
            None => seen.push(request),
        }
    }
    let unreadable = result
        .unreadable
        .iter()
        .map(|u| format!("{}: {}", u.path.display(), u.reason))
        .collect();
    (seen, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::catalogue::Catalogue;
    use crate::needs::analysis::analyse;

    #[test]
    fn the_requests_in_a_script_are_found_as_templates_and_analysed() {
        let dir =
            std::env::temp_dir().join(format!("anypoint-doctor-needs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("pipeline.sh"),
            "#!/bin/sh\n\
             curl -s \"$HOST/exchange/api/v2/assets/search?types=rest-api\"\n\
             curl -s -X POST \"$HOST/apimanager/api/v1/organizations/$ORG/environments/$ENV/apis/$API/contracts\" -d '{}'\n\
             curl -s \"$HOST/exchange/api/v1/organizations/$ORG/environments/$ENV/apis\"\n",
        )
        .unwrap();
        let (seen, unreadable) = find(vec![dir.clone()], 1 << 20);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(unreadable.is_empty(), "{unreadable:?}");
        let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/exchange/api/v2/assets/search",
                "/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts",
                "/exchange/api/v1/organizations/{orgId}/environments/{envId}/apis",
            ],
            "{seen:#?}"
        );
        assert!(seen[1].at.ends_with("pipeline.sh:3"), "{seen:?}");
        let analysis = analyse(&seen, Catalogue::get(), Endpoints::get());
        assert!(analysis.unknown.is_empty());
        assert!(analysis.matched[2].endpoint.retired.is_some());
        let scopes: Vec<&str> = analysis
            .least
            .grants
            .iter()
            .map(|g| g.scope.as_str())
            .collect();
        assert!(scopes.contains(&"manage:api_contracts"), "{scopes:?}");
    }
}
