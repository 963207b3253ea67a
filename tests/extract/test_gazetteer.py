"""The gazetteer's data: every region can be named in Belarusian, whose prothetic в
("вобласць") the stem of "область" does not match, so the Belarusian name must be listed."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from whopushed.extract.gazetteer import Gazetteer, tokens


def _places():
    text = resources.files("whopushed.extract").joinpath("data", "places.yaml").read_text("utf-8")
    return yaml.safe_load(text)["places"]


def test_every_oblast_lists_its_belarusian_name():
    missing = [p["name"] for p in _places()
               if any(n.endswith(" область") for n in p["names"])
               and not any(n.endswith(" вобласць") for n in p["names"])]
    assert missing == []


@pytest.mark.parametrize("phrase,name", [
    ("Растоўскай вобласці", "Rostov oblast"),
    ("Смаленскай вобласці", "Smolensk oblast"),
    ("Арлоўскай вобласці", "Oryol oblast"),
    ("Варонежскай вобласці", "Voronezh oblast"),
    ("Данецкай вобласці", "Donetsk oblast"),
    ("Чарнігаўскай вобласці", "Chernihiv oblast"),
    ("Чарнігаўшчыны", "Chernihiv oblast"),
    ("Запарожжа", "Zaporizhzhia oblast"),
])
def test_belarusian_region_forms_find_the_region(phrase, name):
    toks = tokens(phrase)
    found = Gazetteer.load().places.find(toks, 0, "be")
    assert found and found[0].entry.name == name and found[0].last == len(toks) - 1


def test_packaged_data_files_read_the_same_with_libyaml_as_in_pure_python():
    from importlib import resources

    import yaml

    from whopushed.rulefiles import packaged_yaml

    files = [resources.files("whopushed.extract").joinpath("data", n) for n in ("places.yaml", "weapons.yaml", "rules.yaml")]
    files += [f for f in resources.files("whopushed.reason").joinpath("rules").iterdir() if f.name.endswith(".yaml")]
    assert len(files) > 4
    for f in files:
        text = f.read_text("utf-8")
        assert packaged_yaml(text) == yaml.safe_load(text), f.name
