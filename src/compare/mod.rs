//! Compare: groups the claims of a cluster into findings, one per claim kind
//! (one per value for kinds that may list several), and decides each
//! finding's status as `../shared/SEMANTICS.md` defines it.
//!
//! First, sources that share no event signal (a victim's name, a place, a
//! hospital) with a group of other sources that do are set aside as
//! off-topic. Then, per kind, equal values are grouped by key in one hash
//! pass, so exact matching costs time linear in the number of claims; only
//! the distinct values are compared pairwise (a shorter name inside a longer
//! one, the Jaro-Winkler hint). Values are ranked majority first. Last,
//! conflicts about when that split the sources into two whole accounts
//! become `review` (see `accounts`).
//!
//! Input comes from `extract`; `report` renders the [`Report`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use serde::Serialize;

use crate::clean::Dropped;
use crate::diag::Diagnostic;
use crate::extract::{Claim, Modality, OTHER_SUBJECT_PREFIX};
use crate::load::SourceMeta;
use crate::normalize::{times_compatible, Quantity};
use crate::rules::{Cardinality, ClaimKind, Lexicon, RuleSet, ValueType};

mod accounts;
mod events;
pub use events::{group_events, EventGroup, EventSignal, SignalKind};

/// The output schema version, written into every JSON report.
pub const SCHEMA: &str = "claimdiff/1";

/// A finding's verdict, in order of how much it needs a person.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Sources give incompatible values for the same subject.
    Conflict,
    /// Values differ, but subjects, times or wording may explain it.
    Review,
    /// One value, spelled differently.
    Variant,
    /// Two or more sources, one value.
    Agree,
    /// Only one source states it.
    Single,
}

impl Status {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Conflict => "conflict",
            Status::Review => "review",
            Status::Variant => "variant",
            Status::Agree => "agree",
            Status::Single => "single",
        }
    }
}

/// One source as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// The source id (file stem).
    pub id: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// Its first line, shortened.
    pub title: String,
    /// The language it was read in (a lexicon's code).
    pub lang: String,
    /// The encoding its file was decoded from ("UTF-8", "UTF-16LE",
    /// "windows-1252"); offsets are into the decoded text.
    pub encoding: String,
    /// How many claims were extracted from it.
    pub claims: usize,
    /// False when the source seems to report a different event.
    pub on_topic: bool,
    /// Why it was judged off-topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_topic_reason: Option<String>,
    /// The event it reports: sources with the same id report the same
    /// event (an off-topic source has an event of its own).
    pub event: String,
    /// Manifest metadata.
    #[serde(flatten)]
    pub meta: SourceMeta,
    /// Text that was not read (repeated paragraphs, boilerplate), and why.
    pub dropped: Vec<Dropped>,
}

/// One value of a finding and everything that supports it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingValue {
    /// The normalized display value ("M10", "5", "Omran Daqneesh").
    pub value: String,
    /// The ids of the sources that give it, sorted.
    pub sources: Vec<String>,
    /// The different ways sources spell it, sorted.
    pub spellings: Vec<String>,
    /// The subjects its claims are about, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    /// Every claim behind it, by source then position.
    pub claims: Vec<Claim>,
    /// True when a correction replaced this value, or a source said it
    /// was wrong: the error stays visible, with the correction as evidence.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub superseded: bool,
}

/// The comparison of one claim kind across the sources.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The event group it belongs to (see [`Report::events`]).
    pub event: String,
    /// The claim kind id.
    pub kind: String,
    /// Its human label.
    pub label: String,
    /// The verdict.
    pub status: Status,
    /// Why the verdict is what it is, when that needs saying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The values, majority first.
    pub values: Vec<FindingValue>,
    /// For counts: the low, best and high figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<CountSummary>,
    /// The value a correction gave, when a source corrected this fact; the
    /// values it replaced are marked `superseded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_to: Option<String>,
}

/// One figure of a count summary and how many sources give it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// The value as the table shows it ("≥55", "12").
    pub value: String,
    /// The number it stands for.
    pub figure: f64,
    /// How many sources give this value.
    pub sources: usize,
}

/// A count finding summed up the way conflict-data projects record
/// casualties: the lowest figure, the most reported one, the highest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountSummary {
    /// The lowest figure any source gives.
    pub low: Figure,
    /// The figure most sources give.
    pub best: Figure,
    /// The highest figure any source gives.
    pub high: Figure,
}

/// Counts of findings by status, and of sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings in conflict.
    pub conflict: usize,
    /// Findings for review.
    pub review: usize,
    /// Findings that agree.
    pub agree: usize,
    /// Findings that agree in different spellings.
    pub variant: usize,
    /// Findings from one source.
    pub single: usize,
    /// Sources compared.
    pub sources_on_topic: usize,
    /// Sources set aside as off-topic.
    pub sources_off_topic: usize,
}

/// The whole result for one cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The cluster's name.
    pub cluster: String,
    /// The path it was loaded from.
    pub path: PathBuf,
    /// Counts.
    pub summary: Summary,
    /// Every source that was read, in load order.
    pub sources: Vec<SourceSummary>,
    /// The events the on-topic sources report, and the signals that told
    /// them apart; findings are made per event.
    pub events: Vec<EventGroup>,
    /// The findings, those needing a person first.
    pub findings: Vec<Finding>,
    /// Problems met while reading the cluster.
    pub diagnostics: Vec<Diagnostic>,
}

/// What `compare` needs to know of one source.
#[derive(Debug, Clone)]
pub struct SourceClaims {
    /// The source id.
    pub id: String,
    /// Its path.
    pub path: PathBuf,
    /// Its first line.
    pub title: String,
    /// The language it was read in.
    pub lang: String,
    /// Manifest metadata.
    pub meta: SourceMeta,
    /// Its claims.
    pub claims: Vec<Claim>,
    /// What `clean` left out.
    pub dropped: Vec<Dropped>,
    /// Its salient words (capitalised, lower-cased, stopwords left out) and
    /// how often it uses each: they say how related it is to the other
    /// sources, and which event it reports.
    pub terms: BTreeMap<String, u32>,
    /// The years and dates it names ("2008", "august 17"), lower case, and
    /// how often.
    pub dates: BTreeMap<String, u32>,
}

