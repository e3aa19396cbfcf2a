//! Finding cycles in an import graph and naming them, for modules and files
//! alike.

use std::collections::{BTreeMap, BTreeSet};

/// Node → the nodes it imports, each with the evidence of one import (a file
/// that does, or the path it names).
pub type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// A cycle through `start`, if there is one: the nodes in order.
pub fn cycle_from(graph: &Graph, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &Graph,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flat_map(|edges| edges.keys()) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

/// Every distinct cycle found from some node, each told step by step with
/// its evidence; empty when the graph has none. A cycle found again from
/// another of its nodes is told once.
pub fn cycles(graph: &Graph) -> Vec<String> {
    let mut told = BTreeSet::new();
    let mut found = Vec::new();
    for node in graph.keys() {
        let Some(cycle) = cycle_from(graph, node) else {
            continue;
        };
        let mut key = cycle.clone();
        let first = (0..key.len()).min_by_key(|&i| &key[i]).unwrap();
        key.rotate_left(first);
        if !told.insert(key) {
            continue;
        }
        let steps: Vec<String> = (0..cycle.len())
            .map(|i| {
                let (from, to) = (&cycle[i], &cycle[(i + 1) % cycle.len()]);
                format!("  {from} → {to} ({})", graph[from][to])
            })
            .collect();
        found.push(steps.join("\n"));
    }
    found
}

#[test]
fn the_finder_sees_a_cycle_and_only_a_cycle() {
    // The cycle tests are only as good as this finder.
    let edge = |graph: &mut Graph, from: &str, to: &str| {
        graph
            .entry(from.into())
            .or_default()
            .insert(to.into(), format!("{from} names {to}"));
    };
    let mut graph = Graph::new();
    edge(&mut graph, "a", "b");
    edge(&mut graph, "b", "c");
    edge(&mut graph, "c", "a");
    edge(&mut graph, "c", "d");
    assert_eq!(
        cycle_from(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(cycle_from(&graph, "d"), None);
    assert_eq!(
        cycles(&graph),
        ["  a → b (a names b)\n  b → c (b names c)\n  c → a (c names a)"]
    );
    graph.get_mut("c").unwrap().remove("a");
    assert!(cycles(&graph).is_empty());
}
