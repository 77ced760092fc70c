//! Extract: runs every claim kind's patterns over a document's sentences and
//! keeps each match as a [`Claim`] with its evidence.
//!
//! A pattern's `value` group is the value. For counts, further groups named
//! `part…` are added to it ("four other children, one woman and two men"),
//! and a group named `other` that took part adds one for the subject itself
//! ("four *other* children" beside Omran makes five). Each claim keeps every
//! part, so the evidence shows how a number was assembled. A claim's subject
//! is the kind's default subject, unless the lexicon's other-subject cues
//! ("another child") appear in its sentence or the one before it.
//!
//! Input comes from `clean`; values are made by `normalize`; `compare`
//! groups the claims.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clean::{clean, Document, Span};
use crate::load::{Source, SourceMeta};
use crate::normalize::{normalize, parse_quantity, quantity_prefix, Quantity, Value};
use crate::rules::prefilter::Candidates;
use crate::rules::{ClaimKind, Lexicon, RuleSet};

/// The subject label for claims about someone else than the story's subject.
pub const OTHER_SUBJECT_PREFIX: &str = "other: ";

/// One piece of text that went into a composite value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The capture group's name (`value`, `part1`, `other`…).
    pub group: String,
    /// The text, as in the original.
    pub text: String,
    /// Where it is in the original.
    pub start: usize,
    /// One past its end.
    pub end: usize,
}

/// How a source states a claim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Stated by the source (perhaps citing someone: see the attribution).
    #[default]
    Reported,
    /// Inside quotation marks or an embedded post: someone else's words.
    Quoted,
    /// In a correction: the value that replaces a wrong one.
    Corrected,
    /// Given as what was wrongly reported earlier.
    Superseded,
}

/// How a claim came to be attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// An embedded tweet or post, signed under it.
    Post,
    /// Quotation marks, with the speaker named beside them.
    Quote,
    /// "according to X", "X said", "X reported".
    Report,
}

/// Who a claim's text attributes it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The speaker, author or account ("Raf Sanchez (@rafsanchez)",
    /// "SANA"); absent for a quote whose speaker the text does not name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// How the text attributes it.
    pub via: Via,
}

/// One comparable statement in one source, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// The source id.
    pub source: String,
    /// The claim kind id.
    pub kind: String,
    /// Whom it is about: the kind's subject (e.g. `victim`), or `other: …`
    /// when the sentence is about someone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The person the claim is about, as its pattern names them (a
    /// `subject` group: "Orozco, 27" is Orozco's age).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The folded tokens of `person`, to tell whether two names are one
    /// person.
    #[serde(skip)]
    pub person_tokens: Vec<String>,
    /// The normalized value.
    pub value: Value,
    /// The exact text of the match, from the original.
    pub text: String,
    /// Byte offset of the match in the original.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// The sentence it is in, from the original.
    pub sentence: String,
    /// Byte offset of the sentence.
    pub sentence_start: usize,
    /// One past the sentence's last byte.
    pub sentence_end: usize,
    /// The parts of a composite count (empty for plain values).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Reported, quoted, corrected or superseded.
    pub modality: Modality,
    /// Who the text attributes it to, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
}

/// Extracts every claim of every kind written for `lang` from one document,
/// sorted by position then kind. Two patterns matching the same span give one
/// claim.
pub fn extract(source_id: &str, doc: &Document, rules: &RuleSet, lang: &str) -> Vec<Claim> {
    let mut claims = Vec::new();
    let Some(lexicon) = rules.lexicon(lang) else {
        return claims;
    };
    let context = Context::of(doc, lexicon);
    let candidates = candidates(doc, rules, lang);
    let mut first = 0;
    for kind in rules.kinds.iter().filter(|k| k.lang == lang) {
        let scope = Scope {
            candidates: candidates.as_ref(),
            first,
        };
        extract_kind(source_id, doc, kind, lexicon, &context, scope, &mut claims);
        first += kind.patterns.len();
    }
    drop_nested(claims)
}

