//! The HTML report: one self-contained page for editors who review a
//! cluster, rendered from `templates/report.html` with askama, which escapes
//! every value it inserts.
//!
//! The page holds everything it shows: the findings table of each event, the
//! evidence of every value (its sentences with the span marked), and the full
//! text of every source with its claims highlighted. It loads nothing: its
//! style and script are inline, and a Content-Security-Policy meta tag allows
//! only those two, by their SHA-256 hashes, computed here over the exact bytes
//! the page carries.
//!
//! Source text is untrusted. It only ever reaches the page through the
//! template's escaping; the evidence is rendered here, not built by the
//! script, which only shows, hides and filters what is already there. A
//! manifest URL becomes a link only when it is `http:` or `https:`.
//!
//! Input is the [`Report`] of each cluster and, when the caller has them,
//! its sources' texts and claims ([`SourceText`]); the JSON report carries
//! neither, and stays as it is.

use std::collections::BTreeSet;

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::compare::{Finding, FindingValue, Report, SourceSummary, Status};
use crate::extract::{Claim, Modality, Via};

/// The page's only style sheet, inlined and allowed by its hash.
const STYLE: &str = include_str!("../../templates/report.css");
/// The page's only script, inlined and allowed by its hash.
const SCRIPT: &str = include_str!("../../templates/report.js");

/// The full text of one source and every claim read from it: what the page
/// needs to show a source whole, which the [`Report`] does not carry.
#[derive(Debug, Clone, Default)]
pub struct SourceText {
    /// The source id, as in [`SourceSummary::id`].
    pub id: String,
    /// The text exactly as read; claim offsets point into it.
    pub text: String,
    /// Every claim read from it, off-topic sources' included.
    pub claims: Vec<Claim>,
}

/// The Content-Security-Policy of the page: nothing may load, no form may
/// post, and only the page's own style and script (by hash) may run.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; img-src 'none'; font-src 'none'; \
         connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; \
         worker-src 'none'; manifest-src 'none'; form-action 'none'; base-uri 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    )
}

/// A CSP hash source (`sha256-…`) for an inline element's exact content.
fn csp_hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Renders reports as one HTML page, a section per cluster. `texts[i]` holds
/// the sources of `reports[i]`; a report without them still shows its
/// findings and evidence, but not its sources' full text.
pub fn render(reports: &[Report], texts: &[Vec<SourceText>]) -> Result<String, String> {
    let clusters: Vec<ClusterView> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| cluster_view(i, r, texts.get(i).map(Vec::as_slice).unwrap_or(&[])))
        .collect();
    let title = match reports {
        [one] => format!("claimdiff: {}", one.cluster),
        _ => format!("claimdiff: {} clusters", reports.len()),
    };
    let page = Page {
        title,
        csp: content_security_policy(),
        style: STYLE,
        script: SCRIPT,
        clusters,
    };
    page.render().map_err(|e| e.to_string())
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    title: String,
    csp: String,
    style: &'static str,
    script: &'static str,
    clusters: Vec<ClusterView>,
}

struct ClusterView {
    /// Prefix of every id in this cluster's section (`k0`).
    key: String,
    name: String,
    path: String,
    sources_total: usize,
    on_topic: usize,
    summary: Vec<SummaryItem>,
    events: Vec<EventView>,
    off_topic: Vec<OffTopicView>,
    evidence: Vec<EvidenceView>,
    sources: Vec<SourceView>,
    diagnostics: Vec<String>,
}

struct SummaryItem {
    count: usize,
    label: String,
    class: &'static str,
    icon: &'static str,
}

struct EventView {
    heading: Option<String>,
    columns: Vec<ColumnView>,
    rows: Vec<RowView>,
}

struct ColumnView {
    id: String,
    outlet: Option<String>,
    title: String,
    anchor: String,
}

struct RowView {
    label: String,
    kind: String,
    status: &'static str,
    icon: &'static str,
    search: String,
    cells: Vec<Vec<ItemView>>,
    note: Option<String>,
    counts: Option<String>,
    corrected_to: Option<String>,
}

struct ItemView {
    value: String,
    marks: Vec<String>,
    superseded: bool,
    /// Not the value most sources give, in a row that needs a person.
    differs: bool,
    ev: String,
    aria: String,
}

struct EvidenceView {
    id: String,
    status: &'static str,
    icon: &'static str,
    label: String,
    value: String,
    marks: Vec<String>,
    source: SourceLine,
    correction: Option<String>,
    claims: Vec<ClaimView>,
}

struct SourceLine {
    id: String,
    anchor: String,
    outlet: Option<String>,
    published: Option<String>,
    url: Option<String>,
    /// The URL again when it may be a link (http or https only).
    href: Option<String>,
}

