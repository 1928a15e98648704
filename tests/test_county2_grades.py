"""A scheme with its own grade names (优秀/良好/合格/不合格) that leaves the grade sentences to the defaults
([wording] graded, [series_wording] unset): the defaults name its grades its way (``{grade_name}``,
``{top_name}``: wording.letter_grade / named_grade), never as A–D "X类"; a template of its own that still
writes "{grade}类" is a ``pyhotline check`` note naming the key."""

from __future__ import annotations

import re
import shutil
import warnings

import pytest

import pyhotline as ph
from pyhotline import bulletin
from pyhotline.check import check_files
from pyhotline.scheme import SchemeNote, grade_wording_notes
from pyhotline.series import text as series_text

from county2.generate import generate

GRADES = ("优秀", "良好", "合格", "不合格")


def _without(toml: str, *, tables=(), keys=()) -> str:
    """The scheme text without the named tables and keys."""
    out, skip = [], False
    for line in toml.splitlines():
        header = re.match(r"^\[([^\]]+)\]", line)
        if header:
            skip = header.group(1) in tables
        if skip or any(re.match(rf"^{k}\s*=", line) for k in keys):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("yunxi-grades"))


def _scheme_copy(county, folder, text: str):
    folder.mkdir(exist_ok=True)
    shutil.copy(county.scheme_file.parent / "yunxi-requirements.md", folder)
    path = folder / "named.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plain_scheme(county, tmp_path_factory):
    """云溪县's scheme with no [series_wording] and its graded clause left to the default."""
    text = _without(county.scheme_file.read_text(encoding="utf-8"), tables=("series_wording",), keys=("graded",))
    return ph.load_scheme(_scheme_copy(county, tmp_path_factory.mktemp("named"), text))


@pytest.fixture(scope="module")
def march(county, plain_scheme):
    from pyhotline.store import import_files

    path = county.folder / "store" / "named.duckdb"
    import_files(path, orders=[county.orders_file], units=[county.units_file], letters=[county.letters_file],
                 scheme=plain_scheme)
    data = ph.load_month("2024-03", store=path, scheme=plain_scheme, history=1)
    return ph.monthly_report("2024-03", data, plain_scheme)


def _text(report) -> str:
    html = bulletin.basic_html(report) + bulletin.problems_html(report)
    return re.sub(r"<[^>]+>", "", html)


def test_default_grade_sentences_use_the_schemes_grade_names(march, plain_scheme):
    assert "series_wording" not in plain_scheme.raw and "graded" not in plain_scheme.raw["wording"]
    said = _text(march)
    assert march.series_parts.grade_counts is not None and march.series_parts.below_top is not None
    assert not re.search(r"(优秀|良好|合格)[类级]|[A-D][类级]|较好类", said), said
    # the grades are named as the scheme names them
    assert re.search(r"(良好|合格|不合格)\d+个", said)  # grade counts
    assert "未达到优秀的单位" in said  # below the top grade months in a row
    graded = [g for g, units in march.graded.items() if units]
    assert graded and all(f"考核等级为{g}，扣" in said for g in graded)


def test_the_bundled_letter_grades_read_as_before():
    scheme = ph.load_scheme()
    assert [scheme.grade_name(g.name) for g in scheme.grades] == ["A类", "B类", "C类", "D类"]
    assert scheme.words("graded", units="甲", grade="B", grade_name=scheme.grade_name("B"), points="2") == "甲考核等级为B类，扣2分"
    assert grade_wording_notes(scheme) == []


def test_check_notes_a_template_that_still_writes_the_letter_grades_way(county, tmp_path):
    text = county.scheme_file.read_text(encoding="utf-8")
    text = text.replace('grade_counts_item = "{grade}{count}个"', 'grade_counts_item = "{grade}类{count}个"')
    text = text.replace('graded = "{units}考评等级为“{grade}”，扣减{points}分"', 'graded = "{units}考核等级为{grade}类，扣{points}分"')
    path = _scheme_copy(county, tmp_path / "copy", text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = check_files(county.orders_file, county.units_file, county.letters_file, scheme=path)
    notes = [str(w.message) for w in caught if issubclass(w.category, SchemeNote)]
    assert len(notes) == 2 and result.ok
    assert any("wording.graded" in n and "{grade_name}" in n for n in notes)
    assert any("series_wording.grade_counts_item" in n for n in notes)
    assert all("优秀、良好、合格、不合格" in n for n in notes)


def test_series_templates_may_still_use_the_plain_grade(county):
    rules = ph.load_scheme(county.scheme_file)  # its own "{grade}{count}个", "未评为“{top}”"
    assert series_text.wording(rules)["grade_counts_item"] == "{grade}{count}个"
    assert grade_wording_notes(rules) == []


def test_a_copy_of_the_bundled_wording_under_named_grades_gets_no_false_note(tmp_path):
    """Stranger finding 4: wording.letter_grade = "{grade}类" (the bundled default, copied by every county)
    was noted on every check and bulletin under 优秀/良好… grades, though it names one-letter grades only,
    and the advice ({grade_name} in letter_grade) was then refused."""
    from conftest import scheme_variant

    path = scheme_variant(tmp_path, ('name = "A"\n', 'name = "优秀"\n'), ('name = "B"\n', 'name = "良好"\n'),
                          ('name = "C"\n', 'name = "一般"\n'), ('name = "D"\n', 'name = "较差"\n'),
                          ('graded = "{units}考核等级为{grade_name}，扣{points}分"', 'graded = "{units}评为“{grade}”，扣{points}分"'))
    scheme = ph.load_scheme(path)
    assert 'letter_grade = "{grade}类"' in path.read_text(encoding="utf-8")
    assert grade_wording_notes(scheme) == []
    named = path.read_text(encoding="utf-8").replace('named_grade = "{grade}"', 'named_grade = "{grade}类"')
    path.write_text(named, encoding="utf-8")
    notes = grade_wording_notes(ph.load_scheme(path))
    assert len(notes) == 1 and "wording.named_grade" in notes[0] and "{grade}（去掉“类”）" in notes[0]
