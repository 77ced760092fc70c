//! `claimdiff batch`: many clusters as JSON lines in, one JSON report per
//! line out, in input order.
//!
//! Each input line is one cluster, `{"cluster": ID, "sources": [{"id",
//! "text", "outlet"?, "url"?, "published"?}]}` (read by
//! [`parse_cluster_line`]); each output line is the report `check --format
//! json` makes for it, on one line, or for a bad line an error object
//! `{"cluster": ID or null, "line": N, "error": "...", "hint": "..."}`, so
//! that output line *k* always answers input line *k* (blank input lines
//! are skipped and answered by nothing). Every bad line is also named on
//! stderr, and makes the run exit with [`EXIT_SKIPPED`].
//!
//! The input is streamed: lines are read a chunk at a time (up to 32 per
//! thread, and no more than [`CHUNK_BYTES`] of input), the chunk's clusters
//! analysed in parallel, their lines written in order, and the chunk
//! dropped before the next is read. A line longer than
//! [`max_line_bytes`] is skipped without being held in memory.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::Serialize;

use crate::app::{
    analyze, cluster_languages, fails_on, text_bytes, CommonOptions, FailOn, EXIT_ERROR,
    EXIT_FINDINGS, EXIT_OK, EXIT_SKIPPED,
};
use crate::diag::Diagnostic;
use crate::load::{parse_cluster_line, LineError, LoadOptions};
use crate::progress::{Progress, Total};
use crate::rules::RuleSet;
use crate::run::{Pool, RulesCache, Sink};

/// The most input read into one chunk (whole lines, at least one).
pub const CHUNK_BYTES: usize = 64 << 20;

/// Lines per thread in one chunk.
const LINES_PER_JOB: usize = 32;

/// The longest input line `batch` reads: 256 MiB, or eight sources at the
/// `--max-source-bytes` limit when that is more. A longer line is skipped
/// (with an error line) as it is read, never held whole.
pub fn max_line_bytes(max_source_bytes: u64) -> u64 {
    (256u64 << 20).max(max_source_bytes.saturating_mul(8))
}

/// One line as read.
#[derive(Debug, PartialEq, Eq)]
enum LineRead {
    /// The end of the input.
    Eof,
    /// A line, now in the buffer without its line break; the bytes it took
    /// from the input.
    Line(u64),
    /// A line over the limit, skipped: its length without the line break.
    TooLong(u64),
}

/// Reads one line into `buf` (cleared first), holding no more than `max`
/// bytes of it: the rest of a longer line is read and dropped.
fn read_line_bounded(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: u64,
) -> std::io::Result<LineRead> {
    buf.clear();
    let mut len: u64 = 0;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            if len == 0 {
                return Ok(LineRead::Eof);
            }
            break;
        }
        let (part, found) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        len += part.len() as u64;
        if !too_long && len > max {
            too_long = true;
            buf.clear();
            buf.shrink_to(0);
        }
        if !too_long {
            buf.extend_from_slice(part);
        }
        let used = found.unwrap_or(part.len());
        reader.consume(used);
        if found.is_some() {
            if too_long {
                return Ok(LineRead::TooLong(len));
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(LineRead::Line(len + 1));
        }
    }
    if too_long {
        Ok(LineRead::TooLong(len))
    } else {
        Ok(LineRead::Line(len))
    }
}

/// What an output line says about a bad input line.
#[derive(Debug, Serialize)]
struct ErrorLine<'a> {
    cluster: Option<&'a str>,
    line: usize,
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

/// The answer to one input line.
enum Answer {
    /// Its report, as one JSON line; whether it has findings to fail on;
    /// its warnings (placed at the input line); its text's bytes.
    Report {
        json: Result<String, String>,
        fails: bool,
        warnings: Vec<Diagnostic>,
        bytes: u64,
    },
    /// Why it was skipped.
    Skipped(LineError),
}

/// `claimdiff batch`: reads clusters as JSON lines from `input` (a file, or
/// `-` for stdin) and writes one JSON report per line, in input order, to
/// stdout or `--out`. See the module documentation for the line formats.
pub fn batch(
    input: &Path,
    options: &CommonOptions,
    fail_on: Option<FailOn>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let Some((lexicons, pool)) = crate::app::start_run(options, stderr) else {
        return EXIT_ERROR;
    };
    let from_stdin = input.as_os_str() == "-";
    let (name, mut reader, total): (&Path, Box<dyn BufRead>, Total) = if from_stdin {
        (
            Path::new("<stdin>"),
            Box::new(BufReader::new(std::io::stdin())),
            Total::Unknown,
        )
    } else {
        let file = match std::fs::File::open(input) {
            Ok(file) => file,
            Err(e) => {
                let d = Diagnostic::error(
                    input,
                    format!("cannot read input: {}", crate::load::io_reason(&e)),
                )
                .hint("give a file of JSON lines, one cluster each, or - for standard input");
                let _ = writeln!(stderr, "{d}");
                return EXIT_ERROR;
            }
        };
        let total = match file.metadata() {
            Ok(meta) if meta.is_file() => Total::Bytes(meta.len()),
            _ => Total::Unknown,
        };
        (input, Box::new(BufReader::new(file)), total)
    };
    run(
        name,
        &mut reader,
        Progress::new(total, options.quiet),
        &lexicons,
        &pool,
        options,
        fail_on,
        stdout,
        stderr,
    )
}

