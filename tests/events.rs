//! Events on real news: every fixture with an `events.tsv` (ECB+ topics that
//! mix two real events of one kind; the file is ECB+'s truth, `doc` and
//! `subtopic` columns) is checked, and each event group claimdiff makes must
//! hold sources of one true event only, with no conflict reported between
//! facts of two events.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn truth(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("events.tsv")).expect("events.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_string(), cols.next()?.to_string()))
        })
        .collect()
}

#[test]
fn ecbplus_fixtures_split_into_their_true_events_without_cross_event_conflicts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs.iter().filter(|d| d.join("events.tsv").is_file()) {
        let truth = truth(dir);
        let out = Command::cargo_bin("claimdiff")
            .expect("binary")
            .args(["check", "--format", "json"])
            .arg(dir)
            .output()
            .expect("runs");
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in report["sources"].as_array().expect("sources") {
            let id = s["id"].as_str().expect("id");
            let event = s["event"].as_str().expect("every source has an event");
            let true_event = truth
                .get(id)
                .unwrap_or_else(|| panic!("{id} not in events.tsv"));
            groups
                .entry(event.to_string())
                .or_default()
                .insert(true_event.clone());
        }
        for (event, true_events) in &groups {
            assert_eq!(
                true_events.len(),
                1,
                "{}: group {event} mixes {true_events:?}",
                dir.display()
            );
        }
        let true_events: BTreeSet<&String> = truth.values().collect();
        assert_eq!(
            groups.len(),
            true_events.len(),
            "{}: {groups:?}",
            dir.display()
        );
        for f in report["findings"].as_array().expect("findings") {
            let sources: BTreeSet<&String> = f["values"]
                .as_array()
                .expect("values")
                .iter()
                .flat_map(|v| v["sources"].as_array().expect("sources").iter())
                .filter_map(|s| truth.get(s.as_str()?))
                .collect();
            assert_eq!(
                sources.len(),
                1,
                "{}: finding {} spans events",
                dir.display(),
                f["kind"]
            );
            let event = f["event"].as_str().expect("finding event");
            assert!(groups.contains_key(event));
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected three ECB+ fixtures, found {checked}"
    );
}
