//! CLI tests: the commands as a user runs them, their output, exit codes and
//! error messages. The acceptance points of the seed fixture are checked one
//! by one on the JSON output.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const FIXTURE: &str = "fixtures/aleppo-omran";

fn claimdiff() -> Command {
    let mut cmd = Command::cargo_bin("claimdiff").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR").env_remove("COLUMNS");
    cmd
}

fn json_report(args: &[&str]) -> Value {
    let out = claimdiff()
        .args(["check", FIXTURE, "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn finding<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["kind"] == kind))
        .unwrap_or_else(|| panic!("no finding for {kind}"))
}

fn value<'a>(finding: &'a Value, value: &str) -> &'a Value {
    finding["values"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["value"] == value))
        .unwrap_or_else(|| panic!("no value {value} in {}", finding["kind"]))
}

fn sources(value: &Value) -> Vec<String> {
    value["sources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or("").chars().take(3).collect())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn check_prints_the_table_sources_and_summary() {
    claimdiff()
        .args(["check", FIXTURE])
        .assert()
        .success()
        .stdout(predicate::str::contains("victim name"))
        .stdout(predicate::str::contains("conflict"))
        .stdout(predicate::str::contains("004_d0a73eaa55fd6ca0"))
        .stdout(predicate::str::contains(
            "across 4 sources; 1 source off-topic",
        ));
}

#[test]
fn victim_name_omar_is_a_conflict_traced_to_001() {
    let report = json_report(&[]);
    let name = finding(&report, "victim_name");
    assert_eq!(name["status"], "conflict");
    assert_eq!(sources(value(name, "Omar Daqneesh")), ["001"]);
    // "Omran" and "Omran Daqneesh" are one value, held by every on-topic source.
    assert_eq!(
        sources(value(name, "Omran Daqneesh")),
        ["000", "001", "002", "003"]
    );
    let spellings = &value(name, "Omran Daqneesh")["spellings"];
    assert!(spellings
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s == "Omran")));
    let omar = &value(name, "Omar Daqneesh")["claims"][0];
    assert!(omar["sentence"]
        .as_str()
        .is_some_and(|s| s.starts_with("His name is Omar Daqneesh")));
}

#[test]
fn hospital_m10_and_m2_share_a_row_that_is_not_agree() {
    let report = json_report(&[]);
    let hospital = finding(&report, "hospital");
    assert_ne!(hospital["status"], "agree");
    assert_eq!(sources(value(hospital, "M10")), ["001", "002"]);
    assert_eq!(sources(value(hospital, "M2")), ["000"]);
    assert!(hospital["note"]
        .as_str()
        .is_some_and(|n| n.contains("subjects differ")));
}

#[test]
fn children_injured_five_against_four_is_a_conflict() {
    let report = json_report(&[]);
    let children = finding(&report, "children_injured");
    assert_eq!(children["status"], "conflict");
    assert_eq!(sources(value(children, "5")), ["000", "001", "002"]);
    assert_eq!(sources(value(children, "4")), ["003"]);
}

