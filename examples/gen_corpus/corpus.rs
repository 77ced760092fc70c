//! A reproducible benchmark corpus made from the repository's fixtures.
//!
//! Shared by the `gen_corpus` example (which writes it to disk) and the
//! criterion benchmarks (which build it in memory), so both measure the same
//! text. Every cluster has its own generator, seeded from `(seed, index)`:
//! cluster `i` is the same whatever the number of clusters, so a corpus of N
//! clusters is the first N of a corpus of 10 N.
//!
//! The random numbers come from SplitMix64, written out below: ten lines whose
//! output is fixed by its definition, so the same seed gives the same bytes on
//! every platform and with every version of every crate. A crate such as
//! `fastrand` or `rand_chacha` would do as well, but neither promises that
//! its streams never change between versions, and a benchmark corpus must
//! stay the same for figures to be compared across months.

use std::path::{Path, PathBuf};

use regex::Regex;

/// The fixture folders whose articles seed the corpus (not `hostile`, whose
/// files are malformed on purpose).
pub const FIXTURE_DIRS: &[&str] = &[
    "aleppo-omran",
    "ecbplus-bank-bombings",
    "ecbplus-topic-32",
    "ecbplus-topic-33",
];

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator with a fixed,
/// documented output, good enough for sampling test data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for cluster `index` of the corpus made with `seed`.
    pub fn for_cluster(seed: u64, index: u64) -> Self {
        // Two rounds of mixing so that neighbouring (seed, index) pairs give
        // unrelated streams.
        let mut g = SplitMix64(seed ^ 0x636c_6169_6d64_6966); // "claimdif"
        let a = g.next_u64();
        SplitMix64(a ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniform integer in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: no modulo bias worth speaking of for small n.
        ((self.next_u64() >> 32).wrapping_mul(n as u64) >> 32) as usize
    }

    /// A uniform integer in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One seed article: the fixture it comes from and its paragraphs
/// (non-empty lines).
#[derive(Debug, Clone)]
pub struct Seed {
    /// Its file stem.
    pub stem: String,
    /// Its non-empty lines, trimmed.
    pub paragraphs: Vec<String>,
}

/// The seed articles, grouped by story.
#[derive(Debug, Clone)]
pub struct Seeds {
    /// Every seed article, in fixture then file-name order.
    pub articles: Vec<Seed>,
    /// For each story, the indexes of its articles.
    pub families: Vec<Vec<usize>>,
}

/// The repository's `fixtures` folder.
pub fn default_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Reads the seed articles: every `.txt` of [`FIXTURE_DIRS`] under
/// `fixtures`, licence files left out, in sorted order.
pub fn read_seeds(fixtures: &Path) -> Result<Seeds, String> {
    let mut articles = Vec::new();
    let mut families = Vec::new();
    for dir in FIXTURE_DIRS {
        let dir = fixtures.join(dir);
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .filter(|p| {
                !p.file_stem()
                    .is_some_and(|s| s.to_string_lossy().starts_with("LICENSE"))
            })
            .collect();
        paths.sort();
        let mut members = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let paragraphs: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            if paragraphs.is_empty() {
                continue;
            }
            members.push(articles.len());
            articles.push(Seed {
                stem: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                paragraphs,
            });
        }
        if members.is_empty() {
            return Err(format!("no .txt articles in {}", dir.display()));
        }
        families.push(members);
    }
    Ok(Seeds { articles, families })
}

/// One generated article.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Article {
    /// Its source id (the file stem on disk).
    pub id: String,
    /// Its text.
    pub text: String,
}

/// One generated cluster, in the `claimdiff batch` JSONL shape.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GenCluster {
    /// The cluster id, `c000123`: also its folder name.
    pub cluster: String,
    /// Its articles.
    pub sources: Vec<Article>,
}

impl GenCluster {
    /// The bytes of text of its articles.
    pub fn text_bytes(&self) -> usize {
        self.sources.iter().map(|s| s.text.len()).sum()
    }
}

