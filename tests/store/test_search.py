"""Search finds names across scripts, spellings and inflections, and survives any input."""

from __future__ import annotations

import pytest

from whopushed.store import SearchHit, Store
from whopushed.store.search import SNIPPET_CHARS

from .fixtures import CASE, make_case


@pytest.fixture(scope="module")
def loaded(shared_store_url):
    """The test case, imported once per backend; these tests only read."""
    with Store.open(shared_store_url) as store:
        store.import_case(make_case())
        yield store


def found(store, text: str) -> list[str]:
    return [h.record_id for h in store.search(text)]


MOZYR = {"INC-01", "CL-01", "CL-02", "cap-001", "ST-03"}


@pytest.mark.parametrize("query", ["Мозырь", "Мазыр", "Мозир", "Mozyr", "Mazyr", "Mozyr'",
                                   "Мозыре", "Мозыря", "mozyr", "МОЗЫРЬ"])
def test_every_spelling_of_mozyr_finds_the_same_records(loaded, query):
    assert set(found(loaded, query)) == MOZYR


@pytest.mark.parametrize("query", ["Гомель", "Homel", "Gomel", "Гомелем", "Гомеля", "Homiel"])
def test_every_spelling_of_gomel_finds_the_same_records(loaded, query):
    assert set(found(loaded, query)) == {"INC-02", "CL-03"}


@pytest.mark.parametrize("query", ["Зябровка", "Ziabrauka", "Zyabrovka", "Зябраўка"])
def test_every_spelling_of_ziabrauka_finds_the_same_records(loaded, query):
    assert set(found(loaded, query)) == {"INC-03", "INC-04", "cap-002"}


def test_actors_are_found_by_name_or_alias_in_any_script(loaded):
    assert found(loaded, "Лукашенко") == ["act-lukashenka", "cap-003"]  # the name ranks first
    for hajun in ("Гаюн", "Hajun"):
        assert found(loaded, hajun)[0] == "act-hajun"
        assert set(found(loaded, hajun)) == {"act-hajun", "src-hajun", "CL-02"}


def test_every_query_word_must_match(loaded):
    assert set(found(loaded, "Mozyr ballistic")) == {"CL-01"}
    assert found(loaded, "Mozyr Gomel") == []


@pytest.mark.parametrize("query", ['"', '""', '"Mozyr', "*", "Mozyr*", "(", ")", "(Mozyr", "NEAR",
                                   "NEAR(a b)", "-", "-Mozyr", "a - b", "AND", "OR NOT", "^x",
                                   "col:Mozyr", "'", "&", "|", "!", ":*", "\\", "%", "_", "",
                                   "   ", "…", "💥", "{}[]", "\x00"])
def test_fts_syntax_in_a_query_is_taken_as_text_and_never_raises(loaded, query):
    hits = loaded.search(query)
    assert all(isinstance(h, SearchHit) for h in hits)


def test_very_long_queries_do_not_raise(loaded):
    assert loaded.search(" ".join(f"w{i}" for i in range(300))) == []
    assert {h.record_id for h in loaded.search("Mozyr " * 2000)} == MOZYR


def test_operator_words_are_searched_as_plain_words(loaded):
    assert set(found(loaded, "NEAR")) == {"cap-004", "CL-05", "CL-02", "INC-01"}  # 'near' too
    assert set(found(loaded, '"quoted" (NEAR) *')) == {"cap-004"}


def test_hit_names_field_and_gives_a_plain_snippet_of_the_original(loaded):
    (hit,) = [h for h in loaded.search("Мазыр") if h.record_id == "CL-02"]
    assert hit.collection == "claims"
    assert hit.field == "text"  # the best field: the text says Mazyr exactly
    assert hit.snippet == "Hajun reports launches near Mazyr before dawn."


def test_snippet_is_a_window_around_the_match_in_long_text(store):
    long_text = "filler words " * 60 + "the launch came from Мозырь at dawn " + "more filler " * 60
    claims = [{**CASE["claims"][0], "text": long_text}] + CASE["claims"][1:]
    store.import_case(make_case(claims=claims))
    (hit,) = [h for h in store.search("Mozyr") if h.record_id == "CL-01"]
    assert "Мозырь" in hit.snippet
    assert len(hit.snippet) <= SNIPPET_CHARS
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")


def test_exact_word_outranks_a_longer_word_and_ties_go_by_collection_then_id(loaded):
    hits = loaded.search("Mozyr")
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks, reverse=True)
    for a, b in zip(hits, hits[1:]):
        if a.rank == b.rank:
            assert (a.collection, a.record_id) < (b.collection, b.record_id)
    by_id = {h.record_id: h for h in hits}
    assert by_id["INC-01"].rank > by_id["CL-01"].rank  # an incident's launch area name


def test_limit_bounds_the_hits(loaded):
    assert len(loaded.search("Mozyr", limit=2)) == 2
    assert loaded.search("Mozyr", limit=0) == []


def test_one_hit_per_record(loaded):
    hits = loaded.search("Mozyr")
    assert len({(h.collection, h.record_id) for h in hits}) == len(hits)


def test_search_of_an_empty_store_finds_nothing(store):
    assert store.search("Mozyr") == []
