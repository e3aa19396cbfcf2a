//! `scan`'s engine: walk the given paths in parallel (respecting .gitignore,
//! never following a symlink loop), skip binary and oversized files, run the
//! compiled rules over each file's bytes, and gather findings and the files
//! that could not be read. Pure of output: `commands::scan` renders it.

mod anchors;
mod har;
pub mod matcher;
pub mod output;
pub mod rules;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use matcher::Matcher;
use rules::{Rule, Rules};

/// Where a file counts as binary: a NUL byte in its first 8 KiB, as git and grep decide.
const BINARY_PROBE: usize = 8 * 1024;

pub struct ScanOptions {
    pub roots: Vec<PathBuf>,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Follow symbolic links (loops are detected and reported, never walked).
    pub follow: bool,
    /// Scan files that .gitignore / .ignore exclude too.
    pub no_ignore: bool,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    /// The path as walked, e.g. `./ci/deploy.sh`.
    pub path: PathBuf,
    /// Which of the roots it was found under, and the path relative to it.
    pub root: usize,
    pub relative: PathBuf,
    pub line: usize,
    pub column: usize,
    /// What matched; secrets are masked.
    pub text: String,
}

/// A file or folder that could not be read, and why.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub roots: Vec<PathBuf>,
    pub findings: Vec<Finding>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_too_large: u64,
    /// Matches in requests anypoint-doctor itself sent (its `--har` record,
    /// told by their user agent): its own probes, not the user's calls.
    pub skipped_own_requests: u64,
    pub unreadable: Vec<Unreadable>,
    /// FIFOs, devices and sockets met in a folder: never opened (a FIFO
    /// would block the scan), not counted as unreadable.
    pub skipped_special: Vec<PathBuf>,
}

#[derive(Default)]
struct Tally {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    too_large: AtomicU64,
    own_requests: AtomicU64,
    findings: Mutex<Vec<Finding>>,
    unreadable: Mutex<Vec<Unreadable>>,
    special: Mutex<Vec<PathBuf>>,
}

/// Why `--max-file-size` (or the like) is not a size `parse_size` takes.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SizeError {
    #[error("unknown unit {0:?}: use K, M or G")]
    Unit(String),
    #[error("{0:?} is not a size such as 10M, 512K or 1048576")]
    NotASize(String),
    #[error("{0:?} is above the limit of 1G")]
    TooLarge(String),
}

/// Parses a size such as `10M`, `512K`, `1G` or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit_bytes = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(SizeError::Unit(unit.to_string())),
    };
    let size = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_bytes))
        .ok_or_else(|| SizeError::NotASize(text.to_string()))?;
    // Each file is read whole into memory, once per scanning thread.
    if size > MAX_FILE_SIZE {
        return Err(SizeError::TooLarge(text.to_string()));
    }
    Ok(size)
}

/// The largest `--max-file-size`.
const MAX_FILE_SIZE: u64 = 1 << 30;

/// Scans every root with the embedded rules. Roots must exist (the command
/// checks that first).
pub fn scan(options: &ScanOptions) -> ScanResult {
    scan_with(options, Rules::get())
}

/// Scans every root with the given rules (`check --for-files` looks for the
/// calls that need a capability).
pub fn scan_with(options: &ScanOptions, rules: &'static Rules) -> ScanResult {
    let matcher = Matcher::new(rules);
    let tally = Tally::default();
    let mut builder = WalkBuilder::new(&options.roots[0]);
    for root in &options.roots[1..] {
        builder.add(root);
    }
    builder
        // Pipelines and settings live in dotfiles (.gitlab-ci.yml, .github/, .env).
        .hidden(false)
        .require_git(false)
        .git_ignore(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .git_global(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore)
        .follow_links(options.follow)
        .filter_entry(|entry| entry.file_name() != ".git");
    builder.build_parallel().run(|| {
        let mut buf = Vec::new();
        let (tally, matcher) = (&tally, &matcher);
        Box::new(move |entry| {
            match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    scan_file(entry.path(), options, matcher, rules, tally, &mut buf);
                }
                Ok(entry)
                    if entry
                        .file_type()
                        .is_some_and(|t| !t.is_dir() && !t.is_symlink()) =>
                {
                    lock(&tally.special).push(entry.path().to_path_buf());
                }
                Ok(_) => {}
                Err(error) => record_walk_error(error, tally),
            }
            WalkState::Continue
        })
    });
    let mut findings = tally
        .findings
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    findings.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    let mut unreadable = tally
        .unreadable
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    let mut skipped_special = tally
        .special
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    skipped_special.sort();
    ScanResult {
        roots: options.roots.clone(),
        findings,
        files_scanned: tally.files.into_inner(),
        bytes_scanned: tally.bytes.into_inner(),
        skipped_binary: tally.binary.into_inner(),
        skipped_too_large: tally.too_large.into_inner(),
        skipped_own_requests: tally.own_requests.into_inner(),
        unreadable,
        skipped_special,
    }
}

