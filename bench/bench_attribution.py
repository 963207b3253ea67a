"""Benchmark: attribution over a large synthetic case, each stage beside its straightforward
baseline in the same run, with identical outputs asserted.

    .venv/bin/python bench/bench_attribution.py [--incidents 100000] [--claims-per-incident 10]

Stages:
1. derive: claims -> matrix rows by the rule file. Baseline: every claim read afresh
   (rules interpreted in order, parties' states looked up); optimised: readings shared by
   claims that agree on party, operator, kind, polarity and grade.
2. score: every derived matrix scored. Baseline: ach.score per incident (plain Python);
   optimised: ach_batch.score_batch (numpy), and score_codes on the arrays alone.
3. update: one new claim arrives. Baseline: the straightforward full pass again (derive
   with the baseline reader, score per incident); optimised: re-derive and re-score the
   incidents the claim reports on.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import HYPOTHESES, claim, world  # noqa: E402

from whopushed.reason.ach import score  # noqa: E402
from whopushed.reason.ach_batch import encode, score_batch, score_codes  # noqa: E402
from whopushed.reason.attribution import Context, build_inventory, derive_evidence, grade_of, to_matrix  # noqa: E402
from whopushed.reason.rules import RuleSet, WeaponLexicon  # noqa: E402
from whopushed.rulefiles import load_yaml  # noqa: E402


class PlainRuleSet(RuleSet):
    def match(self, *facts):
        return self._first(*facts)  # interpret the rules in order, every time


class PlainContext(Context):
    def reading(self, claim):
        return self._read(claim)  # read every claim afresh


def make_context(cls, rules_cls, acts, srcs, caps, transfer):
    weapons = WeaponLexicon.from_dict(load_yaml("weapons.yaml"))
    captures = {c.id: c for c in caps}
    sources = {s.id: s for s in srcs}
    ctx = cls(HYPOTHESES, {a.id: a for a in acts}, captures, sources,
              rules_cls.from_dict(load_yaml("attribution.yaml")), weapons, "UA")
    ctx.inventory = build_inventory([transfer], weapons, lambda c: grade_of(c, captures, sources))
    return ctx


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def derive_all(incidents, claims, ctx):
    return [derive_evidence(inc, claims[inc.id], ctx)[0] for inc in incidents]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--claims-per-incident", type=int, default=10)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()

    t_world, (acts, srcs, caps, incs, claims, transfer) = timed(
        lambda: world(args.incidents, args.claims_per_incident))
    n_claims = sum(map(len, claims.values()))
    print(f"synthetic case: {len(incs):,} incidents, {n_claims:,} claims, {len(caps):,} captures "
          f"(built in {t_world:.1f} s)")

    plain = make_context(PlainContext, PlainRuleSet, acts, srcs, caps, transfer)
    fast = make_context(Context, RuleSet, acts, srcs, caps, transfer)

    t_derive_base, rows_base = timed(lambda: derive_all(incs, claims, plain))
    t_derive_fast, rows_fast = timed(lambda: derive_all(incs, claims, fast))
    assert rows_base == rows_fast, "derivations differ"
    matrices = [to_matrix(HYPOTHESES, rows) for rows in rows_fast]
    n_rows = sum(len(m.rows) for m in matrices)

    t_score_base, res_base = timed(lambda: [score(m) for m in matrices])
    t_score_fast, res_fast = timed(lambda: score_batch(matrices))
    t_encode, encoded = timed(lambda: encode(matrices))
    codes, cred, rel, mask = encoded
    t_codes, _ = timed(lambda: score_codes(codes, cred, rel, mask, None))
    for a, b in zip(res_base, res_fast):
        assert a.ranking == b.ranking
        assert [(e.linchpin, e.top_without) for e in a.evidence] == [(e.linchpin, e.top_without) for e in b.evidence]
        assert all(abs(x.posterior - y.posterior) <= 1e-12 for x, y in zip(a.hypotheses, b.hypotheses))

    # one new claim: the incidents it reports on are weighed again, and nothing else
    rng = random.Random(11)
    times = []
    for k in range(args.updates):
        inc = incs[rng.randrange(len(incs))]
        new = claim(rng, f"new-{k}", inc.id, len(caps))
        start = time.perf_counter()
        claims[inc.id].append(new)
        rows, _ = derive_evidence(inc, claims[inc.id], fast)
        score(to_matrix(HYPOTHESES, rows))
        times.append(time.perf_counter() - start)
    t_update = statistics.median(times)
    t_update_base = t_derive_base + t_score_base

    def line(stage, base, fast_t, target=None):
        goal = f"   target < {target}" if target else ""
        print(f"{stage:<40} baseline {base:10.4f} s   optimised {fast_t:10.4f} s   ratio {base / fast_t:8.1f}x{goal}")

    print(f"matrices: {len(matrices):,}, rows: {n_rows:,}, hypotheses: {len(HYPOTHESES)}")
    line("derive cells from claims (rule file)", t_derive_base, t_derive_fast, "20 s")
    line("score all matrices (score_batch)", t_score_base, t_score_fast, "2 s")
    line("score all matrices (arrays: encode+codes)", t_score_base, t_encode + t_codes, "2 s")
    print(f"{'':40} of which encode {t_encode:.3f} s, score_codes {t_codes:.3f} s")
    line("update after one new claim (median)", t_update_base, t_update, "0.010 s")
    print("outputs: derivations identical; rankings, linchpins and top_without identical; posteriors within 1e-12")


if __name__ == "__main__":
    main()
