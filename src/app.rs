//! The commands: `check`, `claims`, `rules list` and `rules test`. Each runs
//! the pipeline stages in order, prints diagnostics to stderr as it meets
//! them, writes its output (atomically with `--out`), and returns the exit
//! code. `main.rs` only parses arguments and calls these.
//!
//! Exit codes: [`EXIT_OK`] 0, [`EXIT_FINDINGS`] 1 (conflicts or reviews
//! found with `--fail-on`), [`EXIT_ERROR`] 2 (nothing could be checked: bad
//! rules, usage, no loadable cluster, output not written), [`EXIT_SKIPPED`]
//! 3 (the report was written, but some input was skipped). 2 wins over 3,
//! and 3 over 1: a report that left input out is not a verdict.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::clean::clean;
use crate::compare::{compare, Report, SourceClaims, Status};
use crate::diag::Diagnostic;
use crate::extract::{check_boilerplate, check_examples, extract};
use crate::load::{load_cluster, Cluster, LoadOptions};
use crate::progress::{Progress, Total};
use crate::report::html::SourceText;
use crate::report::{render_claims, render_reports, ClaimsReport, Format, RenderOptions};
use crate::rules::{Cardinality, RuleSet};
use crate::run::{Pool, RulesCache, Sink};

/// Success: no findings asked to fail on, no input errors.
pub const EXIT_OK: i32 = 0;
/// `--fail-on` was given and such findings were found.
pub const EXIT_FINDINGS: i32 = 1;
/// Nothing could be checked (bad rules, bad usage, no cluster could be
/// loaded), or the output could not be written.
pub const EXIT_ERROR: i32 = 2;
/// The report was written, but some input was skipped (a file, a manifest
/// entry, a whole cluster): its messages are on stderr.
pub const EXIT_SKIPPED: i32 = 3;

/// Which findings make `check` exit with [`EXIT_FINDINGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any conflict.
    Conflict,
    /// Any conflict or finding for review.
    Review,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Even when not on a terminal (never when NO_COLOR is set).
    Always,
    /// Never.
    Never,
}

/// What a command reads and how it renders.
#[derive(Debug, Clone)]
pub struct CommonOptions {
    /// Extra rule directories layered on the built-in rules.
    pub rules: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Show evidence sentences.
    pub evidence: bool,
    /// Write here (atomically) instead of stdout.
    pub out: Option<PathBuf>,
    /// Colour choice.
    pub color: ColorChoice,
    /// Source files over this size are skipped.
    pub max_source_bytes: u64,
    /// The language of the sources, or `auto` to detect it per source.
    pub lang: String,
    /// Threads to run clusters on (`check`, `batch`): 0 for one per core,
    /// 1 for the calling thread alone. The output does not depend on it.
    pub jobs: usize,
    /// No progress bar (`check`, `batch`); messages are still printed.
    pub quiet: bool,
}

/// The `--lang` value that detects each source's language.
pub const LANG_AUTO: &str = "auto";

/// The language to read a source in: the one `--lang` names, or with
/// [`LANG_AUTO`] the one its function words say, else English, else the
/// first language with a lexicon.
pub fn source_language<'a>(text: &str, rules: &'a RuleSet, lang: &'a str) -> &'a str {
    if lang != LANG_AUTO {
        return lang;
    }
    rules
        .detect_language(text)
        .or_else(|| rules.lexicon("en").map(|l| l.lang.as_str()))
        .or_else(|| rules.lexicons.keys().next().map(String::as_str))
        .unwrap_or("en")
}

/// Runs clean → extract on every source of a cluster. `lang` is a language
/// code with a lexicon, or [`LANG_AUTO`] to read each source in the
/// language it is written in.
pub fn read_sources(
    sources: Vec<crate::load::Source>,
    rules: &RuleSet,
    lang: &str,
) -> Vec<SourceClaims> {
    let fallback = crate::rules::Lexicon::default();
    sources
        .into_iter()
        .map(|source| {
            let source_lang = source_language(&source.text, rules, lang).to_string();
            let lexicon = rules.lexicon(&source_lang).unwrap_or(&fallback);
            let doc = clean(&source, rules, lexicon);
            let claims = extract(&source.id, &doc, rules, &source_lang);
            let title = doc
                .paragraphs
                .first()
                .map(|p| shorten(doc.slice(p.span), 60))
                .unwrap_or_default();
            SourceClaims {
                id: source.id,
                path: source.path,
                title,
                lang: source_lang,
                meta: source.meta,
                claims,
                terms: salient_terms(&doc, lexicon),
                dates: dates_named(&doc, lexicon),
                dropped: doc.dropped,
            }
        })
        .collect()
}

/// Runs the whole pipeline, clean → extract → compare, on a loaded cluster
/// (`lang` as for [`read_sources`]).
pub fn analyze(cluster: Cluster, rules: &RuleSet, lang: &str) -> Report {
    let sources = read_sources(cluster.sources, rules, lang);
    compare(
        &cluster.name,
        cluster.path,
        sources,
        rules,
        cluster.diagnostics,
    )
}

