"""Benchmark the product's pipeline against a direct highspy build of the same LP.

    .venv/bin/python benchmarks/run.py [--sizes default,60x20x5x3,120x50x10x3] [--repeat N]

For each size (``default`` = the embedded default case; ``MxSxPxR`` = a generated case of
M months, S sources, P smelters and R routes per source, see :mod:`benchmarks.generate`) the
case is written as a workbook under ``benchmarks/out/``, then fresh worker processes time:

* ``prepare``   — the product's read and validate of that workbook (the validated case is
  pickled for the workers below);
* ``product``   — Pyomo build (``build_model`` as ``solve_case`` builds it), hand-off
  (everything in ``solve_model`` except HiGHS's own ``run`` and the results tables: model
  compiled and passed in, status and solution out, values loaded into the model), HiGHS
  run, results extraction (primal tables and marginal values), report write;
* ``baseline``  — :mod:`benchmarks.baseline_highspy`: numpy build, one ``passModel``, run.

HiGHS uses the LP solver the product chose (recorded from its run) in every worker, unless
``--highs-solver`` says otherwise. Each worker reports its peak resident memory
(``ru_maxrss``) and its growth over the resident size just before the timed stages. With
``--repeat N`` each worker runs N times and each stage keeps its fastest time. Sizes
(variables / rows / nonzeros) are as HiGHS received them. Then ``ore-optimizer --help``,
``validate`` and a default ``solve`` (with its report) are timed cold, as a planner starts
them. Linux only (``/proc``, ``ru_maxrss`` in KiB).

``--profile SIZE`` instead profiles every stage of the product with cProfile
(:mod:`benchmarks.profile_product`); ``--handoffs SIZE`` compares Pyomo→HiGHS hand-offs on
one model (:mod:`benchmarks.handoff`).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and `optimizer` importable
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
DEFAULT_SIZES = "default,60x20x5x3,120x50x10x3,240x100x10x3"
SEED = 7


# --- measurements inside a worker ----------------------------------------------------------


def peak_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class Stopwatch:
    """Named stage times; ``with sw("build"): ...`` adds the block's wall time to a stage.

    Blocks may nest (the HiGHS run inside Pyomo's solve inside the product's solve)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - start


def _time_highs_runs(sw: Stopwatch, sizes: dict[str, int], solver: str) -> None:
    """Time every ``highspy.Highs.run`` as stage ``run``, record the model size HiGHS got
    and the LP solver it used; unless ``solver`` is ``product``, make HiGHS use that one."""
    import highspy

    original = highspy.Highs.run

    def timed_run(self, *args, **kwargs):
        if "variables" not in sizes:  # the plan's LP, not a later run's (the ranging LP)
            sizes.update(
                variables=self.getNumCol(), rows=self.getNumRow(), nonzeros=self.getNumNz()
            )
        if solver != "product":
            self.setOptionValue("solver", solver)
        sizes.setdefault("solver", self.getOptionValue("solver")[1])
        with sw("run"):
            return original(self, *args, **kwargs)

    highspy.Highs.run = timed_run


def worker_prepare(workbook: Path, case_pickle: Path) -> dict:
    sw = Stopwatch()
    with sw("import"):
        from optimizer.inputs.validate import validate
        from optimizer.inputs.workbook import read_workbook
    with sw("read"):
        raw = read_workbook(Path(workbook))
    with sw("validate"):
        case, problems = validate(raw)
    errors = [str(p) for p in problems if p.is_error]
    if case is None or errors:
        raise SystemExit(f"{workbook} is invalid: {errors[:5]}")
    Path(case_pickle).write_bytes(pickle.dumps(case))
    return {"times": sw.times, "peak_mb": peak_mb()}


