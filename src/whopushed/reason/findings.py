"""Findings: case-level propositions with a weight for (pro) and against (con), fed by the
assessments, claims, incidents and statements as the rulebook's `findings:` section says.

Each item of evidence weighs its grade (high 0.9, medium 0.7, low 0.5; improbable 0)
times the feed's `weight`. Items from one origin count once (the strongest); independent
origins combine as 1 - prod(1 - w). Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..model import Case, Claim, ClaimKind, IncidentKind
from .ach import parse_credibility
from .attribution import Assessment, Context, first_said, grade_of

LEVEL_WEIGHT = {"high": 0.9, "medium": 0.7, "low": 0.5}
RELEVANCE_WEIGHT = {"high": 1.0, "medium": 0.75, "low": 0.5}
STRENGTH = {"CC": 1.0, "C": 0.5, "N": 0.0, "NA": 0.0, "": 0.0, "I": 0.5, "II": 1.0}
ORDER = {"II": 0, "I": 1, "N": 2, "NA": 2, "": 2, "C": 3, "CC": 4}


@dataclass(frozen=True)
class Item:
    """One piece of evidence behind a finding's pro or con."""

    type: str  # claim, statement, incident, attribution
    id: str
    weight: float
    why: str
    origin: str
    cites: tuple[str, ...] = ()  # the claims or statements it rests on


@dataclass(frozen=True)
class Finding:
    id: str
    label: str
    pro: float
    con: float
    pro_items: tuple[Item, ...] = ()
    con_items: tuple[Item, ...] = ()


def noisy_or(items: Iterable[Item]) -> tuple[float, tuple[Item, ...]]:
    """Combine independent origins; within an origin only the strongest item counts."""
    best: dict[str, Item] = {}
    for item in items:
        if item.weight > 0 and (item.origin not in best or item.weight > best[item.origin].weight):
            best[item.origin] = item
    rest = 1.0
    for item in best.values():
        rest *= 1.0 - item.weight
    kept = tuple(sorted(best.values(), key=lambda i: (-i.weight, i.id)))
    return 1.0 - rest, kept


def claim_weight(claim: Claim, ctx: Context) -> float:
    if claim.credibility.value == "5":
        return 0.0  # improbable: shown, supports nothing
    level, _ = parse_credibility(grade_of(claim, ctx.captures, ctx.sources))
    return LEVEL_WEIGHT[level]


@dataclass
class Inputs:
    case: Case
    ctx: Context
    assessments: Sequence[Assessment]
    stances: Mapping[str, Sequence[str]]  # statement id -> stances
    _clusters: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, Any] = field(default_factory=dict)

    def state(self, role: str) -> str | None:
        return {"territorial": self.case.case.territorial_state,
                "aggressor": self.case.case.aggressor_state}.get(role)

    def origin(self, claim) -> str:
        """A claim's origin: its party's, or, for a claim that repeats another (a forward,
        a repost, a near-identical text), the party of the claim said first."""
        if not self._by_id:
            self._by_id.update((c.id, c) for c in self.case.claims)
        return f"party:{first_said(claim, self._by_id)[0].party}"

    def cluster(self, incident_id: str) -> str:
        """Incidents whose claims share a capture or a party's same report are one origin."""
        if not self._clusters:
            parent: dict[str, str] = {}

            def find(x: str) -> str:
                while parent.setdefault(x, x) != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            for claim in self.case.claims:
                incs = [i for i in claim.incidents]
                for cap in claim.captures:
                    for inc in incs:
                        parent[find("inc:" + inc)] = find("cap:" + cap)
            for inc in self.case.incidents:
                self._clusters[inc.id] = find("inc:" + inc.id)
        return self._clusters.get(incident_id, incident_id)


def _listify(v: Any) -> set[str]:
    return {v} if isinstance(v, str) else set(v or ())


def _from_claims(sel: Mapping[str, Any], weight: float, inp: Inputs) -> list[Item]:
    kinds = _listify(sel.get("kind"))
    subject_role = sel.get("subject", "any")
    subject_state = inp.state(subject_role) if subject_role != "any" else None
    items = []
    for claim in inp.case.claims:
        if kinds and claim.kind.value not in kinds:
            continue
        if sel.get("polarity") and claim.polarity.value != sel["polarity"]:
            continue
        if "unlinked" in sel and bool(sel["unlinked"]) == bool(claim.incidents):
            continue
        subject = claim.operator_state or inp.ctx.state_of(claim.operator) or claim.launch_territory
        if subject_state and subject != subject_state:
            continue
        if sel.get("party") == "not_subject_organ" and subject and inp.ctx.speaks_for(claim.party) == subject:
            continue  # a state's own denial serves it: left to the feeds that want it
        w = claim_weight(claim, inp.ctx) * weight
        items.append(Item("claim", claim.id, w, claim.text, inp.origin(claim), (claim.id,)))
    return items


def _speaker_matches(role: str, speaker: str, inp: Inputs) -> bool:
    organ_of = inp.ctx.speaks_for(speaker)
    if role == "any":
        return True
    if role == "territorial_organ":
        return organ_of == inp.state("territorial")
    if role == "aggressor_organ":
        return organ_of == inp.state("aggressor")
    return organ_of not in (inp.state("territorial"), inp.state("aggressor"))


