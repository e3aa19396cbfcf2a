//! The rules compiled for speed: one literal pass over a file's bytes
//! finds the few lines that could match (every rule has literal anchors), and
//! only those lines meet the rules' regexes. Text is decoded lossily, per
//! line, so invalid UTF-8 costs nothing and breaks nothing.

use std::borrow::Cow;

use memchr::{memchr, memchr_iter, memrchr};
use regex::Regex;

use super::anchors::{Anchor, Anchors};
use super::rules::{MatchSpec, Rule, Rules, SecretMatch};
use crate::platform::ProbeMethod as Method;
use strum::VariantArray;

use crate::platform::control_plane::{Region, region_host};

/// How far (in lines) method context, `unless_nearby` words and the URLs a
/// secret sits next to are looked for: a curl command continued over lines, a
/// Postman request's method above its headers and body.
const NEARBY_LINES: usize = 10;

/// One path segment: a literal id or any placeholder (`${ORG_ID}`, `{orgId}`,
/// `{{orgId}}`, `$org`, `:orgId`, `%s`, `#[vars.orgId]`, `$(vars.orgId)`), or a
/// quoted run that splices a variable in (`" + orgId + "`, `"$ORG"`, `' ++ id ++ '`).
const SEGMENT: &str = r#"(?:[^/\\\s"'`]|"[^"\n/]{0,80}"|'[^'\n/]{0,80}')+"#;
/// A slash, or a JSON-escaped one.
const SEP: &str = r"\\?/";
/// A control plane host; the label before `anypoint`/`platform` names the plane.
const HOST: &str = r"(?i)\b((?:[a-z0-9-]+\.)*?)(?:anypoint|platform)\.mulesoft\.com\b";
/// An explicit HTTP method: curl, PowerShell, client calls, JSON/YAML/XML attributes.
const METHOD: &str = r#"(?i)(?:-X\s*|--request[\s=]+|-Method\s+|\bmethod["']?\s*[:=]\s*["']?|\.|\bHttpMethod\.|\bHttp)(get|post|put|patch|delete)\b"#;
/// A command line that is a whole request on its own (with its continuation
/// lines): its method is on it or is the tool's default, never a neighbour's.
const REQUEST_LINE: &str = r"\b(?:curl|wget|http|https|Invoke-RestMethod|Invoke-WebRequest)\s";
/// curl options that make a request a POST when no method is given.
const CURL_DATA: &str =
    r#"(?:^|\s)(?:-d|--data(?:-raw|-binary|-urlencode)?|--json|-F|--form)(?:\s|=|'|"|$)"#;
/// A secret's value: long, and not a placeholder (those start with `$`, `{`, `<`, `%`).
const VALUE: &str = r"[A-Za-z0-9._~+/=-]{16,}";

/// One place a rule matched, before it is tied to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index into `Rules::rules`.
    pub rule: usize,
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// What matched; a secret's value is already replaced by `****`.
    pub text: String,
}

enum Compiled {
    Path {
        regex: Regex,
        method: Option<Method>,
        subpaths: bool,
        unless_nearby: Vec<String>,
    },
    Secret {
        regex: Regex,
        near: Vec<String>,
    },
    PlainHttp(Regex),
    MixedControlPlanes,
}

pub struct Matcher {
    prefilter: Anchors,
    compiled: Vec<Compiled>,
    host: Regex,
    method: Regex,
    curl_data: Regex,
    request_line: Regex,
}

/// A control plane host seen in a file.
struct Sighting {
    plane: Region,
    host: String,
    line: usize,
    column: usize,
}

/// The line a hit is on, and the buffer around it for nearby context.
struct Line<'a> {
    buf: &'a [u8],
    start: usize,
    end: usize,
    number: usize,
    text: Cow<'a, str>,
}

impl Matcher {
    pub fn new(rules: &Rules) -> Matcher {
        let mut anchors = Vec::new();
        let compiled = rules
            .rules
            .iter()
            .map(|rule| compile(rule, &mut anchors))
            .collect();
        Matcher {
            prefilter: Anchors::new(anchors),
            compiled,
            host: Regex::new(HOST).expect("HOST is valid"),
            method: Regex::new(METHOD).expect("METHOD is valid"),
            curl_data: Regex::new(CURL_DATA).expect("CURL_DATA is valid"),
            request_line: Regex::new(REQUEST_LINE).expect("REQUEST_LINE is valid"),
        }
    }