/// Like [`analyze`], also keeping each source's text and every claim read
/// from it, off-topic sources' included: what the HTML page shows in full.
pub fn analyze_with_texts(
    cluster: Cluster,
    rules: &RuleSet,
    lang: &str,
) -> (Report, Vec<SourceText>) {
    let texts: Vec<(String, String)> = cluster
        .sources
        .iter()
        .map(|s| (s.id.clone(), s.text.clone()))
        .collect();
    let sources = read_sources(cluster.sources, rules, lang);
    let full = sources
        .iter()
        .zip(texts)
        .map(|(s, (id, text))| SourceText {
            id,
            text,
            claims: s.claims.clone(),
        })
        .collect();
    let report = compare(
        &cluster.name,
        cluster.path,
        sources,
        rules,
        cluster.diagnostics,
    );
    (report, full)
}

/// The capitalised words of the sentences that were read (not counting
/// the word that opens a sentence), lower-cased, stopwords left out, with how
/// often each is used: what `compare` measures relatedness with.
fn salient_terms(
    doc: &crate::clean::Document,
    lexicon: &crate::rules::Lexicon,
) -> std::collections::BTreeMap<String, u32> {
    let mut terms = std::collections::BTreeMap::new();
    for sentence in &doc.sentences {
        // The first word of a sentence is capitalised whatever it is.
        for word in doc
            .folded_text(sentence)
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .skip(1)
        {
            if word.chars().count() >= 3 && word.chars().next().is_some_and(char::is_uppercase) {
                let lower = word.to_lowercase();
                if !lexicon.topic_stopwords.contains(&lower) {
                    *terms.entry(lower).or_insert(0) += 1;
                }
            }
        }
    }
    terms
}

/// The years ("2008") and dates ("august 17", "17 august") a source's
/// sentences name, lower case, with how often each is named: what tells two events of one kind apart.
fn dates_named(
    doc: &crate::clean::Document,
    lexicon: &crate::rules::Lexicon,
) -> std::collections::BTreeMap<String, u32> {
    let months = &lexicon.numbers.months;
    let mut dates = std::collections::BTreeMap::new();
    for sentence in &doc.sentences {
        let words: Vec<&str> = doc
            .folded_text(sentence)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for (i, word) in words.iter().enumerate() {
            let is_day =
                |w: &str| w.len() <= 2 && w.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d));
            if word.len() == 4
                && word
                    .parse::<u32>()
                    .is_ok_and(|y| (1900..=2100).contains(&y))
            {
                *dates.entry((*word).to_string()).or_insert(0) += 1;
            }
            let lower = word.to_lowercase();
            // Full month names only: "may" and "mar" are words too.
            if lower.len() >= 5 && months.contains(&lower) && word.starts_with(char::is_uppercase) {
                if let Some(day) = words.get(i + 1).filter(|w| is_day(w)) {
                    *dates.entry(format!("{lower} {day}")).or_insert(0) += 1;
                } else if let Some(day) = i
                    .checked_sub(1)
                    .and_then(|j| words.get(j))
                    .filter(|w| is_day(w))
                {
                    *dates.entry(format!("{lower} {day}")).or_insert(0) += 1;
                }
            }
        }
    }
    dates
}

fn shorten(s: &str, max: usize) -> String {
    let one_line = crate::normalize::collapse_ws(s);
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

fn load_rules(dirs: &[PathBuf], stderr: &mut dyn Write) -> Option<RuleSet> {
    load_rules_for(dirs, None, stderr)
}

/// The rules with only the claim kinds of `langs` compiled (all for `None`);
/// every file is still checked. Prints warnings and errors.
fn load_rules_for(
    dirs: &[PathBuf],
    langs: Option<&BTreeSet<String>>,
    stderr: &mut dyn Write,
) -> Option<RuleSet> {
    match RuleSet::with_dirs_for(dirs, langs) {
        Ok(rules) => {
            for d in &rules.warnings {
                let _ = writeln!(stderr, "{d}");
            }
            Some(rules)
        }
        Err(diags) => {
            for d in &diags {
                let _ = writeln!(stderr, "{d}");
            }
            None
        }
    }
}

/// Loads the clusters and the rules to read them with. Compiling rules is
/// what costs, so the rules are first checked (no kind compiled), the
/// sources' languages found from the lexicons, and only the kinds of those
/// languages compiled. `None` when the rules are bad or `--lang` unknown;
/// the flag says some input was skipped.
fn prepare(
    paths: &[PathBuf],
    options: &CommonOptions,
    stderr: &mut dyn Write,
) -> Option<(RuleSet, Vec<Cluster>, bool)> {
    let checked = load_input_rules(options, stderr)?;
    let (clusters, failed) = load_all(paths, options, stderr);
    let langs: BTreeSet<String> = clusters
        .iter()
        .flat_map(|c| c.sources.iter())
        .map(|s| source_language(&s.text, &checked, &options.lang).to_string())
        .collect();
    let rules = load_rules_for(&options.rules, Some(&langs), stderr)?;
    Some((rules, clusters, failed))
}

/// The lexicons, with the `--lang` one checked: enough to find the sources'
/// languages. Problems in other rule files are reported by the full load.
pub(crate) fn load_input_rules(options: &CommonOptions, stderr: &mut dyn Write) -> Option<RuleSet> {
    let rules = match RuleSet::lexicons_only(&options.rules) {
        Ok(rules) => rules,
        Err(diags) => {
            for d in &diags {
                let _ = writeln!(stderr, "{d}");
            }
            return None;
        }
    };
    if options.lang != LANG_AUTO && rules.lexicon(&options.lang).is_none() {
        let known: Vec<&str> = rules.lexicons.keys().map(String::as_str).collect();
        let _ = writeln!(
            stderr,
                        "error: --lang {}: no lexicon for this language (hint: use auto or one of: {}, or add lang/{}.yaml to a --rules directory)",
            options.lang,
            known.join(", "),
            options.lang
        );
        return None;
    }
    Some(rules)
}

/// What a run over many clusters starts with: the lexicons (to tell each
/// source's language) and the thread pool of `--jobs`. `None` when either
/// cannot be had, the reason printed.
pub(crate) fn start_run(
    options: &CommonOptions,
    stderr: &mut dyn Write,
) -> Option<(RuleSet, Pool)> {
    let lexicons = load_input_rules(options, stderr)?;
    match Pool::new(options.jobs) {
        Ok(pool) => Some((lexicons, pool)),
        Err(d) => {
            let _ = writeln!(stderr, "{d}");
            None
        }
    }
}

fn render_options(options: &CommonOptions) -> RenderOptions {
    let to_terminal = options.out.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color
        && match options.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_terminal,
        };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .or_else(|| {
            if to_terminal {
                comfy_table::Table::new().width()
            } else {
                None
            }
        });
    RenderOptions {
        evidence: options.evidence,
        color,
        width,
    }
}

