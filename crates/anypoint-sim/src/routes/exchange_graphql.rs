//! Anypoint's Graph API, POST /graph/api/v2/graphql, as far as MuleSoft's
//! clients use it: the `assets` search. Not a GraphQL engine: a narrow
//! interpreter of one query shape, `query (…) { assets(<arguments>) { <scalar
//! fields> } }`, its arguments given inline or as `$variables`, at the top
//! level (anypoint-cli-v4, `anypoint-cli-exchange-plugin/lib/helpers/queries.js`
//! `GET_ASSETS`) or inside a `query: {…}` object (the GraphiQL example that
//! file links to). Anything else answers a GraphQL error object.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::exchange_search::{Criteria, item, search};
use super::{LIST_DEFAULT_LIMIT, Paging, Shared};
use crate::catalogue::Asset;
use crate::state::Subject;

/// The arguments `assets` takes.
const ARGUMENTS: &[&str] = &["searchTerm", "organizationIds", "types", "offset", "limit"];

/// The GraphQL type of a search result, for `__typename` (apollo-client adds
/// that field to every selection for its cache, reference anypoint-cli-v4.md).
const ASSET_TYPENAME: &str = "Asset";

/// A refused query: the HTTP status and the GraphQL error's message and code.
/// [I] the statuses and codes: Apollo Server's conventions (400 and
/// `GRAPHQL_PARSE_FAILED`/`GRAPHQL_VALIDATION_FAILED` for a query it cannot
/// run, `UNAUTHENTICATED`); the messages follow graphql-js's wording.
struct Refusal {
    status: StatusCode,
    message: String,
    code: &'static str,
}

fn invalid(message: String) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        message,
        code: "GRAPHQL_VALIDATION_FAILED",
    }
}

fn syntax(message: &str) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        message: format!("Syntax Error: {message}"),
        code: "GRAPHQL_PARSE_FAILED",
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body =
            json!({"errors": [{"message": self.message, "extensions": {"code": self.code}}]});
        (self.status, axum::Json(body)).into_response()
    }
}

/// POST /graph/api/v2/graphql: `{"query", "variables", "operationName"}`.
/// The caller's token travels as the variable `accessToken` (anypoint-cli-v4
/// sends no Authorization header here: `anypoint-cli-command/lib/gql-client.js`
/// `queryGqlCall`); an `Authorization: Bearer` header is taken too [I].
pub async fn query(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return syntax(&format!("the body is not JSON: {e}")).into_response(),
    };
    let Some(text) = request["query"].as_str() else {
        return invalid("Must provide query string.".into()).into_response();
    };
    let variables = request["variables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let parsed = match parse(text, &variables) {
        Ok(parsed) => parsed,
        Err(refusal) => return refusal.into_response(),
    };
    let subject = match caller(&state, &headers, &variables) {
        Ok(subject) => subject,
        Err(refusal) => return refusal.into_response(),
    };
    let world = state.world.lock().expect("world lock");
    // The fields a result has: those of the published search result (S2).
    let known = item(&world, &Asset::default());
    if let Err(refusal) = selectable(&known, &parsed.fields) {
        return refusal.into_response();
    }
    let assets: Vec<Value> = search(&world, &subject, &parsed.criteria)
        .iter()
        .map(|asset| {
            let full = item(&world, asset);
            let picked: Map<String, Value> = parsed
                .fields
                .iter()
                .map(|f| {
                    let value = match f.as_str() {
                        "__typename" => json!(ASSET_TYPENAME),
                        _ => full[f].clone(),
                    };
                    (f.clone(), value)
                })
                .collect();
            Value::Object(picked)
        })
        .collect();
    axum::Json(json!({"data": {"assets": assets}})).into_response()
}

/// Fields of a search result whose type is an object or a list of objects
/// (S2 `assetSearchResultItem`: `$ref`s): GraphQL needs a selection of their
/// subfields, which this interpreter does not read.
const OBJECT_FIELDS: &[&str] = &[
    "organization",
    "createdBy",
    "externalFile",
    "files",
    "categories",
    "customFields",
];