    /// Every hit in one file's bytes, in order of position (the mixed-plane
    /// finding, which needs the whole file, comes last).
    pub fn scan(&self, buf: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut sightings = Vec::new();
        let (mut pos, mut number, mut counted_to) = (0, 1, 0);
        while pos < buf.len() {
            let Some(at) = self.prefilter.find(buf, pos) else {
                break;
            };
            let start = memrchr(b'\n', &buf[..at]).map_or(0, |i| i + 1);
            let end = memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i);
            number += memchr_iter(b'\n', &buf[counted_to..start]).count();
            counted_to = start;
            let line = Line {
                buf,
                start,
                end,
                number,
                text: decode(&buf[start..end]),
            };
            self.scan_line(&line, &mut hits, &mut sightings);
            pos = end + 1;
        }
        if let Some(hit) = self.mixed_planes(&sightings) {
            hits.push(hit);
        }
        hits
    }

    fn scan_line(&self, line: &Line, hits: &mut Vec<Hit>, sightings: &mut Vec<Sighting>) {
        let text = line.text.as_ref();
        for (rule, compiled) in self.compiled.iter().enumerate() {
            let mut columns = Columns::new(text);
            let mut hit = |at: usize, text: String| Hit {
                rule,
                line: line.number,
                column: columns.of(at),
                text,
            };
            match compiled {
                Compiled::Path {
                    regex,
                    method,
                    subpaths,
                    unless_nearby,
                } => {
                    for m in regex.find_iter(text) {
                        if !*subpaths && continues(&text[m.end()..]) {
                            continue;
                        }
                        if method.is_some_and(|want| !self.method_fits(line, want)) {
                            continue;
                        }
                        if !unless_nearby.is_empty()
                            && self
                                .context(line)
                                .any(|l| unless_nearby.iter().any(|w| l.contains(w)))
                        {
                            continue;
                        }
                        hits.push(hit(m.start(), m.as_str().to_string()));
                    }
                }
                Compiled::Secret { regex, near } => {
                    for caps in regex.captures_iter(text) {
                        let (whole, value) = (caps.get(0).unwrap(), value_of(&caps));
                        if !is_literal_secret(text, value)
                            || !nearby(line).any(|l| contains_any_ci(&l, near))
                        {
                            continue;
                        }
                        let quote = &text[..value.start()]
                            .chars()
                            .last()
                            .filter(|c| matches!(c, '"' | '\''))
                            .map(String::from)
                            .unwrap_or_default();
                        let masked = format!("{}****{quote}", &text[whole.start()..value.start()]);
                        hits.push(hit(whole.start(), masked));
                    }
                }
                Compiled::PlainHttp(regex) => {
                    for m in regex.find_iter(text) {
                        hits.push(hit(m.start(), m.as_str().to_string()));
                    }
                }
                Compiled::MixedControlPlanes => {
                    for caps in self.host.captures_iter(text) {
                        let whole = caps.get(0).unwrap();
                        sightings.push(Sighting {
                            plane: plane_of(caps.get(1).map_or("", |m| m.as_str())),
                            host: whole.as_str().to_ascii_lowercase(),
                            line: line.number,
                            column: columns.of(whole.start()),
                        });
                    }
                }
            }
        }
    }

    /// The lines that say how a request on this line is made: a command and
    /// its continuation lines, else the line and its neighbours, nearest
    /// first, earlier before later.
    fn context<'a>(&self, line: &'a Line) -> Box<dyn Iterator<Item = Cow<'a, str>> + 'a> {
        let this = std::iter::once(Cow::Borrowed(line.text.as_ref()));
        if self.request_line.is_match(&line.text) {
            Box::new(this.chain(continuation(line)))
        } else {
            Box::new(this.chain(nearby_ordered(line)))
        }
    }

    /// Whether the nearest method seen is `want`; no method seen is a GET.
    fn method_fits(&self, line: &Line, want: Method) -> bool {
        let seen = self.context(line).find_map(|l| self.method_on(&l));
        match (seen.as_deref(), want) {
            (None, Method::Get) => true,
            (None, Method::Post) => false,
            (Some(seen), Method::Get) => seen == "GET",
            (Some(seen), Method::Post) => seen == "POST",
        }
    }

    /// The method a line names, if any: an explicit one, else a curl data flag's POST.
    fn method_on(&self, text: &str) -> Option<String> {
        if let Some(caps) = self.method.captures(text) {
            return Some(caps[1].to_ascii_uppercase());
        }
        self.curl_data.is_match(text).then(|| "POST".to_string())
    }

    fn mixed_planes(&self, sightings: &[Sighting]) -> Option<Hit> {
        let rule = self
            .compiled
            .iter()
            .position(|c| matches!(c, Compiled::MixedControlPlanes))?;
        let first = sightings.first()?;
        let other = sightings.iter().find(|s| s.plane != first.plane)?;
        Some(Hit {
            rule,
            line: other.line,
            column: other.column,
            text: format!(
                "{} ({} control plane) after {} ({}, line {})",
                other.host,
                plane_name(other.plane),
                first.host,
                plane_name(first.plane),
                first.line
            ),
        })
    }
}

