//! Normalize: turns the text a rule captured into a typed, comparable value.
//!
//! Each value keeps three forms: `display` (what the table shows: "5",
//! "M10", "Omran Daqneesh"), `spelling` (as written, white space folded: two
//! spellings of one value make a `variant`), and `key` (what compares equal:
//! case, accents, British/American spelling, articles and name particles
//! folded away). Numbers also carry a [`Quantity`], an interval with a
//! qualifier, so that "about 12" and "at least 55" can be compared as
//! intervals. Every word list comes from the lexicon in `rules/lang/`.
//!
//! Input comes from `extract`; `compare` groups values by `key`.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::rules::{Lexicon, ValueType};

mod quantity;
pub use quantity::{
    parse_quantity, quantity_pattern, quantity_prefix, Found, Qualifier, Quantity, Scanner,
    DEFAULT_TOLERANCE,
};

/// A normalized value of a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// The kind's value type.
    pub value_type: ValueType,
    /// What tables and JSON show.
    pub display: String,
    /// The text as written, white space folded.
    pub spelling: String,
    /// Values with equal keys are the same value.
    pub key: String,
    /// For counts and ages: the number as an interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    /// For names, places and organisations: the folded tokens of `key`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<String>,
}

/// Normalizes captured text as a value of `value_type`; `tolerance` widens
/// approximate counts ("about 12"). Returns `None` when the text is not a
/// value of that type (a count that is no number).
pub fn normalize(
    raw: &str,
    value_type: ValueType,
    lexicon: &Lexicon,
    tolerance: f64,
) -> Option<Value> {
    let spelling = collapse_ws(raw.trim().trim_matches(|c: char| ",;:".contains(c)));
    if spelling.is_empty() {
        return None;
    }
    let mut value = Value {
        value_type,
        display: spelling.clone(),
        spelling: spelling.clone(),
        key: String::new(),
        quantity: None,
        tokens: Vec::new(),
    };
    match value_type {
        ValueType::Count | ValueType::Age => {
            let quantity = parse_quantity(&spelling, lexicon, tolerance)?;
            value.display = quantity.display();
            value.key = value.display.clone();
            value.spelling = value.display.clone();
            value.quantity = Some(quantity);
        }
        ValueType::Day => {
            let lower = spelling.to_lowercase();
            let canonical = lexicon.weekdays.get(&lower)?;
            value.display = canonical.clone();
            value.key = canonical.to_lowercase();
            value.spelling = value.display.clone();
        }
        ValueType::TimeOfDay => {
            let (display, key) = time_of_day(&spelling, lexicon)?;
            value.display = display;
            value.key = key;
            value.spelling = value.display.clone();
        }
        ValueType::Code => {
            value.key = fold_text(&spelling).replace(' ', "");
            value.display = spelling.clone();
        }
        ValueType::Name
        | ValueType::Place
        | ValueType::Organisation
        | ValueType::Text
        | ValueType::Date => {
            let display = strip_leading_article(&spelling, lexicon);
            let tokens = key_tokens(&display, lexicon);
            if tokens.is_empty() {
                return None;
            }
            value.key = tokens.join(" ");
            value.tokens = tokens;
            value.display = display.clone();
            value.spelling = display;
        }
    }
    Some(value)
}

/// White space runs (line breaks included) become one space.
pub fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower case, accents removed, punctuation to spaces, white space collapsed.
pub fn fold_text(s: &str) -> String {
    let lowered: String = s
        .nfd()
        .filter(|c| unicode_normalization::char::canonical_combining_class(*c) == 0)
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    collapse_ws(&lowered)
}

fn strip_leading_article(s: &str, lexicon: &Lexicon) -> String {
    if let Some((first, rest)) = s.split_once(' ') {
        if lexicon.articles.contains(&first.to_lowercase()) && !rest.is_empty() {
            return rest.to_string();
        }
    }
    s.to_string()
}

/// The comparison tokens of a name, place or organisation: folded, with
/// spelling variants mapped to one form and name particles dropped.
pub fn key_tokens(s: &str, lexicon: &Lexicon) -> Vec<String> {
    let mut out = Vec::new();
    for word in s.split_whitespace() {
        let mut word = word.to_lowercase();
        for particle in &lexicon.name_particles {
            if particle.ends_with('-') {
                if let Some(rest) = word.strip_prefix(particle.as_str()) {
                    if !rest.is_empty() {
                        word = rest.to_string();
                    }
                }
            }
        }
        if lexicon
            .name_particles
            .iter()
            .any(|p| p.trim_end_matches('-') == word)
        {
            continue;
        }
        for token in fold_text(&word).split(' ').filter(|t| !t.is_empty()) {
            let token = lexicon
                .spelling_variants
                .get(token)
                .cloned()
                .unwrap_or_else(|| token.to_string());
            out.push(token);
        }
    }
    out
}

