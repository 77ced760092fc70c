//! Expectations: a curated YAML file that says what the findings of one
//! cluster should be (`check --expect FILE`), and the same file written from
//! the current findings (`check --write-expect FILE`), like accepting a
//! snapshot.
//!
//! The file (see `fixtures/aleppo-omran/expected.yaml` and docs/ci.md):
//!
//! ```yaml
//! cluster: aleppo-omran          # optional: the cluster it is for
//! exhaustive: true               # optional: unlisted findings and sources are drift
//! findings:
//!   - kind: victim_name          # the claim kind
//!     value: Omran Daqneesh      # optional: picks among findings of a kind by first value
//!     event: e1                  # optional: picks by event
//!     status: conflict
//!     note_contains: corrected   # optional
//!     corrected_to: Omran        # optional
//!     values:                    # optional: every value, majority first
//!       - value: Omran Daqneesh
//!         sources: [000_9f950cbd12229354]
//!         superseded: false      # optional, false by default
//!     counts: {low: "4", best: "5", high: "5"}   # optional
//! sources:                       # optional
//!   - id: 004_d0a73eaa55fd6ca0
//!     on_topic: false
//! ```
//!
//! A field left out is not checked. Each expected finding takes the first
//! finding, in report order, not taken by an earlier one, of its kind (and
//! event and first value, when given). [`check`] lists the differences in
//! file order, then the findings and sources an exhaustive file does not
//! list, in report order.
//!
//! Input comes from `compare` (the [`Report`]); reading and writing the
//! file is `app`'s job.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

use crate::compare::{Finding, Report, Status};
use crate::diag::Diagnostic;

/// What the findings of one cluster should be.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// The cluster's name; when given, a report of another cluster drifts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// When true, a finding or source the file does not list is drift.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exhaustive: bool,
    /// The findings that must be there.
    #[serde(default)]
    pub findings: Vec<ExpectedFinding>,
    /// Sources and whether they are on topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ExpectedSource>,
}

/// One finding that must be in the report.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    /// The event group it must belong to (`e1`, `e2`…); any when left out.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub event: Option<String>,
    /// The claim kind id.
    pub kind: String,
    /// The finding's first value, to pick among several findings of a kind.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<String>,
    /// The verdict it must have.
    pub status: Status,
    /// Text its note must contain.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub note_contains: Option<String>,
    /// The value a correction must have given.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub corrected_to: Option<String>,
    /// Every value, majority first, with the sources behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<ExpectedValue>>,
    /// The low, best and high figures of a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<ExpectedCounts>,
}

/// One value of an expected finding.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedValue {
    /// The normalized value, as the report shows it.
    #[serde(deserialize_with = "scalar")]
    pub value: String,
    /// The ids of the sources that give it, sorted.
    #[serde(deserialize_with = "scalars")]
    pub sources: Vec<String>,
    /// True when a correction replaced it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub superseded: bool,
}

/// The count summary of an expected finding; a figure left out is not
/// checked.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedCounts {
    /// The lowest figure.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub low: Option<String>,
    /// The figure most sources give.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub best: Option<String>,
    /// The highest figure.
    #[serde(
        default,
        deserialize_with = "optional_scalar",
        skip_serializing_if = "Option::is_none"
    )]
    pub high: Option<String>,
}

/// One source and whether it must be on topic.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedSource {
    /// The source id.
    #[serde(deserialize_with = "scalar")]
    pub id: String,
    /// False when the source must be set aside as off-topic.
    pub on_topic: bool,
}

/// A YAML scalar (string, number or boolean) read as text: `value: 5` and
/// `value: "5"` mean the same.
struct ScalarVisitor;

impl serde::de::Visitor<'_> for ScalarVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

fn optional_scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar(d).map(Some)
}

fn scalars<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "scalar")] String);
    Vec::<Text>::deserialize(d).map(|v| v.into_iter().map(|t| t.0).collect())
}

