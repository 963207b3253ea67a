"""Importing a Telegram export into a store, batch by batch: does a batch cost the same
however much is stored already?

    python bench/corpus_import.py --messages 20000 [--batch 2000]

Imports one synthetic export (pipeline/synthetic.py, fixed seed) into a fresh SQLite store
twice, with launch claims, without blobs (citation-only captures, so the figures are the
store's, not the disk's):

- partial: batches imported as `import telegram` does (`Store.import_case(partial=True)`:
  only the batch's ids are looked up, new records appended);
- baseline: the same batches as full case imports (every stored record read and re-ordered
  on every batch).

Both must end with the same records. Prints each mode's seconds, messages/s, the time of
its first and last batch, and a final JSON line with the ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def _run(export: Path, url: str, batch: int, partial: bool) -> dict:
    from whopushed.ingest import telegram_import as ti
    from whopushed.store import Store

    store = Store.open(url)
    times: list[float] = []
    original = store.import_case

    def timed(case, actor=None, **_asked):  # the importer asks for partial; the mode decides
        t = time.perf_counter()
        try:
            return original(case, actor=actor, partial=partial)
        finally:
            times.append(time.perf_counter() - t)

    store.import_case = timed  # type: ignore[method-assign]
    start = time.perf_counter()
    result = ti.import_telegram(store, [export], batch=batch)
    seconds = time.perf_counter() - start
    counts = store.counts()
    store.close()
    return {"seconds": seconds, "first_batch": times[0], "last_batch": times[-1], "batches": len(times),
            "captures": result.added, "claims": result.claims_added, "counts": counts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=2000)
    args = ap.parse_args()
    from whopushed.pipeline.synthetic import write_export

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "result.json"
        write_export(export, args.messages, seed=5)
        out = {}
        for mode, partial in (("partial", True), ("baseline", False)):
            out[mode] = _run(export, f"sqlite:///{Path(tmp) / (mode + '.db')}", args.batch, partial)
            r = out[mode]
            print(f"{mode}: {r['seconds']:.1f}s, {args.messages / r['seconds']:.0f} messages/s; batch 1 "
                  f"{r['first_batch']:.2f}s, batch {r['batches']} {r['last_batch']:.2f}s; "
                  f"{r['captures']} captures, {r['claims']} claims", file=sys.stderr)
        assert out["partial"]["counts"] == out["baseline"]["counts"], "the two modes stored different records"
        p, b = out["partial"], out["baseline"]
        print(json.dumps({
            "messages": args.messages, "batch": args.batch,
            "partial_seconds": round(p["seconds"], 2), "baseline_seconds": round(b["seconds"], 2),
            "speedup": round(b["seconds"] / p["seconds"], 2),
            "partial_messages_per_s": round(args.messages / p["seconds"]),
            "partial_last_to_first_batch": round(p["last_batch"] / p["first_batch"], 2),
            "baseline_last_to_first_batch": round(b["last_batch"] / b["first_batch"], 2),
        }))


if __name__ == "__main__":
    main()