fn compile(rule: &Rule, anchors: &mut Vec<Anchor>) -> Compiled {
    match &rule.matcher {
        MatchSpec::Path(spec) => {
            let alternatives: Vec<String> = spec
                .paths
                .iter()
                .map(|path| {
                    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
                    // Paths match in the case written.
                    anchors.extend(path_anchors(&segments).into_iter().map(|text| Anchor {
                        text,
                        any_case: false,
                    }));
                    let body: Vec<String> = segments
                        .iter()
                        .map(|s| {
                            if is_placeholder(s) {
                                SEGMENT.to_string()
                            } else {
                                regex::escape(s)
                            }
                        })
                        .collect();
                    format!("(?:{SEP})?\\b{}\\b", body.join(SEP))
                })
                .collect();
            Compiled::Path {
                regex: Regex::new(&alternatives.join("|"))
                    .unwrap_or_else(|e| panic!("{}: {e}", rule.id)),
                method: spec.method,
                subpaths: spec.subpaths,
                unless_nearby: spec.unless_nearby.clone(),
            }
        }
        MatchSpec::LiteralSecret(spec) => {
            anchors.extend(spec.keys.iter().chain(&spec.prefixes).map(|k| any_case(k)));
            Compiled::Secret {
                regex: secret_regex(spec),
                near: spec.near.iter().map(|n| n.to_ascii_lowercase()).collect(),
            }
        }
        MatchSpec::PlainHttp => {
            anchors.push(any_case("mulesoft.com"));
            let host = HOST.trim_start_matches("(?i)");
            Compiled::PlainHttp(
                Regex::new(&format!(r"(?i)http:(?:\\?/){{2}}{host}")).expect("valid"),
            )
        }
        MatchSpec::MixedControlPlanes => {
            anchors.push(any_case("mulesoft.com"));
            Compiled::MixedControlPlanes
        }
    }
}

/// An anchor of a rule that ignores case (`(?i)`: secrets, hosts).
fn any_case(text: &str) -> Anchor {
    Anchor {
        text: text.to_string(),
        any_case: true,
    }
}

/// The literal every match of a path starts with: its first segment and, when
/// the second is literal too, both with the separator between (plain and
/// JSON-escaped). A lone first segment is a common word (`exchange`); with the
/// second, lines that cannot match are skipped without meeting a regex.
fn path_anchors(segments: &[&str]) -> Vec<String> {
    match segments {
        [first, second, ..] if !is_placeholder(first) && !is_placeholder(second) => {
            vec![format!("{first}/{second}"), format!("{first}\\/{second}")]
        }
        [first, ..] => vec![first.to_string()],
        [] => Vec::new(),
    }
}