/// Parses an expectations file; `path` names it in the error, which points
/// at the line and column of the problem.
pub fn parse(text: &str, path: &Path) -> Result<Expectations, Diagnostic> {
    serde_yaml::from_str::<Expectations>(text).map_err(|e| {
        let pos = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        // The parser appends " at line L column C"; we print it up front.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        let hint = if message.contains("unknown field") {
            "remove the field or fix its spelling; docs/ci.md lists the fields of an expectations file"
        } else if message.contains("unknown variant") {
            "use one of the values listed"
        } else if message.contains("missing field") {
            "add the field; docs/ci.md shows a complete expectations file"
        } else {
            "check the YAML syntax near this position, or write a fresh file with --write-expect"
        };
        Diagnostic::error(path, format!("bad expectations file: {message}")).at(pos).hint(hint)
    })
}

/// How a finding is named in the diff: its kind, first value and event
/// when those pick it.
fn label(kind: &str, value: Option<&str>, event: Option<&str>) -> String {
    let mut label = kind.to_string();
    if let Some(v) = value {
        label.push_str(&format!(" \"{v}\""));
    }
    if let Some(e) = event {
        label.push_str(&format!(" in {e}"));
    }
    label
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// Compares a report with the expectations. Each difference is one line
/// (without the file name): `victim_name: status conflict, now agree`,
/// `- missing finding hospital (review)`, `+ new finding age "5" (agree)`.
/// Empty when the report meets them.
pub fn check(expected: &Expectations, report: &Report) -> Vec<String> {
    let mut drift = Vec::new();
    if let Some(cluster) = expected.cluster.as_deref() {
        if cluster != report.cluster {
            drift.push(format!(
                "cluster {cluster}, now {} (is this the file for this cluster?)",
                report.cluster
            ));
        }
    }
    let mut taken = vec![false; report.findings.len()];
    for want in &expected.findings {
        let name = label(&want.kind, want.value.as_deref(), want.event.as_deref());
        let found = report.findings.iter().enumerate().find(|(i, f)| {
            !taken[*i]
                && f.kind == want.kind
                && want.event.as_deref().is_none_or(|e| f.event == e)
                && want
                    .value
                    .as_deref()
                    .is_none_or(|v| f.values.first().is_some_and(|first| first.value == v))
        });
        let Some((i, got)) = found else {
            drift.push(format!(
                "- missing finding {name} ({})",
                want.status.as_str()
            ));
            continue;
        };
        taken[i] = true;
        check_finding(want, got, &name, &mut drift);
    }
    if expected.exhaustive {
        for (finding, _) in report.findings.iter().zip(&taken).filter(|(_, t)| !**t) {
            drift.push(format!(
                "+ new finding {} ({})",
                label(
                    &finding.kind,
                    finding.values.first().map(|v| v.value.as_str()),
                    Some(&finding.event)
                ),
                finding.status.as_str()
            ));
        }
    }
    for want in &expected.sources {
        match report.sources.iter().find(|s| s.id == want.id) {
            Some(s) if s.on_topic == want.on_topic => {}
            Some(s) => drift.push(format!(
                "source {}: on_topic {}, now {}",
                want.id, want.on_topic, s.on_topic
            )),
            None => drift.push(format!("- missing source {}", want.id)),
        }
    }
    if expected.exhaustive {
        for s in &report.sources {
            if !expected.sources.iter().any(|w| w.id == s.id) {
                drift.push(format!("+ new source {} (on_topic {})", s.id, s.on_topic));
            }
        }
    }
    drift
}

/// The differences between one expected finding and the finding it took.
fn check_finding(want: &ExpectedFinding, got: &Finding, name: &str, drift: &mut Vec<String>) {
    if got.status != want.status {
        drift.push(format!(
            "{name}: status {}, now {}",
            want.status.as_str(),
            got.status.as_str()
        ));
    }
    if let Some(part) = &want.note_contains {
        if !got
            .note
            .as_deref()
            .is_some_and(|n| n.contains(part.as_str()))
        {
            let now = got
                .note
                .as_deref()
                .map_or("no note".to_string(), |n| format!("\"{n}\""));
            drift.push(format!("{name}: note lacks \"{part}\", now {now}"));
        }
    }
    if let Some(to) = &want.corrected_to {
        if got.corrected_to.as_deref() != Some(to.as_str()) {
            drift.push(format!(
                "{name}: corrected_to {to}, now {}",
                got.corrected_to.as_deref().unwrap_or("none")
            ));
        }
    }
    if let Some(values) = &want.values {
        for w in values {
            match got.values.iter().find(|g| g.value == w.value) {
                None => drift.push(format!(
                    "{name}: - missing value \"{}\" {}",
                    w.value,
                    list(&w.sources)
                )),
                Some(g) => {
                    if g.sources != w.sources {
                        drift.push(format!(
                            "{name}: value \"{}\": sources {}, now {}",
                            w.value,
                            list(&w.sources),
                            list(&g.sources)
                        ));
                    }
                    if g.superseded != w.superseded {
                        drift.push(format!(
                            "{name}: value \"{}\": superseded {}, now {}",
                            w.value, w.superseded, g.superseded
                        ));
                    }
                }
            }
        }
        for g in &got.values {
            if !values.iter().any(|w| w.value == g.value) {
                drift.push(format!(
                    "{name}: + new value \"{}\" {}",
                    g.value,
                    list(&g.sources)
                ));
            }
        }
        let order = |vs: Vec<&str>| vs.join(", ");
        let want_order: Vec<&str> = values.iter().map(|w| w.value.as_str()).collect();
        let got_order: Vec<&str> = got.values.iter().map(|g| g.value.as_str()).collect();
        let same_set =
            want_order.len() == got_order.len() && want_order.iter().all(|w| got_order.contains(w));
        if same_set && want_order != got_order {
            drift.push(format!(
                "{name}: values in the order {}, now {}",
                order(want_order),
                order(got_order)
            ));
        }
    }
    if let Some(counts) = &want.counts {
        let figures = [
            ("low", &counts.low, got.counts.as_ref().map(|c| &c.low)),
            ("best", &counts.best, got.counts.as_ref().map(|c| &c.best)),
            ("high", &counts.high, got.counts.as_ref().map(|c| &c.high)),
        ];
        for (which, want, now) in figures {
            if let Some(want) = want {
                if now.map(|f| f.value.as_str()) != Some(want.as_str()) {
                    drift.push(format!(
                        "{name}: counts {which} {want}, now {}",
                        now.map_or("none", |f| f.value.as_str())
                    ));
                }
            }
        }
    }
}

/// The expectations a report meets exactly: every finding (with its event
/// when the findings span several events, its first value when its kind has
/// several findings), every value with its sources, corrections and count
/// figures, and every source; `exhaustive`. Notes are left out: they are
/// prose, which a curator pins with `note_contains`.
pub fn from_report(report: &Report) -> Expectations {
    let several_events = report
        .findings
        .iter()
        .any(|f| report.findings.first().is_some_and(|g| g.event != f.event));
    let findings = report
        .findings
        .iter()
        .map(|f| {
            let several = report.findings.iter().filter(|g| g.kind == f.kind).count() > 1;
            ExpectedFinding {
                event: several_events.then(|| f.event.clone()),
                kind: f.kind.clone(),
                value: if several {
                    f.values.first().map(|v| v.value.clone())
                } else {
                    None
                },
                status: f.status,
                note_contains: None,
                corrected_to: f.corrected_to.clone(),
                values: Some(
                    f.values
                        .iter()
                        .map(|v| ExpectedValue {
                            value: v.value.clone(),
                            sources: v.sources.clone(),
                            superseded: v.superseded,
                        })
                        .collect(),
                ),
                counts: f.counts.as_ref().map(|c| ExpectedCounts {
                    low: Some(c.low.value.clone()),
                    best: Some(c.best.value.clone()),
                    high: Some(c.high.value.clone()),
                }),
            }
        })
        .collect();
    Expectations {
        cluster: Some(report.cluster.clone()),
        exhaustive: true,
        findings,
        sources: report
            .sources
            .iter()
            .map(|s| ExpectedSource {
                id: s.id.clone(),
                on_topic: s.on_topic,
            })
            .collect(),
    }
}

/// The header of a written expectations file.
const HEADER: &str = "\
# Expectations for `claimdiff check CLUSTER --expect FILE`, written by
# `--write-expect` from the findings it accepted. `exhaustive: true` makes a
# finding or source not listed here a drift; a field left out is not checked.
# Curate freely (drop what should not be pinned, add note_contains); writing
# the file again replaces it whole. See docs/ci.md.
";

/// Writes expectations as the YAML file `--write-expect` produces.
pub fn to_yaml(expected: &Expectations) -> Result<String, String> {
    let body = serde_yaml::to_string(expected).map_err(|e| e.to_string())?;
    Ok(format!("{HEADER}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let rules = crate::rules::RuleSet::builtin_shared().expect("rules");
        let cluster = crate::load::load_cluster(
            Path::new("fixtures/aleppo-omran"),
            crate::load::LoadOptions::default(),
        )
        .expect("fixture");
        crate::app::analyze(cluster, rules, "en")
    }

    #[test]
    fn a_report_meets_the_expectations_written_from_it() {
        let report = report();
        let written = to_yaml(&from_report(&report)).expect("yaml");
        let parsed = parse(&written, Path::new("e.yaml")).expect("parses");
        assert_eq!(parsed, from_report(&report));
        assert_eq!(check(&parsed, &report), Vec::<String>::new());
    }

    #[test]
    fn differences_are_listed_in_file_order_then_report_order() {
        let report = report();
        let mut expected = from_report(&report);
        expected.findings[0].status = Status::Agree;
        let dropped = expected.findings.remove(1);
        expected.findings.push(ExpectedFinding {
            kind: "no_such_kind".into(),
            ..dropped.clone()
        });
        expected.sources[4].on_topic = true;
        let drift = check(&expected, &report);
        let first = &report.findings[0];
        assert_eq!(
            drift,
            [
                format!(
                    "{}: status agree, now {}",
                    first.kind,
                    first.status.as_str()
                ),
                format!(
                    "- missing finding no_such_kind ({})",
                    dropped.status.as_str()
                ),
                format!(
                    "+ new finding {} \"{}\" in {} ({})",
                    dropped.kind,
                    report.findings[1].values[0].value,
                    report.findings[1].event,
                    dropped.status.as_str()
                ),
                format!("source {}: on_topic true, now false", report.sources[4].id),
            ]
        );
    }

    #[test]
    fn numbers_and_strings_are_the_same_values() {
        let yaml = "findings:\n  - kind: victim_age\n    status: agree\n    values:\n      - value: 5\n        sources: [000_a, 12]\n";
        let parsed = parse(yaml, Path::new("e.yaml")).expect("parses");
        let values = parsed.findings[0].values.as_ref().expect("values");
        assert_eq!(values[0].value, "5");
        assert_eq!(values[0].sources, ["000_a", "12"]);
    }

    #[test]
    fn a_bad_file_is_an_error_at_its_line_and_column() {
        let yaml = "findings:\n  - kind: hospital\n    stauts: review\n";
        let d = parse(yaml, Path::new("e.yaml")).expect_err("unknown field");
        assert_eq!((d.line, d.column), (Some(3), Some(5)));
        assert!(
            d.message.contains("unknown field `stauts`"),
            "{}",
            d.message
        );
        let d = parse(
            "findings:\n  - kind: x\n    status: confict\n",
            Path::new("e.yaml"),
        )
        .expect_err("unknown status");
        assert_eq!(d.line, Some(3));
        assert!(d.message.contains("unknown variant"), "{}", d.message);
    }
}
