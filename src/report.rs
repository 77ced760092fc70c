//! Report: renders reports for people (a table, Markdown) and for tools
//! (JSON, YAML, CSV). Every format renders the same [`Report`], sorted, so
//! the same input gives the same bytes.
//!
//! Source text is untrusted: terminal and Markdown output replace control
//! characters (no escape sequence from an article reaches the terminal),
//! Markdown escapes pipes and backticks, and CSV cells that a spreadsheet
//! would run as a formula are neutralised.
//!
//! Input comes from `compare`; writing files is `app`'s job.

use std::fmt::Write as _;

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};
use serde::Serialize;

use std::path::PathBuf;

use crate::compare::{Finding, Report, Status, SCHEMA};
use crate::extract::Claim;
use crate::normalize::{format_number, Found, Qualifier};

pub mod html;
pub mod sarif;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (the default).
    Table,
    /// JSON for tools (see docs/json-output.md).
    Json,
    /// The same data as YAML.
    Yaml,
    /// Comma-separated rows, for spreadsheets.
    Csv,
    /// Markdown tables, for tickets and pull requests.
    Markdown,
    /// One self-contained HTML page for editors (`check` only; see
    /// [`html`]).
    Html,
    /// SARIF 2.1.0 for code scanning: conflicts and reviews as results
    /// located in the sources (`check` only; see docs/json-output.md).
    Sarif,
    /// JSON Lines: one self-contained object per line (a finding for
    /// `check`, a claim for `claims`, a quantity for `numbers`, a kind for
    /// `rules list`).
    Jsonl,
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Show each value's sentence with the span marked.
    pub evidence: bool,
    /// Colour the status column (only ever on a terminal).
    pub color: bool,
    /// The width to fit tables into; `None` leaves lines as long as they are.
    pub width: Option<u16>,
}

/// Why only `check` renders HTML: the page is a review of findings.
pub const HTML_CHECK_ONLY: &str =
    "--format html is for `check` (the review page); use table, json, yaml, csv or markdown here";

/// Why only `check` writes SARIF: its results are findings located in the
/// sources.
pub const SARIF_CHECK_ONLY: &str =
    "--format sarif is for `check` (its results are findings); use jsonl, json, yaml, csv, markdown or table here";

/// Above this many on-topic sources the table lists values with their
/// sources instead of one column per source.
const MAX_SOURCE_COLUMNS: usize = 6;

/// Renders reports in a format. More than one report: tables and Markdown
/// one after another under a heading, JSON as a stream of objects (one per
/// cluster), YAML as several documents, CSV with a `cluster` column.
pub fn render_reports(
    reports: &[Report],
    format: Format,
    options: RenderOptions,
) -> Result<String, String> {
    let mut out = String::new();
    match format {
        Format::Json | Format::Yaml => out = serialize_all(reports, format)?,
        Format::Csv => out = csv_reports(reports, options.evidence)?,
        Format::Html => out = html::render(reports, &[])?,
        Format::Jsonl => out = jsonl_findings(reports)?,
        Format::Sarif => {
            return Err(
                "SARIF regions need the sources' texts: render with report::sarif::render".into(),
            )
        }
        Format::Table => {
            for (i, report) in reports.iter().enumerate() {
                if reports.len() > 1 {
                    if i > 0 {
                        out.push('\n');
                    }
                    let _ = writeln!(
                        out,
                        "== {} ({})",
                        clean_cell(&report.cluster),
                        report.path.display()
                    );
                }
                table_report(report, options, &mut out);
            }
        }
        Format::Markdown => {
            for report in reports {
                markdown_report(report, options.evidence, &mut out);
            }
        }
    }
    Ok(out)
}