/// `{orgId}`: any segment goes there.
fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// `key = "v"`, `"key": "v"`, `key=v`, Postman's `"key": "key", "value": "v"`,
/// and `Bearer v`; the value is capture `v` or `b`.
fn secret_regex(spec: &SecretMatch) -> Regex {
    let escape = |words: &[String]| {
        words
            .iter()
            .map(|w| regex::escape(w))
            .collect::<Vec<_>>()
            .join("|")
    };
    let keys = escape(&spec.keys);
    let prefixes = escape(&spec.prefixes);
    Regex::new(&format!(
        r#"(?i)(?:(?:^|[^A-Za-z0-9_])["']?(?:{keys})["']?\s*(?:[:=]|,\s*["']?value["']?\s*:)\s*["']?(?P<v>{VALUE})|\b(?:{prefixes})\s+(?P<b>{VALUE}))"#
    ))
    .expect("secret regex is valid")
}

fn value_of<'t>(caps: &regex::Captures<'t>) -> regex::Match<'t> {
    caps.name("v")
        .or_else(|| caps.name("b"))
        .expect("one alternative matched")
}

/// A value is a literal secret, not an expression: letters and digits mixed,
/// not a call or an index, and dotted only when quoted (a JWT), since an
/// unquoted dotted value is code (`config.secret`).
fn is_literal_secret(text: &str, value: regex::Match) -> bool {
    let v = value.as_str();
    let quoted = text[..value.start()].ends_with(['"', '\'']);
    let next = text[value.end()..].chars().next();
    v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !matches!(next, Some('(' | '['))
        && (quoted || !v.contains('.'))
}

/// Whether a path match goes on with another segment (`…/applications/42`).
fn continues(rest: &str) -> bool {
    let rest = rest.strip_prefix('\\').unwrap_or(rest);
    rest.strip_prefix('/')
        .and_then(|r| r.chars().next())
        .is_some_and(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '`' | '?' | '#'))
}

/// 1-based character columns of byte offsets in one line, counted on from
/// the offset asked for before: a minified line with many matches is counted
/// through once per rule, not once per match.
struct Columns<'t> {
    text: &'t str,
    at: usize,
    column: usize,
}

impl<'t> Columns<'t> {
    fn new(text: &'t str) -> Columns<'t> {
        Columns {
            text,
            at: 0,
            column: 1,
        }
    }

    fn of(&mut self, at: usize) -> usize {
        if at < self.at {
            *self = Columns::new(self.text);
        }
        // Characters are the bytes that do not continue one (the text is UTF-8).
        self.column += self.text.as_bytes()[self.at..at]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        self.at = at;
        self.column
    }
}

fn decode(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes.strip_suffix(b"\r").unwrap_or(bytes))
}

/// The line and up to `NEARBY_LINES` on each side.
fn nearby<'a>(line: &'a Line) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    let (from, _) = step_back(line.buf, line.start, NEARBY_LINES);
    let to = step_forward(line.buf, line.end, NEARBY_LINES);
    line.buf[from..to].split(|&b| b == b'\n').map(decode)
}

/// The lines around (not including) this one, nearest first, earlier before later.
fn nearby_ordered<'a>(line: &'a Line) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    (1..=NEARBY_LINES).flat_map(move |distance| {
        let before = (distance < line.number).then(|| {
            let (from, found) = step_back(line.buf, line.start, distance);
            debug_assert!(found);
            let end = memchr(b'\n', &line.buf[from..]).map_or(line.buf.len(), |i| from + i);
            decode(&line.buf[from..end])
        });
        let after = {
            let start = step_forward(line.buf, line.end, distance - 1);
            (start < line.buf.len()).then(|| {
                let from = start + 1;
                let end = memchr(b'\n', &line.buf[from..]).map_or(line.buf.len(), |i| from + i);
                decode(&line.buf[from..end])
            })
        };
        before.into_iter().chain(after)
    })
}

/// The lines that continue a command (the previous one ends in `\\` or `` ` ``).
fn continuation<'a>(line: &'a Line) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    let mut continued = line.text.trim_end().ends_with(['\\', '`']);
    line.buf[line.end.min(line.buf.len())..]
        .split(|&b| b == b'\n')
        .skip(1)
        .take(NEARBY_LINES)
        .map(decode)
        .take_while(move |text| {
            let take = continued;
            continued = text.trim_end().ends_with(['\\', '`']);
            take
        })
}

