//! Snapshot tests: the table, JSON, Markdown, SARIF and JSON Lines of every fixture under
//! `fixtures/`, pinned byte for byte. Refresh on purpose with
//! `INSTA_UPDATE=always cargo test --test snapshots` and review the diff like code.

use std::path::Path;

use assert_cmd::Command;

fn run(cluster: &str, args: &[&str]) -> String {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary builds")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .arg("check")
        .arg(cluster)
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Every fixture directory that is a cluster (has sources or a manifest).
/// `fixtures/hostile` is not one: it is a set of bad-input cases, each with
/// its exact messages and exit code pinned by `tests/hostile.rs`.
fn fixtures() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures/")
        .flatten()
        .filter(|e| e.path().is_dir() && e.file_name() != "hostile")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    names
}

#[test]
fn every_fixture_table_json_and_markdown() {
    for name in fixtures() {
        let cluster = format!("fixtures/{name}");
        insta::assert_snapshot!(format!("{name}.table"), run(&cluster, &[]));
        insta::assert_snapshot!(format!("{name}.json"), run(&cluster, &["--format", "json"]));
        insta::assert_snapshot!(
            format!("{name}.markdown"),
            run(&cluster, &["--format", "markdown", "--evidence"])
        );
    }
}

#[test]
fn every_fixture_sarif_and_jsonl() {
    for name in fixtures() {
        let cluster = format!("fixtures/{name}");
        insta::assert_snapshot!(
            format!("{name}.sarif"),
            run(&cluster, &["--format", "sarif"])
        );
        insta::assert_snapshot!(
            format!("{name}.jsonl"),
            run(&cluster, &["--format", "jsonl"])
        );
    }
}
