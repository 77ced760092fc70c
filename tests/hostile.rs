//! Bad and hostile input, end to end: one case per folder of
//! `fixtures/hostile/` (or built here, when it needs symbolic links, file
//! modes or huge content), each with its exact messages and exit code.
//!
//! Exit codes: 0 all read, 2 nothing could be checked, 3 a report was
//! written but some input was skipped (see `claimdiff --help`).

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn claimdiff() -> Command {
    let mut cmd = Command::cargo_bin("claimdiff").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR").env_remove("COLUMNS");
    cmd
}

const HINT_MANIFEST: &str = "(hint: a manifest has `sources:`, a list of entries with `path` and optional `id`, `outlet`, `url`, `published`)";
const HINT_LEAVES: &str =
    "(hint: list files inside the folder that holds cluster.yaml, with relative paths)";
const GOOD: &str = "Omran Daqneesh, 5, was injured in the strike on Wednesday. He was taken to the M10 hospital.\n";

/// Runs `check` with JSON output; returns the exit code, stderr and report.
fn check_json(cluster: &str) -> (i32, String, Value) {
    let out = claimdiff()
        .args(["check", cluster, "--format", "json"])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
    )
}

fn encodings(report: &Value) -> Vec<(String, String)> {
    report["sources"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| {
                    (
                        s["id"].as_str().unwrap_or("").to_string(),
                        s["encoding"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every claim's span must cut the decoded text at exactly its `text`.
fn spans_fit_the_decoded_text(report: &Value, decoded: &[(&str, String)]) {
    let mut checked = 0;
    for finding in report["findings"].as_array().into_iter().flatten() {
        for value in finding["values"].as_array().into_iter().flatten() {
            for claim in value["claims"].as_array().into_iter().flatten() {
                let source = claim["source"].as_str().unwrap_or("");
                let Some((_, text)) = decoded.iter().find(|(id, _)| *id == source) else {
                    continue;
                };
                let start = claim["start"].as_u64().unwrap_or(0) as usize;
                let end = claim["end"].as_u64().unwrap_or(0) as usize;
                assert_eq!(text.get(start..end), claim["text"].as_str(), "{claim}");
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no claim was checked");
}

// ---- encodings ----

#[test]
fn windows_1252_is_decoded_with_a_warning_and_offsets_into_the_decoded_text() {
    let (code, stderr, report) = check_json("fixtures/hostile/windows-1252");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "warning: fixtures/hostile/windows-1252/cafe.txt: not UTF-8; read as windows-1252 (detected) (hint: if the text looks wrong, convert the file to UTF-8, e.g. `iconv -f ENCODING -t utf-8`)\n"
    );
    assert_eq!(
        encodings(&report),
        [
            ("cafe".into(), "windows-1252".into()),
            ("plain".into(), "UTF-8".into())
        ]
    );
    let bytes = fs::read("fixtures/hostile/windows-1252/cafe.txt").expect("fixture");
    let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(decoded.contains("“doctors”") && decoded.contains("café") && decoded.contains('€'));
    spans_fit_the_decoded_text(&report, &[("cafe", decoded.into_owned())]);
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded_in_either_byte_order() {
    let (code, stderr, report) = check_json("fixtures/hostile/utf16-bom");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "warning: fixtures/hostile/utf16-bom/be.txt: read as UTF-16BE (its byte-order mark says so)\n\
         warning: fixtures/hostile/utf16-bom/le.txt: read as UTF-16LE (its byte-order mark says so)\n"
    );
    assert_eq!(
        encodings(&report),
        [
            ("be".into(), "UTF-16BE".into()),
            ("le".into(), "UTF-16LE".into())
        ]
    );
    let decode = |name: &str, enc: &'static encoding_rs::Encoding| {
        let bytes = fs::read(format!("fixtures/hostile/utf16-bom/{name}.txt")).expect("fixture");
        enc.decode_with_bom_removal(&bytes).0.into_owned()
    };
    spans_fit_the_decoded_text(
        &report,
        &[
            ("be", decode("be", encoding_rs::UTF_16BE)),
            ("le", decode("le", encoding_rs::UTF_16LE)),
        ],
    );
    // Both read the same facts, whatever the byte order and line endings.
    assert_eq!(report["summary"]["conflict"], 0);
    assert!(report["summary"]["agree"].as_u64() > Some(2), "{report}");
}

#[test]
fn cr_crlf_and_lf_line_endings_read_alike() {
    let (code, stderr, report) = check_json("fixtures/hostile/line-endings");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    // Every finding is given by all three sources, in agreement.
    for finding in report["findings"].as_array().expect("findings") {
        assert_eq!(finding["status"], "agree", "{finding}");
        assert_eq!(
            finding["values"][0]["sources"].as_array().map(Vec::len),
            Some(3)
        );
    }
    let read = |name: &str| fs::read_to_string(format!("fixtures/hostile/line-endings/{name}.txt"));
    spans_fit_the_decoded_text(
        &report,
        &[
            ("cr", read("cr").expect("cr")),
            ("crlf", read("crlf").expect("crlf")),
        ],
    );
}

// ---- files that are not articles ----

#[test]
fn binary_files_are_named_by_kind_and_skipped_and_the_rest_is_checked() {
    let hint = "(hint: give the article as plain text)";
    claimdiff()
        .args(["check", "fixtures/hostile/binary"])
        .assert()
        .code(3)
        .stderr(format!(
            "error: fixtures/hostile/binary/anim.txt: binary file (a GIF image); skipped {hint}\n\
             error: fixtures/hostile/binary/archive.txt: binary file (a ZIP archive, or a Word or OpenDocument file); skipped {hint}\n\
             error: fixtures/hostile/binary/nul.txt: binary file (contains NUL bytes); skipped (hint: give the article as plain text; UTF-16 text needs a byte-order mark)\n\
             error: fixtures/hostile/binary/photo.md: binary file (a PNG image); skipped {hint}\n\
             error: fixtures/hostile/binary/report.txt: binary file (a PDF document); skipped {hint}\n\
             error: fixtures/hostile/binary/scan.txt: binary file (a JPEG image); skipped {hint}\n"
        ))
        .stdout(predicate::str::contains("across 2 sources"));
}

#[test]
fn empty_and_blank_files_are_skipped_and_one_source_is_still_reported() {
    claimdiff()
        .args(["check", "fixtures/hostile/empty"])
        .assert()
        .code(3)
        .stderr(
            "error: fixtures/hostile/empty/blank.md: file holds only white space; skipped\n\
             error: fixtures/hostile/empty/empty.txt: file is empty; skipped\n\
             warning: fixtures/hostile/empty: only one source: there is nothing to compare it with, so every finding is `single` (hint: add the other articles about the same event to the cluster)\n",
        )
        .stdout(predicate::str::contains("across 1 source"));
}

#[test]
fn a_cluster_of_one_source_is_a_warning_not_an_error() {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("only.txt"), GOOD).expect("write");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(format!(
            "warning: {}: only one source: there is nothing to compare it with, so every finding is `single` (hint: add the other articles about the same event to the cluster)\n",
            dir.path().display()
        ))
        .stdout(predicate::str::contains("single across 1 source"));
}

#[test]
fn a_directory_without_articles_is_an_error_and_other_files_are_ignored() {
    let dir = tempfile::tempdir().expect("temp");
    // Like an ECB+ topic's annotations: not an article, so not a source.
    fs::write(dir.path().join("events.tsv"), "id\tevent\n").expect("write");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: {}: no sources: the directory has no .txt or .md files (hint: add the articles as .txt or .md files, or a cluster.yaml listing them)\n",
            dir.path().display()
        ));
}

#[test]
fn a_manifest_that_lists_nothing_says_so() {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("cluster.yaml"), "sources: []\n").expect("write");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(format!(
            "error: {}: no sources: the manifest lists none (hint: list the articles under `sources:`, each with a `path`)\n",
            dir.path().join("cluster.yaml").display()
        ));
}

#[test]
fn a_file_over_the_size_limit_is_skipped() {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("a.txt"), GOOD).expect("write");
    fs::write(dir.path().join("b.txt"), GOOD).expect("write");
    fs::write(dir.path().join("c.txt"), GOOD.repeat(3)).expect("write");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .args(["--max-source-bytes", "200"])
        .assert()
        .code(3)
        .stderr(format!(
            "error: {}: file is {} bytes, over the limit of 200 bytes; skipped (hint: raise --max-source-bytes if the file really is one article)\n",
            dir.path().join("c.txt").display(),
            GOOD.len() * 3
        ))
        .stdout(predicate::str::contains("across 2 sources"));
}

#[test]
fn a_huge_line_is_read_in_good_time() {
    // Two megabytes on one line, built here rather than committed.
    let dir = tempfile::tempdir().expect("temp");
    let line = GOOD.trim_end().repeat(2 * 1024 * 1024 / GOOD.len());
    fs::write(dir.path().join("huge.txt"), &line).expect("write");
    fs::write(dir.path().join("plain.txt"), GOOD).expect("write");
    let started = std::time::Instant::now();
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr("")
        .stdout(predicate::str::contains("across 2 sources"));
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn broken_links_link_loops_and_links_out_of_the_folder_are_skipped() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("temp");
    fs::write(outside.path().join("secret.txt"), "Private notes.").expect("write");
    let dir = tempfile::tempdir().expect("temp");
    let p = dir.path();
    fs::write(p.join("a.txt"), GOOD).expect("write");
    fs::write(p.join("b.txt"), GOOD).expect("write");
    symlink(p.join("gone.txt"), p.join("broken.txt")).expect("link");
    symlink(p.join("loop2.txt"), p.join("loop1.txt")).expect("link");
    symlink(p.join("loop1.txt"), p.join("loop2.txt")).expect("link");
    symlink(outside.path().join("secret.txt"), p.join("secret.txt")).expect("link");
    // A link that stays inside the folder is an ordinary source.
    symlink(p.join("a.txt"), p.join("c.txt")).expect("link");
    let loop_msg = |n: u8| {
        format!(
            "error: {}: symbolic link cannot be followed (too many levels of symbolic links); skipped (hint: a link that points to itself, directly or through others, is a loop: fix or remove it)\n",
            p.join(format!("loop{n}.txt")).display()
        )
    };
    claimdiff()
        .arg("check")
        .arg(p)
        .assert()
        .code(3)
        .stderr(format!(
            "error: {}: broken symbolic link (its target does not exist); skipped (hint: fix or remove the link)\n{}{}error: {}: symbolic link to a file outside the cluster folder; skipped (hint: copy the file into the cluster folder instead of linking to it)\n",
            p.join("broken.txt").display(),
            loop_msg(1),
            loop_msg(2),
            p.join("secret.txt").display(),
        ))
        .stdout(predicate::str::contains("across 3 sources"))
        .stdout(predicate::str::contains("Private").not());
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("a.txt"), GOOD).expect("write");
    fs::write(dir.path().join("b.txt"), GOOD).expect("write");
    let locked = dir.path().join("locked.txt");
    fs::write(&locked, GOOD).expect("write");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop us, nothing to test.
        return;
    }
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(format!(
            "error: {}: cannot read: permission denied; skipped\n",
            locked.display()
        ))
        .stdout(predicate::str::contains("across 2 sources"));
}

