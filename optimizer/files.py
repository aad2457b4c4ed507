"""Writing output files safely: atomically, never over the input, around open files.

A report is first written to a temporary file in the target folder and then renamed over
the target, so a crash never leaves a half-written workbook and a reader never sees one.
If the target is open in Excel or LibreOffice (their lock files are present, or the rename
is refused), the file goes to a timestamped sibling instead; callers compare the returned
path with the requested one to tell the planner.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from optimizer.errors import UsageError


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file (resolving links and case)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def lock_files(target: Path) -> list[Path]:
    """Lock files office programs leave next to a document they have open."""
    name = target.name
    candidates = [
        target.with_name(f".~lock.{name}#"),  # LibreOffice
        target.with_name(f"~${name}"),  # Excel
    ]
    return [p for p in candidates if p.exists()]


def is_locked(target: Path) -> bool:
    return bool(lock_files(target))


def timestamped_sibling(target: Path, now: datetime | None = None) -> Path:
    """``report_20270115-093012.xlsx`` next to ``report.xlsx`` (numbered if taken)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.stem}_{stamp}{target.suffix}")
    n = 2
    while candidate.exists() or is_locked(candidate):
        candidate = target.with_name(f"{target.stem}_{stamp}-{n}{target.suffix}")
        n += 1
    return candidate


def check_target(target: Path, protected: list[Path], suffix: str) -> None:
    """Refuse a target that is an input file, a folder, or has the wrong extension."""
    for p in protected:
        if same_file(target, p):
            raise UsageError(
                f"refusing to overwrite the input workbook {p}; choose another output path with -o"
            )
    if target.suffix.lower() != suffix:
        raise UsageError(f"the output must be a {suffix} file, got {target.name}")
    if target.is_dir():
        raise UsageError(f"the output path is a folder: {target}")


def _default_mode() -> int:
    """Permissions a newly created file gets under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def save_atomic(write: Callable[[Path], None], target: Path) -> Path:
    """Call ``write(tmp)`` then rename ``tmp`` onto ``target`` (or a timestamped sibling
    when ``target`` is open elsewhere). Returns the path actually written."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder {folder}: {exc.strerror}") from exc
    dest = timestamped_sibling(target) if is_locked(target) else target
    fd, name = tempfile.mkstemp(prefix=".~tmp-", suffix=target.suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, _default_mode())  # mkstemp makes it owner-only; a report is shared
        try:
            os.replace(tmp, dest)
        except PermissionError:  # Windows: the target is open in another program
            if dest != target:
                raise
            dest = timestamped_sibling(target)
            os.replace(tmp, dest)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return dest