/// Where the patterns of `lang`'s kinds may match in a document's sentences,
/// by the rule set's prefilter.
fn candidates(doc: &Document, rules: &RuleSet, lang: &str) -> Option<Candidates> {
    let spans: Vec<(usize, usize)> = doc
        .sentences
        .iter()
        .map(|s| (s.folded.start, s.folded.end))
        .collect();
    rules
        .prefilter(lang)
        .map(|p| p.candidates(&doc.folded, &spans))
}

/// Which sentences a kind's patterns are run on: those the rule set's
/// prefilter lets through (its patterns are numbered across the kinds of a
/// language, this kind's from `first`), or all.
#[derive(Clone, Copy)]
struct Scope<'a> {
    candidates: Option<&'a Candidates>,
    first: usize,
}

/// What a document says about who speaks where: embedded posts (by
/// paragraph) and quoted stretches (folded byte ranges).
struct Context {
    posts: BTreeMap<usize, String>,
    quotes: Vec<(usize, usize)>,
    /// The speaker each sentence names, once looked up: many claims share
    /// a sentence.
    speakers: std::cell::RefCell<BTreeMap<usize, Option<String>>>,
}

impl Context {
    fn of(doc: &Document, lexicon: &Lexicon) -> Context {
        let mut posts = BTreeMap::new();
        if let Some(signature) = &lexicon.post_signature {
            for (i, p) in doc.paragraphs.iter().enumerate().skip(1) {
                if let Some(caps) = signature.captures(doc.slice(p.span)) {
                    let by = caps.name("by").map(|m| m.as_str().trim()).unwrap_or("");
                    let handle = caps.name("handle").map(|m| m.as_str()).unwrap_or("");
                    let signed = match (by.is_empty(), handle.is_empty()) {
                        (false, false) => format!("{by} ({handle})"),
                        (true, _) => handle.to_string(),
                        (false, true) => by.to_string(),
                    };
                    posts.insert(i - 1, signed);
                }
            }
        }
        // Quotation marks pair up within a paragraph (the folded text has
        // curly quotes as straight ones).
        let mut ranges: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for s in &doc.sentences {
            let r = ranges
                .entry(s.paragraph)
                .or_insert((s.folded.start, s.folded.end));
            r.0 = r.0.min(s.folded.start);
            r.1 = r.1.max(s.folded.end);
        }
        let mut quotes = Vec::new();
        for &(start, end) in ranges.values() {
            let marks: Vec<usize> = doc.folded[start..end]
                .match_indices('"')
                .map(|(i, _)| start + i)
                .collect();
            for pair in marks.chunks_exact(2) {
                quotes.push((pair[0], pair[1] + 1));
            }
        }
        Context {
            posts,
            quotes,
            speakers: std::cell::RefCell::new(BTreeMap::new()),
        }
    }
}

/// The speaker a sentence names, by the lexicon's speaker patterns, with
/// what lies in `masked` (folded ranges, e.g. the quote itself) left out.
fn speaker(
    text: &str,
    base: usize,
    masked: &[(usize, usize)],
    lexicon: &Lexicon,
) -> Option<String> {
    let mut owned = None;
    if masked
        .iter()
        .any(|&(s, e)| s < base + text.len() && base < e)
    {
        let mut t: Vec<u8> = text.as_bytes().to_vec();
        for &(s, e) in masked {
            let (s, e) = (
                s.saturating_sub(base).min(t.len()),
                e.saturating_sub(base).min(t.len()),
            );
            for b in &mut t[s..e] {
                if b.is_ascii() {
                    *b = b' ';
                }
            }
        }
        owned = String::from_utf8(t).ok();
    }
    let text = owned.as_deref().unwrap_or(text);
    for pattern in &lexicon.speakers {
        for caps in pattern.captures_iter(text) {
            let vetoed = pattern
                .capture_names()
                .flatten()
                .any(|n| n.starts_with("reject") && caps.name(n).is_some());
            if vetoed {
                continue;
            }
            let Some(by) = caps.name("by") else { continue };
            let words: Vec<&str> = by
                .as_str()
                .split_whitespace()
                .filter(|w| {
                    !lexicon
                        .topic_stopwords
                        .contains(&w.trim_matches('.').to_lowercase())
                })
                .collect();
            if !words.is_empty() {
                return Some(by.as_str().trim().to_string());
            }
        }
    }
    None
}