/// The run over a reader (`name` is what messages call it).
#[allow(clippy::too_many_arguments)]
fn run(
    name: &Path,
    reader: &mut dyn BufRead,
    mut progress: Progress,
    lexicons: &RuleSet,
    pool: &Pool,
    options: &CommonOptions,
    fail_on: Option<FailOn>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let load = LoadOptions {
        max_source_bytes: options.max_source_bytes,
    };
    let max_line = max_line_bytes(options.max_source_bytes);
    let mut cache = RulesCache::new(&options.rules);
    let mut sink = Sink::new(options.out.as_deref(), stdout);
    let (mut skipped, mut fails) = (false, false);
    let (mut line_no, mut read) = (0usize, 0u64);
    let mut at_end = false;
    while !at_end {
        // Read a chunk: whole lines, bounded in number and bytes.
        let mut lines: Vec<(usize, Result<Vec<u8>, u64>)> = Vec::new();
        let mut chunk_bytes = 0usize;
        while lines.len() < pool.jobs() * LINES_PER_JOB && chunk_bytes < CHUNK_BYTES {
            let mut buf = Vec::new();
            let got = match read_line_bounded(reader, &mut buf, max_line) {
                Ok(got) => got,
                Err(e) => {
                    let d = Diagnostic::error(
                        name,
                        format!("cannot read input: {}", crate::load::io_reason(&e)),
                    );
                    progress.say(stderr, &d.to_string());
                    return EXIT_ERROR;
                }
            };
            match got {
                LineRead::Eof => {
                    at_end = true;
                    break;
                }
                LineRead::Line(used) => {
                    line_no += 1;
                    read += used;
                    // A byte-order mark may open a file saved by an editor.
                    if line_no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                        buf.drain(..3);
                    }
                    if buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    chunk_bytes += buf.len();
                    lines.push((line_no, Ok(buf)));
                }
                LineRead::TooLong(len) => {
                    line_no += 1;
                    read += len + 1;
                    lines.push((line_no, Err(len)));
                }
            }
        }
        if lines.is_empty() {
            break;
        }
        // Parse in parallel, then compile the rules the chunk's languages need.
        let parsed = pool.map(lines, |(n, line)| {
            let cluster = match line {
                Ok(bytes) => parse_cluster_line(&bytes, name, n, load),
                Err(len) => {
                    let mut d = Diagnostic::error(
                        name,
                        format!("the line is {len} bytes, over the limit of {max_line} bytes; line skipped"),
                    )
                    .hint("split the cluster, or raise --max-source-bytes (a line may hold eight sources at that limit)");
                    d.line = Some(n);
                    Err(LineError {
                        cluster: None,
                        diagnostic: d,
                    })
                }
            };
            let langs = cluster
                .as_ref()
                .map(|c| cluster_languages(c, lexicons, &options.lang))
                .unwrap_or_default();
            (n, cluster, langs)
        });
        let langs: BTreeSet<String> = parsed
            .iter()
            .flat_map(|(_, _, langs)| langs.iter().cloned())
            .collect();
        let rules = if langs.is_empty() {
            None
        } else {
            match progress.suspend(|| cache.ensure(&langs, stderr)) {
                Some(rules) => Some(rules),
                None => return EXIT_ERROR,
            }
        };
        let rules = rules.as_deref();
        let lang = options.lang.as_str();
        let answers = pool.map(parsed, |(n, cluster, _)| {
            let answer = match (cluster, rules) {
                (Ok(cluster), Some(rules)) => {
                    let bytes = text_bytes(&cluster);
                    let warnings = cluster
                        .diagnostics
                        .iter()
                        .map(|d| placed(d, &cluster.name, name, n))
                        .collect();
                    let report = analyze(cluster, rules, lang);
                    Answer::Report {
                        fails: report.findings.iter().any(|f| fails_on(fail_on, f.status)),
                        json: serde_json::to_string(&report).map_err(|e| e.to_string()),
                        warnings,
                        bytes,
                    }
                }
                (Err(e), _) => Answer::Skipped(e),
                // Not reached: a cluster has sources, so languages.
                (Ok(cluster), None) => Answer::Skipped(LineError {
                    cluster: Some(cluster.name),
                    diagnostic: Diagnostic::error(name, "no rules compiled"),
                }),
            };
            (n, answer)
        });
        let (mut clusters, mut bytes) = (0u64, 0u64);
        for (n, answer) in answers {
            let out = match answer {
                Answer::Report {
                    json,
                    fails: f,
                    warnings,
                    bytes: b,
                } => {
                    for w in &warnings {
                        progress.say(stderr, &w.to_string());
                        skipped |= w.is_error();
                    }
                    fails |= f;
                    clusters += 1;
                    bytes += b;
                    match json {
                        Ok(json) => json,
                        Err(e) => {
                            progress.say(
                                stderr,
                                &format!("error: cannot render the report of line {n}: {e}"),
                            );
                            return EXIT_ERROR;
                        }
                    }
                }
                Answer::Skipped(e) => {
                    progress.say(stderr, &e.diagnostic.to_string());
                    skipped = true;
                    let line = ErrorLine {
                        cluster: e.cluster.as_deref(),
                        line: n,
                        error: &e.diagnostic.message,
                        hint: e.diagnostic.hint.as_deref(),
                    };
                    match serde_json::to_string(&line) {
                        Ok(json) => json,
                        Err(e) => {
                            progress.say(stderr, &format!("error: cannot write line {n}: {e}"));
                            return EXIT_ERROR;
                        }
                    }
                }
            };
            if let Err(d) = sink.write(&out).and_then(|()| sink.write("\n")) {
                progress.say(stderr, &d.to_string());
                return EXIT_ERROR;
            }
        }
        progress.done(clusters, bytes);
        progress.read_to(read);
        if sink.is_closed() {
            break;
        }
    }
    progress.finish();
    // Every line was bad (or there were none): bad rules are still worth saying.
    if !cache.is_compiled() && cache.ensure(&BTreeSet::new(), stderr).is_none() {
        return EXIT_ERROR;
    }
    if let Err(d) = sink.finish() {
        let _ = writeln!(stderr, "{d}");
        return EXIT_ERROR;
    }
    if skipped {
        EXIT_SKIPPED
    } else if fails {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// A cluster's diagnostic (one source only) as stderr shows it in a batch:
/// at the input line, naming the cluster.
fn placed(d: &Diagnostic, cluster: &str, input: &Path, line: usize) -> Diagnostic {
    let mut placed = d.clone();
    placed.path = input.to_path_buf();
    placed.line = Some(line);
    placed.column = None;
    placed.message = format!("cluster '{cluster}': {}", d.message);
    placed
}

/// Reads all of `reader` as batch input: for tests and library users that
/// hold the input in memory.
pub fn batch_reader(
    name: &Path,
    reader: impl Read,
    options: &CommonOptions,
    fail_on: Option<FailOn>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let Some((lexicons, pool)) = crate::app::start_run(options, stderr) else {
        return EXIT_ERROR;
    };
    run(
        name,
        &mut BufReader::new(reader),
        Progress::hidden(),
        &lexicons,
        &pool,
        options,
        fail_on,
        stdout,
        stderr,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: u64) -> Vec<LineRead> {
        // A tiny buffer, so that lines cross buffer refills.
        let mut reader = BufReader::with_capacity(3, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let got = read_line_bounded(&mut reader, &mut buf, max).expect("reads");
            if got == LineRead::Eof {
                return out;
            }
            if let LineRead::Line(_) = got {
                assert!(buf.len() as u64 <= max);
            }
            out.push(got);
        }
    }

    #[test]
    fn lines_are_read_whole_up_to_the_limit_and_skipped_beyond() {
        assert_eq!(
            lines(b"ab\r\n\nabcdefghij\nxyz", 5),
            [
                LineRead::Line(4),
                LineRead::Line(1),
                LineRead::TooLong(10),
                LineRead::Line(3)
            ]
        );
        assert_eq!(lines(b"", 5), []);
        assert_eq!(lines(b"abcdefgh", 5), [LineRead::TooLong(8)]);
    }

    fn options() -> CommonOptions {
        CommonOptions {
            rules: Vec::new(),
            format: crate::report::Format::Json,
            evidence: false,
            out: None,
            color: crate::app::ColorChoice::Never,
            max_source_bytes: crate::load::DEFAULT_MAX_SOURCE_BYTES,
            lang: "auto".into(),
            jobs: 1,
            quiet: true,
        }
    }

    #[test]
    fn every_line_is_answered_in_order_and_bad_ones_skipped() {
        let input = concat!(
            r#"{"cluster": "one", "sources": [{"id": "a", "text": "Five people were injured."}, {"id": "b", "text": "Six people were injured."}]}"#,
            "\n\n",
            "not json\n",
            r#"{"cluster": "two", "sources": [{"id": "a", "text": "A fire."}]}"#,
            "\n"
        );
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = batch_reader(
            Path::new("in"),
            input.as_bytes(),
            &options(),
            None,
            &mut out,
            &mut err,
        );
        assert_eq!(code, EXIT_SKIPPED);
        let out = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["cluster"], "one");
        assert_eq!(lines[1]["line"], 3);
        assert_eq!(lines[1]["cluster"], serde_json::Value::Null);
        assert_eq!(lines[2]["cluster"], "two");
        let err = String::from_utf8(err).expect("UTF-8");
        assert!(err.contains("error: in:3:2: invalid JSON"), "{err}");
        assert!(
            err.contains("warning: in:4: cluster 'two': only one source"),
            "{err}"
        );
    }
}
