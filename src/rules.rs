//! The rule set: everything language- or domain-specific that drives the
//! pipeline, read from YAML files and compiled once per process.
//!
//! A rule directory holds three kinds of file:
//! - `*.yaml` at its top: one **claim kind** each (used by `extract`);
//! - `lang/*.yaml`: a **lexicon** per language (number words, weekdays,
//!   spelling variants, abbreviations, placeholder patterns), used by
//!   `clean`, `extract` and `normalize`;
//! - `boilerplate/*.yaml`: **boilerplate** patterns dropped by `clean`.
//!
//! The built-in set is `rules/` in the repository, embedded by `build.rs`.
//! `--rules DIR` layers another directory on top: its kinds add to or replace
//! the built-in kinds with the same id and language; its lexicon entries and
//! boilerplate patterns are added. Every problem is a [`Diagnostic`] with the
//! file, line, column and rule id, and a hint.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::diag::{locate, Diagnostic};

pub mod prefilter;

use prefilter::Prefilter;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// How large one compiled pattern may grow, in bytes. A pattern that needs
/// more is almost always a mistake (a nested repetition), and an error says so.
pub const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// The fixed list of value types a claim kind may name. The type decides how
/// values are normalized and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Free text: compared after case, accent and spelling folding.
    Text,
    /// A person's name: compared by token, a shorter form agrees with the full one.
    Name,
    /// A number of people or things.
    Count,
    /// A person's age in years.
    Age,
    /// A day of the week.
    Day,
    /// A part of the day ("evening") or a clock time ("10:30 pm").
    TimeOfDay,
    /// A calendar date.
    Date,
    /// A place name: neighbourhood, town, region.
    Place,
    /// An organisation, group or force.
    Organisation,
    /// A code or identifier ("M10"): compared exactly, case aside.
    Code,
}

impl ValueType {
    /// Every value type, for error messages.
    pub const ALL: &'static [&'static str] = &[
        "text",
        "name",
        "count",
        "age",
        "day",
        "time_of_day",
        "date",
        "place",
        "organisation",
        "code",
    ];

    /// True for the types whose values are numbers.
    pub fn is_numeric(self) -> bool {
        matches!(self, ValueType::Count | ValueType::Age)
    }
}

/// Whether a kind has one true value per subject or may list several.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    /// One true value: different values are a conflict (or need review).
    #[default]
    One,
    /// Several values can all be true (who reported it): each value is its
    /// own finding, and sources can only agree on it.
    Many,
}

/// A text and the value a rule must find in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// One or two sentences, as a news article would write them.
    pub text: String,
    /// The normalized display value the rule must extract from `text`.
    pub value: String,
}

/// The shape of a claim-kind file, exactly as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindFile {
    kind: String,
    #[serde(default)]
    label: Option<String>,
    description: String,
    value_type: ValueType,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    cardinality: Cardinality,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    event_signal: bool,
    #[serde(default)]
    named_by: Option<String>,
    #[serde(default)]
    tolerance: Option<f64>,
    patterns: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    must_not_match: Vec<String>,
}

/// A regex compiled when it is first used. The built-in rules hold hundreds
/// of patterns in four languages, and a run needs few of them: deferring
/// keeps start-up short, and a pattern whose words never occur (see
/// [`prefilter`]) is never compiled. Built-in patterns are compiled by the
/// test suite and `rules test`; a user's rules are compiled as they load, so
/// their errors still point at file, line and column.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    /// The pattern, placeholders expanded.
    pattern: String,
    cell: std::sync::OnceLock<Regex>,
}

impl LazyRegex {
    /// A regex already compiled.
    pub fn compiled(regex: Regex) -> LazyRegex {
        LazyRegex {
            pattern: regex.as_str().to_string(),
            cell: std::sync::OnceLock::from(regex),
        }
    }

    /// A pattern to compile on first use; it has been checked to parse.
    pub fn deferred(pattern: String) -> LazyRegex {
        LazyRegex {
            pattern,
            cell: std::sync::OnceLock::new(),
        }
    }

    /// The pattern's text.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Compiles the pattern now, or says why it cannot be.
    pub fn try_compile(&self) -> Result<&Regex, String> {
        if let Some(regex) = self.cell.get() {
            return Ok(regex);
        }
        let regex = build_regex(&self.pattern)?;
        Ok(self.cell.get_or_init(|| regex))
    }
}

impl std::ops::Deref for LazyRegex {
    type Target = Regex;

    /// The compiled regex. A deferred pattern that does not compile (only
    /// possible past its size limit, which the test suite rules out for
    /// the built-in rules) matches nothing.
    fn deref(&self) -> &Regex {
        self.cell.get_or_init(|| {
            build_regex(&self.pattern).unwrap_or_else(|_| {
                #[allow(clippy::expect_used)]
                Regex::new(r"[^\s\S]").expect("an empty class compiles")
            })
        })
    }
}

/// One compiled pattern of a claim kind.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written in the rule file, placeholders unexpanded.
    pub source: String,
    /// The regex, placeholders expanded, compiled on first use.
    pub regex: LazyRegex,
    /// The words it cannot match without (see [`prefilter`]).
    pub required: prefilter::Required,
    /// True when the pattern anchors at the text's start or end (`^`, `$`):
    /// it must then be run on each sentence, never pre-checked on the whole
    /// text, where `^` would mean the start of the document.
    pub anchored: bool,
}

/// A claim kind: what to look for, how to read the value, and how to compare it.
#[derive(Debug, Clone)]
pub struct ClaimKind {
    /// Stable id, e.g. `hospital`; the file stem by convention.
    pub id: String,
    /// Human label for tables, e.g. "hospital".
    pub label: String,
    /// What the kind means, for `rules list` and the docs.
    pub description: String,
    /// How values are normalized and compared.
    pub value_type: ValueType,
    /// The language whose lexicon the patterns use.
    pub lang: String,
    /// One value, or a list of values.
    pub cardinality: Cardinality,
    /// The default subject of the claims (e.g. `victim`), if the kind is about one.
    pub subject: Option<String>,
    /// True when a shared value of this kind says two sources report the same
    /// event (names, places), which `compare` uses to spot off-topic sources.
    pub event_signal: bool,
    /// The kind whose values name the person a claim is about (for an
    /// age: `victim_name`). A claim's person is the one its pattern names in
    /// a `subject` group, or else the one its source names with that kind;
    /// a claim about another person than the one most sources name is about
    /// someone else (`other: <name>`), not a conflicting value.
    pub named_by: Option<String>,
    /// For counts and ages: how far an approximate figure ("about 12") may
    /// be off, as a share of it (0.1 = 10%, at least 1).
    pub tolerance: f64,
    /// The patterns, in file order; each has a `value` capture group.
    pub patterns: Vec<Pattern>,
    /// Captured values matching any of these are not claims (built-in ones
    /// compiled on first use).
    pub exclude: Vec<LazyRegex>,
    /// Texts and the value the rule must find in each.
    pub examples: Vec<Example>,
    /// Texts in which the rule must find nothing.
    pub must_not_match: Vec<String>,
    /// The file the kind was read from (`rules/hospital.yaml` for built-ins).
    pub file: PathBuf,
}

/// Number words of one language, for `normalize` and the `{number}` placeholder.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberWords {
    /// Words worth a value on their own: `one: 1`, `twelve: 12`, `twenty: 20`.
    #[serde(default)]
    pub units: BTreeMap<String, u64>,
    /// Words that multiply what precedes them: `hundred: 100`, `million: 1000000`.
    #[serde(default)]
    pub scales: BTreeMap<String, u64>,
    /// Fixed phrases worth a value: `a dozen: 12`.
    #[serde(default)]
    pub phrases: BTreeMap<String, u64>,
    /// Words that join parts of one number and add nothing: `and`.
    #[serde(default)]
    pub joiners: Vec<String>,
    /// The thousands separators in digits, each character one: `,` in
    /// English, `. ` in French (for "5.000" and "5 000").
    #[serde(default)]
    pub thousands_separator: Option<String>,
    /// The decimal separator in digits: `.` in English.
    #[serde(default)]
    pub decimal_separator: Option<String>,
    /// Words before a number that qualify it: "about 12", "at least 55".
    #[serde(default)]
    pub qualifiers: QualifierWords,
    /// Words between two numbers that make a range: `to` ("12 to 15"); a
    /// dash always does.
    #[serde(default)]
    pub range_words: Vec<String>,
    /// Word pairs around two numbers that make a range: `[between, and]`.
    #[serde(default)]
    pub range_pairs: Vec<[String; 2]>,
    /// Vague plurals and the interval they stand for: `dozens: [24, 99]`.
    #[serde(default)]
    pub vague: BTreeMap<String, [u64; 2]>,
    /// Words between a number and the noun it counts, skipped when reading
    /// the unit ("four *other* children" counts children).
    #[serde(default)]
    pub unit_skip: Vec<String>,
    /// Words before a number that make it an identifier, not a quantity
    /// ("Section 427", "Row 21", "No. 3").
    #[serde(default)]
    pub identifier_words: Vec<String>,
    /// Month names and abbreviations: a number beside one is a date.
    #[serde(default)]
    pub months: Vec<String>,
    /// Words after a number that make it a date, a time or a name, not a
    /// count ("0737 *GMT*", "the nineteen *sixties*", "the 12200 *block*").
    #[serde(default)]
    pub identifier_words_after: Vec<String>,
    /// After a vague plural, the words that lead to what it counts ("dozens
    /// *of* people"); without one, nothing after it is its unit ("dozens
    /// gathered"). Empty: the next word is the unit.
    #[serde(default)]
    pub vague_unit_words: Vec<String>,
    /// Words before "N to M" that make it a change, not a range ("rose
    /// *from* 10 to 12").
    #[serde(default)]
    pub change_words: Vec<String>,
}