struct ClaimView {
    before: String,
    span: String,
    after: String,
    attribution: Option<String>,
    modality: Option<String>,
    subject: Option<String>,
    bytes: String,
    link: Option<String>,
}

struct OffTopicView {
    id: String,
    anchor: String,
    title: String,
    reason: String,
}

struct SourceView {
    anchor: String,
    line: SourceLine,
    title: String,
    lang: String,
    claims: usize,
    off_topic: bool,
    has_text: bool,
    segments: Vec<TextSegment>,
}

struct TextSegment {
    text: String,
    /// 0 plain, 1 a claim, 2 dropped (not read).
    class: u8,
    id: Option<String>,
    title: String,
}

fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Conflict => "✖",
        Status::Review => "?",
        Status::Variant => "≈",
        Status::Agree => "✓",
        Status::Single => "○",
    }
}

fn cluster_view(index: usize, report: &Report, texts: &[SourceText]) -> ClusterView {
    let key = format!("k{index}");
    let source_anchor = |id: &str| -> String {
        let n = report
            .sources
            .iter()
            .position(|s| s.id == id)
            .unwrap_or(usize::MAX);
        format!("{key}-s{n}")
    };
    let s = &report.summary;
    let plural = |n: usize, one: &str, many: &str| if n == 1 { one } else { many }.to_string();
    let summary = vec![
        SummaryItem {
            count: s.conflict,
            label: plural(s.conflict, "conflict", "conflicts"),
            class: "conflict",
            icon: status_icon(Status::Conflict),
        },
        SummaryItem {
            count: s.review,
            label: "for review".into(),
            class: "review",
            icon: status_icon(Status::Review),
        },
        SummaryItem {
            count: s.variant,
            label: plural(s.variant, "variant", "variants"),
            class: "variant",
            icon: status_icon(Status::Variant),
        },
        SummaryItem {
            count: s.agree,
            label: plural(s.agree, "agreement", "agreements"),
            class: "agree",
            icon: status_icon(Status::Agree),
        },
        SummaryItem {
            count: s.single,
            label: "single-source".into(),
            class: "single",
            icon: status_icon(Status::Single),
        },
        SummaryItem {
            count: s.sources_off_topic,
            label: plural(s.sources_off_topic, "off-topic source", "off-topic sources"),
            class: "offtopic",
            icon: "⊘",
        },
    ];

    let mut evidence = Vec::new();
    let mut events = Vec::new();
    let event_ids: Vec<(&str, Vec<&SourceSummary>)> = report
        .events
        .iter()
        .map(|e| {
            let on: Vec<&SourceSummary> = report
                .sources
                .iter()
                .filter(|s| s.on_topic && s.event == e.id)
                .collect();
            (e.id.as_str(), on)
        })
        .filter(|(_, on)| !on.is_empty())
        .collect();
    let mut finding_no = 0usize;
    for (event, on_topic) in &event_ids {
        let heading =
            (event_ids.len() > 1).then(|| super::event_heading(report, event, on_topic.len()));
        let columns = on_topic
            .iter()
            .map(|s| ColumnView {
                id: s.id.clone(),
                outlet: s.meta.outlet.clone(),
                title: s.title.clone(),
                anchor: source_anchor(&s.id),
            })
            .collect();
        let mut rows = Vec::new();
        for finding in report.findings.iter().filter(|f| f.event == *event) {
            let f = finding_no;
            finding_no += 1;
            let mut cells = Vec::new();
            for (n, source) in on_topic.iter().enumerate() {
                let mut items = Vec::new();
                for (v, value) in finding.values.iter().enumerate() {
                    let claims: Vec<&Claim> = value
                        .claims
                        .iter()
                        .filter(|c| c.source == source.id)
                        .collect();
                    if claims.is_empty() {
                        continue;
                    }
                    let id = format!("{key}-f{f}-v{v}-c{n}");
                    let marks = value_marks(finding, value, &claims);
                    let shown = claims
                        .first()
                        .map(|c| c.value.display.clone())
                        .unwrap_or_else(|| value.value.clone());
                    evidence.push(evidence_view(
                        &id,
                        finding,
                        value,
                        &shown,
                        &marks,
                        source,
                        &claims,
                        &source_anchor(&source.id),
                    ));
                    items.push(ItemView {
                        aria: format!(
                            "{}, {}: {}{}; show evidence",
                            finding.label,
                            source.id,
                            shown,
                            if value.superseded {
                                " (superseded)"
                            } else {
                                ""
                            }
                        ),
                        value: shown,
                        marks,
                        superseded: value.superseded,
                        differs: v > 0
                            && matches!(finding.status, Status::Conflict | Status::Review),
                        ev: id,
                    });
                }
                cells.push(items);
            }
            let mut search: Vec<String> = vec![finding.label.clone(), finding.kind.clone()];
            for value in &finding.values {
                search.push(value.value.clone());
                search.extend(value.spellings.iter().cloned());
            }
            rows.push(RowView {
                label: finding.label.clone(),
                kind: finding.kind.clone(),
                status: finding.status.as_str(),
                icon: status_icon(finding.status),
                search: search.join(" ").to_lowercase(),
                cells,
                note: finding.note.clone(),
                counts: finding
                    .counts
                    .as_ref()
                    .filter(|_| finding.values.len() > 1)
                    .map(|c| {
                        format!(
                            "low {} ({}) · best {} ({}) · high {} ({})",
                            c.low.value,
                            c.low.sources,
                            c.best.value,
                            c.best.sources,
                            c.high.value,
                            c.high.sources
                        )
                    }),
                // The note usually says it already ("X corrected to Y by …").
                corrected_to: finding.corrected_to.clone().filter(|_| {
                    !finding
                        .note
                        .as_deref()
                        .unwrap_or("")
                        .contains("corrected to")
                }),
            });
        }
        events.push(EventView {
            heading,
            columns,
            rows,
        });
    }

    let off_topic = report
        .sources
        .iter()
        .filter(|s| !s.on_topic)
        .map(|s| OffTopicView {
            id: s.id.clone(),
            anchor: source_anchor(&s.id),
            title: s.title.clone(),
            reason: s.off_topic_reason.clone().unwrap_or_default(),
        })
        .collect();

    let sources = report
        .sources
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let text = texts.iter().find(|t| t.id == s.id);
            SourceView {
                anchor: format!("{key}-s{n}"),
                line: source_line(s, format!("{key}-s{n}")),
                title: s.title.clone(),
                lang: s.lang.clone(),
                claims: s.claims,
                off_topic: !s.on_topic,
                has_text: text.is_some(),
                segments: text
                    .map(|t| text_segments(&format!("{key}-s{n}"), t, s))
                    .unwrap_or_default(),
            }
        })
        .collect();

    ClusterView {
        key,
        name: report.cluster.clone(),
        path: report.path.display().to_string(),
        sources_total: report.sources.len(),
        on_topic: s.sources_on_topic,
        summary,
        events,
        off_topic,
        evidence,
        sources,
        diagnostics: report.diagnostics.iter().map(|d| d.to_string()).collect(),
    }
}