#[test]
fn a_cluster_that_cannot_be_loaded_among_others_gives_3_alone_2() {
    claimdiff()
        .args(["check", "fixtures/hostile/line-endings", "no/such/cluster"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("across 3 sources"));
    claimdiff()
        .args(["check", "no/such/cluster"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn a_skip_wins_over_fail_on_and_claims_says_so_too() {
    // The skipped files leave the findings incomplete: that is said first.
    claimdiff()
        .args(["check", "fixtures/hostile/binary", "--fail-on", "review"])
        .assert()
        .code(3);
    claimdiff()
        .args(["claims", "fixtures/hostile/binary"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("claims"));
}

// ---- manifests ----

#[test]
fn traversal_in_a_manifest_is_refused_entry_by_entry() {
    let m = "fixtures/hostile/traversal/cluster.yaml";
    claimdiff()
        .args(["check", "fixtures/hostile/traversal"])
        .assert()
        .code(3)
        .stderr(format!(
            "error: {m}:3:11: source path '../windows-1252/plain.txt' leaves the cluster folder; skipped {HINT_LEAVES}\n\
             error: {m}:4:11: source path '/etc/passwd' leaves the cluster folder; skipped {HINT_LEAVES}\n\
             error: {m}:5:11: source path 'sub/../../binary/article.txt' leaves the cluster folder; skipped {HINT_LEAVES}\n\
             error: {m}:6:11: source path '..\\utf16-bom\\le.txt' leaves the cluster folder; skipped {HINT_LEAVES}\n"
        ))
        .stdout(predicate::str::contains("across 2 sources"))
        .stdout(predicate::str::contains("root:").not());
}

#[cfg(unix)]
#[test]
fn a_manifest_entry_that_links_out_of_the_folder_is_refused() {
    let outside = tempfile::tempdir().expect("temp");
    fs::write(outside.path().join("secret.txt"), "Private notes.").expect("write");
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("a.txt"), GOOD).expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("h.txt"))
        .expect("link");
    fs::write(
        dir.path().join("cluster.yaml"),
        "sources:\n  - path: a.txt\n  - path: h.txt\n",
    )
    .expect("write");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "error: {}:3:11: source path 'h.txt' resolves outside the cluster folder; skipped (hint: copy the file into the cluster folder instead of linking to it)\n",
            dir.path().join("cluster.yaml").display()
        )));
}

