#!/usr/bin/env python3
"""Measures claimdiff's event split on ECB+ (issue 3): for every topic in
../shared/data/ecbplus (or the folder given), runs `claimdiff check --format
json` and compares `sources[].event` with the topic's events.tsv.

Prints, per topic and in total: (a) documents in the wrong event group (each
predicted group is matched to the true event most of its documents report;
a document whose true event differs is wrong) and (b) conflicts reported
between the two events (a conflict finding whose claims in conflict come
from sources of different true events; claims about another subject or time,
and superseded values, are not in conflict). With --halves it also checks each topic's two
events on their own (one event each: any split is wrong).

Usage: bench/ecbplus_events.py [ECBPLUS_DIR] [--bin target/release/claimdiff] [--halves]
"""
import argparse, collections, json, os, shutil, subprocess, sys, tempfile

def truth(topic_dir):
    out = {}
    with open(os.path.join(topic_dir, "events.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2:
                out[cols[0]] = cols[1]
    return out

def run(binary, cluster):
    p = subprocess.run([binary, "check", "--format", "json", cluster], capture_output=True, text=True)
    if not p.stdout.strip():
        sys.exit(f"no output for {cluster}: {p.stderr}")
    return json.loads(p.stdout)

def score(report, true):
    groups = collections.defaultdict(list)
    for s in report["sources"]:
        groups[s.get("event")].append(s["id"])
    wrong = 0
    for ev, ids in groups.items():
        counts = collections.Counter(true.get(i) for i in ids)
        wrong += len(ids) - counts.most_common(1)[0][1]
    cross = 0
    for f in report["findings"]:
        if f["status"] != "conflict":
            continue
        # Only the claims in conflict: a claim about another subject or time
        # (subject "other: …") or a superseded value is not compared.
        evs = {
            true.get(c["source"])
            for v in f["values"] if not v.get("superseded")
            for c in v.get("claims", [])
            if not (c.get("subject") or "").startswith("other: ")
        }
        if len(evs) > 1:
            cross += 1
    return wrong, cross, len(groups)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=os.path.join(os.path.dirname(__file__), "../../shared/data/ecbplus"))
    ap.add_argument("--bin", default="target/release/claimdiff")
    ap.add_argument("--halves", action="store_true")
    a = ap.parse_args()
    topics = sorted(d for d in os.listdir(a.dir) if d.startswith("topic_"))
    docs = wrong = cross = 0
    half_docs = half_wrong = half_split = 0
    for t in topics:
        tdir = os.path.join(a.dir, t)
        true = truth(tdir)
        rep = run(a.bin, tdir)
        w, c, g = score(rep, true)
        n = len(rep["sources"])
        docs += n; wrong += w; cross += c
        line = f"{t}: {n} docs, {g} groups, {w} wrong, {c} cross-event conflicts"
        if a.halves:
            for sub in sorted(set(true.values())):
                with tempfile.TemporaryDirectory() as tmp:
                    for doc, s in true.items():
                        if s == sub:
                            shutil.copy(os.path.join(tdir, doc + ".txt"), tmp)
                    r = run(a.bin, tmp)
                    groups = {s.get("event") for s in r["sources"]}
                    on = [s for s in r["sources"] if s["on_topic"]]
                    ev = collections.Counter(s.get("event") for s in r["sources"])
                    hw = len(r["sources"]) - ev.most_common(1)[0][1]
                    half_docs += len(r["sources"]); half_wrong += hw
                    half_split += len(groups) > 1
                    line += f" | {sub}: {len(groups)} groups, {hw} apart"
        print(line)
    print(f"TOTAL: {docs} docs, {wrong} in the wrong event group ({100*wrong/max(docs,1):.1f}%), {cross} cross-event conflicts")
    if a.halves:
        print(f"ONE-EVENT HALVES: {half_docs} docs, {half_wrong} set apart ({100*half_wrong/max(half_docs,1):.1f}%), {half_split} of {2*len(topics)} halves split")

main()
