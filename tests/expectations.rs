//! Every fixture with an `expected.yaml` is checked against it: the kinds,
//! statuses, values (with their sources), corrections, count summaries and
//! off-topic sources a careful fact-checker reads in that cluster.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use serde_yaml::Value as Yaml;

fn text(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        other => panic!("expected a scalar, got {other:?}"),
    }
}

fn strings(y: &Yaml) -> Vec<String> {
    y.as_sequence().expect("a list").iter().map(text).collect()
}

fn check(dir: &Path, expected: &Yaml) -> Vec<String> {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary")
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = report["findings"].as_array().expect("findings");
    let mut problems = Vec::new();
    for want in expected["findings"].as_sequence().into_iter().flatten() {
        let kind = text(&want["kind"]);
        let first = want.get("value").map(text);
        let Some(got) = findings.iter().find(|f| {
            f["kind"] == kind.as_str()
                && first
                    .as_deref()
                    .is_none_or(|v| f["values"][0]["value"] == v)
        }) else {
            problems.push(format!("{kind}: no such finding"));
            continue;
        };
        let status = text(&want["status"]);
        if got["status"] != status.as_str() {
            problems.push(format!(
                "{kind}: status {} instead of {status}",
                got["status"]
            ));
        }
        if let Some(note) = want.get("note_contains").map(text) {
            if !got["note"].as_str().is_some_and(|n| n.contains(&note)) {
                problems.push(format!("{kind}: note {} lacks {note:?}", got["note"]));
            }
        }
        if let Some(to) = want.get("corrected_to").map(text) {
            if got["corrected_to"] != to.as_str() {
                problems.push(format!(
                    "{kind}: corrected_to {} instead of {to}",
                    got["corrected_to"]
                ));
            }
        }
        if let Some(values) = want.get("values").and_then(Yaml::as_sequence) {
            let got_values = got["values"].as_array().expect("values");
            if got_values.len() != values.len() {
                problems.push(format!(
                    "{kind}: {} values instead of {}",
                    got_values.len(),
                    values.len()
                ));
            }
            for (w, g) in values.iter().zip(got_values) {
                let value = text(&w["value"]);
                if g["value"] != value.as_str() {
                    problems.push(format!("{kind}: value {} instead of {value}", g["value"]));
                }
                let sources = strings(&w["sources"]);
                let got_sources: Vec<String> = g["sources"]
                    .as_array()
                    .expect("sources")
                    .iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect();
                if got_sources != sources {
                    problems.push(format!(
                        "{kind} {value}: sources {got_sources:?} instead of {sources:?}"
                    ));
                }
                let superseded = w.get("superseded").and_then(Yaml::as_bool).unwrap_or(false);
                if g["superseded"].as_bool().unwrap_or(false) != superseded {
                    problems.push(format!("{kind} {value}: superseded should be {superseded}"));
                }
            }
        }
        if let Some(counts) = want.get("counts") {
            for which in ["low", "best", "high"] {
                let w = text(&counts[which]);
                if got["counts"][which]["value"] != w.as_str() {
                    problems.push(format!(
                        "{kind}: {which} {} instead of {w}",
                        got["counts"][which]["value"]
                    ));
                }
            }
        }
    }
    for want in expected["sources"].as_sequence().into_iter().flatten() {
        let id = text(&want["id"]);
        let on_topic = want["on_topic"].as_bool().expect("on_topic");
        let got = report["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .find(|s| s["id"] == id.as_str());
        match got {
            Some(s) if s["on_topic"] == on_topic => {}
            Some(s) => problems.push(format!(
                "{id}: on_topic {} instead of {on_topic}",
                s["on_topic"]
            )),
            None => problems.push(format!("{id}: no such source")),
        }
    }
    problems
}

#[test]
fn every_fixture_meets_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let mut checked = 0;
    for dir in dirs.iter().filter(|d| d.join("expected.yaml").is_file()) {
        let text = std::fs::read_to_string(dir.join("expected.yaml")).expect("read");
        let expected: Yaml = serde_yaml::from_str(&text).expect("expected.yaml is YAML");
        let problems = check(dir, &expected);
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            dir.display(),
            problems.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 1, "no fixture has an expected.yaml");
}
