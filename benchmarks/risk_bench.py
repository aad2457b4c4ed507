"""Benchmark ``ore-optimizer risk``'s extensive form: our build and hand-off against HiGHS's
own time, and memory, at 20/50/100 samples of the default case.

    .venv/bin/python benchmarks/risk_bench.py [--samples 20,50,100]

Each sample count runs in a fresh process (so peak memory is its own), through the product's
own functions, stage by stage as :func:`optimizer.risk.run.run_risk` runs them:

* **samples** — draw the samples, apply each one's draws to the workbook, validate, build the
  sample's Pyomo model and compile it to arrays (the one hand-off);
* **stack** — the extensive form: the sample arrays side by side, committed columns shared;
* **handoff** — the arrays passed to HiGHS;
* **highs** — HiGHS's own run (one thread, dual simplex).

Overhead = (samples + stack + handoff) / highs; target ≤ 30 % at 100 samples. Memory: the
process's peak resident size growth over the size before the first sample, and the bytes of
the kept sample arrays and of the extensive form (linear in the samples by construction).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and `optimizer` importable
    sys.path.insert(0, str(ROOT))


def _nbytes(obj) -> int:
    return sum(v.nbytes for v in vars(obj).values() if hasattr(v, "nbytes"))


def worker(n: int) -> dict:
    """One sample count, timed stage by stage in this process."""
    from benchmarks.run import peak_mb, rss_mb
    from optimizer.inputs.default_case import default_raw
    from optimizer.inputs.sampling import draw_samples
    from optimizer.inputs.uncertainty import read_factors
    from optimizer.inputs.validate import validate
    from optimizer.risk.extensive import stack
    from optimizer.risk.run import build_sample, highs_options
    from optimizer.risk.sample_lp import case_lp
    from optimizer.solve.highs import HighsLp

    raw = default_raw()
    case, _ = validate(raw)
    factors, _ = read_factors(raw)
    st = case.settings
    before = rss_mb()
    tick = time.perf_counter()
    draws = draw_samples(factors, st.horizon_months, n, st.risk_seed)
    lps = [
        case_lp(build_sample(raw, factors, d, f"sample {k + 1}"), st.commit_months)
        for k, d in enumerate(draws)
    ]
    samples_s = time.perf_counter() - tick
    tick = time.perf_counter()
    ext = stack(lps)
    stack_s = time.perf_counter() - tick
    tick = time.perf_counter()
    hl = HighsLp(ext.lp)
    handoff_s = time.perf_counter() - tick
    tick = time.perf_counter()
    res = hl.run(highs_options(3600))
    highs_s = time.perf_counter() - tick
    ours = samples_s + stack_s + handoff_s
    return {
        "samples": n,
        "rows": ext.lp.num_row,
        "columns": ext.lp.num_col,
        "nonzeros": len(ext.lp.index),
        "samples_s": round(samples_s, 2),
        "stack_s": round(stack_s, 3),
        "handoff_s": round(handoff_s, 3),
        "highs_s": round(highs_s, 2),
        "overhead_pct": round(100 * ours / highs_s, 1),
        "objective_usd": round(res.incumbent_objective * 1000 / 1, 0),
        "sample_arrays_mb": round(sum(_nbytes(s) for s in lps) / 2**20, 1),
        "extensive_arrays_mb": round(_nbytes(ext.lp) / 2**20, 1),
        "peak_growth_mb": round(peak_mb() - before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="20,50,100")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    rows = []
    for n in (int(x) for x in args.samples.split(",")):
        run = subprocess.run(
            [sys.executable, __file__, "--worker", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(run.stdout))
        print(json.dumps(rows[-1]), flush=True)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