/// The start of the line `n` lines before the one starting at `start` (or the
/// buffer's start), and whether there were that many.
fn step_back(buf: &[u8], start: usize, n: usize) -> (usize, bool) {
    let mut at = start;
    for _ in 0..n {
        if at == 0 {
            return (0, false);
        }
        at = memrchr(b'\n', &buf[..at - 1]).map_or(0, |i| i + 1);
    }
    (at, true)
}

/// The end of the line `n` lines after the one ending at `end` (or the buffer's end).
fn step_forward(buf: &[u8], end: usize, n: usize) -> usize {
    let mut at = end;
    for _ in 0..n {
        if at >= buf.len() {
            return buf.len();
        }
        at = memchr(b'\n', &buf[at + 1..]).map_or(buf.len(), |i| at + 1 + i);
    }
    at
}

fn contains_any_ci(text: &str, needles: &[String]) -> bool {
    let lower = text.to_ascii_lowercase();
    needles.iter().any(|n| lower.contains(n.as_str()))
}

/// The plane a host belongs to, from the label before `anypoint`/`platform`
/// (`eu1`, `gov`, …), as the regions' own hosts name them; anything else
/// (`maven.`, none) is the US plane's.
fn plane_of(prefix: &str) -> Region {
    let label = prefix
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Region::VARIANTS
        .iter()
        .copied()
        .find(|r| {
            let host = region_host(*r);
            let own = host
                .strip_suffix(".anypoint.mulesoft.com")
                .or_else(|| host.strip_suffix(".platform.mulesoft.com"))
                .unwrap_or("");
            !own.is_empty() && own == label
        })
        .unwrap_or(Region::Us)
}

