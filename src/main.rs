//! The `claimdiff` command: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use claimdiff::app::{self, ColorChoice, CommonOptions, FailOn};
use claimdiff::load::DEFAULT_MAX_SOURCE_BYTES;
use claimdiff::report::Format;

const EXIT_CODES: &str = "Exit codes:
  0  success (no findings asked to fail on)
  1  conflicts (or reviews) found with --fail-on; the findings drifted from the
     --expect file; `rules test`: an example failed
  2  nothing could be checked: bad usage, bad rules, no cluster could be loaded,
     or the output could not be written
  3  the report was written, but some input was skipped (a file, a manifest entry,
     a cluster); each is named on stderr. 2 wins over 3, and 3 over 1";

/// Reads a cluster of news articles about one event and shows, in one table,
/// where the sources agree and where they conflict, each value with the
/// sentence that says it.
#[derive(Parser, Debug)]
#[command(name = "claimdiff", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compare the sources of one or more clusters (directories of .txt/.md
    /// articles, or with a cluster.yaml manifest).
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Cluster directories.
        #[arg(required = true, value_name = "CLUSTER")]
        clusters: Vec<PathBuf>,
        /// Exit with 1 when a conflict (or a conflict or review) is found.
        #[arg(long, value_enum, value_name = "STATUS")]
        fail_on: Option<FailOn>,
        /// Show each value's sentence with the span marked.
        #[arg(long)]
        evidence: bool,
        /// Compare the findings with an expectations file (one cluster);
        /// exit with 1 and list the differences on stderr when they drift.
        #[arg(long, value_name = "FILE", conflicts_with = "write_expect")]
        expect: Option<PathBuf>,
        /// Write the findings to an expectations file (one cluster),
        /// creating or replacing it: accept them as expected.
        #[arg(long, value_name = "FILE")]
        write_expect: Option<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Check many clusters given as JSON lines, one cluster per line, and
    /// write one JSON report per line, in input order.
    ///
    /// An input line is {"cluster": ID, "sources": [{"id": ..., "text": ...,
    /// "outlet"?, "url"?, "published"?}]}; an output line is the report
    /// `check --format json` makes, on one line, or for a bad input line
    /// {"cluster": ID or null, "line": N, "error": ..., "hint": ...}, which
    /// is also named on stderr and makes the exit code 3.
    #[command(after_help = EXIT_CODES)]
    Batch {
        /// The JSON-lines file, or - for standard input.
        #[arg(default_value = "-", value_name = "FILE")]
        input: PathBuf,
        /// Exit with 1 when a conflict (or a conflict or review) is found.
        #[arg(long, value_enum, value_name = "STATUS")]
        fail_on: Option<FailOn>,
        #[command(flatten)]
        rules: InputArgs,
        /// Write the output to FILE (atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// List every extracted claim with its evidence (for rule authors).
    #[command(after_help = EXIT_CODES)]
    Claims {
        /// Cluster directories.
        #[arg(required = true, value_name = "CLUSTER")]
        clusters: Vec<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List every quantity in some files: its interval, qualifier (exact,
    /// approximate, lower_bound, upper_bound, range), the unit word after it
    /// and its byte span. Identifiers, times, dates and years are left out.
    #[command(after_help = EXIT_CODES)]
    Numbers {
        /// Article files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List or test the claim-kind rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// List the claim kinds (built-in, plus --rules directories).
    List {
        /// A directory of extra claim-kind rules (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Output format (markdown is the page docs/rules.md).
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: Format,
        /// Write the output to FILE (atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Run every rule's examples; one line per rule, non-zero on failure.
    #[command(after_help = EXIT_CODES)]
    Test {
        /// A rule directory to test on top of the built-in rules.
        dir: Option<PathBuf>,
    },
}

/// What to read and with which rules.
#[derive(Args, Debug)]
struct InputArgs {
    /// A directory of extra claim-kind rules (repeatable); its kinds add to or
    /// replace the built-in kinds of the same id and language.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Skip source files (and cluster.yaml) larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SOURCE_BYTES)]
    max_source_bytes: u64,
    /// The language of the sources: auto (detected per source from each
    /// lexicon's function words) or a code with a lexicon (lang/<code>.yaml,
    /// built in or in a --rules directory).
    #[arg(long, default_value = "auto")]
    lang: String,
}

/// How to run over many clusters.
#[derive(Args, Debug)]
struct RunArgs {
    /// Clusters to work on at once (threads); the default is one per core,
    /// 1 runs on one thread. The output is the same whatever the number.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// No progress bar (it is only ever drawn on a terminal); errors and
    /// warnings are still printed.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Where and how to write.
#[derive(Args, Debug)]
struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: Format,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// When to use colour; NO_COLOR in the environment always turns it off.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

fn options(input: InputArgs, output: OutputArgs, evidence: bool) -> CommonOptions {
    CommonOptions {
        rules: input.rules,
        format: output.format,
        evidence,
        out: output.out,
        color: output.color,
        max_source_bytes: input.max_source_bytes,
        lang: input.lang,
        jobs: 1,
        quiet: true,
    }
}

fn with_run(options: CommonOptions, run: RunArgs) -> CommonOptions {
    CommonOptions {
        // 0: one thread per core.
        jobs: run.jobs.map_or(0, usize::from),
        quiet: run.quiet,
        ..options
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; usage mistakes exit with 2.
            return ExitCode::from(if e.use_stderr() {
                app::EXIT_ERROR as u8
            } else {
                0
            });
        }
    };
    let mut stdout = std::io::stdout().lock();
    // Not locked: the progress bar draws on stderr from its own thread.
    let mut stderr = std::io::stderr();
    let code = match cli.command {
        Command::Check {
            clusters,
            fail_on,
            evidence,
            expect,
            write_expect,
            input,
            output,
            run,
        } => app::check(
            &clusters,
            &with_run(options(input, output, evidence), run),
            fail_on,
            expect
                .map(app::Expect::Check)
                .or(write_expect.map(app::Expect::Write))
                .as_ref(),
            &mut stdout,
            &mut stderr,
        ),
        Command::Batch {
            input,
            fail_on,
            rules,
            out,
            run,
        } => {
            let output = OutputArgs {
                format: Format::Json,
                out,
                color: ColorChoice::Never,
            };
            claimdiff::batch::batch(
                &input,
                &with_run(options(rules, output, false), run),
                fail_on,
                &mut stdout,
                &mut stderr,
            )
        }
        Command::Claims {
            clusters,
            input,
            output,
        } => app::claims(
            &clusters,
            &options(input, output, false),
            &mut stdout,
            &mut stderr,
        ),
        Command::Numbers {
            files,
            input,
            output,
        } => app::numbers(
            &files,
            &options(input, output, false),
            &mut stdout,
            &mut stderr,
        ),
        Command::Rules { command } => match command {
            RulesCommand::List { rules, format, out } => {
                app::rules_list(&rules, format, out.as_deref(), &mut stdout, &mut stderr)
            }
            RulesCommand::Test { dir } => app::rules_test(dir.as_deref(), &mut stdout, &mut stderr),
        },
    };
    ExitCode::from(code as u8)
}
