//! The requests anypoint-doctor itself sent, in a HAR file (its own
//! `--har` record, or a capture that holds it): each HAR entry's request
//! carries its `user-agent` header, and the doctor's is `anypoint-doctor/…`.
//! Its probes call retired endpoints on purpose, so a scan must not report
//! them as the user's calls. Read as text, not parsed: a HAR may be
//! minified, cut, or too large to hold twice, and the scan reports by line
//! and column anyway.

use std::ops::Range;

/// The user agent the doctor sends (`platform::http` and `har` write the same).
const OWN_AGENT: &[u8] = b"\"anypoint-doctor/";

/// How far from a `"user-agent"` header name its value may be written:
/// `{"name": …, "value": …}` in either order, pretty-printed or not.
const HEADER_REACH: usize = 200;

/// The byte ranges of the HAR entries whose request the doctor sent: from
/// one `"request":` key to the next (an entry's request and its response).
/// Empty for a file that is not a HAR or holds none of the doctor's.
pub fn own_requests(text: &[u8]) -> Vec<Range<usize>> {
    if memchr::memmem::find(text, OWN_AGENT).is_none()
        || memchr::memmem::find(text, b"\"entries\"").is_none()
    {
        return Vec::new();
    }
    let starts: Vec<usize> = memchr::memmem::find_iter(text, b"\"request\"")
        .filter(|&at| {
            text[at + 9..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b':')
        })
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| start..starts.get(i + 1).copied().unwrap_or(text.len()))
        .filter(|entry| sent_by_the_doctor(&text[entry.clone()]))
        .collect()
}

/// The entry's request (the part before its `"response"`) names the
/// doctor's user agent.
fn sent_by_the_doctor(entry: &[u8]) -> bool {
    let request = match memchr::memmem::find(entry, b"\"response\"") {
        Some(end) => &entry[..end],
        None => entry,
    };
    let lower = request.to_ascii_lowercase();
    memchr::memmem::find_iter(&lower, b"\"user-agent\"").any(|at| {
        let near = at.saturating_sub(HEADER_REACH)..(at + HEADER_REACH).min(request.len());
        memchr::memmem::find(&request[near], OWN_AGENT).is_some()
    })
}

/// Whether the match at `line` and `column` (1-based; columns count
/// characters, as the matcher does) lies in one of `ranges`.
pub fn within(text: &[u8], ranges: &[Range<usize>], line: usize, column: usize) -> bool {
    let Some(line_start) = line_start(text, line) else {
        return false;
    };
    // Characters are the bytes that do not continue one (the text is UTF-8, or read as if).
    let offset = text[line_start..]
        .iter()
        .enumerate()
        .filter(|(_, b)| (**b & 0xC0) != 0x80)
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i);
    ranges.iter().any(|r| r.contains(&offset))
}

/// The byte offset where the 1-based `line` starts.
fn line_start(text: &[u8], line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    memchr::memchr_iter(b'\n', text)
        .nth(line - 2)
        .map(|at| at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = r#"{"log": {"entries": [
  {"request": {"method": "GET", "url": "https://h/exchange/api/v1/organizations/o/environments/e/apis",
    "headers": [{"name": "user-agent", "value": "anypoint-doctor/0.1.0"}]},
   "response": {"status": 404}},
  {"request": {"method": "GET", "url": "https://h/exchange/api/v1/organizations/o/environments/e/apis",
    "headers": [{"name": "User-Agent", "value": "curl/8.0"}]},
   "response": {"status": 404}}
]}}"#;

    #[test]
    fn only_the_doctors_own_entries_are_its_requests() {
        let text = OURS.as_bytes();
        let own = own_requests(text);
        assert_eq!(own.len(), 1, "{own:?}");
        assert!(within(text, &own, 2, 40), "the doctor's own call");
        assert!(!within(text, &own, 5, 40), "curl's call is the user's");
        assert!(own_requests(b"curl -A anypoint-doctor/1 https://h/x").is_empty());
    }

    #[test]
    fn columns_count_characters() {
        let text = "é\"\nx".as_bytes();
        assert!(
            within(text, &[Range { start: 2, end: 3 }], 1, 2),
            "the quote after é (two bytes) is byte 2"
        );
        assert!(!within(text, &[Range { start: 2, end: 3 }], 1, 1));
        assert!(
            within(text, &[Range { start: 4, end: 5 }], 2, 1),
            "line 2 starts after the newline"
        );
    }
}
