//! The number layer: reads a quantity ("about 12", "at least 55", "12 to
//! 15", "dozens") as an interval with a qualifier, and finds every quantity
//! in a text for `claimdiff numbers`, leaving identifiers ("Section 427",
//! "M10", "Flight 9525"), clock times, phone numbers, dates and years alone.
//!
//! Every word it knows (number words, qualifiers, vague plurals, months,
//! identifier words) comes from the lexicon in `rules/lang/`; this file
//! holds only the logic.

use regex::Regex;
use serde::{Serialize, Serializer};

use super::{format_number, parse_number};
use crate::rules::{number_pattern, Lexicon};

/// How far an approximate figure may be off when a rule does not say: 10%,
/// and at least 1.
pub const DEFAULT_TOLERANCE: f64 = 0.1;

/// How a number is qualified in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// "five", "12".
    Exact,
    /// "about 12", "nearly 10,000", "dozens".
    Approximate,
    /// "at least 55", "more than 300,000".
    LowerBound,
    /// "up to 250,000", "fewer than 10".
    UpperBound,
    /// "12 to 15".
    Range,
}

impl Qualifier {
    /// The snake-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::Approximate => "approximate",
            Qualifier::LowerBound => "lower_bound",
            Qualifier::UpperBound => "upper_bound",
            Qualifier::Range => "range",
        }
    }
}

/// A number as the interval of values the text allows: `low == high` for an
/// exact figure, `high` infinite for "at least".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantity {
    /// The figure the text states ("55" in "at least 55"); none for a range
    /// or a vague plural.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Lowest value the text allows.
    pub low: f64,
    /// Highest value the text allows; `null` in JSON when there is no bound.
    #[serde(serialize_with = "finite_or_null")]
    pub high: f64,
    /// How the text qualified it.
    pub qualifier: Qualifier,
}

fn finite_or_null<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.serialize_none()
    }
}

/// The smallest step between two counts: "more than 10" starts at 11.
fn step(n: f64) -> f64 {
    if n.fract() == 0.0 {
        1.0
    } else {
        1e-9 * n.abs().max(1.0)
    }
}

impl Quantity {
    /// An exact number.
    pub fn exact(value: f64) -> Self {
        Quantity {
            value: Some(value),
            low: value,
            high: value,
            qualifier: Qualifier::Exact,
        }
    }

    /// "about `value`": give or take `tolerance` of it, and at least 1.
    pub fn approximate(value: f64, tolerance: f64) -> Self {
        let slack = (value.abs() * tolerance).max(1.0);
        Quantity {
            value: Some(value),
            low: (value - slack).max(0.0),
            high: value + slack,
            qualifier: Qualifier::Approximate,
        }
    }

    /// "at least `value`", or "more than `value`" when `strict`.
    pub fn at_least(value: f64, strict: bool) -> Self {
        Quantity {
            value: Some(value),
            low: if strict { value + step(value) } else { value },
            high: f64::INFINITY,
            qualifier: Qualifier::LowerBound,
        }
    }

    /// "up to `value`", or "fewer than `value`" when `strict`.
    pub fn at_most(value: f64, strict: bool) -> Self {
        Quantity {
            value: Some(value),
            low: 0.0,
            high: if strict {
                (value - step(value)).max(0.0)
            } else {
                value
            },
            qualifier: Qualifier::UpperBound,
        }
    }

    /// "`low` to `high`".
    pub fn range(low: f64, high: f64) -> Self {
        Quantity {
            value: None,
            low: low.min(high),
            high: low.max(high),
            qualifier: Qualifier::Range,
        }
    }

    /// True when both can be right: the intervals share a value.
    pub fn overlaps(&self, other: &Quantity) -> bool {
        self.low <= other.high && other.low <= self.high
    }

    /// The sum of two quantities ("four other children" and the subject):
    /// the intervals add; an exact addend keeps the other's qualifier.
    pub fn add(&self, other: &Quantity) -> Quantity {
        let value = match (self.value, other.value) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        let qualifier = match (self.qualifier, other.qualifier) {
            (Qualifier::Exact, q) | (q, Qualifier::Exact) => q,
            (a, b) if a == b => a,
            _ => Qualifier::Range,
        };
        Quantity {
            value: if qualifier == Qualifier::Range {
                None
            } else {
                value
            },
            low: self.low + other.low,
            high: self.high + other.high,
            qualifier,
        }
    }