/// The qualifier words of a language, by the interval they make.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualifierWords {
    /// "about", "around", "nearly": the number give or take a tolerance.
    #[serde(default)]
    pub approximate: Vec<String>,
    /// "at least": the number or more.
    #[serde(default)]
    pub lower_bound: Vec<String>,
    /// "more than", "over": more than the number.
    #[serde(default)]
    pub lower_bound_strict: Vec<String>,
    /// "up to", "as many as": the number or fewer.
    #[serde(default)]
    pub upper_bound: Vec<String>,
    /// "fewer than", "under": fewer than the number.
    #[serde(default)]
    pub upper_bound_strict: Vec<String>,
}

impl QualifierWords {
    /// Every qualifier phrase (lower case) with the qualifier it makes and
    /// whether the bound is strict, longest phrase first.
    pub fn all(&self) -> Vec<(&str, crate::normalize::Qualifier, bool)> {
        use crate::normalize::Qualifier::*;
        let mut out: Vec<(&str, crate::normalize::Qualifier, bool)> = Vec::new();
        for (words, q, strict) in [
            (&self.approximate, Approximate, false),
            (&self.lower_bound, LowerBound, false),
            (&self.lower_bound_strict, LowerBound, true),
            (&self.upper_bound, UpperBound, false),
            (&self.upper_bound_strict, UpperBound, true),
        ] {
            out.extend(words.iter().map(|w| (w.as_str(), q, strict)));
        }
        out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        out
    }
}

/// The shape of a lexicon file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    lang: String,
    #[serde(default)]
    numbers: NumberWords,
    #[serde(default)]
    weekdays: BTreeMap<String, String>,
    #[serde(default)]
    day_periods: BTreeMap<String, String>,
    #[serde(default)]
    clock_markers: BTreeMap<String, String>,
    #[serde(default)]
    period_hours: BTreeMap<String, [u32; 2]>,
    #[serde(default)]
    clock_separators: Vec<String>,
    #[serde(default)]
    capitalised_nouns: Option<bool>,
    #[serde(default)]
    spelling_variants: BTreeMap<String, String>,
    #[serde(default)]
    articles: Vec<String>,
    #[serde(default)]
    name_particles: Vec<String>,
    #[serde(default)]
    abbreviations: Vec<String>,
    #[serde(default)]
    continuation_words: Vec<String>,
    #[serde(default)]
    other_subject_cues: Vec<String>,
    #[serde(default)]
    other_time_cues: Vec<String>,
    #[serde(default)]
    topic_stopwords: Vec<String>,
    #[serde(default)]
    placeholders: BTreeMap<String, String>,
    #[serde(default)]
    attribution: AttributionFile,
    #[serde(default)]
    corrections: CorrectionsFile,
}

/// How a language attributes what it reports, as written in a lexicon.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributionFile {
    #[serde(default)]
    speakers: Vec<String>,
    #[serde(default)]
    post_signature: Option<String>,
}

/// How a language marks corrections, as written in a lexicon.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrectionsFile {
    #[serde(default)]
    corrected: Vec<String>,
    #[serde(default)]
    superseded: Vec<String>,
}

/// The words and patterns of one language, merged from its lexicon files.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// `{number}` expanded, made once (every count pattern has it).
    number_text: std::sync::OnceLock<String>,
    /// `{quantity}` expanded, made once.
    quantity_text: std::sync::OnceLock<String>,
    /// The placeholders that stand in a pattern's shape as one letter, made
    /// once: see [`opaque_placeholders`].
    opaque: std::sync::OnceLock<std::collections::BTreeSet<String>>,
    /// Language code, e.g. `en`.
    pub lang: String,
    /// Number words.
    pub numbers: NumberWords,
    /// Weekday word (lower case) → canonical display form.
    pub weekdays: BTreeMap<String, String>,
    /// Part-of-day word (lower case) → canonical period (`night`, `evening`…).
    pub day_periods: BTreeMap<String, String>,
    /// Marker after a clock time (lower case) → `am` or `pm`.
    pub clock_markers: BTreeMap<String, String>,
    /// Part of the day → the hours it covers, `[start, end)`; a night may
    /// run over midnight (`[21, 5]`).
    pub period_hours: BTreeMap<String, [u32; 2]>,
    /// What separates hours from minutes in a clock time (`:`, `.`, French `h`).
    pub clock_separators: Vec<String>,
    /// True for languages that capitalise every noun (German): a sentence of
    /// capitalised words is then no sign of a Title Case headline.
    pub capitalised_nouns: bool,
    /// Spelling (lower case) → the one form it is compared as.
    pub spelling_variants: BTreeMap<String, String>,
    /// Articles dropped at the start of organisation and place values.
    pub articles: BTreeSet<String>,
    /// Name particles (`al-`, `el-`) that a spelling may carry or leave out.
    pub name_particles: Vec<String>,
    /// Abbreviations (lower case, no final dot) after which a dot does not
    /// end a sentence.
    pub abbreviations: BTreeSet<String>,
    /// Words that cannot end a sentence: a line ending with one goes on.
    pub continuation_words: BTreeSet<String>,
    /// Regexes that mark a sentence as being about someone else than the
    /// story's main subject ("another child").
    pub other_subject_cues: Vec<LazyRegex>,
    /// Regexes that mark a sentence as telling of another time than the
    /// story's ("last year", "two years ago"): its claims are about another
    /// event, as are those of a sentence naming an earlier year.
    pub other_time_cues: Vec<LazyRegex>,
    /// Capitalised words that say nothing about which event a source reports.
    pub topic_stopwords: BTreeSet<String>,
    /// Named sub-patterns that rule patterns use as `{name}`.
    pub placeholders: BTreeMap<String, String>,
    /// Regexes with a `by` group that say who a sentence attributes what it
    /// says to ("according to SANA", "Dr Hamza said"); groups named
    /// `reject…` veto a match.
    pub speakers: Vec<LazyRegex>,
    /// The line under an embedded post ("— Raf Sanchez (@rafsanchez) August
    /// 17, 2016"), with `by` and `handle` groups.
    pub post_signature: Option<LazyRegex>,
    /// A sentence that matches one of these gives a corrected value ("His
    /// name was later corrected to Omran").
    pub corrected: Vec<LazyRegex>,
    /// A sentence that matches one of these gives a value that was wrong
    /// ("An earlier version of this article said…").
    pub superseded: Vec<LazyRegex>,
    /// The attribution and correction patterns as written, compiled into
    /// the fields above only for the languages a run reads.
    pattern_sources: PatternSources,
}

/// Attribution and correction patterns as written in a lexicon.
#[derive(Debug, Clone, Default)]
struct PatternSources {
    speakers: Vec<String>,
    post_signature: Option<String>,
    corrected: Vec<String>,
    superseded: Vec<String>,
}

impl Lexicon {
    /// Compiles the attribution and correction patterns (their syntax was
    /// checked when the lexicon was read); one over the size limit is an
    /// error.
    fn compile_patterns(&mut self) {
        // Checked as they were read (compiled there for a user's rules):
        // here they are only kept, to compile on first use.
        let src = std::mem::take(&mut self.pattern_sources);
        let defer = |p: &String| LazyRegex::deferred(p.clone());
        self.speakers = src.speakers.iter().map(defer).collect();
        self.post_signature = src.post_signature.as_ref().map(defer);
        self.corrected = src.corrected.iter().map(defer).collect();
        self.superseded = src.superseded.iter().map(defer).collect();
    }
}

/// The shape of a boilerplate file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoilerplateFile {
    boilerplate: Vec<BoilerplateSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoilerplateSpec {
    id: String,
    description: String,
    #[serde(default)]
    scope: Scope,
    pattern: String,
    examples: Vec<String>,
    must_not_match: Vec<String>,
}

/// How much text a boilerplate pattern drops when it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The sentence the pattern matches in.
    #[default]
    Sentence,
    /// The whole paragraph the pattern matches in.
    Paragraph,
}

