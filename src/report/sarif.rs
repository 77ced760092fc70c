//! SARIF 2.1.0 output (`check --format sarif`), for code-scanning tools
//! such as GitHub's: each finding that needs a person becomes a result that
//! points at the sentences of every source behind it.
//!
//! The mapping (documented in docs/json-output.md):
//!
//! - one SARIF log with one run, whatever the number of clusters (GitHub
//!   rejects several runs of one tool in one upload);
//! - one result per `conflict` finding (level `error`) and per `review`
//!   finding (level `warning`); `variant`, `agree` and `single` findings
//!   need no one and are left out;
//! - `ruleId` is the claim kind id, with one reporting descriptor per kind
//!   that has a result, its label and description from the rules;
//! - one location per claim behind each value (values majority first,
//!   claims by source then position): the source file's path as the
//!   command line gave it, as a relative URI (an absolute path becomes a
//!   `file:` URI), and the region of the claim's span;
//! - columns count UTF-16 code units (the SARIF default, what editors and
//!   GitHub count), and `run.columnKind` says so; lines end at `\n`;
//! - `partialFingerprints` hold a hash of the cluster, event, kind and
//!   values, so that the same finding is the same alert from run to run.
//!
//! Source text is untrusted: control characters are replaced, and square
//! brackets escaped (SARIF reads `[text](url)` in a message as a link).

use std::collections::BTreeMap;
use std::path::{Component, Path};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::html::SourceText;
use super::{attribution_note, clean_cell, finding_note};
use crate::compare::{Finding, Report, Status};
use crate::extract::Claim;
use crate::rules::RuleSet;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema the log names in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of the fingerprint in `partialFingerprints`; its version changes
/// when what it hashes does.
pub const FINGERPRINT_KEY: &str = "claimdiffFinding/v1";

/// Where the tool's documentation lives: the crate's repository or
/// homepage from Cargo.toml once it has one, else its crates.io page.
fn information_uri() -> &'static str {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let homepage = env!("CARGO_PKG_HOMEPAGE");
    if !repository.is_empty() {
        repository
    } else if !homepage.is_empty() {
        homepage
    } else {
        concat!("https://crates.io/crates/", env!("CARGO_PKG_NAME"))
    }
}

/// The SARIF level of a finding's status, or `None` when the finding needs
/// no one and is left out.
pub fn level(status: Status) -> Option<&'static str> {
    match status {
        Status::Conflict => Some("error"),
        Status::Review => Some("warning"),
        Status::Variant | Status::Agree | Status::Single => None,
    }
}

/// Renders reports as one SARIF 2.1.0 log. `texts[i]` holds the sources of
/// `reports[i]`: a claim's region (line and column) is computed from its
/// byte offsets in that text; a claim whose text is missing gets a location
/// without a region. `rules` gives each kind's label and description.
pub fn render(
    reports: &[Report],
    texts: &[Vec<SourceText>],
    rules: &RuleSet,
) -> Result<String, String> {
    let mut kinds: BTreeMap<&str, ()> = BTreeMap::new();
    for report in reports {
        for finding in report.findings.iter().filter(|f| level(f.status).is_some()) {
            kinds.insert(finding.kind.as_str(), ());
        }
    }
    let rule_index: BTreeMap<&str, usize> =
        kinds.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let descriptors: Vec<Value> = kinds
        .keys()
        .map(|id| {
            let kind = rules.kind(id);
            let label = kind.map_or(*id, |k| k.label.as_str());
            let description = kind.map_or("", |k| k.description.as_str());
            let mut d = json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": text(label) },
            });
            if !description.is_empty() {
                d["fullDescription"] = json!({ "text": text(description) });
            }
            d
        })
        .collect();
    let mut results = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        let sources: &[SourceText] = texts.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let positions: BTreeMap<&str, Positions> = sources
            .iter()
            .map(|s| (s.id.as_str(), Positions::new(&s.text)))
            .collect();
        let paths: BTreeMap<&str, &Path> = report
            .sources
            .iter()
            .map(|s| (s.id.as_str(), s.path.as_path()))
            .collect();
        for finding in &report.findings {
            let Some(level) = level(finding.status) else {
                continue;
            };
            let locations: Vec<Value> = finding
                .values
                .iter()
                .flat_map(|v| v.claims.iter().map(move |c| (v, c)))
                .map(|(value, claim)| {
                    location(
                        claim,
                        &value.value,
                        value.superseded,
                        &finding.kind,
                        paths.get(claim.source.as_str()).copied(),
                        positions.get(claim.source.as_str()),
                    )
                })
                .collect();
            results.push(json!({
                "ruleId": finding.kind,
                "ruleIndex": rule_index.get(finding.kind.as_str()).copied().unwrap_or(0),
                "level": level,
                "message": { "text": message(report, finding) },
                "locations": locations,
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint(report, finding) },
                "properties": {
                    "cluster": report.cluster,
                    "event": finding.event,
                    "status": finding.status.as_str(),
                },
            }));
        }
    }
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": information_uri(),
                    "rules": descriptors,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

