"""Never lose a planner's file or run (SPEC §6.5, issue 15): overwrites, names, interrupts,
solver and operating-system errors. One test (or more) per item of the issue.

Signals are sent to real subprocesses; a folder the run cannot write is a path under a
regular file (root ignores permission bits) or, for permissions, ``chmod`` when not root.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import full_rows, minimal_rows, raw_book, set_cell, write_book

from optimizer.cli import main
from optimizer.cli.pipeline import default_report_path, load_case, unique_report_paths
from optimizer.errors import EXIT_INTERRUPTED, EXIT_USAGE
from optimizer.files import TMP_PREFIX, save_atomic, sweep_temporaries, timestamped_sibling

PYTHON = sys.executable


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _book(tmp_path: Path, name: str = "case.xlsx", rows=None) -> Path:
    return write_book(tmp_path / name, rows or minimal_rows())


def _infeasible(tmp_path: Path) -> Path:
    """A 500 t/month minimum feed at a 200 t/month smelter."""
    rows = set_cell(minimal_rows(), "Smelters", "TF", "min_feed_t_per_month", 500)
    return _book(tmp_path, "bad.xlsx", rows)


# --- 1. files that are not ours are never replaced ------------------------------------------


def test_template_refuses_an_existing_file_unless_forced(tmp_path, capsys):
    edited = _book(tmp_path, "edited.xlsx")
    (tmp_path / ".~lock.edited.xlsx#").write_text("planner,host")
    before = _sha(edited)
    assert main(["template", str(edited)]) == EXIT_USAGE
    assert "already exists" in capsys.readouterr().err
    assert _sha(edited) == before
    assert main(["template", str(edited), "--force"]) == 0
    written = Path(capsys.readouterr().out.split("Template written:")[1].replace("\n", "").strip())
    assert written != edited and _sha(edited) == before  # open in LibreOffice: a sibling
    assert "README" in openpyxl.load_workbook(written).sheetnames
    (tmp_path / ".~lock.edited.xlsx#").unlink()
    assert main(["template", str(edited), "--force"]) == 0
    assert "README" in openpyxl.load_workbook(edited).sheetnames


def test_solve_output_replaces_only_its_own_reports(tmp_path, capsys):
    case = _book(tmp_path)
    other = _book(tmp_path, "other_case.xlsx")
    before = _sha(other)
    assert main(["solve", str(case), "-o", str(other)]) == EXIT_USAGE
    assert "not an ore-optimizer output" in capsys.readouterr().err
    assert _sha(other) == before
    report = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "-o", str(report)]) == 0
    assert main(["solve", str(case), "-o", str(report)]) == 0  # its own report: replaced
    assert main(["solve", str(case), "-o", str(other), "--force"]) == 0
    assert "Provenance" in openpyxl.load_workbook(other).sheetnames


def test_diagnosis_workbook_is_an_own_output(tmp_path, capsys):
    """An infeasible case's ``-o`` gets a diagnosis workbook, which a later run may replace:
    a 500 t/month minimum feed at a 200 t/month smelter."""
    bad = _book(
        tmp_path,
        "bad.xlsx",
        set_cell(minimal_rows(), "Smelters", "TF", "min_feed_t_per_month", 500),
    )
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(bad), "-o", str(out)]) == 3
    assert main(["solve", str(_book(tmp_path)), "-o", str(out)]) == 0
    capsys.readouterr()


# --- 2. one report file per scenario, never the base case's --------------------------------


def test_report_names_are_unique_per_scenario(tmp_path):
    case, _, _ = load_case(None)
    names = [None, "a/b", "a_b", "a b", "😀", "😃", "A_B"]
    paths = unique_report_paths(tmp_path, case, names)
    files = [p.name.casefold() for p in paths.values()]
    assert len(set(files)) == len(names)
    base = default_report_path(case, None).name
    assert all(paths[n].name != base for n in names[1:])
    assert default_report_path(case, "😀").name != base


def test_scenarios_reports_one_file_per_run(tmp_path, capsys):
    rows = full_rows()
    rows["Scenarios"] += [
        ["a/b", "Prices", "*", "*", "scale", 0.9, None],
        ["a_b", "Prices", "*", "*", "scale", 0.8, None],
        ["a b", "Prices", "*", "*", "scale", 0.7, None],
    ]
    book = _book(tmp_path, "full.xlsx", rows)
    reports = tmp_path / "R"
    code = main(["scenarios", str(book), "--reports", str(reports), "-o", str(tmp_path / "c.xlsx")])
    assert code == 0, capsys.readouterr().err
    runs = 1 + 3 + 3  # base, the full case's three scenarios, three more
    assert len(list(reports.glob("*.xlsx"))) == runs


# --- 3. timestamped siblings are unique ------------------------------------------------------


def test_siblings_are_unique_under_concurrency(tmp_path):
    now = datetime(2027, 1, 15, 9, 30, 12)
    found: list[Path] = []
    threads = [
        threading.Thread(target=lambda: found.append(timestamped_sibling(tmp_path / "t.xlsx", now)))
        for _ in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({p.name for p in found}) == 16


def test_two_writes_onto_a_locked_target_keep_both(tmp_path):
    target = tmp_path / "t.xlsx"
    (tmp_path / ".~lock.t.xlsx#").write_text("x")
    first = save_atomic(lambda p: p.write_text("one"), target)
    second = save_atomic(lambda p: p.write_text("two"), target)
    assert first != second and {first.read_text(), second.read_text()} == {"one", "two"}
    assert not target.exists()


# --- 4. CSV tables: say what was written where ------------------------------------------------


def test_csv_says_which_table_went_elsewhere(tmp_path, capsys):
    case = _book(tmp_path)
    tables = tmp_path / "D"
    tables.mkdir()
    (tables / ".~lock.summary.csv#").write_text("x")
    assert main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), "--csv", str(tables)]) == 0
    captured = capsys.readouterr()
    assert "summary.csv is open in another program" in captured.err
    assert re.search(r"CSV tables: \d+ files in", captured.out)
    assert not (tables / "summary.csv").exists()


def test_infeasible_run_says_old_csv_tables_are_stale(tmp_path, capsys):
    tables = tmp_path / "D"
    assert (
        main(["solve", str(_book(tmp_path)), "-o", str(tmp_path / "r.xlsx"), "--csv", str(tables)])
        == 0
    )
    bad = _book(
        tmp_path,
        "bad.xlsx",
        set_cell(minimal_rows(), "Smelters", "TF", "min_feed_t_per_month", 500),
    )
    capsys.readouterr()
    assert main(["solve", str(bad), "--csv", str(tables), "-o", str(tmp_path / "r.xlsx")]) == 3
    assert "are from an earlier run" in capsys.readouterr().err


# --- 5-6. Ctrl-C and SIGTERM ------------------------------------------------------------------

_INTERRUPT_DURING = """
import os, signal, sys, threading
import {module} as target
real = target.{name}
once = []
def interrupted(*args, **kwargs):
    if not once:
        once.append(threading.Timer({delay}, os.kill, (os.getpid(), signal.{signal})))
        once[0].start()
    return real(*args, **kwargs)