/// A compiled boilerplate pattern: text that is not the story.
#[derive(Debug, Clone)]
pub struct Boilerplate {
    /// Stable id, shown as the reason text was dropped.
    pub id: String,
    /// What the pattern catches.
    pub description: String,
    /// Sentence or paragraph.
    pub scope: Scope,
    /// The language of the sources it applies to (its file is
    /// `boilerplate/<lang>.yaml`); `None` applies to every source.
    pub lang: Option<String>,
    /// The compiled pattern.
    pub regex: LazyRegex,
    /// Texts the pattern must match.
    pub examples: Vec<String>,
    /// Texts the pattern must not match.
    pub must_not_match: Vec<String>,
    /// The file it was read from.
    pub file: PathBuf,
}

/// A whole compiled rule set: kinds, boilerplate and lexicons.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Claim kinds, sorted by id then language.
    pub kinds: Vec<ClaimKind>,
    /// Boilerplate patterns, sorted by id.
    pub boilerplate: Vec<Boilerplate>,
    /// Lexicons by language code.
    pub lexicons: BTreeMap<String, Lexicon>,
    /// Problems that did not stop compilation (files that were not read).
    pub warnings: Vec<Diagnostic>,
    /// Function word → the indexes (in `lexicons` order) of the languages
    /// that have it: what [`RuleSet::detect_language`] counts.
    function_words: HashMap<String, Vec<usize>>,
    /// The `topic_stopwords` of every language: values of one kind may come
    /// in several languages, and none of these words make two values overlap.
    pub all_stopwords: BTreeSet<String>,
    /// Per language, the literal prefilter over the patterns of its kinds, in
    /// [`RuleSet::kinds`] order: which sentences each pattern may match.
    prefilters: BTreeMap<String, Prefilter>,
}

/// A rule file's text and the path to report it under.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// Where the file lives, for messages (`rules/hospital.yaml` for built-ins).
    pub path: PathBuf,
    /// Path relative to its rule directory, which says what the file holds.
    pub rel: String,
    /// The file's text.
    pub text: String,
}