fn scan_file(
    path: &Path,
    options: &ScanOptions,
    matcher: &Matcher,
    rules: &'static Rules,
    tally: &Tally,
    buf: &mut Vec<u8>,
) {
    let unreadable = |reason: String| {
        lock(&tally.unreadable).push(Unreadable {
            path: path.to_path_buf(),
            reason,
        });
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return unreadable(e.to_string()),
    };
    buf.clear();
    // Read one byte past the limit rather than trusting the size from the
    // walk: the file may be growing.
    if let Err(e) = (&mut file)
        .take(options.max_file_size.saturating_add(1))
        .read_to_end(buf)
    {
        return unreadable(e.to_string());
    }
    if buf.len() as u64 > options.max_file_size {
        tally.too_large.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some() {
        tally.binary.fetch_add(1, Ordering::Relaxed);
        return;
    }
    tally.files.fetch_add(1, Ordering::Relaxed);
    tally.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
    let mut hits = matcher.scan(buf);
    let own = har::own_requests(buf);
    if !own.is_empty() {
        let before = hits.len();
        hits.retain(|hit| !har::within(buf, &own, hit.line, hit.column));
        let skipped = (before - hits.len()) as u64;
        tally.own_requests.fetch_add(skipped, Ordering::Relaxed);
    }
    if hits.is_empty() {
        return;
    }
    let (root, relative) = relative_to_root(path, &options.roots);
    lock(&tally.findings).extend(hits.into_iter().map(|hit| Finding {
        rule: &rules.rules[hit.rule],
        path: path.to_path_buf(),
        root,
        relative: relative.clone(),
        line: hit.line,
        column: hit.column,
        text: hit.text,
    }));
}

fn record_walk_error(error: ignore::Error, tally: &Tally) {
    let (path, reason) = split_walk_error(&error);
    lock(&tally.unreadable).push(Unreadable {
        path: path.unwrap_or_default(),
        reason,
    });
}

/// The path an error from the walk is about, and the error without it.
fn split_walk_error(error: &ignore::Error) -> (Option<PathBuf>, String) {
    match error {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), split_walk_error(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            split_walk_error(err)
        }
        ignore::Error::Loop { child, ancestor } => (
            Some(child.clone()),
            format!("symbolic link loop back to {}", ancestor.display()),
        ),
        other => (None, other.to_string()),
    }
}

/// The root a walked path came from (the longest that prefixes it), and the
/// path relative to it; a root that is a file is relative to its folder.
fn relative_to_root(path: &Path, roots: &[PathBuf]) -> (usize, PathBuf) {
    roots
        .iter()
        .enumerate()
        .filter(|(_, root)| path.starts_with(root))
        .max_by_key(|(_, root)| root.as_os_str().len())
        .map(|(index, root)| {
            let relative = if path == root.as_path() {
                PathBuf::from(path.file_name().unwrap_or_default())
            } else {
                path.strip_prefix(root).unwrap_or(path).to_path_buf()
            };
            (index, relative)
        })
        .unwrap_or_else(|| (0, path.to_path_buf()))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5T").is_err());
        assert!(parse_size("2G").is_err());
    }

    #[test]
    fn a_file_root_is_relative_to_its_folder() {
        let roots = [PathBuf::from("a"), PathBuf::from("b/c.sh")];
        assert_eq!(
            relative_to_root(Path::new("a/x/y.sh"), &roots),
            (0, PathBuf::from("x/y.sh"))
        );
        assert_eq!(
            relative_to_root(Path::new("b/c.sh"), &roots),
            (1, PathBuf::from("c.sh"))
        );
    }
}