#[test]
fn age_agrees_centre_center_is_a_variant_and_twelve_treated_agree() {
    let report = json_report(&[]);
    let age = finding(&report, "victim_age");
    assert_eq!(age["status"], "agree");
    assert_eq!(age["values"][0]["value"], "5");
    let amc = report["findings"]
        .as_array()
        .and_then(|f| {
            f.iter().find(|f| {
                f["kind"] == "reported_by"
                    && f["values"][0]["value"]
                        .as_str()
                        .is_some_and(|v| v.starts_with("Aleppo Media"))
            })
        })
        .expect("Aleppo Media Center finding");
    assert_eq!(amc["status"], "variant");
    let treated = finding(&report, "others_treated");
    assert_eq!(treated["status"], "agree");
    // "about 12" (001, 002) and "12" (000) are compatible intervals.
    let shown: Vec<&str> = treated["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["value"].as_str())
        .collect();
    assert_eq!(shown, ["~12", "12"]);
    assert_eq!(
        treated["values"][0]["claims"][0]["value"]["quantity"]["qualifier"],
        "approximate"
    );
    let injured = finding(&report, "people_injured");
    assert_eq!(
        (
            injured["status"].as_str(),
            injured["values"][0]["value"].as_str()
        ),
        (Some("agree"), Some("8"))
    );
}

#[test]
fn off_topic_source_is_marked_and_kept_out() {
    let report = json_report(&[]);
    let s004 = report["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "004_d0a73eaa55fd6ca0"))
        .expect("source 004");
    assert_eq!(s004["on_topic"], false);
    assert!(s004["off_topic_reason"]
        .as_str()
        .is_some_and(|r| r.contains("Al Quds")));
    let text = serde_json::to_string(&report["findings"]).expect("serialises");
    assert!(
        !text.contains("004_d0a73eaa55fd6ca0"),
        "004 leaked into the findings"
    );
}

#[test]
fn repeated_copy_and_boilerplate_give_no_claims() {
    let out = claimdiff()
        .args(["claims", FIXTURE, "--format", "json"])
        .output()
        .expect("runs");
    let claims: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let claims = claims["claims"].as_array().expect("claims");
    let text =
        fs::read_to_string(Path::new(FIXTURE).join("000_9f950cbd12229354.txt")).expect("read");
    let second_copy = text
        .rfind("Five-year-old Omran Daqneesh")
        .expect("second copy");
    for c in claims
        .iter()
        .filter(|c| c["source"] == "000_9f950cbd12229354")
    {
        assert!(
            c["start"]
                .as_u64()
                .is_some_and(|s| (s as usize) < second_copy),
            "claim from the repeated copy: {c}"
        );
    }
    for c in claims {
        let sentence = c["sentence"].as_str().unwrap_or("");
        for boiler in [
            "Picture:",
            "Photo /",
            "Join our",
            "Your support",
            "donation",
        ] {
            assert!(!sentence.contains(boiler), "claim from boilerplate: {c}");
        }
    }
    // Evidence offsets point at the claim's text in the file as read.
    for c in claims {
        let path = Path::new(FIXTURE).join(format!("{}.txt", c["source"].as_str().unwrap_or("")));
        let file = fs::read_to_string(path).expect("source file");
        let (start, end) = (
            c["start"].as_u64().unwrap_or(0) as usize,
            c["end"].as_u64().unwrap_or(0) as usize,
        );
        assert_eq!(file.get(start..end), c["text"].as_str(), "{c}");
    }
}

#[test]
fn output_is_deterministic() {
    let run = || {
        claimdiff()
            .args(["check", FIXTURE, "--format", "json", "--evidence"])
            .output()
            .expect("runs")
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn fail_on_conflict_exits_1_and_review_too() {
    claimdiff()
        .args(["check", FIXTURE, "--fail-on", "conflict"])
        .assert()
        .code(1);
    claimdiff()
        .args(["check", FIXTURE, "--fail-on", "review"])
        .assert()
        .code(1);
}

#[test]
fn out_writes_the_same_bytes_as_stdout() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("report.json");
    claimdiff()
        .args(["check", FIXTURE, "--format", "json", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let stdout = claimdiff()
        .args(["check", FIXTURE, "--format", "json"])
        .output()
        .expect("runs")
        .stdout;
    assert_eq!(fs::read(&out).expect("written"), stdout);
    // Nothing else (no temporary file) is left beside it.
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
}

/// `--out /dev/null` once renamed a temporary file over the device, turning
/// /dev/null into a regular file for every program after (the benchmark
/// script wrote there). A pipe stands in for the device here: written into,
/// still a pipe after.
#[cfg(unix)]
#[test]
fn out_to_a_pipe_writes_into_it_and_leaves_it_a_pipe() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp");
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(&fifo)
                .expect("open the pipe")
                .read_to_end(&mut bytes)
                .expect("read the pipe");
            bytes
        })
    };
    claimdiff()
        .args(["check", FIXTURE, "--format", "json", "--out"])
        .arg(&fifo)
        .assert()
        .success();
    // Before waiting for the reader: had the pipe been replaced, no writer
    // would ever open it, and the reader would wait for ever.
    let kind = fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "{kind:?}");
    let read = reader.join().expect("reader");
    let stdout = claimdiff()
        .args(["check", FIXTURE, "--format", "json"])
        .output()
        .expect("runs")
        .stdout;
    assert_eq!(read, stdout);
}

/// Through a symbolic link, the file it names is replaced, and the link
/// stays a link.
#[cfg(unix)]
#[test]
fn out_through_a_symlink_writes_the_file_it_names() {
    let dir = tempfile::tempdir().expect("temp");
    let real = dir.path().join("real.txt");
    let link = dir.path().join("link.txt");
    fs::write(&real, "old").expect("write");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    claimdiff()
        .args(["check", FIXTURE, "--format", "json", "--out"])
        .arg(&link)
        .assert()
        .success();
    assert!(fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(&real)
        .expect("real")
        .contains("\"findings\""));
}

