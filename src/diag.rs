//! Diagnostics: the one shape every stage uses to say what went wrong and
//! where. A diagnostic names the file, and where it can, the line, column and
//! rule, plus a hint that says what to do. Printing them is the caller's job
//! (`app`), so that library users can collect them instead.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: warnings let the run go on untouched; errors mean
/// something was skipped or the run cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something looks off, but nothing was lost.
    Warning,
    /// Something was skipped, or the run could not go on.
    Error,
}

/// One problem with an input: a source, a manifest or a rule file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// The file (or directory) the problem is in.
    pub path: PathBuf,
    /// 1-based line, when the problem has a place inside the file.
    pub line: Option<usize>,
    /// 1-based column (in characters), with `line`.
    pub column: Option<usize>,
    /// The rule (claim kind) the problem belongs to, for rule files.
    pub rule: Option<String>,
    /// What failed.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error about `path`.
    pub fn error(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.as_ref().to_path_buf(),
            line: None,
            column: None,
            rule: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning about `path`.
    pub fn warning(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// The same diagnostic placed at a line and column.
    pub fn at(mut self, position: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    /// The same diagnostic tied to a rule id.
    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// The same diagnostic with a hint saying what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `error: path:line:col: rule 'id': message (hint: …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        // A path or message may hold what a hostile file put there (a file
        // named with an escape sequence): it must not drive the terminal.
        write!(
            f,
            "{label}: {}",
            printable(&self.path.display().to_string())
        )?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(rule) = &self.rule {
            write!(f, "rule '{}': ", printable(rule))?;
        }
        // Messages may quote input (a YAML error, a path); keep the line one line.
        write!(f, "{}", printable(&self.message.replace('\n', " ")))?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {})", printable(hint))?;
        }
        Ok(())
    }
}

/// `s` with control characters (escape sequences, carriage returns, line
/// breaks) and bidirectional overrides written as `\u{..}` escapes, so that
/// one diagnostic is one line that cannot drive or garble the terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that reorder how the text around them is shown (the "Trojan
/// Source" trick): shown as they are, they make text read other than it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Where `needle` first occurs in `text` at or after byte `from`, as a line
/// and column. Used to point at a value that the YAML parser accepted but a
/// later check rejected (a bad regex, a path that leaves its folder).
pub fn locate(text: &str, needle: &str, from: usize) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    let from = from.min(text.len());
    let rest = text.get(from..)?;
    rest.find(needle).map(|i| line_col(text, from + i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a\nbé c\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (2, 1));
        // 'c' sits after a two-byte 'é': byte 6, column 4.
        assert_eq!(line_col(text, 6), (2, 4));
    }

    #[test]
    fn display_is_one_line_with_every_part() {
        let d = Diagnostic::error("rules/x.yaml", "unknown field `patern`\nmore")
            .at(Some((3, 5)))
            .rule("hospital")
            .hint("did you mean `patterns`?");
        assert_eq!(
            d.to_string(),
            "error: rules/x.yaml:3:5: rule 'hospital': unknown field `patern` more (hint: did you mean `patterns`?)"
        );
    }

    #[test]
    fn display_never_passes_control_characters_through() {
        let d = Diagnostic::error("a\u{1b}[2Jb.txt", "bad\rvalue \u{202E}txt.exe").hint("fix\u{7}");
        assert_eq!(
            d.to_string(),
            "error: a\\u{1b}[2Jb.txt: bad\\u{d}value \\u{202e}txt.exe (hint: fix\\u{7})"
        );
    }

    #[test]
    fn locate_finds_after_offset() {
        let text = "path: a\npath: b\n";
        assert_eq!(locate(text, "path:", 1), Some((2, 1)));
        assert_eq!(locate(text, "zzz", 0), None);
    }
}
