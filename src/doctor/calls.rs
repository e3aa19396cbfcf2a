//! `check --for-files`: the Anypoint calls in a user's scripts, pipelines
//! and collections, found by the scanner with one path rule per call of the
//! capabilities, and the capabilities they need.

use std::path::PathBuf;
use std::sync::LazyLock;

use super::catalogue::Catalogue;
use crate::scan::rules::{Rule, Rules};
use crate::scan::{ScanOptions, scan_with};

/// One rule per call of each capability; a rule's id is its capability's id.
static CALL_RULES: LazyLock<Rules> = LazyLock::new(|| Rules {
    rules: Catalogue::get()
        .capabilities
        .iter()
        .flat_map(|capability| {
            capability.calls.iter().filter_map(|call| {
                Rule::request(capability.id.clone(), call, capability.title.clone())
            })
        })
        .collect(),
});

/// A call found in a file, and the capability it needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallFound {
    pub capability: String,
    /// `METHOD /path/{template}`, as the capability lists it.
    pub call: String,
    /// `path:line`.
    pub at: String,
}

/// The calls in the files under `roots` that need a capability, in file
/// order; files that could not be read are named in `unreadable`.
pub struct FoundCalls {
    pub calls: Vec<CallFound>,
    pub unreadable: Vec<String>,
}

impl FoundCalls {
    /// The capabilities the calls need, each once, in the catalogue's order.
    pub fn capabilities(&self) -> Vec<String> {
        Catalogue::get()
            .capabilities
            .iter()
            .filter(|c| self.calls.iter().any(|f| f.capability == c.id))
            .map(|c| c.id.clone())
            .collect()
    }
}

pub fn find(roots: Vec<PathBuf>) -> FoundCalls {
    let result = scan_with(
        &ScanOptions {
            roots,
            max_file_size: 10 << 20,
            follow: false,
            no_ignore: false,
        },
        &CALL_RULES,
    );
    FoundCalls {
        calls: result
            .findings
            .iter()
            .map(|f| CallFound {
                capability: f.rule.id.clone(),
                call: f.rule.title.clone(),
                at: format!("{}:{}", f.path.display(), f.line),
            })
            .collect(),
        unreadable: result
            .unreadable
            .iter()
            .map(|u| format!("{}: {}", u.path.display(), u.reason))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_of_every_capability_becomes_a_rule() {
        let calls: usize = Catalogue::get()
            .capabilities
            .iter()
            .map(|c| c.calls.len())
            .sum();
        assert_eq!(
            CALL_RULES.rules.len(),
            calls,
            "a call with an unknown method"
        );
    }

    #[test]
    fn calls_in_a_script_map_to_capabilities() {
        let dir =
            std::env::temp_dir().join(format!("anypoint-doctor-calls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("deploy.sh"),
            "#!/bin/sh\n\
             curl -s \"$HOST/apimanager/api/v1/organizations/$ORG/environments/$ENV/apis\"\n\
             curl -s -X POST \"$HOST/apimanager/api/v1/organizations/$ORG/environments/$ENV/apis/$API/contracts\" -d '{}'\n",
        )
        .unwrap();
        let found = find(vec![dir.clone()]);
        assert_eq!(
            found.capabilities(),
            ["list-api-instances", "create-contract"]
        );
        assert!(
            found.calls[0].at.ends_with("deploy.sh:2"),
            "{:?}",
            found.calls
        );
        std::fs::write(dir.join("deploy.sh"), "echo nothing to see\n").unwrap();
        assert!(find(vec![dir.clone()]).calls.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
