//! Progress: a bar on stderr for runs over many clusters (`batch`, and
//! `check` with more than one cluster), drawn with `indicatif`: clusters
//! done, clusters per second, megabytes of article text per second, and an
//! ETA when the total is known. Only on a terminal and without `--quiet`;
//! otherwise every method does nothing but pass messages through, so piped
//! and tested runs print exactly what they printed before.
//!
//! Messages printed while the bar is shown go through [`Progress::say`],
//! which hides the bar, prints the line and draws the bar again, so an
//! error never lands in the middle of a half-drawn bar.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What the bar counts towards, when anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// A known number of clusters (`check DIR...`).
    Clusters(u64),
    /// A known number of input bytes (`batch FILE`): the ETA follows the
    /// bytes read.
    Bytes(u64),
    /// Unknown (`batch` from stdin): a spinner with counts, no ETA.
    Unknown,
}

/// A progress bar on stderr, or nothing (not a terminal, `--quiet`).
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    total: Total,
    clusters: u64,
    text_bytes: u64,
}

impl Progress {
    /// A bar when stderr is a terminal and `quiet` is false, else a silent
    /// stand-in.
    pub fn new(total: Total, quiet: bool) -> Progress {
        let show = !quiet && std::io::stderr().is_terminal();
        Progress::with_bar(total, show)
    }

    /// A progress that never draws.
    pub fn hidden() -> Progress {
        Progress::with_bar(Total::Unknown, false)
    }

    fn with_bar(total: Total, show: bool) -> Progress {
        let bar = show.then(|| {
            let (len, template) = match total {
                Total::Clusters(n) => (
                    Some(n),
                    "{spinner} [{bar:20}] {pos}/{len} clusters, {msg}, ETA {eta}",
                ),
                Total::Bytes(n) => (
                    Some(n),
                    "{spinner} [{bar:20}] {percent:>3}%, {msg}, ETA {eta}",
                ),
                Total::Unknown => (None, "{spinner} {msg}"),
            };
            let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            // A spinner must move while the input is slow to come.
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let progress = Progress {
            bar,
            total,
            clusters: 0,
            text_bytes: 0,
        };
        progress.refresh();
        progress
    }

    /// True when a bar is drawn.
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    /// Counts clusters done and the bytes of article text they held.
    pub fn done(&mut self, clusters: u64, text_bytes: u64) {
        self.clusters += clusters;
        self.text_bytes += text_bytes;
        if let (Some(bar), Total::Clusters(_)) = (&self.bar, self.total) {
            bar.set_position(self.clusters);
        }
        self.refresh();
    }

    /// Sets how many input bytes have been read (for [`Total::Bytes`]).
    pub fn read_to(&self, bytes: u64) {
        if let (Some(bar), Total::Bytes(_)) = (&self.bar, self.total) {
            bar.set_position(bytes);
        }
    }

    fn refresh(&self) {
        let Some(bar) = &self.bar else {
            return;
        };
        let secs = bar.elapsed().as_secs_f64().max(1e-3);
        let rates = format!(
            "{:.0} clusters/s, {:.1} MB/s",
            self.clusters as f64 / secs,
            self.text_bytes as f64 / 1e6 / secs
        );
        bar.set_message(match self.total {
            Total::Clusters(_) => rates,
            Total::Bytes(_) | Total::Unknown => format!("{} clusters, {rates}", self.clusters),
        });
    }

    /// Prints one line on `stderr` without garbling the bar (the bar is
    /// hidden while the line is written).
    pub fn say(&self, stderr: &mut dyn Write, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| {
                let _ = writeln!(stderr, "{line}");
            }),
            None => {
                let _ = writeln!(stderr, "{line}");
            }
        }
    }

    /// Runs `f` with the bar hidden (for code that prints on stderr).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_progress_passes_messages_through_and_counts() {
        let mut progress = Progress::hidden();
        assert!(!progress.is_shown());
        progress.done(2, 100);
        progress.read_to(10);
        let mut out = Vec::new();
        progress.say(&mut out, "error: x");
        assert_eq!(out, b"error: x\n");
        assert_eq!((progress.clusters, progress.text_bytes), (2, 100));
    }
}
