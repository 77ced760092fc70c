//! Per-stage benchmarks of the pipeline on a fixed generated corpus
//! (docs/performance.md): `cargo bench --bench pipeline`.
//!
//! The corpus is the one `examples/gen_corpus` writes (same code, included
//! below), [`CLUSTERS`] clusters with seed [`SEED`], built in memory and
//! written once to a temporary folder for the load stage. Every stage that
//! works on the corpus reports its throughput in bytes of *article text*
//! (Throughput::Bytes), so the stages' MB/s compare directly: a stage at
//! 40 MB/s costs twice the time of one at 80 MB/s, and the inverse MB/s of
//! the stages add up to that of the whole run.
//!
//! Filter with criterion's usual argument, e.g. `cargo bench --bench pipeline
//! -- stage/`; `-- --quick` for a rough pass.

// criterion_group! defines a public function it cannot document.
#![allow(missing_docs)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use claimdiff::app::{analyze, read_sources, source_language};
use claimdiff::clean::{clean, Document};
use claimdiff::compare::{compare, group_events, Report, SourceClaims};
use claimdiff::extract::{extract, Claim};
use claimdiff::load::{decode, load_cluster, Cluster, LoadOptions, Source, SourceMeta};
use claimdiff::normalize::normalize;
use claimdiff::report::{render_reports, Format, RenderOptions};
use claimdiff::rules::{Lexicon, RuleSet};

#[allow(dead_code)]
#[path = "../examples/gen_corpus/corpus.rs"]
mod corpus;

/// Clusters in the benchmark corpus (about 0.6 MB of text).
const CLUSTERS: u64 = 40;
/// The corpus seed; change it and every figure changes.
const SEED: u64 = 20160817;
/// Sources per cluster in the scaling group.
const SCALING: &[usize] = &[5, 50, 500];

/// The benchmark corpus with every stage's input computed once.
struct Corpus {
    rules: RuleSet,
    /// Keeps the files of the load stage alive.
    _dir: tempfile::TempDir,
    cluster_dirs: Vec<PathBuf>,
    bytes: u64,
    raw: Vec<Vec<u8>>,
    clusters: Vec<Cluster>,
    /// For each cluster, each source's language.
    langs: Vec<Vec<String>>,
    docs: Vec<Vec<Document>>,
    read: Vec<Vec<SourceClaims>>,
    reports: Vec<Report>,
}

fn lexicon<'a>(rules: &'a RuleSet, lang: &str, fallback: &'a Lexicon) -> &'a Lexicon {
    rules.lexicon(lang).unwrap_or(fallback)
}

fn to_cluster(generated: &corpus::GenCluster, dir: PathBuf) -> Cluster {
    Cluster {
        name: generated.cluster.clone(),
        sources: generated
            .sources
            .iter()
            .map(|s| Source {
                id: s.id.clone(),
                path: dir.join(format!("{}.txt", s.id)),
                text: s.text.clone(),
                meta: SourceMeta::default(),
            })
            .collect(),
        path: dir,
        diagnostics: Vec::new(),
    }
}

fn generator() -> corpus::Generator {
    let seeds = corpus::read_seeds(&corpus::default_fixtures()).expect("the fixtures are readable");
    corpus::Generator::new(seeds)
}

