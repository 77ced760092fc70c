//! Writes a reproducible benchmark corpus of story clusters made from the
//! repository's fixtures (docs/performance.md).
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --clusters 2000 --seed 1 \
//!     --out target/bench-corpus/c2000 --jsonl target/bench-corpus/c2000.jsonl
//! # one cluster of 500 sources, for the scaling series
//! cargo run --release --example gen_corpus -- --clusters 1 --sources-per-cluster 500 --out DIR
//! ```
//!
//! Each cluster is 3–8 articles (`--sources-per-cluster K` or `LOW-HIGH`)
//! about one fixture story: paragraphs of a fixture article sampled and
//! sometimes reordered, sometimes a paragraph of another story spliced in,
//! then 0–3 perturbations (a number moved by one, a name swapped with a
//! close variant, a weekday shifted, Centre/Center); about 15 % are
//! near-duplicate syndicated copies of an earlier article. The same seed gives
//! the same bytes, and cluster `i` is the same whatever `--clusters` is.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

mod corpus;

use corpus::{Generator, SourcesPerCluster};

/// Writes a reproducible benchmark corpus of story clusters.
#[derive(Parser, Debug)]
struct Args {
    /// How many clusters.
    #[arg(long, default_value_t = 2000)]
    clusters: u64,
    /// The random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 20160817)]
    seed: u64,
    /// Write DIR/<cluster>/<source>.txt (DIR must be missing or empty).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write one cluster per line, `{"cluster", "sources": [{"id", "text"}]}`
    /// (the `claimdiff batch` input), to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    /// Sources per cluster: K, or LOW-HIGH for a uniform choice between.
    #[arg(long, value_name = "K|LOW-HIGH", default_value = "3-8")]
    sources_per_cluster: String,
    /// The fixtures folder to take articles from.
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    if args.out.is_none() && args.jsonl.is_none() {
        return Err("give --out DIR and/or --jsonl FILE".into());
    }
    let per = SourcesPerCluster::parse(&args.sources_per_cluster)?;
    let fixtures = args.fixtures.unwrap_or_else(corpus::default_fixtures);
    let generator = Generator::new(corpus::read_seeds(&fixtures)?);

    if let Some(out) = &args.out {
        if fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
            return Err(format!(
                "{} exists and is not empty; remove it first",
                out.display()
            ));
        }
        fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    }
    let mut jsonl: Option<Box<dyn Write>> = match &args.jsonl {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(BufWriter::new(std::io::stdout()))),
        Some(p) => Some(Box::new(BufWriter::new(
            fs::File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()))?,
        ))),
    };

    let (mut files, mut bytes) = (0usize, 0usize);
    for i in 0..args.clusters {
        let cluster = generator.cluster(args.seed, i, per);
        files += cluster.sources.len();
        bytes += cluster.text_bytes();
        if let Some(out) = &args.out {
            let dir = out.join(&cluster.cluster);
            fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            for s in &cluster.sources {
                let path = dir.join(format!("{}.txt", s.id));
                fs::write(&path, &s.text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
        }
        if let Some(w) = jsonl.as_mut() {
            serde_json::to_writer(&mut *w, &cluster).map_err(|e| e.to_string())?;
            w.write_all(b"\n").map_err(|e| e.to_string())?;
        }
    }
    if let Some(mut w) = jsonl {
        w.flush().map_err(|e| e.to_string())?;
    }
    eprintln!(
        "clusters={} files={files} text_bytes={bytes} ({:.2} MB) seed={}",
        args.clusters,
        bytes as f64 / 1e6,
        args.seed
    );
    Ok(())
}