/// Reads a number written in digits ("300,000", "2.5 million") or words
/// ("five", "twenty-five", "three hundred", "a dozen").
pub fn parse_number(s: &str, lexicon: &Lexicon) -> Option<f64> {
    let numbers = &lexicon.numbers;
    let lower = collapse_ws(&s.to_lowercase());
    if let Some(&v) = numbers.phrases.get(&lower) {
        return Some(v as f64);
    }
    // A phrase, then scale words: "a hundred billion".
    if let Some((phrase, &v)) = numbers
        .phrases
        .iter()
        .filter(|(p, _)| lower.starts_with(&format!("{p} ")))
        .max_by_key(|(p, _)| p.len())
    {
        let mut total = v as f64;
        for word in lower[phrase.len()..].split_whitespace() {
            total *= *numbers.scales.get(word)? as f64;
        }
        return Some(total);
    }
    let thousands = numbers.thousands_separator.as_deref().unwrap_or(",");
    let decimal = numbers.decimal_separator.as_deref().unwrap_or(".");
    // "1 500" with a space separator is one number: join digit groups first.
    let lower = if thousands.contains(' ') {
        join_digit_groups(&lower)
    } else {
        lower
    };
    let mut total = 0f64;
    let mut current = 0f64;
    let mut seen = false;
    for word in lower.split([' ', '-']).filter(|w| !w.is_empty()) {
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            let plain: String = word.chars().filter(|c| !thousands.contains(*c)).collect();
            let plain = plain.replace(decimal, ".");
            current += plain.parse::<f64>().ok()?;
            seen = true;
        } else if let Some(&v) = numbers.units.get(word) {
            current += v as f64;
            seen = true;
        } else if let Some(&scale) = numbers.scales.get(word) {
            let scale = scale as f64;
            if scale < 1000.0 {
                current = current.max(1.0) * scale;
            } else {
                total += current.max(1.0) * scale;
                current = 0.0;
            }
            seen = true;
        } else if numbers.joiners.iter().any(|j| j == word) {
            continue;
        } else {
            return None;
        }
    }
    seen.then_some(total + current)
}

/// Joins digit groups split by spaces ("1 500 000" → "1500000"): a group of
/// exactly three digits after a number continues it.
fn join_digit_groups(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for word in s.split(' ') {
        let continues = word.len() == 3
            && word.chars().all(|c| c.is_ascii_digit())
            && out
                .last()
                .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
        match out.last_mut() {
            Some(last) if continues => last.push_str(word),
            _ => out.push(word.to_string()),
        }
    }
    out.join(" ")
}

/// A number for display: no decimals for whole numbers.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Reads a time of day: a clock time ("10:30 pm" → "22:30") or a part of the
/// day from the lexicon ("late evening" → "evening").
fn time_of_day(s: &str, lexicon: &Lexicon) -> Option<(String, String)> {
    let lower = s.to_lowercase();
    if lower.starts_with(|c: char| c.is_ascii_digit()) {
        // Hours, then optionally a separator (":", ".", French "h") and two
        // digits of minutes, then perhaps a marker ("pm").
        let hour_len = lower.chars().take_while(char::is_ascii_digit).count();
        let mut hour: u32 = lower[..hour_len].parse().ok()?;
        let mut rest = &lower[hour_len..];
        let mut minute = 0;
        let default_separators = [":".to_string(), ".".to_string()];
        let separators = if lexicon.clock_separators.is_empty() {
            &default_separators[..]
        } else {
            &lexicon.clock_separators[..]
        };
        for separator in separators {
            if let Some(after) = rest.strip_prefix(separator.as_str()) {
                let digits = after.chars().take_while(char::is_ascii_digit).count();
                if digits == 2 {
                    minute = after[..2].parse().ok()?;
                    rest = &after[2..];
                } else if digits == 0 {
                    rest = after;
                }
                break;
            }
        }
        let suffix = collapse_ws(rest.trim());
        if let Some(marker) = lexicon.clock_markers.get(&suffix) {
            if marker == "pm" && hour < 12 {
                hour += 12;
            } else if marker == "am" && hour == 12 {
                hour = 0;
            }
        }
        if hour > 23 || minute > 59 {
            return None;
        }
        let t = format!("{hour:02}:{minute:02}");
        return Some((t.clone(), t));
    }
    for word in lower.split_whitespace().rev() {
        if let Some(period) = lexicon.day_periods.get(word) {
            return Some((period.clone(), period.clone()));
        }
    }
    None
}