/// Refuses a field a search result lacks, or one that needs subfields.
fn selectable(known: &Value, fields: &[String]) -> Result<(), Refusal> {
    for field in fields {
        if OBJECT_FIELDS.contains(&field.as_str()) {
            return Err(invalid(format!(
                "Field \"{field}\" must have a selection of subfields."
            )));
        }
        if field != "__typename" && known.get(field).is_none() {
            return Err(invalid(format!(
                "Cannot query field \"{field}\" on type \"{ASSET_TYPENAME}\"."
            )));
        }
    }
    Ok(())
}

fn caller(
    state: &Shared,
    headers: &HeaderMap,
    variables: &Map<String, Value>,
) -> Result<Subject, Refusal> {
    let bearer = match variables.get("accessToken").and_then(Value::as_str) {
        Some(token) => Some(format!("Bearer {token}")),
        None => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    state.subject(bearer.as_deref()).map_err(|_| Refusal {
        status: StatusCode::UNAUTHORIZED,
        message: "Unauthorized: a valid access token is required".into(),
        code: "UNAUTHENTICATED",
    })
}

/// The query as the search runs it: its criteria and the fields to answer.
struct Parsed {
    criteria: Criteria,
    fields: Vec<String>,
}

fn parse(text: &str, variables: &Map<String, Value>) -> Result<Parsed, Refusal> {
    let tokens = tokens(text)?;
    let mut reader = Reader {
        tokens: &tokens,
        at: 0,
        variables,
    };
    reader.operation_header()?;
    reader.expect('{')?;
    let field = reader.name()?;
    if field != "assets" {
        return Err(invalid(format!(
            "Cannot query field \"{field}\" on type \"Query\"."
        )));
    }
    let mut arguments = Map::new();
    if reader.eat('(') {
        while !reader.eat(')') {
            let name = reader.name()?;
            reader.expect(':')?;
            let value = reader.value()?;
            arguments.insert(name, value);
        }
    }
    reader.expect('{')?;
    let mut fields = Vec::new();
    while !reader.eat('}') {
        fields.push(reader.name()?);
    }
    reader.expect('}')?;
    if reader.at != tokens.len() {
        return Err(invalid(
            "The simulator's Graph API answers one `assets` query a request [I]".into(),
        ));
    }
    Ok(Parsed {
        criteria: criteria(arguments)?,
        fields,
    })
}

/// The search's criteria from the arguments, or from their `query: {…}` object.
fn criteria(mut arguments: Map<String, Value>) -> Result<Criteria, Refusal> {
    if let Some(Value::Object(inner)) = arguments.remove("query") {
        arguments.extend(inner);
    }
    if let Some(unknown) = arguments.keys().find(|k| !ARGUMENTS.contains(&k.as_str())) {
        return Err(invalid(format!(
            "Unknown argument \"{unknown}\" on field \"Query.assets\"."
        )));
    }
    let strings = |value: Option<&Value>| -> Option<Vec<String>> {
        match value? {
            Value::String(one) => Some(vec![one.clone()]),
            Value::Array(many) => Some(
                many.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => None,
        }
    };
    let number = |key: &str, default: usize| {
        arguments
            .get(key)
            .and_then(Value::as_u64)
            .map_or(default, |n| n as usize)
    };
    Ok(Criteria {
        term: arguments
            .get("searchTerm")
            .and_then(Value::as_str)
            .map(str::to_string),
        organization_ids: strings(arguments.get("organizationIds")),
        types: strings(arguments.get("types")),
        mulesoft: false,
        paging: Paging {
            offset: number("offset", 0),
            limit: number("limit", LIST_DEFAULT_LIMIT),
        },
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Variable(String),
    Text(String),
    Number(String),
    Punct(char),
}

fn tokens(text: &str) -> Result<Vec<Token>, Refusal> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Commas are insignificant in GraphQL, like white space.
            c if c.is_whitespace() || c == ',' => {}
            '#' => while chars.next_if(|&c| c != '\n').is_some() {},
            '{' | '}' | '(' | ')' | '[' | ']' | ':' | '!' | '=' => out.push(Token::Punct(c)),
            '$' | '_' | 'a'..='z' | 'A'..='Z' => {
                let mut name = String::new();
                if c != '$' {
                    name.push(c);
                }
                while let Some(c) = chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
                    name.push(c);
                }
                out.push(if c == '$' {
                    Token::Variable(name)
                } else {
                    Token::Name(name)
                });
            }
            '-' | '0'..='9' => {
                let mut number = c.to_string();
                while let Some(c) = chars.next_if(|c| c.is_ascii_digit() || *c == '.') {
                    number.push(c);
                }
                out.push(Token::Number(number));
            }
            '"' => {
                let mut string = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => string.extend(chars.next()),
                        Some(c) => string.push(c),
                        None => return Err(syntax("Unterminated string.")),
                    }
                }
                out.push(Token::Text(string));
            }
            other => return Err(syntax(&format!("Unexpected character: \"{other}\"."))),
        }
    }
    Ok(out)
}

