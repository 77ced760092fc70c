//! `claimdiff batch` as a user runs it (JSON lines in, one report per line
//! out, bad lines answered by error objects and named on stderr), and the
//! promise of `--jobs`: `check` over many clusters and `batch` give the same
//! bytes on one thread as on several.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use claimdiff::load::{load_cluster, LoadOptions};
use serde_json::{json, Value};

fn claimdiff() -> Command {
    let mut cmd = Command::cargo_bin("claimdiff").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR").env_remove("COLUMNS");
    cmd
}

/// The fixture clusters a batch can hold (not the hostile ones).
const FIXTURES: [&str; 4] = [
    "fixtures/aleppo-omran",
    "fixtures/ecbplus-bank-bombings",
    "fixtures/ecbplus-topic-32",
    "fixtures/ecbplus-topic-33",
];

/// A fixture cluster as one batch line: its name, and each source's id,
/// text and manifest metadata.
fn line_of(dir: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cluster = load_cluster(&root.join(dir), LoadOptions::default()).expect("fixture loads");
    let sources: Vec<Value> = cluster
        .sources
        .iter()
        .map(|s| {
            let mut source = json!({"id": s.id, "text": s.text});
            for (key, value) in [
                ("outlet", &s.meta.outlet),
                ("url", &s.meta.url),
                ("published", &s.meta.published),
            ] {
                if let Some(value) = value {
                    source[key] = json!(value);
                }
            }
            source
        })
        .collect();
    json!({"cluster": cluster.name, "sources": sources}).to_string()
}

fn fixture_lines() -> String {
    FIXTURES.iter().map(|d| line_of(d) + "\n").collect()
}

fn run_batch(input: &str, args: &[&str]) -> (i32, String, String) {
    let out = claimdiff()
        .arg("batch")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 messages"),
    )
}

fn parse_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// What a report concludes, without paths: the summary and each finding's
/// kind, status and values with their sources.
fn conclusions(report: &Value) -> Value {
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let values: Vec<Value> = f["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|v| json!([v["value"], v["sources"], v["spellings"]]))
                .collect();
            json!([f["event"], f["kind"], f["status"], f["note"], values])
        })
        .collect();
    let sources: Vec<Value> = report["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| json!([s["id"], s["title"], s["claims"], s["on_topic"], s["outlet"]]))
        .collect();
    json!({"summary": report["summary"], "sources": sources, "findings": findings})
}

#[test]
fn each_line_gets_the_report_check_makes_for_the_same_cluster() {
    let (code, out, err) = run_batch(&fixture_lines(), &[]);
    assert_eq!(code, 0, "{err}");
    let reports = parse_lines(&out);
    assert_eq!(reports.len(), FIXTURES.len());
    for (dir, report) in FIXTURES.iter().zip(&reports) {
        let checked = claimdiff()
            .args(["check", dir, "--format", "json"])
            .output()
            .expect("runs");
        let checked: Value = serde_json::from_slice(&checked.stdout).expect("JSON");
        assert_eq!(report["schema"], "claimdiff/1");
        assert_eq!(report["cluster"], checked["cluster"], "{dir}");
        assert_eq!(conclusions(report), conclusions(&checked), "{dir}");
        // The texts never were files: a batch report's paths are ids.
        assert_eq!(report["path"], report["cluster"]);
    }
    // One compact line per report.
    assert_eq!(out.lines().count(), FIXTURES.len());
}