#[test]
fn a_manifest_with_an_unknown_field_is_rejected_at_its_place() {
    claimdiff()
        .args(["check", "fixtures/hostile/manifest-unknown-field"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: fixtures/hostile/manifest-unknown-field/cluster.yaml:2:5: bad manifest: sources[0]: unknown field `athor` {HINT_MANIFEST}\n"
        ));
}

#[test]
fn a_malformed_manifest_is_rejected_at_its_place() {
    claimdiff()
        .args(["check", "fixtures/hostile/manifest-malformed"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: fixtures/hostile/manifest-malformed/cluster.yaml:3:4: bad manifest: did not find expected '-' indicator {HINT_MANIFEST}\n"
        ));
}

#[test]
fn a_duplicate_id_in_a_manifest_is_skipped_at_its_place() {
    claimdiff()
        .args(["check", "fixtures/hostile/manifest-duplicate-id"])
        .assert()
        .code(3)
        .stderr(
            "error: fixtures/hostile/manifest-duplicate-id/cluster.yaml:4:11: duplicate source id 'same'; skipped (hint: give each source its own `id`)\n",
        )
        .stdout(predicate::str::contains("across 2 sources"));
}

#[test]
fn a_manifest_cannot_set_the_encoding() {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("a.txt"), GOOD).expect("write");
    fs::write(
        dir.path().join("cluster.yaml"),
        "sources:\n  - path: a.txt\n    encoding: UTF-16LE\n",
    )
    .expect("write");
    claimdiff()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cluster.yaml:2:5: bad manifest: sources[0]: unknown field `encoding`",
        ));
}