impl Corpus {
    fn new() -> Corpus {
        let rules = RuleSet::builtin().expect("the built-in rules compile");
        let generator = generator();
        let dir = tempfile::tempdir().expect("a temporary folder for the corpus");
        let per = corpus::SourcesPerCluster::default();
        let mut corpus = Corpus {
            rules,
            cluster_dirs: Vec::new(),
            bytes: 0,
            raw: Vec::new(),
            clusters: Vec::new(),
            langs: Vec::new(),
            docs: Vec::new(),
            read: Vec::new(),
            reports: Vec::new(),
            _dir: dir,
        };
        for i in 0..CLUSTERS {
            let generated = generator.cluster(SEED, i, per);
            let cdir = corpus._dir.path().join(&generated.cluster);
            std::fs::create_dir(&cdir).expect("a cluster folder");
            for s in &generated.sources {
                std::fs::write(cdir.join(format!("{}.txt", s.id)), &s.text).expect("a source file");
                corpus.raw.push(s.text.as_bytes().to_vec());
            }
            corpus.bytes += generated.text_bytes() as u64;
            corpus.clusters.push(to_cluster(&generated, cdir.clone()));
            corpus.cluster_dirs.push(cdir);
        }
        let fallback = Lexicon::default();
        for cluster in &corpus.clusters {
            let langs: Vec<String> = cluster
                .sources
                .iter()
                .map(|s| source_language(&s.text, &corpus.rules, "auto").to_string())
                .collect();
            let docs = cluster
                .sources
                .iter()
                .zip(&langs)
                .map(|(s, l)| clean(s, &corpus.rules, lexicon(&corpus.rules, l, &fallback)))
                .collect();
            let read = read_sources(cluster.sources.clone(), &corpus.rules, "auto");
            corpus.reports.push(compare(
                &cluster.name,
                cluster.path.clone(),
                read.clone(),
                &corpus.rules,
                Vec::new(),
            ));
            corpus.langs.push(langs);
            corpus.docs.push(docs);
            corpus.read.push(read);
        }
        corpus
    }

    fn claims(&self) -> impl Iterator<Item = (&Claim, &str)> {
        self.read
            .iter()
            .flatten()
            .flat_map(|s| s.claims.iter().map(move |c| (c, s.lang.as_str())))
    }
}

fn rules(c: &mut Criterion) {
    let mut g = c.benchmark_group("rules");
    g.bench_function("compile_builtin_all", |b| {
        b.iter(|| RuleSet::builtin().expect("the built-in rules compile"))
    });
    let en: BTreeSet<String> = ["en".to_string()].into();
    g.bench_function("compile_builtin_en", |b| {
        b.iter(|| RuleSet::with_dirs_for(&[], Some(&en)).expect("the built-in rules compile"))
    });
    g.bench_function("lexicons_only", |b| {
        b.iter(|| RuleSet::lexicons_only(&[]).expect("the built-in lexicons load"))
    });
    g.finish();
}

