//! The literal prefilter: which of many patterns could match in which
//! sentences, from one pass over a document.
//!
//! Most claim patterns match nowhere in most sentences. Running each regex
//! over each sentence (or even over each whole document) costs one pass per
//! pattern; a news archive has hundreds of patterns per language. Instead,
//! every pattern is read (as a syntax tree, at compile time) for the words it
//! cannot match without: "injured" or "wounded" or "hurt", and "children" or
//! "kids". One Aho-Corasick automaton over all those words finds them in a
//! document in a single pass, and a pattern is run only on the sentences that
//! hold one word of each of its required sets.
//!
//! The filter is only ever a *necessary* condition: a sentence it lets
//! through may still not match, and a pattern it cannot read (no required
//! word) is run everywhere, as before. Words are matched without regard to
//! ASCII case, a superset of any case-insensitive pattern; the two non-ASCII
//! characters that Unicode case-folds to ASCII letters (KELVIN SIGN, LATIN
//! SMALL LETTER LONG S) switch the filter off for a document that has them.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_syntax::ast::{self, Ast};

/// Non-ASCII characters that a case-insensitive regex matches for an ASCII
/// letter (`(?i)k` matches U+212A, `(?i)s` matches U+017F).
const FOLDS_TO_ASCII: [char; 2] = ['\u{212A}', '\u{017F}'];

/// A required word shorter than this is too common to be worth a set of
/// its own (unless it is all a pattern has).
const MIN_USEFUL: usize = 3;

/// At most this many required sets per pattern: the most selective first.
const MAX_SETS: usize = 4;

/// Which patterns may match in which spans of a text.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    /// Every required word, lower-cased, matched ASCII-case-insensitively;
    /// `None` when no pattern has a required word.
    automaton: Option<AhoCorasick>,
    /// For each word of the automaton, the sets it belongs to.
    word_sets: Vec<Vec<usize>>,
    /// The number of distinct sets.
    sets: usize,
    /// For each pattern, the sets of which it needs one word each; empty:
    /// the pattern is run everywhere.
    patterns: Vec<Vec<usize>>,
}

/// Where each pattern of a [`Prefilter`] may match in one text.
#[derive(Debug, Clone)]
pub struct Candidates {
    /// For each pattern, the indexes of the spans to run it on (ascending);
    /// `None`: every span.
    per_pattern: Vec<Option<Vec<usize>>>,
}

impl Candidates {
    /// The spans pattern `index` may match in (`None`: all of them).
    pub fn spans(&self, index: usize) -> Option<&[usize]> {
        self.per_pattern.get(index).and_then(|s| s.as_deref())
    }
}

