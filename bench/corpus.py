"""Corpus benchmark: a synthetic Telegram export through the whole detect pipeline.

    python bench/corpus.py --messages 1000000 [--jobs 2] [--repeat 3] [--keep FILE]

Generates an export with a fixed seed and a stated mix (25% launch reports, 25% near misses,
50% chatter; ru, uk, be, en; whopushed.pipeline.synthetic), then measures, in `--repeat`
rounds (default 3) of the three measurements one after the other, each figure its best round
(a shared machine's speed drifts by a third from one minute to the next; every round is
printed):

- seconds: reading the export, detecting every message on the local engine (one process
  per core, each reading its own byte ranges of the file: pipeline/ranges.py) and writing
  the rows in order, as `whopushed detect --json` does (pipeline/output.py: the workers'
  JSON passed through, to a null device here), in a fresh process each round (nothing
  warm from the round before; its start-up, the detector's included, is timed); with
  `--rows dicts`, each row read into a dict instead, as a Python caller of detect_files
  takes them;
- parse_seconds: the floor, a bare orjson parse of the same file (in a child process, so
  its memory does not count against the pipeline's);
- baseline_per_message_s: natasha NER (segmenter, embeddings, NER tagger) on every message
  of a 2% sample, per message (the models loaded once, before the timing);
- peak_rss_mb: the largest memory of the pipeline's processes together, over the rounds:
  the pipeline's process and its workers, their proportional resident sets (Pss: a page
  shared by n processes counts 1/n in each) summed, sampled every 250 ms by a watcher
  process (the tree of processes walked every second); never below the pipeline process's
  own peak resident set or the largest worker's.

The last line printed is one JSON object with those figures (needs the `bench` extra:
orjson, natasha).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _parse_floor(path: Path) -> float:
    code = ("import orjson, sys, time; b = open(sys.argv[1], 'rb').read(); t = time.perf_counter(); "
            "orjson.loads(b); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def _baseline_sample(path: Path, fraction: float, seed: int):
    """natasha's NER over the 2% sample: a function that times one pass, per message (the
    models are loaded once, outside the timing)."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    from whopushed.ingest.telegram import read_file

    segmenter, emb = Segmenter(), NewsEmbedding()
    tagger = NewsNERTagger(emb)
    rng = random.Random(seed)
    sample = [m.text for m in read_file(path) if rng.random() < fraction]

    def one_pass() -> float:
        start = time.perf_counter()
        for text in sample:
            doc = Doc(text)
            doc.segment(segmenter)
            doc.tag_ner(tagger)
        return (time.perf_counter() - start) / max(len(sample), 1)

    return one_pass, len(sample)


def _pipeline(path: Path, jobs: int, batch: int, ranges: str, rows: str) -> tuple[float, int, int]:
    from whopushed.pipeline.output import write_rows
    from whopushed.pipeline.ranges import detect_files

    reports: list = []
    start = time.perf_counter()
    if rows == "json":  # what `whopushed detect --json > FILE` runs
        with open(os.devnull, "wb") as sink:
            sink.write(b'{"messages": [')
            tally = write_rows(detect_files([path], reports, jobs=jobs, batch=batch, ranges=ranges, encoded=True),
                               sink.write)
        return time.perf_counter() - start, tally.messages, tally.launch_reports
    n = launches = 0
    for row in detect_files([path], reports, jobs=jobs, batch=batch, ranges=ranges):
        n += 1
        launches += row["is_launch_report"]
    return time.perf_counter() - start, n, launches


_WATCH = """
import os, sys, time
root, peak, every = int(sys.argv[1]), 0, float(sys.argv[3])
def tree():
    kids = {}
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                with open(f'/proc/{p}/stat') as fh:
                    kids.setdefault(int(fh.read().rsplit(')', 1)[1].split()[1]), []).append(int(p))
            except OSError:
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        if p != os.getpid():  # not this watcher
            out.append(p)
        todo.extend(kids.get(p, []))
    return out
n = 0
while True:
    if n % 4 == 0:  # the tree changes rarely (a pool's workers live as long as it): walked every second
        procs = tree()
    n += 1
    total = 0
    for p in procs:
        try:  # the proportional set: a page shared by n processes counts 1/n in each
            with open(f'/proc/{p}/smaps_rollup') as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith('Pss:')) * 1024
        except (OSError, StopIteration):
            try:
                with open(f'/proc/{p}/statm') as fh:
                    total += int(fh.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
            except OSError:
                pass
    peak = max(peak, total)
    with open(sys.argv[2], 'w') as fh:
        fh.write(str(peak))
    if os.getppid() != root:
        break
    time.sleep(every)
"""
# Sampling costs the machine it measures (the kernel walks a process's page tables for its
# Pss: milliseconds for each of the pipeline's processes): at 50 ms the watcher took a third
# of a core from a 2-core run, at 100 ms a tenth. The pipeline's memory grows and settles
# over seconds, and each process's own peak (VmHWM; getrusage for the workers) is a floor
# under the figure.
WATCH_EVERY_S = 0.25