/// A result's message: the kind, the verdict, the cluster, every value with
/// the sources that give it, and the note.
fn message(report: &Report, finding: &Finding) -> String {
    let verdict = match finding.status {
        Status::Conflict => "the sources conflict",
        _ => "the sources differ; review",
    };
    let values: Vec<String> = finding
        .values
        .iter()
        .map(|v| {
            let superseded = if v.superseded { ", superseded" } else { "" };
            format!("\"{}\" ({}{superseded})", v.value, v.sources.join(", "))
        })
        .collect();
    let mut message = format!(
        "{}: {verdict} in cluster {}: {}.",
        finding.label,
        report.cluster,
        values.join("; ")
    );
    let note = finding_note(finding);
    if !note.is_empty() {
        message.push(' ');
        message.push_str(&note);
        message.push('.');
    }
    text(&message)
}

/// One location: the claim's file and span, with a message naming the
/// value and the source.
fn location(
    claim: &Claim,
    value: &str,
    superseded: bool,
    kind: &str,
    path: Option<&Path>,
    positions: Option<&Positions>,
) -> Value {
    let mut said = format!("\"{value}\" in {}", claim.source);
    if let Some(note) = attribution_note(claim, kind) {
        said.push_str(&format!(" ({note})"));
    }
    if superseded {
        said.push_str(" (superseded)");
    }
    let mut physical = json!({
        "artifactLocation": {
            "uri": path.map_or_else(|| claim.source.clone(), artifact_uri),
        },
    });
    if let Some(p) = positions {
        let (start_line, start_column) = p.at(claim.start);
        let (end_line, end_column) = p.at(claim.end);
        physical["region"] = json!({
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
            "snippet": { "text": clean_cell(&claim.text) },
        });
    }
    json!({
        "physicalLocation": physical,
        "message": { "text": text(&said) },
    })
}

/// A stable hash of what makes a finding the same finding: its cluster,
/// event, kind and the values in it (sorted, so a change of majority is
/// the same alert).
fn fingerprint(report: &Report, finding: &Finding) -> String {
    let mut values: Vec<&str> = finding.values.iter().map(|v| v.value.as_str()).collect();
    values.sort_unstable();
    let mut hasher = Sha256::new();
    for part in [report.cluster.as_str(), &finding.event, &finding.kind]
        .into_iter()
        .chain(values)
    {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Text for a SARIF plain-text message: control characters replaced, lines
/// joined, and square brackets escaped so that text from a source cannot
/// become an embedded link.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean_cell(s).chars() {
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A file path as a URI reference: a relative path stays relative (`/`
/// between segments, `.` segments left out, each segment percent-encoded),
/// so that the log reads the same on every machine that runs from the same
/// folder; an absolute path becomes a `file:` URI.
pub fn artifact_uri(path: &Path) -> String {
    let mut segments: Vec<String> = Vec::new();
    let mut absolute = false;
    let mut prefix = String::new();
    for component in path.components() {
        match component {
            Component::Prefix(p) => {
                // A Windows drive ("C:") keeps its colon.
                prefix = p.as_os_str().to_string_lossy().replace('\\', "/");
                absolute = true;
            }
            Component::RootDir => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => segments.push("..".into()),
            Component::Normal(s) => segments.push(percent_encode(&s.to_string_lossy())),
        }
    }
    let joined = segments.join("/");
    if absolute {
        if prefix.is_empty() {
            format!("file:///{joined}")
        } else {
            format!("file:///{prefix}/{joined}")
        }
    } else {
        joined
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Turns byte offsets of one text into 1-based lines and UTF-16 columns.
struct Positions<'a> {
    text: &'a str,
    /// The byte offset each line starts at.
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Positions { text, line_starts }
    }

    /// The line and column of byte `offset` (clamped to the text; an offset
    /// inside a character counts from that character's start).
    fn at(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        (line, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_code_units_and_lines_end_at_newlines() {
        let text = "ab\r\nc😀d\né";
        let p = Positions::new(text);
        assert_eq!(p.at(0), (1, 1));
        assert_eq!(p.at(2), (1, 3));
        // Line 2 starts after "\r\n"; 😀 is two UTF-16 units, four bytes.
        assert_eq!(p.at(4), (2, 1));
        assert_eq!(p.at(5), (2, 2));
        assert_eq!(p.at(9), (2, 4));
        // "é" is one unit; the end of the text is one past it.
        assert_eq!(p.at(11), (3, 1));
        assert_eq!(p.at(13), (3, 2));
        assert_eq!(p.at(99), (3, 2));
        // An offset inside a character counts from its start.
        assert_eq!(p.at(6), (2, 2));
    }

    #[test]
    fn paths_become_portable_uri_references() {
        assert_eq!(
            artifact_uri(Path::new("./fixtures/a b/x#1.txt")),
            "fixtures/a%20b/x%231.txt"
        );
        assert_eq!(artifact_uri(Path::new("../c/ü.txt")), "../c/%C3%BC.txt");
        #[cfg(unix)]
        assert_eq!(artifact_uri(Path::new("/tmp/a.txt")), "file:///tmp/a.txt");
    }

    #[test]
    fn message_text_cannot_hold_a_link_or_a_control_character() {
        assert_eq!(
            text("[click](https://x)\u{1b}[2J\nnext"),
            "\\[click\\](https://x)\u{FFFD}\nnext".replace('\n', " ")
        );
    }

    #[test]
    fn only_findings_that_need_a_person_are_results() {
        assert_eq!(level(Status::Conflict), Some("error"));
        assert_eq!(level(Status::Review), Some("warning"));
        assert_eq!(level(Status::Variant), None);
        assert_eq!(level(Status::Agree), None);
        assert_eq!(level(Status::Single), None);
    }
}
