//! Hardening: a list the platform pages is read within bounds on the items
//! kept and the bytes read as well as the pages asked for, and a listing a
//! bound stopped says so in every format (issue 23, hole 7).

use serde_json::Value;

use crate::support::bin::Run;
use crate::support::fs::assert_matches;
use crate::support::sim::{ClientApplication, Sim, World, world};

/// The healthy world with `count` more client applications, created by a
/// user (so no secret of theirs is shown to the app), each with a redirect
/// URI of about `redirect` bytes when `redirect` is not 0: the platform sends
/// it, `apps` neither keeps nor prints it.
fn with_applications(count: u64, redirect: usize) -> World {
    let mut world = world("healthy");
    let creator = world.users[0].username.clone();
    world.client_applications.extend((0..count).map(|n| {
        ClientApplication {
            id: 5_000_000 + n,
            name: format!("bulk-{n}"),
            description: Some(String::new()),
            client_id: format!("{:032x}", 5_000_000 + n),
            client_secret: format!("{:032X}", 5_000_000 + n),
            created_by: creator.clone(),
            redirect_uris: (redirect > 0)
                .then(|| format!("https://example.com/{}", "d".repeat(redirect)))
                .into_iter()
                .collect(),
            grant_types: Vec::new(),
        }
    }));
    world
}

/// The rows of `apps`' table: lines that start with an id.
/// A terminal wide enough for any row: the rows are counted as table rows.
const WIDE: &[(&str, &str)] = &[("COLUMNS", "5000")];

fn rows(run: &Run) -> usize {
    run.stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .count()
}

/// More client applications than `apps` keeps (20,000): it prints those it
/// read, says in the table and in the JSON that the list is incomplete and
/// which bound stopped it, and exits 3. (Before, every page up to 1,000 was
/// read and kept, and the list printed as if whole.)
#[tokio::test]
async fn apps_stops_at_its_items_bound_and_says_so_in_each_format() {
    let world = with_applications(20_100, 0);
    let total = world.client_applications.len();
    let sim = Sim::start(world).await;
    // The two formats at once, from one simulator.
    let (table, json) = tokio::join!(
        sim.run_with(WIDE, &["apps"]),
        sim.run(&["apps", "--format", "json"])
    );
    assert_eq!(table.code, 3, "{}", table.stderr);
    assert_eq!(rows(&table), 20_000);
    let said = table.stdout.lines().last().unwrap_or_default();
    for part in [
        "is incomplete",
        "at its bound of 20000 client applications",
        "after 20000 client applications in 100 page(s)",
        &format!("the answers counted {total}"),
    ] {
        assert!(said.contains(part), "{part}: {said}");
    }
    assert_eq!(json.code, 3, "{}", json.stderr);
    let listed: Value = assert_matches("apps.schema.json", &json.stdout);
    assert_eq!(
        listed["applications"].as_array().map(Vec::len),
        Some(20_000)
    );
    let incomplete = &listed["incomplete"];
    assert_eq!(incomplete["stoppedBy"], "items", "{incomplete}");
    assert_eq!(incomplete["itemsRead"], 20_000, "{incomplete}");
    assert_eq!(incomplete["pagesRead"], 100, "{incomplete}");
    assert_eq!(incomplete["total"], total, "{incomplete}");
    sim.stop().await;
}

/// Fewer, larger client applications (pages of about 3 MB): `apps` stops
/// once it has read 32 MiB, says so, and exits 3, however many pages the
/// answers promise. The bulk is in what `apps` reads and does not print
/// (redirect URIs), so that the run costs the reading, not 32 MiB of output.
#[tokio::test]
async fn apps_stops_at_its_bytes_bound_and_says_so() {
    let world = with_applications(2_400, 15_000);
    let sim = Sim::start(world).await;
    // The two formats at once, from one simulator.
    let (json, table) = tokio::join!(
        sim.run(&["apps", "--format", "json"]),
        sim.run_with(WIDE, &["apps"])
    );
    assert_eq!(json.code, 3, "{}", json.stderr);
    let listed: Value = assert_matches("apps.schema.json", &json.stdout);
    let incomplete = &listed["incomplete"];
    assert_eq!(incomplete["stoppedBy"], "bytes", "{incomplete}");
    let read = incomplete["bytesRead"].as_u64().unwrap_or_default();
    let bound: u64 = 32 << 20;
    // The bound, and at most one answer (capped at 4 MiB) past it.
    assert!((bound..bound + (4 << 20)).contains(&read), "{incomplete}");
    let kept = listed["applications"].as_array().map_or(0, Vec::len);
    assert_eq!(incomplete["itemsRead"], kept, "{incomplete}");
    assert!(kept < 2_400, "{incomplete}");
    assert_eq!(table.code, 3, "{}", table.stderr);
    assert_eq!(rows(&table), kept);
    let said = table.stdout.lines().last().unwrap_or_default();
    assert!(
        said.contains("is incomplete") && said.contains("at its bound of 32 MiB read"),
        "{said}"
    );
    sim.stop().await;
}