/// Keeps one claim per span and kind, and drops a claim that lies inside a
/// longer claim of the same kind: the fuller reading wins ("four other
/// children, one woman and two men were injured" is 8, not "two men").
fn drop_nested(mut claims: Vec<Claim>) -> Vec<Claim> {
    claims.sort_by(|a, b| {
        (&a.kind, a.start, std::cmp::Reverse(a.end)).cmp(&(
            &b.kind,
            b.start,
            std::cmp::Reverse(b.end),
        ))
    });
    let mut kept: Vec<Claim> = Vec::with_capacity(claims.len());
    let mut reach: Option<(String, usize)> = None;
    for claim in claims {
        if let Some((kind, end)) = &reach {
            if *kind == claim.kind && claim.end <= *end {
                continue;
            }
        }
        reach = Some((claim.kind.clone(), claim.end));
        kept.push(claim);
    }
    kept.sort_by(|a, b| (a.start, a.end, &a.kind).cmp(&(b.start, b.end, &b.kind)));
    kept
}

fn extract_kind(
    source_id: &str,
    doc: &Document,
    kind: &ClaimKind,
    lexicon: &Lexicon,
    context: &Context,
    scope: Scope,
    out: &mut Vec<Claim>,
) {
    use crate::rules::ValueType;
    let is_proper_type = matches!(
        kind.value_type,
        ValueType::Name | ValueType::Place | ValueType::Organisation
    );
    for (number, pattern) in kind.patterns.iter().enumerate() {
        let only = scope.candidates.and_then(|c| c.spans(scope.first + number));
        // Most patterns match nowhere in a document: one pass over the whole
        // text saves a pass per sentence (the prefilter has done better).
        if only.is_none() && !pattern.anchored && !pattern.regex.is_match(&doc.folded) {
            continue;
        }
        if only.is_some_and(<[usize]>::is_empty) {
            continue;
        }
        let reject_groups: Vec<&str> = pattern
            .regex
            .capture_names()
            .flatten()
            .filter(|n| n.starts_with("reject"))
            .collect();
        let all: Vec<usize>;
        let indexes = match only {
            Some(only) => only,
            None => {
                all = (0..doc.sentences.len()).collect();
                &all
            }
        };
        for &index in indexes {
            let Some(sentence) = doc.sentences.get(index) else {
                continue;
            };
            let text = doc.folded_text(sentence);
            // In a Title Case Headline every word is capitalised, so the
            // capitalised-word placeholders cannot tell a name from a verb.
            let title_case = is_proper_type && !lexicon.capitalised_nouns && is_title_case(text);
            for caps in pattern.regex.captures_iter(text) {
                let Some(value_match) = caps.name("value") else {
                    continue;
                };
                // A `reject` group that took part vetoes the match: the
                // regex engine has no look-ahead, so rules say "not when
                // followed by 'doctor'" with an optional `(?P<reject> doctor)?`.
                if reject_groups.iter().any(|name| caps.name(name).is_some()) {
                    continue;
                }
                let (trim, raw) = trim_stopwords(value_match.as_str(), kind, lexicon);
                if is_proper_type && (title_case || !is_substantive(raw, lexicon)) {
                    continue;
                }
                let mut value_start = value_match.start() + trim;
                let mut raw = raw;
                if kind.value_type.is_numeric() {
                    // "killing *at least* 55", "*12 to* 15 people": the words
                    // that qualify a number belong to its value.
                    let widen = quantity_prefix(&text[..value_start], lexicon);
                    value_start -= widen;
                    raw = &text[value_start..value_match.end()];
                }
                if kind.exclude.iter().any(|re| re.is_match(raw)) {
                    continue;
                }
                let Some(mut value) = normalize(raw, kind.value_type, lexicon, kind.tolerance)
                else {
                    continue;
                };
                let base = sentence.folded.start;
                let mut parts = Vec::new();
                if let (true, Some(mut total)) = (kind.value_type.is_numeric(), value.quantity) {
                    let mut composite = false;
                    for name in pattern.regex.capture_names().flatten() {
                        let Some(m) = caps.name(name) else { continue };
                        let add = if name == "other" {
                            Some(Quantity::exact(1.0))
                        } else if name.starts_with("part") {
                            parse_quantity(m.as_str(), lexicon, kind.tolerance)
                        } else {
                            None
                        };
                        if let Some(add) = add {
                            total = total.add(&add);
                            composite = true;
                        }
                        if name == "value" || add.is_some() {
                            let text = m.as_str();
                            let lead = text.len() - text.trim_start().len();
                            let (start, end) =
                                (m.start() + lead, m.start() + lead + text.trim().len());
                            let span = doc.original_span(base + start, base + end);
                            parts.push(Part {
                                group: name.to_string(),
                                text: doc.slice(span).to_string(),
                                start: span.start,
                                end: span.end,
                            });
                        }
                    }
                    if composite {
                        value.display = total.display();
                        value.key = value.display.clone();
                        value.spelling = value.display.clone();
                        value.quantity = Some(total);
                        parts.sort_by_key(|p| p.start);
                    } else {
                        parts.clear();
                    }
                }
                let whole = caps.get(0).map_or(value_match.range(), |m| m.range());
                // Evidence spans the value, or for a composite every part of it
                // up to the end of the match ("… were also injured").
                let (fs, fe) = if parts.is_empty() {
                    (value_start, value_start + raw.len())
                } else {
                    let first = pattern
                        .regex
                        .capture_names()
                        .flatten()
                        .filter(|n| *n == "value" || *n == "other" || n.starts_with("part"))
                        .filter_map(|n| caps.name(n).map(|m| m.start()))
                        .min()
                        .unwrap_or(whole.start);
                    (first, whole.end)
                };
                let span: Span = doc.original_span(base + fs, base + fe);
                let subject = subject_of(kind, doc, index, lexicon);
                let person = caps
                    .name("subject")
                    .and_then(|m| normalize(m.as_str(), ValueType::Name, lexicon, 0.0));
                let (modality, attribution) =
                    attribution_of(doc, index, (base + fs, base + fe), lexicon, context);
                out.push(Claim {
                    source: source_id.to_string(),
                    kind: kind.id.clone(),
                    subject,
                    person: person.as_ref().map(|p| p.display.clone()),
                    person_tokens: person.map(|p| p.tokens).unwrap_or_default(),
                    value,
                    text: doc.slice(span).to_string(),
                    start: span.start,
                    end: span.end,
                    sentence: doc.slice(sentence.span).to_string(),
                    sentence_start: sentence.span.start,
                    sentence_end: sentence.span.end,
                    parts,
                    modality,
                    attribution,
                });
            }
        }
    }
}