/// Compares the claims of one cluster.
pub fn compare(
    cluster: &str,
    path: PathBuf,
    mut sources: Vec<SourceClaims>,
    rules: &RuleSet,
    diagnostics: Vec<Diagnostic>,
) -> Report {
    let off_topic = off_topic_sources(&sources, rules);
    let on_topic: Vec<usize> = (0..sources.len())
        .filter(|i| !off_topic.contains_key(i))
        .collect();
    let mut events = if on_topic.is_empty() {
        Vec::new()
    } else {
        group_events(&sources, &on_topic, rules)
    };
    resolve_persons(&mut sources, &events, rules);
    let mut event_of: HashMap<&str, usize> = HashMap::new();
    let by_id: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    for (e, group) in events.iter().enumerate() {
        for id in &group.sources {
            if let Some(&i) = by_id.get(id.as_str()) {
                event_of.insert(sources[i].id.as_str(), e);
            }
        }
    }
    // An off-topic source reports an event of its own.
    for (i, source) in sources.iter().enumerate() {
        if off_topic.contains_key(&i) {
            event_of.insert(source.id.as_str(), events.len());
            events.push(EventGroup {
                id: format!("e{}", events.len() + 1),
                sources: vec![source.id.clone()],
                separation: None,
                signals: Vec::new(),
            });
        }
    }
    let mut summaries = Vec::with_capacity(sources.len());
    let mut by_kind: BTreeMap<(usize, &str), Vec<&Claim>> = BTreeMap::new();
    for (i, source) in sources.iter().enumerate() {
        let reason = off_topic.get(&i).cloned();
        let event = event_of.get(source.id.as_str()).copied().unwrap_or(0);
        if reason.is_none() {
            for claim in &source.claims {
                by_kind
                    .entry((event, claim.kind.as_str()))
                    .or_default()
                    .push(claim);
            }
        }
        summaries.push(SourceSummary {
            id: source.id.clone(),
            path: source.path.clone(),
            title: source.title.clone(),
            lang: source.lang.clone(),
            encoding: source.meta.encoding_name().to_string(),
            claims: source.claims.len(),
            on_topic: reason.is_none(),
            off_topic_reason: reason,
            event: events.get(event).map(|g| g.id.clone()).unwrap_or_default(),
            meta: source.meta.clone(),
            dropped: source.dropped.clone(),
        });
    }

    let mut findings = Vec::new();
    let empty_lexicon = Lexicon::default();
    let stopwords = &rules.all_stopwords;
    for ((event, kind_id), claims) in by_kind {
        let Some(kind) = rules.kind(kind_id) else {
            continue;
        };
        let lexicon = rules.lexicon(&kind.lang).unwrap_or(&empty_lexicon);
        let event_id = events.get(event).map(|g| g.id.clone()).unwrap_or_default();
        let mut made = match kind.cardinality {
            Cardinality::One => vec![compare_one(kind, &claims, lexicon, stopwords)],
            Cardinality::Many => compare_many(kind, &claims, lexicon, stopwords),
        };
        for f in &mut made {
            f.event = event_id.clone();
        }
        findings.extend(made);
    }
    accounts::mark_two_accounts(&mut findings, rules);
    findings.sort_by(|a, b| {
        (
            event_number(&a.event),
            a.status,
            &a.kind,
            a.values.first().map(|v| &v.value),
        )
            .cmp(&(
                event_number(&b.event),
                b.status,
                &b.kind,
                b.values.first().map(|v| &v.value),
            ))
    });

    let mut summary = Summary {
        sources_on_topic: summaries.iter().filter(|s| s.on_topic).count(),
        sources_off_topic: summaries.iter().filter(|s| !s.on_topic).count(),
        ..Summary::default()
    };
    for f in &findings {
        *match f.status {
            Status::Conflict => &mut summary.conflict,
            Status::Review => &mut summary.review,
            Status::Variant => &mut summary.variant,
            Status::Agree => &mut summary.agree,
            Status::Single => &mut summary.single,
        } += 1;
    }
    Report {
        schema: SCHEMA,
        cluster: cluster.to_string(),
        path,
        summary,
        sources: summaries,
        events,
        findings,
        diagnostics,
    }
}

