"""Case files: every problem is reported with file, line and field, and a fix."""

from pathlib import Path
from textwrap import dedent

import pytest

from whopushed.ingest.casefile import read_case, write_case
from whopushed.ingest.errors import InputError

CASE = """\
case:
  id: t
  title: Test
  question: Who launched?
  territorial_state: BY
  target_state: UA
"""
ACTORS = """\
actors:
- id: act-a
  name: A
  kind: person
"""
SOURCES = """\
sources:
- id: src-a
  name: Outlet
  kind: news_outlet
  reliability: B
  reliability_why: a long record of accurate reporting
captures:
- id: cap-a
  source: src-a
  url: https://example.org/a
  title: A page
"""
CLAIM = """\
claims:
- id: cl-1
  kind: launch
  party: act-a
  text: Missiles were launched.
  captures: [cap-a]
  credibility: '3'
  credibility_why: one source, not yet corroborated
"""


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    base = {"case.yaml": CASE, "actors.yaml": ACTORS, "sources.yaml": SOURCES, "claims.yaml": CLAIM}
    base.update({k.replace("_", "."): v for k, v in files.items()})
    for name, text in base.items():
        if text is not None:
            (folder / name).write_text(dedent(text), encoding="utf-8")
    return folder


def problems(folder: Path) -> list:
    with pytest.raises(InputError) as info:
        read_case(folder)
    return info.value.issues


def test_a_valid_folder_reads_and_joins_its_files(tmp_path):
    case = read_case(write(tmp_path))
    assert case.counts()["claims"] == 1 and case.case.id == "t"


def test_malformed_yaml_names_file_and_line(tmp_path):
    [issue] = problems(write(tmp_path, claims_yaml="claims:\n- id: x\n  text: \"unclosed\n"))
    assert issue.file.endswith("claims.yaml") and issue.line == 4
    assert "malformed YAML" in issue.message


def test_unknown_field_names_file_line_and_field_and_lists_allowed(tmp_path):
    [issue] = problems(write(tmp_path, claims_yaml=CLAIM + "  colour: red\n"))
    assert issue.file.endswith("claims.yaml") and issue.line == 9
    assert "colour" in issue.field and "allowed here" in issue.message and "credibility" in issue.message


def test_a_claim_without_a_source_is_refused_with_a_fix(tmp_path):
    [issue] = problems(write(tmp_path, claims_yaml=CLAIM.replace("[cap-a]", "[]")))
    assert issue.line == 6 and "captures" in issue.field
    assert "at least one capture" in issue.message


def test_duplicate_ids_point_at_the_second_one(tmp_path):
    second = CLAIM.replace("claims:\n", "")
    issues = problems(write(tmp_path, claims_yaml=CLAIM + second))
    assert len(issues) == 1
    assert issues[0].line == 9 and "duplicate id 'cl-1'" in issues[0].message


def test_ids_are_unique_across_collections(tmp_path):
    issues = problems(write(tmp_path, claims_yaml=CLAIM.replace("id: cl-1", "id: cap-a")))
    assert "duplicate id 'cap-a'" in issues[0].message


def test_dangling_references_name_the_field_and_position(tmp_path):
    bad = CLAIM.replace("party: act-a", "party: act-nobody").replace("[cap-a]", "[cap-a, cap-zz]")
    issues = problems(write(tmp_path, claims_yaml=bad))
    by_field = {i.field.split()[-1]: i for i in issues}
    assert by_field["party"].line == 4 and "act-nobody" in by_field["party"].message
    assert by_field["captures[1]"].line == 6 and "cap-zz" in by_field["captures[1]"].message


def test_a_key_given_twice_is_an_error_not_a_silent_overwrite(tmp_path):
    [issue] = problems(write(tmp_path, claims_yaml=CLAIM + "  text: again\n"))
    assert issue.line == 9 and "twice" in issue.message and "line 5" in issue.message


def test_unknown_sections_and_missing_case_are_reported(tmp_path):
    issues = problems(write(tmp_path, case_yaml=None, notes_yaml="weather: [sunny]\n"))
    messages = " ".join(i.message for i in issues)
    assert "unknown section 'weather'" in messages and "no 'case:' section" in messages


def test_every_problem_in_every_file_is_reported_at_once(tmp_path):
    bad_claim = CLAIM.replace("credibility: '3'", "credibility: '9'")
    bad_actor = ACTORS.replace("kind: person", "kind: wizard")
    issues = problems(write(tmp_path, claims_yaml=bad_claim, actors_yaml=bad_actor))
    assert {Path(i.file).name for i in issues} == {"claims.yaml", "actors.yaml"}


def test_text_that_is_not_utf8_is_refused_clearly(tmp_path):
    write(tmp_path)
    (tmp_path / "claims.yaml").write_bytes("claims: []\n# Мозырь\n".encode("cp1251"))
    [issue] = problems(tmp_path)
    assert "UTF-8" in issue.message


def test_write_case_reads_back_equal(tmp_path):
    case = read_case(write(tmp_path / "in"))
    write_case(case, tmp_path / "out")
    assert read_case(tmp_path / "out") == case


def test_published_json_schema_is_current():
    import json

    from whopushed.model import case_json_schema
    published = json.loads((Path(__file__).parents[2] / "docs" / "case.schema.json").read_text())
    assert published == case_json_schema(), "run: whopushed case schema > docs/case.schema.json"


def test_case_files_validate_against_the_published_schema(tmp_path):
    import json

    import jsonschema
    import yaml
    schema = json.loads((Path(__file__).parents[2] / "docs" / "case.schema.json").read_text())
    folder = write(tmp_path)
    for f in folder.iterdir():
        jsonschema.validate(yaml.safe_load(f.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"claims": [{"id": "x", "kind": "launch", "colour": "red"}]}, schema)