#[test]
fn deep_yaml_nesting_is_an_error_not_a_stack_overflow() {
    claimdiff()
        .args(["check", "fixtures/hostile/deep-yaml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: fixtures/hostile/deep-yaml/cluster.yaml:3:138: bad manifest: recursion limit exceeded {HINT_MANIFEST}\n"
        ));
}

#[test]
fn deeply_nested_folders_are_read() {
    let (code, stderr, report) = check_json("fixtures/hostile/deep-dirs");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    let ids: Vec<_> = encodings(&report).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["top", "deep"]);
}

// ---- output that cannot hurt its reader ----

#[test]
fn escape_sequences_and_bidi_overrides_never_reach_the_terminal() {
    for args in [
        &["check", "fixtures/hostile/ansi", "--evidence"][..],
        &[
            "check",
            "fixtures/hostile/ansi",
            "--format",
            "markdown",
            "--evidence",
        ],
        &[
            "check",
            "fixtures/hostile/ansi",
            "--format",
            "csv",
            "--evidence",
        ],
        &["claims", "fixtures/hostile/ansi"],
        &["claims", "fixtures/hostile/ansi", "--format", "markdown"],
    ] {
        let out = claimdiff().args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(text.contains("Daqneesh"), "{args:?}: {text}");
        for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{202c}', '\r'] {
            assert!(!text.contains(bad), "{args:?}: {bad:?} in {text}");
        }
        assert!(!text.contains("[31m") && !text.contains("pwned"), "{text}");
    }
    // JSON keeps the text as it is (escaped by JSON itself): nothing is lost.
    let (_, _, report) = check_json("fixtures/hostile/ansi");
    let json = report.to_string();
    assert!(json.contains("\\u001b[31mDaqneesh"), "{json}");
}