class _Watch:
    """The peak of the summed resident sets of this process and its descendants (Linux /proc)."""

    def __enter__(self):
        self.out = tempfile.NamedTemporaryFile(suffix=".peak", delete=False)
        self.out.close()
        self.proc = None
        if Path("/proc/self/statm").exists():
            self.proc = subprocess.Popen([sys.executable, "-c", _WATCH, str(os.getpid()), self.out.name,
                                          str(WATCH_EVERY_S)])
        return self

    def __exit__(self, *exc):
        if self.proc is not None:
            time.sleep(0.1)
            self.proc.terminate()
            self.proc.wait()

    def peak_mb(self) -> float:
        try:
            sampled = int(Path(self.out.name).read_text() or 0) / 2**20
        except (OSError, ValueError):
            sampled = 0.0
        os.unlink(self.out.name)
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest finished child
        return max(sampled, _own_peak_kb() / 1024.0, children / 1024.0)


def _own_peak_kb() -> int:
    """This process's peak resident set: VmHWM, its own memory's. Not ru_maxrss, which Linux
    carries over an exec from the process that started this one (the bench, natasha loaded)."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _pipeline_child(path: Path, args) -> dict:
    """One pipeline run in a fresh process (nothing warm from an earlier run), watched there:
    {"seconds", "messages", "launches", "peak_rss_mb"}."""
    cmd = [sys.executable, __file__, "--pipeline-only", str(path), "--jobs", str(args.jobs), "--batch",
           str(args.batch), "--ranges", args.ranges, "--rows", args.rows]
    out = subprocess.run(cmd + (["--no-text-memo"] if args.no_text_memo else []), check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pipeline_only(path: Path, args) -> None:
    with _Watch() as watch:
        if args.no_text_memo:
            import whopushed.extract.detect as detect_mod

            detect_mod._SEEN_MAX = 0  # set before the workers fork, so they inherit it
        seconds, n, launches = _pipeline(path, args.jobs, args.batch, args.ranges, args.rows)
    print(json.dumps({"seconds": seconds, "messages": n, "launches": launches, "peak_rss_mb": watch.peak_mb()}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-fraction", type=float, default=0.02)
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds of the three measurements (pipeline, parse, baseline), interleaved; each "
                         "figure is its best round (a shared machine's speed drifts by a third between minutes)")
    ap.add_argument("--keep", type=Path, default=None, help="write the export here and keep it")
    ap.add_argument("--no-text-memo", action="store_true",
                    help="turn off the detector's memo of recent texts: the synthetic export repeats its "
                         "near-miss texts far more than real channels do, so this gives the cost of unseen texts")
    ap.add_argument("--vocabulary", type=int, default=0,
                    help="a third of the chatter's words from an open vocabulary of this many made-up words "
                         "(Zipf-like): the memory and speed of a real corpus's endless vocabulary")
    ap.add_argument("--ranges", choices=("auto", "off"), default="auto",
                    help="auto: workers read their own byte ranges; off: read here, ship batches (the old way)")
    ap.add_argument("--rows", choices=("json", "dicts"), default="json",
                    help="json: the rows written out as `whopushed detect --json` writes them; dicts: each row "
                         "read into a dict, as a Python caller of pipeline.ranges.detect_files takes them")
    ap.add_argument("--pipeline-only", type=Path, default=None, metavar="EXPORT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pipeline_only is not None:  # one round's pipeline, in the child _pipeline_child starts
        _pipeline_only(args.pipeline_only, args)
        return
    from whopushed.pipeline.synthetic import write_export

    tmp = None
    path = args.keep
    if path is None:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "result.json"
    t = time.perf_counter()
    mix = write_export(path, args.messages, seed=args.seed, vocabulary=args.vocabulary)
    print(f"generated {args.messages:,} messages ({path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - t:.1f}s: {mix}", file=sys.stderr)
    one_pass, sampled = _baseline_sample(path, args.baseline_fraction, args.seed)
    runs, parses, bases = [], [], []
    for r in range(1, max(args.repeat, 1) + 1):
        run = _pipeline_child(path, args)
        runs.append(run)
        parses.append(_parse_floor(path))
        bases.append(one_pass())
        print(f"round {r}: pipeline {run['messages']:,} messages ({run['launches']:,} launch reports) in "
              f"{run['seconds']:.2f}s, peak {run['peak_rss_mb']:.0f} MB; orjson parse {parses[-1]:.2f}s; "
              f"natasha NER {bases[-1] * 1e3:.3f} ms a message ({sampled:,} sampled)", file=sys.stderr)
    n = runs[0]["messages"]
    seconds, parse_s, base = min(r["seconds"] for r in runs), min(parses), min(bases)
    per_message = seconds / max(n, 1)
    print(json.dumps({
        "messages": n, "seconds": round(seconds, 2), "parse_seconds": round(parse_s, 3),
        "ratio_to_parse": round(seconds / parse_s, 1) if parse_s else None,
        "baseline_per_message_s": round(base, 6),
        "speedup_vs_baseline": round(base / per_message, 1) if per_message else None,
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
    }))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