/// Writes output to `--out` atomically (a temporary file in the same folder,
/// renamed into place; through a symbolic link, to the file it names), into
/// `--out` itself when it is a device or a pipe (`/dev/null`), or to stdout.
pub fn write_output(
    out: Option<&Path>,
    text: &str,
    stdout: &mut dyn Write,
) -> Result<(), Diagnostic> {
    let mut sink = crate::run::Sink::new(out, stdout);
    sink.write(text)?;
    sink.finish()
}

/// Loads every cluster, printing problems as they come. Clusters that cannot
/// be loaded at all are left out; the flag says something was skipped (an
/// error: warnings, such as a decoded encoding, lose nothing).
fn load_all(
    paths: &[PathBuf],
    options: &CommonOptions,
    stderr: &mut dyn Write,
) -> (Vec<Cluster>, bool) {
    let mut clusters = Vec::new();
    let mut failed = false;
    let load_options = LoadOptions {
        max_source_bytes: options.max_source_bytes,
    };
    for path in paths {
        match load_cluster(path, load_options) {
            Ok(cluster) => {
                for d in &cluster.diagnostics {
                    let _ = writeln!(stderr, "{d}");
                    failed |= d.is_error();
                }
                // Every file was skipped: nothing to report, and the messages say why.
                if !cluster.sources.is_empty() {
                    clusters.push(cluster);
                }
            }
            Err(d) => {
                let _ = writeln!(stderr, "{d}");
                failed = true;
            }
        }
    }
    (clusters, failed)
}

/// What `check` does with an expectations file (see [`crate::expect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `--expect FILE`: compare the findings with the file; any drift exits
    /// with [`EXIT_FINDINGS`], the differences listed on stderr.
    Check(PathBuf),
    /// `--write-expect FILE`: write the findings to the file (atomically),
    /// creating or replacing it.
    Write(PathBuf),
}

/// Checks that an expectations flag has exactly one cluster to go with, and
/// reads the file `--expect` names: before any work, so that a bad file
/// costs nothing. Err holds the exit code, the reason printed.
fn read_expectations(
    paths: &[PathBuf],
    expect: Option<&Expect>,
    stderr: &mut dyn Write,
) -> Result<Option<crate::expect::Expectations>, i32> {
    let Some(expect) = expect else {
        return Ok(None);
    };
    let (flag, path) = match expect {
        Expect::Check(p) => ("--expect", p),
        Expect::Write(p) => ("--write-expect", p),
    };
    if paths.len() != 1 {
        let d = Diagnostic::error(
            path,
            format!(
                "{flag} holds the findings of one cluster, and {} clusters were given",
                paths.len()
            ),
        )
        .hint("run `claimdiff check CLUSTER --expect CLUSTER/expected.yaml` once per cluster (docs/ci.md has a loop)");
        let _ = writeln!(stderr, "{d}");
        return Err(EXIT_ERROR);
    }
    let Expect::Check(path) = expect else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        let d = Diagnostic::error(
            path,
            format!("cannot read expectations: {}", crate::load::io_reason(&e)),
        )
        .hint("check the path, or create the file with --write-expect");
        let _ = writeln!(stderr, "{d}");
        EXIT_ERROR
    })?;
    match crate::expect::parse(&text, path) {
        Ok(expected) => Ok(Some(expected)),
        Err(d) => {
            let _ = writeln!(stderr, "{d}");
            Err(EXIT_ERROR)
        }
    }
}

