//! Clean: turns a source's text into the sentences that are the story.
//!
//! - **Folding.** The text is put in Unicode NFC and typographic quotes,
//!   dashes and spaces are folded to ASCII in a *matching copy*; a byte map
//!   leads every matching offset back to the original text, so evidence
//!   offsets always point into the file as read.
//! - **Paragraphs.** Lines are paragraphs, except that a line which cannot
//!   end there (it ends in "the", or the next line starts in lower case) goes
//!   on into the next one. A paragraph a source repeats is read once.
//! - **Boilerplate.** Paragraphs and sentences matched by the boilerplate
//!   rules (donation appeals, comment prompts, photo credits) are dropped,
//!   and the reason is kept.
//! - **Sentences** are split with byte offsets, minding abbreviations from
//!   the lexicon.
//!
//! Input comes from `load`; `extract` reads the [`Document`]s made here.

use std::collections::HashSet;

use serde::Serialize;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::load::Source;
use crate::rules::{Lexicon, RuleSet, Scope};

/// A byte range `[start, end)` in a source's original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// One sentence of the story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Where it is in the original text.
    pub span: Span,
    /// Where it is in the matching copy.
    pub folded: Span,
    /// Index of its paragraph in [`Document::paragraphs`].
    pub paragraph: usize,
}

/// One paragraph: a line, or lines that run on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Where it is in the original text.
    pub span: Span,
    /// 1-based line of its first line.
    pub line: usize,
}

/// Why a piece of text was not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// The text's place in the original (`start`, `end` in JSON).
    #[serde(flatten)]
    pub span: Span,
    /// `duplicate` or `boilerplate:<id>`.
    pub reason: String,
}

/// A source ready for extraction.
#[derive(Debug, Clone)]
pub struct Document {
    /// The original text, as loaded.
    pub text: String,
    /// The matching copy: NFC, typographic punctuation folded to ASCII.
    pub folded: String,
    /// For each byte of `folded` (and one past the end), the offset in `text`.
    map: Vec<u32>,
    /// The paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
    /// The sentences that are read, in order.
    pub sentences: Vec<Sentence>,
    /// What was not read, in order.
    pub dropped: Vec<Dropped>,
}

impl Document {
    /// The original-text span for a span of the matching copy.
    pub fn original_span(&self, start: usize, end: usize) -> Span {
        let at = |i: usize| self.map.get(i).map_or(self.text.len(), |&o| o as usize);
        Span {
            start: at(start),
            end: at(end),
        }
    }

    /// The matching copy of a sentence.
    pub fn folded_text(&self, sentence: &Sentence) -> &str {
        self.folded
            .get(sentence.folded.start..sentence.folded.end)
            .unwrap_or("")
    }

    /// The original text of a span.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// Folds one character for matching, or keeps it.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{FF07}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' | '\u{FF02}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => "-",
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\t' => " ",
        '\u{2026}' => "...",
        // Zero-width characters and soft hyphens hide inside words.
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
        '\r' => "\n",
        _ => return None,
    })
}

/// True for an ASCII byte that [`fold_char`] keeps as it is: all but tab
/// and carriage return.
fn is_plain_ascii(byte: u8) -> bool {
    byte.is_ascii() && byte != b'\t' && byte != b'\r'
}

/// True for a combining mark (a character of non-zero canonical combining class).
fn is_combining(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) != 0
}