    /// How tables show it, in symbols every language reads: `5`, `~12`,
    /// `≥55`, `>300000`, `≤20`, `<10`, `12–15`, `~24–99`.
    pub fn display(&self) -> String {
        let n = format_number;
        match (self.qualifier, self.value) {
            (Qualifier::Exact, Some(v)) => n(v),
            (Qualifier::Approximate, Some(v)) => format!("~{}", n(v)),
            (Qualifier::Approximate, None) => format!("~{}–{}", n(self.low), n(self.high)),
            (Qualifier::LowerBound, Some(v)) if self.low > v => format!(">{}", n(v)),
            (Qualifier::LowerBound, _) => format!("≥{}", n(self.value.unwrap_or(self.low))),
            (Qualifier::UpperBound, Some(v)) if self.high < v => format!("<{}", n(v)),
            (Qualifier::UpperBound, _) => format!("≤{}", n(self.value.unwrap_or(self.high))),
            _ if self.low == self.high => n(self.low),
            _ if self.high.is_infinite() => format!("≥{}", n(self.low)),
            _ => format!("{}–{}", n(self.low), n(self.high)),
        }
    }

    /// The figure that stands for it in a low/best/high summary: the stated
    /// number, or the low end of a range.
    pub fn figure(&self) -> f64 {
        self.value.unwrap_or(self.low)
    }

    /// The highest figure it states: the stated number, or the high end of
    /// a range (the low end when there is no high end).
    pub fn top_figure(&self) -> f64 {
        match self.value {
            Some(v) => v,
            None if self.high.is_finite() => self.high,
            None => self.low,
        }
    }
}

/// Splits a leading qualifier phrase off `lower` (which is lower case).
fn split_qualifier<'t>(lower: &'t str, lexicon: &Lexicon) -> (Option<(Qualifier, bool)>, &'t str) {
    for (phrase, qualifier, strict) in lexicon.numbers.qualifiers.all() {
        if let Some(rest) = lower.strip_prefix(phrase) {
            if rest.starts_with(' ') {
                return (Some((qualifier, strict)), rest.trim_start());
            }
        }
    }
    (None, lower)
}

/// Reads a quantity as written ("about 12", "at least 55", "12 to 15",
/// "between 3 and 5", "dozens", "five"). `tolerance` widens approximate
/// figures. `None` when the text holds no number.
pub fn parse_quantity(text: &str, lexicon: &Lexicon, tolerance: f64) -> Option<Quantity> {
    let lower = super::collapse_ws(&text.to_lowercase());
    let lower = lower.trim_matches(|c: char| ",;:".contains(c));
    let (qualifier, rest) = split_qualifier(lower, lexicon);
    let numbers = &lexicon.numbers;
    if let Some(&[low, high]) = numbers.vague.get(rest) {
        return Some(Quantity {
            value: None,
            low: low as f64,
            high: high as f64,
            qualifier: Qualifier::Approximate,
        });
    }
    // "between 3 and 5"
    for [open, join] in &numbers.range_pairs {
        if let Some(inner) = rest.strip_prefix(open.as_str()).map(str::trim_start) {
            if let Some((a, b)) = inner.split_once(&format!(" {join} ")) {
                return Some(Quantity::range(
                    parse_number(a, lexicon)?,
                    parse_number(b, lexicon)?,
                ));
            }
        }
    }
    // "12 to 15", "12-15", "12 – 15"; but "twenty-five" is one number, so
    // a dash makes a range only between digits.
    let mut splits: Vec<(String, bool)> = numbers
        .range_words
        .iter()
        .map(|w| (format!(" {w} "), false))
        .collect();
    splits.extend(["–", "—", "-"].map(|d| (d.to_string(), true)));
    for (split, digits) in &splits {
        if let Some((a, b)) = rest.split_once(split.as_str()) {
            let (a, b) = (a.trim(), b.trim());
            let digit_ends = a.ends_with(|c: char| c.is_ascii_digit())
                && b.starts_with(|c: char| c.is_ascii_digit());
            if *digits && !digit_ends {
                continue;
            }
            if let (Some(a), Some(b)) = (parse_number(a, lexicon), parse_number(b, lexicon)) {
                return Some(Quantity::range(a, b));
            }
        }
    }
    let number = parse_number(rest, lexicon)?;
    Some(qualify(number, qualifier, tolerance))
}

