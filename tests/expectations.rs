//! Every fixture with an `expected.yaml` meets it, checked the way a CI job
//! checks a curated cluster: `claimdiff check CLUSTER --expect FILE`, which
//! compares the kinds, statuses, values (with their sources), corrections,
//! count summaries and off-topic sources a careful fact-checker reads in
//! that cluster (see `src/expect.rs`).

use std::path::Path;

use assert_cmd::Command;

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
        let out = Command::cargo_bin("claimdiff")
            .expect("binary")
            .arg("check")
            .arg(dir)
            .arg("--expect")
            .arg(dir.join("expected.yaml"))
            .args(["--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 1, "no fixture has an expected.yaml");
}
