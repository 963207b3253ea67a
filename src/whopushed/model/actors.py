"""Reading the actor hierarchy (part_of): whose state an actor belongs to or speaks for."""

from __future__ import annotations

from typing import Callable, Mapping

from .records import Actor

ORGAN_KINDS = ("state", "agency", "force", "unit")


def _up(actors: Mapping[str, Actor], actor_id: str | None, test: Callable[[Actor], bool]) -> str | None:
    seen: set[str] = set()
    while actor_id and actor_id not in seen:
        seen.add(actor_id)
        actor = actors.get(actor_id)
        if actor is None:
            return None
        if test(actor):
            return actor.state
        actor_id = actor.part_of
    return None


def state_of(actors: Mapping[str, Actor], actor_id: str | None) -> str | None:
    """The first state named up the chain: a unit's, a person's nationality."""
    return _up(actors, actor_id, lambda a: bool(a.state))


def organ_of(actors: Mapping[str, Actor], actor_id: str | None) -> str | None:
    """The state whose organ the actor is: a state, agency, force or unit, or anyone placed
    within one (part_of). A national speaking for themselves (an opposition leader, a
    journalist) speaks for no state; the first organ up the chain decides."""
    return _up(actors, actor_id, lambda a: a.kind.value in ORGAN_KINDS and bool(a.state))