/// The marks a cell shows after a value, as the terminal table does:
/// `post @handle`, `per X`, `correction`, `superseded`.
fn value_marks(finding: &Finding, value: &FindingValue, claims: &[&Claim]) -> Vec<String> {
    let mut marks: Vec<String> = Vec::new();
    for claim in claims {
        if let Some(note) = super::attribution_note(claim, &finding.kind) {
            if !marks.contains(&note) {
                marks.push(note);
            }
        }
    }
    if value.superseded {
        marks.push("superseded".into());
    }
    marks
}

fn source_line(s: &SourceSummary, anchor: String) -> SourceLine {
    let href = s.meta.url.as_ref().filter(|u| is_web_url(u)).cloned();
    SourceLine {
        id: s.id.clone(),
        anchor,
        outlet: s.meta.outlet.clone(),
        published: s.meta.published.clone(),
        url: s.meta.url.clone(),
        href,
    }
}

/// True for an `http:` or `https:` URL: the only ones the page links to
/// (never `javascript:`, `data:` or a local file).
fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

#[allow(clippy::too_many_arguments)]
fn evidence_view(
    id: &str,
    finding: &Finding,
    value: &FindingValue,
    shown: &str,
    marks: &[String],
    source: &SourceSummary,
    claims: &[&Claim],
    anchor: &str,
) -> EvidenceView {
    let correcting: BTreeSet<&str> = finding
        .values
        .iter()
        .flat_map(|v| v.claims.iter())
        .filter(|c| c.modality == Modality::Corrected)
        .map(|c| c.source.as_str())
        .collect();
    let by = correcting.into_iter().collect::<Vec<_>>().join(", ");
    let correction = if value.superseded {
        Some(match (&finding.corrected_to, by.is_empty()) {
            (Some(to), false) => format!("Superseded: corrected to {to} by {by}."),
            (Some(to), true) => format!("Superseded: corrected to {to}."),
            (None, _) => "Superseded: a source says this value was wrong.".to_string(),
        })
    } else if claims.iter().any(|c| c.modality == Modality::Corrected) {
        let replaced: Vec<&str> = finding
            .values
            .iter()
            .filter(|v| v.superseded)
            .map(|v| v.value.as_str())
            .collect();
        Some(if replaced.is_empty() {
            "This value is given as a correction.".to_string()
        } else {
            format!(
                "This value is given as a correction; it replaces {}.",
                replaced.join(", ")
            )
        })
    } else {
        None
    };
    EvidenceView {
        id: id.to_string(),
        status: finding.status.as_str(),
        icon: status_icon(finding.status),
        label: finding.label.clone(),
        value: shown.to_string(),
        marks: marks.to_vec(),
        source: source_line(source, anchor.to_string()),
        correction,
        claims: claims.iter().map(|c| claim_view(c, anchor)).collect(),
    }
}

