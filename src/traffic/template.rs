//! `{{name}}` variables in a collection's text (Postman's `{{name}}`,
//! Insomnia's `{{ _.name }}` too), replaced by the values the file defines.

/// How deep a variable may refer to another (`{{base}}` = `{{host}}/api`);
/// bounded so a variable naming itself ends.
const NESTING: usize = 5;

/// The longest a text may grow by substitution: variables that each name
/// many others would otherwise grow it exponentially with the nesting.
const MAX_LEN: usize = 64 * 1024;

/// `text` with each `{{name}}` whose `lookup` knows a value replaced by it;
/// the others, and Postman's dynamic `{{$guid}}`, kept as written. The name
/// is given to `lookup` trimmed and without Insomnia's `_.`.
pub fn substitute(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut text = text.to_string();
    for _ in 0..NESTING {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        let mut changed = false;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}") else {
                break;
            };
            let inner = &rest[open + 2..open + 2 + close];
            let name = inner.trim();
            let name = name.strip_prefix("_.").unwrap_or(name);
            out.push_str(&rest[..open]);
            match lookup(name).filter(|v| out.len() + v.len() + rest.len() <= MAX_LEN) {
                Some(value) => {
                    out.push_str(&value);
                    changed = true;
                }
                None => out.push_str(&rest[open..open + 4 + close]),
            }
            rest = &rest[open + 4 + close..];
        }
        out.push_str(rest);
        text = out;
        if !changed {
            break;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_that_each_name_many_others_stop_growing_at_a_bound() {
        // Each level names the next a thousand times: five levels would be 10^15 bytes.
        let lookup = |name: &str| {
            let level: u32 = name.strip_prefix('v')?.parse().ok()?;
            (level < 5).then(|| format!("{{{{v{}}}}}", level + 1).repeat(1000))
        };
        let grown = substitute("{{v0}}", lookup);
        assert!(grown.len() <= MAX_LEN, "{}", grown.len());
    }

    fn vars(name: &str) -> Option<String> {
        match name {
            "host" => Some("anypoint.mulesoft.com".into()),
            "base" => Some("https://{{host}}/accounts".into()),
            "me" => Some("{{me}}".into()),
            "org.id" => Some("o-1".into()),
            _ => None,
        }
    }

    #[test]
    fn known_variables_are_replaced_nested_and_the_rest_kept() {
        assert_eq!(
            substitute(
                "{{base}}/api/organizations/{{ _.org.id }}/x/{{unknown}}",
                vars
            ),
            "https://anypoint.mulesoft.com/accounts/api/organizations/o-1/x/{{unknown}}"
        );
        assert_eq!(substitute("{{$guid}} {{ open", vars), "{{$guid}} {{ open");
        assert_eq!(substitute("/{{me}}", vars), "/{{me}}", "a loop ends");
    }
}