fn stages(c: &mut Criterion) {
    let corpus = Corpus::new();
    let rules = &corpus.rules;
    let fallback = Lexicon::default();
    let sources = corpus
        .clusters
        .iter()
        .map(|c| c.sources.len())
        .sum::<usize>();
    let claims = corpus.claims().count();
    eprintln!(
        "corpus: {CLUSTERS} clusters, {sources} sources, {} bytes of text, {claims} claims",
        corpus.bytes
    );

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(corpus.bytes));
    g.bench_function("decode", |b| {
        b.iter(|| {
            for bytes in &corpus.raw {
                black_box(decode(bytes).expect("generated text decodes"));
            }
        })
    });
    g.bench_function("load", |b| {
        b.iter(|| {
            for dir in &corpus.cluster_dirs {
                black_box(load_cluster(dir, LoadOptions::default()).expect("the cluster loads"));
            }
        })
    });
    g.bench_function("detect_language", |b| {
        b.iter(|| {
            for s in corpus.clusters.iter().flat_map(|c| &c.sources) {
                black_box(source_language(&s.text, rules, "auto"));
            }
        })
    });
    g.bench_function("clean", |b| {
        b.iter(|| {
            for (cluster, langs) in corpus.clusters.iter().zip(&corpus.langs) {
                for (s, l) in cluster.sources.iter().zip(langs) {
                    black_box(clean(s, rules, lexicon(rules, l, &fallback)));
                }
            }
        })
    });
    g.bench_function("extract", |b| {
        b.iter(|| {
            for ((cluster, langs), docs) in
                corpus.clusters.iter().zip(&corpus.langs).zip(&corpus.docs)
            {
                for ((s, l), doc) in cluster.sources.iter().zip(langs).zip(docs) {
                    black_box(extract(&s.id, doc, rules, l));
                }
            }
        })
    });
    // Normalize runs inside extract, once per match; here it is run again
    // on every claim's text, to show its share.
    let to_normalize: Vec<_> = corpus
        .claims()
        .filter_map(|(claim, lang)| {
            let kind = rules
                .kinds
                .iter()
                .find(|k| k.id == claim.kind && k.lang == lang)?;
            Some((
                claim.text.as_str(),
                kind.value_type,
                lexicon(rules, lang, &fallback),
                kind.tolerance,
            ))
        })
        .collect();
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for &(text, value_type, lexicon, tolerance) in &to_normalize {
                black_box(normalize(text, value_type, lexicon, tolerance));
            }
        })
    });
    g.bench_function("read_sources", |b| {
        b.iter_batched(
            || {
                corpus
                    .clusters
                    .iter()
                    .map(|c| c.sources.clone())
                    .collect::<Vec<_>>()
            },
            |all| {
                for sources in all {
                    black_box(read_sources(sources, rules, "auto"));
                }
            },
            BatchSize::LargeInput,
        )
    });
    // Splitting each cluster's sources into events (part of compare).
    g.bench_function("events", |b| {
        b.iter(|| {
            for read in &corpus.read {
                let members: Vec<usize> = (0..read.len()).collect();
                black_box(group_events(read, &members, rules));
            }
        })
    });
    g.bench_function("compare", |b| {
        b.iter_batched(
            || corpus.read.clone(),
            |all| {
                for (read, cluster) in all.into_iter().zip(&corpus.clusters) {
                    black_box(compare(
                        &cluster.name,
                        cluster.path.clone(),
                        read,
                        rules,
                        Vec::new(),
                    ));
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("report_json", |b| {
        b.iter(|| render_reports(&corpus.reports, Format::Json, RenderOptions::default()))
    });
    g.bench_function("report_table", |b| {
        b.iter(|| render_reports(&corpus.reports, Format::Table, RenderOptions::default()))
    });
    g.bench_function("report_table_150_columns", |b| {
        let options = RenderOptions {
            width: Some(150),
            ..RenderOptions::default()
        };
        b.iter(|| render_reports(&corpus.reports, Format::Table, options))
    });
    g.finish();

    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(corpus.bytes));
    g.bench_function("analyze_corpus", |b| {
        b.iter_batched(
            || corpus.clusters.clone(),
            |all| {
                for cluster in all {
                    black_box(analyze(cluster, rules, "auto"));
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("load_analyze_render_json", |b| {
        b.iter(|| {
            let reports: Vec<Report> = corpus
                .cluster_dirs
                .iter()
                .map(|dir| {
                    let cluster = load_cluster(dir, LoadOptions::default()).expect("loads");
                    analyze(cluster, rules, "auto")
                })
                .collect();
            render_reports(&reports, Format::Json, RenderOptions::default())
        })
    });
    let aleppo = load_cluster(
        &corpus::default_fixtures().join("aleppo-omran"),
        LoadOptions::default(),
    )
    .expect("the aleppo fixture loads");
    let aleppo_bytes = aleppo.sources.iter().map(|s| s.text.len() as u64).sum();
    g.throughput(Throughput::Bytes(aleppo_bytes));
    g.bench_function("analyze_aleppo_fixture", |b| {
        b.iter_batched(
            || aleppo.clone(),
            |cluster| analyze(cluster, rules, "auto"),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// One cluster of 5, 50, 500 sources: the time per source (criterion's
/// elements/s is sources/s) should stay flat.
fn scaling(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("the built-in rules compile");
    let generator = generator();
    let mut g = c.benchmark_group("scaling");
    for &n in SCALING {
        let generated = generator.cluster(SEED, 0, corpus::SourcesPerCluster { low: n, high: n });
        let cluster = to_cluster(&generated, PathBuf::from(&generated.cluster));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("analyze_one_cluster/{n}_sources"), |b| {
            b.iter_batched(
                || cluster.clone(),
                |cluster| analyze(cluster, &rules, "auto"),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = rules, stages, scaling
}
criterion_main!(benches);
