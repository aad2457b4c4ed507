"""Notes: inputs that cannot make a case infeasible but can never act — an expansion that
never comes online, a grant that can never pay, a contract no ore can reach."""

from __future__ import annotations

from optimizer.case import Case
from optimizer.diagnose.findings import NOTE, Finding
from optimizer.model.lookup import Lookup
from optimizer.planner_words import cell, tonnes


def windows(case: Case, lk: Lookup) -> list[Finding]:
    """Notes: expansions that can never add capacity, grants that can never pay, contracts
    no ore can serve (shortfall is penalized, so none of these is infeasible by itself)."""
    out = []
    last = case.months[-1]
    for e, x in case.expansions.items():
        if lk.builds_of.get(e) or e in lk.committed:
            continue
        cells = (
            cell(case, "Expansions", e, "earliest_start_month"),
            cell(case, "Expansions", e, "latest_start_month"),
            cell(case, "Expansions", e, "lead_time_months"),
        )
        out.append(
            Finding(
                NOTE,
                f"expansion {e} can never add capacity inside the horizon",
                f"its start window (earliest {cells[0]}, latest {cells[1]}) plus its "
                f"{x.lead_time_months}-month lead time ({cells[2]}) leaves no start month that "
                f"comes online by {last}, so {x.site} gets none of its "
                f"{tonnes(x.max_added_t_per_month)}/month.",
                "move the start window earlier, shorten the lead time, or extend horizon_months.",
                cells,
            )
        )
    funded = {g for g, *_ in lk.grant_payments}
    for g, grant in case.grants.items():
        if g in funded or not grant.eligible_projects:
            continue
        award = cell(case, "Grants", g, "award_month")
        out.append(
            Finding(
                NOTE,
                f"grant {g} can never pay for anything",
                f"none of its projects "
                f"({', '.join(grant.eligible_projects)}) can start on or after "
                f"its award month ({award}) and still come online by {last}.",
                f"check award_month ({award}), eligible_projects and the projects' start windows.",
                (award,),
            )
        )
    for k, c in case.contracts.items():
        smelters = lk.contract_smelters[k]
        active = max(c.start, 0) <= min(c.end, lk.horizon - 1)
        if c.min_t_sb_per_month <= 0 or not active or any(lk.origins_at.get(p) for p in smelters):
            continue
        mn = cell(case, "Contracts", k, "min_t_sb_per_month")
        out.append(
            Finding(
                NOTE,
                f"contract {k} can never be served",
                f"no route and no opening stock brings ore to {', '.join(smelters)}, so its "
                f"{tonnes(c.min_t_sb_per_month)} Sb/month minimum ({mn}) is short every active "
                "month and charged the shortfall penalty.",
                f"add a route to {', '.join(smelters)} or set min_t_sb_per_month to 0 ({mn}).",
                (mn,),
            )
        )
    return out
