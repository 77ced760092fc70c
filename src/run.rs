//! The machinery of runs over many clusters, shared by `check` and
//! `batch`: a pool of `--jobs` threads that maps a bounded chunk of work in
//! order ([`Pool`]), the rule set compiled for the languages met so far
//! ([`RulesCache`]), and an output that is written piece by piece, to stdout
//! or atomically to a file ([`Sink`]). Memory stays flat however many
//! clusters come: each chunk is read, analysed, written and dropped before
//! the next.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::rules::RuleSet;

/// The threads a run uses: none of its own for `--jobs 1` (everything on
/// the calling thread), else a rayon pool of that many threads.
#[derive(Debug)]
pub struct Pool {
    pool: Option<rayon::ThreadPool>,
    jobs: usize,
}

impl Pool {
    /// A pool of `jobs` threads; 0 means one per core.
    pub fn new(jobs: usize) -> Result<Pool, Diagnostic> {
        let jobs = if jobs == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            jobs
        };
        if jobs == 1 {
            return Ok(Pool { pool: None, jobs });
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|i| format!("claimdiff-{i}"))
            .build()
            .map_err(|e| {
                Diagnostic::error("--jobs", format!("cannot start {jobs} threads: {e}"))
                    .hint("give a smaller --jobs, or --jobs 1 to run on one thread")
            })?;
        Ok(Pool {
            pool: Some(pool),
            jobs,
        })
    }

    /// How many threads work.
    pub fn jobs(&self) -> usize {
        self.jobs
    }

    /// `f` applied to every item, results in the items' order whatever
    /// thread ran each: the output of a run does not depend on `--jobs`.
    pub fn map<T, R, F>(&self, items: Vec<T>, f: F) -> Vec<R>
    where
        T: Send,
        R: Send,
        F: Fn(T) -> R + Sync + Send,
    {
        match &self.pool {
            None => items.into_iter().map(f).collect(),
            Some(pool) => pool.install(|| items.into_par_iter().map(f).collect()),
        }
    }
}

/// The rule set, compiled for the languages of the sources met so far.
/// Compiling a language's claim kinds is what costs, and a stream does not
/// say in advance which languages it holds: a new language recompiles the
/// set for all languages seen, once; every thread shares the one set.
/// (A kind reads the same in every language it has, so which other
/// languages are compiled does not change a report.)
#[derive(Debug)]
pub struct RulesCache {
    dirs: Vec<PathBuf>,
    langs: BTreeSet<String>,
    rules: Option<Arc<RuleSet>>,
}

impl RulesCache {
    /// The built-in rules and those of `dirs`, nothing compiled yet.
    pub fn new(dirs: &[PathBuf]) -> RulesCache {
        RulesCache {
            dirs: dirs.to_vec(),
            langs: BTreeSet::new(),
            rules: None,
        }
    }

    /// True once a rule set was compiled.
    pub fn is_compiled(&self) -> bool {
        self.rules.is_some()
    }

    /// The rules with the claim kinds of `langs` (and of every language
    /// seen before) compiled. The first compilation prints the rules'
    /// warnings; `None` (errors printed) when they do not compile.
    pub fn ensure(
        &mut self,
        langs: &BTreeSet<String>,
        stderr: &mut dyn Write,
    ) -> Option<Arc<RuleSet>> {
        if let Some(rules) = &self.rules {
            if langs.is_subset(&self.langs) {
                return Some(Arc::clone(rules));
            }
        }
        let mut wanted = self.langs.clone();
        wanted.extend(langs.iter().cloned());
        match RuleSet::with_dirs_for(&self.dirs, Some(&wanted)) {
            Ok(rules) => {
                if self.rules.is_none() {
                    for d in &rules.warnings {
                        let _ = writeln!(stderr, "{d}");
                    }
                }
                let rules = Arc::new(rules);
                self.langs = wanted;
                self.rules = Some(Arc::clone(&rules));
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
}

/// Where a run's output goes.
enum Target<'a> {
    Stdout(&'a mut dyn Write),
    /// `--out FILE`: a temporary file beside it, created at the first write
    /// and renamed over FILE by [`Sink::finish`].
    File {
        path: PathBuf,
        tmp: Option<BufWriter<tempfile::NamedTempFile>>,
    },
    /// `--out` names something that is not a file (`/dev/null`, a named
    /// pipe, a terminal): written to directly, as it comes. Renaming a file
    /// over it would replace the device itself, for every program after.
    Device {
        path: PathBuf,
        file: Option<BufWriter<std::fs::File>>,
    },
}

/// Where `--out PATH` writes: through a temporary file renamed over the
/// file PATH names (over the file a symbolic link points to, which stays a
/// link), or straight into PATH when it exists and is no regular file.
fn target_for<'a>(path: &Path) -> Target<'a> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => Target::Device {
            path: path.to_path_buf(),
            file: None,
        },
        Ok(meta) if meta.is_file() => Target::File {
            path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            tmp: None,
        },
        _ => Target::File {
            path: path.to_path_buf(),
            tmp: None,
        },
    }
}

/// Opens a device or pipe named by `--out` for writing.
fn open_device(path: &Path) -> Result<BufWriter<std::fs::File>, Diagnostic> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map(BufWriter::new)
        .map_err(|e| file_error(path, &e))
}