#[test]
fn out_into_a_missing_folder_fails_cleanly() {
    claimdiff()
        .args(["check", FIXTURE, "--out", "/nonexistent-dir/report.txt"])
        .assert()
        .code(2)
        .stderr(
            "error: /nonexistent-dir/report.txt: cannot write output: no such file or directory \
             (hint: check that the folder exists and is writable)\n",
        );
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let plain = claimdiff()
        .args(["check", FIXTURE])
        .output()
        .expect("runs")
        .stdout;
    assert!(
        !plain.contains(&0x1b),
        "piped output must have no escape codes"
    );
    let coloured = claimdiff()
        .args(["check", FIXTURE, "--color", "always"])
        .output()
        .expect("runs")
        .stdout;
    assert!(coloured.contains(&0x1b));
    let no_color = claimdiff()
        .args(["check", FIXTURE, "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
        .stdout;
    assert!(!no_color.contains(&0x1b));
}

#[test]
fn columns_fits_the_table_to_a_width() {
    let out = claimdiff()
        .args(["check", FIXTURE])
        .env("COLUMNS", "100")
        .output()
        .expect("runs")
        .stdout;
    let text = String::from_utf8(out).expect("UTF-8");
    let widest = text
        .lines()
        .take_while(|l| !l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.chars().count())
        .max();
    assert!(widest.is_some_and(|w| w <= 100), "widest line {widest:?}");
}

#[test]
fn evidence_marks_the_span_in_its_sentence() {
    claimdiff()
        .args(["check", FIXTURE, "--evidence"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "His name is »Omar Daqneesh« and he is 5.",
        ));
}

#[test]
fn every_format_renders() {
    for format in ["table", "json", "yaml", "csv", "markdown"] {
        claimdiff()
            .args(["check", FIXTURE, "--format", format])
            .assert()
            .success();
        claimdiff()
            .args(["claims", FIXTURE, "--format", format])
            .assert()
            .success();
    }
    claimdiff()
        .args(["check", FIXTURE, "--format", "csv"])
        .assert()
        .stdout(predicate::str::starts_with(
            "cluster,kind,status,value,sources,note\n",
        ));
}

#[test]
fn several_clusters_at_once() {
    let out = claimdiff()
        .args(["check", FIXTURE, FIXTURE, "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stream: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("a stream of JSON objects");
    assert_eq!(stream.len(), 2);
    assert_eq!(stream[0], stream[1]);
}

#[test]
fn rules_test_passes_and_lists_every_rule() {
    claimdiff()
        .args(["rules", "test"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok    victim_name"))
        .stdout(predicate::str::is_match(r"(?m)^\d+ passed, 0 failed$").expect("regex"));
}

#[test]
fn rules_list_shows_kinds() {
    claimdiff()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("children_injured"));
}

// ---- error paths: one clear line naming the path, the rest still read ----

fn temp_cluster(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    for (name, bytes) in files {
        fs::write(dir.path().join(name), bytes).expect("write");
    }
    dir
}

const GOOD: &[u8] = b"Omran, 5, was injured in the strike. He was taken to the M10 hospital.";

#[test]
fn missing_directory() {
    claimdiff()
        .args(["check", "no/such/cluster"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: no/such/cluster: cannot read cluster: no such file or directory",
        ));
}

#[test]
fn empty_directory() {
    let dir = tempfile::tempdir().expect("temp");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no sources: the directory has no .txt or .md files",
        ));
}

#[test]
fn non_utf8_file_is_decoded_with_a_warning_naming_the_encoding() {
    let dir = temp_cluster(&[
        ("a.txt", GOOD),
        ("b.txt", b"Caf\xe9 au lait in Aleppo."),
        ("c.txt", GOOD),
    ]);
    let decoded = dir.path().join("b.txt");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(format!(
            "warning: {}: not UTF-8; read as windows-1252 (detected) (hint: if the text looks wrong, convert the file to UTF-8, e.g. `iconv -f ENCODING -t utf-8`)\n",
            decoded.display()
        ))
        .stdout(predicate::str::contains("across 3 sources"));
}

#[test]
fn binary_file_is_skipped_and_the_rest_is_checked() {
    let dir = temp_cluster(&[
        ("a.txt", GOOD),
        ("img.txt", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("c.txt", GOOD),
    ]);
    // Exit code 3: the report was written, but a file was skipped.
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "img.txt: binary file (a PNG image); skipped",
        ))
        .stdout(predicate::str::contains("across 2 sources"));
}

fn rule_dir(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join(name), text).expect("write rule");
    dir
}

#[test]
fn bad_rule_unknown_field_names_file_line_column_and_rule() {
    let dir = rule_dir(
        "hospital.yaml",
        "kind: hospital\ndescription: d\nvalue_type: organisation\npatern: ['x']\n",
    );
    let file: PathBuf = dir.path().join("hospital.yaml");
    claimdiff()
        .args(["check", FIXTURE, "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(format!(
            "error: {}:4:1: rule 'hospital': unknown field `patern`, expected one of",
            file.display()
        )));
}