/// Serialises one document per item: pretty JSON objects one after another
/// (a stream), or YAML documents separated by `---`.
fn serialize_all<T: Serialize>(items: &[T], format: Format) -> Result<String, String> {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if format == Format::Json {
            out.push_str(&serde_json::to_string_pretty(item).map_err(|e| e.to_string())?);
            out.push('\n');
        } else {
            if i > 0 {
                out.push_str("---\n");
            }
            out.push_str(&serde_yaml::to_string(item).map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
}

/// One finding of a cluster as a JSON Lines record: the finding with the
/// schema and its cluster's name, so that each line stands alone.
#[derive(Serialize)]
struct FindingLine<'a> {
    schema: &'static str,
    cluster: &'a str,
    #[serde(flatten)]
    finding: &'a Finding,
}

/// One claim of a cluster as a JSON Lines record.
#[derive(Serialize)]
struct ClaimLine<'a> {
    schema: &'static str,
    cluster: &'a str,
    #[serde(flatten)]
    claim: &'a Claim,
}

/// Writes items as JSON Lines: one compact object per line.
pub fn json_lines<T: Serialize>(items: impl IntoIterator<Item = T>) -> Result<String, String> {
    let mut out = String::new();
    for item in items {
        out.push_str(&serde_json::to_string(&item).map_err(|e| e.to_string())?);
        out.push('\n');
    }
    Ok(out)
}

/// Every finding of every cluster, one per line, in report order (sources
/// and events are not lines of their own: they are in the JSON report).
fn jsonl_findings(reports: &[Report]) -> Result<String, String> {
    json_lines(reports.iter().flat_map(|r| {
        r.findings.iter().map(|finding| FindingLine {
            schema: SCHEMA,
            cluster: &r.cluster,
            finding,
        })
    }))
}

/// The one-line summary: "3 conflicts, 1 for review, 6 agree, 2 variants,
/// 4 single across 4 sources; 1 source off-topic".
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "{}, {} for review, {} agree, {}, {} single across {}",
        plural(s.conflict, "conflict", "conflicts"),
        s.review,
        s.agree,
        plural(s.variant, "variant", "variants"),
        s.single,
        plural(s.sources_on_topic, "source", "sources"),
    );
    if s.sources_off_topic > 0 {
        let _ = write!(
            line,
            "; {} off-topic",
            plural(s.sources_off_topic, "source", "sources")
        );
    }
    line
}

/// Replaces control characters so that source text cannot drive the
/// terminal: a whole escape sequence (colour, cursor move, window title)
/// becomes one `�`, as does any other control character and any
/// bidirectional override (which would make text read other than it is).
/// Keeps line breaks.
pub fn clean_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.peek() {
                // CSI: `ESC [`, parameters and intermediates, one final byte.
                Some('[') => {
                    chars.next();
                    while chars
                        .next_if(|c| ('\u{20}'..='\u{3f}').contains(c))
                        .is_some()
                    {}
                    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
                }
                // OSC and other strings: up to BEL or the next control (ST is `ESC \`).
                Some(']' | 'P' | '_' | '^' | 'X') => {
                    while chars.next_if(|c| !c.is_control()).is_some() {}
                    chars.next_if_eq(&'\u{7}');
                }
                // A two-character escape (`ESC 7`, `ESC \`).
                Some(c) if ('\u{20}'..='\u{7e}').contains(c) => {
                    chars.next();
                }
                _ => {}
            }
            out.push('\u{FFFD}');
        } else if (c.is_control() && c != '\n') || crate::diag::is_bidi_control(c) {
            out.push('\u{FFFD}');
        } else {
            out.push(c);
        }
    }
    out
}