def worker_product(case_pickle: Path, report: Path, solver: str, limits: str = "bounds") -> dict:
    """The product as the CLI runs it: build_model, solve_model, write_report. ``limits``:
    single-variable limits as variable ``bounds`` (as solve_case builds them) or ``rows``."""
    sw = Stopwatch()
    sizes: dict[str, int] = {}
    with sw("import"):
        from optimizer.model.build import build_model
        from optimizer.report.workbook import write_report
        from optimizer.solve.run import solve_model
    _time_highs_runs(sw, sizes, solver)
    case = pickle.loads(Path(case_pickle).read_bytes())
    gc.collect()
    rss_before = rss_mb()
    with sw("build"):
        built = build_model(case, limits_as_bounds=limits == "bounds")
    with sw("solve_model"):
        results = solve_model(built)
    solved_peak = peak_mb()
    with sw("report"):
        write_report(
            results, case, Path(report), {"input": "benchmark", "command_line": "benchmark"}
        )
    t = sw.times
    extract = results.timings_s["results"]  # tables and marginal values
    times = {
        "import": t["import"],
        "build": t["build"],
        "handoff": t["solve_model"] - t["run"] - extract,
        "run": t["run"],
        "extract": extract,
        "report": t["report"],
    }
    solver_used = sizes.pop("solver")
    return {
        "times": times,
        "sizes": sizes,
        "solver": solver_used,
        "status": results.status,
        "objective_usd": results.objective_usd,
        "peak_mb": peak_mb(),
        "solved_peak_mb": solved_peak,
        "model_peak_growth_mb": solved_peak - rss_before,
    }


def worker_baseline(case_pickle: Path, solver: str) -> dict:
    sw = Stopwatch()
    with sw("import"):
        from benchmarks.baseline_highspy import build_lp, solve_lp
    case = pickle.loads(Path(case_pickle).read_bytes())
    gc.collect()
    rss_before = rss_mb()
    with sw("build"):
        arrays = build_lp(case)
    run = solve_lp(arrays, time_limit_s=case.settings.time_limit_s, solver=solver)
    times = {"import": sw.times["import"], "build": sw.times["build"], **run.timings_s}
    return {
        "times": times,
        "status": run.status,
        "objective_usd": run.objective_usd,
        "sizes": {"variables": run.num_col, "rows": run.num_row, "nonzeros": run.num_nz},
        "peak_mb": peak_mb(),
        "model_peak_growth_mb": peak_mb() - rss_before,
    }


def worker_handoff(method: str, case_pickle: Path, solver: str) -> dict:
    from benchmarks.handoff import worker

    return worker(method, case_pickle, solver)


def worker_bare(workbook: Path, solver: str) -> dict:
    """The bare program, as a whole process: read and validate the workbook (the product's
    reader), numpy build, one passModel, HiGHS run."""
    from benchmarks.baseline_highspy import solve_case_baseline
    from optimizer.inputs.validate import validate
    from optimizer.inputs.workbook import read_workbook

    case, _ = validate(read_workbook(Path(workbook)))
    run = solve_case_baseline(case, solver=solver)
    return {"objective_usd": run.objective_usd}


WORKERS = {
    "prepare": worker_prepare,
    "product": worker_product,
    "baseline": worker_baseline,
    "handoff": worker_handoff,
    "bare": worker_bare,
}


# --- the driver ----------------------------------------------------------------------------


def prepare_workbook(size: str) -> Path:
    """Write the size's case as an input workbook under benchmarks/out/ (once)."""
    from benchmarks.generate import Size, generate_raw, write_workbook

    OUT.mkdir(exist_ok=True)
    if size == "default":
        path = OUT / "default.xlsx"
        from optimizer.inputs.default_case import default_raw

        raw = default_raw()
    else:
        s = Size.parse(size)
        path = OUT / f"case_{s}_seed{SEED}.xlsx"
        if path.exists():
            return path
        raw = generate_raw(s.months, s.sources, s.smelters, s.routes_per_source, SEED)
    write_workbook(raw, path)
    return path


WORKER = [sys.executable, str(Path(__file__).resolve()), "--worker"]


def cli_command() -> list[str]:
    """``ore-optimizer`` as a planner starts it (the entry point beside this interpreter)."""
    exe = Path(sys.executable).with_name("ore-optimizer")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "optimizer"]


