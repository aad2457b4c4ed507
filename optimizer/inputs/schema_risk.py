"""Schema declarations of decisions under uncertainty (SPEC §6.4): the risk settings and the
``Uncertainty`` sheet. Part of :mod:`optimizer.inputs.schema` (which lists them with the rest);
kept apart so the uncertainty vocabulary reads in one place."""

from __future__ import annotations

from optimizer.inputs.schema_types import Column, Sheet

DISTRIBUTIONS = ("discrete", "uniform", "triangular", "normal", "lognormal", "random_walk")
UNCERTAINTY_ACTIONS = ("scale", "add", "set", "delay")

RISK_SETTINGS: tuple[Column, ...] = (
    Column(
        "risk_samples",
        "integer",
        "Samples of the Uncertainty sheet the risk command plans over (--samples overrides).",
        unit="samples",
        default=50,
        minimum=1,
        maximum=5000,
    ),
    Column(
        "risk_seed",
        "integer",
        "Seed of the risk command's random draws: the same seed gives the same samples.",
        default=1,
        minimum=0,
    ),
    Column(
        "commit_months",
        "integer",
        "Months whose mining, shipping, feeding and project starts the risk command commits "
        "now, the same in every sample; later months adapt to each sample.",
        unit="months",
        default=3,
        minimum=0,
        maximum=240,
    ),
    Column(
        "risk_aversion",
        "number",
        "λ: the risk command maximizes (1−λ)·expected margin + λ·CVaR (0: expected margin).",
        default=0.0,
        minimum=0,
        maximum=1,
    ),
    Column(
        "cvar_alpha_pct",
        "percent",
        "CVaR is the mean margin of the worst cvar_alpha_pct % of samples.",
        unit="%",
        default=10.0,
        minimum=0,
        exclusive_minimum=True,
    ),
)

UNCERTAINTY = Sheet(
    "Uncertainty",
    "Uncertain factors for the risk command: each row changes its target cells by a random "
    "draw, like a Scenarios row with a drawn value.",
    (
        Column("factor", "text", "Factor name (unique)."),
        Column("sheet", "text", "Sheet to change."),
        Column("key", "text", "Row id on that sheet (setting name on Settings), or '*'."),
        Column("column", "text", "Column name or month, or '*' for every month."),
        Column(
            "action",
            "choice",
            "scale, add or set the cells by the draw; delay a month cell by the draw (months).",
            choices=UNCERTAINTY_ACTIONS,
        ),
        Column("distribution", "choice", "How the value is drawn.", choices=DISTRIBUTIONS),
        Column(
            "p1",
            "number",
            "uniform/triangular: low; normal: mean; lognormal: median; random_walk: monthly σ "
            "of the log.",
            default=None,
        ),
        Column(
            "p2",
            "number",
            "uniform: high; triangular: mode; normal: standard deviation; lognormal: σ of the "
            "log; random_walk: monthly drift of the log (blank 0).",
            default=None,
        ),
        Column("p3", "number", "triangular: high.", default=None),
        Column(
            "values",
            "text",
            "discrete: the values, ';'-separated (e.g. 1;0.45).",
            default="",
        ),
        Column(
            "probabilities",
            "text",
            "discrete: their probabilities, ';'-separated, summing to 1 (e.g. 0.6;0.4).",
            default="",
        ),
        Column(
            "group",
            "text",
            "Factors with the same group share one draw (same distribution and parameters).",
            default="",
        ),
        Column(
            "note",
            "text",
            "Free text: source of the number, assumption, comment.",
            default="",
            optional_column=True,
        ),
    ),
    required=False,
    rows_note=(
        "One row per factor; one draw per sample (per group). random_walk scales a monthly "
        "sheet by 1 in the first month and exp(Σ(p2 + p1·ε)) in later months; delay rounds the "
        "draw to whole months (half away from zero) and leaves blank cells blank."
    ),
)