/// How many bytes at the end of `before` belong to the number that follows
/// it: a qualifier ("killing *at least* 55"), the low end of a range ("*12
/// to* 15 people", "*between 3 and* 5"), or both. Rules capture the number;
/// this widens the capture to what qualifies it, with the lexicon's words.
pub fn quantity_prefix(before: &str, lexicon: &Lexicon) -> usize {
    let numbers = &lexicon.numbers;
    let mut len = 0;
    // The low end of a range.
    let mut separators: Vec<(String, bool)> = numbers
        .range_words
        .iter()
        .map(|w| (format!(" {w} "), false))
        .collect();
    separators.extend([" – ", " - ", "–", "-", "—"].map(|d| (d.to_string(), true)));
    for (sep, dash) in &separators {
        let Some(head) = strip_suffix_ci(before, sep) else {
            continue;
        };
        if *dash && !head.ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if let Some(n) = number_suffix(head, lexicon) {
            let rest = head[..head.len() - n].trim_end();
            // "rose from 10 to 12" is a change, not a range.
            if last_word(&format!("{rest} "))
                .is_some_and(|w| numbers.change_words.contains(&w.to_lowercase()))
            {
                continue;
            }
            len = before.len() - head.len() + n;
            break;
        }
    }
    if len == 0 {
        for [open, join] in &numbers.range_pairs {
            let Some(head) = strip_suffix_ci(before, &format!(" {join} ")) else {
                continue;
            };
            let Some(n) = number_suffix(head, lexicon) else {
                continue;
            };
            let rest = &head[..head.len() - n];
            if let Some(opened) = strip_suffix_ci(rest, &format!("{open} ")) {
                if opened.is_empty() || opened.ends_with(|c: char| !c.is_alphanumeric()) {
                    len = before.len() - opened.len();
                    break;
                }
            }
        }
    }
    let rest = &before[..before.len() - len];
    for (phrase, _, _) in numbers.qualifiers.all() {
        if let Some(head) = strip_suffix_ci(rest, &format!("{phrase} ")) {
            if head.is_empty() || head.ends_with(|c: char| !c.is_alphanumeric()) {
                return before.len() - head.len();
            }
        }
    }
    len
}

/// `s` without `suffix` at its end, compared without case.
fn strip_suffix_ci<'t>(s: &'t str, suffix: &str) -> Option<&'t str> {
    let cut = s.len().checked_sub(suffix.len())?;
    if !s.is_char_boundary(cut) {
        return None;
    }
    (s[cut..].to_lowercase() == suffix.to_lowercase()).then(|| &s[..cut])
}

/// The length in bytes of the number at the end of `head` ("twenty-five",
/// "12", "three hundred"), when it ends with one.
fn number_suffix(head: &str, lexicon: &Lexicon) -> Option<usize> {
    let starts: Vec<usize> = head
        .char_indices()
        .filter(|&(i, c)| c != ' ' && (i == 0 || head[..i].ends_with(' ')))
        .map(|(i, _)| i)
        .collect();
    let first = starts.len().saturating_sub(4);
    for &start in &starts[first..] {
        if parse_number(&head[start..], lexicon).is_some() {
            return Some(head.len() - start);
        }
    }
    None
}

fn qualify(number: f64, qualifier: Option<(Qualifier, bool)>, tolerance: f64) -> Quantity {
    match qualifier {
        Some((Qualifier::Approximate, _)) => Quantity::approximate(number, tolerance),
        Some((Qualifier::LowerBound, strict)) => Quantity::at_least(number, strict),
        Some((Qualifier::UpperBound, strict)) => Quantity::at_most(number, strict),
        _ => Quantity::exact(number),
    }
}

/// A case-insensitive alternation of phrases, longest first; a space in a
/// phrase matches any run of white space.
fn phrase_alternation<'a>(phrases: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut phrases: Vec<&str> = phrases.collect();
    if phrases.is_empty() {
        return None;
    }
    phrases.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    phrases.dedup();
    let alts: Vec<String> = phrases
        .iter()
        .map(|p| {
            p.split_whitespace()
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"\s+")
        })
        .collect();
    Some(format!(r"(?i:\b(?:{})\b)", alts.join("|")))
}

