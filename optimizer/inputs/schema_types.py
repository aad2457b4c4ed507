"""What a schema declaration is: a :class:`Column` (its kind, unit, default for a blank cell,
allowed range) and a :class:`Sheet` (its columns, id, month columns). The declarations
themselves are in :mod:`optimizer.inputs.schema`.

Kinds
-----
``id``       free text, trimmed, unique in its sheet, matched case-sensitively
``ref``      an id of another sheet (``refs`` names which)
``text``     free text
``choice``   one of ``choices`` (case-insensitive)
``number``   a real number within ``minimum``/``maximum``
``integer``  a whole number within ``minimum``/``maximum``
``percent``  a number from 0 to 100
``yesno``    yes/no, TRUE/FALSE, 1/0 (case-insensitive)
``month``    text ``YYYY-MM`` or a real date
``idlist``   comma-separated ids of another sheet, or ``all``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal[
    "id", "ref", "text", "choice", "number", "integer", "percent", "yesno", "month", "idlist"
]


class _Required:
    """Marker: a blank cell is an error."""

    def __repr__(self) -> str:  # pragma: no cover - shown in docs only
        return "required"


REQUIRED: Any = _Required()
NO_LIMIT: Any = None  # default meaning "no limit" (e.g. blank max arsenic)


@dataclass(frozen=True)
class Column:
    """One input column (or one setting, or the month columns of a wide sheet)."""

    name: str
    kind: Kind
    description: str
    unit: str = ""
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    optional_column: bool = False  # the column itself may be absent (e.g. ``note``)

    @property
    def ceiling(self) -> float | None:
        """The plausible ceiling of this column's unit (:data:`PLAUSIBLE_CEILINGS`)."""
        return PLAUSIBLE_CEILINGS.get(self.unit)

    @property
    def required_value(self) -> bool:
        return self.default is REQUIRED

    def rule(self) -> str:
        """The allowed values in planner words (used in messages and the README sheet)."""
        if self.kind == "percent":
            if self.exclusive_minimum:
                return f"a percentage > {_fmt(self.minimum or 0)} and ≤ 100"
            return "a percentage from 0 to 100"
        if self.kind == "yesno":
            return "yes or no (also TRUE/FALSE, 1/0)"
        if self.kind == "month":
            return "a month: text YYYY-MM or a date"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "idlist":
            return f"a comma-separated list of {'/'.join(self.refs)} ids, or 'all'"
        if self.kind == "ref":
            return f"an id from sheet {' or '.join(self.refs)}"
        if self.kind in ("id", "text"):
            return "text"
        whole = "a whole number" if self.kind == "integer" else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{whole} from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
        if self.minimum is not None:
            op = ">" if self.exclusive_minimum else "≥"
            return f"{whole} {op} {_fmt(self.minimum)}"
        return whole


PLAUSIBLE_CEILINGS: dict[str, float] = {
    "USD/t Sb": 1e6,  # antimony metal peaked near 63,000 USD/t in 2025 (FACTS.md)
    "USD/t ore": 1e6,
    "USD/t/month": 1e5,
    "USD per t/month": 1e8,
    "USD": 1e11,
    "t ore": 1e8,
    "t ore/month": 1e7,  # world mine output is ~100,000 t Sb a year
    "t Sb/month": 1e6,
    "km": 1e5,
}
"""Per unit, the largest value a planner can mean: a price, cost, capacity or amount above it
is an input error (a unit slip or a typo, e.g. 1e23 USD/t), named at its cell. Each ceiling
sits far above anything the antimony business has seen, so no real case is refused."""


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Sheet:
    """One input sheet.

    ``monthly`` sheets are wide: after ``columns`` come one column per month of the
    horizon, each holding a value described by ``month_values``.
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    id_column: str | None = None
    monthly: bool = False
    month_values: Column | None = None
    rows_note: str = ""
    key_columns: tuple[str, ...] = field(default=())  # composite uniqueness (Supply)
    locate_by: tuple[str, ...] = field(default=())  # row id of a sheet whose rows add up

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def row_key(self) -> str | None:
        """The column a row is addressed by (a scenario's ``key``): the id column, else the
        first key column (``source`` on Supply, ``location`` on OpeningStock)."""
        return self.id_column or (self.key_columns[0] if self.key_columns else None)


NOTE = Column(
    "note",
    "text",
    "Free text: source of the number, assumption, comment.",
    default="",
    optional_column=True,
)
"""The optional free-text column most sheets end with."""
