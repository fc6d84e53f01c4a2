"""Definitions: loading TOML / JSON, errors that name the file and the field, the
ready-made surveys in three languages, and the example in docs/surveys.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sanjeh.surveys import DefinitionError, default_definitions, load_definition

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
id = "csat-x"
kind = "csat"
trigger = "ticket_solved"
title = {fa = "نظرسنجی", ar = "استطلاع", en = "Survey"}

[[questions]]
code = "csat"
scale = [1, 5]
text = {fa = "راضی بودید؟", ar = "هل كنت راضيًا؟", en = "Were you satisfied?"}
"""


def test_a_minimal_toml_file_gets_the_documented_defaults(tmp_path: Path) -> None:
    path = tmp_path / "csat.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    d = load_definition(path)
    assert (d.survey_id, d.kind, d.trigger, d.version) == ("csat-x", "csat", "ticket_solved", 0)
    assert (d.sample_days, d.lookback_days, d.expires_days, d.grace_minutes) == (30, 7, 7, 30)
    assert d.anonymous is False and d.languages == ("fa", "ar", "en")
    q = d.primary
    assert (q.code, q.kind, q.scale, q.required) == ("csat", "rating", (1, 5), True)
    assert q.text["fa"] == "راضی بودید؟"


def test_json_and_toml_give_the_same_definition(tmp_path: Path) -> None:
    toml_path = tmp_path / "a.toml"
    toml_path.write_text(MINIMAL, encoding="utf-8")
    from_toml = load_definition(toml_path)
    json_path = tmp_path / "a.json"
    json_path.write_text(from_toml.to_json(), encoding="utf-8")
    assert load_definition(json_path) == from_toml
    assert load_definition(from_toml.to_dict()) == from_toml
    # a pasted text (the dashboard's form), TOML or JSON
    assert load_definition(MINIMAL) == from_toml
    assert load_definition(from_toml.to_json()) == from_toml
    with pytest.raises(DefinitionError, match=r"^pasted: not valid TOML"):
        load_definition("id = \n[", name="pasted")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind = "csat"', 'kind = "survey"', "kind: 'survey' is not one of: csat, ces"),
        ("[[questions]]", "[[asked]]", "asked: unknown field; fields: anonymous, ces_scale"),
        ("scale = [1, 5]", "scale = [0, 10]", "primary question 'csat': a csat is asked on 1-5"),
        ('code = "csat"', 'code = "Bad Code"', "questions[1]: code: 'Bad Code'"),
        ("scale = [1, 5]", "scale = [5]", "questions[1]: scale: expected [lowest, highest]"),
        ('trigger = "ticket_solved"', 'trigger = "every_n_weeks"', "trigger: every_n_weeks is"),
        ('en = "Survey"}', 'en = "Survey", de = "x"}', "title.de: unknown language"),
        (', en = "Survey"}', "}", "title.en: missing: every language of the survey needs it"),
        ('id = "csat-x"', 'id = "csat-x"\nsample_days = "30"', "sample_days: expected a whole"),
        ('id = "csat-x"', 'id = "csat-x"\ngrace_minutes = 9999', "grace_minutes: 9999 is outside"),
        ('id = "csat-x"', 'id = "csat-x"\ncolour = "blue"', "colour: unknown field"),
    ],
)
def test_errors_name_the_file_and_the_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in MINIMAL
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_survey_without_questions_is_refused() -> None:
    with pytest.raises(DefinitionError, match=r"^x\.toml: questions: missing: at least one"):
        load_definition({"id": "x", "kind": "csat", "title": "x"}, name="x.toml")


def test_bad_syntax_and_missing_files_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"id": "a",', encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"x\.json: line 1: not valid JSON"):
        load_definition(path)
    with pytest.raises(DefinitionError, match=r"nope\.toml: no such file"):
        load_definition(tmp_path / "nope.toml")


def test_employee_surveys_are_always_anonymous() -> None:
    base = default_definitions()["enps-quarterly"].to_dict()
    assert load_definition(base).anonymous is True
    with pytest.raises(DefinitionError, match="anonymous: enps answers are always anonymous"):
        load_definition({**base, "anonymous": False}, name="mine.toml")
    with pytest.raises(DefinitionError, match=r"mine\.toml: trigger: enps asks the team"):
        load_definition({**base, "trigger": "ticket_solved", "every_weeks": None}, name="mine.toml")


def test_every_question_kind_and_a_choice_question() -> None:
    data = json.loads(default_definitions()["csat-after-solve"].to_json())
    data["questions"].append(
        {"code": "reason", "kind": "choice", "choices": ["speed", "tone"], "text": "Why?"}
    )
    d = load_definition(data)
    assert d.question("reason").scale == (1, 2)
    assert d.question("reason").text == {"fa": "Why?", "ar": "Why?", "en": "Why?"}
    data["questions"][-1]["choices"] = ["only one"]
    with pytest.raises(DefinitionError, match=r"questions\[3\]: choices: a choice question needs"):
        load_definition(data)


def test_the_defaults_are_worded_in_persian_arabic_and_english() -> None:
    defaults = default_definitions()
    assert sorted(d.kind for d in defaults.values()) == ["ces", "csat", "enps", "nps", "pulse"]
    persian = re.compile("[پچژگکی]")  # letters Arabic does not use
    for d in defaults.values():
        for q in d.questions:
            assert set(q.text) == {"fa", "ar", "en"}, (d.survey_id, q.code)
            assert persian.search(q.text["fa"]), (d.survey_id, q.code, q.text["fa"])
            assert not persian.search(q.text["ar"]), (d.survey_id, q.code, q.text["ar"])
            assert re.search("[\u0600-\u06ff]", q.text["ar"]), (d.survey_id, q.code)
            assert not re.search("[\u0600-\u06ff]", q.text["en"]), (d.survey_id, q.code)
    assert defaults["pulse-weekly"].every_weeks == 1 and defaults["pulse-weekly"].anonymous
    assert defaults["nps-after-solve"].primary.scale == (0, 10)


def test_the_example_in_the_docs_loads(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "surveys.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    example = next(b for b in blocks if "[[questions]]" in b)
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    d = load_definition(path)
    assert d.survey_id == "csat-after-chat"
    assert [q.kind for q in d.questions] == ["rating", "yes_no", "choice", "text"]
    assert d.channels == ("chat",) and d.sample_days == 14 and d.grace_minutes == 15