/// An output written piece by piece: to stdout as it comes, or to `--out`
/// atomically (a reader never sees half a report, and a run that fails
/// leaves an existing file as it was).
pub struct Sink<'a> {
    target: Target<'a>,
    closed: bool,
    written: bool,
}

impl<'a> Sink<'a> {
    /// Writes to `out`, or to `stdout` when `None`.
    pub fn new(out: Option<&Path>, stdout: &'a mut dyn Write) -> Sink<'a> {
        let target = match out {
            None => Target::Stdout(stdout),
            Some(path) => target_for(path),
        };
        Sink {
            target,
            closed: false,
            written: false,
        }
    }

    /// True when stdout's reader has gone (`| head`): not an error, but
    /// nothing more needs to be made.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// True once something was written.
    pub fn has_written(&self) -> bool {
        self.written
    }

    /// Appends `text`.
    pub fn write(&mut self, text: &str) -> Result<(), Diagnostic> {
        if self.closed || text.is_empty() {
            return Ok(());
        }
        self.written = true;
        match &mut self.target {
            Target::Stdout(out) => match out.write_all(text.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    self.closed = true;
                    Ok(())
                }
                Err(e) => Err(Diagnostic::error(
                    "<stdout>",
                    format!("cannot write output: {e}"),
                )),
                Ok(()) => Ok(()),
            },
            Target::File { path, tmp } => {
                let file = match tmp {
                    Some(file) => file,
                    None => tmp.insert(BufWriter::new(temp_beside(path)?)),
                };
                file.write_all(text.as_bytes())
                    .map_err(|e| file_error(path, &e))
            }
            Target::Device { path, file } => {
                let file = match file {
                    Some(file) => file,
                    None => file.insert(open_device(path)?),
                };
                file.write_all(text.as_bytes())
                    .map_err(|e| file_error(path, &e))
            }
        }
    }

    /// Flushes stdout, or puts the finished file in place.
    pub fn finish(self) -> Result<(), Diagnostic> {
        match self.target {
            Target::Stdout(out) => match out.flush() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Diagnostic::error(
                    "<stdout>",
                    format!("cannot write output: {e}"),
                )),
                _ => Ok(()),
            },
            Target::File { path, tmp } => {
                let tmp = match tmp {
                    Some(tmp) => tmp,
                    // Nothing was written: an empty output is still the output.
                    None => BufWriter::new(temp_beside(&path)?),
                };
                let tmp = tmp.into_inner().map_err(|e| file_error(&path, e.error()))?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| file_error(&path, &e))?;
                tmp.persist(&path)
                    .map_err(|e| file_error(&path, &e.error))?;
                Ok(())
            }
            Target::Device { path, file } => {
                let mut file = match file {
                    Some(file) => file,
                    None => open_device(&path)?,
                };
                file.flush().map_err(|e| file_error(&path, &e))
            }
        }
    }
}

fn file_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        path,
        format!("cannot write output: {}", crate::load::io_reason(e)),
    )
    .hint("check that the folder exists and is writable")
}

/// A temporary file in the folder of `path`, so that renaming it over
/// `path` is atomic.
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, Diagnostic> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".claimdiff-");
    // A report is an ordinary file, readable as the umask allows (not 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir).map_err(|e| file_error(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_keeps_the_order_of_the_items() {
        for jobs in [1, 2, 3] {
            let pool = Pool::new(jobs).expect("pool");
            let out = pool.map((0..100).collect(), |i: u32| i * 2);
            assert_eq!(out, (0..100).map(|i| i * 2).collect::<Vec<_>>());
        }
        assert!(Pool::new(0).expect("pool").jobs() >= 1);
    }

    #[test]
    fn a_file_sink_appears_whole_at_finish_and_not_at_all_on_failure() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").expect("write");
        let mut stdout = Vec::new();
        let mut sink = Sink::new(Some(&path), &mut stdout);
        sink.write("new ").expect("write");
        sink.write("text").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        sink.finish().expect("finish");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new text");
        // Dropped before finish: the file is left as it was, no temp file stays.
        let mut sink = Sink::new(Some(&path), &mut stdout);
        sink.write("half").expect("write");
        drop(sink);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new text");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
        assert!(stdout.is_empty());
    }

    #[test]
    fn a_closed_pipe_closes_the_sink_quietly() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
        }
        let mut closed = Closed;
        let mut sink = Sink::new(None, &mut closed);
        sink.write("a").expect("no error");
        assert!(sink.is_closed());
        sink.finish().expect("no error");
    }

    #[test]
    fn the_rules_grow_with_the_languages_met() {
        let mut stderr = Vec::new();
        let mut cache = RulesCache::new(&[]);
        assert!(!cache.is_compiled());
        let en: BTreeSet<String> = ["en".to_string()].into();
        let first = cache.ensure(&en, &mut stderr).expect("compiles");
        let again = cache.ensure(&en, &mut stderr).expect("compiles");
        assert!(Arc::ptr_eq(&first, &again));
        let de: BTreeSet<String> = ["de".to_string()].into();
        let both = cache.ensure(&de, &mut stderr).expect("compiles");
        assert!(!Arc::ptr_eq(&first, &both));
        assert!(both.kinds.iter().any(|k| k.lang == "en"));
        assert!(both.kinds.iter().any(|k| k.lang == "de"));
    }
}