fn plane_name(region: Region) -> String {
    region.flag().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (rule id, line, text) for every hit in `text`.
    fn hits(text: &str) -> Vec<(String, usize, String)> {
        scan_bytes(text.as_bytes())
    }

    fn scan_bytes(bytes: &[u8]) -> Vec<(String, usize, String)> {
        let rules = Rules::get();
        Matcher::new(rules)
            .scan(bytes)
            .into_iter()
            .map(|h| (rules.rules[h.rule].id.clone(), h.line, h.text))
            .collect()
    }

    fn ids(text: &str) -> Vec<String> {
        hits(text).into_iter().map(|(id, _, _)| id).collect()
    }

    const V1: &str = "scan.exchange-v1-apis";
    const CREATE: &str = "scan.repository-v2-create";
    const LIST: &str = "scan.client-applications-list";
    const SECRET: &str = "scan.literal-secret";

    #[test]
    fn the_retired_path_is_found_with_every_placeholder_style() {
        for segment in [
            "${ORG_ID}",
            "{orgId}",
            "{{orgId}}",
            "$org",
            ":orgId",
            "\" + orgId + \"",
            "' + orgId + '",
            "\" ++ vars.orgId ++ \"",
            "\"$ORG\"",
            "%s",
            "#[vars.orgId]",
            "$(vars.orgId)",
            "<orgId>",
            "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f",
        ] {
            let line = format!(
                "x = \"/exchange/api/v1/organizations/{segment}/environments/{segment}/apis\""
            );
            assert_eq!(ids(&line), [V1], "{line}");
        }
    }

    #[test]
    fn the_retired_path_is_found_in_every_kind_of_file() {
        let files = [
            // shell
            "curl -H \"Authorization: Bearer $TOKEN\" https://anypoint.mulesoft.com/exchange/api/v1/organizations/$ORG/environments/$ENV/apis",
            // Python f-string
            "r = requests.get(f\"{BASE}/exchange/api/v1/organizations/{org_id}/environments/{env_id}/apis\")",
            // JS template literal
            "const r = await axios.get(`${base}/exchange/api/v1/organizations/${orgId}/environments/${envId}/apis`);",
            // Java concatenation
            "String url = host + \"/exchange/api/v1/organizations/\" + orgId + \"/environments/\" + envId + \"/apis\";",
            // Mule XML
            "<http:request method=\"GET\" config-ref=\"Anypoint\" path=\"/exchange/api/v1/organizations/{orgId}/environments/{envId}/apis\"/>",
            // DataWeave
            "var url = \"/exchange/api/v1/organizations/$(vars.orgId)/environments/$(vars.envId)/apis\"",
            // YAML pipeline
            "  script: curl -sf \"$ANYPOINT/exchange/api/v1/organizations/${ORG_ID}/environments/${ENV_ID}/apis\"",
            // Postman (JSON), HAR with JSON-escaped slashes
            "\"raw\": \"{{baseUrl}}/exchange/api/v1/organizations/{{orgId}}/environments/{{envId}}/apis?limit=5\",",
            "\"url\": \"https:\\/\\/anypoint.mulesoft.com\\/exchange\\/api\\/v1\\/organizations\\/o\\/environments\\/e\\/apis\"",
        ];
        for file in files {
            assert_eq!(ids(file), [V1], "{file}");
        }
    }

    #[test]
    fn other_paths_and_words_are_not_the_retired_one() {
        for line in [
            "GET /apimanager/api/v1/organizations/o/environments/e/apis",
            "/exchange/api/v2/organizations/o/environments/e/apis",
            "/exchange/api/v1/organizations/o/applications",
            "the exchange rate and /organizations/ of the world",
        ] {
            assert!(ids(line).is_empty(), "{line}: {:?}", ids(line));
        }
    }

    #[test]
    fn a_create_needs_a_post_and_a_list_is_information() {
        let path = "https://anypoint.mulesoft.com/apiplatform/repository/v2/organizations/$ORG/applications";
        assert_eq!(ids(&format!("curl -X POST {path} -d @app.json")), [CREATE]);
        assert_eq!(ids(&format!("curl {path} --data-raw '{{}}'")), [CREATE]);
        assert_eq!(
            ids(&format!("requests.post(\"{path}\", json=app)")),
            [CREATE]
        );
        assert_eq!(ids(&format!("axios.post(`{path}`, app)")), [CREATE]);
        assert_eq!(ids(&format!("curl {path}")), [LIST]);
        assert_eq!(
            ids(&format!("curl \"{path}?targetAdminSite=true\"")),
            Vec::<String>::new()
        );
        // A list next to a create is still a list: a command's method is its own.
        let script = format!("curl -X POST {path} -d @a.json\ncurl {path}\n");
        assert_eq!(ids(&script), [CREATE, LIST]);
        // Postman and HAR: the method a few lines above the URL.
        let postman = format!(
            "{{\"request\": {{\n  \"method\": \"POST\",\n  \"header\": [],\n  \"body\": {{\"raw\": \"{{}}\"}},\n  \"url\": {{\"raw\": \"{path}\"}}\n}}}}"
        );
        assert_eq!(ids(&postman), [CREATE]);
        let har = format!("\"request\": {{\n  \"method\": \"GET\",\n  \"url\": \"{path}\"\n}}");
        assert_eq!(ids(&har), [LIST]);
        // A continued curl command carries its method on a later line.
        let continued =
            format!("curl {path} \\\n  -X POST \\\n  -H 'Content-Type: application/json'");
        assert_eq!(ids(&continued), [CREATE]);
        // Deeper paths are another resource.
        assert!(ids(&format!("curl -X DELETE {path}/42")).is_empty());
    }

    #[test]
    fn literal_secrets_next_to_anypoint_urls_are_found_and_masked() {
        let value = "9F8E7D6C5B4A39281706F5E4D3C2B1A0";
        let host = "BASE = \"https://eu1.anypoint.mulesoft.com\"\n";
        for line in [
            format!("client_secret = \"{value}\""),
            format!("ANYPOINT_CLIENT_SECRET={value}"),
            format!("  clientSecret: '{value}'"),
            format!("-d \"grant_type=client_credentials&client_id=abc&client_secret={value}\""),
            format!("-H \"Authorization: Bearer {value}\""),
            format!("{{\"key\": \"client_secret\", \"value\": \"{value}\"}}"),
        ] {
            let found = hits(&format!("{host}{line}\n"));
            assert_eq!(found.len(), 1, "{line}: {found:?}");
            let (id, line_no, text) = &found[0];
            assert_eq!((id.as_str(), *line_no), (SECRET, 2), "{line}");
            assert!(text.contains("****") && !text.contains(value), "{text}");
        }
    }

    #[test]
    fn placeholders_expressions_and_far_away_secrets_are_not_reported() {
        let host = "url = \"https://anypoint.mulesoft.com/accounts/api/v2/oauth2/token\"\n";
        for line in [
            "client_secret = os.environ[\"ANYPOINT_CLIENT_SECRET\"]",
            "client_secret = \"${ANYPOINT_CLIENT_SECRET}\"",
            "clientSecret: config.anypoint2.secretValue1234,",
            "\"client_secret\": \"{{clientSecret}}\"",
            "-H \"Authorization: Bearer $TOKEN\"",
            "client_secret = get_secret_2024_from_vault(\"x\")",
        ] {
            assert!(ids(&format!("{host}{line}")).is_empty(), "{line}");
        }
        let far = format!(
            "{}client_secret = \"9F8E7D6C5B4A39281706F5E4D3C2B1A0\"",
            "\n".repeat(30)
        );
        assert!(ids(&far).is_empty(), "no Anypoint URL nearby");
    }

    #[test]
    fn plain_http_and_mixed_planes() {
        assert_eq!(
            ids("curl http://anypoint.mulesoft.com/accounts/api/me"),
            ["scan.plain-http"]
        );
        assert!(ids("curl https://anypoint.mulesoft.com/accounts/api/me").is_empty());
        let mixed = "US=https://anypoint.mulesoft.com\nMAVEN=https://maven.anypoint.mulesoft.com\nEU=https://eu1.anypoint.mulesoft.com\n";
        let found = hits(mixed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1),
            ("scan.mixed-control-planes", 3)
        );
        assert!(
            found[0].2.contains("EU") && found[0].2.contains("US"),
            "{}",
            found[0].2
        );
        assert!(
            ids("a https://eu1.anypoint.mulesoft.com b https://eu1.platform.mulesoft.com")
                .is_empty()
        );
    }

    #[test]
    fn lines_and_columns_count_characters_and_invalid_utf8_is_read() {
        let mut bytes = b"\xff\xfe caf\xc3\xa9\r\n".to_vec();
        bytes
            .extend_from_slice("é /exchange/api/v1/organizations/o/environments/e/apis".as_bytes());
        let found = Matcher::new(Rules::get()).scan(&bytes);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (2, 3));
    }

    #[test]
    fn a_minified_megabyte_line_reports_columns_in_characters() {
        // 300,000 two-byte characters, a space, a US host; 400,000 bytes; a space, an EU host over http.
        let line = format!(
            "{} https://anypoint.mulesoft.com {} http://eu1.anypoint.mulesoft.com",
            "é".repeat(300_000),
            "x".repeat(400_000)
        );
        let rules = Rules::get();
        let found: Vec<(&str, usize, usize)> = Matcher::new(rules)
            .scan(line.as_bytes())
            .iter()
            .map(|h| (rules.rules[h.rule].id.as_str(), h.line, h.column))
            .collect();
        assert_eq!(
            found,
            [
                ("scan.plain-http", 1, 700_033),
                ("scan.mixed-control-planes", 1, 700_040)
            ]
        );
    }

    #[test]
    fn random_bytes_never_panic() {
        // A fixed-seed xorshift: the same inputs every run.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pieces: [&[u8]; 8] = [
            b"/exchange/api/v1/organizations/",
            b"/environments/",
            b"/apis",
            b"http://anypoint.mulesoft.com",
            b"client_secret=",
            b"Bearer ",
            b"\n",
            b"\"",
        ];
        let matcher = Matcher::new(Rules::get());
        for _ in 0..2000 {
            let mut bytes = Vec::new();
            for _ in 0..(next() % 64) {
                let n = next();
                if n % 3 == 0 {
                    bytes.extend_from_slice(pieces[(n >> 8) as usize % pieces.len()]);
                } else {
                    bytes.push((n >> 16) as u8);
                }
            }
            let _ = matcher.scan(&bytes);
        }
    }
}
