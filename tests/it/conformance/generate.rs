//! Answers generated from a published schema (proptest strategies): bodies
//! that conform (required fields always, optional ones present or absent,
//! nullable ones sometimes null, small strings, numbers, booleans and
//! arrays), and bodies that break the schema in exactly one place (a value
//! of the wrong type, or a required field removed).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The JSON types a schema allows (`type` as a string or a list); none: any.
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Strings like the platform's: empty, ids, names, and text that is not ASCII.
const STRINGS: &[&str] = &[
    "",
    "a",
    "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f",
    "Sandbox",
    "orders-api",
    "v1",
    "Ünïcødé ✓",
    "2026-03-02T10:15:30.123Z",
];

/// A value of one JSON type, its members from `schema`.
fn of_type(schema: &Value, kind: &str) -> BoxedStrategy<Value> {
    match kind {
        "null" => Just(Value::Null).boxed(),
        "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
        "integer" => prop_oneof![
            4 => (0u64..100_000_000).prop_map(|n| json!(n)),
            1 => (i64::MIN..0).prop_map(|n| json!(n)),
        ]
        .boxed(),
        "number" => prop::sample::select(vec![0.0, 1.5, -2.25, 1e12])
            .prop_map(|n| json!(n))
            .boxed(),
        "string" => prop::sample::select(STRINGS).prop_map(|s| json!(s)).boxed(),
        "array" => {
            let items = conforming(&schema["items"]);
            prop::collection::vec(items, 0..3)
                .prop_map(Value::Array)
                .boxed()
        }
        "object" => object(schema),
        other => panic!("a schema type this generator does not know: {other:?}"),
    }
}

/// How often an optional property is present: mostly, so that a body often
/// holds everything a reader needs, and still often lacks something.
const PRESENT: f64 = 0.85;

/// An object: each required property, and each optional one present or absent.
fn object(schema: &Value) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let members: Vec<BoxedStrategy<Option<(String, Value)>>> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, sub)| {
            let name = name.clone();
            let value = conforming(sub);
            if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                prop::option::weighted(PRESENT, value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    members
        .prop_map(|members| Value::Object(members.into_iter().flatten().collect::<Map<_, _>>()))
        .boxed()
}

/// A body that validates against `schema`.
pub fn conforming(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(values) = schema["enum"].as_array() {
        return prop::sample::select(values.clone()).boxed();
    }
    let kinds = types(schema);
    let (nullable, kinds): (Vec<&str>, Vec<&str>) = kinds.into_iter().partition(|k| *k == "null");
    let value = match kinds.as_slice() {
        [] if schema.get("properties").is_some() => object(schema),
        // No type: any value conforms; a string stands for it.
        [] => of_type(schema, "string"),
        [one] => of_type(schema, one),
        many => {
            let options: Vec<_> = many.iter().map(|k| of_type(schema, k)).collect();
            prop::strategy::Union::new(options).boxed()
        }
    };
    if nullable.is_empty() {
        value
    } else {
        prop_oneof![1 => Just(Value::Null), 3 => value].boxed()
    }
}

/// One step from a value to a member: a property, or an array's first item.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item,
}

/// What a break does at its place.
#[derive(Debug, Clone)]
enum Break {
    /// The value there becomes one of a type the schema does not allow.
    WrongType(Value),
    /// The (required) property there is removed.
    Remove,
}

/// A place in a body and how it is broken.
#[derive(Debug, Clone)]
pub struct Site {
    path: Vec<Step>,
    change: Break,
}

/// A value of a type none of `allowed` is (and not null unless null is allowed).
fn wrong_value(allowed: &[&str]) -> Option<Value> {
    let candidates = [
        ("string", json!(["not", "a", "string"])),
        ("object", json!("not an object")),
        ("array", json!({"not": "an array"})),
        ("integer", json!("17")),
        ("number", json!("1.5")),
        ("boolean", json!("true")),
    ];
    let numeric = |t: &str| t == "integer" || t == "number";
    allowed.iter().find_map(|t| {
        let (_, value) = candidates.iter().find(|(kind, _)| kind == t)?;
        // A string for a number, unless a string is also allowed.
        let fits = |v: &Value| match v {
            Value::String(_) => allowed.contains(&"string"),
            Value::Array(_) => allowed.contains(&"array"),
            Value::Object(_) => allowed.contains(&"object"),
            _ => allowed.iter().any(|a| numeric(a)),
        };
        (!fits(value)).then(|| value.clone())
    })
}

/// Every place `schema` constrains, each with a break.
pub fn sites(schema: &Value) -> Vec<Site> {
    fn walk(schema: &Value, path: &mut Vec<Step>, out: &mut Vec<Site>) {
        if let Some(value) = wrong_value(&types(schema)) {
            out.push(Site {
                path: path.clone(),
                change: Break::WrongType(value),
            });
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, sub) in schema["properties"].as_object().into_iter().flatten() {
            path.push(Step::Key(name.clone()));
            if required.contains(&name.as_str()) {
                out.push(Site {
                    path: path.clone(),
                    change: Break::Remove,
                });
            }
            walk(sub, path, out);
            path.pop();
        }
        if schema.get("items").is_some() {
            path.push(Step::Item);
            walk(&schema["items"], path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(schema, &mut Vec::new(), &mut out);
    out
}

/// `body` broken at `site`, or None when the body has no such place (an
/// optional parent left out, an empty array).
pub fn broken(mut body: Value, site: &Site) -> Option<Value> {
    let Some((last, parents)) = site.path.split_last() else {
        return match &site.change {
            Break::WrongType(value) => Some(value.clone()),
            Break::Remove => None,
        };
    };
    let mut at = &mut body;
    for step in parents {
        at = match step {
            Step::Key(name) => at.as_object_mut()?.get_mut(name)?,
            Step::Item => at.as_array_mut()?.first_mut()?,
        };
    }
    match (last, &site.change) {
        (Step::Key(name), Break::WrongType(value)) => {
            at.as_object_mut()?.insert(name.clone(), value.clone());
        }
        (Step::Key(name), Break::Remove) => {
            at.as_object_mut()?.remove(name)?;
        }
        (Step::Item, Break::WrongType(value)) => *at.as_array_mut()?.first_mut()? = value.clone(),
        (Step::Item, Break::Remove) => return None,
    }
    Some(body)
}

/// A body that breaks `schema` in one place: conforming, then broken at one
/// of its sites (a break the body has no place for is drawn again).
pub fn violating(schema: &Value) -> BoxedStrategy<Value> {
    let sites = sites(schema);
    assert!(!sites.is_empty(), "a schema with nothing to break");
    let validator = jsonschema::draft202012::new(schema).expect("the schema compiles");
    (conforming(schema), prop::sample::select(sites))
        .prop_filter_map(
            "the body has no place for this break",
            move |(body, site)| broken(body, &site).filter(|b| !validator.is_valid(b)),
        )
        .boxed()
}
