"""Schema declarations of projects and the money for them (SPEC §6.1): the ``Expansions``
and ``Grants`` sheets. Part of :mod:`optimizer.inputs.schema` (which lists them with the
rest); kept apart so how projects are built and paid reads in one place."""

from __future__ import annotations

from optimizer.inputs.schema_types import NOTE, Column, Sheet

EXPANSIONS = Sheet(
    "Expansions",
    "Capacity projects (e.g. the grant-funded Thompson Falls expansion).",
    (
        Column("project", "id", "Project id."),
        Column(
            "smelter",
            "ref",
            "Smelter expanded (blank: a mine-side project, see source).",
            refs=("Smelters",),
            default=None,
        ),
        Column(
            "max_added_t_per_month",
            "number",
            "Largest capacity the project can add.",
            unit="t ore/month",
            minimum=0,
        ),
        Column(
            "capex_usd_per_t_per_month",
            "number",
            "Capex per t/month of capacity added.",
            unit="USD per t/month",
            minimum=0,
        ),
        Column(
            "fixed_capex_usd",
            "number",
            "Fixed capex if built (single and lumpy modes only).",
            unit="USD",
            default=0.0,
            minimum=0,
        ),
        Column(
            "lead_time_months",
            "integer",
            "Months from start of construction to online.",
            unit="months",
            default=0,
            minimum=0,
        ),
        Column(
            "earliest_start_month",
            "month",
            "First month construction may start (blank: allowed only for a committed project).",
            default=None,
        ),
        Column(
            "latest_start_month",
            "month",
            "Last month construction may start (blank: end of horizon).",
            default=None,
        ),
        NOTE,
        Column(
            "committed_start_month",
            "month",
            "Construction already decided: the whole project starts this month (may be "
            "before the horizon) and is online from it + lead time; capex is charged only "
            "for payments inside the horizon (blank: the model decides the start).",
            default=None,
            optional_column=True,
        ),
        Column(
            "capex_months",
            "integer",
            "Capex is paid evenly over this many months from the start month (grant money "
            "follows the payments); a decided start must have all its payments in the "
            "horizon.",
            unit="months",
            default=1,
            minimum=1,
            optional_column=True,
        ),
        Column(
            "min_added_t_per_month",
            "number",
            "Smallest size the project is built at in single mode (ignored in the other "
            "modes; at most max_added_t_per_month).",
            unit="t ore/month",
            default=0.0,
            minimum=0,
            optional_column=True,
        ),
        Column(
            "source",
            "ref",
            "Mine-side project: the source whose Supply max it raises, in months where "
            "that max is > 0 (set source or smelter, not both; blank: a smelter project).",
            refs=("Sources",),
            default=None,
            optional_column=True,
        ),
    ),
    required=False,
    id_column="project",
)

GRANTS = Sheet(
    "Grants",
    "Grant programs (e.g. DoD / DPA Title III) that pay a share of eligible capex.",
    (
        Column("grant", "id", "Grant id."),
        Column("agency", "text", "Awarding agency.", default=""),
        Column("amount_usd", "number", "Total the grant can pay.", unit="USD", minimum=0),
        Column("award_month", "month", "Grant pays for builds started on or after this month."),
        Column("max_share_pct", "percent", "Largest share of eligible capex it may pay.", unit="%"),
        Column(
            "eligible_projects",
            "idlist",
            "Projects it may fund (comma list) or 'all'.",
            refs=("Expansions",),
            default="all",
        ),
        NOTE,
    ),
    required=False,
    id_column="grant",
)
