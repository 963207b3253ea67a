"""`whopushed statements` with stances and `--contradictions`, on SQLite and PostgreSQL."""

import shutil

import pytest
import yaml

from clihelp import BELARUS, cli, cli_json

from whopushed.rulefiles import load_yaml


@pytest.fixture
def loaded(store_url):
    cli("import", "case", BELARUS, db=store_url)
    return store_url


def test_statements_show_each_stance_and_whether_a_rule_or_an_override_gave_it(loaded):
    rows = {r["id"]: r for r in cli_json("statements", db=loaded)}
    assert len(rows) == 40 and all("stance" not in r for r in rows.values())
    assert rows["ST-32"]["stances"] == ["co_aggressor"] and rows["ST-32"]["stance_source"] == "rule"
    assert rows["ST-32"]["stance_rules"] == ["organ-calls-itself-party"]
    assert rows["ST-14"]["stances"] == ["admits_launches"] and rows["ST-14"]["stance_source"] == "override"
    assert rows["ST-18"]["stances"] == [] and rows["ST-18"]["stance_source"] == "none"
    overrides = [r["id"] for r in rows.values() if r["stance_source"] == "override"]
    assert len(overrides) <= 2  # the rules read all but a few quotes right
    table = cli("statements", "--speaker", "lukashenka", db=loaded).stdout
    assert "co_aggressor" in table and "override" in table


def test_contradictions_list_one_speakers_statements_with_dates_quotes_and_source_urls(loaded):
    rows = cli_json("statements", "--contradictions", db=loaded)
    assert rows and {r["speaker"]["id"] for r in rows} == {"act-lukashenka"}
    pairs = {(r["first"]["id"], r["second"]["id"]): r for r in rows}
    r = pairs[("ST-13", "ST-32")]
    assert r["stances"] == ["denies_involvement", "co_aggressor"] and r["why"]
    assert r["first"]["made"]["value"] == "2022-03-04" and "not participated" in r["first"]["quote"]
    assert "co-aggressors" in r["second"]["quote"]
    for row in rows:
        for side in ("first", "second"):
            assert row[side]["sources"] and all(s["url"].startswith("http") for s in row[side]["sources"])
        assert row["first"]["made"]["earliest"] <= row["second"]["made"]["earliest"]
        assert row["stances"][0] in row["first"]["stances"] and row["stances"][1] in row["second"]["stances"]


def test_contradictions_in_plain_text_name_the_speaker_dates_and_source_urls(loaded):
    text = cli("statements", "--contradictions", "--speaker", "Лукашенко", db=loaded).stdout
    assert "Alyaksandr Lukashenka: ST-13 denies_involvement vs ST-32 co_aggressor" in text
    assert "2022-03-04" in text and "2023-08-17" in text and "source: https://" in text
    none = cli("statements", "--contradictions", "--speaker", "act-zelensky", db=loaded)
    assert "No contradictions" in none.stdout
    assert cli_json("statements", "--contradictions", "--speaker", "act-zelensky", db=loaded) == []


def test_an_edited_stance_rule_file_changes_the_classification_and_the_contradictions(loaded, tmp_path):
    rules = load_yaml("stances.yaml")
    rules["rules"] = [r for r in rules["rules"] if r["id"] != "organ-calls-itself-party"]
    path = tmp_path / "stances.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    rows = {r["id"]: r for r in cli_json("statements", "--rules", path, db=loaded)}
    assert rows["ST-32"]["stance_source"] == "none"
    pairs = {(r["first"]["id"], r["second"]["id"])
             for r in cli_json("statements", "--contradictions", "--rules", path, db=loaded)}
    assert ("ST-13", "ST-32") not in pairs and ("ST-05", "ST-08") in pairs


def test_a_broken_stance_rule_file_is_refused_naming_the_rule(loaded, tmp_path):
    rules = load_yaml("stances.yaml")
    rules["rules"][0]["stance"] = "denies"
    path = tmp_path / "stances.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    result = cli("statements", "--rules", path, db=loaded, ok=False)
    assert result.exit_code == 2 and rules["rules"][0]["id"] in result.stderr


def test_an_override_in_a_copy_of_the_case_wins_and_drops_its_contradictions(store_url, tmp_path):
    case = tmp_path / "belarus"
    shutil.copytree(BELARUS, case)
    path = case / "statements.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for st in data["statements"]:
        if st["id"] == "ST-32":  # read as irony, not as a self-description
            st["stances"] = ["other"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cli("import", "case", case, db=store_url)
    rows = {r["id"]: r for r in cli_json("statements", "--speaker", "act-lukashenka", db=store_url)}
    assert rows["ST-32"]["stances"] == ["other"] and rows["ST-32"]["stance_source"] == "override"
    pairs = cli_json("statements", "--contradictions", db=store_url)
    assert pairs and not any("ST-32" in (r["first"]["id"], r["second"]["id"]) for r in pairs)