fn new_table(options: RenderOptions) -> Table {
    let mut table = Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL.with_rounded_corners());
    // comfy-table styles only on a terminal by itself; we decide instead
    // (--color, NO_COLOR), so that piped output is plain unless asked.
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    match options.width {
        Some(width) => {
            table.set_width(width);
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

fn status_cell(status: Status, color: bool) -> Cell {
    let cell = Cell::new(status.as_str());
    if !color {
        return cell;
    }
    match status {
        Status::Conflict => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Review => cell.fg(Color::Yellow),
        Status::Variant => cell.fg(Color::Cyan),
        Status::Agree => cell.fg(Color::Green),
        Status::Single => cell,
    }
}

/// The heading of one event's table: its sources and what set it apart.
fn event_heading(report: &Report, event: &str, sources: usize) -> String {
    let group = report.events.iter().find(|e| e.id == event);
    let signals: Vec<String> = group
        .map(|g| {
            g.signals
                .iter()
                .take(5)
                .map(|s| format!("{} {}", signal_kind(s.kind), s.value))
                .collect()
        })
        .unwrap_or_default();
    let plural = if sources == 1 { "" } else { "s" };
    if signals.is_empty() {
        clean_cell(&format!("event {event} ({sources} source{plural})"))
    } else {
        clean_cell(&format!(
            "event {event} ({sources} source{plural}), set apart by {}",
            signals.join(", ")
        ))
    }
}

/// How a signal kind reads in a heading.
fn signal_kind(kind: crate::compare::SignalKind) -> &'static str {
    use crate::compare::SignalKind;
    match kind {
        SignalKind::Date => "date",
        SignalKind::Place => "place",
        SignalKind::Participant => "participant",
        SignalKind::Name => "name",
    }
}

/// The findings of one event: a column per source when they fit, else the
/// values with the sources that give them.
fn findings_table(
    findings: &[&Finding],
    on_topic: &[&str],
    options: RenderOptions,
    out: &mut String,
) {
    let mut table = new_table(options);
    if on_topic.len() <= MAX_SOURCE_COLUMNS {
        let mut header = vec!["claim".to_string(), "status".to_string()];
        header.extend(on_topic.iter().map(|id| clean_cell(id)));
        header.push("note".into());
        table.set_header(header);
        for finding in findings {
            let mut row = vec![
                Cell::new(&finding.label),
                status_cell(finding.status, options.color),
            ];
            for id in on_topic {
                row.push(Cell::new(clean_cell(
                    &source_values(finding, id).join("\n"),
                )));
            }
            row.push(Cell::new(clean_cell(&finding_note(finding))));
            table.add_row(row);
        }
    } else {
        table.set_header(vec!["claim", "status", "value", "sources", "note"]);
        for finding in findings {
            let values: Vec<String> = finding
                .values
                .iter()
                .map(|v| clean_cell(&v.value))
                .collect();
            let sources: Vec<String> = finding
                .values
                .iter()
                .map(|v| clean_cell(&v.sources.join(", ")))
                .collect();
            table.add_row(vec![
                Cell::new(&finding.label),
                status_cell(finding.status, options.color),
                Cell::new(values.join("\n")),
                Cell::new(sources.join("\n")),
                Cell::new(clean_cell(&finding_note(finding))),
            ]);
        }
    }
    // The claim and its status are what a reader scans first: never wrap them.
    for index in 0..2 {
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    let _ = writeln!(out, "{table}");
}

fn table_report(report: &Report, options: RenderOptions, out: &mut String) {
    // One table per event: a cluster of two events is two comparisons.
    let events: Vec<(&str, Vec<&str>)> = report
        .events
        .iter()
        .map(|e| {
            let on_topic: Vec<&str> = report
                .sources
                .iter()
                .filter(|s| s.on_topic && s.event == e.id)
                .map(|s| s.id.as_str())
                .collect();
            (e.id.as_str(), on_topic)
        })
        .filter(|(_, on_topic)| !on_topic.is_empty())
        .collect();
    for (event, on_topic) in &events {
        if events.len() > 1 {
            let _ = writeln!(out, "{}", event_heading(report, event, on_topic.len()));
        }
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.event == *event)
            .collect();
        findings_table(&findings, on_topic, options, out);
    }
    if events.is_empty() {
        findings_table(&[], &[], options, out);
    }
    let mut sources = new_table(options);
    let several = events.len() > 1;
    let mut header = vec!["source", "title", "claims"];
    if several {
        header.push("event");
    }
    header.push("on topic");
    sources.set_header(header);
    for s in &report.sources {
        let topic = match &s.off_topic_reason {
            None => "yes".to_string(),
            Some(reason) => format!("no: {reason}"),
        };
        let mut row = vec![
            Cell::new(clean_cell(&s.id)),
            Cell::new(clean_cell(&s.title)),
            Cell::new(s.claims),
        ];
        if several {
            row.push(Cell::new(clean_cell(&s.event)));
        }
        row.push(Cell::new(clean_cell(&topic)));
        sources.add_row(row);
    }
    let _ = writeln!(out, "{sources}");
    if options.evidence {
        evidence_text(&report.findings, out);
    }
    let _ = writeln!(out, "{}", summary_line(report));
}

/// The note a finding shows in tables: why its status is what it is, and
/// for counts that differ the low / best / high figures.
pub fn finding_note(finding: &Finding) -> String {
    let mut parts: Vec<String> = finding.note.iter().cloned().collect();
    if let Some(c) = finding.counts.as_ref().filter(|_| finding.values.len() > 1) {
        parts.push(format!(
            "low {} ({}), best {} ({}), high {} ({})",
            c.low.value, c.low.sources, c.best.value, c.best.sources, c.high.value, c.high.sources
        ));
    }
    parts.join("; ")
}

/// The values one source gives in a finding, as that source writes them
/// ("Omran" where another source has "Omran Daqneesh"), majority value
/// first, each with who the source attributes it to and whether a
/// correction replaced it.
fn source_values(finding: &Finding, source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in &finding.values {
        for claim in value.claims.iter().filter(|c| c.source == source) {
            let mut shown = claim.value.display.clone();
            if let Some(note) = attribution_note(claim, &finding.kind) {
                shown = format!("{shown} [{note}]");
            }
            if value.superseded {
                shown.push_str(" [superseded]");
            }
            if !out.contains(&shown) {
                out.push(shown);
            }
        }
    }
    out
}

/// How a table cell names a claim's attribution: `post @rafsanchez`,
/// `quote: Dr Hamza`, `per SANA`, `correction`. None for a plain report,
/// and none of "per X" when the kind's value is X itself (`reported_by`).
pub fn attribution_note(claim: &Claim, kind: &str) -> Option<String> {
    use crate::extract::{Modality, Via};
    let by = claim.attribution.as_ref().and_then(|a| a.by.as_deref());
    let via = claim.attribution.as_ref().map(|a| a.via);
    let handle = |by: &str| {
        by.rsplit_once("(@")
            .map(|(_, h)| format!("@{}", h.trim_end_matches(')')))
            .unwrap_or_else(|| by.to_string())
    };
    let said = match (via, by) {
        (Some(Via::Post), Some(by)) => Some(format!("post {}", handle(by))),
        (Some(Via::Post), None) => Some("post".to_string()),
        (Some(Via::Quote), Some(by)) => Some(format!("quote: {by}")),
        (Some(Via::Quote), None) => Some("quote".to_string()),
        (Some(Via::Report), Some(by))
            if crate::normalize::fold_text(by)
                != crate::normalize::fold_text(&claim.value.display)
                && kind != "reported_by" =>
        {
            Some(format!("per {by}"))
        }
        _ => None,
    };
    let modality = match claim.modality {
        Modality::Corrected => Some("correction"),
        Modality::Superseded => Some("said to be wrong"),
        _ => None,
    };
    match (said, modality) {
        (Some(s), Some(m)) => Some(format!("{s}; {m}")),
        (Some(s), None) => Some(s),
        (None, Some(m)) => Some(m.to_string()),
        (None, None) => None,
    }
}

/// The sentence of a claim with its span marked `»like this«`.
pub fn marked_sentence(claim: &Claim, open: &str, close: &str) -> String {
    let (start, end) = (
        claim.start.saturating_sub(claim.sentence_start),
        claim.end.saturating_sub(claim.sentence_start),
    );
    let s = &claim.sentence;
    match (s.get(..start), s.get(start..end), s.get(end..)) {
        (Some(a), Some(b), Some(c)) => format!("{a}{open}{b}{close}{c}"),
        _ => s.clone(),
    }
}

fn evidence_text(findings: &[Finding], out: &mut String) {
    let _ = writeln!(out, "Evidence");
    for f in findings {
        let _ = writeln!(out, "{} ({})", f.label, f.status.as_str());
        for v in &f.values {
            let _ = writeln!(out, "  {}", clean_cell(&v.value));
            for c in &v.claims {
                let sentence = clean_cell(&marked_sentence(c, "»", "«")).replace('\n', " ");
                let _ = writeln!(
                    out,
                    "    {} {}-{}: {sentence}",
                    clean_cell(&c.source),
                    c.start,
                    c.end
                );
            }
        }
    }
}

/// Escapes text for a Markdown table cell.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean_cell(s).chars() {
        match c {
            '|' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

fn markdown_report(report: &Report, evidence: bool, out: &mut String) {
    let _ = writeln!(out, "## {}\n", markdown_cell(&report.cluster));
    let _ = writeln!(
        out,
        "| claim | status | value | sources | note |\n|---|---|---|---|---|"
    );
    for f in &report.findings {
        let values: Vec<String> = f.values.iter().map(|v| markdown_cell(&v.value)).collect();
        let sources: Vec<String> = f
            .values
            .iter()
            .map(|v| markdown_cell(&v.sources.join(", ")))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            markdown_cell(&f.label),
            f.status.as_str(),
            values.join("<br>"),
            sources.join("<br>"),
            markdown_cell(&finding_note(f))
        );
    }
    let _ = writeln!(
        out,
        "\n| source | title | claims | on topic |\n|---|---|---|---|"
    );
    for s in &report.sources {
        let topic = s
            .off_topic_reason
            .as_ref()
            .map_or("yes".to_string(), |r| format!("no: {r}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            markdown_cell(&s.id),
            markdown_cell(&s.title),
            s.claims,
            markdown_cell(&topic)
        );
    }
    if evidence {
        let _ = writeln!(out, "\n### Evidence\n");
        for f in &report.findings {
            for v in &f.values {
                for c in &v.claims {
                    let plain = marked_sentence(c, "**", "**");
                    let marked = markdown_evidence(&plain);
                    let _ = writeln!(
                        out,
                        "- {} / {}: {} ({} {}-{}): {marked}",
                        markdown_cell(&f.label),
                        f.status.as_str(),
                        markdown_cell(&v.value),
                        markdown_cell(&c.source),
                        c.start,
                        c.end
                    );
                }
            }
        }
    }
    let _ = writeln!(out, "\n{}\n", summary_line(report));
}

/// Escapes a marked sentence for Markdown, keeping the `**` span markers.
fn markdown_evidence(marked: &str) -> String {
    marked
        .split("**")
        .map(markdown_cell)
        .collect::<Vec<_>>()
        .join("**")
        .replace("<br>", " ")
}

/// Neutralises a CSV cell that a spreadsheet would read as a formula.
pub fn csv_cell(s: &str) -> String {
    let s = clean_cell(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

fn csv_reports(reports: &[Report], evidence: bool) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| e.to_string();
    if evidence {
        w.write_record([
            "cluster", "kind", "status", "value", "source", "text", "start", "end", "sentence",
            "note",
        ])
        .map_err(err)?;
    } else {
        w.write_record(["cluster", "kind", "status", "value", "sources", "note"])
            .map_err(err)?;
    }
    for report in reports {
        for f in &report.findings {
            let note = &finding_note(f);
            for v in &f.values {
                if evidence {
                    for c in &v.claims {
                        w.write_record([
                            csv_cell(&report.cluster),
                            f.kind.clone(),
                            f.status.as_str().to_string(),
                            csv_cell(&v.value),
                            csv_cell(&c.source),
                            csv_cell(&c.text),
                            c.start.to_string(),
                            c.end.to_string(),
                            csv_cell(&c.sentence),
                            csv_cell(note),
                        ])
                        .map_err(err)?;
                    }
                } else {
                    w.write_record([
                        csv_cell(&report.cluster),
                        f.kind.clone(),
                        f.status.as_str().to_string(),
                        csv_cell(&v.value),
                        csv_cell(&v.sources.join(" ")),
                        csv_cell(note),
                    ])
                    .map_err(err)?;
                }
            }
        }
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// One quantity found by `claimdiff numbers`: where it is, what it means.
#[derive(Debug, Clone, Serialize)]
pub struct QuantityRow {
    /// The file it was found in, as given.
    pub source: PathBuf,
    /// The text as written ("more than 300,000").
    pub text: String,
    /// The stated figure; absent for a range or a vague plural.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The lowest value the text allows.
    pub low: f64,
    /// The highest value the text allows; `null` when unbounded.
    pub high: Option<f64>,
    /// `exact`, `approximate`, `lower_bound`, `upper_bound` or `range`.
    pub qualifier: Qualifier,
    /// The word it counts ("children"), when one follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Byte offset of the text in the file.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl QuantityRow {
    /// A row for a quantity found in `source`.
    pub fn new(source: PathBuf, found: Found) -> Self {
        let q = found.quantity;
        QuantityRow {
            source,
            text: found.text,
            value: q.value,
            low: q.low,
            high: q.high.is_finite().then_some(q.high),
            qualifier: q.qualifier,
            unit: found.unit,
            start: found.start,
            end: found.end,
        }
    }

    fn interval(&self) -> String {
        let high = self.high.map_or("∞".to_string(), format_number);
        format!("[{}, {high}]", format_number(self.low))
    }
}

/// Renders the quantities `claimdiff numbers` found: JSON is one array of
/// objects, YAML the same list, CSV one row each, the table and Markdown one
/// line each.
pub fn render_quantities(
    rows: &[QuantityRow],
    format: Format,
    options: RenderOptions,
) -> Result<String, String> {
    let mut out = String::new();
    match format {
        Format::Html => return Err(HTML_CHECK_ONLY.into()),
        Format::Sarif => return Err(SARIF_CHECK_ONLY.into()),
        Format::Jsonl => out = json_lines(rows)?,
        Format::Json => {
            out = serde_json::to_string_pretty(rows).map_err(|e| e.to_string())?;
            out.push('\n');
        }
        Format::Yaml => out = serde_yaml::to_string(rows).map_err(|e| e.to_string())?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let err = |e: csv::Error| e.to_string();
            w.write_record([
                "source",
                "text",
                "value",
                "low",
                "high",
                "qualifier",
                "unit",
                "start",
                "end",
            ])
            .map_err(err)?;
            for r in rows {
                w.write_record([
                    csv_cell(&r.source.display().to_string()),
                    csv_cell(&r.text),
                    r.value.map(format_number).unwrap_or_default(),
                    format_number(r.low),
                    r.high.map(format_number).unwrap_or_default(),
                    r.qualifier.as_str().to_string(),
                    csv_cell(r.unit.as_deref().unwrap_or("")),
                    r.start.to_string(),
                    r.end.to_string(),
                ])
                .map_err(err)?;
            }
            let bytes = w.into_inner().map_err(|e| e.to_string())?;
            out = String::from_utf8(bytes).map_err(|e| e.to_string())?;
        }
        Format::Markdown => {
            out.push_str("| source | text | qualifier | interval | unit | span |\n|---|---|---|---|---|---|\n");
            for r in rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {}-{} |",
                    markdown_cell(&r.source.display().to_string()),
                    markdown_cell(&r.text),
                    r.qualifier.as_str(),
                    r.interval(),
                    markdown_cell(r.unit.as_deref().unwrap_or("")),
                    r.start,
                    r.end
                );
            }
        }
        Format::Table => {
            let mut table = new_table(options);
            table.set_header(vec![
                "source",
                "text",
                "qualifier",
                "interval",
                "unit",
                "span",
            ]);
            for r in rows {
                table.add_row(vec![
                    Cell::new(clean_cell(&r.source.display().to_string())),
                    Cell::new(clean_cell(&r.text)),
                    Cell::new(r.qualifier.as_str()),
                    Cell::new(r.interval()),
                    Cell::new(clean_cell(r.unit.as_deref().unwrap_or(""))),
                    Cell::new(format!("{}-{}", r.start, r.end)),
                ]);
            }
            let _ = writeln!(out, "{table}");
            let _ = writeln!(out, "{} quantities", rows.len());
        }
    }
    Ok(out)
}

/// The claims of one cluster, for `claimdiff claims`.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimsReport {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The cluster's name.
    pub cluster: String,
    /// Every claim, by source then position.
    pub claims: Vec<Claim>,
}

impl ClaimsReport {
    /// A claims report for a cluster.
    pub fn new(cluster: String, claims: Vec<Claim>) -> Self {
        ClaimsReport {
            schema: SCHEMA,
            cluster,
            claims,
        }
    }
}

/// Renders extracted claims with their evidence.
pub fn render_claims(
    reports: &[ClaimsReport],
    format: Format,
    options: RenderOptions,
) -> Result<String, String> {
    let mut out = String::new();
    match format {
        Format::Html => return Err(HTML_CHECK_ONLY.into()),
        Format::Sarif => return Err(SARIF_CHECK_ONLY.into()),
        Format::Jsonl => {
            out = json_lines(reports.iter().flat_map(|r| {
                r.claims.iter().map(|claim| ClaimLine {
                    schema: SCHEMA,
                    cluster: &r.cluster,
                    claim,
                })
            }))?
        }
        Format::Json | Format::Yaml => out = serialize_all(reports, format)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let err = |e: csv::Error| e.to_string();
            w.write_record([
                "cluster", "source", "kind", "value", "subject", "text", "start", "end", "sentence",
            ])
            .map_err(err)?;
            for r in reports {
                for c in &r.claims {
                    w.write_record([
                        csv_cell(&r.cluster),
                        csv_cell(&c.source),
                        c.kind.clone(),
                        csv_cell(&c.value.display),
                        csv_cell(c.subject.as_deref().unwrap_or("")),
                        csv_cell(&c.text),
                        c.start.to_string(),
                        c.end.to_string(),
                        csv_cell(&c.sentence),
                    ])
                    .map_err(err)?;
                }
            }
            let bytes = w.into_inner().map_err(|e| e.to_string())?;
            out = String::from_utf8(bytes).map_err(|e| e.to_string())?;
        }
        Format::Markdown => {
            for r in reports {
                let _ = writeln!(out, "## {}\n", markdown_cell(&r.cluster));
                let _ = writeln!(out, "| source | kind | value | subject | span | evidence |\n|---|---|---|---|---|---|");
                for c in &r.claims {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {}-{} | {} |",
                        markdown_cell(&c.source),
                        markdown_cell(&c.kind),
                        markdown_cell(&c.value.display),
                        markdown_cell(c.subject.as_deref().unwrap_or("")),
                        c.start,
                        c.end,
                        markdown_evidence(&marked_sentence(c, "**", "**"))
                    );
                }
                out.push('\n');
            }
        }
        Format::Table => {
            for r in reports {
                if reports.len() > 1 {
                    let _ = writeln!(out, "== {}", clean_cell(&r.cluster));
                }
                let mut table = new_table(options);
                table.set_header(vec![
                    "source", "kind", "value", "subject", "span", "evidence",
                ]);
                for c in &r.claims {
                    table.add_row(vec![
                        Cell::new(clean_cell(&c.source)),
                        Cell::new(&c.kind),
                        Cell::new(clean_cell(&c.value.display)),
                        Cell::new(clean_cell(c.subject.as_deref().unwrap_or(""))),
                        Cell::new(format!("{}-{}", c.start, c.end)),
                        Cell::new(clean_cell(&marked_sentence(c, "»", "«")).replace('\n', " ")),
                    ]);
                }
                let _ = writeln!(out, "{table}");
                let _ = writeln!(out, "{} claims", r.claims.len());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(
            clean_cell("a\u{1b}[31mred\u{7}\nb"),
            "a\u{FFFD}red\u{FFFD}\nb"
        );
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("-5"), "'-5");
        assert_eq!(csv_cell("M10"), "M10");
    }

    #[test]
    fn markdown_cells_escape_table_syntax() {
        assert_eq!(markdown_cell("a|b `c`\nd"), "a\\|b \\`c\\`<br>d");
    }
}
