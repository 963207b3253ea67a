"""Benchmark: the web workspace under an open-loop load, beside the same queries made
directly against the database.

A synthetic case (default 100,000 incidents, 1,000,000 claims; bench/synth.py, with launch
and impact places added) is written into SQLite. The server runs in its own process
(uvicorn, one worker, on 127.0.0.1); this process sends requests on a fixed schedule
(open loop: 100 per second, not waiting for answers) and measures each from its scheduled
time, so a slow answer delays none of the later arrivals and queueing counts in full.
Three endpoints, one after another: the incidents page (50 rows, with filters), one
incident's page, and the map's GeoJSON for a viewport. The floor: the same queries made
in this process against the database with the Store API (and, for the viewport, one SQL
query over the JSON), no HTTP. Ratios are web / floor.

    .venv/bin/python bench/bench_web.py                       # full size (the build takes minutes;
                                                              # the database is kept in $TMPDIR/whopushed-bench)
    .venv/bin/python bench/bench_web.py --incidents 5000      # a quick look
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import HYPOTHESES, world  # noqa: E402

from whopushed.model import CaseMeta, Place  # noqa: E402
from whopushed.model.geo import GeoPrecision  # noqa: E402

TARGETS = {"incidents page": 0.050, "incident page": 0.050, "geojson viewport": 0.300}


# building the database

def located(rng: random.Random, incidents):
    """The synthetic incidents with a launch place in Belarus and an impact in Ukraine."""
    out = []
    for inc in incidents:
        launch = Place.model_construct(name="launch area", country="BY", precision=GeoPrecision(rng.choice(["vicinity", "locality", "region"])),
                                       lat=round(rng.uniform(51.3, 55.5), 4), lon=round(rng.uniform(23.8, 31.5), 4),
                                       radius_km=None, stated=None)
        impact = Place.model_construct(name="impact area", country="UA", precision=GeoPrecision(rng.choice(["exact", "vicinity", "locality"])),
                                       lat=round(rng.uniform(46.5, 51.8), 4), lon=round(rng.uniform(24.0, 38.0), 4),
                                       radius_km=None, stated=None)
        out.append(inc.model_copy(update={"launch_area": launch, "impact_area": impact}))
    return out


def build(db: Path, n_incidents: int, per_incident: int) -> None:
    """Rows written straight into the store's tables (an import would also index every text
    for search and log every record in the ledger: hours at this size, and not measured)."""
    import sqlalchemy as sa

    from whopushed.store import Store
    from whopushed.store import tables as t
    from whopushed.store.store import _columns

    t0 = time.perf_counter()
    actors, sources, caps, incs, claims, transfer = world(n_incidents, per_incident)
    incs = located(random.Random(11), incs)
    transfer = transfer.model_copy(update={"credibility_why": "synthetic transfer"})  # valid when read back
    url = f"sqlite:///{db}"
    store = Store.open(url)
    meta = CaseMeta(id="synthetic", title="Synthetic case", question="Who pushed the button?", territorial_state="BY",
                    target_state="UA", aggressor_state="RU", hypotheses=HYPOTHESES)

    def flush(conn, batch, links):
        for table, chunk in ((t.claims, batch), (t.claim_incidents, links)):
            if chunk:  # an empty list would insert one row of defaults
                conn.execute(table.insert(), chunk)

    def rows(records):
        return [{"id": r.id, "ord": n, "data": r.model_dump(mode="json"), **_columns(r)} for n, r in enumerate(records)]

    with store.engine.begin() as conn:
        conn.execute(t.case_meta.insert().values(id=meta.id, data=meta.model_dump(mode="json")))
        for table, records in ((t.actors, actors), (t.sources, sources), (t.captures, caps), (t.incidents, incs)):
            conn.execute(table.insert(), rows(records))
        batch, links, ord_ = [], [], 0
        for inc_claims in [*claims.values(), [transfer]]:
            for c in inc_claims:
                batch.append({"id": c.id, "ord": ord_, "data": c.model_dump(mode="json"), **_columns(c)})
                links += [{"claim_id": c.id, "incident_id": i} for i in c.incidents]
                ord_ += 1
            if len(batch) >= 20000:
                flush(conn, batch, links)
                batch, links = [], []
        flush(conn, batch, links)
    with store.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
    store.close()
    print(f"built {db} ({db.stat().st_size / 1e6:.0f} MB): {len(incs):,} incidents, {ord_:,} claims, "
          f"{len(caps):,} captures in {time.perf_counter() - t0:.0f} s", flush=True)


# the server (a second process)

def serve(db: Path, port: int) -> None:
    import uvicorn

    from whopushed.web import create_app

    t0 = time.perf_counter()
    app = create_app(f"sqlite:///{db}")
    snap = app.state.workbench.snapshot()
    loaded = time.perf_counter() - t0
    snap._attributed()  # every incident weighed once: what a server that has been up a while holds
    snap.contested_in  # and what is contested, which each incident page shows
    print(json.dumps({"ready": True, "load_s": round(loaded, 1), "warm_s": round(time.perf_counter() - t0 - loaded, 1)}),
          flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# requests

def incident_page_query(rng: random.Random) -> dict:
    year = rng.choice([2022, 2023, 2024, 2025])
    half = rng.choice([("01", "06"), ("07", "12")])
    q = {"launched_from": "BY", "since": f"{year}-{half[0]}", "until": f"{year}-{half[1]}",
         "page": rng.randint(1, 20)}
    if rng.random() < 0.3:
        q["weapon"] = rng.choice(["Iskander", "Shahed", "Kalibr", "cruise"])
    if rng.random() < 0.2:
        q["sort"], q["order"] = "posterior", "desc"
    return q


def viewport(rng: random.Random) -> str:
    lat, lon = rng.uniform(47, 54), rng.uniform(25, 35)
    return f"{lon - 1.5:.3f},{lat - 1:.3f},{lon + 1.5:.3f},{lat + 1:.3f}"


def urls(kind: str, n: int, n_incidents: int, seed: int) -> list[str]:
    from urllib.parse import urlencode

    rng = random.Random(seed)
    if kind == "incidents page":
        return ["/incidents?" + urlencode(incident_page_query(rng)) for _ in range(n)]
    if kind == "incident page":
        return [f"/incidents/inc-{rng.randrange(n_incidents)}" for _ in range(n)]
    return [f"/api/geojson?bbox={viewport(rng)}" for _ in range(n)]


def open_loop(port: int, paths: list[str], rate: float, workers: int = 48) -> tuple[list[float], int]:
    """Send `paths` at `rate` per second on a fixed schedule; each latency runs from the
    scheduled time to the end of the answer. Returns (latencies, errors)."""
    jobs: queue.Queue = queue.Queue()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            job = jobs.get()
            if job is None:
                return
            due, path = job
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            done = time.perf_counter()
            with lock:
                latencies.append(done - due)
                errors[0] += not ok

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for th in threads:
        th.start()
    start = time.perf_counter() + 0.1
    for i, path in enumerate(paths):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((due, path))
    for _ in threads:
        jobs.put(None)
    for th in threads:
        th.join(120)
    return latencies, errors[0]


# the floor: the same queries, straight against the database

def floor(db: Path, kind: str, paths: list[str], samples: int) -> list[float]:
    from urllib.parse import parse_qs, urlparse

    import sqlalchemy as sa

    from whopushed.model import When
    from whopushed.store import Store
    from whopushed.views import Lookup, incident_json

    store = Store.open(f"sqlite:///{db}")
    look = Lookup(store.get)
    times = []
    for path in paths[:samples]:
        u = urlparse(path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        t0 = time.perf_counter()
        if kind == "incidents page":
            since = When(value=q["since"]).bounds()[0]
            until = When(value=q["until"]).bounds()[1]
            found = store.incidents(launched_from=q["launched_from"], since=since, until=until)
            if "weapon" in q:
                found = [i for i in found if any(q["weapon"].lower() in w.lower() for w in i.weapons)]
            page = int(q.get("page", 1))
            rows = [incident_json(i, store.claims(incident=i.id), look) for i in found[(page - 1) * 50:page * 50]]
        elif kind == "incident page":
            rid = u.path.rsplit("/", 1)[1]
            _, inc = store.get(rid)
            rows = incident_json(inc, store.claims(incident=rid), look, full=True)
        else:
            w, s, e, n = (float(x) for x in q["bbox"].split(","))
            sql = sa.text(
                "SELECT data FROM incidents WHERE excluded = 0 AND ("
                "(json_extract(data, '$.launch_area.lon') BETWEEN :w AND :e AND json_extract(data, '$.launch_area.lat') BETWEEN :s AND :n) OR "
                "(json_extract(data, '$.impact_area.lon') BETWEEN :w AND :e AND json_extract(data, '$.impact_area.lat') BETWEEN :s AND :n)) "
                "ORDER BY earliest, id LIMIT 2000")
            with store.engine.connect() as conn:
                rows = [json.loads(d) if isinstance(d, str) else d for d in conn.execute(sql, {"w": w, "e": e, "s": s, "n": n}).scalars()]
        times.append(time.perf_counter() - t0)
        del rows
    store.close()
    return times


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--claims-per-incident", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second (open loop)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each endpoint's run")
    parser.add_argument("--floor-samples", type=int, default=60)
    parser.add_argument("--db", type=Path, default=None, help="the database (built when missing)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    # outside out/ (the demo rewrites it): building the full size takes minutes
    db = args.db or Path(tempfile.gettempdir()) / "whopushed-bench" / f"web-{args.incidents}x{args.claims_per_incident}.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        build(db, args.incidents, args.claims_per_incident)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(db), "--port", str(port)],
                              stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(server.stdout.readline())
        for _ in range(300):  # the port opens once uvicorn is up
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/api/case")
                break
            except OSError:
                time.sleep(0.1)
        print(f"server: case loaded in {ready['load_s']} s, every incident weighed in {ready['warm_s']} s; "
              f"open loop at {args.rate:g} req/s, {args.seconds:g} s per endpoint", flush=True)
        n = int(args.rate * args.seconds)
        for i, kind in enumerate(TARGETS):  # compile each page's templates before the clock runs
            open_loop(port, urls(kind, 20, args.incidents, seed=7 + i), 20.0, workers=4)
        results = {}
        for i, kind in enumerate(TARGETS):
            paths = urls(kind, n, args.incidents, seed=100 + i)
            web, errors = open_loop(port, paths, args.rate)
            results[kind] = {"web": web, "errors": errors, "paths": paths}
    finally:
        server.terminate()
        server.wait(30)
    print(f"\n{'endpoint':18} {'requests':>8} {'errors':>6} {'web p50':>9} {'web p95':>9} {'target':>7} "
          f"{'db p50':>9} {'db p95':>9} {'p50 x':>6} {'p95 x':>6}")
    summary = {}
    for kind, r in results.items():
        direct = floor(db, kind, r["paths"], args.floor_samples)
        w50, w95, d50, d95 = pct(r["web"], 50), pct(r["web"], 95), pct(direct, 50), pct(direct, 95)
        summary[kind] = {"requests": len(r["web"]), "errors": r["errors"], "web_p50_ms": w50 * 1e3, "web_p95_ms": w95 * 1e3,
                         "db_p50_ms": d50 * 1e3, "db_p95_ms": d95 * 1e3, "target_p95_ms": TARGETS[kind] * 1e3}
        print(f"{kind:18} {len(r['web']):8d} {r['errors']:6d} {w50 * 1e3:7.1f}ms {w95 * 1e3:7.1f}ms "
              f"{'ok' if w95 <= TARGETS[kind] else 'MISS':>7} {d50 * 1e3:7.1f}ms {d95 * 1e3:7.1f}ms "
              f"{w50 / d50:6.2f} {w95 / d95:6.2f}")
    print(json.dumps({"incidents": args.incidents, "claims": args.incidents * args.claims_per_incident,
                      "rate": args.rate, **summary}, indent=1))


if __name__ == "__main__":
    main()