def _from_statements(sel: Mapping[str, Any], weight: float, inp: Inputs) -> list[Item]:
    wanted = _listify(sel.get("stances"))
    items = []
    for st in inp.case.statements:
        if not wanted & set(inp.stances.get(st.id, ())):
            continue
        if not _speaker_matches(sel.get("speaker", "any"), st.speaker, inp):
            continue
        letters = [inp.ctx.sources[inp.ctx.captures[c].source].reliability.value
                   for c in st.captures if c in inp.ctx.captures and inp.ctx.captures[c].source in inp.ctx.sources]
        judged = [x for x in letters if x in "ABCDE"]
        letter = min(judged, key="ABCDE".index) if judged else "F"
        level, _ = parse_credibility(letter + st.credibility.value)
        w = (0.0 if st.credibility.value == "5" else LEVEL_WEIGHT[level]) * weight
        items.append(Item("statement", st.id, w, st.quote[:200], f"speaker:{st.speaker}", (st.id,)))
    return items


def _from_incidents(sel: Mapping[str, Any], weight: float, inp: Inputs) -> list[Item]:
    territory = inp.state(sel.get("launch_territory", "territorial"))
    kind = sel.get("kind", "launch")
    by_incident: dict[str, list[Claim]] = {}
    for claim in inp.case.claims:
        for inc in claim.incidents:
            by_incident.setdefault(inc, []).append(claim)
    items = []
    for inc in inp.case.incidents:
        if inc.excluded or inc.kind.value != kind or inc.launch_territory != territory:
            continue
        reports = [c for c in by_incident.get(inc.id, []) if c.kind is ClaimKind.launch
                   and c.polarity.value == "affirms" and c.launch_territory in (None, territory)]
        if not reports:
            continue
        best = max(reports, key=lambda c: claim_weight(c, inp.ctx))
        w = claim_weight(best, inp.ctx) * weight
        items.append(Item("incident", inc.id, w, inc.title, f"cluster:{inp.cluster(inc.id)}",
                          tuple(c.id for c in reports)))
    return items


def _incident_weights(a: Assessment, hyp_id: str) -> tuple[float, float, list[str], list[str]]:
    """pro and con for one hypothesis from an incident's matrix rows."""
    j = [h.id for h in a.hypotheses].index(hyp_id)
    pro_rest = con_rest = 1.0
    pro_claims, con_claims = [], []
    for ev in a.evidence:
        mine = ev.cells[j]
        others = [c for k, c in enumerate(ev.cells) if k != j]
        w = LEVEL_WEIGHT[ev.credibility] * RELEVANCE_WEIGHT[ev.relevance] * STRENGTH[mine]
        if mine in ("C", "CC") and all(ORDER[mine] > ORDER[o] for o in others):
            pro_rest *= 1 - w
            pro_claims += ev.claims
        elif mine in ("I", "II") and any(ORDER[mine] < ORDER[o] for o in others):
            con_rest *= 1 - w
            con_claims += ev.claims
    return 1 - pro_rest, 1 - con_rest, pro_claims, con_claims


def _from_attribution(sel: Mapping[str, Any], weight: float, inp: Inputs, side: str) -> list[Item]:
    state = inp.state(sel.get("state", "territorial"))
    hyp = next((h.id for h in inp.ctx.hypotheses if h.state == state), None)
    if hyp is None:
        return []
    launches = {i.id for i in inp.case.incidents if i.kind is IncidentKind.launch and not i.excluded}
    rows = [(a, *_incident_weights(a, hyp)) for a in inp.assessments if a.incident in launches]
    if side == "pro":
        return [Item("attribution", a.incident, pro * weight, f"{hyp} in {a.incident}",
                     f"cluster:{inp.cluster(a.incident)}", tuple(dict.fromkeys(pc)))
                for a, pro, _, pc, _ in rows if pro > 0]
    # against "at least once": only as strong as the weakest case against it
    if not rows:
        return []
    weakest = min(rows, key=lambda r: r[2])
    a, _, con, _, cc = weakest
    return [Item("attribution", "all-launch-incidents", con * weight,
                 f"weakest evidence against {hyp} over {len(rows)} launch incidents (at {a.incident})",
                 "attribution:all", tuple(dict.fromkeys(c for r in rows for c in r[4])))] if con > 0 else []


def compute_findings(specs: Mapping[str, Mapping[str, Any]], inp: Inputs) -> dict[str, Finding]:
    found = {}
    for fid, spec in specs.items():
        sides = {}
        for side in ("pro", "con"):
            items: list[Item] = []
            for n, feed in enumerate(spec.get(side) or []):
                weight = float(feed.get("weight", 1.0))
                if "claims" in feed:
                    fed = _from_claims(feed["claims"], weight, inp)
                elif "statements" in feed:
                    fed = _from_statements(feed["statements"], weight, inp)
                elif "incidents" in feed:
                    fed = _from_incidents(feed["incidents"], weight, inp)
                elif "attribution" in feed:
                    fed = _from_attribution(feed["attribution"], weight, inp, side)
                else:
                    raise ValueError(f"finding '{fid}': unknown feed {sorted(feed)}")
                if feed.get("combine") == "max":  # items that rest on one thing count as one
                    fed = [Item(i.type, i.id, i.weight, i.why, f"{fid}:{side}[{n}]", i.cites) for i in fed]
                items += fed
            sides[side] = noisy_or(items)
        found[fid] = Finding(fid, str(spec.get("label", fid)), sides["pro"][0], sides["con"][0],
                             sides["pro"][1], sides["con"][1])
    return found