/// The built-in rule files, as embedded at build time.
pub fn builtin_files() -> Vec<RuleFile> {
    embedded::EMBEDDED
        .iter()
        .map(|(rel, text)| RuleFile {
            path: Path::new("rules").join(rel),
            rel: (*rel).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The built-in rule files, then those of each of `dirs`: one layer each.
fn read_layers(dirs: &[PathBuf]) -> Result<Vec<Vec<RuleFile>>, Vec<Diagnostic>> {
    let mut layers = vec![builtin_files()];
    let mut diags = Vec::new();
    for dir in dirs {
        let (files, mut d) = read_dir_files(dir);
        diags.append(&mut d);
        layers.push(files);
    }
    if diags.is_empty() {
        Ok(layers)
    } else {
        Err(diags)
    }
}

/// Reads every rule file under `dir` (sorted, recursively). Unreadable files
/// are diagnostics; the others are still returned.
pub fn read_dir_files(dir: &Path) -> (Vec<RuleFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(dir, "rule directory not found")
                .hint("give a directory of claim-kind YAML files (see docs/rules-guide.md)"),
        );
        return (files, diags);
    }
    let mut paths = Vec::new();
    collect_yaml(dir, &mut paths, &mut diags, 0);
    paths.sort();
    for path in paths {
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        match fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(RuleFile { path, rel, text }),
                Err(_) => diags.push(
                    Diagnostic::error(&path, "rule file is not valid UTF-8")
                        .hint("save the file as UTF-8"),
                ),
            },
            Err(e) => diags.push(Diagnostic::error(
                &path,
                format!("cannot read rule file: {e}"),
            )),
        }
    }
    (files, diags)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>, depth: usize) {
    if depth > 8 {
        diags.push(Diagnostic::warning(
            dir,
            "rule directories nested too deep; not read",
        ));
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diags.push(Diagnostic::error(
                dir,
                format!("cannot read rule directory: {e}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_yaml(&path, out, diags, depth + 1);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

impl RuleSet {
    /// The built-in rules alone, compiled afresh.
    pub fn builtin() -> Result<RuleSet, Vec<Diagnostic>> {
        RuleSet::compile(&[builtin_files()])
    }

    /// The built-in rules, compiled once per process and shared.
    pub fn builtin_shared() -> Result<&'static RuleSet, &'static [Diagnostic]> {
        static BUILTIN: std::sync::OnceLock<Result<RuleSet, Vec<Diagnostic>>> =
            std::sync::OnceLock::new();
        match BUILTIN.get_or_init(RuleSet::builtin) {
            Ok(rules) => Ok(rules),
            Err(diags) => Err(diags),
        }
    }

    /// The built-in rules with each of `dirs` layered on top, in order: the
    /// one way a run gets its rules. Built-in patterns compile on first use;
    /// a user's are compiled as they load, so their errors point at file,
    /// line and column.
    pub fn load(dirs: &[PathBuf]) -> Result<RuleSet, Vec<Diagnostic>> {
        RuleSet::with_dirs_for(dirs, None)
    }

    /// The built-in rules with each of `dirs` layered on top, in order.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<RuleSet, Vec<Diagnostic>> {
        RuleSet::with_dirs_for(dirs, None)
    }

    /// Like [`RuleSet::with_dirs`], but compiles only the claim kinds (and
    /// language boilerplate) of `langs` (all when `None`): compiling is what
    /// costs, and a run needs only the languages of its sources. The other
    /// rules of `dirs` are still syntax-checked; built-in ones, compiled by
    /// the test suite, are only read.
    pub fn with_dirs_for(
        dirs: &[PathBuf],
        langs: Option<&BTreeSet<String>>,
    ) -> Result<RuleSet, Vec<Diagnostic>> {
        let layers = read_layers(dirs)?;
        RuleSet::compile_for(&layers, langs)
    }

    /// Compiles layers of rule files; a later layer overrides earlier kinds
    /// with the same id and language. All problems are returned together.
    pub fn compile(layers: &[Vec<RuleFile>]) -> Result<RuleSet, Vec<Diagnostic>> {
        RuleSet::compile_for(layers, None)
    }

    /// The lexicons alone of the built-in rules and `dirs`: what finding a
    /// source's language needs, at a fraction of the cost of the whole set.
    pub fn lexicons_only(dirs: &[PathBuf]) -> Result<RuleSet, Vec<Diagnostic>> {
        let layers = read_layers(dirs)?;
        let lexicons: Vec<Vec<RuleFile>> = layers
            .into_iter()
            .map(|layer| {
                layer
                    .into_iter()
                    .filter(|f| f.rel.starts_with("lang/"))
                    .collect()
            })
            .collect();
        RuleSet::compile_for(&lexicons, Some(&BTreeSet::new()))
    }

    /// Like [`RuleSet::compile`], but only the claim kinds of `langs` (all
    /// when `None`) are compiled and kept; the others are checked only.
    pub fn compile_for(
        layers: &[Vec<RuleFile>],
        langs: Option<&BTreeSet<String>>,
    ) -> Result<RuleSet, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut lex_files = Vec::new();
        let mut kind_files = Vec::new();
        let mut boiler_files = Vec::new();
        let mut variant_files = Vec::new();
        for (layer_index, layer) in layers.iter().enumerate() {
            for file in layer {
                if file.rel.starts_with("lang/") {
                    lex_files.push((layer_index, file));
                } else if file.rel.starts_with("variants/") {
                    variant_files.push(file);
                } else if file.rel.starts_with("boilerplate/") {
                    boiler_files.push((layer_index, file));
                } else if !file.rel.contains('/') {
                    kind_files.push((layer_index, file));
                } else {
                    diags.push(
                        Diagnostic::warning(&file.path, "not read: rule files live at the top of the rule directory, or in lang/, boilerplate/ or variants/")
                    );
                }
            }
        }

        let mut lexicons: BTreeMap<String, Lexicon> = BTreeMap::new();
        for (layer, file) in lex_files {
            match parse_yaml::<LexiconFile>(file) {
                Ok(lf) => merge_lexicon(&mut lexicons, lf, file, layer == 0, &mut diags),
                Err(d) => diags.push(d),
            }
        }

        for lex in lexicons.values_mut() {
            if langs.is_none_or(|l| l.contains(&lex.lang)) {
                lex.compile_patterns();
            }
        }

        // Variant sets hold across languages: every lexicon learns them.
        for file in variant_files {
            match parse_yaml::<VariantsFile>(file) {
                Ok(vf) => merge_variants(&mut lexicons, vf, file, &mut diags),
                Err(d) => diags.push(d),
            }
        }

        let mut boilerplate: Vec<Boilerplate> = Vec::new();
        for (layer, file) in &boiler_files {
            match parse_yaml::<BoilerplateFile>(file) {
                Ok(bf) => {
                    // boilerplate/de.yaml is German page furniture: it applies
                    // to German sources, and is compiled only when they come.
                    let stem = Path::new(&file.rel)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned());
                    let lang = stem.filter(|s| lexicons.contains_key(s));
                    let wanted = match (&lang, langs) {
                        (Some(lang), Some(langs)) => langs.contains(lang),
                        _ => true,
                    };
                    let builtin = *layer == 0;
                    let mode = match (wanted, builtin) {
                        (true, true) => Mode::Defer,
                        (true, false) => Mode::Compile,
                        (false, true) => Mode::Light,
                        (false, false) => Mode::Check,
                    };
                    compile_boilerplate(bf, file, lang, mode, &mut boilerplate, &mut diags)
                }
                Err(d) => diags.push(d),
            }
        }
        boilerplate.sort_by(|a, b| a.id.cmp(&b.id));
        for pair in boilerplate.windows(2) {
            if pair[0].id == pair[1].id {
                diags.push(
                    Diagnostic::error(&pair[1].file, "duplicate boilerplate id")
                        .rule(&pair[1].id)
                        .hint(format!(
                            "another pattern in {} has this id; rename one",
                            pair[0].file.display()
                        )),
                );
            }
        }

        // (id, lang) → (layer, kind); a later layer replaces, the same layer twice is an error.
        let mut kinds: BTreeMap<(String, String), (usize, ClaimKind)> = BTreeMap::new();
        for (layer, file) in kind_files {
            let kf = match parse_yaml::<KindFile>(file) {
                Ok(kf) => kf,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            let wanted = langs.is_none_or(|l| l.contains(kf.lang.as_deref().unwrap_or("en")));
            let mode = if wanted && layer == 0 {
                Mode::Defer
            } else if wanted {
                Mode::Compile
            } else if layer == 0 {
                // Built-in rules are compiled by the test suite on every change.
                Mode::Light
            } else {
                Mode::Check
            };
            let Some(kind) = compile_kind(kf, file, &lexicons, &mut diags, mode) else {
                continue;
            };
            let key = (kind.id.clone(), kind.lang.clone());
            if let Some((prev_layer, prev)) = kinds.get(&key) {
                if *prev_layer == layer {
                    let pos = locate(&file.text, "kind:", 0);
                    diags.push(
                        Diagnostic::error(&file.path, format!("duplicate kind id '{}'", kind.id))
                            .at(pos)
                            .rule(&kind.id)
                            .hint(format!(
                                "{} already defines it; rename one of them",
                                prev.file.display()
                            )),
                    );
                    continue;
                }
            }
            kinds.insert(key, (layer, kind));
        }

        // One kind in several languages must read and compare values alike.
        let mut first: BTreeMap<&str, &ClaimKind> = BTreeMap::new();
        for (_, kind) in kinds.values() {
            match first.get(kind.id.as_str()) {
                None => {
                    first.insert(&kind.id, kind);
                }
                Some(other)
                    if other.value_type != kind.value_type
                        || other.cardinality != kind.cardinality =>
                {
                    diags.push(
                        Diagnostic::error(
                            &kind.file,
                            format!("kind '{}' differs between languages", kind.id),
                        )
                        .at(locate(&file_text(layers, &kind.file), "value_type:", 0))
                        .rule(&kind.id)
                        .hint(format!(
                            "give it the same value_type and cardinality as in {}",
                            other.file.display()
                        )),
                    );
                }
                Some(_) => {}
            }
        }

        // `named_by` names a kind of names in the same language.
        for (_, kind) in kinds.values() {
            let Some(by) = &kind.named_by else { continue };
            let found = kinds.values().any(|(_, k)| {
                &k.id == by && k.lang == kind.lang && k.value_type == ValueType::Name
            });
            if !found {
                diags.push(
                    Diagnostic::error(
                        &kind.file,
                        format!(
                            "named_by: no kind '{by}' of value_type name in '{}'",
                            kind.lang
                        ),
                    )
                    .at(locate(&file_text(layers, &kind.file), "named_by:", 0))
                    .rule(&kind.id)
                    .hint("name a kind whose value_type is name, e.g. victim_name"),
                );
            }
        }

        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let kinds: Vec<ClaimKind> = kinds.into_values().map(|(_, k)| k).collect();
        let prefilters = lexicons
            .keys()
            .map(|lang| {
                let patterns = kinds
                    .iter()
                    .filter(|k| &k.lang == lang)
                    .flat_map(|k| k.patterns.iter().map(|p| &p.required));
                (lang.clone(), Prefilter::new(patterns))
            })
            .collect();
        Ok(RuleSet {
            kinds,
            prefilters,
            boilerplate,
            function_words: function_words(&lexicons),
            all_stopwords: lexicons
                .values()
                .flat_map(|l| l.topic_stopwords.iter().cloned())
                .collect(),
            lexicons,
            warnings: diags,
        })
    }

    /// Compiles every regex that waits for its first use (the built-in
    /// rules' patterns, cues and boilerplate) and lists those that fail,
    /// as `what: message`. The test suite and `rules test` run it, so
    /// that a run never meets a built-in pattern that does not compile.
    pub fn uncompilable(&self) -> Vec<String> {
        let mut all: Vec<(String, &LazyRegex)> = Vec::new();
        for kind in &self.kinds {
            for p in &kind.patterns {
                all.push((format!("{} ({})", kind.id, kind.file.display()), &p.regex));
            }
            for re in &kind.exclude {
                all.push((format!("{} exclude ({})", kind.id, kind.file.display()), re));
            }
        }
        for lex in self.lexicons.values() {
            let what = format!("lang/{}.yaml", lex.lang);
            let lists = [
                &lex.other_subject_cues,
                &lex.other_time_cues,
                &lex.speakers,
                &lex.corrected,
                &lex.superseded,
            ];
            for re in lists.into_iter().flatten().chain(&lex.post_signature) {
                all.push((what.clone(), re));
            }
        }
        for b in &self.boilerplate {
            all.push((format!("boilerplate:{}", b.id), &b.regex));
        }
        all.into_iter()
            .filter_map(|(what, re)| re.try_compile().err().map(|e| format!("{what}: {e}")))
            .collect()
    }

    /// The literal prefilter over the patterns of `lang`'s kinds, in the
    /// order of [`RuleSet::kinds`] then of each kind's patterns.
    pub fn prefilter(&self, lang: &str) -> Option<&Prefilter> {
        self.prefilters.get(lang)
    }

    /// The lexicon for `lang`, or an empty one.
    pub fn lexicon(&self, lang: &str) -> Option<&Lexicon> {
        self.lexicons.get(lang)
    }

    /// The kind with this id (the first language, when there are several).
    pub fn kind(&self, id: &str) -> Option<&ClaimKind> {
        self.kinds.iter().find(|k| k.id == id)
    }

    /// The language a text is written in, among those with a lexicon: the one
    /// whose function words (its `articles` and `continuation_words`) occur
    /// most often in the text's first 4 kB, hundreds of words, plenty to
    /// tell languages apart. `None` when no lexicon's words occur, or two
    /// languages tie.
    pub fn detect_language(&self, text: &str) -> Option<&str> {
        let mut end = text.len().min(4096);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let langs: Vec<&str> = self.lexicons.keys().map(String::as_str).collect();
        let mut counts = vec![0usize; langs.len()];
        // One buffer for every word's lower-case form: no allocation per word.
        let mut lower = String::new();
        for word in words(&text[..end]) {
            if word.len() > 12 {
                continue;
            }
            lower.clear();
            if word.is_ascii() {
                // The common case, lower-cased byte by byte: the same result
                // as `char::to_lowercase` for ASCII, without its table lookups.
                lower.push_str(word);
                lower.make_ascii_lowercase();
            } else {
                lower.extend(word.chars().flat_map(char::to_lowercase));
            }
            if let Some(members) = self.function_words.get(lower.as_str()) {
                for &i in members {
                    counts[i] += 1;
                }
            }
        }
        let mut ranked: Vec<(usize, &str)> = counts.into_iter().zip(langs).collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        match ranked.as_slice() {
            [(best, lang), (second, _), ..] if *best > 0 && best > second => Some(lang),
            [(best, lang)] if *best > 0 => Some(lang),
            _ => None,
        }
    }
}

/// The words [`RuleSet::detect_language`] looks up: the non-empty, maximal
/// runs of alphanumeric characters and apostrophes in `text`, in order.
/// ASCII bytes (most of any text it reads) are classified without decoding
/// a character.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        // Skip to the next word character; `None` at the end of the text.
        let start = loop {
            let (is_word, len) = word_char_at(text, at)?;
            if is_word {
                break at;
            }
            at += len;
        };
        while let Some((true, len)) = word_char_at(text, at) {
            at += len;
        }
        text.get(start..at)
    })
}

/// Whether the character at byte `at` of `text` (a character boundary) is
/// part of a word (alphanumeric or an apostrophe), and its length in bytes;
/// `None` at the end of the text.
fn word_char_at(text: &str, at: usize) -> Option<(bool, usize)> {
    let &byte = text.as_bytes().get(at)?;
    if byte.is_ascii() {
        return Some((byte.is_ascii_alphanumeric() || byte == b'\'', 1));
    }
    let c = text.get(at..)?.chars().next()?;
    Some((c.is_alphanumeric(), c.len_utf8()))
}