/// After the report is written: compares the one report with the
/// expectations (true when they drifted, each difference on stderr), or
/// writes them. Expectations are not written from a cluster that lost
/// input. Err holds the exit code when the file could not be written.
fn apply_expectations(
    expect: Option<&Expect>,
    expected: Option<&crate::expect::Expectations>,
    reports: &[Report],
    skipped: bool,
    stderr: &mut dyn Write,
) -> Result<bool, i32> {
    let (Some(expect), [report]) = (expect, reports) else {
        return Ok(false);
    };
    let file = crate::diag::printable(&match expect {
        Expect::Check(p) | Expect::Write(p) => p.display().to_string(),
    });
    match (expect, expected) {
        (Expect::Check(_), Some(expected)) => {
            let drift = crate::expect::check(expected, report);
            for line in &drift {
                let _ = writeln!(stderr, "{file}: {}", crate::diag::printable(line));
            }
            if drift.is_empty() {
                let _ = writeln!(
                    stderr,
                    "{file}: the findings are as expected ({} findings checked)",
                    expected.findings.len()
                );
                Ok(false)
            } else {
                let _ = writeln!(
                    stderr,
                    "{file}: {} difference{} from the expected findings (if the new findings are right, accept them with --write-expect {file})",
                    drift.len(),
                    if drift.len() == 1 { "" } else { "s" }
                );
                Ok(true)
            }
        }
        (Expect::Write(path), _) if skipped => {
            let d = Diagnostic::error(
                path,
                "expectations not written: some input was skipped, and a partial cluster's findings are no expectations",
            )
            .hint("fix the input named above, then write them again");
            let _ = writeln!(stderr, "{d}");
            Ok(false)
        }
        (Expect::Write(path), _) => {
            let written = crate::expect::from_report(report);
            let text = crate::expect::to_yaml(&written).map_err(|e| {
                let _ = writeln!(stderr, "error: cannot write the expectations: {e}");
                EXIT_ERROR
            })?;
            write_output(Some(path), &text, stderr).map_err(|d| {
                let _ = writeln!(stderr, "{d}");
                EXIT_ERROR
            })?;
            let _ = writeln!(
                stderr,
                "{file}: wrote {} expected findings and {} sources",
                written.findings.len(),
                written.sources.len()
            );
            Ok(false)
        }
        (Expect::Check(_), None) => Ok(false),
    }
}

/// Whether findings of this status fail the run with [`EXIT_FINDINGS`].
pub fn fails_on(fail_on: Option<FailOn>, status: Status) -> bool {
    match fail_on {
        Some(FailOn::Conflict) => status == Status::Conflict,
        Some(FailOn::Review) => matches!(status, Status::Conflict | Status::Review),
        None => false,
    }
}

/// The languages a cluster's sources are read in.
pub(crate) fn cluster_languages(
    cluster: &Cluster,
    lexicons: &RuleSet,
    lang: &str,
) -> BTreeSet<String> {
    cluster
        .sources
        .iter()
        .map(|s| source_language(&s.text, lexicons, lang).to_string())
        .collect()
}

/// The bytes of article text in a cluster, for the progress bar's MB/s.
pub(crate) fn text_bytes(cluster: &Cluster) -> u64 {
    cluster.sources.iter().map(|s| s.text.len() as u64).sum()
}

/// True for the formats whose several-cluster output is the one-cluster
/// outputs one after another (give or take a heading or a separator), so
/// that `check` can write each cluster's report as soon as it is made.
/// The others (the HTML page) need every report first.
fn streams(format: Format) -> bool {
    matches!(
        format,
        Format::Table
            | Format::Json
            | Format::Yaml
            | Format::Csv
            | Format::Markdown
            | Format::Jsonl
    )
}

/// Writes the reports of a streaming format one by one, so that the bytes
/// are those [`render_reports`] gives for all the reports at once: a
/// heading before each table when there are several (the first is held
/// until a second report comes), `---` between YAML documents, one CSV
/// header.
struct ReportWriter {
    format: Format,
    count: usize,
    held: Option<(String, String)>,
}

impl ReportWriter {
    fn new(format: Format) -> ReportWriter {
        ReportWriter {
            format,
            count: 0,
            held: None,
        }
    }

    /// The line that opens a report among several in a table.
    fn heading(report: &Report) -> String {
        format!(
            "== {} ({})\n",
            crate::report::clean_cell(&report.cluster),
            report.path.display()
        )
    }

    /// Writes one report, rendered alone (`body`), with its table heading.
    fn push(
        &mut self,
        sink: &mut Sink<'_>,
        heading: String,
        body: String,
    ) -> Result<(), Diagnostic> {
        match self.format {
            Format::Table => match (self.count, self.held.take()) {
                (0, _) => self.held = Some((heading, body)),
                (_, held) => {
                    if let Some((first_heading, first_body)) = held {
                        sink.write(&first_heading)?;
                        sink.write(&first_body)?;
                    }
                    sink.write("\n")?;
                    sink.write(&heading)?;
                    sink.write(&body)?;
                }
            },
            Format::Yaml if self.count > 0 => {
                sink.write("---\n")?;
                sink.write(&body)?;
            }
            // One header for all: the first line of each later report is
            // that same header.
            Format::Csv if self.count > 0 => {
                sink.write(body.split_once('\n').map_or("", |(_, rows)| rows))?;
            }
            _ => sink.write(&body)?,
        }
        self.count += 1;
        Ok(())
    }