/// The `{quantity}` placeholder: an optional qualifier, then a number, a
/// range of two numbers, or a vague plural ("dozens").
pub fn quantity_pattern(lexicon: &Lexicon) -> String {
    let numbers = &lexicon.numbers;
    let n = number_pattern(lexicon);
    let qualifiers = numbers.qualifiers.all();
    let mut core = Vec::new();
    for [open, join] in &numbers.range_pairs {
        core.push(format!(
            r"(?i:{})[ ]{n}[ ](?i:{})[ ]{n}",
            regex::escape(open),
            regex::escape(join)
        ));
    }
    let mut range = String::from(r"[ ]?[–—-][ ]?");
    if let Some(words) = phrase_alternation(numbers.range_words.iter().map(String::as_str)) {
        range = format!(r"(?:{range}|[ ]{words}[ ])");
    }
    core.push(format!(r"{n}(?:{range}{n})?"));
    if let Some(vague) = phrase_alternation(numbers.vague.keys().map(String::as_str)) {
        core.push(vague);
    }
    let core = core.join("|");
    match phrase_alternation(qualifiers.iter().map(|(p, _, _)| *p)) {
        Some(q) => format!(r"(?:(?:{q})[ ])?(?:{core})"),
        None => format!(r"(?:{core})"),
    }
}

/// One quantity found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// The text, as written ("more than 300,000").
    pub text: String,
    /// Byte offset of its start.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// What it means.
    pub quantity: Quantity,
    /// The word it counts ("children", "year"), lower case, when one follows.
    pub unit: Option<String>,
}

/// Finds the quantities of one language in texts.
#[derive(Debug, Clone)]
pub struct Scanner {
    regex: Regex,
    phone: Regex,
    clock_after: Regex,
    lexicon: Lexicon,
}

impl Scanner {
    /// Builds the scanner for a language; fails only on a lexicon whose
    /// words make a bad regex.
    pub fn new(lexicon: &Lexicon) -> Result<Scanner, String> {
        let build = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        // Markers like "p.m." end in a dot, after which `\b` cannot match.
        let mut markers: Vec<String> = lexicon
            .clock_markers
            .keys()
            .map(|m| {
                let escaped = regex::escape(m);
                if m.ends_with(|c: char| c.is_alphanumeric()) {
                    format!("{escaped}\\b")
                } else {
                    escaped
                }
            })
            .collect();
        markers.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let markers = if markers.is_empty() {
            "(?:[^\\s\\S])".to_string()
        } else {
            format!("(?i:{})", markers.join("|"))
        };
        Ok(Scanner {
            regex: build(&quantity_pattern(lexicon))?,
            phone: build(
                r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\b\d{3}(?:[ .]|\s?-\s?)\d{3,4}(?:(?:[ .]|\s?-\s?)\d{4})?\b",
            )?,
            clock_after: build(&format!(
                r"^(?:\s?[:]\s?\d{{2}}|\s?[.]\d{{2}}\s?{markers}|\s?{markers})"
            ))?,
            lexicon: lexicon.clone(),
        })
    }

    /// Every quantity in `text`, in order, identifiers and dates left out.
    pub fn scan(&self, text: &str) -> Vec<Found> {
        let phones: Vec<(usize, usize)> = self
            .phone
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .filter(|&(s, e)| text[s..e].chars().filter(char::is_ascii_digit).count() >= 7)
            .collect();
        let mut out = Vec::new();
        for m in self.regex.find_iter(text) {
            let (start, end) = (m.start(), m.end());
            if phones.iter().any(|&(s, e)| s < end && start < e) {
                continue;
            }
            let Some(quantity) = parse_quantity(m.as_str(), &self.lexicon, DEFAULT_TOLERANCE)
            else {
                continue;
            };
            if self.is_identifier(text, start, end, &quantity) {
                continue;
            }
            out.push(Found {
                text: m.as_str().to_string(),
                start,
                end,
                quantity,
                unit: self.unit_after(
                    &text[end..],
                    quantity.value.is_none() && quantity.qualifier == Qualifier::Approximate,
                ),
            });
        }
        out
    }