/// Function word → the languages (indexes in `lexicons` order) that have it.
fn function_words(lexicons: &BTreeMap<String, Lexicon>) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, lexicon) in lexicons.values().enumerate() {
        for word in lexicon.articles.iter().chain(&lexicon.continuation_words) {
            let members = map.entry(word.clone()).or_default();
            if !members.contains(&i) {
                members.push(i);
            }
        }
    }
    map
}

/// The text of a rule file among the layers (for placing a message).
fn file_text(layers: &[Vec<RuleFile>], path: &Path) -> String {
    layers
        .iter()
        .flatten()
        .find(|f| f.path == path)
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

/// Parses one YAML file into `T`, turning parser errors into diagnostics with
/// line and column and, where the file names it, the rule id.
fn parse_yaml<T: for<'de> Deserialize<'de>>(file: &RuleFile) -> Result<T, Diagnostic> {
    serde_yaml::from_str::<T>(&file.text).map_err(|e| {
        let pos = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        // The parser appends " at line L column C"; we print the position up front.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        let mut d = Diagnostic::error(&file.path, message).at(pos);
        if let Some(id) = declared_kind(&file.text) {
            d = d.rule(id);
        }
        let hint = if d.message.contains("unknown field") {
            "remove the field or fix its spelling; `claimdiff rules list` and docs/rules-guide.md list the fields"
        } else if d.message.contains("unknown variant") {
            "use one of the values listed"
        } else if d.message.contains("missing field") {
            "add the field; docs/rules-guide.md shows a complete rule"
        } else {
            "check the YAML syntax near this position"
        };
        d.hint(hint)
    })
}

/// The `kind:` a rule file declares, read leniently for error messages.
fn declared_kind(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("kind:")?;
        let id = rest.trim().trim_matches(|c| c == '"' || c == '\'');
        (!id.is_empty()).then(|| id.to_string())
    })
}

fn merge_lexicon(
    lexicons: &mut BTreeMap<String, Lexicon>,
    lf: LexiconFile,
    file: &RuleFile,
    builtin: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let lex = lexicons.entry(lf.lang.clone()).or_insert_with(|| Lexicon {
        lang: lf.lang.clone(),
        ..Lexicon::default()
    });
    let lower = |s: String| s.to_lowercase();
    lex.numbers
        .units
        .extend(lf.numbers.units.into_iter().map(|(k, v)| (lower(k), v)));
    lex.numbers
        .scales
        .extend(lf.numbers.scales.into_iter().map(|(k, v)| (lower(k), v)));
    lex.numbers
        .phrases
        .extend(lf.numbers.phrases.into_iter().map(|(k, v)| (lower(k), v)));
    lex.numbers
        .joiners
        .extend(lf.numbers.joiners.into_iter().map(lower));
    if lf.numbers.thousands_separator.is_some() {
        lex.numbers.thousands_separator = lf.numbers.thousands_separator;
    }
    if lf.numbers.decimal_separator.is_some() {
        lex.numbers.decimal_separator = lf.numbers.decimal_separator;
    }
    let q = &mut lex.numbers.qualifiers;
    let lq = lf.numbers.qualifiers;
    q.approximate.extend(lq.approximate.into_iter().map(lower));
    q.lower_bound.extend(lq.lower_bound.into_iter().map(lower));
    q.lower_bound_strict
        .extend(lq.lower_bound_strict.into_iter().map(lower));
    q.upper_bound.extend(lq.upper_bound.into_iter().map(lower));
    q.upper_bound_strict
        .extend(lq.upper_bound_strict.into_iter().map(lower));
    lex.numbers
        .range_words
        .extend(lf.numbers.range_words.into_iter().map(lower));
    lex.numbers.range_pairs.extend(
        lf.numbers
            .range_pairs
            .into_iter()
            .map(|[a, b]| [lower(a), lower(b)]),
    );
    lex.numbers
        .vague
        .extend(lf.numbers.vague.into_iter().map(|(k, v)| (lower(k), v)));
    lex.numbers
        .unit_skip
        .extend(lf.numbers.unit_skip.into_iter().map(lower));
    lex.numbers
        .identifier_words
        .extend(lf.numbers.identifier_words.into_iter().map(lower));
    lex.numbers
        .months
        .extend(lf.numbers.months.into_iter().map(lower));
    lex.numbers
        .change_words
        .extend(lf.numbers.change_words.into_iter().map(lower));
    lex.numbers
        .identifier_words_after
        .extend(lf.numbers.identifier_words_after.into_iter().map(lower));
    lex.numbers
        .vague_unit_words
        .extend(lf.numbers.vague_unit_words.into_iter().map(lower));
    lex.weekdays
        .extend(lf.weekdays.into_iter().map(|(k, v)| (lower(k), v)));
    lex.day_periods
        .extend(lf.day_periods.into_iter().map(|(k, v)| (lower(k), v)));
    lex.period_hours
        .extend(lf.period_hours.into_iter().map(|(k, v)| (lower(k), v)));
    lex.clock_separators
        .extend(lf.clock_separators.into_iter().map(lower));
    if let Some(capitalised) = lf.capitalised_nouns {
        lex.capitalised_nouns = capitalised;
    }
    lex.clock_markers.extend(
        lf.clock_markers
            .into_iter()
            .map(|(k, v)| (lower(k), lower(v))),
    );
    lex.spelling_variants.extend(
        lf.spelling_variants
            .into_iter()
            .map(|(k, v)| (lower(k), lower(v))),
    );
    lex.articles.extend(lf.articles.into_iter().map(lower));
    lex.name_particles
        .extend(lf.name_particles.into_iter().map(lower));
    lex.abbreviations.extend(
        lf.abbreviations
            .into_iter()
            .map(|a| lower(a).trim_end_matches('.').to_string()),
    );
    lex.continuation_words
        .extend(lf.continuation_words.into_iter().map(lower));
    lex.topic_stopwords
        .extend(lf.topic_stopwords.into_iter().map(lower));
    lex.placeholders.extend(lf.placeholders);
    // Checked here (the syntax, cheaply, with the file's position); compiled
    // by `compile_for` only for the languages a run reads.
    // Built-in patterns are compiled by the test suite, so their syntax is
    // enough here; a user's are compiled now, so that a pattern too large
    // to compile is reported with its place, not at its first use.
    let mut check = |what: &str, pattern: &str| {
        let problem = if builtin {
            regex_syntax::ast::parse::Parser::new()
                .parse(pattern)
                .err()
                .map(|e| regex_message(&e.to_string()))
        } else {
            build_regex(pattern).err()
        };
        if let Some(msg) = problem {
            diags.push(
                Diagnostic::error(&file.path, format!("bad regex in {what}: {msg}"))
                    .at(locate(&file.text, first_line(pattern), 0))
                    .hint("fix the regex; see docs/rules-guide.md"),
            );
            false
        } else {
            true
        }
    };
    let sources = &mut lex.pattern_sources;
    for p in &lf.attribution.speakers {
        if check("attribution.speakers", p) {
            sources.speakers.push(p.clone());
        }
    }
    if let Some(p) = &lf.attribution.post_signature {
        if check("attribution.post_signature", p) {
            sources.post_signature = Some(p.clone());
        }
    }
    for p in &lf.corrections.corrected {
        if check("corrections.corrected", p) {
            sources.corrected.push(p.clone());
        }
    }
    for p in &lf.corrections.superseded {
        if check("corrections.superseded", p) {
            sources.superseded.push(p.clone());
        }
    }
    for cue in lf.other_subject_cues {
        if check("other_subject_cues", &cue) {
            lex.other_subject_cues.push(LazyRegex::deferred(cue));
        }
    }
    for cue in lf.other_time_cues {
        if check("other_time_cues", &cue) {
            lex.other_time_cues.push(LazyRegex::deferred(cue));
        }
    }
}

/// The shape of a variants file: sets of spellings of one name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantsFile {
    variants: Vec<Vec<String>>,
}

/// Teaches every lexicon the variant sets: each spelling (folded as values
/// are) compares as the first of its set.
fn merge_variants(
    lexicons: &mut BTreeMap<String, Lexicon>,
    vf: VariantsFile,
    file: &RuleFile,
    diags: &mut Vec<Diagnostic>,
) {
    for set in vf.variants {
        let folded: Vec<String> = set.iter().map(|w| crate::normalize::fold_text(w)).collect();
        if let Some(bad) = set
            .iter()
            .zip(&folded)
            .find(|(_, f)| f.is_empty() || f.contains(' '))
        {
            diags.push(
                Diagnostic::error(&file.path, format!("variant '{}' is not one word", bad.0))
                    .at(locate(&file.text, bad.0, 0))
                    .hint("a variant set lists spellings of one word; names compare word by word"),
            );
            continue;
        }
        let Some(canonical) = folded.first() else {
            continue;
        };
        for lex in lexicons.values_mut() {
            for spelling in &folded {
                if spelling != canonical {
                    lex.spelling_variants
                        .insert(spelling.clone(), canonical.clone());
                }
            }
        }
    }
}