#[test]
fn bad_rule_regex_names_file_line_column_and_rule() {
    let dir = rule_dir(
        "crowd.yaml",
        "kind: crowd\ndescription: d\nvalue_type: count\npatterns:\n  - '(?P<value>{number} people'\nexamples: [{text: '5 people', value: '5'}]\nmust_not_match: ['none']\n",
    );
    claimdiff()
        .args(["rules", "test"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "crowd.yaml:5:6: rule 'crowd': bad regex",
        ));
}

#[test]
fn a_rule_directory_adds_kinds_and_its_failing_examples_fail() {
    let dir = rule_dir(
        "crowd.yaml",
        "kind: crowd\ndescription: How many people gathered.\nvalue_type: count\npatterns:\n  - '(?P<value>{number}) (?i:people|protesters) (?i:gathered|marched)'\nexamples: [{text: 'Some 300 protesters marched.', value: '300'}, {text: 'Five people gathered.', value: '6'}]\nmust_not_match: ['The crowd dispersed.']\n",
    );
    claimdiff()
        .args(["rules", "test"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL  crowd"))
        .stdout(predicate::str::contains(
            "expected value \"6\", found [\"5\"]",
        ));
}

#[test]
fn manifest_pointing_outside_its_folder() {
    let dir = temp_cluster(&[("a.txt", GOOD), ("b.txt", GOOD)]);
    fs::write(
        dir.path().join("cluster.yaml"),
        "sources:\n  - path: a.txt\n  - path: ../../etc/passwd\n  - path: b.txt\n    outlet: Example News\n",
    )
    .expect("write manifest");
    let manifest = dir.path().join("cluster.yaml");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .arg("--format=json")
        .assert()
        .code(3)
        .stderr(format!(
            "error: {}:3:11: source path '../../etc/passwd' leaves the cluster folder; skipped (hint: list files inside the folder that holds cluster.yaml, with relative paths)\n",
            manifest.display()
        ))
        .stdout(predicate::str::contains("\"outlet\": \"Example News\""));
}

#[test]
fn usage_errors_exit_2() {
    claimdiff().arg("check").assert().code(2);
    claimdiff()
        .args(["check", FIXTURE, "--format", "xml"])
        .assert()
        .code(2);
    claimdiff()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"));
}

#[cfg(unix)]
#[test]
fn out_files_are_ordinary_files_not_private_temporaries() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("report.txt");
    claimdiff()
        .args(["check", FIXTURE, "--out"])
        .arg(&out)
        .assert()
        .success();
    let mode = fs::metadata(&out).expect("written").permissions().mode() & 0o777;
    assert_ne!(
        mode & 0o044,
        0,
        "mode {mode:o}: others cannot read the report"
    );
}

#[test]
fn unknown_lang_is_an_error_listing_the_known_ones() {
    claimdiff()
        .args(["check", FIXTURE, "--lang", "xx"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: --lang xx: no lexicon for this language (hint: use auto or one of: de, en, es, fr, or add lang/xx.yaml to a --rules directory)\n",
        );
}

#[test]
fn a_folder_of_empty_files_says_each_was_skipped() {
    let dir = temp_cluster(&[("a.txt", b""), ("b.txt", b"")]);
    let out = claimdiff()
        .arg("check")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing to report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("file is empty; skipped").count(),
        2,
        "{stderr}"
    );
    assert!(
        stderr.contains("no usable sources: every file was skipped"),
        "{stderr}"
    );
}

#[test]
fn rules_list_csv_is_csv() {
    claimdiff()
        .args(["rules", "list", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "kind,type,cardinality,lang,patterns,examples,must_not_match,description\n",
        ));
}

#[test]
fn a_stray_rule_file_is_reported_not_silently_ignored() {
    let dir = tempfile::tempdir().expect("temp");
    fs::create_dir(dir.path().join("extra")).expect("mkdir");
    fs::write(dir.path().join("extra").join("x.yaml"), "kind: x\n").expect("write");
    claimdiff()
        .args(["rules", "list", "--rules"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "extra/x.yaml: not read: rule files live at the top",
        ));
}

#[test]
fn dropped_text_is_listed_with_its_reason() {
    let report = json_report(&[]);
    let s000 = &report["sources"][0];
    let reasons: Vec<&str> = s000["dropped"]
        .as_array()
        .map(|d| d.iter().filter_map(|x| x["reason"].as_str()).collect())
        .unwrap_or_default();
    assert!(reasons.contains(&"duplicate"), "{reasons:?}");
    assert!(
        reasons.contains(&"boilerplate:donation-appeal"),
        "{reasons:?}"
    );
}

#[test]
fn a_cluster_in_four_languages_is_read_and_compared_across_them() {
    let dir = temp_cluster(&[
        ("de.txt", "Der fünfjährige Omran Daqneesh wurde am Mittwochabend bei einem Luftangriff in Aleppo verletzt. Er wurde in das Krankenhaus M10 gebracht. Vier weitere Kinder wurden ebenfalls verletzt, sagten Ärzte.".as_bytes()),
        ("en.txt", b"Five-year-old Omran Daqneesh was injured in an airstrike in Aleppo on Wednesday evening. He was taken to the M10 hospital. Four other children were also injured, doctors said."),
        ("es.txt", "Omran Daqneesh, de cinco años, resultó herido el miércoles por la noche en un bombardeo en Alepo. Fue trasladado al hospital M10. Otros cuatro niños también resultaron heridos, según los médicos.".as_bytes()),
        ("fr.txt", "Omran Daqneesh, 5 ans, a été blessé mercredi soir lors d'une frappe aérienne à Alep. Il a été transporté à l'hôpital M10. Quatre autres enfants ont également été blessés, selon des médecins.".as_bytes()),
    ]);
    let out = claimdiff()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let langs: Vec<(&str, &str)> = report["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or(""),
                s["lang"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        langs,
        [("de", "de"), ("en", "en"), ("es", "es"), ("fr", "fr")]
    );
    for (kind, value) in [
        ("victim_name", "Omran Daqneesh"),
        ("victim_age", "5"),
        ("hospital", "M10"),
        ("incident_day", "Wednesday"),
        ("children_injured", "5"),
    ] {
        let f = finding(&report, kind);
        assert_eq!(f["status"], "agree", "{kind}: {f}");
        assert_eq!(f["values"][0]["value"], value, "{kind}");
        assert_eq!(sources(&f["values"][0]), ["de", "en", "es", "fr"], "{kind}");
    }
}

#[test]
fn lang_names_one_language_for_every_source() {
    let dir = temp_cluster(&[("a.txt", GOOD), ("b.txt", GOOD)]);
    let out = claimdiff()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json", "--lang", "fr"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(report["sources"]
        .as_array()
        .is_some_and(|s| s.iter().all(|s| s["lang"] == "fr")));
}

#[test]
fn count_findings_carry_low_best_and_high() {
    let report = json_report(&[]);
    let children = finding(&report, "children_injured");
    let counts = &children["counts"];
    assert_eq!(
        (
            counts["low"]["value"].as_str(),
            counts["low"]["sources"].as_u64(),
            counts["best"]["value"].as_str(),
            counts["best"]["sources"].as_u64(),
            counts["high"]["value"].as_str()
        ),
        (Some("4"), Some(1), Some("5"), Some(3), Some("5"))
    );
}

#[test]
fn numbers_lists_every_quantity_with_its_interval_and_span() {
    let dir = temp_cluster(&[(
        "a.txt",
        "Officials said more than 300,000 people fled. About 12 children, including 5-year-olds, \
         were treated at the M10 hospital in Section 427. Between 3 and 5 men were held. \
         Call 555-1234 before 8:30 pm on August 17, 2016."
            .as_bytes(),
    )]);
    let file = dir.path().join("a.txt");
    let out = claimdiff()
        .args(["numbers", "--format", "json"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let rows: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = rows.as_array().expect("an array");
    let text = std::fs::read_to_string(&file).expect("read");
    let got: Vec<(String, String, Option<String>)> = rows
        .iter()
        .map(|r| {
            let (s, e) = (
                r["start"].as_u64().unwrap_or(0) as usize,
                r["end"].as_u64().unwrap_or(0) as usize,
            );
            assert_eq!(r["text"].as_str(), Some(&text[s..e]));
            assert_eq!(r["source"].as_str(), file.to_str());
            (
                r["text"].as_str().unwrap_or("").to_string(),
                r["qualifier"].as_str().unwrap_or("").to_string(),
                r["unit"].as_str().map(String::from),
            )
        })
        .collect();
    let want = [
        ("more than 300,000", "lower_bound", Some("people")),
        ("About 12", "approximate", Some("children")),
        ("5", "exact", Some("year")),
        ("Between 3 and 5", "range", Some("men")),
    ];
    let want: Vec<(String, String, Option<String>)> = want
        .iter()
        .map(|(t, q, u)| (t.to_string(), q.to_string(), u.map(String::from)))
        .collect();
    assert_eq!(got, want);
    assert_eq!(rows[0]["value"], 300000.0);
    assert_eq!(rows[0]["low"], 300001.0);
    assert!(rows[0]["high"].is_null());
    assert_eq!(
        (rows[3]["low"].as_f64(), rows[3]["high"].as_f64()),
        (Some(3.0), Some(5.0))
    );
    assert!(rows[3].get("value").is_none());
}

#[test]
fn the_tweet_is_attributed_to_its_author_and_the_correction_supersedes_it() {
    let report = json_report(&[]);
    let name = finding(&report, "victim_name");
    assert_eq!(name["status"], "conflict");
    assert_eq!(name["corrected_to"], "Omran");
    let omar = value(name, "Omar Daqneesh");
    assert_eq!(omar["superseded"], true);
    let claim = &omar["claims"][0];
    assert_eq!(claim["modality"], "quoted");
    assert_eq!(claim["attribution"]["via"], "post");
    assert_eq!(claim["attribution"]["by"], "Raf Sanchez (@rafsanchez)");
    // The correction is evidence: the claim that says it, in 003.
    let corrected: Vec<&Value> = name["values"]
        .as_array()
        .expect("values")
        .iter()
        .flat_map(|v| v["claims"].as_array().expect("claims").iter())
        .filter(|c| c["modality"] == "corrected")
        .collect();
    assert_eq!(corrected.len(), 1);
    assert_eq!(corrected[0]["source"], "003_72fe84e75b0e2be2");
    assert!(corrected[0]["sentence"]
        .as_str()
        .is_some_and(|s| s.contains("later corrected by doctors to Omran")));
    let table = String::from_utf8(
        claimdiff()
            .args(["check", "fixtures/aleppo-omran"])
            .env("COLUMNS", "250")
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("UTF-8");
    assert!(
        table.contains("Omar Daqneesh [post @rafsanchez] [superseded]"),
        "{table}"
    );
    assert!(table.contains("Omar Daqneesh corrected to Omran by 003_72fe84e75b0e2be2"));
}

#[test]
fn quotes_and_reports_are_attributed_to_who_says_them() {
    let dir = temp_cluster(&[
        (
            "a.txt",
            "\"Five children were injured in the blast,\" said Dr Hamza al-Khatib, the hospital's director.\n\nAccording to SANA, 12 people were killed in the attack.\n"
                .as_bytes(),
        ),
        (
            "b.txt",
            "An earlier version of this article said six children were injured in the blast. Four children were injured in the blast.\n"
                .as_bytes(),
        ),
    ]);
    let out = claimdiff()
        .args(["claims", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let claims = report["claims"].as_array().expect("claims");
    let find = |source: &str, kind: &str, value: &str| {
        claims
            .iter()
            .find(|c| c["source"] == source && c["kind"] == kind && c["value"]["display"] == value)
            .unwrap_or_else(|| panic!("{source} {kind} {value}: {claims:?}"))
    };
    let quoted = find("a", "children_injured", "5");
    assert_eq!(quoted["modality"], "quoted");
    assert_eq!(quoted["attribution"]["via"], "quote");
    assert_eq!(quoted["attribution"]["by"], "Dr Hamza al-Khatib");
    let killed = find("a", "people_killed", "12");
    assert_eq!(killed["modality"], "reported");
    assert_eq!(killed["attribution"]["by"], "SANA");
    assert_eq!(find("b", "children_injured", "6")["modality"], "superseded");
    assert_eq!(find("b", "children_injured", "4")["modality"], "reported");
}