    /// True when the number at `start..end` names something rather than
    /// counting it: a code (M10, 3G, COVID-19, 21st), a clock time, a date,
    /// a year, or a number after an identifier word or a capitalised name
    /// ("Section 427", "Flight 9525").
    fn is_identifier(&self, text: &str, start: usize, end: usize, q: &Quantity) -> bool {
        let before = &text[..start];
        let after = &text[end..];
        let prev = before.chars().next_back();
        let next = after.chars().next();
        if prev.is_some_and(char::is_alphanumeric) || next.is_some_and(char::is_alphanumeric) {
            return true;
        }
        // "COVID-19", "F-16": letters, a hyphen, digits.
        if prev == Some('-')
            && before[..before.len() - 1]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic)
        {
            return true;
        }
        if self.clock_after.is_match(after) || before.trim_end().ends_with(':') {
            return true;
        }
        // "877-LAPD": digits, a hyphen, a code in capitals.
        if after.starts_with('-') && after[1..].chars().next().is_some_and(char::is_uppercase) {
            return true;
        }
        let matched = &text[start..end];
        // A bare four-digit number between 1800 and 2100 is a year, and so
        // is a range that starts with one ("1991 and 1998", "2008-09").
        let first: String = matched
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let starts_with_year = first.len() == 4
            && first
                .parse::<u32>()
                .is_ok_and(|y| (1800..=2100).contains(&y))
            && !matched[matched.find(&first).unwrap_or(0) + 4..].starts_with([',', '.']);
        if starts_with_year && matches!(q.qualifier, Qualifier::Exact | Qualifier::Range) {
            return true;
        }
        let prev_word = last_word(before);
        let next_word = first_word(after);
        if next_word.is_some_and(|w| {
            self.lexicon
                .numbers
                .identifier_words_after
                .contains(&w.to_lowercase())
        }) {
            return true;
        }
        let months = &self.lexicon.numbers.months;
        if prev_word.is_some_and(|w| months.contains(&w.to_lowercase()))
            || next_word.is_some_and(|w| months.contains(&w.to_lowercase()))
        {
            return true;
        }
        if let Some(word) = prev_word {
            if self
                .lexicon
                .numbers
                .identifier_words
                .contains(&word.to_lowercase())
            {
                return true;
            }
            // "Flight 9525", "Apollo 11": a capitalised word right before
            // digits, in the middle of a sentence.
            let starts_with_digit = matched.starts_with(|c: char| c.is_ascii_digit());
            if starts_with_digit
                && word.chars().next().is_some_and(char::is_uppercase)
                && !self.is_function_word(word)
            {
                return true;
            }
        }
        false
    }

    /// True for a word that may stand before a count ("The 12 victims",
    /// "Another 12 people", "About 12"): a function word, a qualifier's
    /// last word or a number word.
    fn is_function_word(&self, word: &str) -> bool {
        let w = word.to_lowercase();
        let n = &self.lexicon.numbers;
        self.lexicon.continuation_words.contains(&w)
            || self.lexicon.topic_stopwords.contains(&w)
            || n.unit_skip.contains(&w)
            || n.units.contains_key(&w)
            || n.scales.contains_key(&w)
            || n.qualifiers
                .all()
                .iter()
                .any(|(p, _, _)| p.split(' ').next_back() == Some(w.as_str()))
    }

    /// The counted word after a number: skips `unit_skip` words ("other",
    /// "of"); none when a function word or punctuation follows.
    fn unit_after(&self, after: &str, vague: bool) -> Option<String> {
        let mut rest = after
            .strip_prefix(" - ")
            .or_else(|| after.strip_prefix(['-', ' ']))?;
        let mut skipped = false;
        for _ in 0..4 {
            let len: usize = rest
                .chars()
                .take_while(|c| c.is_alphabetic())
                .map(char::len_utf8)
                .sum();
            if len == 0 {
                return None;
            }
            let lower = rest[..len].to_lowercase();
            if self.lexicon.numbers.unit_skip.contains(&lower)
                || (vague && self.lexicon.numbers.vague_unit_words.contains(&lower))
            {
                rest = rest[len..].strip_prefix(['-', ' '])?;
                skipped = true;
                continue;
            }
            let numbers = &self.lexicon.numbers;
            if vague && !skipped && !numbers.vague_unit_words.is_empty() {
                return None;
            }
            if numbers.units.contains_key(&lower) || numbers.scales.contains_key(&lower) {
                return None;
            }
            if self.lexicon.continuation_words.contains(&lower) {
                return None;
            }
            return Some(lower);
        }
        None
    }
}

/// The word just before `before`'s end, when only spaces (or an
/// abbreviation's dot) separate it from the number.
fn last_word(before: &str) -> Option<&str> {
    let trimmed = before.trim_end_matches(' ');
    if trimmed.len() == before.len() && !before.is_empty() {
        return None;
    }
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map(|(i, _)| i)?;
    Some(&trimmed[start..])
}

/// The word right after a number, past one space.
fn first_word(after: &str) -> Option<&str> {
    let rest = after.strip_prefix(' ')?;
    let len: usize = rest
        .chars()
        .take_while(|c| c.is_alphabetic())
        .map(char::len_utf8)
        .sum();
    (len > 0).then(|| &rest[..len])
}