#[test]
fn a_file_name_with_an_escape_sequence_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().expect("temp");
    fs::write(dir.path().join("a.txt"), GOOD).expect("write");
    fs::write(dir.path().join("b.txt"), GOOD).expect("write");
    fs::write(dir.path().join("x\u{1b}[2J.txt"), b"").expect("write");
    let out = claimdiff()
        .arg("check")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(
        stderr.contains("x\\u{1b}[2J.txt: file is empty; skipped"),
        "{stderr}"
    );
}

#[test]
fn csv_formulas_are_neutralised_and_markdown_syntax_escaped() {
    let out = claimdiff()
        .args([
            "check",
            "fixtures/hostile/csv-formula",
            "--format",
            "csv",
            "--evidence",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).expect("UTF-8");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.expect("a CSV record").iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
            cells += 1;
        }
    }
    assert!(cells > 0);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'@SUM(1+1)"), "{csv}");
    assert!(csv.contains("'+cmd|"), "{csv}");
    let md = claimdiff()
        .args([
            "check",
            "fixtures/hostile/csv-formula",
            "--format",
            "markdown",
        ])
        .output()
        .expect("runs");
    let md = String::from_utf8(md.stdout).expect("UTF-8");
    assert!(md.contains("-2+3 \\| \\`code\\`"), "{md}");
    assert!(!md.contains("-2+3 | `code`"), "{md}");
}

#[test]
fn out_is_atomic_and_a_failed_run_leaves_the_old_file_alone() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("report.json");
    fs::write(&out, "previous report\n").expect("write");
    // Nothing can be checked: the old report stays, whole.
    claimdiff()
        .args(["check", "no/such/cluster", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&out).expect("read"), "previous report\n");
    claimdiff()
        .args([
            "check",
            "fixtures/hostile/binary",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(3)
        .stdout("");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(&out).expect("read")).expect("whole JSON");
    assert_eq!(report["sources"].as_array().map(Vec::len), Some(2));
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["report.json"]);
}

// ---- rule files ----

fn rule_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write rule");
    }
    dir
}