/// The minutes of the day a time-of-day key covers, as one or two ranges
/// `[start, end)` (a night runs over midnight). `None` when the lexicon gives
/// no hours for a part of the day.
pub fn time_ranges(key: &str, lexicon: &Lexicon) -> Option<Vec<(u32, u32)>> {
    if let Some((h, m)) = key.split_once(':') {
        let minute = h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?;
        return Some(vec![(minute, minute + 1)]);
    }
    let [start, end] = *lexicon.period_hours.get(key)?;
    let (start, end) = (start.min(24) * 60, end.min(24) * 60);
    Some(if start <= end {
        vec![(start, end)]
    } else {
        vec![(start, 24 * 60), (0, end)]
    })
}

/// True when two times of day can both be right: equal clock times, a clock
/// time inside a part of the day, or overlapping parts of the day. A part of
/// the day without hours in the lexicon is compatible with anything.
pub fn times_compatible(a: &str, b: &str, lexicon: &Lexicon) -> bool {
    match (time_ranges(a, lexicon), time_ranges(b, lexicon)) {
        (Some(x), Some(y)) => x
            .iter()
            .any(|&(s1, e1)| y.iter().any(|&(s2, e2)| s1 < e2 && s2 < e1)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn lex() -> Lexicon {
        RuleSet::builtin_shared()
            .expect("rules")
            .lexicon("en")
            .expect("en")
            .clone()
    }

    #[test]
    fn number_words_and_digits_are_one_value() {
        let l = lex();
        for (text, want) in [
            ("five", 5.0),
            ("Five", 5.0),
            ("5", 5.0),
            ("300,000", 300_000.0),
            ("twenty-five", 25.0),
            ("three hundred", 300.0),
            ("one hundred and twenty", 120.0),
            ("2.5 million", 2_500_000.0),
            ("a dozen", 12.0),
            ("two thousand five hundred", 2500.0),
        ] {
            assert_eq!(parse_number(text, &l), Some(want), "{text}");
        }
        assert_eq!(parse_number("several", &l), None);
    }

    #[test]
    fn counts_display_as_digits() {
        let l = lex();
        let v = normalize("Four", ValueType::Count, &l, DEFAULT_TOLERANCE).expect("a count");
        assert_eq!((v.display.as_str(), v.key.as_str()), ("4", "4"));
        assert_eq!(v.quantity, Some(Quantity::exact(4.0)));
    }

    #[test]
    fn spelling_variants_share_a_key_but_not_a_spelling() {
        let l = lex();
        let a = normalize(
            "Aleppo Media Centre",
            ValueType::Organisation,
            &l,
            DEFAULT_TOLERANCE,
        )
        .expect("org");
        let b = normalize(
            "the Aleppo Media Center",
            ValueType::Organisation,
            &l,
            DEFAULT_TOLERANCE,
        )
        .expect("org");
        assert_eq!(a.key, b.key);
        assert_ne!(a.spelling, b.spelling);
        assert_eq!(b.display, "Aleppo Media Center");
    }

    #[test]
    fn name_particles_and_accents_fold() {
        let l = lex();
        let a = normalize("al-Qaterji", ValueType::Place, &l, DEFAULT_TOLERANCE).expect("place");
        let b = normalize("Qaterji", ValueType::Place, &l, DEFAULT_TOLERANCE).expect("place");
        assert_eq!(a.key, b.key);
        let c = normalize("Qatérji", ValueType::Place, &l, DEFAULT_TOLERANCE).expect("place");
        assert_eq!(c.key, b.key);
    }

    #[test]
    fn codes_compare_exactly() {
        let l = lex();
        let a = normalize("M10", ValueType::Code, &l, DEFAULT_TOLERANCE).expect("code");
        let b = normalize("M2", ValueType::Code, &l, DEFAULT_TOLERANCE).expect("code");
        assert_ne!(a.key, b.key);
    }

    #[test]
    fn days_and_times() {
        let l = lex();
        assert_eq!(
            normalize("wednesday", ValueType::Day, &l, DEFAULT_TOLERANCE).map(|v| v.display),
            Some("Wednesday".into())
        );
        assert_eq!(
            normalize("10:30 pm", ValueType::TimeOfDay, &l, DEFAULT_TOLERANCE).map(|v| v.key),
            Some("22:30".into())
        );
        assert_eq!(
            normalize(
                "middle of the night",
                ValueType::TimeOfDay,
                &l,
                DEFAULT_TOLERANCE
            )
            .map(|v| v.key),
            Some("night".into())
        );
    }

    #[test]
    fn clock_times_read_with_the_lexicon_separators() {
        let mut l = lex();
        assert_eq!(
            normalize("22.30", ValueType::TimeOfDay, &l, DEFAULT_TOLERANCE).map(|v| v.key),
            Some("22:30".into())
        );
        assert_eq!(
            normalize("9 a.m.", ValueType::TimeOfDay, &l, DEFAULT_TOLERANCE).map(|v| v.key),
            Some("09:00".into())
        );
        l.clock_separators = vec!["h".into(), ":".into()];
        assert_eq!(
            normalize("21h30", ValueType::TimeOfDay, &l, DEFAULT_TOLERANCE).map(|v| v.key),
            Some("21:30".into())
        );
        assert_eq!(
            normalize("15h", ValueType::TimeOfDay, &l, DEFAULT_TOLERANCE).map(|v| v.key),
            Some("15:00".into())
        );
    }

    #[test]
    fn space_grouped_thousands_when_the_lexicon_allows_them() {
        let mut l = lex();

        l.numbers.thousands_separator = Some(". ".into());
        l.numbers.decimal_separator = Some(",".into());
        assert_eq!(parse_number("1 500", &l), Some(1500.0));
        assert_eq!(parse_number("5.000", &l), Some(5000.0));
        assert_eq!(parse_number("2,5 million", &l), Some(2_500_000.0));
    }

    #[test]
    fn times_compare_as_ranges_of_the_day() {
        let l = lex();
        assert!(times_compatible("17:30", "afternoon", &l));
        assert!(times_compatible("evening", "night", &l));
        assert!(times_compatible("01:00", "night", &l));
        assert!(!times_compatible("09:00", "night", &l));
        assert!(!times_compatible("morning", "night", &l));
        assert!(!times_compatible("17:30", "17:45", &l));
    }

    #[test]
    fn qualified_numbers_are_intervals() {
        let l = lex();
        let q = |t: &str| parse_quantity(t, &l, DEFAULT_TOLERANCE).expect(t);
        assert!(q("about 12").overlaps(&q("12")));
        assert!(q("about 12").overlaps(&q("around 12")));
        assert!(q("at least 55").overlaps(&q("57")));
        assert!(!q("at least 55").overlaps(&q("40")));
        assert!(!q("more than 300,000").overlaps(&q("300,000")));
        assert_eq!(q("12 to 15"), Quantity::range(12.0, 15.0));
        assert_eq!(q("between 3 and 5"), Quantity::range(3.0, 5.0));
        assert_eq!(q("12-15").display(), "12–15");
        assert_eq!(q("more than 300,000").display(), ">300000");
        assert_eq!(q("at least 55").display(), "≥55");
        assert_eq!(q("fewer than 10").display(), "<10");
        assert_eq!(q("up to 20").display(), "≤20");
        assert_eq!(q("dozens").display(), "~24–99");
        assert_eq!(q("twenty-five"), Quantity::exact(25.0));
        assert_eq!(q("quarter of a million"), Quantity::exact(250_000.0));
        assert!(!q("about 12").overlaps(&q("15")));
    }

    #[test]
    fn parts_add_as_intervals() {
        let l = lex();
        let q = |t: &str| parse_quantity(t, &l, DEFAULT_TOLERANCE).expect(t);
        assert_eq!(q("four").add(&Quantity::exact(1.0)), Quantity::exact(5.0));
        let at_least = q("at least 4").add(&Quantity::exact(1.0));
        assert_eq!((at_least.display().as_str(), at_least.low), ("≥5", 5.0));
    }

    #[test]
    fn the_scanner_skips_identifiers_dates_and_times() {
        let l = lex();
        let scanner = Scanner::new(&l).expect("scanner");
        let found = |t: &str| -> Vec<String> {
            scanner
                .scan(t)
                .iter()
                .map(|f| {
                    format!(
                        "{} {}",
                        f.quantity.display(),
                        f.unit.clone().unwrap_or_default()
                    )
                })
                .collect()
        };
        assert_eq!(found("Four other children were hurt."), ["4 children"]);
        assert_eq!(found("more than 300,000 Syrians"), [">300000 syrians"]);
        assert_eq!(found("a five-year-old boy"), ["5 year"]);
        for none in [
            "Section 427 of the law",
            "taken to the M10 hospital",
            "Flight 9525 crashed",
            "call 555-1234 now",
            "at 8:30 pm",
            "at 8 : 30pm",
            "in 2008 the bank",
            "on August 17, the boy",
            "No. 3 was",
            "COVID-19 cases",
            "the 21st of May",
        ] {
            assert!(found(none).is_empty(), "{none}: {:?}", found(none));
        }
    }
}