/// Whom each claim of a person's attribute (an age: a kind with
/// `named_by`) is about. In each event group, the person most sources name
/// with the `named_by` kind is the story's; a claim about someone else, by
/// the name its pattern gives ("Orozco, 27") or else by the names its
/// source gives, gets the subject `other: <name>`: the suspect's age is not
/// a conflicting value of the victim's, nor is another victim's, named by
/// sources that report another killing. Two names are one person when they
/// share a word (stopwords and titles aside) or are spelled alike
/// (Jaro-Winkler at least 0.8: Omran ~ Omar), as for the name finding.
fn resolve_persons(sources: &mut [SourceClaims], events: &[EventGroup], rules: &RuleSet) {
    let named_by: BTreeMap<&str, &str> = rules
        .kinds
        .iter()
        .filter_map(|k| Some((k.id.as_str(), k.named_by.as_deref()?)))
        .collect();
    if named_by.is_empty() {
        return;
    }
    let stopwords = &rules.all_stopwords;
    let by_id: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let groups: Vec<Vec<usize>> = events
        .iter()
        .map(|g| {
            g.sources
                .iter()
                .filter_map(|id| by_id.get(id.as_str()).copied())
                .collect()
        })
        .collect();
    drop(by_id);
    let person = |display: &str, tokens: &[String]| Person {
        display: display.to_string(),
        lower: display.to_lowercase(),
        tokens: tokens
            .iter()
            .filter(|t| !stopwords.contains(*t))
            .cloned()
            .collect(),
    };
    for members in &groups {
        for (&kind, &by) in &named_by {
            // The names each source gives the subject, and the one most
            // sources give (ties: the first in order of key).
            let names: Vec<Vec<Person>> = members
                .iter()
                .map(|&i| {
                    let mut seen = BTreeSet::new();
                    sources[i]
                        .claims
                        .iter()
                        .filter(|c| {
                            c.kind == by
                                && !is_other_subject(c)
                                && c.modality != Modality::Superseded
                                && seen.insert(c.value.key.clone())
                        })
                        .map(|c| person(&c.value.display, &c.value.tokens))
                        .collect()
                })
                .collect();
            // Each distinct name is backed by the sources that give a name
            // of the same person ("Ortiz", "Deputy Jerry Ortiz"); the best
            // backed is the story's (ties: the most given as written, then
            // the first in order). Names are compared only as distinct
            // values, never source by source.
            let mut distinct: BTreeMap<&str, (&Person, BTreeSet<usize>)> = BTreeMap::new();
            for (n, given) in names.iter().enumerate() {
                for p in given {
                    distinct
                        .entry(p.lower.as_str())
                        .or_insert_with(|| (p, BTreeSet::new()))
                        .1
                        .insert(n);
                }
            }
            let backing = |candidate: &Person| {
                let mut backers = BTreeSet::new();
                for (p, holders) in distinct.values() {
                    if p.is(candidate) {
                        backers.extend(holders.iter().copied());
                    }
                }
                backers.len()
            };
            let Some(main) = distinct
                .values()
                .map(|(p, holders)| ((backing(p), holders.len()), *p))
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.lower.cmp(&a.1.lower)))
                .map(|(_, p)| p.clone())
            else {
                continue;
            };
            // The names of the story's victim: the best backed and every
            // name of the same person. A claim about any of them is about
            // the victim: "Omar Daqneesh" is "Omran Daqneesh", even where
            // the best backed is the short "Omran" it shares no word with.
            let victim: Vec<&Person> = distinct
                .values()
                .map(|(p, _)| *p)
                .filter(|p| p.is(&main))
                .collect();
            for (n, &i) in members.iter().enumerate() {
                for claim in sources[i].claims.iter_mut() {
                    if claim.kind != kind || is_other_subject(claim) {
                        continue;
                    }
                    let named = claim
                        .person
                        .as_deref()
                        .map(|p| vec![person(p, &claim.person_tokens)]);
                    let about = named.as_ref().unwrap_or(&names[n]);
                    if about.is_empty() || about.iter().any(|p| victim.iter().any(|v| p.is(v))) {
                        continue;
                    }
                    claim.subject = Some(format!("{OTHER_SUBJECT_PREFIX}{}", about[0].display));
                }
            }
        }
    }
}

/// A person as a claim names them, to tell whether two names are one person.
#[derive(Debug, Clone)]
struct Person {
    display: String,
    lower: String,
    tokens: BTreeSet<String>,
}

impl Person {
    /// The person a name finding's value names.
    fn of_value(v: &FindingValue, stopwords: &BTreeSet<String>) -> Person {
        Person {
            display: v.value.clone(),
            lower: v.value.to_lowercase(),
            tokens: tokens_of(v, stopwords),
        }
    }

    /// True when the two names may be one person: they share a word, or
    /// are spelled alike (Jaro-Winkler at least 0.8: Omran ~ Omar). The
    /// name finding and the persons of ages decide it alike.
    fn is(&self, other: &Person) -> bool {
        self.tokens.iter().any(|t| other.tokens.contains(t))
            || strsim::jaro_winkler(&self.lower, &other.lower) >= 0.8
    }
}

/// The number of an event id (`e2` → 2), for sorting `e10` after `e9`.
fn event_number(id: &str) -> usize {
    id.trim_start_matches('e').parse().unwrap_or(usize::MAX)
}

/// The signals of a source that say which event it reports: the tokens of
/// the names, places and organisations its event-signal kinds found (about
/// the main subject), keyed by kind.
fn signals(source: &SourceClaims, rules: &RuleSet) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for claim in &source.claims {
        let Some(kind) = rules.kind(&claim.kind) else {
            continue;
        };
        if !kind.event_signal || is_other_subject(claim) {
            continue;
        }
        if claim.value.tokens.is_empty() {
            out.insert((claim.kind.clone(), claim.value.key.clone()));
        } else {
            // A shared surname or place word is a shared signal: "Omran" ~ "Omran Daqneesh".
            for token in claim.value.tokens.iter().filter(|t| t.chars().count() >= 3) {
                out.insert((claim.kind.clone(), token.clone()));
            }
        }
    }
    out
}