fn claim_view(claim: &Claim, anchor: &str) -> ClaimView {
    let s = &claim.sentence;
    let start = claim.start.saturating_sub(claim.sentence_start);
    let end = claim.end.saturating_sub(claim.sentence_start);
    let (before, span, after) = match (s.get(..start), s.get(start..end), s.get(end..)) {
        (Some(a), Some(b), Some(c)) => (a.to_string(), b.to_string(), c.to_string()),
        _ => (s.clone(), String::new(), String::new()),
    };
    let attribution = claim.attribution.as_ref().map(|a| {
        let by = a.by.as_deref();
        match (a.via, by) {
            (Via::Post, Some(by)) => format!("in a post by {by}"),
            (Via::Post, None) => "in an embedded post".to_string(),
            (Via::Quote, Some(by)) => format!("quoting {by}"),
            (Via::Quote, None) => "in a quotation".to_string(),
            (Via::Report, Some(by)) => format!("according to {by}"),
            (Via::Report, None) => "reported".to_string(),
        }
    });
    let modality = match claim.modality {
        Modality::Reported => None,
        Modality::Quoted => Some("quoted: someone else's words".to_string()),
        Modality::Corrected => Some("a correction".to_string()),
        Modality::Superseded => Some("given as wrongly reported".to_string()),
    };
    ClaimView {
        before,
        span,
        after,
        attribution,
        modality,
        subject: claim.subject.clone(),
        bytes: format!("bytes {}–{}", claim.start, claim.end),
        link: Some(format!("{anchor}-o{}", claim.start)),
    }
}

/// A source's text cut where claims and dropped passages start and end, so
/// that overlapping claims still mark each piece once.
fn text_segments(anchor: &str, source: &SourceText, summary: &SourceSummary) -> Vec<TextSegment> {
    let text = &source.text;
    let ok = |i: usize| i <= text.len() && text.is_char_boundary(i);
    let claims: Vec<&Claim> = source
        .claims
        .iter()
        .filter(|c| c.start < c.end && ok(c.start) && ok(c.end))
        .collect();
    let dropped: Vec<(usize, usize, &str)> = summary
        .dropped
        .iter()
        .map(|d| (d.span.start, d.span.end, d.reason.as_str()))
        .filter(|(a, b, _)| a < b && ok(*a) && ok(*b))
        .collect();
    let mut cuts: BTreeSet<usize> = BTreeSet::from([0, text.len()]);
    for c in &claims {
        cuts.insert(c.start);
        cuts.insert(c.end);
    }
    for (a, b, _) in &dropped {
        cuts.insert(*a);
        cuts.insert(*b);
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    let starts: BTreeSet<usize> = claims.iter().map(|c| c.start).collect();
    let mut out: Vec<TextSegment> = Vec::new();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some(piece) = text.get(a..b) else {
            continue;
        };
        let covering: Vec<&&Claim> = claims
            .iter()
            .filter(|c| c.start <= a && b <= c.end)
            .collect();
        let dropped_here = dropped.iter().find(|(s, e, _)| *s <= a && b <= *e);
        let id = starts.contains(&a).then(|| format!("{anchor}-o{a}"));
        let (class, title) = if !covering.is_empty() {
            let mut kinds: Vec<String> = covering
                .iter()
                .map(|c| format!("{}: {}", c.kind, c.value.display))
                .collect();
            kinds.dedup();
            (1, kinds.join("; "))
        } else if let Some((_, _, reason)) = dropped_here {
            (2, format!("not read: {reason}"))
        } else {
            (0, String::new())
        };
        match out.last_mut() {
            // Plain text between cuts that only dropped passages made.
            Some(last) if class == 0 && last.class == 0 && id.is_none() => {
                last.text.push_str(piece)
            }
            _ => out.push(TextSegment {
                text: piece.to_string(),
                class,
                id,
                title,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links() {
        assert!(is_web_url("https://example.org/a"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url(" javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,<b>"));
        assert!(!is_web_url("https://example.org/\u{0}x"));
    }

    #[test]
    fn the_inline_script_and_style_cannot_close_their_elements() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
    }

    #[test]
    fn the_policy_names_the_hash_of_the_exact_script() {
        let csp = content_security_policy();
        assert!(csp.contains(&csp_hash(SCRIPT)));
        assert!(csp.starts_with("default-src 'none';"));
        assert!(!csp.contains("unsafe"));
        // sha256 of the empty string, a known vector.
        assert_eq!(
            csp_hash(""),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