target.{name} = interrupted
from optimizer.cli import main
sys.argv = ["ore-optimizer", *sys.argv[1:]]
sys.exit(main())
"""


def _interrupt(tmp_path, module, name, args, sig="SIGINT", delay=0.0):
    """Run the CLI in a subprocess and send ``sig`` to it ``delay`` s after ``name`` starts."""
    script = _INTERRUPT_DURING.format(module=module, name=name, delay=delay, signal=sig)
    tick = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", script, *args], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    return done, time.perf_counter() - tick


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_interrupt_during_the_solve_stops_and_writes_nothing(tmp_path, sig):
    """HiGHS is stopped at its next interrupt check; the old report stays as it was."""
    case = _book(tmp_path)
    report = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "-o", str(report)]) == 0
    before = _sha(report)
    done, _ = _interrupt(
        tmp_path,
        "optimizer.solve.highs",
        "HighsLp._run_interruptibly",
        ["solve", str(case), "-o", str(report), "--json"],
        sig,
    )
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert done.stderr.strip().endswith("Interrupted.") and done.stdout == ""
    assert _sha(report) == before
    assert not list(tmp_path.glob(".~tmp*"))


def test_interrupt_during_the_build_keeps_stdout_clean(tmp_path):
    """Pyomo logs an error for an exception inside a rule: never onto ``--json``'s stdout.
    The signal is sent from the first ``quicksum`` on, which the model's rules call."""
    done, _ = _interrupt(tmp_path, "pyomo.core", "quicksum", ["solve", "--json"])
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert done.stdout == "" and "Interrupted." in done.stderr


