//! The book's structure, checked without mdBook: `docs/book.toml` reads,
//! `SUMMARY.md` names every page and only pages that exist, every relative
//! link of the README and the book reaches a file of the repository (and a
//! heading there, when it names one), and no page cites what a reader of the
//! repository cannot open.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::reference::anchor;
use super::{documents, root, shown};

/// The link targets of a Markdown text.
fn links(text: &str) -> Vec<String> {
    Parser::new(text)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown text's headings, as mdBook and GitHub make them.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                heading = Some(String::new());
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                anchors.extend(heading.take().map(|h| anchor(&h)));
            }
            _ => {}
        }
    }
    anchors
}

/// `path` with `.` and `..` resolved, without touching the file system.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn the_book_has_every_page_in_its_summary_and_every_link_lands() {
    let book = std::fs::read_to_string(root().join("docs/book.toml")).expect("docs/book.toml");
    let book: toml::Value = toml::from_str(&book).expect("docs/book.toml is TOML");
    assert!(book["book"]["title"].is_str(), "the book has a title");

    let src = root().join("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).expect("SUMMARY.md");
    let listed: BTreeSet<PathBuf> = links(&summary)
        .iter()
        .map(|l| normal(&src.join(l)))
        .collect();
    let pages: BTreeSet<PathBuf> = documents()
        .into_iter()
        .filter(|p| p.starts_with(&src) && !p.ends_with("SUMMARY.md"))
        .collect();
    let unlisted: Vec<String> = pages.difference(&listed).map(|p| shown(p)).collect();
    let missing: Vec<String> = listed.difference(&pages).map(|p| shown(p)).collect();
    assert!(
        unlisted.is_empty(),
        "pages SUMMARY.md does not list: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "SUMMARY.md lists pages that do not exist: {missing:?}"
    );

    let mut problems = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for cited in ["../shared", "reference §", "anypoint-api.md"] {
            if text.contains(cited) {
                problems.push(format!(
                    "{} cites `{cited}`, which is not in the repository",
                    shown(&doc)
                ));
            }
        }
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, heading) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                normal(&doc.parent().unwrap().join(file))
            };
            if !target.starts_with(root()) || !target.exists() {
                problems.push(format!("{}: `{link}` leads nowhere", shown(&doc)));
                continue;
            }
            if !heading.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let headings = anchors(&std::fs::read_to_string(&target).unwrap());
                if !headings.contains(heading) {
                    problems.push(format!(
                        "{}: `{link}`: {} has no such heading",
                        shown(&doc),
                        shown(&target)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
