//! `--format jsonl`: one self-contained JSON object per line. For `check`,
//! one line per finding, each naming its cluster and event, as many lines
//! as the JSON report has findings; for `claims` one claim per line, for
//! `numbers` one quantity, for `rules list` one kind.

use assert_cmd::Command;
use serde_json::Value;

fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn lines(out: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(out).expect("UTF-8");
    assert!(text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

const CLUSTERS: [&str; 4] = [
    "fixtures/aleppo-omran",
    "fixtures/ecbplus-bank-bombings",
    "fixtures/ecbplus-topic-32",
    "fixtures/ecbplus-topic-33",
];

#[test]
fn check_writes_one_line_per_finding_with_cluster_and_event() {
    let mut args = vec!["check"];
    args.extend(CLUSTERS);
    let jsonl = lines(&run(&[args.clone(), vec!["--format", "jsonl"]].concat()));
    let reports: Vec<Value> =
        serde_json::Deserializer::from_slice(&run(&[args, vec!["--format", "json"]].concat()))
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .expect("JSON reports");
    let findings: Vec<(Value, &Value)> = reports
        .iter()
        .flat_map(|r| {
            r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(move |f| (r["cluster"].clone(), f))
        })
        .collect();
    assert_eq!(jsonl.len(), findings.len());
    for (line, (cluster, finding)) in jsonl.iter().zip(findings) {
        assert_eq!(line["schema"], "claimdiff/1");
        assert_eq!(line["cluster"], cluster);
        assert!(line["event"].as_str().is_some_and(|e| e.starts_with('e')));
        // The rest of the line is the finding as the JSON report has it.
        let mut rest = line.clone();
        let object = rest.as_object_mut().expect("object");
        object.remove("schema");
        object.remove("cluster");
        assert_eq!(&rest, finding);
    }
}

#[test]
fn claims_numbers_and_rules_write_one_record_per_line() {
    let claims = lines(&run(&["claims", CLUSTERS[0], "--format", "jsonl"]));
    assert!(claims.len() > 10);
    assert!(claims.iter().all(|c| c["cluster"] == "aleppo-omran"
        && c["source"].is_string()
        && c["kind"].is_string()));
    let numbers = lines(&run(&[
        "numbers",
        "fixtures/aleppo-omran/000_9f950cbd12229354.txt",
        "--format",
        "jsonl",
    ]));
    assert!(numbers
        .iter()
        .all(|n| n["low"].is_number() && n["start"].is_u64()));
    let rules = lines(&run(&["rules", "list", "--format", "jsonl"]));
    assert!(rules.iter().any(|r| r["kind"] == "victim_name"));
}