impl Prefilter {
    /// A prefilter for patterns with these required words (see
    /// [`required_words`]), in their order.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a Required>) -> Prefilter {
        let mut words: BTreeMap<String, usize> = BTreeMap::new();
        let mut set_ids: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
        let mut per_pattern = Vec::new();
        for sets in patterns {
            let mut ids = Vec::new();
            for set in sets {
                let mut members: Vec<usize> = set
                    .iter()
                    .map(|w| {
                        let next = words.len();
                        *words.entry(w.clone()).or_insert(next)
                    })
                    .collect();
                members.sort_unstable();
                members.dedup();
                let next = set_ids.len();
                ids.push(*set_ids.entry(members).or_insert(next));
            }
            ids.sort_unstable();
            ids.dedup();
            per_pattern.push(ids);
        }
        let mut by_id: Vec<&str> = vec![""; words.len()];
        for (word, &id) in &words {
            by_id[id] = word;
        }
        let mut word_sets = vec![Vec::new(); words.len()];
        for (members, &set) in &set_ids {
            for &w in members {
                word_sets[w].push(set);
            }
        }
        let automaton = if by_id.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&by_id)
                .ok()
        };
        // An automaton that cannot be built (it never fails for plain words)
        // leaves every pattern to run everywhere.
        if automaton.is_none() {
            per_pattern.iter_mut().for_each(Vec::clear);
        }
        Prefilter {
            automaton,
            word_sets,
            sets: set_ids.len(),
            patterns: per_pattern,
        }
    }

    /// Where each pattern may match in `text`, among `spans` (byte ranges of
    /// `text`, ascending and not overlapping): a span is a candidate for a
    /// pattern when it holds a word of each of the pattern's sets.
    pub fn candidates(&self, text: &str, spans: &[(usize, usize)]) -> Candidates {
        let all = || Candidates {
            per_pattern: vec![None; self.patterns.len()],
        };
        let Some(automaton) = &self.automaton else {
            return all();
        };
        if text.contains(FOLDS_TO_ASCII) {
            return all();
        }
        let mut set_spans: Vec<Vec<usize>> = vec![Vec::new(); self.sets];
        for m in automaton.find_overlapping_iter(text) {
            let i = spans.partition_point(|&(_, end)| end <= m.start());
            let Some(&(start, end)) = spans.get(i) else {
                continue;
            };
            if m.start() < start || m.end() > end {
                continue;
            }
            for &set in &self.word_sets[m.pattern().as_usize()] {
                let list = &mut set_spans[set];
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        // Overlapping matches come by end position: sort each list once.
        for list in &mut set_spans {
            list.sort_unstable();
            list.dedup();
        }
        let per_pattern = self
            .patterns
            .iter()
            .map(|sets| {
                let (first, rest) = sets.split_first()?;
                let mut spans = set_spans[*first].clone();
                for set in rest {
                    let other = &set_spans[*set];
                    spans.retain(|s| other.binary_search(s).is_ok());
                }
                Some(spans)
            })
            .collect();
        Candidates { per_pattern }
    }
}

/// What a piece of a pattern needs in the text: a conjunction of sets of
/// words (one word of each set must occur). Empty: nothing known.
pub type Required = Vec<Vec<String>>;

/// The words a pattern cannot match without, read from its syntax tree (the
/// cheap parse, before any compiling): at most a few sets, the most
/// selective first. Case flags do not matter, as words are matched without
/// regard to ASCII case; a non-ASCII letter ends a word, as `(?i)é` also
/// matches `É`.
pub fn required_words(ast: &Ast) -> Required {
    chosen(required(ast))
}

/// The character a literal stands for in a word: ASCII only, lower-cased.
fn letter(lit: &ast::Literal) -> Option<char> {
    lit.c.is_ascii().then(|| lit.c.to_ascii_lowercase())
}

/// The shortest word of a set: how selective the set is.
fn strength(set: &[String]) -> usize {
    set.iter().map(String::len).min().unwrap_or(0)
}

/// The sets worth keeping: the most selective few, or the best one.
fn chosen(mut sets: Required) -> Required {
    sets.retain(|s| strength(s) > 0);
    sets.sort_by(|a, b| {
        strength(b)
            .cmp(&strength(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
    sets.dedup();
    let useful = sets.iter().filter(|s| strength(s) >= MIN_USEFUL).count();
    let keep = if useful > 0 {
        useful.min(MAX_SETS)
    } else {
        1.min(sets.len())
    };
    sets.truncate(keep);
    sets
}

/// Ends a run of literal text as a set of its own. Spaces at its ends are
/// trimmed: any part of a required text is required, and a bare word is
/// more often shared between patterns.
fn flush(run: &mut String, sets: &mut Required) {
    let word = run.trim();
    if !word.is_empty() {
        sets.push(vec![word.to_string()]);
    }
    run.clear();
}

/// The words a match of `ast` cannot do without (unchosen).
pub(crate) fn required(node: &Ast) -> Required {
    match node {
        Ast::Literal(lit) => letter(lit)
            .map(|c| vec![vec![c.to_string()]])
            .unwrap_or_default(),
        Ast::Group(group) => required(&group.ast),
        Ast::Repetition(rep) => {
            let min = match rep.op.kind {
                ast::RepetitionKind::OneOrMore => 1,
                ast::RepetitionKind::Range(ast::RepetitionRange::Exactly(n))
                | ast::RepetitionKind::Range(ast::RepetitionRange::AtLeast(n))
                | ast::RepetitionKind::Range(ast::RepetitionRange::Bounded(n, _)) => n,
                _ => 0,
            };
            if min > 0 {
                required(&rep.ast)
            } else {
                Vec::new()
            }
        }
        Ast::Concat(concat) => {
            let mut sets = Vec::new();
            let mut run = String::new();
            for item in &concat.asts {
                match item {
                    // A flag group like `(?i)` changes no text.
                    Ast::Flags(_) => {}
                    Ast::Literal(lit) => match letter(lit) {
                        Some(c) => run.push(c),
                        None => flush(&mut run, &mut sets),
                    },
                    _ => {
                        flush(&mut run, &mut sets);
                        sets.extend(required(item));
                    }
                }
            }
            flush(&mut run, &mut sets);
            sets
        }
        Ast::Alternation(alt) => {
            let mut union = Vec::new();
            for branch in &alt.asts {
                // Each branch must bring a word; the best set of each,
                // together, is one set of the alternation.
                let Some(set) = chosen(required(branch)).into_iter().next() else {
                    return Vec::new();
                };
                union.extend(set);
            }
            union.sort();
            union.dedup();
            vec![union]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(pattern: &str) -> Required {
        let ast = ast::parse::Parser::new().parse(pattern).expect("parses");
        let mut sets = required_words(&ast);
        sets.sort();
        sets
    }

    fn filter(patterns: &[&str]) -> Prefilter {
        let sets: Vec<Required> = patterns.iter().map(|p| sets(p)).collect();
        Prefilter::new(&sets)
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn words_are_read_from_groups_alternations_and_flags() {
        assert_eq!(
            sets(r"(?P<value>\d+) (?i:children|kids) (?i)were (?:injured|hurt)"),
            vec![
                words(&["children", "kids"]),
                words(&["hurt", "injured"]),
                words(&["were"]),
            ]
        );
        assert_eq!(sets(r"Hospital{1,2}"), vec![words(&["hospita"])]);
        // A non-ASCII letter ends a word: (?i)é is also É.
        assert_eq!(sets(r"(?i)niños"), vec![words(&["ni"])]);
    }

    #[test]
    fn optional_parts_and_open_branches_require_nothing() {
        assert_eq!(sets(r"(?:hospital)?\d+"), Required::new());
        assert_eq!(sets(r"(?:hospital|\d+) x"), vec![words(&["x"])]);
        assert_eq!(sets(r"\p{Lu}\w+"), Required::new());
    }

    #[test]
    fn candidates_are_the_sentences_with_a_word_of_each_set() {
        let filter = filter(&[
            r"(?i:injured|hurt) (?i:children)",
            r"\p{Lu}\w+",
            r"(?i:hospital)",
        ]);
        let text = "Five CHILDREN were hurt. A hospital. Children only.";
        let spans = [(0, 24), (25, 36), (37, 51)];
        let c = filter.candidates(text, &spans);
        assert_eq!(c.spans(0), Some(&[0][..]));
        assert_eq!(c.spans(1), None);
        assert_eq!(c.spans(2), Some(&[1][..]));
        // A word across two spans is in neither.
        let c = filter.candidates("hosp|ital", &[(0, 4), (5, 9)]);
        assert_eq!(c.spans(2), Some(&[][..]));
    }

    #[test]
    fn a_kelvin_sign_turns_the_filter_off() {
        let filter = filter(&[r"(?i:kids)"]);
        let text = "\u{212A}ids";
        assert!(regex::Regex::new(r"(?i:kids)")
            .expect("compiles")
            .is_match(text));
        assert_eq!(filter.candidates(text, &[(0, text.len())]).spans(0), None);
    }
}
