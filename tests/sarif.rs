//! `check --format sarif`: every fixture cluster's log validates against the
//! published SARIF 2.1.0 schema (`tests/data/sarif-schema-2.1.0.json`, see
//! `tests/data/README.md`), and its results point at the right text.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    );
    let mut schema: Value =
        serde_json::from_str(&fs::read_to_string(path).expect("schema file")).expect("JSON");
    // The published schema's `language` patterns have a stray `]`
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which the validator's
    // strict ECMA-262 check of the schema itself rejects. The file stays as
    // published; here the patterns read as meant (our logs set no language).
    assert_eq!(fix_language_patterns(&mut schema), 2);
    // Formats are checked too: `uri` and `uri-reference` for the artifacts.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

/// Replaces the published schema's malformed language pattern wherever it
/// is; returns how many it replaced.
fn fix_language_patterns(schema: &mut Value) -> usize {
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match schema {
        Value::Object(map) => {
            let mut fixed = 0;
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == BAD {
                    *value = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    fixed += 1;
                } else {
                    fixed += fix_language_patterns(value);
                }
            }
            fixed
        }
        Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}

fn sarif(args: &[&str]) -> Value {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Every fixture cluster (`fixtures/hostile` holds bad-input cases).
fn fixtures() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut names: Vec<String> = fs::read_dir(&root)
        .expect("fixtures/")
        .flatten()
        .filter(|e| e.path().is_dir() && e.file_name() != "hostile")
        .map(|e| format!("fixtures/{}", e.file_name().to_string_lossy()))
        .collect();
    names.sort();
    assert!(names.len() >= 4);
    names
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
}

#[test]
fn every_fixture_log_validates_against_the_sarif_schema() {
    let validator = validator();
    for cluster in fixtures() {
        let log = sarif(&[&cluster]);
        assert_valid(&validator, &log);
        assert_eq!(log["runs"].as_array().map(Vec::len), Some(1), "{cluster}");
    }
    // Several clusters: still one run.
    let all = fixtures();
    let args: Vec<&str> = all.iter().map(String::as_str).collect();
    let log = sarif(&args);
    assert_valid(&validator, &log);
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
}

#[test]
fn an_invalid_log_is_rejected_by_the_schema() {
    let validator = validator();
    let mut log = sarif(&["fixtures/aleppo-omran"]);
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&log), "the schema must check levels");
}

#[test]
fn conflicts_are_errors_and_reviews_warnings_located_in_the_sources() {
    let log = sarif(&["fixtures/aleppo-omran"]);
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let results = run["results"].as_array().expect("results");
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().expect("ruleId"),
                r["level"].as_str().expect("level"),
            )
        })
        .collect();
    assert!(levels.contains(&("victim_name", "error")), "{levels:?}");
    assert!(levels.contains(&("hospital", "warning")), "{levels:?}");
    assert!(
        !levels.iter().any(|(k, _)| *k == "people_injured"),
        "agree is no result"
    );
    // Each rule a result uses is described once, and ruleIndex points at it.
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["claimdiffFinding/v1"]
            .as_str()
            .is_some_and(|f| f.len() == 64));
    }
    // The victim_name result points at "Omar Daqneesh" in the tweet of 001.
    let name = results
        .iter()
        .find(|r| r["ruleId"] == "victim_name")
        .expect("victim_name");
    let omar = name["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .find(|l| {
            l["physicalLocation"]["region"]["snippet"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("Omar"))
        })
        .expect("a location for Omar");
    let location = &omar["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
    assert_eq!(uri, "fixtures/aleppo-omran/001_aae69e276cca8b1c.txt");
    // The region's line and columns find the snippet in the file.
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(uri)).expect("read");
    let region = &location["region"];
    let line_no = region["startLine"].as_u64().expect("line") as usize;
    let line: Vec<u16> = text
        .split('\n')
        .nth(line_no - 1)
        .expect("line")
        .encode_utf16()
        .collect();
    let (start, end) = (
        region["startColumn"].as_u64().expect("col") as usize - 1,
        region["endColumn"].as_u64().expect("col") as usize - 1,
    );
    assert_eq!(region["endLine"], region["startLine"]);
    assert_eq!(
        String::from_utf16(&line[start..end]).expect("UTF-16"),
        region["snippet"]["text"].as_str().expect("snippet")
    );
    assert!(name["message"]["text"]
        .as_str()
        .is_some_and(|m| m.contains("Omar Daqneesh") && m.contains("superseded")));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let run = || {
        Command::cargo_bin("claimdiff")
            .expect("binary")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", "fixtures/ecbplus-topic-32", "--format", "sarif"])
            .output()
            .expect("runs")
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn other_commands_refuse_sarif_with_exit_2() {
    Command::cargo_bin("claimdiff")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["claims", "fixtures/aleppo-omran", "--format", "sarif"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--format sarif is for `check`"));
}