/// How sentence `index` states a claim at `span` (folded bytes), and whom
/// it attributes it to: an embedded post's author, a quote's speaker (named
/// in the sentence or the next or previous one of the paragraph), or the
/// source the sentence cites. A correction sentence makes the value
/// corrected, or superseded when it tells what was wrong.
fn attribution_of(
    doc: &Document,
    index: usize,
    span: (usize, usize),
    lexicon: &Lexicon,
    context: &Context,
) -> (Modality, Option<Attribution>) {
    let sentence = &doc.sentences[index];
    let text = doc.folded_text(sentence);
    let base = sentence.folded.start;
    let mut modality = if lexicon.superseded.iter().any(|re| re.is_match(text)) {
        Modality::Superseded
    } else if lexicon.corrected.iter().any(|re| re.is_match(text)) {
        Modality::Corrected
    } else {
        Modality::Reported
    };
    if let Some(by) = context.posts.get(&sentence.paragraph) {
        if modality == Modality::Reported {
            modality = Modality::Quoted;
        }
        return (
            modality,
            Some(Attribution {
                by: Some(by.clone()),
                via: Via::Post,
            }),
        );
    }
    let quoted = context
        .quotes
        .iter()
        .any(|&(s, e)| s <= span.0 && span.1 <= e);
    if quoted {
        if modality == Modality::Reported {
            modality = Modality::Quoted;
        }
        // The speaker: beside the quote, else in the next or previous
        // sentence of the paragraph.
        let neighbours = [Some(index), index.checked_add(1), index.checked_sub(1)];
        let by = neighbours
            .into_iter()
            .flatten()
            .filter_map(|i| doc.sentences.get(i))
            .filter(|s| s.paragraph == sentence.paragraph)
            .find_map(|s| speaker(doc.folded_text(s), s.folded.start, &context.quotes, lexicon));
        return (
            modality,
            Some(Attribution {
                by,
                via: Via::Quote,
            }),
        );
    }
    let named = context
        .speakers
        .borrow_mut()
        .entry(index)
        .or_insert_with(|| speaker(text, base, &[], lexicon))
        .clone();
    let attribution = named.map(|by| Attribution {
        by: Some(by),
        via: Via::Report,
    });
    (modality, attribution)
}