const NUMBER_WORDS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen",
];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Close variants a reporter may write for the same name (or a hospital
/// code one digit off); either way round.
const NAME_VARIANTS: &[(&str, &str)] = &[
    ("Omran", "Omar"),
    ("M2", "M10"),
    ("Gomes", "Gomez"),
    ("Mendes", "Mendez"),
    ("Lopez", "Lopes"),
    ("Kathina", "Katina"),
    ("Timmons", "Timmins"),
    ("Horton", "Horten"),
];
/// House spellings, applied to a whole article.
const SPELLINGS: &[(&str, &str)] = &[("Centre", "Center"), ("neighbourhood", "neighborhood")];

/// The compiled patterns the perturbations use.
#[derive(Debug, Clone)]
pub struct Generator {
    seeds: Seeds,
    number: Regex,
    weekday: Regex,
    names: Regex,
}

/// How many sources a cluster gets: between `low` and `high` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcesPerCluster {
    /// The fewest.
    pub low: usize,
    /// The most.
    pub high: usize,
}

impl Default for SourcesPerCluster {
    fn default() -> Self {
        SourcesPerCluster { low: 3, high: 8 }
    }
}

impl SourcesPerCluster {
    /// Parses `K` or `LOW-HIGH` (or `LOW..HIGH`, inclusive).
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("--sources-per-cluster: expected K or LOW-HIGH, got '{s}'");
        let (low, high) = match s.split_once('-').or_else(|| s.split_once("..")) {
            Some((a, b)) => (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            ),
            None => {
                let k = s.trim().parse().map_err(|_| bad())?;
                (k, k)
            }
        };
        if low == 0 || high < low {
            return Err(bad());
        }
        Ok(SourcesPerCluster { low, high })
    }
}

impl Generator {
    /// A generator over the seed articles.
    pub fn new(seeds: Seeds) -> Self {
        let words = NUMBER_WORDS.join("|");
        let names: Vec<String> = NAME_VARIANTS
            .iter()
            .flat_map(|(a, b)| [regex::escape(a), regex::escape(b)])
            .collect();
        Generator {
            seeds,
            number: Regex::new(&format!(
                r"(?i)\b(?:{words})\b|\b\d{{1,3}}(?:,\d{{3}})+\b|\b\d+\b"
            ))
            .expect("the number pattern compiles"),
            weekday: Regex::new(&format!(r"\b(?:{})\b", WEEKDAYS.join("|")))
                .expect("the weekday pattern compiles"),
            names: Regex::new(&format!(r"\b(?:{})\b", names.join("|")))
                .expect("the name pattern compiles"),
        }
    }

    /// Cluster number `index` of the corpus made with `seed`: the same
    /// arguments give the same cluster, byte for byte.
    pub fn cluster(&self, seed: u64, index: u64, per: SourcesPerCluster) -> GenCluster {
        let mut rng = SplitMix64::for_cluster(seed, index);
        let family = rng.below(self.seeds.families.len());
        let n = rng.between(per.low, per.high);
        let mut sources: Vec<Article> = Vec::with_capacity(n);
        for j in 0..n {
            if !sources.is_empty() && rng.chance(0.15) {
                // A syndicated copy of an earlier article, lightly edited.
                let base = rng.below(sources.len());
                let text = sources[base].text.clone();
                let edits = *rng.pick(&[0, 0, 1, 1, 2]);
                let text = self.perturb(text, edits, &mut rng);
                sources.push(Article {
                    id: format!("{j:04}_syn{base:04}"),
                    text,
                });
            } else {
                let (stem, text) = self.article(family, &mut rng);
                sources.push(Article {
                    id: format!("{j:04}_{stem}"),
                    text,
                });
            }
        }
        GenCluster {
            cluster: format!("c{index:06}"),
            sources,
        }
    }