def spawn(kind: str, *args: Path | str) -> dict:
    """Run one worker in a fresh interpreter; its last stdout line is its JSON answer."""
    cmd = [*WORKER, kind, *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cold(cmd: list[str]) -> dict:
    """Wall time and peak resident memory (MB) of one whole process, and its JSON answer
    (its last line of output)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-3000:]}")
        answer = json.loads(out.read().decode().strip().splitlines()[-1])
    return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, **answer}


def best_of(runs: list[dict]) -> dict:
    """Each stage's fastest time over repeated runs; memory and sizes of the first run."""
    best = dict(runs[0])
    best["times"] = {k: min(r["times"][k] for r in runs) for k in runs[0]["times"]}
    for key in ("peak_mb", "solved_peak_mb", "model_peak_growth_mb"):
        if key in best:
            best[key] = min(r[key] for r in runs)
    return best


def measure(size: str, repeat: int, solver: str) -> dict:
    workbook = prepare_workbook(size)
    case_pickle = workbook.with_suffix(".case.pkl")
    report = OUT / f"{workbook.stem}_report.xlsx"
    runs: dict[str, list[dict]] = {k: [] for k in ("prepare", "product", "baseline")}
    whole: dict[str, list[dict]] = {"solve": [], "bare": []}
    solve = [*cli_command(), "solve", str(workbook), "-o", str(report), "--json"]
    for _ in range(repeat):
        runs["prepare"].append(spawn("prepare", workbook, case_pickle))
        runs["product"].append(spawn("product", case_pickle, report, solver))
        same = runs["product"][-1]["solver"] if solver == "product" else solver
        runs["baseline"].append(spawn("baseline", case_pickle, same))
        whole["solve"].append(cold(solve))
        whole["bare"].append(cold([*WORKER, "bare", str(workbook), same]))
    best = {kind: best_of(r) for kind, r in runs.items()}
    best |= {kind: min(r, key=lambda x: x["wall"]) for kind, r in whole.items()}
    best["solve"]["peak_mb"] = min(r["peak_mb"] for r in whole["solve"])
    best["bare"]["peak_mb"] = min(r["peak_mb"] for r in whole["bare"])
    expected = best["baseline"]["objective_usd"]
    got = best["product"]["objective_usd"]
    if abs(got - expected) > 1e-6 * max(1.0, abs(expected)):
        print(
            f"WARNING {size}: the product's objective {got:,.2f} differs from the "
            f"baseline's {expected:,.2f}",
            file=sys.stderr,
        )
    return {"size": size, **best}


PRODUCT_STAGES = ("read", "validate", "build", "handoff", "run", "extract", "report")
CORE_STAGES = ("build", "handoff", "run")


def _core(times: dict) -> float:
    return sum(times[s] for s in CORE_STAGES)


def print_tables(results: list[dict]) -> None:
    used = sorted({m["product"]["solver"] for m in results})
    print(
        f"\nProduct pipeline, seconds (HiGHS LP solver: {', '.join(used)}; sizes as HiGHS got "
        "them; peak MB after the solve / after the report)"
    )
    print(
        _line(
            (
                "size",
                "vars",
                "rows",
                "nnz",
                "read",
                "validate",
                "build",
                "hand-off",
                "HiGHS",
                "extract",
                "report",
                "total",
                "tot/HiGHS",
                "peak MB",
            )
        )
    )
    for m in results:
        z, t = m["product"]["sizes"], {**m["prepare"]["times"], **m["product"]["times"]}
        total = sum(t[k] for k in PRODUCT_STAGES)
        solved = max(m["product"]["solved_peak_mb"], m["prepare"]["peak_mb"])
        print(
            _line(
                (
                    m["size"],
                    z["variables"],
                    z["rows"],
                    z["nonzeros"],
                    *(f"{t[k]:.2f}" for k in PRODUCT_STAGES),
                    f"{total:.2f}",
                    f"{total / t['run']:.1f}",
                    f"{solved:.0f}/{m['product']['peak_mb']:.0f}",
                )
            )
        )
    print("\nDirect highspy baseline: the same LP as numpy arrays, one passModel")
    print(_line(("size", "vars", "rows", "nnz", "build", "passModel", "HiGHS", "total", "peak MB")))
    for m in results:
        z, t = m["baseline"]["sizes"], m["baseline"]["times"]
        print(
            _line(
                (
                    m["size"],
                    z["variables"],
                    z["rows"],
                    z["nonzeros"],
                    *(f"{t[k]:.2f}" for k in CORE_STAGES),
                    f"{_core(t):.2f}",
                    f"{m['baseline']['peak_mb']:.0f}",
                )
            )
        )
    print("\nRatios to the baseline (measured side by side in this run)")
    print(_line(("size", "who", "", "", "total", "core", "solve mem", "model mem")))
    for m in results:
        base, base_growth = _core(m["baseline"]["times"]), m["baseline"]["model_peak_growth_mb"]
        t = {**m["prepare"]["times"], **m["product"]["times"]}
        solved = max(m["product"]["solved_peak_mb"], m["prepare"]["peak_mb"])
        total = sum(t[k] for k in PRODUCT_STAGES)
        print(
            _line(
                (
                    m["size"],
                    "product",
                    "",
                    "",
                    f"{total / base:.2f}",
                    f"{_core(t) / base:.2f}",
                    f"{solved / m['baseline']['peak_mb']:.2f}",
                    f"{m['product']['model_peak_growth_mb'] / max(1.0, base_growth):.2f}",
                )
            )
        )
    print(
        "  total:     product read … report / baseline build + passModel + HiGHS\n"
        "  core:      build + hand-off + HiGHS / the baseline's build + passModel + HiGHS\n"
        "  solve mem: peak RSS up to the end of the solve / the baseline process's peak RSS\n"
        "  model mem: growth of peak RSS over build + solve / the baseline's"
    )


def print_targets(results: list[dict]) -> None:
    """Whole processes, cold, and issue 16's ratios (targets in the header)."""
    print("\nWhole processes, cold: `ore-optimizer solve WORKBOOK -o REPORT` vs the bare program")
    header = ("size", "solve s", "bare s", "≤1.3", "imports s", "rep/HiGHS", "build ×")
    print(_line((*header, "solve MB", "bare MB", "mem ≤2")))
    for m in results:
        solve, bare = m["solve"], m["bare"]
        t, base = m["product"]["times"], m["baseline"]["times"]
        imports = solve["wall"] - solve["timings_s"]["total"]  # start-up before the work
        cells = (
            m["size"],
            f"{solve['wall']:.2f}",
            f"{bare['wall']:.2f}",
            f"{solve['wall'] / bare['wall']:.2f}",
            f"{imports:.2f}",
            f"{t['report'] / t['run']:.2f}",
            f"{t['build'] / max(base['build'], 1e-3):.1f}",
            f"{solve['peak_mb']:.0f}",
            f"{bare['peak_mb']:.0f}",
            f"{solve['peak_mb'] / bare['peak_mb']:.2f}",
        )
        print(_line(cells))
    print(
        "  bare:      read + validate (the product's reader), numpy build, passModel, HiGHS\n"
        "  imports:   the solve process's wall time less its own timed work (start-up)\n"
        "  rep/HiGHS: report write / HiGHS run (target ≤ 0.15); build ×: Pyomo build / numpy "
        "build (≤ 5)"
    )


def _grown(m: dict, prev: dict, who: str, stage: str) -> float:
    return m[who]["times"][stage] / max(prev[who]["times"][stage], 1e-3)


def print_growth(results: list[dict]) -> None:
    """How each stage grows from one generated size to the next (×), against the model."""
    sized = [m for m in results if m["size"] != "default"]
    if len(sized) < 2:
        return
    stages = ("read", "validate", "build", "handoff", "run", "extract", "report")
    print("\nGrowth from the previous size (×)")
    print(_line(("size", "nnz", "", "", *stages, "bare build", "solve MB")))
    for prev, m in itertools.pairwise(sized):
        t0 = {**prev["prepare"]["times"], **prev["product"]["times"]}
        t1 = {**m["prepare"]["times"], **m["product"]["times"]}
        nnz = m["product"]["sizes"]["nonzeros"] / prev["product"]["sizes"]["nonzeros"]
        cells = (
            m["size"],
            f"{nnz:.1f}",
            "",
            "",
            *(f"{t1[k] / max(t0[k], 1e-3):.1f}" for k in stages),
            f"{_grown(m, prev, 'baseline', 'build'):.1f}",
            f"{m['solve']['peak_mb'] / prev['solve']['peak_mb']:.1f}",
        )
        print(_line(cells))


def _line(cells: tuple) -> str:
    widths = (14, 14, 8, 9) + (11,) * (len(cells) - 4)
    return "".join(f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=False))