/// For names, places and organisations: leaves out words at either end that
/// are never part of one ("On Wednesday Omran" → "Omran", "Dr Assad" →
/// "Assad", "OSP Lt" → "OSP"). Returns the number of bytes cut at the start
/// and what is left.
fn trim_stopwords<'t>(raw: &'t str, kind: &ClaimKind, lexicon: &Lexicon) -> (usize, &'t str) {
    use crate::rules::ValueType;
    if !matches!(
        kind.value_type,
        ValueType::Name | ValueType::Place | ValueType::Organisation
    ) {
        return (0, raw);
    }
    let is_stop = |word: &str| {
        lexicon
            .topic_stopwords
            .contains(&word.trim_end_matches('.').to_lowercase())
    };
    // [start, end) is what is left of `raw`.
    let (mut start, mut end) = (0, raw.len());
    while let Some((word, after)) = raw[start..end].split_once(' ') {
        if after.trim().is_empty() || !is_stop(word) {
            break;
        }
        start = end - after.trim_start().len();
    }
    while let Some((before, word)) = raw[start..end].rsplit_once(' ') {
        if before.trim().is_empty() || !is_stop(word) {
            break;
        }
        end = start + before.trim_end().len();
    }
    (start, &raw[start..end])
}

/// True when a name, place or organisation is more than a stopword or a
/// lone letter ("Capt", "This", "U").
fn is_substantive(value: &str, lexicon: &Lexicon) -> bool {
    let word = value.trim().trim_end_matches('.');
    word.chars().filter(|c| c.is_alphanumeric()).count() > 1
        && !lexicon.topic_stopwords.contains(&word.to_lowercase())
}

/// True for a Title Case Headline: four in five words of four letters or
/// more (and at least five such words) start with a capital. Names in running text never make up most of a sentence.
pub fn is_title_case(sentence: &str) -> bool {
    let words: Vec<&str> = sentence
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    if words.len() < 5 {
        return false;
    }
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    capitalised * 5 >= words.len() * 4
}

/// The subject of a claim in sentence `index`: the kind's subject, or
/// `other: <cue>` when the sentence (or the one before it in the same
/// paragraph) says it is about someone else.
fn subject_of(kind: &ClaimKind, doc: &Document, index: usize, lexicon: &Lexicon) -> Option<String> {
    let sentence = &doc.sentences[index];
    let text = doc.folded_text(sentence);
    // Another time is another event, whatever the kind: "Last year, a
    // quake killed …". (A year alone does not tell: a trial story dates the
    // crime it is about, "killed in October 2011", as a background does an
    // earlier disaster; the lexicon's cues say "earlier" in words.)
    if let Some(when) = lexicon
        .other_time_cues
        .iter()
        .find_map(|cue| cue.find(text))
    {
        return Some(format!(
            "{OTHER_SUBJECT_PREFIX}{}",
            when.as_str().to_lowercase()
        ));
    }
    let subject = kind.subject.clone()?;
    let mut scope = vec![text];
    if index > 0 && doc.sentences[index - 1].paragraph == sentence.paragraph {
        scope.push(doc.folded_text(&doc.sentences[index - 1]));
    }
    for text in scope {
        for cue in &lexicon.other_subject_cues {
            if let Some(m) = cue.find(text) {
                return Some(format!(
                    "{OTHER_SUBJECT_PREFIX}{}",
                    m.as_str().to_lowercase()
                ));
            }
        }
    }
    Some(subject)
}