#[test]
fn bad_lines_are_named_answered_in_place_and_exit_3() {
    let good = line_of("fixtures/aleppo-omran");
    let input = [
        good.as_str(),
        "{\"cluster\": \"broken\", \"sources\": [",
        "",
        r#"{"cluster": "dup", "sources": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}"#,
        r#"{"cluster": "none", "sources": []}"#,
        r#"{"cluster": "blank", "sources": [{"id": "a", "text": "  "}]}"#,
        r#"{"sources": [{"id": "a", "text": "x"}]}"#,
        good.as_str(),
    ]
    .join("\n");
    let (code, out, err) = run_batch(&input, &[]);
    assert_eq!(code, 3, "{err}");
    let lines = parse_lines(&out);
    // Seven non-blank lines in, seven lines out, in order.
    assert_eq!(lines.len(), 7, "{out}");
    assert_eq!(lines[0]["schema"], "claimdiff/1");
    assert_eq!(lines[6]["schema"], "claimdiff/1");
    assert_eq!(lines[0], lines[6]);
    let errors: Vec<(Value, Value)> = lines[1..6]
        .iter()
        .map(|l| (l["cluster"].clone(), l["line"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (json!(null), json!(2)),
            (json!("dup"), json!(4)),
            (json!("none"), json!(5)),
            (json!("blank"), json!(6)),
            (json!(null), json!(7)),
        ]
    );
    assert!(lines[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("duplicate source id")));
    assert!(lines[2]["hint"].is_string());
    for expected in [
        "error: <stdin>:2:",
        "invalid JSON: EOF while parsing a list",
        "error: <stdin>:4: sources[1] ('a'): duplicate source id; line skipped (hint: give each source its own `id`)",
        "error: <stdin>:5: no sources: `sources` is empty",
        "error: <stdin>:6: sources[0] ('a'): the text is empty; line skipped",
        "error: <stdin>:7:",
        "missing field `cluster`",
    ] {
        assert!(err.contains(expected), "{expected} not in:\n{err}");
    }
    assert_eq!(err.lines().count(), 5, "{err}");
}

#[test]
fn empty_input_is_no_output_and_success() {
    for input in ["", "\n\n  \n"] {
        let (code, out, err) = run_batch(input, &[]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    }
}

#[test]
fn a_file_and_stdin_give_the_same_bytes_and_out_is_written_whole() {
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("clusters.jsonl");
    fs::write(&input, fixture_lines()).expect("write");
    let (code, from_stdin, _) = run_batch(&fixture_lines(), &["-"]);
    assert_eq!(code, 0);
    let from_file = claimdiff()
        .args(["batch"])
        .arg(&input)
        .output()
        .expect("runs");
    assert!(from_file.status.success());
    assert_eq!(String::from_utf8_lossy(&from_file.stdout), from_stdin);
    let out = dir.path().join("reports.jsonl");
    claimdiff()
        .arg("batch")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert_eq!(fs::read_to_string(&out).expect("written"), from_stdin);
    // A missing input is an error before anything is written.
    claimdiff()
        .args(["batch", "no-such.jsonl", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "error: no-such.jsonl: cannot read input: no such file or directory",
        ));
    assert_eq!(fs::read_to_string(&out).expect("kept"), from_stdin);
}

#[test]
fn fail_on_conflict_fails_a_batch_with_conflicts() {
    let input = line_of("fixtures/aleppo-omran") + "\n";
    assert_eq!(run_batch(&input, &["--fail-on", "conflict"]).0, 1);
    // A skipped line wins over findings, as in check.
    let input = input + "nonsense\n";
    assert_eq!(run_batch(&input, &["--fail-on", "conflict"]).0, 3);
}

/// Clusters in other languages, placed after the English ones, so that on
/// one thread the rules grow in a later chunk than on three.
fn foreign_clusters(root: &Path) -> Vec<PathBuf> {
    let texts = [
        (
            "de-angriff",
            [
                "Bei dem Angriff in Aleppo wurden fünf Kinder verletzt. Die Kinder wurden in das Krankenhaus M10 gebracht, sagte ein Arzt.",
                "Vier weitere Kinder, eine Frau und zwei Männer wurden bei demselben Angriff ebenfalls verletzt. Das Krankenhaus M2 nahm sie auf.",
            ],
        ),
        (
            "fr-frappe",
            [
                "Le même jour, l'agence SANA a rapporté que 10 civils avaient été tués par des tirs de roquettes rebelles à Alep.",
                "Selon l'agence, 12 civils ont été tués et les blessés ont été transportés à l'hôpital M10 d'Alep.",
            ],
        ),
    ];
    texts
        .iter()
        .map(|(name, articles)| {
            let dir = root.join(name);
            fs::create_dir_all(&dir).expect("dir");
            for (i, text) in articles.iter().enumerate() {
                fs::write(dir.join(format!("{i}.txt")), text).expect("write");
            }
            dir
        })
        .collect()
}

/// Every fixture cluster but the hostile ones, twice under other names so
/// that there are more clusters than one thread's chunk (4) holds, then the
/// foreign clusters.
fn many_clusters(root: &Path) -> Vec<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut clusters = Vec::new();
    for copy in 0..2 {
        for fixture in FIXTURES {
            let from = here.join(fixture);
            let to = root.join(format!(
                "{}-{copy}",
                fixture.trim_start_matches("fixtures/")
            ));
            fs::create_dir_all(&to).expect("dir");
            for entry in fs::read_dir(&from).expect("fixture").flatten() {
                fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
            }
            clusters.push(to);
        }
    }
    clusters.extend(foreign_clusters(root));
    clusters
}

#[test]
fn check_gives_the_same_bytes_on_one_thread_as_on_several() {
    let dir = tempfile::tempdir().expect("temp");
    let clusters = many_clusters(dir.path());
    for format in ["table", "json", "csv"] {
        let run = |jobs: &str| {
            let out = claimdiff()
                .arg("check")
                .args(&clusters)
                .args(["--format", format, "--jobs", jobs])
                .output()
                .expect("runs");
            (out.status.code(), out.stdout, out.stderr)
        };
        let one = run("1");
        assert_eq!(one.0, Some(0), "{}", String::from_utf8_lossy(&one.2));
        assert!(!one.1.is_empty());
        for jobs in ["2", "3"] {
            assert!(run(jobs) == one, "{format} with --jobs {jobs} differs");
        }
    }
}

#[test]
fn batch_gives_the_same_bytes_on_one_thread_as_on_several() {
    let dir = tempfile::tempdir().expect("temp");
    // More lines than one thread's chunk (32) before the foreign ones.
    let mut input = fixture_lines();
    let aleppo: Value = serde_json::from_str(&line_of(FIXTURES[0])).expect("JSON");
    for copy in 0..30 {
        let mut line = aleppo.clone();
        line["cluster"] = json!(format!("aleppo-{copy}"));
        input.push_str(&line.to_string());
        input.push('\n');
        if copy == 10 {
            input.push_str("a bad line in the middle\n");
        }
    }
    for foreign in foreign_clusters(dir.path()) {
        input.push_str(&line_of(&foreign.to_string_lossy()));
        input.push('\n');
    }
    let one = run_batch(&input, &["--jobs", "1"]);
    assert_eq!(one.0, 3, "{}", one.2);
    assert_eq!(one.1.lines().count(), FIXTURES.len() + 30 + 1 + 2);
    for jobs in ["2", "3"] {
        assert!(
            run_batch(&input, &["--jobs", jobs]) == one,
            "--jobs {jobs} differs"
        );
    }
}

#[test]
fn jobs_must_be_at_least_one() {
    claimdiff()
        .args(["check", "fixtures/aleppo-omran", "--jobs", "0"])
        .assert()
        .code(2);
}