/// How much work a rule file gets: rules for the languages a run reads are
/// compiled; a user's other rules are syntax-checked; the built-in rules of
/// other languages (compiled by the test suite on every change) are only
/// read, with their placeholders expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Compile,
    /// Built-in rules of a language a run reads: kept, and compiled on
    /// first use ([`LazyRegex`]).
    Defer,
    Check,
    Light,
}

fn compile_boilerplate(
    bf: BoilerplateFile,
    file: &RuleFile,
    lang: Option<String>,
    mode: Mode,
    out: &mut Vec<Boilerplate>,
    diags: &mut Vec<Diagnostic>,
) {
    for spec in bf.boilerplate {
        let pos = locate(&file.text, &format!("id: {}", spec.id), 0);
        if spec.examples.is_empty() || spec.must_not_match.is_empty() {
            diags.push(
                Diagnostic::error(
                    &file.path,
                    "boilerplate pattern needs at least one example and one must_not_match text",
                )
                .at(pos)
                .rule(&spec.id)
                .hint("add a text it must drop and a text it must keep"),
            );
            continue;
        }
        if mode == Mode::Light {
            continue;
        }
        if mode != Mode::Compile {
            if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(&spec.pattern) {
                diags.push(
                    Diagnostic::error(
                        &file.path,
                        format!("bad regex: {}", regex_message(&e.to_string())),
                    )
                    .at(locate(&file.text, first_line(&spec.pattern), 0).or(pos))
                    .rule(&spec.id)
                    .hint("fix the regex; see docs/rules-guide.md"),
                );
            } else if mode == Mode::Defer {
                out.push(Boilerplate {
                    id: spec.id,
                    description: spec.description,
                    scope: spec.scope,
                    lang: lang.clone(),
                    regex: LazyRegex::deferred(spec.pattern),
                    examples: spec.examples,
                    must_not_match: spec.must_not_match,
                    file: file.path.clone(),
                });
            }
            continue;
        }
        match build_regex(&spec.pattern) {
            Ok(regex) => out.push(Boilerplate {
                id: spec.id,
                description: spec.description,
                scope: spec.scope,
                lang: lang.clone(),
                regex: LazyRegex::compiled(regex),
                examples: spec.examples,
                must_not_match: spec.must_not_match,
                file: file.path.clone(),
            }),
            Err(msg) => diags.push(
                Diagnostic::error(&file.path, format!("bad regex: {msg}"))
                    .at(locate(&file.text, first_line(&spec.pattern), 0).or(pos))
                    .rule(&spec.id)
                    .hint("fix the regex; see docs/rules-guide.md"),
            ),
        }
    }
}

fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or(s);
    // A short, distinctive prefix survives YAML quoting better than the whole line.
    match line.char_indices().nth(24) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// True when the pattern's syntax tree has a capture group of this name.
fn has_capture(ast: &regex_syntax::ast::Ast, name: &str) -> bool {
    has_group(
        ast,
        &|kind| matches!(kind, regex_syntax::ast::GroupKind::CaptureName { name: n, .. } if n.name == name),
    )
}

/// True when a syntax tree has a capture group of any kind.
fn has_any_capture(ast: &regex_syntax::ast::Ast) -> bool {
    has_group(ast, &|kind| {
        !matches!(kind, regex_syntax::ast::GroupKind::NonCapturing(_))
    })
}

/// True when a syntax tree has a group whose kind `wanted` accepts.
fn has_group(
    ast: &regex_syntax::ast::Ast,
    wanted: &dyn Fn(&regex_syntax::ast::GroupKind) -> bool,
) -> bool {
    use regex_syntax::ast::Ast;
    match ast {
        Ast::Group(g) => wanted(&g.kind) || has_group(&g.ast, wanted),
        Ast::Concat(c) => c.asts.iter().any(|a| has_group(a, wanted)),
        Ast::Alternation(a) => a.asts.iter().any(|a| has_group(a, wanted)),
        Ast::Repetition(r) => has_group(&r.ast, wanted),
        _ => false,
    }
}

/// True when a pattern uses a start or end anchor anywhere (`^`, `$`, `\\A`,
/// `\\z`, multi-line or not); `[^…]` is a class, not an anchor. (The loader
/// reads its own syntax tree with [`has_anchor`].)
#[cfg(test)]
fn is_anchored(pattern: &str) -> bool {
    // The syntax tree is enough, and costs a fraction of translating the
    // pattern's Unicode classes.
    regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_or(true, |ast| has_anchor(&ast))
}

/// True when `^`, `$`, `\A` or `\z` occur anywhere in the tree.
fn has_anchor(ast: &regex_syntax::ast::Ast) -> bool {
    use regex_syntax::ast::{AssertionKind, Ast};
    match ast {
        Ast::Assertion(a) => matches!(
            a.kind,
            AssertionKind::StartLine
                | AssertionKind::EndLine
                | AssertionKind::StartText
                | AssertionKind::EndText
        ),
        Ast::Group(g) => has_anchor(&g.ast),
        Ast::Repetition(r) => has_anchor(&r.ast),
        Ast::Concat(c) => c.asts.iter().any(has_anchor),
        Ast::Alternation(a) => a.asts.iter().any(has_anchor),
        _ => false,
    }
}

/// The useful line of a regex error: its last line, without "error: ".
fn regex_message(text: &str) -> String {
    let last = text.lines().last().unwrap_or_default().trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!(
                "the pattern compiles to more than {limit} bytes; simplify nested repetitions"
            ),
            other => regex_message(&other.to_string()),
        })
}

