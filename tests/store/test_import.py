"""Importing: idempotent, updates keep the previous version, evidence never changes,
and a failed import changes nothing at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from whopushed.model import COLLECTIONS
from whopushed.store import StoreError
from whopushed.store import search as search_mod
from whopushed.store import store as store_mod
from whopushed.store.tables import metadata

from .fixtures import CASE, SHA, make_case, replaced


def snapshot(store) -> dict[str, list[tuple]]:
    """Every row of every table, in a comparable form."""
    out = {}
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted((repr(tuple(r)) for r in rows))
    return out


def test_second_import_of_the_same_case_reports_all_unchanged_and_changes_nothing(store):
    case = make_case()
    store.import_case(case)
    before = snapshot(store)
    report = store.import_case(case)
    assert report.unchanged == case.counts()
    assert sum(report.added.values()) == sum(report.updated.values()) == 0
    assert report.changed_ids == [] and report.case == "unchanged" and not report.changed
    assert snapshot(store) == before


def test_changed_record_is_updated_in_place_and_its_previous_version_kept(store):
    store.import_case(make_case())
    old = store.get("INC-02")[1]
    report = store.import_case(make_case(incidents=replaced("incidents", "INC-02", title="Missiles over Gomel")))
    assert report.updated["incidents"] == 1 and report.changed_ids == ["INC-02"]
    assert report.unchanged["incidents"] == len(CASE["incidents"]) - 1
    assert store.get("INC-02")[1].title == "Missiles over Gomel"
    assert store.counts() == make_case().counts()
    (rev,) = store.revisions("INC-02")
    assert rev.collection == "incidents" and rev.data == old.model_dump(mode="json")
    assert rev.replaced_at.tzinfo is not None


def test_every_update_adds_one_revision(store):
    store.import_case(make_case())
    for title in ("one", "two", "three"):
        store.import_case(make_case(incidents=replaced("incidents", "INC-03", title=title)))
    assert [r.data["title"] for r in store.revisions("INC-03")] == [
        "Su-34 take-offs from Ziabrauka", "one", "two"]


def test_updated_claim_is_relinked_to_its_new_incidents(store):
    store.import_case(make_case())
    store.import_case(make_case(claims=replaced("claims", "CL-02", incidents=["INC-05"])))
    assert "CL-02" not in [c.id for c in store.claims(incident="INC-01")]
    assert [c.id for c in store.claims(incident="INC-05")] == ["CL-02"]


def test_updated_record_is_reindexed_for_search(store):
    store.import_case(make_case())
    assert [h.record_id for h in store.search("Belgorod")] == ["INC-05"]
    store.import_case(make_case(incidents=replaced("incidents", "INC-05", title="Launches from Kursk")))
    assert store.search("Belgorod") == []
    assert [h.record_id for h in store.search("Kursk")] == ["INC-05"]


def test_changing_a_preserved_capture_raises_and_changes_nothing(store):
    store.import_case(make_case())
    before = snapshot(store)
    changed = make_case(actors=CASE["actors"] + [{"id": "act-new", "name": "New", "kind": "unknown"}],
                        captures=replaced("captures", "cap-002", title="Edited title"))
    with pytest.raises(StoreError, match="cap-002.*preserved"):
        store.import_case(changed)
    assert snapshot(store) == before


def test_a_citation_only_capture_may_become_preserved(store):
    store.import_case(make_case())
    report = store.import_case(make_case(captures=replaced("captures", "cap-001", sha256=SHA, size=10)))
    assert report.updated["captures"] == 1
    assert store.get("cap-001")[1].sha256 == SHA
    assert len(store.revisions("cap-001")) == 1


def test_a_case_with_another_id_is_refused(store):
    store.import_case(make_case())
    before = snapshot(store)
    other = make_case(case={**CASE["case"], "id": "other-case"})
    with pytest.raises(StoreError, match="one workspace holds one case"):
        store.import_case(other)
    assert snapshot(store) == before


def test_changed_case_meta_is_updated_with_a_revision(store):
    store.import_case(make_case())
    report = store.import_case(make_case(case={**CASE["case"], "title": "Renamed"}))
    assert report.case == "updated" and report.changed and report.changed_ids == []
    assert store.case_meta().title == "Renamed"
    assert [r.collection for r in store.revisions("test-by")] == ["case"]


def test_an_exception_midway_rolls_back_everything(store, monkeypatch):
    real = search_mod.documents

    def failing(collection, record):
        if collection == "sanctions":
            raise RuntimeError("disk on fire")
        return real(collection, record)

    monkeypatch.setattr(search_mod, "documents", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.import_case(make_case())
    assert store.counts() == {name: 0 for name in COLLECTIONS}
    assert store.case_meta() is None
    assert all(rows == [] for name, rows in snapshot(store).items())


def test_a_database_error_on_the_last_record_rolls_back_and_raises_store_error(store, monkeypatch):
    small = make_case(statements=[], sanctions=[])
    store.import_case(small)
    before = snapshot(store)
    real = store_mod._columns

    def broken(rec):
        cols = real(rec)
        if rec.id == "ST-04":  # the last statement: violate NOT NULL on speaker
            cols["speaker"] = None
        return cols

    monkeypatch.setattr(store_mod, "_columns", broken)
    changed = make_case(incidents=replaced("incidents", "INC-02", title="changed first"))
    with pytest.raises(StoreError, match="nothing was changed"):
        store.import_case(changed)
    assert snapshot(store) == before
    assert store.counts() == small.counts()


def test_duplicate_ids_in_a_case_are_refused(store):
    dup = make_case(sources=CASE["sources"] + [{**CASE["sources"][0]}])
    with pytest.raises(StoreError, match="used twice"):
        store.import_case(dup)
    assert store.case_meta() is None


def test_an_id_moving_to_another_collection_is_refused(store):
    store.import_case(make_case())
    before = snapshot(store)
    moved = make_case(sanctions=[{**CASE["sanctions"][0], "id": "INC-09"}])
    with pytest.raises(StoreError, match="INC-09.*incidents"):
        store.import_case(moved)
    assert snapshot(store) == before


def test_records_missing_from_a_later_import_are_kept_after_the_others(store):
    store.import_case(make_case())
    smaller = make_case(actors=CASE["actors"][2:])
    report = store.import_case(smaller)
    assert report.unchanged["actors"] == 3 and report.added["actors"] == 0
    assert [a.id for a in store.export_case().actors] == [
        "act-lukashenka", "act-uaf", "act-hajun", "act-belarus", "act-russia"]


def test_a_reordered_case_exports_in_its_new_order(store):
    store.import_case(make_case())
    reordered = make_case(incidents=list(reversed(CASE["incidents"])))
    report = store.import_case(reordered)
    assert not report.changed
    assert store.export_case() == reordered


def test_new_records_in_a_later_import_are_added(store):
    store.import_case(make_case(sanctions=[]))
    report = store.import_case(make_case())
    assert report.added["sanctions"] == 1 and report.changed_ids == ["SAN-01"]
    assert store.export_case() == make_case()


def test_a_partial_import_touches_only_its_own_records_and_appends_new_ones(store):
    store.import_case(make_case())
    batch = make_case(actors=[CASE["actors"][3], {"id": "act-new", "name": "New channel", "kind": "unknown"}],
                      sources=[], captures=[], incidents=[], claims=[], statements=[], sanctions=[])
    report = store.import_case(batch, partial=True)
    assert report.added["actors"] == 1 and report.unchanged["actors"] == 1 and report.changed_ids == ["act-new"]
    # the stored order stands, the new record goes last (a full import would put act-... [3] first)
    assert [a.id for a in store.export_case().actors] == [a["id"] for a in CASE["actors"]] + ["act-new"]
    again = store.import_case(batch, partial=True)
    assert not again.changed and [a.id for a in store.export_case().actors][-1] == "act-new"


def test_a_partial_import_still_refuses_an_id_stored_in_another_collection(store):
    store.import_case(make_case())
    before = snapshot(store)
    moved = make_case(actors=[{"id": "INC-09", "name": "x", "kind": "unknown"}], sources=[], captures=[],
                      incidents=[], claims=[], statements=[], sanctions=[])
    with pytest.raises(StoreError, match="INC-09.*incidents"):
        store.import_case(moved, partial=True)
    assert snapshot(store) == before