    /// Writes what is held: a lone table has no heading.
    fn finish(&mut self, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
        if let Some((_, body)) = self.held.take() {
            sink.write(&body)?;
        }
        Ok(())
    }
}

/// One cluster made into its report: what the writer needs.
struct Made {
    heading: String,
    body: Result<String, String>,
    fails: bool,
}

/// `claimdiff check`: compares the sources of each cluster. Clusters are
/// read, analysed and written a chunk at a time (`--jobs` clusters in
/// parallel), so memory stays flat however many there are; the output is
/// the same bytes whatever `--jobs` is. The HTML page, which needs every
/// report, is made at the end.
pub fn check(
    paths: &[PathBuf],
    options: &CommonOptions,
    fail_on: Option<FailOn>,
    expect: Option<&Expect>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let expected = match read_expectations(paths, expect, stderr) {
        Ok(expected) => expected,
        Err(code) => return code,
    };
    let Some((lexicons, pool)) = start_run(options, stderr) else {
        return EXIT_ERROR;
    };
    let mut cache = RulesCache::new(&options.rules);
    let mut progress = if paths.len() > 1 {
        Progress::new(Total::Clusters(paths.len() as u64), options.quiet)
    } else {
        Progress::hidden()
    };
    let load_options = LoadOptions {
        max_source_bytes: options.max_source_bytes,
    };
    let render = render_options(options);
    let format = options.format;
    // The HTML page shows every source in full, and SARIF places evidence by
    // line and column: both keep the texts.
    let html = matches!(format, Format::Html | Format::Sarif);
    // The formats that need every report at once, and expectations (of one
    // cluster), collect the reports; the others stream.
    let collect = !streams(format) || expect.is_some();
    let mut last_rules = None;
    let mut sink = Sink::new(options.out.as_deref(), stdout);
    let mut writer = ReportWriter::new(format);
    let (mut skipped, mut fails, mut reported) = (false, false, 0usize);
    // Kept only for the formats that need every report at once.
    let (mut all, mut texts) = (Vec::new(), Vec::new());
    let fail = |d: &dyn std::fmt::Display, progress: &Progress, stderr: &mut dyn Write| {
        progress.say(stderr, &d.to_string());
        EXIT_ERROR
    };
    for chunk in paths.chunks(pool.jobs() * 4) {
        let loaded = pool.map(chunk.to_vec(), |path| {
            load_cluster(&path, load_options).map(|c| {
                let langs = cluster_languages(&c, &lexicons, &options.lang);
                (c, langs)
            })
        });
        let mut langs = BTreeSet::new();
        let mut clusters = Vec::new();
        for result in loaded {
            match result {
                Ok((cluster, cluster_langs)) => {
                    for d in &cluster.diagnostics {
                        progress.say(stderr, &d.to_string());
                        skipped |= d.is_error();
                    }
                    // Every file was skipped: nothing to report, and the messages say why.
                    if !cluster.sources.is_empty() {
                        langs.extend(cluster_langs);
                        clusters.push(cluster);
                    }
                }
                Err(d) => {
                    progress.say(stderr, &d.to_string());
                    skipped = true;
                }
            }
        }
        let bytes: u64 = clusters.iter().map(text_bytes).sum();
        if !clusters.is_empty() {
            let Some(rules) = progress.suspend(|| cache.ensure(&langs, stderr)) else {
                return EXIT_ERROR;
            };
            last_rules = Some(std::sync::Arc::clone(&rules));
            let rules = &*rules;
            let lang = options.lang.as_str();
            reported += clusters.len();
            if collect {
                let made = pool.map(clusters, |c| {
                    if html {
                        analyze_with_texts(c, rules, lang)
                    } else {
                        (analyze(c, rules, lang), Vec::new())
                    }
                });
                for (report, sources) in made {
                    fails |= report.findings.iter().any(|f| fails_on(fail_on, f.status));
                    all.push(report);
                    texts.push(sources);
                }
            } else {
                let made = pool.map(clusters, |c| {
                    let report = analyze(c, rules, lang);
                    Made {
                        heading: ReportWriter::heading(&report),
                        fails: report.findings.iter().any(|f| fails_on(fail_on, f.status)),
                        body: render_reports(std::slice::from_ref(&report), format, render),
                    }
                });
                for made in made {
                    let body = match made.body {
                        Ok(body) => body,
                        Err(e) => {
                            return fail(
                                &format!("error: cannot render the report: {e}"),
                                &progress,
                                stderr,
                            )
                        }
                    };
                    fails |= made.fails;
                    if let Err(d) = writer.push(&mut sink, made.heading, body) {
                        return fail(&d, &progress, stderr);
                    }
                }
            }
        }
        progress.done(chunk.len() as u64, bytes);
        if sink.is_closed() {
            break;
        }
    }
    progress.finish();
    if reported == 0 {
        // Nothing to report; bad rules are still worth saying.
        if !cache.is_compiled() {
            let _ = cache.ensure(&BTreeSet::new(), stderr);
        }
        return EXIT_ERROR;
    }
    if collect {
        let rendered = match (format, &last_rules) {
            (Format::Html, _) => crate::report::html::render(&all, &texts),
            (Format::Sarif, Some(rules)) => crate::report::sarif::render(&all, &texts, rules),
            _ => render_reports(&all, format, render),
        };
        match rendered {
            Ok(text) => {
                if let Err(d) = sink.write(&text) {
                    let _ = writeln!(stderr, "{d}");
                    return EXIT_ERROR;
                }
            }
            Err(e) => {
                let _ = writeln!(stderr, "error: cannot render the report: {e}");
                return EXIT_ERROR;
            }
        }
    }
    if let Err(d) = writer.finish(&mut sink).and_then(|()| sink.finish()) {
        let _ = writeln!(stderr, "{d}");
        return EXIT_ERROR;
    }
    let drifted = match apply_expectations(expect, expected.as_ref(), &all, skipped, stderr) {
        Ok(drifted) => drifted,
        Err(code) => return code,
    };
    if skipped {
        EXIT_SKIPPED
    } else if fails || drifted {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `claimdiff claims`: every extracted claim with its evidence.
pub fn claims(
    paths: &[PathBuf],
    options: &CommonOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let Some((rules, clusters, skipped)) = prepare(paths, options, stderr) else {
        return EXIT_ERROR;
    };
    if clusters.is_empty() {
        return EXIT_ERROR;
    }
    let reports: Vec<ClaimsReport> = clusters
        .into_iter()
        .map(|c| {
            let claims = read_sources(c.sources, &rules, &options.lang)
                .into_iter()
                .flat_map(|s| s.claims)
                .collect();
            ClaimsReport::new(c.name, claims)
        })
        .collect();
    let written = match render_claims(&reports, options.format, render_options(options)) {
        Ok(text) => write_output(options.out.as_deref(), &text, stdout)
            .map_err(|d| {
                let _ = writeln!(stderr, "{d}");
            })
            .is_ok(),
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot render claims: {e}");
            false
        }
    };
    if !written {
        EXIT_ERROR
    } else if skipped {
        EXIT_SKIPPED
    } else {
        EXIT_OK
    }
}

/// `claimdiff numbers`: every quantity in some files, with its interval,
/// qualifier, unit and byte span (the number layer on its own, for rule
/// authors and other tools). Files that cannot be read are reported and
/// skipped ([`EXIT_SKIPPED`]); offsets are into the decoded text.
pub fn numbers(
    paths: &[PathBuf],
    options: &CommonOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let rules = match RuleSet::lexicons_only(&options.rules) {
        Ok(r) => r,
        Err(diags) => {
            for d in diags {
                let _ = writeln!(stderr, "{d}");
            }
            return EXIT_ERROR;
        }
    };
    if options.lang != LANG_AUTO && rules.lexicon(&options.lang).is_none() {
        let known: Vec<&str> = rules.lexicons.keys().map(String::as_str).collect();
        let _ = writeln!(
            stderr,
            "error: no lexicon for language '{}'; known: auto, {}",
            options.lang,
            known.join(", ")
        );
        return EXIT_ERROR;
    }
    let load = LoadOptions {
        max_source_bytes: options.max_source_bytes,
    };
    let mut skipped = false;
    let mut scanners: std::collections::BTreeMap<String, crate::normalize::Scanner> =
        std::collections::BTreeMap::new();
    let mut rows = Vec::new();
    for path in paths {
        let text = match crate::load::read_source(path, load) {
            Ok(decoded) => {
                if let Some(w) = decoded.warning(path) {
                    let _ = writeln!(stderr, "{w}");
                }
                decoded.text
            }
            Err(d) => {
                let _ = writeln!(stderr, "{d}");
                skipped = true;
                continue;
            }
        };
        let lang = source_language(&text, &rules, &options.lang).to_string();
        let Some(lexicon) = rules.lexicon(&lang) else {
            continue;
        };
        if !scanners.contains_key(&lang) {
            match crate::normalize::Scanner::new(lexicon) {
                Ok(s) => {
                    scanners.insert(lang.clone(), s);
                }
                Err(e) => {
                    let _ = writeln!(
                        stderr,
                        "error: lexicon '{lang}' makes a bad number pattern: {e}"
                    );
                    return EXIT_ERROR;
                }
            }
        }
        if let Some(scanner) = scanners.get(&lang) {
            rows.extend(
                scanner
                    .scan(&text)
                    .into_iter()
                    .map(|f| crate::report::QuantityRow::new(path.clone(), f)),
            );
        }
    }
    let written =
        match crate::report::render_quantities(&rows, options.format, render_options(options)) {
            Ok(text) => match write_output(options.out.as_deref(), &text, stdout) {
                Ok(()) => true,
                Err(d) => {
                    let _ = writeln!(stderr, "{d}");
                    false
                }
            },
            Err(e) => {
                let _ = writeln!(stderr, "error: cannot render quantities: {e}");
                false
            }
        };
    match (written, skipped) {
        (false, _) => EXIT_ERROR,
        (true, true) => EXIT_SKIPPED,
        (true, false) => EXIT_OK,
    }
}

/// `claimdiff rules list`: the claim kinds, as a table, CSV, Markdown, JSON or YAML.
pub fn rules_list(
    dirs: &[PathBuf],
    format: Format,
    out: Option<&Path>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let Some(rules) = load_rules(dirs, stderr) else {
        return EXIT_ERROR;
    };
    let text = match render_rules(&rules, format) {
        Ok(text) => text,
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot render the rule list: {e}");
            return EXIT_ERROR;
        }
    };
    match write_output(out, &text, stdout) {
        Ok(()) => EXIT_OK,
        Err(d) => {
            let _ = writeln!(stderr, "{d}");
            EXIT_ERROR
        }
    }
}

