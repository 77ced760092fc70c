//! The committed JSON Schema (`docs/claimdiff-1.schema.json`) is the contract
//! other tools rely on: real reports must validate against it, and a report
//! missing a required field must not.

use std::fs;

use assert_cmd::Command;
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/claimdiff-1.schema.json");
    let text = fs::read_to_string(path).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn check_json(args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("a stream of JSON reports")
}

fn assert_valid(validator: &jsonschema::Validator, report: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

#[test]
fn the_fixture_report_validates() {
    let validator = schema();
    let reports = check_json(&["fixtures/aleppo-omran"]);
    assert_eq!(reports.len(), 1);
    assert_valid(&validator, &reports[0]);
}

#[test]
fn the_reports_of_the_ecbplus_fixtures_validate_with_their_events() {
    let validator = schema();
    let reports = check_json(&[
        "fixtures/ecbplus-bank-bombings",
        "fixtures/ecbplus-topic-32",
        "fixtures/ecbplus-topic-33",
    ]);
    assert_eq!(reports.len(), 3);
    for report in &reports {
        assert_valid(&validator, report);
        assert!(report["events"].as_array().is_some_and(|e| e.len() >= 2));
    }
}

#[test]
fn a_manifest_report_with_metadata_and_diagnostics_validates() {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(
        dir.path().join("a.txt"),
        "Omran, 5, was injured in the strike.",
    )
    .expect("write");
    fs::write(
        dir.path().join("b.txt"),
        "Omran, 6, was injured in the strike.",
    )
    .expect("write");
    fs::write(dir.path().join("c.txt"), b"\x00binary").expect("write");
    fs::write(
        dir.path().join("cluster.yaml"),
        "cluster: demo\nsources:\n  - path: a.txt\n    outlet: A\n    url: https://example.org/a\n    published: 2016-08-18\n  - path: b.txt\n  - path: c.txt\n",
    )
    .expect("write");
    let reports = check_json(&[dir.path().to_str().expect("UTF-8 temp path")]);
    let report = &reports[0];
    assert!(report["diagnostics"]
        .as_array()
        .is_some_and(|d| !d.is_empty()));
    assert_valid(&schema(), report);
}

#[test]
fn a_report_without_findings_is_rejected() {
    let validator = schema();
    let mut report = check_json(&["fixtures/aleppo-omran"]).remove(0);
    report.as_object_mut().expect("object").remove("findings");
    assert!(
        !validator.is_valid(&report),
        "the schema must require findings"
    );
}
