"""A synthetic case of any size for the benchmarks: parties, sources, captures with reposts,
incidents, and claims of every kind the attribution rules read."""

from __future__ import annotations

import random
from datetime import date, timedelta

from whopushed.model import (Actor, Capture, Claim, ClaimKind, Credibility, Hypothesis, Incident, IncidentKind,
                             Polarity, Source, When)

HYPOTHESES = [Hypothesis(id="H-BY", label="BY crew", state="BY"), Hypothesis(id="H-RU", label="RU crew", state="RU"),
              Hypothesis(id="H-OTHER", label="other")]
WEAPONS = ["Iskander", "Kh-22", "Shahed-136", "Kalibr", "cruise missile", "Tochka-U"]


def actors() -> list[Actor]:
    found = [Actor(id="by", name="Belarus", kind="state", state="BY"),
             Actor(id="ru", name="Russia", kind="state", state="RU"),
             Actor(id="ua", name="Ukraine", kind="state", state="UA")]
    for state in ("BY", "RU", "UA"):
        for i in range(8):
            found.append(Actor(id=f"{state.lower()}-organ-{i}", name=f"{state} organ {i}", kind="agency",
                               state=state, part_of=state.lower()))
        for i in range(4):
            found.append(Actor(id=f"{state.lower()}-unit-{i}", name=f"{state} unit {i}", kind="unit",
                               state=state, part_of=state.lower()))
    for i in range(20):
        found.append(Actor(id=f"third-{i}", name=f"monitor {i}", kind="monitoring_group"))
    return found


def sources(rng: random.Random) -> list[Source]:
    return [Source(id=f"src-{i}", name=f"outlet {i}", kind="news_outlet", reliability=rng.choice("ABCDEF"),
                   reliability_why="synthetic grade") for i in range(100)]


def captures(rng: random.Random, n: int) -> list[Capture]:
    found = []
    for i in range(n):
        repost = f"cap-{rng.randrange(i)}" if i > 10 and rng.random() < 0.1 else None
        found.append(Capture.model_construct(id=f"cap-{i}", source=f"src-{rng.randrange(100)}",
                                             url=f"https://example.org/{i}", title=f"page {i}", repost_of=repost,
                                             sha256=None))
    return found


def incident(rng: random.Random, i: int) -> Incident:
    day = date(2022, 2, 24) + timedelta(days=rng.randrange(1200))
    return Incident.model_construct(id=f"inc-{i}", kind=IncidentKind.launch, title=f"incident {i}",
                                    when=When.model_construct(value=day.isoformat(), stated=None, approximate=False), launch_territory="BY",
                                    weapons=[rng.choice(WEAPONS)], excluded=None)


PARTIES = None


def claim(rng: random.Random, cid: str, incident_id: str, n_captures: int) -> Claim:
    global PARTIES
    if PARTIES is None:
        PARTIES = [a.id for a in actors() if a.kind != "state"]
    kind = rng.choices(["operator", "participation", "launch", "control"], [6, 1, 2, 1])[0]
    state = rng.choice(["BY", "RU", "RU", "UA"])
    operator = f"{state.lower()}-unit-{rng.randrange(4)}" if rng.random() < 0.1 else None
    made = date(2022, 3, 1) + timedelta(days=rng.randrange(1200))
    return Claim.model_construct(
        id=cid, kind=ClaimKind(kind), party=rng.choice(PARTIES), text="synthetic", incidents=[incident_id],
        captures=[f"cap-{rng.randrange(n_captures)}" for _ in range(rng.choice([1, 1, 2]))],
        credibility=Credibility(rng.choice("123456")), credibility_why="synthetic",
        polarity=Polarity(rng.choice(["affirms", "affirms", "denies"])),
        made=When.model_construct(value=made.isoformat(), stated=None, approximate=False), operator_state=None if kind == "launch" else state,
        operator=operator, weapons=[], when=None, retracts=None)


def world(n_incidents: int, claims_per_incident: int, seed: int = 7):
    rng = random.Random(seed)
    n_captures = max(1000, n_incidents * 2)
    caps = captures(rng, n_captures)
    incs = [incident(rng, i) for i in range(n_incidents)]
    claims = {inc.id: [claim(rng, f"{inc.id}-c{j}", inc.id, n_captures) for j in range(claims_per_incident)]
              for inc in incs}
    transfer = Claim.model_construct(id="transfer", kind=ClaimKind.capability, party="ru-organ-0", text="transfer",
                                     incidents=[], captures=["cap-0"], credibility=Credibility.c1, credibility_why="x",
                                     polarity=Polarity.affirms, operator_state="BY", weapons=["Iskander-M"],
                                     when=When(value="2023-04-04"), made=None, operator=None, retracts=None)
    return actors(), sources(rng), caps, incs, claims, transfer