/// One way a rule's examples failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The example text.
    pub text: String,
    /// What went wrong.
    pub message: String,
}

/// Runs a kind's examples: each positive example must yield its value, each
/// `must_not_match` text must yield nothing of this kind.
pub fn check_examples(kind: &ClaimKind, rules: &RuleSet) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let Some(lexicon) = rules.lexicon(&kind.lang) else {
        failures.push(ExampleFailure {
            text: String::new(),
            message: format!("no lexicon for language '{}'", kind.lang),
        });
        return failures;
    };
    let run = |text: &str| -> Vec<Claim> {
        let source = Source {
            id: "example".into(),
            path: "example".into(),
            text: text.to_string(),
            meta: SourceMeta::default(),
        };
        let doc = clean(&source, rules, lexicon);
        let mut claims = Vec::new();
        let context = Context::of(&doc, lexicon);
        // Through the prefilter, as in a real run, so that examples test it.
        let first = rules
            .kinds
            .iter()
            .filter(|k| k.lang == kind.lang)
            .take_while(|k| !std::ptr::eq(*k, kind))
            .map(|k| k.patterns.len())
            .sum();
        let known = rules.kinds.iter().any(|k| std::ptr::eq(k, kind));
        let candidates = candidates(&doc, rules, &kind.lang).filter(|_| known);
        let scope = Scope {
            candidates: candidates.as_ref(),
            first,
        };
        extract_kind("example", &doc, kind, lexicon, &context, scope, &mut claims);
        // The same resolution as a real run: the fuller reading wins.
        drop_nested(claims)
    };
    for example in &kind.examples {
        let claims = run(&example.text);
        if !claims.iter().any(|c| c.value.display == example.value) {
            let found: Vec<&str> = claims.iter().map(|c| c.value.display.as_str()).collect();
            failures.push(ExampleFailure {
                text: example.text.clone(),
                message: format!("expected value {:?}, found {:?}", example.value, found),
            });
        }
    }
    for text in &kind.must_not_match {
        let claims = run(text);
        if let Some(c) = claims.first() {
            failures.push(ExampleFailure {
                text: text.clone(),
                message: format!(
                    "must not match, but found {:?} in {:?}",
                    c.value.display, c.text
                ),
            });
        }
    }
    failures
}