fn render_rules(rules: &RuleSet, format: Format) -> Result<String, String> {
    const HEADER: [&str; 8] = [
        "kind",
        "type",
        "cardinality",
        "lang",
        "patterns",
        "examples",
        "must_not_match",
        "description",
    ];
    let row = |k: &crate::rules::ClaimKind| -> [String; 8] {
        [
            k.id.clone(),
            serde_plain(&k.value_type),
            cardinality(k.cardinality).into(),
            k.lang.clone(),
            k.patterns.len().to_string(),
            k.examples.len().to_string(),
            k.must_not_match.len().to_string(),
            k.description.clone(),
        ]
    };
    match format {
        Format::Html => Err(crate::report::HTML_CHECK_ONLY.into()),
        Format::Sarif => Err(crate::report::SARIF_CHECK_ONLY.into()),
        Format::Markdown => Ok(rules_markdown(rules)),
        Format::Json | Format::Yaml | Format::Jsonl => {
            let rows: Vec<serde_json::Value> = rules
                .kinds
                .iter()
                .map(|k| {
                    serde_json::json!({
                        "kind": k.id, "label": k.label, "description": k.description,
                        "value_type": k.value_type, "cardinality": k.cardinality, "lang": k.lang,
                        "subject": k.subject, "event_signal": k.event_signal,
                        "patterns": k.patterns.iter().map(|p| p.source.clone()).collect::<Vec<_>>(),
                        "examples": k.examples.len(), "must_not_match": k.must_not_match.len(),
                        "file": k.file,
                    })
                })
                .collect();
            if format == Format::Jsonl {
                crate::report::json_lines(&rows)
            } else if format == Format::Json {
                serde_json::to_string_pretty(&rows)
                    .map(|s| s + "\n")
                    .map_err(|e| e.to_string())
            } else {
                serde_yaml::to_string(&rows).map_err(|e| e.to_string())
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(HEADER).map_err(|e| e.to_string())?;
            for k in &rules.kinds {
                w.write_record(row(k)).map_err(|e| e.to_string())?;
            }
            let bytes = w.into_inner().map_err(|e| e.to_string())?;
            String::from_utf8(bytes).map_err(|e| e.to_string())
        }
        Format::Table => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.force_no_tty();
            table.set_header(HEADER.to_vec());
            for k in &rules.kinds {
                table.add_row(row(k).to_vec());
            }
            Ok(format!(
                "{table}\n{} claim kinds, {} boilerplate patterns\n",
                rules.kinds.len(),
                rules.boilerplate.len()
            ))
        }
    }
}

fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn cardinality(c: Cardinality) -> &'static str {
    match c {
        Cardinality::One => "one",
        Cardinality::Many => "many",
    }
}

/// The claim kinds as the Markdown index page `docs/rules.md`.
pub fn rules_markdown(rules: &RuleSet) -> String {
    use crate::report::markdown_cell;
    let mut out = String::from(
        "# Claim kinds\n\nGenerated from the rule files by `claimdiff rules list --format markdown`; \
         `cargo test` fails when this page or a page in `kinds/` is stale \
         (refresh them with `CLAIMDIFF_BLESS=1 cargo test --test docs`).\n\n\
         | kind | type | cardinality | subject | event signal | languages | description |\n|---|---|---|---|---|---|---|\n",
    );
    for (id, kinds) in kinds_by_id(rules) {
        let k = kinds[0];
        let langs: Vec<&str> = kinds.iter().map(|k| k.lang.as_str()).collect();
        out.push_str(&format!(
            "| [`{}`](kinds/{}.md) | {} | {} | {} | {} | {} | {} |\n",
            id,
            id,
            serde_plain(&k.value_type),
            cardinality(k.cardinality),
            k.subject.as_deref().unwrap_or("-"),
            if k.event_signal { "yes" } else { "no" },
            langs.join(", "),
            markdown_cell(&k.description)
        ));
    }
    out.push_str(&format!(
        "\n{} boilerplate patterns drop text that is not the story:\n\n| id | scope | description |\n|---|---|---|\n",
        rules.boilerplate.len()
    ));
    for b in &rules.boilerplate {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            b.id,
            serde_plain(&b.scope),
            markdown_cell(&b.description)
        ));
    }
    out
}

/// The kinds grouped by id, each id with its languages in order.
pub fn kinds_by_id(rules: &RuleSet) -> Vec<(&str, Vec<&crate::rules::ClaimKind>)> {
    let mut groups: Vec<(&str, Vec<&crate::rules::ClaimKind>)> = Vec::new();
    for kind in &rules.kinds {
        match groups.last_mut() {
            Some((id, kinds)) if *id == kind.id => kinds.push(kind),
            _ => groups.push((kind.id.as_str(), vec![kind])),
        }
    }
    groups
}