/// Builds the matching copy of `text` and its byte map.
///
/// Runs of plain ASCII (most of any text) are copied whole, each byte mapping
/// to itself; other characters are folded one by one. Unicode normalization
/// runs only when the text is not already known to be NFC.
pub fn fold(text: &str) -> (String, Vec<u32>) {
    let mut folded = String::with_capacity(text.len());
    let mut map: Vec<u32> = Vec::with_capacity(text.len() + 1);
    // Every byte of a folded piece maps to the start of what it came from.
    let push = |piece: &str, origin: usize, folded: &mut String, map: &mut Vec<u32>| {
        folded.push_str(piece);
        map.extend(std::iter::repeat_n(origin as u32, piece.len()));
    };
    let nfc = matches!(is_nfc_quick(text.chars()), IsNormalized::Yes);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A run of plain ASCII is copied whole, each byte mapping to itself.
        let mut run_end = bytes[i..]
            .iter()
            .position(|&b| !is_plain_ascii(b))
            .map_or(bytes.len(), |n| i + n);
        if !nfc && run_end > i && bytes.get(run_end).is_some_and(|b| !b.is_ascii()) {
            // The run's last letter may take combining marks after it: it is
            // normalized with them below.
            run_end -= 1;
        }
        if run_end > i {
            folded.push_str(&text[i..run_end]);
            map.extend(i as u32..run_end as u32);
            i = run_end;
            continue;
        }
        // One other character, and the one after it.
        let mut chars = text[i..].chars();
        let Some(c) = chars.next() else { break };
        let next = chars.next();
        if c == '\r' && next == Some('\n') {
            // CRLF: one '\n' that maps to the '\r', so spans never end inside the pair.
            push("\n", i, &mut folded, &mut map);
            i += 2;
            continue;
        }
        let mut end = i + c.len_utf8();
        if !nfc && (!c.is_ascii() || next.is_some_and(is_combining)) {
            // Normalize a starter and the combining marks after it as one unit,
            // so each output byte maps to the unit's first input byte.
            end += text[end..]
                .chars()
                .take_while(|&n| is_combining(n))
                .map(char::len_utf8)
                .sum::<usize>();
            let unit: String = text[i..end].nfc().collect();
            for u in unit.chars() {
                let mut buf = [0u8; 4];
                let piece = fold_char(u).unwrap_or_else(|| u.encode_utf8(&mut buf));
                push(piece, i, &mut folded, &mut map);
            }
        } else {
            let mut buf = [0u8; 4];
            let piece = fold_char(c).unwrap_or_else(|| c.encode_utf8(&mut buf));
            push(piece, i, &mut folded, &mut map);
        }
        i = end;
    }
    map.push(text.len() as u32);
    (folded, map)
}

/// Cleans one source with the rule set's boilerplate and the given lexicon.
pub fn clean(source: &Source, rules: &RuleSet, lexicon: &Lexicon) -> Document {
    let (folded, map) = fold(&source.text);
    let mut doc = Document {
        text: source.text.clone(),
        folded,
        map,
        paragraphs: Vec::new(),
        sentences: Vec::new(),
        dropped: Vec::new(),
    };
    let blocks = paragraphs(&doc.folded, lexicon);
    // A sentence that runs over a line break reads as one line: the break
    // becomes a space in the matching copy (same length, offsets unchanged).
    for &(start, end, _) in &blocks {
        if doc.folded[start..end].contains('\n') {
            let joined = doc.folded[start..end].replace('\n', " ");
            doc.folded.replace_range(start..end, &joined);
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    for (start, end, line) in blocks {
        let span = doc.original_span(start, end);
        let text = &doc.folded[start..end];
        if !seen.insert(duplicate_key(text)) {
            doc.dropped.push(Dropped {
                span,
                reason: "duplicate".into(),
            });
            continue;
        }
        if let Some(rule) = rules
            .boilerplate
            .iter()
            .find(|b| b.scope == Scope::Paragraph && applies(b, lexicon) && b.regex.is_match(text))
        {
            doc.dropped.push(Dropped {
                span,
                reason: format!("boilerplate:{}", rule.id),
            });
            continue;
        }
        let paragraph = doc.paragraphs.len();
        doc.paragraphs.push(Paragraph { span, line });
        for (s, e) in sentences(text, lexicon) {
            let (fs, fe) = (start + s, start + e);
            let sentence_text = &doc.folded[fs..fe];
            let span = doc.original_span(fs, fe);
            if let Some(rule) = rules.boilerplate.iter().find(|b| {
                b.scope == Scope::Sentence && applies(b, lexicon) && b.regex.is_match(sentence_text)
            }) {
                doc.dropped.push(Dropped {
                    span,
                    reason: format!("boilerplate:{}", rule.id),
                });
                continue;
            }
            doc.sentences.push(Sentence {
                span,
                folded: Span { start: fs, end: fe },
                paragraph,
            });
        }
    }
    doc
}

/// What makes two paragraphs the same one, repeated: their words, joined by
/// single spaces, in lower case. Built in one buffer; ASCII text (most of it)
/// is lower-cased in place, anything else by `str::to_lowercase`, as before.
fn duplicate_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    if key.is_ascii() {
        key.make_ascii_lowercase();
        key
    } else {
        key.to_lowercase()
    }
}

/// True when a boilerplate pattern applies to a source read with `lexicon`.
fn applies(boilerplate: &crate::rules::Boilerplate, lexicon: &Lexicon) -> bool {
    boilerplate
        .lang
        .as_deref()
        .is_none_or(|lang| lang == lexicon.lang)
}

/// Splits folded text into paragraphs: `(start, end, first line number)`,
/// trimmed of surrounding white space, empty ones left out.
pub fn paragraphs(folded: &str, lexicon: &Lexicon) -> Vec<(usize, usize, usize)> {
    let mut lines: Vec<(usize, usize, usize)> = Vec::new();
    let mut offset = 0;
    for (number, line) in folded.split('\n').enumerate() {
        let trimmed_start = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let s = offset + trimmed_start;
            lines.push((s, s + trimmed.len(), number + 1));
        }
        offset += line.len() + 1;
    }
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut prev_line_no = 0;
    for (s, e, line_no) in lines {
        let joins = out.last().is_some_and(|&(ps, pe, _)| {
            // Only a single line break runs on; a blank line always ends a paragraph.
            line_no == prev_line_no + 1 && runs_on(&folded[ps..pe], &folded[s..e], lexicon)
        });
        if joins {
            if let Some(last) = out.last_mut() {
                last.1 = e;
            }
        } else {
            out.push((s, e, line_no));
        }
        prev_line_no = line_no;
    }
    out
}