fn compile_kind(
    kf: KindFile,
    file: &RuleFile,
    lexicons: &BTreeMap<String, Lexicon>,
    diags: &mut Vec<Diagnostic>,
    mode: Mode,
) -> Option<ClaimKind> {
    let compile = matches!(mode, Mode::Compile | Mode::Defer);
    let id = kf.kind.clone();
    let kind_pos = locate(&file.text, "kind:", 0);
    let err = |msg: String| Diagnostic::error(&file.path, msg).rule(&id);
    let before = diags.len();

    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        diags.push(
            err(format!(
                "kind id '{id}' must be lower-case letters, digits and '_'"
            ))
            .at(kind_pos)
            .hint("use an id like `children_injured`"),
        );
    }
    let lang = kf.lang.clone().unwrap_or_else(|| "en".to_string());
    let empty = Lexicon::default();
    let lexicon = match lexicons.get(&lang) {
        Some(lex) => lex,
        None => {
            diags.push(
                err(format!("no lexicon for language '{lang}'"))
                    .at(locate(&file.text, "lang:", 0).or(kind_pos))
                    .hint(format!(
                        "add lang/{lang}.yaml to the rule directory, or use one of: {}",
                        lexicons.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
            );
            &empty
        }
    };
    if kf.patterns.is_empty() {
        diags.push(
            err("a kind needs at least one pattern".into())
                .at(kind_pos)
                .hint("add a `patterns:` list"),
        );
    }
    if kf.examples.is_empty() || kf.must_not_match.is_empty() {
        diags.push(
            err("every kind needs at least one example and one must_not_match text".into())
                .at(kind_pos)
                .hint("add `examples:` (text and value) and `must_not_match:` (texts)"),
        );
    }

    let mut patterns = Vec::new();
    let mut search_from = 0;
    for source in &kf.patterns {
        let pos = locate(&file.text, first_line(source), search_from);
        if let Some(off) = file
            .text
            .get(search_from..)
            .and_then(|rest| rest.find(first_line(source)))
        {
            search_from += off + 1;
        }
        let expanded = match expand_placeholders(source, lexicon) {
            Ok(p) => p,
            Err(msg) => {
                diags.push(err(msg).at(pos).hint(format!(
                    "placeholders for '{lang}': {}",
                    placeholder_names(lexicon).join(", ")
                )));
                continue;
            }
        };
        if mode == Mode::Light {
            continue;
        }
        if mode != Mode::Compile {
            // Checked, not compiled: the syntax and the `value` group. The
            // syntax tree is enough, and far cheaper than compiling (which
            // `rules test` and every run in this language still do). A
            // built-in pattern is read in its shape (numbers as `\d`): the
            // test suite compiles it whole.
            let shape = match mode {
                Mode::Defer => expand(source, lexicon, true).unwrap_or_else(|_| expanded.clone()),
                _ => expanded.clone(),
            };
            match regex_syntax::ast::parse::Parser::new().parse(&shape) {
                Ok(ast) if has_capture(&ast, "value") => {
                    if mode == Mode::Defer {
                        patterns.push(Pattern {
                            source: source.clone(),
                            required: prefilter::required_words(&ast),
                            anchored: has_anchor(&ast),
                            regex: LazyRegex::deferred(expanded),
                        });
                    }
                }
                Ok(_) => diags.push(
                    err("pattern has no `value` capture group".into())
                        .at(pos)
                        .hint("wrap the part that is the value in (?P<value>...)"),
                ),
                Err(e) => {
                    diags.push(
                        err(format!("bad regex: {}", regex_message(&e.to_string())))
                            .at(pos)
                            .hint("fix the regex; `claimdiff rules test` checks it"),
                    );
                }
            }
            continue;
        }
        match build_regex(&expanded) {
            Ok(regex) => {
                if !regex.capture_names().any(|n| n == Some("value")) {
                    diags.push(
                        err("pattern has no `value` capture group".into())
                            .at(pos)
                            .hint("wrap the part that is the value in (?P<value>...)"),
                    );
                    continue;
                }
                // The regex compiled, so its syntax tree parses.
                let ast = regex_syntax::ast::parse::Parser::new()
                    .parse(&expanded)
                    .ok();
                patterns.push(Pattern {
                    source: source.clone(),
                    regex: LazyRegex::compiled(regex),
                    required: ast
                        .as_ref()
                        .map(prefilter::required_words)
                        .unwrap_or_default(),
                    anchored: ast.as_ref().is_none_or(has_anchor),
                });
            }
            Err(msg) => diags.push(
                err(format!("bad regex: {msg}"))
                    .at(pos)
                    .hint("fix the regex; `claimdiff rules test` checks it"),
            ),
        }
    }
    let mut exclude = Vec::new();
    for source in kf.exclude.iter().filter(|_| compile) {
        let built = if mode == Mode::Defer {
            regex_syntax::ast::parse::Parser::new()
                .parse(source)
                .map(|_| LazyRegex::deferred(source.clone()))
                .map_err(|e| regex_message(&e.to_string()))
        } else {
            build_regex(source).map(LazyRegex::compiled)
        };
        match built {
            Ok(re) => exclude.push(re),
            Err(msg) => diags.push(
                err(format!("bad regex in exclude: {msg}"))
                    .at(locate(&file.text, first_line(source), 0))
                    .hint("fix the regex"),
            ),
        }
    }
    if diags.len() > before || !compile {
        return None;
    }
    Some(ClaimKind {
        label: kf.label.unwrap_or_else(|| id.replace('_', " ")),
        id,
        description: kf.description,
        value_type: kf.value_type,
        lang,
        cardinality: kf.cardinality,
        subject: kf.subject,
        event_signal: kf.event_signal,
        named_by: kf.named_by,
        tolerance: kf
            .tolerance
            .filter(|t| t.is_finite() && *t >= 0.0)
            .unwrap_or(crate::normalize::DEFAULT_TOLERANCE),
        patterns,
        exclude,
        examples: kf.examples,
        must_not_match: kf.must_not_match,
        file: file.path.clone(),
    })
}

/// The placeholder names a pattern may use with this lexicon.
pub fn placeholder_names(lexicon: &Lexicon) -> Vec<String> {
    let mut names: Vec<String> = vec![
        "number".into(),
        "quantity".into(),
        "weekday".into(),
        "day_period".into(),
    ];
    names.extend(lexicon.placeholders.keys().cloned());
    names.sort();
    names.dedup();
    names
}

/// Replaces `{name}` placeholders with their patterns from the lexicon.
/// `{number}`, `{weekday}` and `{day_period}` are built from the lexicon's
/// word lists; the others are written in its `placeholders` table. Regex
/// repetitions like `{2,3}` are left alone.
pub fn expand_placeholders(pattern: &str, lexicon: &Lexicon) -> Result<String, String> {
    expand(pattern, lexicon, false)
}

/// Expands placeholders; with `shape`, `{number}` and `{quantity}` become a
/// bare `\d`: the same captures, anchors and required words (a number has
/// none), for the syntax tree a built-in pattern is read for at start-up,
/// at a fraction of the parsing (the number words are most of a pattern).
fn expand(pattern: &str, lexicon: &Lexicon, shape: bool) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let escaped = rest[..open].ends_with('\\') && !rest[..open].ends_with("\\\\");
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]).unwrap_or("");
        let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        if escaped || !is_name {
            out.push('{');
            rest = after;
            continue;
        }
        let expansion = match name {
            "number" | "quantity" if shape => "\\d".to_string(),
            other
                if shape
                    && lexicon
                        .opaque
                        .get_or_init(|| opaque_placeholders(lexicon))
                        .contains(other) =>
            {
                "(?:\\pL)".to_string()
            }
            "number" => lexicon
                .number_text
                .get_or_init(|| number_pattern(lexicon))
                .clone(),
            "quantity" => lexicon
                .quantity_text
                .get_or_init(|| crate::normalize::quantity_pattern(lexicon))
                .clone(),
            "weekday" => word_alternation(lexicon.weekdays.keys()),
            "day_period" => word_alternation(lexicon.day_periods.keys()),
            other => match lexicon.placeholders.get(other) {
                Some(p) => format!("(?:{p})"),
                None => return Err(format!("unknown placeholder {{{other}}}")),
            },
        };
        out.push_str(&expansion);
        rest = &after[name.len() + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The lexicon's placeholders that a pattern's shape may read as a single
/// letter (`(?:\pL)`): those with no required word, no anchor and no
/// capture group. What the shape is read for (required words, anchors, the
/// `value` group) is computed node by node from the parts, so such a
/// placeholder and the letter give the same answers, and the names, places
/// and organisations, most of a pattern's text, are not parsed per pattern.
fn opaque_placeholders(lexicon: &Lexicon) -> std::collections::BTreeSet<String> {
    lexicon
        .placeholders
        .iter()
        .filter(|(_, text)| {
            regex_syntax::ast::parse::Parser::new()
                .parse(&format!("(?:{text})"))
                .is_ok_and(|ast| {
                    prefilter::required(&ast).is_empty()
                        && !has_anchor(&ast)
                        && !has_any_capture(&ast)
                })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// A case-insensitive alternation of words, longest first so that
/// "Wednesday" wins over "Wed".
fn word_alternation<'a>(words: impl Iterator<Item = &'a String>) -> String {
    let mut words: Vec<&String> = words.collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let alts: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
    if alts.is_empty() {
        // Matches nothing: a lexicon without the words cannot find them.
        return "(?:[^\\s\\S])".into();
    }
    format!("(?i:\\b(?:{})\\b)", alts.join("|"))
}

/// The `{number}` placeholder: digits (with the lexicon's separators and an
/// optional scale word) or a run of number words ("three hundred",
/// "twenty-five", "a dozen").
pub fn number_pattern(lexicon: &Lexicon) -> String {
    let n = &lexicon.numbers;
    // Each character of `thousands_separator` is a separator: French ". "
    // reads both "5.000" and "5 000".
    let separators = n.thousands_separator.as_deref().unwrap_or(",");
    let thousands = format!("[{}]", regex::escape(separators));
    let decimal = regex::escape(n.decimal_separator.as_deref().unwrap_or("."));
    let words: Vec<&String> = n.units.keys().chain(n.scales.keys()).collect();
    let word = word_alternation(words.into_iter());
    let scale = word_alternation(n.scales.keys());
    let joiners = word_alternation(n.joiners.iter());
    let phrases = word_alternation(n.phrases.keys());
    let digits =
        format!("\\d{{1,3}}(?:{thousands}\\d{{3}})+(?:{decimal}\\d+)?|\\d+(?:{decimal}\\d+)?");
    format!("(?:(?:{digits})(?:[ ]{scale})?|{phrases}(?:[ ]{scale})*|{word}(?:(?:[ -]|[ ]{joiners}[ ]){word})*)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> RuleFile {
        RuleFile {
            path: PathBuf::from("t").join(rel),
            rel: rel.to_string(),
            text: text.to_string(),
        }
    }

    fn lexicon_file() -> RuleFile {
        file("lang/en.yaml", "lang: en\nnumbers:\n  units: {one: 1, five: 5}\n  scales: {hundred: 100}\nplaceholders:\n  name: '[A-Z][a-z]+'\n")
    }

    #[test]
    fn builtin_rules_compile() {
        let rules =
            RuleSet::builtin().map_err(|d| d.iter().map(|d| d.to_string()).collect::<Vec<_>>());
        let rules = rules.expect("built-in rules compile");
        assert!(rules.kinds.len() >= 8);
        assert!(rules.lexicon("en").is_some());
        // Deferred patterns compile too (each on first use in a run).
        assert_eq!(rules.uncompilable(), Vec::<String>::new());
    }

    #[test]
    fn a_pattern_reads_the_same_in_its_shape_as_in_full() {
        // The shape a built-in pattern is read in at start-up (numbers as
        // `\d`, opaque placeholders as one letter) has the required words,
        // anchors and `value` group of the whole pattern.
        let rules = RuleSet::builtin().expect("built-in rules load");
        let mut checked = 0;
        for kind in &rules.kinds {
            let lex = rules.lexicon(&kind.lang).expect("lexicon");
            for pattern in &kind.patterns {
                let full = expand(&pattern.source, lex, false).expect("expands");
                let ast = regex_syntax::ast::parse::Parser::new()
                    .parse(&full)
                    .expect("parses");
                assert_eq!(
                    pattern.required,
                    prefilter::required_words(&ast),
                    "{} ({}): {}",
                    kind.id,
                    kind.lang,
                    pattern.source
                );
                assert_eq!(pattern.anchored, has_anchor(&ast), "{}", pattern.source);
                assert!(has_capture(&ast, "value"), "{}", pattern.source);
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
        let en = rules.lexicon("en").expect("en");
        let opaque = opaque_placeholders(en);
        assert!(
            opaque.contains("name") && opaque.contains("place"),
            "{opaque:?}"
        );
        assert!(!opaque.contains("incident"), "{opaque:?}");
    }

    #[test]
    fn named_by_must_name_a_kind_of_names() {
        let kind = file(
            "age.yaml",
            "kind: age\ndescription: d\nvalue_type: age\nnamed_by: victim_name\npatterns: ['(?P<value>\\d+) years old']\nexamples: [{text: '5 years old', value: '5'}]\nmust_not_match: ['x']\n",
        );
        let diags = RuleSet::compile(&[vec![lexicon_file(), kind]]).expect_err("must fail");
        let text = diags[0].to_string();
        assert!(
            text.starts_with("error: t/age.yaml:4:1: rule 'age': named_by: no kind 'victim_name'"),
            "{text}"
        );
    }

    #[test]
    fn unknown_field_points_at_line_and_rule() {
        let kind = file(
            "hospital.yaml",
            "kind: hospital\ndescription: d\nvalue_type: code\npatern: ['x']\n",
        );
        let diags = RuleSet::compile(&[vec![lexicon_file(), kind]]).expect_err("must fail");
        let text = diags[0].to_string();
        assert!(
            text.starts_with("error: t/hospital.yaml:4:1: rule 'hospital': unknown field `patern`"),
            "{text}"
        );
    }

    #[test]
    fn bad_regex_points_at_pattern() {
        let kind = file(
            "k.yaml",
            "kind: k\ndescription: d\nvalue_type: code\npatterns:\n  - '(?P<value>a'\nexamples: [{text: a, value: a}]\nmust_not_match: [b]\n",
        );
        let diags = RuleSet::compile(&[vec![lexicon_file(), kind]]).expect_err("must fail");
        let text = diags[0].to_string();
        assert!(
            text.starts_with("error: t/k.yaml:5:6: rule 'k': bad regex"),
            "{text}"
        );
    }

    #[test]
    fn pattern_without_value_capture_is_an_error() {
        let kind = file(
            "k.yaml",
            "kind: k\ndescription: d\nvalue_type: code\npatterns: ['abc']\nexamples: [{text: a, value: a}]\nmust_not_match: [b]\n",
        );
        let diags = RuleSet::compile(&[vec![lexicon_file(), kind]]).expect_err("must fail");
        assert!(
            diags[0].message.contains("no `value` capture"),
            "{}",
            diags[0]
        );
    }

    #[test]
    fn unknown_value_type_lists_the_valid_ones() {
        let kind = file(
            "k.yaml",
            "kind: k\ndescription: d\nvalue_type: colour\npatterns: ['(?P<value>a)']\n",
        );
        let diags = RuleSet::compile(&[vec![lexicon_file(), kind]]).expect_err("must fail");
        let text = diags[0].to_string();
        assert!(
            text.contains("unknown variant `colour`") && text.contains("time_of_day"),
            "{text}"
        );
    }

    #[test]
    fn duplicate_kind_in_one_layer_is_an_error_but_a_later_layer_overrides() {
        let a = "kind: k\ndescription: d\nvalue_type: code\npatterns: ['(?P<value>a)']\nexamples: [{text: a, value: a}]\nmust_not_match: [b]\n";
        let diags = RuleSet::compile(&[vec![lexicon_file(), file("a.yaml", a), file("b.yaml", a)]])
            .expect_err("duplicate");
        assert!(diags[0].message.contains("duplicate kind id 'k'"));
        let b = a.replace("description: d", "description: override");
        let rules = RuleSet::compile(&[
            vec![lexicon_file(), file("a.yaml", a)],
            vec![file("a.yaml", &b)],
        ])
        .expect("override");
        assert_eq!(
            rules.kind("k").map(|k| k.description.as_str()),
            Some("override")
        );
    }

    #[test]
    fn placeholders_expand_and_unknown_ones_fail() {
        let rules = RuleSet::compile(&[vec![lexicon_file()]]).expect("lexicon alone");
        let lex = rules.lexicon("en").expect("en");
        let p = expand_placeholders("{name} a{2,3} \\{x}", lex).expect("expands");
        assert!(p.starts_with("(?:[A-Z][a-z]+)"));
        assert!(p.contains("a{2,3}") && p.contains("\\{x}"));
        assert!(expand_placeholders("{nope}", lex).is_err());
        let num = Regex::new(&format!("^{}$", number_pattern(lex))).expect("compiles");
        for ok in ["5", "300,000", "five", "one hundred", "2.5 hundred"] {
            assert!(num.is_match(ok), "{ok}");
        }
    }

    #[test]
    fn language_is_detected_from_function_words() {
        let de = file(
            "lang/de.yaml",
            "lang: de\narticles: [der, die, das]\ncontinuation_words: [und, von, mit]\n",
        );
        let en = file(
            "lang/en.yaml",
            "lang: en\narticles: [the, a]\ncontinuation_words: [and, of, with]\n",
        );
        let rules = RuleSet::compile(&[vec![de, en]]).expect("lexicons");
        assert_eq!(
            rules.detect_language("Der Junge wurde von der Bombe verletzt und mit dem"),
            Some("de")
        );
        assert_eq!(
            rules.detect_language("The boy was hurt by the bomb and taken to a hospital"),
            Some("en")
        );
        assert_eq!(rules.detect_language("12345 !!!"), None);
    }

    #[test]
    fn one_kind_in_two_languages_must_agree_on_its_type() {
        let de = file("lang/de.yaml", "lang: de\n");
        let a = "kind: k\ndescription: d\nvalue_type: code\npatterns: ['(?P<value>a)']\nexamples: [{text: a, value: a}]\nmust_not_match: [b]\n";
        let b = "kind: k\nlang: de\ndescription: d\nvalue_type: count\npatterns: ['(?P<value>\\d)']\nexamples: [{text: '1', value: '1'}]\nmust_not_match: [b]\n";
        let diags = RuleSet::compile(&[vec![
            lexicon_file(),
            de,
            file("k.yaml", a),
            file("k.de.yaml", b),
        ]])
        .expect_err("types differ");
        assert!(
            diags[0].message.contains("differs between languages"),
            "{}",
            diags[0]
        );
    }

    #[test]
    fn anchors_are_told_from_negated_classes() {
        assert!(is_anchored("^(?P<value>a) b"));
        assert!(is_anchored("a$"));
        assert!(!is_anchored("[^.;]{0,60}(?P<value>a)"));
    }

    #[test]
    fn kinds_of_other_languages_are_checked_but_not_compiled() {
        let de = file("lang/de.yaml", "lang: de\n");
        let good = "kind: k\ndescription: d\nvalue_type: code\npatterns: ['(?P<value>a)']\nexamples: [{text: a, value: a}]\nmust_not_match: [b]\n";
        let german = good.replace("kind: k\n", "kind: k\nlang: de\n");
        let only_en: BTreeSet<String> = ["en".to_string()].into();
        let rules = RuleSet::compile_for(
            &[vec![
                lexicon_file(),
                de.clone(),
                file("k.yaml", good),
                file("k.de.yaml", &german),
            ]],
            Some(&only_en),
        )
        .expect("compiles");
        assert_eq!(rules.kinds.len(), 1);
        assert!(rules.lexicon("de").is_some(), "every lexicon is kept");
        // A user's broken German pattern (a second layer) is still an error
        // when only English compiles.
        let broken = german.replace("(?P<value>a)", "(?P<value>a");
        let diags = RuleSet::compile_for(
            &[
                vec![lexicon_file(), de.clone()],
                vec![file("k.de.yaml", &broken)],
            ],
            Some(&only_en),
        )
        .expect_err("bad regex");
        assert!(
            diags[0].to_string().contains("bad regex: unclosed group"),
            "{}",
            diags[0]
        );
        let missing = german.replace("(?P<value>a)", "(a)");
        let diags = RuleSet::compile_for(
            &[vec![lexicon_file(), de], vec![file("k.de.yaml", &missing)]],
            Some(&only_en),
        )
        .expect_err("no value group");
        assert!(diags[0].message.contains("no `value` capture group"));
    }

    #[test]
    fn huge_regex_is_rejected_with_a_hint() {
        let msg = build_regex("(?:a{100}){100}{100}").expect_err("too big");
        assert!(msg.contains("simplify"), "{msg}");
    }
}