/// Sources that report a different event: `index → reason`. A source is set
/// aside when it shares no event signal (a name, place or institution) with
/// any other source **and** contradicts what the others agree on: for one of
/// its signal kinds, a value that at least two other sources give, and at
/// least half of the others that give that kind. One unshared name in a
/// cluster without such a consensus is not enough.
fn off_topic_sources(sources: &[SourceClaims], rules: &RuleSet) -> BTreeMap<usize, String> {
    let sets: Vec<_> = sources.iter().map(|s| signals(s, rules)).collect();
    // signal → how many sources carry it, and kind → how many sources give
    // it; both linear in the number of signals.
    let mut counts: BTreeMap<&(String, String), usize> = BTreeMap::new();
    let mut holders: HashMap<&str, usize> = HashMap::new();
    for set in &sets {
        let mut kinds = BTreeSet::new();
        for signal in set {
            *counts.entry(signal).or_default() += 1;
            kinds.insert(signal.0.as_str());
        }
        for kind in kinds {
            *holders.entry(kind).or_default() += 1;
        }
    }
    let shares = |i: usize| {
        sets[i]
            .iter()
            .any(|s| counts.get(s).copied().unwrap_or(0) >= 2)
    };
    let relatedness = relatedness(sources);
    let median_relatedness = median(&relatedness);
    let mut out = BTreeMap::new();
    for (i, source) in sources.iter().enumerate() {
        if sets[i].is_empty() || shares(i) {
            continue;
        }
        let kinds: BTreeSet<&str> = sets[i].iter().map(|(k, _)| k.as_str()).collect();
        let mut contradictions = Vec::new();
        for kind in kinds {
            // A story names many people: another name is no other event, but
            // another place or institution may be.
            if rules
                .kind(kind)
                .is_some_and(|k| k.value_type == ValueType::Name)
            {
                continue;
            }
            let others = holders.get(kind).copied().unwrap_or(1).saturating_sub(1);
            // The others' best-supported value of this kind (ties: first token).
            let best = counts
                .iter()
                .filter(|((k, _), _)| k == kind)
                .max_by(|a, b| a.1.cmp(b.1).then(b.0 .1.cmp(&a.0 .1)));
            let Some((&(_, token), &count)) = best else {
                continue;
            };
            if count >= 2 && count * 2 >= others {
                let label = rules.kind(kind).map_or(kind, |k| k.label.as_str());
                let theirs = display_of(sources, i, kind, token).unwrap_or_else(|| token.clone());
                let mine: BTreeSet<&str> = source
                    .claims
                    .iter()
                    .filter(|c| c.kind == kind && !is_other_subject(c))
                    .map(|c| c.value.display.as_str())
                    .collect();
                contradictions.push(format!(
                    "it names {} ({label}) where {count} of {others} others name {theirs}",
                    mine.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if !contradictions.is_empty() && relatedness[i] < median_relatedness {
            out.insert(
                i,
                format!(
                    "shares no name, place or institution with the other sources; {}; \
                     its words are less shared than most sources' (relatedness {:.2}, median {:.2})",
                    contradictions.join("; "),
                    relatedness[i],
                    median_relatedness
                ),
            );
        }
    }
    out
}

/// For each source, how much its salient words are the others' words: the
/// mean, over its words, of the share of the other sources that use the word.
/// Linear in the number of words.
fn relatedness(sources: &[SourceClaims]) -> Vec<f64> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for source in sources {
        for term in source.terms.keys() {
            *df.entry(term.as_str()).or_default() += 1;
        }
    }
    let others = sources.len().saturating_sub(1).max(1) as f64;
    sources
        .iter()
        .map(|s| {
            if s.terms.is_empty() {
                return 0.0;
            }
            let shared: usize = s
                .terms
                .keys()
                .map(|t| df.get(t.as_str()).copied().unwrap_or(1) - 1)
                .sum();
            shared as f64 / others / s.terms.len() as f64
        })
        .collect()
}

/// The median of some numbers (0 for none).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// How another source than `skip` writes the value of `kind` that holds `token`.
fn display_of(sources: &[SourceClaims], skip: usize, kind: &str, token: &str) -> Option<String> {
    sources
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != skip)
        .flat_map(|(_, s)| s.claims.iter())
        .find(|c| {
            c.kind == kind
                && !is_other_subject(c)
                && (c.value.key == token || c.value.tokens.iter().any(|t| t == token))
        })
        .map(|c| c.value.display.clone())
}

fn is_other_subject(claim: &Claim) -> bool {
    claim
        .subject
        .as_deref()
        .is_some_and(|s| s.starts_with(OTHER_SUBJECT_PREFIX))
}

/// A group of claims that carry one value.
struct Group<'a> {
    keys: Vec<String>,
    tokens: Vec<String>,
    claims: Vec<&'a Claim>,
}

impl Group<'_> {
    fn sources(&self) -> BTreeSet<&str> {
        self.claims.iter().map(|c| c.source.as_str()).collect()
    }
}

/// Groups claims by exact key in one pass (first-seen order).
fn group_by_key<'a>(claims: &[&'a Claim]) -> Vec<Group<'a>> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Group<'a>> = Vec::new();
    for &claim in claims {
        let key = claim.value.key.as_str();
        match index.get(key) {
            Some(&i) => groups[i].claims.push(claim),
            None => {
                index.insert(key, groups.len());
                groups.push(Group {
                    keys: vec![claim.value.key.clone()],
                    tokens: claim.value.tokens.clone(),
                    claims: vec![claim],
                });
            }
        }
    }
    groups
}