/// One claim kind, in all its languages, as its own Markdown page
/// (`docs/kinds/<id>.md`).
pub fn kind_page(kinds: &[&crate::rules::ClaimKind]) -> String {
    use crate::report::markdown_cell;
    let Some(kind) = kinds.first() else {
        return String::new();
    };
    let langs: Vec<String> = kinds
        .iter()
        .map(|k| format!("`{}` (`{}`)", k.lang, k.file.display()))
        .collect();
    let mut out = format!("# {}\n\n{}\n\n", kind.id, kind.description);
    out.push_str(&format!(
        "| field | value |\n|---|---|\n| label | {} |\n| value type | `{}` |\n| cardinality | `{}` |\n| subject | {} |\n| event signal | {} |\n| languages | {} |\n\n",
        markdown_cell(&kind.label),
        serde_plain(&kind.value_type),
        cardinality(kind.cardinality),
        kind.subject.as_deref().map_or("-".to_string(), |s| format!("`{s}`")),
        if kind.event_signal { "yes: a shared value says two sources report the same event" } else { "no" },
        langs.join(", ")
    ));
    out.push_str(match kind.cardinality {
        Cardinality::One => "A story has one true value of this kind per subject: different values are a `conflict`, or `review` when subjects or wording may explain them.\n\n",
        Cardinality::Many => "Several values can all be true: each value is its own finding, and sources can only agree on it.\n\n",
    });
    for k in kinds {
        let heading = if kinds.len() > 1 {
            format!(" (`{}`)", k.lang)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "## Patterns{heading}\n\nPlaceholders such as `{{number}}` come from the language lexicon (see the rules guide).\n\n"
        ));
        for p in &k.patterns {
            out.push_str(&format!("- `{}`\n", p.source.replace('`', "\\`")));
        }
        out.push_str(&format!(
            "\n## Examples{heading}\n\nEach runs as a test (`claimdiff rules test`).\n\n| text | value |\n|---|---|\n"
        ));
        for e in &k.examples {
            out.push_str(&format!(
                "| {} | **{}** |\n",
                markdown_cell(&e.text),
                markdown_cell(&e.value)
            ));
        }
        for t in &k.must_not_match {
            out.push_str(&format!("| {} | *(nothing)* |\n", markdown_cell(t)));
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// `claimdiff rules test`: runs every rule's examples, one line per rule.
pub fn rules_test(dir: Option<&Path>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let dirs: Vec<PathBuf> = dir.map(Path::to_path_buf).into_iter().collect();
    let Some(rules) = load_rules(&dirs, stderr) else {
        return EXIT_ERROR;
    };
    let (mut passed, mut failed) = (0, 0);
    let mut report =
        |label: String, failures: Vec<crate::extract::ExampleFailure>, stdout: &mut dyn Write| {
            if failures.is_empty() {
                passed += 1;
                let _ = writeln!(stdout, "ok    {label}");
            } else {
                failed += 1;
                let _ = writeln!(stdout, "FAIL  {label}");
                for f in failures {
                    let _ = writeln!(stdout, "        {}: {:?}", f.message, f.text);
                }
            }
        };
    for kind in &rules.kinds {
        let label = format!(
            "{} ({} examples, {} must_not_match) {}",
            kind.id,
            kind.examples.len(),
            kind.must_not_match.len(),
            kind.file.display()
        );
        report(label, check_examples(kind, &rules), stdout);
    }
    for (id, failures) in check_boilerplate(&rules) {
        report(format!("boilerplate:{id}"), failures, stdout);
    }
    // Every pattern, cue and boilerplate regex compiles, reached by an
    // example or not (a run compiles each on first use).
    for problem in rules.uncompilable() {
        failed += 1;
        let _ = writeln!(stdout, "FAIL  does not compile: {problem}");
    }
    let _ = writeln!(stdout, "{passed} passed, {failed} failed");
    if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_characters_and_folds_white_space() {
        assert_eq!(shorten("a  b\nc", 10), "a b c");
        assert_eq!(shorten("Élan vital über alles", 8), "Élan vi…");
    }

    #[test]
    fn write_output_replaces_the_file_whole() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old contents that are longer").expect("write");
        let mut sink = Vec::new();
        write_output(Some(&path), "new", &mut sink).expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert!(sink.is_empty());
    }

    #[test]
    fn a_closed_pipe_is_not_an_error() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        assert!(write_output(None, "text", &mut Closed).is_ok());
    }

    #[test]
    fn analyze_reports_every_source_in_load_order() {
        let rules = RuleSet::builtin_shared().expect("rules");
        let cluster = load_cluster(Path::new("fixtures/aleppo-omran"), LoadOptions::default())
            .expect("fixture");
        let report = analyze(cluster.clone(), rules, "en");
        let ids: Vec<&str> = report.sources.iter().map(|s| &s.id[..3]).collect();
        assert_eq!(ids, ["000", "001", "002", "003", "004"]);
        // The claims `claims` lists are those the report counts per source.
        let read = read_sources(cluster.sources, rules, "en");
        assert_eq!(
            read.iter().map(|s| s.claims.len()).sum::<usize>(),
            report.sources.iter().map(|s| s.claims).sum::<usize>()
        );
    }
}