/// True when a line break between `prev` and `next` falls inside a sentence.
fn runs_on(prev: &str, next: &str, lexicon: &Lexicon) -> bool {
    let ends_open = !prev.ends_with(|c: char| ".!?:;\"')]".contains(c));
    if !ends_open {
        return false;
    }
    let last_word = prev
        .rsplit(|c: char| !c.is_alphanumeric() && c != '\'')
        .next()
        .unwrap_or("")
        .to_lowercase();
    lexicon.continuation_words.contains(&last_word)
        || next.chars().next().is_some_and(char::is_lowercase)
}

/// Splits a paragraph into sentences: `(start, end)` byte ranges relative to
/// `text`, trimmed. A sentence ends at `.`, `!` or `?` (with closing quotes
/// or brackets) followed by white space and a capital, digit or quote, or
/// glued to a capitalised word ("difference.This"). A dot after an
/// abbreviation or a single initial does not end a sentence.
pub fn sentences(text: &str, lexicon: &Lexicon) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'.' || b == b'!' || b == b'?' {
            // Run of terminators and closers: ".", "?!", ".\"", ".)".
            let mut j = i + 1;
            while j < bytes.len()
                && matches!(bytes[j], b'.' | b'!' | b'?' | b'"' | b'\'' | b')' | b']')
            {
                j += 1;
            }
            let next_start = next_sentence_start(text, j);
            if let Some(next) = next_start {
                if b != b'.' || !is_abbreviation(&text[start..i], lexicon) {
                    push_trimmed(text, start, j, &mut out);
                    start = next;
                    i = next;
                    continue;
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

/// Where the next sentence starts after a terminator ending at `j`, if one does.
fn next_sentence_start(text: &str, j: usize) -> Option<usize> {
    let rest = &text[j..];
    let after_space = rest.trim_start();
    let gap = rest.len() - after_space.len();
    let first = after_space.chars().next()?;
    // Opening marks start sentences too: Spanish "¿" and "¡", French "«".
    let starts = first.is_uppercase()
        || first.is_numeric()
        || matches!(first, '"' | '\'' | '(' | '-' | '¿' | '¡' | '«' | '[');
    if gap > 0 && starts {
        return Some(j + gap);
    }
    // Glued: "difference.This" — a lower-case word, a dot, a capitalised word.
    if gap == 0 && first.is_uppercase() {
        let before = &text[..j];
        let word: String = before
            .trim_end_matches(|c: char| ".!?\"')]".contains(c))
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .collect();
        let second = after_space.chars().nth(1);
        if word.chars().count() >= 3
            && word.chars().all(char::is_lowercase)
            && second.is_some_and(char::is_lowercase)
        {
            return Some(j);
        }
    }
    None
}

/// True when the text before a dot ends in an abbreviation or an initial.
fn is_abbreviation(before: &str, lexicon: &Lexicon) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    if word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return true; // An initial: "J. Smith".
    }
    let lower = word.to_lowercase();
    lexicon.abbreviations.contains(lower.as_str())
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceMeta;

    fn rules() -> &'static RuleSet {
        RuleSet::builtin_shared().expect("built-in rules compile")
    }

    fn doc(text: &str) -> Document {
        let rules = rules();
        let lex = rules.lexicon("en").expect("en").clone();
        let source = Source {
            id: "s".into(),
            path: "s.txt".into(),
            text: text.into(),
            meta: SourceMeta::default(),
        };
        clean(&source, rules, &lex)
    }

    fn sentence_texts(d: &Document) -> Vec<&str> {
        d.sentences.iter().map(|s| d.slice(s.span)).collect()
    }

    #[test]
    fn folding_keeps_offsets_into_the_original() {
        let text = "He said \u{201C}Omran\u{201D} \u{2014} five.";
        let (folded, map) = fold(text);
        assert_eq!(folded, "He said \"Omran\" - five.");
        let start = folded.find("Omran").expect("found");
        assert_eq!(&text[map[start] as usize..map[start + 5] as usize], "Omran");
        assert_eq!(map.len(), folded.len() + 1);
    }

    #[test]
    fn folding_composes_to_nfc() {
        let text = "Cafe\u{0301} Aleppo";
        let (folded, map) = fold(text);
        assert_eq!(folded, "Caf\u{e9} Aleppo");
        let a = folded.find("Aleppo").expect("found");
        assert_eq!(&text[map[a] as usize..], "Aleppo");
    }

    #[test]
    fn crlf_and_lone_cr_are_line_breaks() {
        let d = doc("First line.\r\nSecond line.\rThird line.");
        assert_eq!(
            sentence_texts(&d),
            ["First line.", "Second line.", "Third line."]
        );
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        let d = doc("Police Capt. Tom Tennant died. J. Smith said so. Dr. Assad spoke at 10 a.m. on Monday.");
        assert_eq!(
            sentence_texts(&d),
            [
                "Police Capt. Tom Tennant died.",
                "J. Smith said so.",
                "Dr. Assad spoke at 10 a.m. on Monday."
            ]
        );
    }

    #[test]
    fn glued_sentences_are_split() {
        let d = doc("It was late.The boy was five. See pic.twitter.com/abc now.");
        assert_eq!(
            sentence_texts(&d),
            [
                "It was late.",
                "The boy was five.",
                "See pic.twitter.com/abc now."
            ]
        );
    }

    #[test]
    fn a_line_ending_in_the_runs_on() {
        let d = doc("A video circulated by the\nAleppo Media Centre shows him.\nFighting intensified\nThe war goes on.");
        assert_eq!(
            sentence_texts(&d),
            [
                "A video circulated by the\nAleppo Media Centre shows him.",
                "Fighting intensified",
                "The war goes on."
            ]
        );
    }

    #[test]
    fn repeated_paragraphs_are_read_once() {
        let d =
            doc("Omran was hurt in the strike.\nOther text here.\nOmran was hurt in the strike.");
        assert_eq!(d.sentences.len(), 2);
        assert_eq!(d.dropped.len(), 1);
        assert_eq!(d.dropped[0].reason, "duplicate");
    }

    #[test]
    fn boilerplate_is_dropped_with_its_reason() {
        let d = doc("Omran was hurt.\nJoin our commenting forum\nPicture: Getty Images");
        assert_eq!(sentence_texts(&d), ["Omran was hurt."]);
        let reasons: Vec<_> = d.dropped.iter().map(|x| x.reason.as_str()).collect();
        assert!(
            reasons.iter().all(|r| r.starts_with("boilerplate:")),
            "{reasons:?}"
        );
        assert_eq!(reasons.len(), 2);
    }
}
