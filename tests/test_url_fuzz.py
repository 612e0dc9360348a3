"""Every setting's link parameter, fuzzed: generated from the settings registry, so a
new field is fuzzed automatically. A hostile or careless value is either accepted as
a legal value of its field or refused with a note naming the parameter; it never
raises, never renders as Markdown, and every page still draws."""

import math
import re

import pytest
from apptest_support import open_page

import landscape.ui.chrome  # noqa: F401  (registers every page's settings)
from landscape.ui import state
from landscape.ui.markdown import literal

HOSTILE = ["", "nan", "inf", "-inf", "1e308", "-1e308", "-1", "0", "1.5", "10000000000",
           "true", "false", "a,b,c", "[Session expired](https://evil.example/login)",
           "![x](http://127.0.0.1:8799/track.png)", "<script>alert(1)</script>",
           "**bold** _it_ `code`", "π ∞ 𝔸", "1,2,3,4,5", "a" * 5000, "%00%0a", "../../etc/passwd"]
CASES = [(name, value) for name in sorted(state.FIELDS) for value in HOSTILE]


def legal(field: state.Field, value) -> bool:
    """Whether ``value`` is one the field's widget could hold."""
    if field.kind is list:
        return isinstance(value, list) and all(v in field.choices for v in value)
    if field.kind is bool:
        return isinstance(value, bool)
    if not isinstance(value, field.kind):
        return False
    if field.choices is not None:
        return value in field.choices
    if field.kind is float and not math.isfinite(value):
        return False
    if field.kind is str:
        return len(value) <= state.TEXT_MAX
    return ((field.low is None or value >= field.low)
            and (field.high is None or value <= field.high))


@pytest.mark.parametrize("name, value", CASES, ids=[f"{n}={v[:20]!r}" for n, v in CASES])
def test_a_link_value_is_a_legal_setting_or_a_note_naming_it(name, value):
    values, notes = state.parse_url({name: value})
    field = state.FIELDS[name]
    if not field.in_url:
        assert values[name] == field.default and any(name in n for n in notes)
        return
    if notes:
        assert len(notes) == 1 and notes[0].startswith(f"Link parameter {name}")
        assert values[name] == field.default
    else:
        assert legal(field, values[name]), (name, value, values[name])
        assert field.parse(field.format(values[name])) == values[name]  # it round-trips


PAGES = {"problem.": "Home", "preset": "Home", "present": "Home", "landscape.": "Landscape",
         "hessian.": "Hessian", "newton.": "Newton", "compare.": "Compare", "step": "Tour",
         "tour.": "Tour"}


def page_of(name: str) -> str:
    return next(page for prefix, page in PAGES.items() if name.startswith(prefix))


def test_every_field_has_a_page():
    assert {page_of(name) for name in state.FIELDS} <= set(PAGES.values())


@pytest.mark.parametrize("page", ["Home", "Landscape", "Hessian", "Newton", "Compare", "Tour"])
@pytest.mark.parametrize("value", ["[Session expired](https://evil.example/login)", "-1e308"])
def test_a_page_with_every_one_of_its_fields_hostile_still_draws(page, value):
    """All of a page's fields (and the problem's) set to one hostile value at once:
    the page runs without an exception, each refusal is a note shown as literal text
    (no Markdown link or image survives), and the sidebar is drawn."""
    names = [n for n in state.FIELDS if page_of(n) in (page, "Home")]
    at = open_page(page, **{n: value for n in names})
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in (*at.warning, *at.error, *at.info)]
    assert shown, "a hostile link must be answered with a note"
    for text in shown:
        assert not re.search(r"(?<!\\)\]\(", text), text  # no live [text](url)
    if value.startswith("["):
        assert any(literal(value) in text for text in shown)  # quoted, escaped
    assert at.sidebar.radio  # the problem builder is drawn