/// Runs every boilerplate pattern's examples; returns `(id, failures)` pairs.
pub fn check_boilerplate(rules: &RuleSet) -> Vec<(String, Vec<ExampleFailure>)> {
    rules
        .boilerplate
        .iter()
        .map(|b| {
            let mut failures = Vec::new();
            // Matched on the folded copy, as `clean` does.
            for text in &b.examples {
                if !b.regex.is_match(&crate::clean::fold(text).0) {
                    failures.push(ExampleFailure {
                        text: text.clone(),
                        message: "boilerplate example was not matched".into(),
                    });
                }
            }
            for text in &b.must_not_match {
                if b.regex.is_match(&crate::clean::fold(text).0) {
                    failures.push(ExampleFailure {
                        text: text.clone(),
                        message: "story text was matched as boilerplate".into(),
                    });
                }
            }
            (b.id.clone(), failures)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(text: &str) -> Vec<Claim> {
        let rules = RuleSet::builtin_shared().expect("rules");
        let lex = rules.lexicon("en").expect("en").clone();
        let source = Source {
            id: "s".into(),
            path: "s.txt".into(),
            text: text.into(),
            meta: SourceMeta::default(),
        };
        let doc = clean(&source, rules, &lex);
        extract("s", &doc, rules, "en")
    }

    fn values(claims: &[Claim], kind: &str) -> Vec<String> {
        claims
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.value.display.clone())
            .collect()
    }

    #[test]
    fn a_sentence_about_another_time_is_about_another_event() {
        let c = claims(
            "A quake killed at least five people on Tuesday. \
             Last year, a 6.4-magnitude quake rocked the coast, killing at least one person.",
        );
        let subjects: Vec<(String, Option<String>)> = c
            .iter()
            .filter(|c| c.kind == "people_killed")
            .map(|c| (c.value.display.clone(), c.subject.clone()))
            .collect();
        assert_eq!(
            subjects,
            [
                ("≥5".to_string(), None),
                ("≥1".to_string(), Some("other: last year".to_string()))
            ]
        );
    }

    #[test]
    fn the_prefilter_changes_no_claim() {
        // Every pattern run on every sentence (no prefilter) finds what the
        // filtered run finds, on the seed texts.
        let rules = RuleSet::builtin_shared().expect("rules");
        let lex = rules.lexicon("en").expect("en").clone();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aleppo-omran");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixture")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        assert!(files.len() >= 5);
        for path in files {
            let text = std::fs::read_to_string(&path).expect("text");
            let source = Source {
                id: "s".into(),
                path: path.clone(),
                text,
                meta: SourceMeta::default(),
            };
            let doc = clean(&source, rules, &lex);
            let filtered = extract("s", &doc, rules, "en");
            let context = Context::of(&doc, &lex);
            let mut everywhere = Vec::new();
            for kind in rules.kinds.iter().filter(|k| k.lang == "en") {
                let scope = Scope {
                    candidates: None,
                    first: 0,
                };
                extract_kind("s", &doc, kind, &lex, &context, scope, &mut everywhere);
            }
            assert!(!filtered.is_empty());
            assert_eq!(filtered, drop_nested(everywhere), "{}", path.display());
        }
    }

    #[test]
    fn composite_count_keeps_its_parts() {
        let c = claims(
            "Four other children, one woman and two men were also injured in the same strike.",
        );
        assert_eq!(values(&c, "children_injured"), ["5"]);
        assert_eq!(values(&c, "people_injured"), ["8"]);
        let people = c
            .iter()
            .find(|c| c.kind == "people_injured")
            .expect("people");
        let groups: Vec<_> = people.parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(groups, ["Four", "other", "one", "two"]);
    }

    #[test]
    fn evidence_offsets_point_into_the_original() {
        let text = "Intro \u{2014} here.\nOmran was taken to the M10 hospital.";
        let c = claims(text);
        let h = c.iter().find(|c| c.kind == "hospital").expect("hospital");
        assert_eq!(&text[h.start..h.end], "M10");
        assert_eq!(
            &text[h.sentence_start..h.sentence_end],
            "Omran was taken to the M10 hospital."
        );
    }

    #[test]
    fn another_child_marks_a_different_subject() {
        let c = claims(
            "On Thursday, another child died. Doctors in the M2 hospital tried to save him.",
        );
        let h = c.iter().find(|c| c.kind == "hospital").expect("hospital");
        assert_eq!(h.subject.as_deref(), Some("other: another child"));
    }

    #[test]
    fn stopwords_at_either_end_of_a_name_are_trimmed() {
        let c = claims("The hospital was named, according to OSP Lt. Gregg Hastings.");
        let org = c
            .iter()
            .find(|c| c.kind == "reported_by")
            .expect("reported_by");
        assert_eq!(
            (org.value.display.as_str(), org.text.as_str()),
            ("OSP", "OSP")
        );
    }

    #[test]
    fn an_anchored_pattern_matches_at_every_sentence_start() {
        // `^` means the start of a sentence, not of the document.
        let c = claims("Athens was quiet in the morning.\nThree killed as rioters bomb Greek bank");
        assert_eq!(values(&c, "people_killed"), ["3"]);
    }

    #[test]
    fn title_case_headlines_give_no_names() {
        assert!(is_title_case(
            "Lindsay Lohan Checks Into Betty Ford Clinic, Rehires Attorney"
        ));
        assert!(!is_title_case(
            "Lindsay Lohan checked into the Betty Ford Clinic on Thursday."
        ));
        let c =
            claims("Lindsay Lohan Checks Into Betty Ford Clinic, Rehires Attorney Shawn Holley");
        assert!(c.iter().all(|c| c.kind != "hospital"), "{c:?}");
    }

    #[test]
    fn examples_of_every_builtin_kind_pass() {
        let rules = RuleSet::builtin_shared().expect("rules");
        for kind in &rules.kinds {
            assert_eq!(check_examples(kind, rules), vec![], "{}", kind.id);
        }
    }
}
