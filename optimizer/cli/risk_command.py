"""``ore-optimizer risk``: the two-stage stochastic plan over the ``Uncertainty`` sheet's
samples, its value (VSS, EVPI, CVaR, P10/P50/P90) and its risk workbook."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.cli.pipeline import check_output, load_or_report, print_json, print_problems
from optimizer.errors import InputError, UsageError


def run_risk_command(
    input: Path,
    *,
    output: Path | None,
    samples: int | None,
    evaluate: int,
    jobs: int,
    dask_scheduler: str | None,
    json_out: bool,
    force: bool = False,
    console: Console,
    err_console: Console,
    argv: list[str],
) -> int:
    """Plan under uncertainty, write the risk workbook, print the key figures (or JSON).

    Exit 0 with a plan; 1 usage; 2 invalid input (a bad Uncertainty row is reported at its
    row and only its factor is left out); 3 when a sample, or the commit plan across the
    samples, is infeasible (each such sample named with its drawn values); 4 solver failure.
    """
    from optimizer.inputs.uncertainty import read_factors
    from optimizer.risk.run import RiskOptions, SampleError, run_risk
    from optimizer.risk.workbook import write_risk_report
    from optimizer.scenarios.run import executor_for

    tick = time.perf_counter()
    if jobs > 1 and dask_scheduler is not None:
        raise UsageError("use either --jobs or --dask-scheduler, not both")
    check_output(output, input, force=force)
    loaded = load_or_report(input, None, err_console)
    if loaded is None:
        return errors.EXIT_INVALID
    case, raw = loaded
    factors, problems = read_factors(raw)
    if problems:
        print_problems(problems, err_console)
        err_console.print(
            f"[yellow]warning[/yellow] {sum(p.is_error for p in problems)} Uncertainty "
            "row(s) left out: the risk plan uses the other factors"
        )
    if not factors:
        err_console.print(
            "[yellow]warning[/yellow] no valid Uncertainty factors: every sample is the "
            "workbook as typed"
        )
    options = RiskOptions.of(case, samples, evaluate)

    def progress(text: str) -> None:
        if not json_out:
            err_console.print(escape(text), highlight=False)

    try:
        with executor_for(jobs, dask_scheduler, options.samples) as executor:
            result = run_risk(raw, case, factors, options, executor=executor, progress=progress)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        err_console.print(f"[red]Invalid input[/red] — {escape(str(exc))}", soft_wrap=True)
        return errors.EXIT_INVALID
    except SampleError as exc:
        err_console.print(f"[red]Infeasible[/red] — {escape(str(exc))}", soft_wrap=True)
        if json_out:
            print_json({"status": "infeasible", "message": str(exc), "exit_code": 3})
        return errors.EXIT_INFEASIBLE
    provenance = {
        "input": raw.source if input is None else input.name,
        "input_path": str(input),
        "input_sha256": raw.sha256,
        "command_line": " ".join(argv),
        "risk_seed": options.seed,
        "threads": 1,
    }
    path = output or _default_path(case.settings.case_name)
    written = write_risk_report(result, case, raw, path, [input], provenance)
    result.timings_s["total"] = time.perf_counter() - tick
    data = as_json(result, written)
    if json_out:
        print_json(data)
    else:
        for line in _lines(data):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    return errors.EXIT_OK


def _default_path(case_name: str) -> Path:
    stem = re.sub(r"[^\w.-]+", "_", case_name).strip("._") or "case"
    return Path("outputs") / f"{stem}_risk.xlsx"


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, 2)


def as_json(result, report: Path | None) -> dict:
    """The ``--json`` summary: SPEC §6.4's keys, every sample's draws, where the report is."""
    o = result.options
    p10, p50, p90 = result.percentiles_usd
    data = {
        "status": "optimal",
        "expected_margin_usd": _finite(result.expected_margin_usd),
        "vss_usd": _finite(result.vss_usd),
        "evpi_usd": _finite(result.evpi_usd),
        "cvar_usd": _finite(result.cvar_usd),
        "p10_usd": _finite(p10),
        "p50_usd": _finite(p50),
        "p90_usd": _finite(p90),
        "wait_and_see_usd": _finite(result.wait_and_see_usd),
        "expected_value_plan_usd": _finite(result.expected_value_plan_usd),
        "ev_plan_infeasible_samples": result.ev_plan_infeasible_samples,
        "deterministic_plan_usd": _finite(result.deterministic_usd),
        "deterministic_plan_under_uncertainty_usd": _finite(result.typed_plan_usd),
        "commit_months": o.commit_months,
        "risk_aversion": o.risk_aversion,
        "cvar_alpha_pct": o.cvar_alpha_pct,
        "risk_seed": o.seed,
        "samples": [
            {
                "sample": s.number,
                "probability": 1.0 / len(result.samples),
                "draws": {k: list(v) if isinstance(v, tuple) else v for k, v in s.draws.items()},
                "margin_usd": _finite(s.margin_usd),
                "wait_and_see_usd": _finite(s.wait_and_see_usd),
                "ev_plan_usd": _finite(s.ev_plan_usd),
                "deterministic_plan_usd": _finite(s.typed_plan_usd),
            }
            for s in result.samples
        ],
        "report": str(report) if report else None,
        "timings_s": {k: round(v, 4) for k, v in result.timings_s.items()},
    }
    ev = result.evaluation
    if ev is not None:
        data["evaluation"] = {
            "samples": len(ev.samples),
            "commit_plan_usd": _interval(ev.stochastic),
            "ev_plan_usd": _interval(ev.ev_plan) if ev.ev_plan else None,
            "vss_usd": _interval(ev.difference) if ev.difference else None,
        }
    return data


def _interval(found: tuple) -> dict:
    out = {"mean": _finite(found[0]), "ci95_half_width": _finite(found[1])}
    if len(found) > 2:
        out["infeasible_samples"] = found[2]
    return out


def _lines(data: dict) -> list[str]:
    from optimizer.planner_words import usd

    def money(key: str) -> str:
        return "not finite" if data[key] is None else usd(data[key])

    lines = [
        f"Samples: {len(data['samples'])} (seed {data['risk_seed']}), committed months: "
        f"{data['commit_months']}, risk aversion λ {data['risk_aversion']:g}",
        f"Expected margin of the commit plan: {money('expected_margin_usd')}",
        f"  P10 / P50 / P90: {money('p10_usd')} / {money('p50_usd')} / {money('p90_usd')}; "
        f"CVaR {data['cvar_alpha_pct']:g}%: {money('cvar_usd')}",
        f"VSS (vs the expected-value plan): {money('vss_usd')}"
        + (
            f" — that plan cannot be carried out in {data['ev_plan_infeasible_samples']} sample(s)"
            if data["vss_usd"] is None
            else ""
        ),
        f"EVPI (perfect foresight would add): {money('evpi_usd')}",
        "The deterministic plan's first months (workbook as typed) under uncertainty: "
        + money("deterministic_plan_under_uncertainty_usd"),
    ]
    ev = data.get("evaluation")
    if ev:
        c = ev["commit_plan_usd"]
        lines.append(
            f"Out of sample ({ev['samples']} fresh samples): commit plan {usd(c['mean'] or 0)} "
            f"± {usd(c['ci95_half_width'] or 0)}"
        )
        if ev["vss_usd"]:
            v = ev["vss_usd"]
            lines.append(
                f"  commit − expected-value plan: {usd(v['mean'] or 0)} "
                f"± {usd(v['ci95_half_width'] or 0)}"
            )
    lines.append(f"Report: {data['report']}")
    return lines
