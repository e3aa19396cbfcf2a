//! Which GraphQL operation a request runs: the name the request or its
//! document gives, else the first field it selects (`assets` for Exchange's
//! search), which is what tells one Graph API call's needs from another's.

use serde_json::Value;

/// The operation of a GraphQL request body: JSON `{operationName, query}`
/// (the first of a batch), or the document itself (`application/graphql`).
pub fn operation_of_body(body: &str) -> Option<String> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(batch)) => batch.first().and_then(operation_of_request),
        Ok(request @ Value::Object(_)) => operation_of_request(&request),
        Ok(_) => None,
        Err(_) => operation_of_document(body),
    }
}

/// A GET's query parameters (`operationName`, `query`).
pub fn operation_of_query(query: &[(String, String)]) -> Option<String> {
    let find = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    named(find("operationName")).or_else(|| find("query").and_then(operation_of_document))
}

fn operation_of_request(request: &Value) -> Option<String> {
    named(request.get("operationName").and_then(Value::as_str)).or_else(|| {
        request
            .get("query")
            .and_then(Value::as_str)
            .and_then(operation_of_document)
    })
}

fn named(name: Option<&str>) -> Option<String> {
    name.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// `query Name(…) {…}` → `Name`; `query {assets(…) {…}}` or `{ assets }` →
/// `assets` (an alias `a: assets` gives `assets`).
pub fn operation_of_document(document: &str) -> Option<String> {
    let mut words = Words::new(document);
    let mut word = words.next()?;
    if matches!(word.as_str(), "query" | "mutation" | "subscription") {
        word = words.next()?;
        if word != "(" && word != "{" {
            return Some(word);
        }
    }
    // Skip the variable definitions, then take the first field of the selection.
    let mut depth = 0;
    while word != "{" || depth > 0 {
        match word.as_str() {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        word = words.next()?;
    }
    let field = words.next()?;
    if !is_name(&field) {
        return None;
    }
    match words.next().as_deref() {
        Some(":") => words.next().filter(|w| is_name(w)),
        _ => Some(field),
    }
}

fn is_name(word: &str) -> bool {
    word.chars().all(|c| c.is_alphanumeric() || c == '_') && !word.is_empty()
}

/// A GraphQL document's names and punctuation, comments (`#` to the end
/// of the line), commas and white space left out.
struct Words<'a> {
    rest: &'a str,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words { rest: text }
    }
}

impl Iterator for Words<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            self.rest = self
                .rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            match self.rest.strip_prefix('#') {
                Some(comment) => self.rest = comment.split_once('\n').map_or("", |(_, r)| r),
                None => break,
            }
        }
        let first = self.rest.chars().next()?;
        let len = if first.is_alphanumeric() || first == '_' || first == '$' {
            self.rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(self.rest.len())
        } else {
            first.len_utf8()
        };
        let (word, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(word.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_else_the_first_field() {
        assert_eq!(
            operation_of_body(
                r#"{"operationName":"GetAssets","query":"query GetAssets { assets { id } }"}"#
            )
            .as_deref(),
            Some("GetAssets")
        );
        assert_eq!(
            operation_of_body(
                r#"{"query":"query Search($q: String) { assets(query: $q) { id } }"}"#
            )
            .as_deref(),
            Some("Search")
        );
        assert_eq!(
            operation_of_body(r#"{"query":"query ($t: [String], $o: Int) {\n  # search\n  found: assets(types: $t, offset: $o) { id }\n}","variables":{}}"#).as_deref(),
            Some("assets")
        );
        assert_eq!(
            operation_of_document("{ assets { id } }").as_deref(),
            Some("assets")
        );
        assert_eq!(
            operation_of_body(r#"[{"query":"mutation { createAsset { id } }"}]"#).as_deref(),
            Some("createAsset")
        );
        assert_eq!(operation_of_body(r#"{"variables":{}}"#), None);
        assert_eq!(
            operation_of_query(&[("query".into(), "{ assets { id } }".into())]).as_deref(),
            Some("assets")
        );
    }
}