/// Folds a shorter name into the longer name that contains all its tokens
/// ("Omran" into "Omran Daqneesh"), preferring the best-supported one.
/// Pairwise, but only over distinct values.
fn merge_name_subsets(mut groups: Vec<Group<'_>>) -> Vec<Group<'_>> {
    groups.sort_by(|a, b| {
        b.tokens
            .len()
            .cmp(&a.tokens.len())
            .then(b.sources().len().cmp(&a.sources().len()))
            .then(a.keys.cmp(&b.keys))
    });
    let mut merged: Vec<Group<'_>> = Vec::new();
    for group in groups {
        let target = merged.iter_mut().find(|m| {
            m.tokens.len() > group.tokens.len() && group.tokens.iter().all(|t| m.tokens.contains(t))
        });
        match target {
            Some(m) => {
                m.keys.extend(group.keys);
                m.claims.extend(group.claims);
            }
            None => merged.push(group),
        }
    }
    merged
}

fn compare_one(
    kind: &ClaimKind,
    claims: &[&Claim],
    lexicon: &Lexicon,
    stopwords: &BTreeSet<String>,
) -> Finding {
    let mut groups = group_by_key(claims);
    if kind.value_type == ValueType::Name {
        groups = merge_name_subsets(groups);
    }
    let values = rank(groups, kind.value_type);
    let source_count = values
        .iter()
        .flat_map(|v| v.sources.iter().map(String::as_str))
        .collect::<BTreeSet<&str>>()
        .len();
    let mut values = values;
    let (status, mut note) = verdict(kind, &values, source_count, lexicon, stopwords);
    let corrected_to = mark_corrections(&mut values);
    if let Some(to) = &corrected_to {
        let by: Vec<&str> = values
            .iter()
            .flat_map(|v| v.claims.iter())
            .filter(|c| c.modality == Modality::Corrected)
            .map(|c| c.source.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let wrong: Vec<&str> = values
            .iter()
            .filter(|v| v.superseded)
            .map(|v| v.value.as_str())
            .collect();
        let said = if wrong.is_empty() {
            format!("corrected to {to} by {}", by.join(", "))
        } else {
            format!(
                "{} corrected to {to} by {}",
                wrong.join(", "),
                by.join(", ")
            )
        };
        note = Some(match note {
            Some(n) => format!("{said}; {n}"),
            None => said,
        });
    }
    let counts = (kind.value_type == ValueType::Count)
        .then(|| count_summary(&values))
        .flatten();
    Finding {
        event: String::new(),
        kind: kind.id.clone(),
        label: kind.label.clone(),
        status,
        note,
        values,
        counts,
        corrected_to,
    }
}

fn compare_many(
    kind: &ClaimKind,
    claims: &[&Claim],
    lexicon: &Lexicon,
    stopwords: &BTreeSet<String>,
) -> Vec<Finding> {
    rank(group_by_key(claims), kind.value_type)
        .into_iter()
        .map(|value| {
            let (status, note) = verdict(
                kind,
                std::slice::from_ref(&value),
                value.sources.len(),
                lexicon,
                stopwords,
            );
            Finding {
                event: String::new(),
                kind: kind.id.clone(),
                label: kind.label.clone(),
                status,
                note,
                values: vec![value],
                counts: None,
                corrected_to: None,
            }
        })
        .collect()
}

/// Marks the values that corrections replaced, and returns the value a
/// correction gave. A value is superseded when a source gives it as what
/// was wrongly reported, or when another value comes from a correction and
/// this one (about the same subject) differs from it.
fn mark_corrections(values: &mut [FindingValue]) -> Option<String> {
    let corrected = values
        .iter()
        .position(|v| v.claims.iter().any(|c| c.modality == Modality::Corrected));
    for (i, v) in values.iter_mut().enumerate() {
        let wrong = v.claims.iter().any(|c| c.modality == Modality::Superseded);
        let replaced = corrected.is_some_and(|c| c != i) && is_main(v);
        v.superseded = wrong || replaced;
    }
    // What the correction itself says ("Omran"), which may be a shorter
    // form of the value it joined ("Omran Daqneesh").
    let c = corrected?;
    values[c]
        .claims
        .iter()
        .find(|c| c.modality == Modality::Corrected)
        .map(|c| c.value.display.clone())
}

/// The low, best and high figures of a count finding, over the values about
/// the main subject (`None` when no value has a number).
fn count_summary(values: &[FindingValue]) -> Option<CountSummary> {
    let mains: Vec<(&FindingValue, Quantity)> = values
        .iter()
        .filter(|v| is_main(v))
        .filter_map(|v| Some((v, v.claims.first()?.value.quantity?)))
        .collect();
    let figure = |(v, q): &(&FindingValue, Quantity), top: bool| Figure {
        value: v.value.clone(),
        figure: if top { q.top_figure() } else { q.figure() },
        sources: v.sources.len(),
    };
    // `values` come majority first: the first is the best supported.
    let best = figure(mains.first()?, false);
    let low = mains
        .iter()
        .min_by(|a, b| a.1.figure().total_cmp(&b.1.figure()))
        .map(|m| figure(m, false))?;
    let high = mains
        .iter()
        .max_by(|a, b| a.1.top_figure().total_cmp(&b.1.top_figure()))
        .map(|m| figure(m, true))?;
    Some(CountSummary { low, best, high })
}

/// True when some claim of a value is about the main subject (or the value
/// has no subject at all).
fn is_main(v: &FindingValue) -> bool {
    v.subjects.is_empty()
        || v.subjects
            .iter()
            .any(|s| !s.starts_with(OTHER_SUBJECT_PREFIX))
}

/// Turns groups into finding values, majority first.
fn rank(groups: Vec<Group<'_>>, value_type: ValueType) -> Vec<FindingValue> {
    let mut values: Vec<FindingValue> = groups
        .into_iter()
        .map(|g| {
            let mut claims: Vec<Claim> = g.claims.into_iter().cloned().collect();
            claims.sort_by(|a, b| (&a.source, a.start, a.end).cmp(&(&b.source, b.start, b.end)));
            let sources: BTreeSet<String> = claims.iter().map(|c| c.source.clone()).collect();
            let spellings: BTreeSet<String> =
                claims.iter().map(|c| c.value.spelling.clone()).collect();
            let subjects: BTreeSet<String> =
                claims.iter().filter_map(|c| c.subject.clone()).collect();
            // The display value: for names the fullest form, else the most frequent spelling.
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &claims {
                *counts.entry(c.value.display.as_str()).or_default() += 1;
            }
            let display = counts
                .iter()
                .max_by(|a, b| {
                    let tokens = |s: &str| {
                        if value_type == ValueType::Name {
                            s.split_whitespace().count()
                        } else {
                            0
                        }
                    };
                    (tokens(a.0), a.1)
                        .cmp(&(tokens(b.0), b.1))
                        .then(b.0.cmp(a.0))
                })
                .map(|(d, _)| (*d).to_string())
                .unwrap_or_default();
            FindingValue {
                value: display,
                sources: sources.into_iter().collect(),
                spellings: spellings.into_iter().collect(),
                subjects: subjects.into_iter().collect(),
                claims,
                superseded: false,
            }
        })
        .collect();
    values.sort_by(|a, b| {
        b.sources
            .len()
            .cmp(&a.sources.len())
            .then(b.claims.len().cmp(&a.claims.len()))
            .then(a.value.cmp(&b.value))
    });
    values
}

/// The status of a finding and the note that explains it.
fn verdict(
    kind: &ClaimKind,
    values: &[FindingValue],
    sources: usize,
    lexicon: &Lexicon,
    stopwords: &BTreeSet<String>,
) -> (Status, Option<String>) {
    let spelled = |v: &FindingValue| {
        if kind.value_type == ValueType::Name {
            // "Omran" beside "Omran Daqneesh" is a shorter form, not another
            // spelling; "Gaddafi" beside "Qaddafi" is.
            respelled_words(v, lexicon)
        } else {
            v.spellings.len() > 1
        }
    };
    if values.len() <= 1 {
        let Some(v) = values.first() else {
            return (Status::Single, None);
        };
        if sources < 2 {
            return (Status::Single, None);
        }
        if spelled(v) {
            return (
                Status::Variant,
                Some(format!("spelled {}", v.spellings.join(" / "))),
            );
        }
        return (Status::Agree, None);
    }
    if sources < 2 {
        return (
            Status::Review,
            Some("one source gives different values".into()),
        );
    }
    let main = is_main;
    let main_values: Vec<&FindingValue> = values.iter().filter(|v| main(v)).collect();
    if main_values.len() <= 1 {
        let others: Vec<String> = values
            .iter()
            .filter(|v| !main(v))
            .map(|v| {
                let about: Vec<&str> = v
                    .subjects
                    .iter()
                    .map(|s| s.trim_start_matches(OTHER_SUBJECT_PREFIX))
                    .collect();
                format!("{} is about {}", v.value, about.join(", "))
            })
            .collect();
        return (
            Status::Review,
            Some(format!("subjects differ: {}", others.join("; "))),
        );
    }
    let (first, second) = (main_values[0], main_values[1]);
    match kind.value_type {
        ValueType::Count | ValueType::Age => {
            // Counts are intervals: "about 12" and "12" can both be right;
            // "more than 300,000" and "300,000" cannot.
            let quantities: Vec<Quantity> = main_values
                .iter()
                .flat_map(|v| v.claims.iter().filter_map(|c| c.value.quantity))
                .collect();
            let low = quantities
                .iter()
                .map(|q| q.low)
                .fold(f64::NEG_INFINITY, f64::max);
            let high = quantities
                .iter()
                .map(|q| q.high)
                .fold(f64::INFINITY, f64::min);
            if !quantities.is_empty() && low <= high {
                let shown: Vec<&str> = main_values.iter().map(|v| v.value.as_str()).collect();
                (
                    Status::Agree,
                    Some(format!(
                        "the figures are compatible ({}): they can all be right",
                        shown.join(", ")
                    )),
                )
            } else {
                (Status::Conflict, None)
            }
        }
        ValueType::TimeOfDay => {
            // Times compare as ranges of the day: "17:30" lies in "afternoon",
            // "evening" and "night" overlap; only disjoint times conflict.
            let keys: BTreeSet<&str> = main_values
                .iter()
                .flat_map(|v| v.claims.iter().map(|c| c.value.key.as_str()))
                .collect();
            let keys: Vec<&str> = keys.into_iter().collect();
            let compatible = keys.iter().enumerate().all(|(i, a)| {
                keys[i + 1..]
                    .iter()
                    .all(|b| times_compatible(a, b, lexicon))
            });
            if compatible {
                (
                    Status::Review,
                    Some(format!(
                        "the times may all be right ({}): parts of the day are vague",
                        keys.join(", ")
                    )),
                )
            } else {
                (Status::Conflict, None)
            }
        }
        ValueType::Organisation | ValueType::Place | ValueType::Text => {
            let a = tokens_of(first, stopwords);
            let shared: Vec<String> = tokens_of(second, stopwords)
                .into_iter()
                .filter(|t| a.contains(t))
                .collect();
            if shared.is_empty() {
                (Status::Conflict, None)
            } else {
                (
                    Status::Review,
                    Some(format!(
                        "values overlap ({}): same or different?",
                        shared.join(", ")
                    )),
                )
            }
        }
        ValueType::Name => {
            let (a, b) = (
                Person::of_value(first, stopwords),
                Person::of_value(second, stopwords),
            );
            let similarity = strsim::jaro_winkler(&a.lower, &b.lower);
            let hint = format!(
                "{} ~ {}: Jaro-Winkler {similarity:.2}",
                first.value, second.value
            );
            if a.is(&b) {
                (Status::Conflict, Some(hint))
            } else {
                (
                    Status::Review,
                    Some(format!(
                        "names share nothing and may be different people ({hint})"
                    )),
                )
            }
        }
        _ => (Status::Conflict, None),
    }
}

/// True when the claims of a name value write one of its words in two ways
/// (a transliteration, an accent, a particle: "al-Qaterji" and "Qaterji").
fn respelled_words(v: &FindingValue, lexicon: &Lexicon) -> bool {
    let mut forms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for claim in &v.claims {
        for word in claim.value.spelling.split_whitespace() {
            let raw = word.trim_matches(|c: char| !c.is_alphanumeric());
            for token in crate::normalize::key_tokens(word, lexicon) {
                forms.entry(token).or_default().insert(raw.to_string());
            }
        }
    }
    forms.values().any(|f| f.len() > 1)
}

/// The tokens of a value that say something: stopwords ("or", "the") left out.
fn tokens_of(v: &FindingValue, stopwords: &BTreeSet<String>) -> BTreeSet<String> {
    v.claims
        .iter()
        .flat_map(|c| c.value.tokens.iter().cloned())
        .filter(|t| !stopwords.contains(t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn rules() -> &'static RuleSet {
        RuleSet::builtin_shared().expect("rules")
    }

    /// A claim of `kind` with `value` from `source`, about `subject`.
    fn claim(
        rules: &RuleSet,
        source: &str,
        kind: &str,
        value: &str,
        subject: Option<&str>,
    ) -> Claim {
        let k = rules.kind(kind).expect("kind");
        let lexicon = rules.lexicon("en").expect("en");
        Claim {
            source: source.into(),
            kind: kind.into(),
            subject: subject.map(str::to_string).or_else(|| k.subject.clone()),
            person: None,
            person_tokens: Vec::new(),
            value: normalize(value, k.value_type, lexicon, k.tolerance).expect("value"),
            text: value.into(),
            start: 0,
            end: value.len(),
            sentence: value.into(),
            sentence_start: 0,
            sentence_end: value.len(),
            parts: Vec::new(),
            modality: crate::extract::Modality::Reported,
            attribution: None,
        }
    }

    fn report(claims: Vec<Claim>) -> Report {
        let rules = rules();
        let mut by_source: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
        for c in claims {
            by_source.entry(c.source.clone()).or_default().push(c);
        }
        let sources = by_source
            .into_iter()
            .map(|(id, claims)| SourceClaims {
                id: id.clone(),
                path: PathBuf::from(format!("{id}.txt")),
                title: String::new(),
                lang: "en".into(),
                meta: SourceMeta::default(),
                terms: claims
                    .iter()
                    .flat_map(|c| c.value.tokens.iter().map(|t| (t.clone(), 1)))
                    .collect(),
                dates: BTreeMap::new(),
                claims,
                dropped: Vec::new(),
            })
            .collect();
        compare("t", PathBuf::from("t"), sources, rules, Vec::new())
    }

    fn status(report: &Report, kind: &str) -> Status {
        report
            .findings
            .iter()
            .find(|f| f.kind == kind)
            .map(|f| f.status)
            .expect("finding")
    }

    #[test]
    fn one_source_is_single_two_agree() {
        let r = rules();
        assert_eq!(
            status(
                &report(vec![claim(r, "a", "victim_age", "5", None)]),
                "victim_age"
            ),
            Status::Single
        );
        let two = report(vec![
            claim(r, "a", "victim_age", "five", None),
            claim(r, "b", "victim_age", "5", None),
        ]);
        assert_eq!(status(&two, "victim_age"), Status::Agree);
    }

    #[test]
    fn spellings_of_one_value_are_a_variant() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "neighbourhood", "Qaterji", None),
            claim(r, "b", "neighbourhood", "al-Qaterji", None),
        ]);
        assert_eq!(status(&rep, "neighbourhood"), Status::Variant);
    }

    #[test]
    fn a_shorter_name_agrees_but_a_close_name_conflicts() {
        let r = rules();
        let agree = report(vec![
            claim(r, "a", "victim_name", "Omran Daqneesh", None),
            claim(r, "b", "victim_name", "Omran", None),
        ]);
        assert_eq!(status(&agree, "victim_name"), Status::Agree);
        assert_eq!(agree.findings[0].values.len(), 1);
        assert_eq!(agree.findings[0].values[0].value, "Omran Daqneesh");
        let conflict = report(vec![
            claim(r, "a", "victim_name", "Omran", None),
            claim(r, "b", "victim_name", "Omar", None),
        ]);
        assert_eq!(status(&conflict, "victim_name"), Status::Conflict);
        let strangers = report(vec![
            claim(r, "a", "victim_name", "Tom Tennant", None),
            claim(r, "b", "victim_name", "William Hakim", None),
        ]);
        assert_eq!(status(&strangers, "victim_name"), Status::Review);
    }

    #[test]
    fn transliterations_and_particles_are_variants_not_conflicts() {
        let r = rules();
        for (a, b) in [
            ("Muammar Gaddafi", "Moammar Qaddafi"),
            ("Mohammed al-Khatib", "Muhammad Khatib"),
            ("Omran Daqneesh", "Omran Dakneesh"),
        ] {
            let rep = report(vec![
                claim(r, "a", "victim_name", a, None),
                claim(r, "b", "victim_name", b, None),
            ]);
            assert_eq!(status(&rep, "victim_name"), Status::Variant, "{a} / {b}");
        }
    }

    #[test]
    fn intervals_that_overlap_agree_and_disjoint_ones_conflict() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "people_killed", "at least 55", None),
            claim(r, "b", "people_killed", "57", None),
        ]);
        assert_eq!(status(&rep, "people_killed"), Status::Agree);
        let rep = report(vec![
            claim(r, "a", "people_killed", "more than 300,000", None),
            claim(r, "b", "people_killed", "300,000", None),
        ]);
        assert_eq!(status(&rep, "people_killed"), Status::Conflict);
        let rep = report(vec![
            claim(r, "a", "people_killed", "at least 55", None),
            claim(r, "b", "people_killed", "40", None),
        ]);
        assert_eq!(status(&rep, "people_killed"), Status::Conflict);
    }

    #[test]
    fn different_subjects_are_review_not_conflict() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "hospital", "M10", None),
            claim(r, "b", "hospital", "M10", None),
            claim(r, "c", "hospital", "M2", Some("other: another child")),
        ]);
        assert_eq!(status(&rep, "hospital"), Status::Review);
        let note = rep.findings[0].note.as_deref().unwrap_or("");
        assert!(note.contains("subjects differ"), "{note}");
    }

    /// A claim about the person `person` names.
    fn about(mut c: Claim, person: &str) -> Claim {
        let lexicon = rules().lexicon("en").expect("en");
        let p = normalize(person, ValueType::Name, lexicon, 0.0).expect("name");
        c.person = Some(p.display);
        c.person_tokens = p.tokens;
        c
    }

    #[test]
    fn an_age_of_another_person_is_not_a_conflict() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "victim_name", "Deputy Jerry Ortiz", None),
            about(claim(r, "a", "victim_age", "35", None), "Ortiz"),
            about(claim(r, "a", "victim_age", "27", None), "Orozco"),
            claim(r, "b", "victim_name", "Ortiz", None),
            claim(r, "b", "victim_age", "35", None),
            // Another killing's victim, named by its source.
            claim(r, "c", "victim_name", "Escalante", None),
            claim(r, "c", "victim_age", "27", None),
        ]);
        let f = rep
            .findings
            .iter()
            .find(|f| f.kind == "victim_age")
            .expect("age finding");
        assert_eq!(f.status, Status::Review, "{:?}", f.note);
        let note = f.note.as_deref().unwrap_or("");
        assert!(note.contains("27 is about Escalante, Orozco"), "{note}");
        let victim = f.values.iter().find(|v| v.value == "35").expect("35");
        assert_eq!(victim.subjects, ["victim"]);
    }

    #[test]
    fn an_age_of_the_victim_spelled_otherwise_still_conflicts() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "victim_name", "Omran Daqneesh", None),
            claim(r, "a", "victim_age", "5", None),
            claim(r, "b", "victim_name", "Omran", None),
            claim(r, "b", "victim_age", "5", None),
            claim(r, "c", "victim_name", "Omar", None),
            about(claim(r, "c", "victim_age", "4", None), "Omar"),
        ]);
        assert_eq!(status(&rep, "victim_age"), Status::Conflict);
    }

    #[test]
    fn an_age_of_the_victim_under_a_fuller_misspelled_name_is_about_the_victim() {
        // The best-backed name is the short "Omran" (the misspelled "Omar"
        // backs it too); "Omar Daqneesh" shares no word with "Omran" and
        // is not spelled like it, but it is "Omran Daqneesh" misspelled.
        let r = rules();
        let mut claims = Vec::new();
        for s in ["a", "b", "c"] {
            claims.push(claim(r, s, "victim_name", "Omran", None));
            claims.push(claim(r, s, "victim_age", "5", None));
        }
        claims.push(claim(r, "d", "victim_name", "Omar", None));
        claims.push(claim(r, "e", "victim_name", "Omran Daqneesh", None));
        claims.push(claim(r, "f", "victim_name", "Omar Daqneesh", None));
        claims.push(claim(r, "f", "victim_age", "4", None));
        let rep = report(claims);
        assert_eq!(status(&rep, "victim_age"), Status::Conflict);
    }

    /// The claims of sources that each give a day and a time.
    fn when(told: &[(&str, &str, &str)]) -> Vec<Claim> {
        let r = rules();
        told.iter()
            .flat_map(|&(source, day, time)| {
                [
                    claim(r, source, "incident_day", day, None),
                    claim(r, source, "incident_time", time, None),
                ]
            })
            .collect()
    }

    #[test]
    fn a_day_and_a_time_that_split_the_sources_alike_are_two_accounts() {
        let rep = report(when(&[
            ("a", "Thursday", "2:09 a.m."),
            ("b", "Thursday", "2:09 a.m."),
            ("c", "Thursday", "2:09 a.m."),
            ("d", "Sunday", "9:27 a.m."),
            ("e", "Sunday", "9:27 a.m."),
        ]));
        for kind in ["incident_day", "incident_time"] {
            let f = rep.findings.iter().find(|f| f.kind == kind).expect(kind);
            assert_eq!(f.status, Status::Review, "{kind}");
            assert_eq!(
                f.note.as_deref(),
                Some(
                    "two accounts of when: Thursday and 02:09 (3 sources), Sunday and 09:27 \
                     (2 sources); they may be two events"
                )
            );
        }
    }

    #[test]
    fn one_source_wrong_on_day_and_time_is_still_a_conflict() {
        let rep = report(when(&[
            ("a", "Thursday", "2:09 a.m."),
            ("b", "Thursday", "2:09 a.m."),
            ("c", "Thursday", "2:09 a.m."),
            ("d", "Sunday", "9:27 a.m."),
        ]));
        assert_eq!(status(&rep, "incident_day"), Status::Conflict);
        assert_eq!(status(&rep, "incident_time"), Status::Conflict);
    }

    #[test]
    fn a_third_account_keeps_the_conflict() {
        // Wednesday night against Friday afternoon would be two accounts,
        // but three sources say Thursday: the day is in conflict.
        let rep = report(when(&[
            ("a", "Wednesday", "night"),
            ("b", "Wednesday", "night"),
            ("c", "Wednesday", "night"),
            ("d", "Friday", "afternoon"),
            ("e", "Friday", "afternoon"),
            ("f", "Thursday", "night"),
            ("g", "Thursday", "night"),
        ]));
        assert_eq!(status(&rep, "incident_day"), Status::Conflict);
    }

    #[test]
    fn a_time_told_in_many_ways_is_not_read_as_two_accounts() {
        // Two accounts, but eleven more clock times from one source each:
        // more values than two accounts explain.
        let mut told = vec![
            ("a", "Thursday", "2:09 a.m."),
            ("b", "Thursday", "2:09 a.m."),
            ("c", "Sunday", "9:27 a.m."),
            ("d", "Sunday", "9:27 a.m."),
        ];
        let others: Vec<(String, String)> = (1..=11)
            .map(|n| (format!("x{n:02}"), format!("{n}:45 p.m.")))
            .collect();
        for (source, time) in &others {
            told.push((source.as_str(), "Thursday", time.as_str()));
        }
        let rep = report(when(&told));
        assert_eq!(status(&rep, "incident_time"), Status::Conflict);
    }

    #[test]
    fn a_day_and_a_time_that_split_the_sources_otherwise_still_conflict() {
        let rep = report(when(&[
            ("a", "Thursday", "2:09 a.m."),
            ("b", "Thursday", "9:27 a.m."),
            ("c", "Sunday", "2:09 a.m."),
            ("d", "Sunday", "9:27 a.m."),
        ]));
        assert_eq!(status(&rep, "incident_day"), Status::Conflict);
        assert_eq!(status(&rep, "incident_time"), Status::Conflict);
    }

    #[test]
    fn counts_that_differ_conflict_and_majority_comes_first() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "children_injured", "4", None),
            claim(r, "b", "children_injured", "five", None),
            claim(r, "c", "children_injured", "5", None),
        ]);
        let f = &rep.findings[0];
        assert_eq!(f.status, Status::Conflict);
        assert_eq!(f.values[0].value, "5");
        assert_eq!(f.values[0].sources, ["b", "c"]);
    }

    #[test]
    fn many_valued_kinds_give_one_finding_per_value() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "reported_by", "SANA", None),
            claim(r, "b", "reported_by", "AFP", None),
            claim(r, "c", "reported_by", "AFP", None),
        ]);
        let statuses: Vec<(Status, &str)> = rep
            .findings
            .iter()
            .map(|f| (f.status, f.values[0].value.as_str()))
            .collect();
        assert_eq!(statuses, [(Status::Agree, "AFP"), (Status::Single, "SANA")]);
    }

    #[test]
    fn a_source_sharing_no_event_signal_is_off_topic() {
        let r = rules();
        let rep = report(vec![
            claim(r, "a", "victim_name", "Omran Daqneesh", None),
            claim(r, "a", "hospital", "M10", None),
            claim(r, "b", "victim_name", "Omran", None),
            claim(r, "b", "hospital", "M10", None),
            claim(r, "c", "hospital", "Al Quds", None),
            claim(r, "c", "victim_age", "5", None),
        ]);
        let c = rep.sources.iter().find(|s| s.id == "c").expect("c");
        assert!(!c.on_topic);
        assert!(rep.findings.iter().all(|f| f
            .values
            .iter()
            .all(|v| !v.sources.contains(&"c".to_string()))));
        let reason = c.off_topic_reason.as_deref().unwrap_or("");
        assert!(
            reason.contains("it names Al Quds (hospital) where 2 of 2 others name M10"),
            "{reason}"
        );
        // One unshared name without a consensus against it is not enough.
        let rep = report(vec![
            claim(r, "a", "victim_name", "Omran Daqneesh", None),
            claim(r, "b", "victim_name", "Omran", None),
            claim(r, "c", "hospital", "Al Quds", None),
        ]);
        assert!(rep.sources.iter().all(|s| s.on_topic));
        // With no group of sources that share a signal, nobody is set aside.
        let rep = report(vec![
            claim(r, "a", "hospital", "M10", None),
            claim(r, "b", "hospital", "Al Quds", None),
        ]);
        assert!(rep.sources.iter().all(|s| s.on_topic));
    }

    #[test]
    fn many_equal_claims_group_into_one_value() {
        let r = rules();
        let claims: Vec<Claim> = (0..2000)
            .map(|i| claim(r, &format!("s{i:04}"), "victim_age", "5", None))
            .collect();
        let rep = report(claims);
        assert_eq!(rep.findings.len(), 1);
        assert_eq!(rep.findings[0].values[0].sources.len(), 2000);
    }
}
