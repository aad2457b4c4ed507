"""The risk report's tables (plain DataFrames in :class:`~optimizer.report.tables.Table`s, so
the report's writer formats them) and the commit plan's differences in planner words."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from optimizer.case import Case
from optimizer.planner_words import tonnes, usd
from optimizer.report.tables import Col, Table, table_frame
from optimizer.risk.run import RiskResult
from optimizer.risk.sample_lp import Plan

SHOWN_T = 0.05  # decisions below this (t or t/month) count as none
_VERB = {
    "Mined_t": "mine",
    "Ship_t": "dispatch",
    "Feed_t": "feed",
    "Build_t_per_month": "start project",
    "Start": "start project (whole)",
}


def _what(case: Case, name: str, index: tuple) -> tuple[str, str]:
    """(action, what it acts on) of a committed decision, in planner words."""
    if name == "Mined_t":
        kind = case.sources[index[0]].kind
        return ("mine" if kind == "mine" else "buy"), index[0]
    if name == "Feed_t":
        return "feed", f"{index[1]} ← {index[0]}"
    return _VERB[name], index[0]


def commit_rows(result: RiskResult, case: Case) -> pd.DataFrame:
    """One row per committed decision any plan makes: month, action, id, the stochastic
    commit plan, the deterministic plan (the workbook as typed) and the expected-value plan."""
    keys = sorted(
        set(result.commit_plan) | set(result.deterministic_plan) | set(result.ev_plan),
        key=lambda k: (k[1][-1], list(_VERB).index(k[0]), k[1]),
    )
    rows = []
    for key in keys:
        values = [p.get(key, 0.0) for p in _plans(result)]
        values = [0.0 if abs(v) < SHOWN_T else v for v in values]
        if max(abs(v) for v in values) < SHOWN_T:
            continue
        action, what = _what(case, *key)
        unit = "t/month" if key[0] in ("Build_t_per_month", "Start") else "t"
        rows.append(
            {
                "month": case.months[key[1][-1]],
                "action": action,
                "what": what,
                "unit": unit,
                "commit": values[0],
                "deterministic": values[1],
                "ev": values[2],
                "difference": values[0] - values[1],
            }
        )
    return pd.DataFrame(rows)


def _plans(result: RiskResult) -> list[Plan]:
    return [result.commit_plan, result.deterministic_plan, result.ev_plan]


def commit_table(result: RiskResult, case: Case) -> Table:
    cols = [
        Col("month", "Month", "month"),
        Col("action", "Action", "text"),
        Col("what", "Claim group / route / smelter ← origin / project", "text"),
        Col("unit", "Unit", "text"),
        Col("commit", "Commit plan (robust to the samples)", "t"),
        Col("deterministic", "Deterministic plan (workbook as typed)", "t"),
        Col("ev", "Expected-value plan", "t"),
        Col("difference", "Commit − deterministic", "t"),
    ]
    note = (
        f"No mining, shipping, feeding or project start in the first "
        f"{result.options.commit_months} month(s)."
    )
    return Table("CommitVsPlans", cols, table_frame(commit_rows(result, case), cols), 3, note)


def differences(result: RiskResult, case: Case, limit: int = 12) -> list[str]:
    """How the commit plan differs from the deterministic plan, largest changes first."""
    df = commit_rows(result, case)
    if df.empty:
        return []
    df = df[df["difference"].abs() >= max(1.0, SHOWN_T)]
    df = df.reindex(df["difference"].abs().sort_values(ascending=False).index)
    return [_sentence(row) for row in df.head(limit).itertuples(index=False)]


def _sentence(r) -> str:
    more = r.difference > 0
    if r.action.startswith("start project"):
        if r.deterministic < SHOWN_T:
            return (
                f"Start {r.what} in {r.month} ({r.commit:,.0f} t/month) — the deterministic "
                "plan does not start it then."
            )
        if r.commit < SHOWN_T:
            return (
                f"Do not start {r.what} in {r.month} yet — the deterministic plan starts "
                f"{r.deterministic:,.0f} t/month then; wait to see how the uncertainty resolves."
            )
        return (
            f"Start {abs(r.difference):,.0f} t/month {'more' if more else 'less'} of {r.what} "
            f"in {r.month} ({r.commit:,.0f} instead of {r.deterministic:,.0f})."
        )
    verb = {"mine": "Mine", "buy": "Buy", "dispatch": "Dispatch", "feed": "Feed"}[r.action]
    where = {"mine": "at", "buy": "of", "dispatch": "on", "feed": "at"}[r.action]
    return (
        f"{verb} {tonnes(abs(r.difference))} {'more' if more else 'less'} {where} {r.what} in "
        f"{r.month} ({tonnes(r.commit)} instead of {tonnes(r.deterministic)})."
    )


def samples_table(result: RiskResult) -> Table:
    """One row per sample: its margins under each plan and its drawn factor values (a
    random walk by its average and its last month)."""
    cols = [
        Col("sample", "Sample", "int"),
        Col("margin", "Commit plan margin (USD)", "usd"),
        Col("ws", "Perfect-foresight margin (USD)", "usd"),
        Col("ev", "Expected-value plan margin (USD)", "usd"),
        Col("typed", "Deterministic plan margin (USD)", "usd"),
    ]
    rows = []
    for o in result.samples:
        row = {"sample": o.number, "margin": o.margin_usd, "ws": o.wait_and_see_usd}
        row["ev"] = o.ev_plan_usd
        row["typed"] = o.typed_plan_usd
        for f in result.factors:
            value = o.draws[f.name]
            if f.monthly:
                row[f"{f.name}:mean"] = float(np.mean(value))
                row[f"{f.name}:last"] = value[-1]
            else:
                row[f.name] = value
        rows.append(row)
    for f in result.factors:
        if f.monthly:
            cols.append(Col(f"{f.name}:mean", f"{f.name} (average factor)", "factor"))
            cols.append(Col(f"{f.name}:last", f"{f.name} (last month)", "factor"))
        else:
            cols.append(Col(f.name, f"{f.name} ({f.action})", "factor"))
    return Table("Samples", cols, table_frame(pd.DataFrame(rows), cols), 1)


def histogram_table(result: RiskResult, bins: int = 12) -> Table:
    """The commit plan's sample margins in equal-width bins (the chart's data)."""
    margins = np.array([o.margin_usd for o in result.samples])
    counts, edges = np.histogram(margins, bins=min(bins, max(1, len(margins))))
    df = pd.DataFrame(
        {
            "label": [f"{usd(a)} to {usd(b)}" for a, b in itertools.pairwise(edges)],
            "low": edges[:-1],
            "high": edges[1:],
            "count": counts,
        }
    )
    cols = [
        Col("label", "Margin range", "text"),
        Col("low", "From (USD)", "usd"),
        Col("high", "To (USD)", "usd"),
        Col("count", "Samples", "int"),
    ]
    return Table("Distribution", cols, table_frame(df, cols))


def summary_items(result: RiskResult) -> list[tuple[str, object, str]]:
    """The key figures as (item, value, kind), in the order the Summary sheet shows them."""
    o = result.options
    p10, p50, p90 = result.percentiles_usd
    vss = result.vss_usd
    items: list[tuple[str, object, str]] = [
        ("Expected margin of the commit plan (USD)", result.expected_margin_usd, "usd"),
        ("VSS: value of planning for uncertainty (USD)", vss, "usd"),
        ("EVPI: value of perfect information (USD)", result.evpi_usd, "usd"),
        (f"CVaR {o.cvar_alpha_pct:g}%: mean of the worst samples (USD)", result.cvar_usd, "usd"),
        ("P10 margin (USD)", p10, "usd"),
        ("P50 margin (USD)", p50, "usd"),
        ("P90 margin (USD)", p90, "usd"),
        ("Perfect-foresight (wait-and-see) margin (USD)", result.wait_and_see_usd, "usd"),
        ("Expected-value plan's margin (EEV, USD)", result.expected_value_plan_usd, "usd"),
        (
            "Samples where the expected-value plan cannot be carried out",
            result.ev_plan_infeasible_samples,
            "int",
        ),
        ("Deterministic plan's margin (workbook as typed, USD)", result.deterministic_usd, "usd"),
        (
            "Deterministic plan's first months carried out in each sample (USD)",
            result.typed_plan_usd,
            "usd",
        ),
        ("Samples", o.samples, "int"),
        ("Seed", o.seed, "int"),
        ("Committed months", o.commit_months, "int"),
        ("Risk aversion λ", o.risk_aversion, "factor"),
        ("CVaR level α (%)", o.cvar_alpha_pct, "pct"),
    ]
    if vss is None:
        items[1] = (
            "VSS: value of planning for uncertainty (USD)",
            f"not finite: the expected-value plan cannot be carried out in "
            f"{result.ev_plan_infeasible_samples} sample(s)",
            "text",
        )
    ev = result.evaluation
    if ev is not None:
        mean, half, bad = ev.stochastic
        items.append(
            (
                f"Out-of-sample ({len(ev.samples)} fresh samples): commit plan mean (USD)",
                mean,
                "usd",
            )
        )
        items.append(("  ± 95% confidence half-width (USD)", half, "usd"))
        items.append(("  fresh samples where it cannot be carried out", bad, "int"))
        if ev.ev_plan is not None:
            items.append(("Out-of-sample: expected-value plan mean (USD)", ev.ev_plan[0], "usd"))
            items.append(("  ± 95% confidence half-width (USD)", ev.ev_plan[1], "usd"))
            items.append(("  fresh samples where it cannot be carried out", ev.ev_plan[2], "int"))
        if ev.difference is not None:
            items.append(("Out-of-sample VSS: commit − EV plan (USD)", ev.difference[0], "usd"))
            items.append(("  ± 95% confidence half-width (USD)", ev.difference[1], "usd"))
    return items
