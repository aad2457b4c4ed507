"""One entry per constraint family: everything the stages after the build know about it.

Each constraint family of :mod:`optimizer.model.build` has a constraint component named after
it (or, for a single-variable limit of a ``limits_as_bounds`` model, a
:class:`~optimizer.model.constraints.BoundFamily` of that name holding it as bounds of
``Family.bound``'s variable). Its entry here says how to read its rows: the index names, the
kind, the sign and unit of its marginal value and how a dual and a slack convert to the unit
of the planner's input, the input cell it comes from, its sentences, and the input a fix
turns. Marginal values (:mod:`optimizer.solve.duals`), the IIS mapping
(:mod:`optimizer.diagnose.rows`) and the fixes (:mod:`optimizer.diagnose.fixes`) all read it;
tests/test_families.py checks it against the model's components both ways, so a family added
to the model without an entry here fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyomo.core as pyo

from optimizer.case import Case, row_key
from optimizer.model import family_words as words
from optimizer.model.build import BuiltModel
from optimizer.model.family_words import Words, WordsFn
from optimizer.model.lookup import MONEY_SCALE_USD

NOISE = 1e-9  # |values| below this are solver noise


def _feed_total(b: BuiltModel, f: dict) -> float:
    """Σ_s Feed_t[s,p,t] at the solution (t ore)."""
    p, t = f["p"], f["t"]
    feed = b.model.Feed_t
    return sum(feed[s, p, t].value or 0.0 for s in b.lookup.origins_at.get(p, ()))


def _capex_kusd(b: BuiltModel, f: dict) -> float:
    """The capex payment a grant row is about (k$)."""
    return pyo.value(b.model.Payment_kusd[f["e"], f["start"], f["t"]])


@dataclass(frozen=True)
class Per:
    """How a row's dual and slack convert to one unit of the planner's input.

    ``usd(b, f)``: USD of discounted objective per unit of dual, per unit of input (the
    model's objective is in k$); ``slack(b, f, gap)``: a right-hand-side gap in input units
    (``b``: the solved :class:`~optimizer.model.build.BuiltModel`, ``f``: the row's named index).
    """

    usd: Callable[[BuiltModel, dict], float]
    slack: Callable[[BuiltModel, dict, float], float]


PER_UNIT = Per(lambda b, f: MONEY_SCALE_USD, lambda b, f, gap: gap)
"""The right-hand side is the input itself (t ore, t Sb, t/month)."""


def _feed_pp_slack(b: BuiltModel, f: dict, gap: float) -> float:
    total = _feed_total(b, f)
    return gap / total if total > NOISE else 0.0


PER_PP_OF_FEED = Per(lambda b, f: _feed_total(b, f) * MONEY_SCALE_USD, _feed_pp_slack)
"""Blend and share rows are in t ore × pp: one pp of the input moves them by the month's
feed (the envelope theorem)."""


def _capex_pp_slack(b: BuiltModel, f: dict, gap: float) -> float:
    capex = _capex_kusd(b, f)
    return gap / capex * 100.0 if capex > NOISE else 0.0


PER_PP_OF_CAPEX = Per(lambda b, f: _capex_kusd(b, f) / 100.0 * MONEY_SCALE_USD, _capex_pp_slack)
"""Grant-share rows are in k$: one pp of the share moves them by 1 % of the payment."""

PER_USD = Per(lambda b, f: 1.0, lambda b, f, gap: gap * MONEY_SCALE_USD)
"""Money rows are in k$ like the objective; the planner's input is in USD."""


@dataclass(frozen=True)
class Bound:
    """A variable's ``side`` (upper | lower) bound, by the variable's component name."""

    var: str
    side: str


@dataclass(frozen=True)
class Knob:
    """The input a fix turns to relax a family's limit: the family's input cell (``where``),
    edited by :func:`optimizer.diagnose.fixes.to_fix`.

    ``per``: which rows one knob relaxes — every month of a row id, one cell setting them all
    ("scalar"); one month ("monthly"); one location, the setting relaxing every location at
    once ("per location"). ``edit``: the shape of the edit — "cell" (one number), "supply"
    (Supply month cells), "capacity" (availability percentages where the base allows, else
    the base), "blend" (a percentage, from the relaxed plan's feed), "setting" (the
    Settings value ``to``). ``relax``: which way the input moves to relax the limit.
    ``text``: the fix as the planner reads it, a template of {id}, {id_s} (possessive),
    {old}, {new}, {cell}, {amount} and {months}.
    """

    per: str
    edit: str
    text: str
    relax: str = "raise"  # raise | lower
    availability: str = ""  # capacity: the sheet of its monthly availability percentages
    to: object = None


@dataclass(frozen=True)
class Family:
    """How to read one constraint family's rows.

    ``names`` label the index positions (``t`` is the month offset); ``sign`` is +1 when
    raising the right-hand side relaxes the limit, −1 when lowering it does; ``per`` converts
    a dual and a slack to one unit of the planner's input; ``where`` gives (sheet, row id,
    column) of that input from the named index and ``m``, the month label. ``text`` is the
    marginal-value sentence template (named index fields, {m}, {worth}); ``words`` the
    planner sentence and input cells of one row (None: a generic one from ``where``).
    ``bound``: the variable bound a ``limits_as_bounds`` model holds the family as.
    ``var_bound``: a variable bound the family's input also sets, named in an IIS by
    ``var_words`` (case, named index, month label). ``lumpy_counts_starts``: in lumpy mode
    the rows count project starts (Σ Start ≤ 1), so no input relaxes them and, starts being
    fixed in the dual LP, they have no price. ``rhs_per_input``: how far the row's limit moves,
    in ``per``'s unit, per unit of its input cell (a capacity cell moves a month's limit by
    that month's availability).
    """

    kind: str  # limit | balance | link
    names: tuple[str, ...]
    sign: int
    unit: str
    text: str
    where: Callable[[dict], tuple[str, str, str]]
    per: Per = PER_UNIT
    words: WordsFn | None = None
    knob: Knob | None = None
    bound: Bound | None = None
    var_bound: Bound | None = None
    var_words: Callable[[Case, dict, str | None], Words] | None = None
    lumpy_counts_starts: bool = False
    rhs_per_input: Callable[[BuiltModel, dict], float] = lambda b, f: 1.0

    def usd_per_unit(self, b: BuiltModel, f: dict, dual: float) -> float:
        """The dual in discounted USD per unit of input, > 0 when relaxing is worth money."""
        return self.sign * dual * self.per.usd(b, f)

    def slack_in_units(self, b: BuiltModel, f: dict, gap: float) -> float:
        """A right-hand-side gap in the unit the dual is quoted in (t, pp, USD)."""
        return self.per.slack(b, f, gap)


def _smelter(column: str) -> Callable[[dict], tuple[str, str, str]]:
    return lambda f: ("Smelters", f["p"], column)


FAMILIES: dict[str, Family] = {
    "Extraction_Max": Family(
        "limit",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of ore available from {s} in {m} {worth}",
        lambda f: ("Supply", row_key(f["s"], "max"), f["m"]),
        words=words.extraction("max"),
        knob=Knob("monthly", "supply", "let {id} supply {amount} more in {months}"),
        bound=Bound("Mined_t", "upper"),
    ),
    "Extraction_Expanded_Max": Family(
        "limit",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of ore available from {s} in {m} {worth}",
        lambda f: ("Supply", row_key(f["s"], "max"), f["m"]),
        words=words.extraction_expanded,
        knob=Knob("monthly", "supply", "let {id} supply {amount} more in {months}"),
    ),
    "Extraction_Min": Family(
        "limit",
        ("s", "t"),
        -1,
        "t ore",
        "Lowering the minimum extraction at {s} in {m} by 1 t {worth}",
        lambda f: ("Supply", row_key(f["s"], "min"), f["m"]),
        words=words.extraction("min"),
        knob=Knob(
            "monthly", "supply", "lower {id_s} supply minimum by {amount} in {months}", "lower"
        ),
        bound=Bound("Mined_t", "lower"),
    ),
    "Source_Balance": Family(
        "balance",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of ore in the {s} stockpile in {m} {worth}",
        lambda f: ("Sources", f["s"], ""),
        words=words.source_balance,
    ),
    "Source_Stockpile_Capacity": Family(
        "limit",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of stockpile room at {s} in {m} {worth}",
        lambda f: ("Sources", f["s"], "stockpile_capacity_t"),
        words=words.source_stockpile,
        knob=Knob(
            "scalar", "cell", "raise the {id} stockpile capacity from {old} to {new} t ({cell})"
        ),
        bound=Bound("Source_Stock_t", "upper"),
    ),
    "Route_Capacity": Family(
        "limit",
        ("r", "t"),
        +1,
        "t ore/month",
        "One more t/month of route {r} capacity in {m} {worth}",
        lambda f: ("Routes", f["r"], "capacity_t_per_month"),
        words=words.route_capacity,
        knob=Knob(
            "monthly",
            "capacity",
            "raise route {id_s} capacity in {months} by {amount}",
            availability="RouteAvailability",
        ),
        bound=Bound("Ship_t", "upper"),
        rhs_per_input=lambda b, f: b.case.routes[f["r"]].availability_pct[f["t"]] / 100.0,
    ),
    "Yard_Balance": Family(
        "balance",
        ("s", "p", "t"),
        +1,
        "t ore",
        "One more t of {s} ore in the {p} yard in {m} {worth}",
        _smelter(""),
        words=words.yard_balance,
    ),
    "Yard_Capacity": Family(
        "limit",
        ("p", "t"),
        +1,
        "t ore",
        "One more t of yard room at {p} in {m} {worth}",
        _smelter("stockpile_capacity_t"),
        words=words.yard_capacity,
        knob=Knob("scalar", "cell", "raise the {id} yard capacity from {old} to {new} t ({cell})"),
    ),
    "Smelter_Capacity": Family(
        "limit",
        ("p", "t"),
        +1,
        "t ore/month",
        "One more t/month of {p} capacity in {m} {worth}",
        _smelter("base_capacity_t_per_month"),
        words=words.smelter_capacity,
        knob=Knob(
            "monthly",
            "capacity",
            "raise {id_s} capacity in {months} by {amount}",
            availability="SmelterAvailability",
        ),
        rhs_per_input=lambda b, f: b.case.smelters[f["p"]].availability_pct[f["t"]] / 100.0,
    ),
    "Min_Feed": Family(
        "limit",
        ("p", "t"),
        -1,
        "t ore/month",
        "Lowering the minimum feed at {p} in {m} by 1 t {worth}",
        _smelter("min_feed_t_per_month"),
        words=words.min_feed,
        knob=Knob(
            "scalar",
            "cell",
            "lower {id_s} minimum feed from {old} to {new} t/month ({cell})",
            "lower",
        ),
    ),
    "Feed_Grade": Family(
        "limit",
        ("p", "t"),
        -1,
        "pp Sb",
        "Lowering the minimum feed grade at {p} in {m} by 1 percentage point {worth}",
        _smelter("min_feed_grade_pct"),
        PER_PP_OF_FEED,
        words=words.feed_grade,
        knob=Knob(
            "monthly",
            "blend",
            "lower {id_s} minimum feed grade from {old} to {new} ({cell})",
            "lower",
        ),
    ),
    "Feed_Arsenic": Family(
        "limit",
        ("p", "t"),
        -1,
        "pp As",
        "Raising the arsenic limit at {p} in {m} by 1 percentage point {worth}",
        _smelter("max_feed_arsenic_pct"),
        PER_PP_OF_FEED,
        words=words.feed_arsenic,
        knob=Knob("monthly", "blend", "raise {id_s} arsenic limit from {old} to {new} ({cell})"),
    ),
    "Domestic_Share": Family(
        "limit",
        ("p", "t"),
        -1,
        "pp",
        "Lowering the minimum domestic share at {p} in {m} by 1 percentage point {worth}",
        _smelter("min_domestic_share_pct"),
        PER_PP_OF_FEED,
        words=words.domestic_share,
        knob=Knob(
            "monthly",
            "blend",
            "lower {id_s} minimum domestic share from {old} to {new} ({cell})",
            "lower",
        ),
    ),
    "Sb_Sales": Family(
        "balance",
        ("p", "t"),
        +1,
        "t Sb",
        "One more t of Sb produced at {p} in {m} {worth}",
        lambda f: ("Prices", f["p"], f["m"]),
        words=words.sb_sales,
    ),
    "Contract_Min": Family(
        "limit",
        ("k", "t"),
        -1,
        "t Sb/month",
        "Lowering the minimum of contract {k} in {m} by 1 t Sb {worth}",
        lambda f: ("Contracts", f["k"], "min_t_sb_per_month"),
        var_bound=Bound("Shortfall_Sb_t", "upper"),
        var_words=words.shortfall,
    ),
    "Contract_Max": Family(
        "limit",
        ("k", "t"),
        +1,
        "t Sb/month",
        "Raising the maximum of contract {k} in {m} by 1 t Sb {worth}",
        lambda f: ("Contracts", f["k"], "max_t_sb_per_month"),
    ),
    "Expansion_Build_Limit": Family(
        "limit",
        ("e",),
        +1,
        "t ore/month",
        "One more t/month of maximum size for {e} {worth}",
        lambda f: ("Expansions", f["e"], "max_added_t_per_month"),
        words=words.build_limit,
        knob=Knob(
            "scalar", "cell", "let {id} add more capacity from {old} to {new} t/month ({cell})"
        ),
        lumpy_counts_starts=True,
    ),
    "Expansion_Whole": Family(
        "link",
        ("e", "t"),
        +1,
        "t ore/month",
        "Building {e} 1 t/month bigger when started in {m} {worth}",
        lambda f: ("Expansions", f["e"], "max_added_t_per_month"),
        words=words.expansion_whole,
    ),
    "Expansion_Size_Max": Family(
        "limit",
        ("e", "t"),
        +1,
        "t ore/month",
        "Letting {e} started in {m} be 1 t/month bigger {worth}",
        lambda f: ("Expansions", f["e"], "max_added_t_per_month"),
        words=words.size_max,
    ),
    "Expansion_Size_Min": Family(
        "limit",
        ("e", "t"),
        -1,
        "t ore/month",
        "Letting {e} started in {m} be 1 t/month smaller {worth}",
        lambda f: ("Expansions", f["e"], "min_added_t_per_month"),
        words=words.size_min,
    ),
    "Grant_Share": Family(
        "limit",
        ("g", "e", "start", "t"),
        +1,
        "pp",
        "Raising the share of the {e} capex paid in {m} that {g} pays by 1 percentage point "
        "{worth}",
        lambda f: ("Grants", f["g"], "max_share_pct"),
        PER_PP_OF_CAPEX,
    ),
    "Grant_Capex_Cap": Family(
        "limit",
        ("e", "start", "t"),
        +1,
        "USD",
        "Letting grants pay $1 more than the {e} capex paid in {m} {worth}",
        lambda f: ("Expansions", f["e"], "capex_usd_per_t_per_month"),
        PER_USD,
    ),
    "Grant_Amount": Family(
        "limit",
        ("g",),
        +1,
        "USD",
        "Each extra $1 of grant {g} {worth}",
        lambda f: ("Grants", f["g"], "amount_usd"),
        PER_USD,
    ),
    "End_Stock": Family(
        "limit",
        ("loc",),
        -1,
        "t ore",
        "Ending the horizon with 1 t less ore at {loc} {worth}",
        lambda f: ("Settings", "end_stock_policy", "value"),
        words=words.end_stock,
        knob=Knob(
            "per location",
            "setting",
            "set end_stock_policy to free, so stocks may end below their opening level",
            to="free",
        ),
    ),
    "Actual_Locked": Family(
        "limit",
        ("kind", "id", "origin", "t"),
        +1,
        "t ore",
        "One more t {kind} at {id} in {m} (a closed month) {worth}",
        lambda f: ("Actuals", row_key(f["m"], f["kind"], f["id"], f["origin"]), "tonnes"),
        words=words.actual,
    ),
}
"""Every constraint family, in report order."""