/// A claim kind with `patterns` (the YAML list lines) on line 7 and after.
fn kind(patterns: &str) -> String {
    format!(
        "kind: drones\nlabel: drones\ndescription: How many drones were seen.\nvalue_type: count\ncardinality: one\npatterns:\n{patterns}\nexamples:\n  - text: Three drones were seen.\n    value: '3'\nmust_not_match:\n  - Nothing flew.\n"
    )
}

/// `rules test DIR`: exit code 2, and stderr is exactly `expected` (with
/// `DIR` for the rule directory).
fn rules_error(files: &[(&str, &str)], expected: &str) {
    let dir = rule_dir(files);
    let out = claimdiff()
        .args(["rules", "test"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    let expected = expected.replace("DIR", &dir.path().display().to_string());
    assert_eq!(stderr, expected);
}

#[test]
fn rule_file_unknown_field_names_file_line_column_and_rule() {
    rules_error(
        &[("drones.yaml", &format!("patern: x\n{}", kind("  - '(?P<value>{number}) drones'")))],
        "error: DIR/drones.yaml:1:1: rule 'drones': unknown field `patern`, expected one of `kind`, `label`, `description`, `value_type`, `lang`, `cardinality`, `subject`, `event_signal`, `named_by`, `tolerance`, `patterns`, `exclude`, `examples`, `must_not_match` (hint: remove the field or fix its spelling; `claimdiff rules list` and docs/rules-guide.md list the fields)\n",
    );
}

#[test]
fn rule_file_bad_regex_names_file_line_column_and_rule() {
    rules_error(
        &[("drones.yaml", &kind("  - '(?P<value>{number}) drones ('"))],
        "error: DIR/drones.yaml:7:6: rule 'drones': bad regex: unclosed group (hint: fix the regex; `claimdiff rules test` checks it)\n",
    );
}

#[test]
fn rule_file_pattern_without_value_capture() {
    rules_error(&[("drones.yaml", &kind("  - '{number} drones'"))], "error: DIR/drones.yaml:7:6: rule 'drones': pattern has no `value` capture group (hint: wrap the part that is the value in (?P<value>...))\n");
}

#[test]
fn rule_file_duplicate_kind_id() {
    let text = kind("  - '(?P<value>{number}) drones'");
    rules_error(&[("drones.yaml", &text), ("drones2.yaml", &text)], "error: DIR/drones2.yaml:1:1: rule 'drones': duplicate kind id 'drones' (hint: DIR/drones.yaml already defines it; rename one of them)\n");
}

#[test]
fn rule_file_regex_over_the_size_limit() {
    rules_error(
        &[("drones.yaml", &kind("  - '(?P<value>\\w{1000}\\w{1000}\\w{1000}) drones'"))],
        "error: DIR/drones.yaml:7:6: rule 'drones': bad regex: the pattern compiles to more than 4194304 bytes; simplify nested repetitions (hint: fix the regex; `claimdiff rules test` checks it)\n",
    );
}

#[test]
fn a_failing_rule_example_fails_rules_test() {
    let dir = rule_dir(&[(
        "drones.yaml",
        &kind("  - '(?P<value>{number}) drones'").replace("value: '3'", "value: '4'"),
    )]);
    claimdiff()
        .args(["rules", "test"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "FAIL  drones (1 examples, 1 must_not_match) {}\n        expected value \"4\", found [\"3\"]: \"Three drones were seen.\"\n",
            dir.path().join("drones.yaml").display()
        )));
}

// ---- determinism ----

#[test]
fn the_same_hostile_cluster_twice_gives_byte_identical_json() {
    for cluster in [
        "fixtures/hostile/windows-1252",
        "fixtures/hostile/ansi",
        "fixtures/hostile/binary",
    ] {
        let run = || {
            claimdiff()
                .args(["check", cluster, "--format", "json"])
                .output()
                .expect("runs")
        };
        let (a, b) = (run(), run());
        assert_eq!(a.stdout, b.stdout, "{cluster}");
        assert_eq!(a.stderr, b.stderr, "{cluster}");
    }
}
