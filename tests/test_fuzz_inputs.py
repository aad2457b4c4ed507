"""No input a planner can type makes the tool crash: random cell edits of the default case
either validate into a solvable case or give located problems — never an exception."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from optimizer.errors import InputError, UsageError
from optimizer.inputs.default_case import default_raw
from optimizer.inputs.rawbook import ErrorValue, UncachedFormula
from optimizer.inputs.scenario import apply_scenario, scenario_names
from optimizer.inputs.validate import validate
from optimizer.solve.run import solve_case
from optimizer.solve.status import Status

BASE = default_raw()
SHEETS = [name for name in BASE.sheets if BASE.sheets[name].rows]

cell_values = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.sampled_from(
        [
            "",
            " ",
            "yes",
            "no",
            "TRUE",
            "abc",
            "2027-13",
            "2027-02",
            "1,000",
            "=SUM(A1)",
            "\xa0Mohawk\xa0",
            "Madero",
            "any",
            "all",
            "-5",
            "1e400",
        ]
    ),
    st.booleans(),
    st.just(datetime(2027, 3, 1)),
    st.just(ErrorValue("#DIV/0!")),
    st.just(UncachedFormula("=A1*2")),
)


@st.composite
def edited_books(draw):
    book = BASE.copy()
    for _ in range(draw(st.integers(1, 4))):
        sheet = book.sheets[draw(st.sampled_from(SHEETS))]
        r = draw(st.integers(0, len(sheet.rows) - 1))
        c = draw(st.integers(0, len(sheet.headers) - 1))
        target = draw(st.sampled_from(["cell", "cell", "cell", "header"]))
        if target == "header":
            sheet.headers[c] = draw(cell_values)
        else:
            sheet.rows[r][c] = draw(cell_values)
    return book


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_books())
def test_random_edits_give_a_case_or_located_problems(book):
    case, problems = validate(book)
    if case is None:
        errors = [p for p in problems if p.is_error]
        assert errors, "an invalid book must say why"
        assert all(p.sheet and p.rule for p in errors)
        event("invalid")
        return
    event("valid")
    result = solve_case(case)
    assert result.status in (Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED)


@settings(max_examples=25, deadline=None)
@given(edited_books(), st.sampled_from(scenario_names(BASE)))
def test_scenarios_on_edited_books_never_crash(book, name):
    try:
        out = apply_scenario(book, name)
    except InputError as exc:
        assert exc.problems
        return
    except UsageError:  # the edit renamed the scenario away: a usage error, not a crash
        return
    validate(out)
