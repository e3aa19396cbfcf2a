//! What a saved request becomes, whichever collection tool saved it
//! (Postman, Insomnia): its URL and headers with the file's variables put
//! in, its auth, its GraphQL operation. There is no answer and no token.

use serde_json::Value;

use super::graphql;
use super::model::{Bearer, Call};
use super::template::substitute;

/// A request as a collection saves it, before its variables are put in.
pub struct Saved<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// Enabled headers only.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The request's (or what it inherits) auth sends a bearer token.
    pub bearer_auth: bool,
    pub body: Option<&'a str>,
    pub at: String,
}

/// The call a saved request makes, `lookup` giving the variables' values.
pub fn call_of(saved: Saved<'_>, lookup: &dyn Fn(&str) -> Option<String>) -> Call {
    let url = substitute(saved.url, lookup);
    let mut call = Call::new(saved.method, &url, saved.at);
    let header = |name: &str| {
        saved
            .headers
            .iter()
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| substitute(v, lookup))
    };
    call.sent_by(header("user-agent").as_deref());
    let bearer_header = header("authorization")
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("bearer"));
    if saved.bearer_auth || bearer_header {
        call.bearer = Bearer::Sent { token: None };
    }
    if let Some(body) = saved.body {
        call.read_body_ids(&substitute(body, lookup));
    }
    if call.is_graphql() {
        call.graphql_operation = match saved.body {
            Some(body) => graphql::operation_of_body(body),
            None => graphql::operation_of_query(&call.query),
        };
    }
    call
}

/// The enabled `(name, value)` pairs of a saved list (headers, query
/// parameters): both tools mark a switched-off one `"disabled": true`.
pub fn enabled_pairs<'a>(list: &'a Value, name_key: &str) -> Vec<(&'a str, &'a str)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|pair| pair["disabled"] != Value::Bool(true))
        .filter_map(|pair| {
            Some((
                pair[name_key].as_str()?,
                pair["value"].as_str().unwrap_or(""),
            ))
        })
        .collect()
}