    /// One article from a seed of story `family`: paragraphs sampled, a pair
    /// of paragraphs sometimes swapped, sometimes a paragraph from another
    /// story spliced in, then 0–3 perturbations.
    fn article(&self, family: usize, rng: &mut SplitMix64) -> (String, String) {
        let seed = &self.seeds.articles[*rng.pick(&self.seeds.families[family])];
        let keep = 0.55 + 0.45 * rng.unit();
        // The first line is the headline or lead: kept, as a copy would.
        let mut paras: Vec<&str> = seed.paragraphs[..1].iter().map(String::as_str).collect();
        paras.extend(
            seed.paragraphs[1..]
                .iter()
                .filter(|_| rng.chance(keep))
                .map(String::as_str),
        );
        if paras.len() < 2 {
            paras = seed.paragraphs.iter().take(2).map(String::as_str).collect();
        }
        if paras.len() > 3 && rng.chance(0.3) {
            // Reordered: two body paragraphs change places.
            let a = rng.between(1, paras.len() - 1);
            let b = rng.between(1, paras.len() - 1);
            paras.swap(a, b);
        }
        if rng.chance(0.2) {
            // A paragraph about something else: a related-stories box.
            let other = rng.pick(&self.seeds.articles);
            let para = rng.pick(&other.paragraphs);
            let at = rng.between(1, paras.len());
            paras.insert(at, para);
        }
        let mut text = paras.join("\n");
        text.push('\n');
        let edits = *rng.pick(&[0, 1, 1, 2, 2, 3]);
        (seed.stem.clone(), self.perturb(text, edits, rng))
    }

    /// Applies `edits` perturbations of the kinds claimdiff must notice.
    fn perturb(&self, mut text: String, edits: usize, rng: &mut SplitMix64) -> String {
        for _ in 0..edits {
            text = match rng.below(5) {
                0 | 1 => replace_one(&text, &self.number, rng, shift_number),
                2 => replace_one(&text, &self.names, rng, |m, _| {
                    NAME_VARIANTS
                        .iter()
                        .find_map(|&(a, b)| (m == a).then_some(b).or_else(|| (m == b).then_some(a)))
                        .unwrap_or(m)
                        .to_string()
                }),
                3 => replace_one(&text, &self.weekday, rng, |m, rng| {
                    let i = WEEKDAYS.iter().position(|d| *d == m).unwrap_or(0);
                    let step = if rng.chance(0.5) { 1 } else { 6 };
                    WEEKDAYS[(i + step) % 7].to_string()
                }),
                _ => {
                    let (a, b) = *rng.pick(SPELLINGS);
                    let (from, to) = if rng.chance(0.5) { (a, b) } else { (b, a) };
                    text.replace(from, to)
                }
            };
        }
        text
    }
}

/// Replaces one match of `re` in `text`, chosen at random, by `f(match)`.
fn replace_one(
    text: &str,
    re: &Regex,
    rng: &mut SplitMix64,
    f: impl Fn(&str, &mut SplitMix64) -> String,
) -> String {
    let matches: Vec<regex::Match> = re.find_iter(text).collect();
    if matches.is_empty() {
        return text.to_string();
    }
    let m = matches[rng.below(matches.len())];
    let new = f(m.as_str(), rng);
    format!("{}{}{}", &text[..m.start()], new, &text[m.end()..])
}

/// A neighbouring value of a number word or a figure: five → four or six,
/// 12 → 11 or 13, 300,000 → 290,000 or 310,000.
fn shift_number(token: &str, rng: &mut SplitMix64) -> String {
    let up = rng.chance(0.5);
    let lower = token.to_lowercase();
    if let Some(v) = NUMBER_WORDS.iter().position(|w| *w == lower) {
        let new = if (up && v + 1 < NUMBER_WORDS.len()) || v <= 1 {
            v + 1
        } else {
            v - 1
        };
        let word = NUMBER_WORDS[new];
        return if token.starts_with(|c: char| c.is_uppercase()) {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        } else {
            word.to_string()
        };
    }
    let digits: String = token.chars().filter(char::is_ascii_digit).collect();
    let Ok(value) = digits.parse::<u64>() else {
        return token.to_string();
    };
    let new = if value >= 1000 {
        let step = 10u64.pow(digits.len().saturating_sub(2) as u32);
        if up {
            value + step
        } else {
            value - step
        }
    } else if up || value <= 1 {
        value + 1
    } else {
        value - 1
    };
    if token.contains(',') {
        group_thousands(new)
    } else {
        new.to_string()
    }
}

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