def time_cli(repeat: int) -> None:
    """Cold start times of the command line, as a planner runs it (fresh process each)."""
    base = cli_command()
    workbook = prepare_workbook("default")
    commands = {
        "--help": [*base, "--help"],
        "validate default.xlsx": [*base, "validate", str(workbook)],
        "solve (default case, with report)": [
            *base,
            "solve",
            "-o",
            str(OUT / "cli_default_report.xlsx"),
        ],
    }
    print(f"\nCommand line, cold (best of {repeat}; {' '.join(base[-2:])})")
    for label, cmd in commands.items():
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
            best = min(best, time.perf_counter() - start)
        status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
        print(f"  {label:<36}{best:6.2f} s  ({status})")


def compare_limit_shapes(sizes: list[str], repeat: int) -> None:
    """Product core stages with single-variable limits as rows vs as variable bounds,
    alternating the two shapes in fresh processes (best of ``repeat``)."""
    header = ("size", "limits", "cols", "rows", "build", "handoff", "run", "extract", "core", "MB")
    print(_line(header))
    for size in sizes:
        workbook = prepare_workbook(size.strip())
        case_pickle = workbook.with_suffix(".case.pkl")
        spawn("prepare", workbook, case_pickle)
        report = OUT / f"{workbook.stem}_report.xlsx"
        runs: dict[str, list[dict]] = {"rows": [], "bounds": []}
        for _ in range(repeat):
            for shape, found in runs.items():
                found.append(spawn("product", case_pickle, report, "product", shape))
        objectives = {shape: r[0]["objective_usd"] for shape, r in runs.items()}
        if abs(objectives["rows"] - objectives["bounds"]) > 1e-6 * abs(objectives["rows"]):
            print(f"WARNING {size}: objectives differ {objectives}", file=sys.stderr)
        for shape, found in runs.items():
            best = best_of(found)
            t = best["times"]
            print(
                _line(
                    (
                        size,
                        shape,
                        best["sizes"].get("variables", ""),
                        best["sizes"].get("rows", ""),
                        *(f"{t[s]:.3f}" for s in ("build", "handoff", "run", "extract")),
                        f"{_core(t):.3f}",
                        f"{best['solved_peak_mb']:.0f}",
                    )
                )
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the product against highspy.")
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma list of 'default' and MxSxPxR sizes ({DEFAULT_SIZES})",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker; best kept")
    parser.add_argument(
        "--highs-solver",
        default="product",
        choices=("product", "choose", "simplex", "ipm"),
        help="HiGHS LP solver for every run (default: the one the product "
        "uses, then also for the baseline)",
    )
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line timings")
    parser.add_argument("--profile", metavar="SIZE", help="cProfile the product on one size")
    parser.add_argument("--handoffs", metavar="SIZE", help="compare hand-offs on one size")
    parser.add_argument(
        "--limits-shapes",
        metavar="SIZES",
        help="compare single-variable limits as rows vs as variable bounds on these sizes",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *params = args.worker
        print(json.dumps(WORKERS[kind](*params)))
        return
    if args.profile:
        from benchmarks.profile_product import profile

        profile(prepare_workbook(args.profile))
        return
    if args.limits_shapes:
        compare_limit_shapes(args.limits_shapes.split(","), max(args.repeat, 2))
        return
    if args.handoffs:
        from benchmarks.handoff import compare

        solver = "ipm" if args.highs_solver == "product" else args.highs_solver  # product: LP→ipm
        compare(prepare_workbook(args.handoffs), repeat=args.repeat, solver=solver)
        return
    results = []
    for size in args.sizes.split(","):
        print(f"measuring {size.strip()} ...", file=sys.stderr, flush=True)
        results.append(measure(size.strip(), args.repeat, args.highs_solver))
    print_tables(results)
    print_targets(results)
    print_growth(results)
    if not args.no_cli:
        time_cli(max(args.repeat, 3))


if __name__ == "__main__":
    main()
