//! `check --expect FILE` and `--write-expect FILE`: drift is listed on
//! stderr and exits with 1 while the report still goes to stdout, a written
//! file is met by the run that wrote it, a bad file is an error at its line
//! and column, and a file holds the findings of one cluster only.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const CLUSTER: &str = "fixtures/aleppo-omran";

fn claimdiff() -> Command {
    let mut cmd = Command::cargo_bin("claimdiff").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn drift_is_listed_on_stderr_and_exits_with_1() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("expected.yaml");
    fs::write(
        &file,
        "cluster: aleppo-omran
findings:
  - kind: victim_name
    status: agree
    corrected_to: Omar
  - kind: hospital
    status: review
    note_contains: another hospital
    values:
      - value: M10
        sources: [001_aae69e276cca8b1c]
      - value: M7
        sources: [000_9f950cbd12229354]
  - kind: children_injured
    status: conflict
    counts: {low: 3, best: 5}
  - kind: people_killed
    status: single
  - kind: rescuer
    status: agree
sources:
  - id: 004_d0a73eaa55fd6ca0
    on_topic: true
  - id: 005_gone
    on_topic: true
",
    )
    .expect("write");
    let out = claimdiff()
        .args(["check", CLUSTER, "--format", "json", "--expect"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The report still goes to stdout.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["cluster"], "aleppo-omran");
    let f = file.display().to_string();
    let expected = [
        "victim_name: status agree, now conflict".to_string(),
        "victim_name: corrected_to Omar, now Omran".into(),
        "hospital: note lacks \"another hospital\", now \"subjects differ: M2 is about another child\"".into(),
        "hospital: value \"M10\": sources [001_aae69e276cca8b1c], now [001_aae69e276cca8b1c, 002_a8f85b28979d145e]".into(),
        "hospital: - missing value \"M7\" [000_9f950cbd12229354]".into(),
        "hospital: + new value \"M2\" [000_9f950cbd12229354]".into(),
        "children_injured: counts low 3, now 4".into(),
        "- missing finding rescuer (agree)".into(),
        "source 004_d0a73eaa55fd6ca0: on_topic true, now false".into(),
        "- missing source 005_gone".into(),
        format!("10 differences from the expected findings (if the new findings are right, accept them with --write-expect {f})"),
    ]
    .map(|line| format!("{f}: {line}"));
    assert_eq!(stderr(&out), expected.join("\n") + "\n");
}

#[test]
fn written_expectations_are_met_and_then_pin_every_finding() {
    for cluster in [
        CLUSTER,
        "fixtures/ecbplus-bank-bombings",
        "fixtures/ecbplus-topic-33",
    ] {
        let dir = tempfile::tempdir().expect("temp");
        let file = dir.path().join("expected.yaml");
        let out = claimdiff()
            .args(["check", cluster, "--write-expect"])
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains("wrote"), "{}", stderr(&out));
        let first = fs::read_to_string(&file).expect("written");
        assert!(first.contains("exhaustive: true"));
        let out = claimdiff()
            .args(["check", cluster, "--expect"])
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{cluster}: {}", stderr(&out));
        // Writing again gives the same bytes.
        claimdiff()
            .args(["check", cluster, "--write-expect"])
            .arg(&file)
            .assert()
            .code(0);
        assert_eq!(fs::read_to_string(&file).expect("read"), first);
    }
}

#[test]
fn an_exhaustive_file_reports_new_findings_and_sources() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("expected.yaml");
    fs::write(
        &file,
        "cluster: aleppo-omran\nexhaustive: true\nfindings:\n  - kind: victim_name\n    status: conflict\nsources:\n  - id: 000_9f950cbd12229354\n    on_topic: true\n",
    )
    .expect("write");
    let out = claimdiff()
        .args(["check", CLUSTER, "--expect"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(": + new finding children_injured \"5\" in e1 (conflict)\n"),
        "{err}"
    );
    assert!(
        err.contains(": + new source 004_d0a73eaa55fd6ca0 (on_topic false)\n"),
        "{err}"
    );
}

#[test]
fn a_bad_expectations_file_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("expected.yaml");
    fs::write(&file, "findings:\n  - kind: hospital\n    stauts: review\n").expect("write");
    let out = claimdiff()
        .args(["check", CLUSTER, "--expect"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "no report for a bad expectations file"
    );
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error: {}:3:5: bad expectations file: findings[0]: unknown field `stauts`",
            file.display()
        )),
        "{err}"
    );
    // A file that is not there says how to make one.
    let out = claimdiff()
        .args(["check", CLUSTER, "--expect", "no/such/expected.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--write-expect"), "{}", stderr(&out));
}

#[test]
fn expectations_are_for_one_cluster() {
    for flag in ["--expect", "--write-expect"] {
        let out = claimdiff()
            .args([
                "check",
                CLUSTER,
                "fixtures/ecbplus-topic-32",
                flag,
                "expected.yaml",
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        assert!(
            stderr(&out).contains(&format!(
                "{flag} holds the findings of one cluster, and 2 clusters were given"
            )),
            "{}",
            stderr(&out)
        );
    }
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("expected.yaml")
        .exists());
    // And one flag at a time.
    claimdiff()
        .args([
            "check",
            CLUSTER,
            "--expect",
            "a.yaml",
            "--write-expect",
            "b.yaml",
        ])
        .assert()
        .code(2);
}

#[test]
fn expectations_are_not_written_from_a_cluster_that_lost_input() {
    let dir = tempfile::tempdir().expect("temp");
    let cluster = dir.path().join("c");
    fs::create_dir(&cluster).expect("mkdir");
    fs::write(
        cluster.join("a.txt"),
        "Omran, 5, was injured in the strike.",
    )
    .expect("write");
    fs::write(cluster.join("b.txt"), b"\x00\x01binary").expect("write");
    let file = dir.path().join("expected.yaml");
    let out = claimdiff()
        .arg("check")
        .arg(&cluster)
        .arg("--write-expect")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("expectations not written"));
    assert!(!file.exists());
}