def test_sigterm_to_scenarios_leaves_no_worker_behind(tmp_path):
    """SIGTERM to ``scenarios --jobs 2`` while its workers solve: every worker is gone."""
    assert main(["template", str(tmp_path / "base.xlsx")]) == 0
    run = subprocess.Popen(
        [PYTHON, "-m", "optimizer.cli.app", "scenarios", "base.xlsx", "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
            found = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True)
            workers = [pid for pid in found.stdout.split() if _living(pid)]
        run.send_signal(signal.SIGTERM)
        _out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert len(workers) >= 2, "the workers never started"
    assert run.returncode == EXIT_INTERRUPTED, err
    time.sleep(0.5)
    assert not [pid for pid in workers if _living(pid)]
    assert "Interrupted." in err and not list((tmp_path / "outputs").glob("*"))


def _living(pid: str) -> bool:
    """True for a running process (a zombie waiting for its parent to reap it is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_temporaries_of_a_killed_run_are_swept(tmp_path):
    """A run killed while writing leaves ``.~tmp-ore-<pid>-…``: the next write removes it,
    never a temporary of a run still alive."""
    gone = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead = tmp_path / f"{TMP_PREFIX}{int(gone.stdout)}-abc.xlsx"
    live = tmp_path / f"{TMP_PREFIX}{os.getpid()}-def.xlsx"
    dead.write_text("half"), live.write_text("in progress")
    save_atomic(lambda p: p.write_text("report"), tmp_path / "r.xlsx")
    assert not dead.exists() and live.exists()
    assert sweep_temporaries(tmp_path) == []


def test_sigkill_during_the_report_write_is_cleaned_up_next_run(tmp_path):
    case = _book(tmp_path)
    done, _ = _interrupt(
        tmp_path,
        "optimizer.report.workbook",
        "build_workbook",
        ["solve", str(case), "-o", "r.xlsx"],
        "SIGKILL",
        delay=0.0,
    )
    assert done.returncode == -signal.SIGKILL
    assert main(["solve", str(case), "-o", str(tmp_path / "r.xlsx")]) == 0
    assert not list(tmp_path.glob(".~tmp*"))


# --- 8. operating-system errors: refused before solving, with the path ------------------------


def test_output_under_a_file_is_refused_before_solving(tmp_path, capsys):
    case, afile = _book(tmp_path), tmp_path / "afile"
    afile.write_text("x")
    for args in (["-o", str(afile / "r.xlsx")], ["--csv", str(afile)]):
        assert main(["solve", str(case), *args]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert str(afile) in err.replace("\n", "") and "is a file" in err
    assert main(["scenarios", str(case), "--reports", str(afile)]) == EXIT_USAGE
    assert not (tmp_path / "outputs").exists()


def test_unwritable_folder_is_refused_before_solving(tmp_path, capsys):
    if os.geteuid() == 0:  # root writes through permission bits: use a read-only mount
        folder = Path("/sys")
        if os.access(folder, os.W_OK) and _can_create_in(folder):
            pytest.skip("no folder here that root cannot write into")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    case = _book(tmp_path)
    assert main(["solve", str(case), "-o", str(folder / "r.xlsx")]) == EXIT_USAGE
    assert "cannot write in" in capsys.readouterr().err


def _can_create_in(folder: Path) -> bool:
    try:
        (folder / ".probe").touch()
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


def test_too_long_names_are_refused_or_shortened(tmp_path, capsys):
    case = _book(tmp_path)
    long_name = tmp_path / ("x" * 245 + ".xlsx")
    assert main(["solve", str(case), "-o", str(long_name)]) == EXIT_USAGE
    assert "too long" in capsys.readouterr().err
    rows = set_cell(minimal_rows(), "Settings", "case_name", "value", "c" * 300)
    os.chdir(tmp_path)
    assert main(["solve", str(_book(tmp_path, "long.xlsx", rows)), "--json"]) == 0
    report = Path(json.loads(capsys.readouterr().out)["report"])
    assert report.exists() and len(report.name) < 120


def test_c_locale_with_non_ascii_ids_is_not_an_internal_error(tmp_path):
    rows = set_cell(minimal_rows(), "Settings", "case_name", "value", "Plan Ñandú")
    case = _book(tmp_path, "u.xlsx", rows)
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    for args in (["--json"], [], ["-o", "Ñ.xlsx"]):
        done = subprocess.run(
            [PYTHON, "-m", "optimizer.cli.app", "solve", str(case), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert b"Internal error" not in done.stderr
    data = json.loads(
        subprocess.run(
            [PYTHON, "-m", "optimizer.cli.app", "solve", str(case), "--json"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=120,
        ).stdout
    )
    assert data["case"] == "Plan Ñandú"


def test_an_os_error_anywhere_is_a_usage_error_naming_the_path(tmp_path, capsys, monkeypatch):
    """A full disk while the report is built: exit 1 with the path, never "Internal error"."""
    import errno

    import optimizer.report.workbook as report

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "r.xlsx"))

    monkeypatch.setattr(report, "build_workbook", full_disk)
    assert main(["solve", str(_book(tmp_path)), "-o", str(tmp_path / "r.xlsx")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "No space left on device" in err and "r.xlsx" in err and "Internal" not in err


# --- 9. an expansion that opens after the horizon is a warning ---------------------------------


def test_expansion_starting_after_a_short_horizon_is_a_warning():
    """Default case, ``horizon_months`` 1: Madero's furnaces may start from 2027-04 at the
    earliest, after the only month — nothing contradicts, it just cannot act."""
    from optimizer.inputs.default_case import default_raw
    from optimizer.inputs.validate import validate

    raw = default_raw()
    settings = raw.sheets["Settings"]
    value = [str(h) for h in settings.headers].index("value")
    for row in settings.rows:
        if row[0] == "horizon_months":
            row[value] = 1
    case, problems = validate(raw)
    assert case is not None and not [p for p in problems if p.is_error]
    (warning,) = [p for p in problems if "after the horizon" in p.rule]
    assert warning.sheet == "Expansions" and warning.column == "earliest_start_month"


# --- 7. an interior-point failure is not taken for a solver failure ----------------------------


def _make_ipm_fail(monkeypatch) -> None:
    """Every interior-point run ends in error without a plan, as IPX did on the 120-month,
    50-source infeasible case of the issue; every other run is HiGHS's own."""
    from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

    from optimizer.solve.highs import HighsLp, RunResult

    real = HighsLp.run

    def run(self, options):
        if options.get("solver") == "ipm":
            error = TerminationCondition.error
            return RunResult(error, SolutionStatus.noSolution, None, None, "IPX: error")
        return real(self, options)

    monkeypatch.setattr(HighsLp, "run", run)


def test_ipm_error_on_an_infeasible_case_still_exits_3_with_its_diagnosis(
    tmp_path, capsys, monkeypatch
):
    _make_ipm_fail(monkeypatch)
    assert main(["solve", str(_infeasible(tmp_path)), "-o", str(tmp_path / "r.xlsx")]) == 3
    captured = capsys.readouterr()
    assert "dual simplex" in captured.out and "minimum feed" in captured.err


def test_ipm_error_on_a_feasible_case_solves_by_dual_simplex(tmp_path, monkeypatch):
    from optimizer.solve.run import solve_case

    case, _, _ = load_case(_book(tmp_path))
    by_ipm = solve_case(case)
    _make_ipm_fail(monkeypatch)
    by_simplex = solve_case(case)
    assert by_simplex.status == by_ipm.status == "optimal"
    assert by_simplex.objective_usd == pytest.approx(by_ipm.objective_usd, rel=1e-9)


# --- 10. every HiGHS run has its own time limit ------------------------------------------------


def test_a_rerun_gets_its_own_time_limit():
    """HiGHS's clock counts every run of an instance: after five runs of x seconds, a run
    limited to 2x must still solve (lumpy mode's marginal-value LP after a long MILP)."""
    from benchmarks.generate import generate_raw
    from optimizer.inputs.validate import validate
    from optimizer.model.build import build_model
    from optimizer.solve.compile import compile_model
    from optimizer.solve.highs import HighsLp

    case, _ = validate(generate_raw(24, 10, 3, 2, seed=3))
    built = build_model(case, limits_as_bounds=True)
    hl = HighsLp(compile_model(built.model, limits=built.bound_families))
    options = {"threads": 1, "solver": "ipm", "presolve": "off"}
    tick = time.perf_counter()
    for _ in range(5):
        assert hl.run(options).col_value is not None
    each = (time.perf_counter() - tick) / 5
    again = hl.run({**options, "time_limit": 2 * each})
    assert again.termination_condition.name == "convergenceCriteriaSatisfied"


# --- 12. the residual checker shares no code with the model ------------------------------------


def test_residual_checker_catches_a_wrong_discount_formula(monkeypatch):
    """With the model discounting yearly instead of by month/12, the reported objective no
    longer matches SPEC §3's formula applied to the plan: 10 %/year over 3 months."""
    from residuals import violations

    import optimizer.model.lookup as lookup
    from optimizer.inputs.validate import validate
    from optimizer.solve.run import solve_case

    rows = minimal_rows()
    rows["Settings"].append(["discount_rate_pct_per_year", 10, None])
    case, _ = validate(raw_book(rows))
    assert violations(solve_case(case), case) == []
    monkeypatch.setattr(lookup, "discount_factor", lambda rate, t: (1 + rate / 100) ** -t)
    problems = violations(solve_case(case), case)
    assert any("objective recomputed" in p for p in problems)


# --- 13. the report checker checks printed limits against the input ---------------------------


def test_report_limits_and_utilization_match_the_input(tmp_path):
    """``full_rows``: route AK1-TF closed (0 %) in the first month, TF at 50 % in the last.
    The printed limits are the input's; a route limit that ignores availability, or a
    utilization on base capacity, is caught even though the report agrees with itself."""
    from report_check import check_against_input

    report = tmp_path / "r.xlsx"
    assert main(["solve", str(_book(tmp_path, "full.xlsx", full_rows())), "-o", str(report)]) == 0
    case, _, _ = load_case(tmp_path / "full.xlsx")
    check_against_input(report, case)
    for sheet, column, found in (
        ("Summary", 2, lambda r: str(r[0].value).startswith("Average utilization of TF")),
        ("Allocation", 8, lambda r: r[2].value == "AK1-TF"),
    ):
        wb = openpyxl.load_workbook(report)
        rows = [r for r in wb[sheet].iter_rows(min_row=2) if found(r)]
        assert rows, (sheet, "no row to tamper with")
        cell = rows[0][column - 1]
        cell.value = (cell.value or 0) * 1.34 + (sheet == "Allocation") * 100
        wb.save(tmp_path / "tampered.xlsx")
        with pytest.raises(AssertionError):
            check_against_input(tmp_path / "tampered.xlsx", case)


# --- 11. implausible magnitudes are errors; property tests are derandomized ------------------


def test_implausible_price_is_an_error_at_its_cell():
    """The fuzz test once drew a price of 1e23 USD/t Sb and solved nothing."""
    from hypothesis import settings

    from optimizer.inputs.validate import validate

    rows = minimal_rows()
    price_row = rows["Prices"][1]
    price_row[-1] = 1e23
    case, problems = validate(raw_book(rows))
    (error,) = [p for p in problems if p.is_error]
    assert case is None and error.sheet == "Prices" and error.cell
    assert "implausibly large" in error.rule and "USD/t Sb" in error.rule
    assert settings().derandomize and settings().database is None


# --- SPEC §6.5: every error names the row's id beside the cell --------------------------------


def test_errors_name_the_row_id_beside_the_cell():
    """Supply row 3 is AK1's min: 101 t in 2027-02 above its max of 100 t."""
    from optimizer.inputs.validate import validate

    rows = minimal_rows()
    assert rows["Supply"][2][:2] == ["AK1", "min"]
    rows["Supply"][2][3] = 101
    _, problems = validate(raw_book(rows))
    (error,) = [p for p in problems if p.is_error]
    assert str(error).startswith("Supply!D3 [2027-02] (source AK1): min above max")


# --- SPEC §6.5: plausibility warnings ----------------------------------------------------------


def test_plausibility_warnings_are_warnings_at_their_cells():
    """A price of 28.5 (USD/lb), a grade of 0.5 (a fraction), TF's minimum feed of 300 t
    above its 200 t base capacity, route AK1-TF closed every month: four warnings, and the
    case is still valid."""
    from optimizer.inputs.validate import validate

    rows = full_rows()
    rows["Prices"][1][1] = 28.5
    rows = set_cell(rows, "Sources", "AK1", "grade_pct_sb", 0.5)
    rows = set_cell(rows, "Smelters", "TF", "min_feed_t_per_month", 300)
    rows["RouteAvailability"][1][1:] = [0, 0, 0]
    case, problems = validate(raw_book(rows))
    assert case is not None and not [p for p in problems if p.is_error]
    found = {(p.sheet, p.column): p.rule for p in problems}
    assert "looks like USD/lb" in found[("Prices", "2027-01")]
    assert "looks like a fraction" in found[("Sources", "grade_pct_sb")]
    assert "minimum feed above the base capacity" in found[("Smelters", "min_feed_t_per_month")]
    assert "never opens" in found[("RouteAvailability", "route")]