struct Reader<'a> {
    tokens: &'a [Token],
    at: usize,
    variables: &'a Map<String, Value>,
}

impl Reader<'_> {
    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.at);
        self.at += 1;
        token
    }

    fn eat(&mut self, punct: char) -> bool {
        let found = self.tokens.get(self.at) == Some(&Token::Punct(punct));
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, punct: char) -> Result<(), Refusal> {
        if self.eat(punct) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("Expected \"{punct}\"")))
        }
    }

    fn unexpected(&self, wanted: &str) -> Refusal {
        match self.tokens.get(self.at) {
            Some(found) => syntax(&format!("{wanted}, found {found:?}.")),
            None => syntax(&format!("{wanted}, found <EOF>.")),
        }
    }

    fn name(&mut self) -> Result<String, Refusal> {
        match self.tokens.get(self.at) {
            Some(Token::Name(name)) => {
                let name = name.clone();
                self.at += 1;
                Ok(name)
            }
            _ => Err(self.unexpected("Expected Name")),
        }
    }

    /// `query Name? (variable definitions)?`, or nothing (the shorthand
    /// `{ … }`). The definitions are skipped: values come from `variables`.
    /// A mutation, a subscription or a fragment is not this shape.
    fn operation_header(&mut self) -> Result<(), Refusal> {
        match self.tokens.get(self.at) {
            Some(Token::Name(keyword)) if keyword == "query" => self.at += 1,
            Some(Token::Punct('{')) => return Ok(()),
            _ => {
                return Err(invalid(
                    "The simulator's Graph API answers only an `assets` query [I]".into(),
                ));
            }
        }
        if matches!(self.tokens.get(self.at), Some(Token::Name(_))) {
            self.at += 1;
        }
        if self.eat('(') {
            while !self.eat(')') {
                if self.next().is_none() {
                    return Err(syntax("Expected \")\", found <EOF>."));
                }
            }
        }
        Ok(())
    }

    /// A value, its `$variables` replaced by their values (null when absent).
    fn value(&mut self) -> Result<Value, Refusal> {
        let Some(token) = self.next().cloned() else {
            return Err(syntax("Expected a value, found <EOF>."));
        };
        Ok(match token {
            Token::Variable(name) => self.variables.get(&name).cloned().unwrap_or(Value::Null),
            Token::Text(text) => Value::String(text),
            Token::Number(number) => serde_json::from_str(&number)
                .map_err(|_| syntax(&format!("Invalid number, found {number}.")))?,
            Token::Name(name) => match name.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                // An enum value, as its name.
                _ => Value::String(name),
            },
            Token::Punct('[') => {
                let mut items = Vec::new();
                while !self.eat(']') {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            Token::Punct('{') => {
                let mut object = Map::new();
                while !self.eat('}') {
                    let key = self.name()?;
                    self.expect(':')?;
                    object.insert(key, self.value()?);
                }
                Value::Object(object)
            }
            Token::Punct(other) => return Err(syntax(&format!("Unexpected \"{other}\"."))),
        })
    }
}
