"""Writing output files safely: atomically, never over a planner's file, around open files.

A report is first written to a temporary file in the target folder and then renamed over
the target, so a crash never leaves a half-written workbook and a reader never sees one.
If the target is open in Excel or LibreOffice (their lock files are present, or the rename
is refused), the file goes to a timestamped sibling instead, created exclusively so two runs
never pick the same one; callers compare the returned path with the requested one to tell
the planner.

Before any work, :func:`check_output_target` refuses every target the run could not write or
must not replace: the input itself, a folder, a wrong extension, a folder that cannot be
written, a name too long for the file system or its encoding, and an existing file that is
not one of the tool's own outputs (its ``Provenance`` sheet carries :data:`OWN_MARK`) unless
the planner says ``--force``.

Temporary files are named ``.~tmp-ore-<pid>-…``; one whose process is gone (killed during a
write) is removed by the next write into that folder.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import ParseError

from optimizer import interrupts
from optimizer.errors import UsageError

OWN_MARK = "ore-optimizer version"
"""The Provenance item every workbook the tool writes carries: the mark of its own output."""

TMP_PREFIX = ".~tmp-ore-"
_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-")
_SIBLING_EXTRA = len("_20270115-093012-99")  # what a timestamped sibling adds to a name
_LOCK_EXTRA = len(".~lock.#")  # what LibreOffice's lock-file name adds


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file (resolving links and case)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name too long to even look up: nothing can be there
        return False


def lock_files(target: Path) -> list[Path]:
    """Lock files office programs leave next to a document they have open."""
    name = target.name
    candidates = [
        target.with_name(f".~lock.{name}#"),  # LibreOffice
        target.with_name(f"~${name}"),  # Excel
    ]
    return [p for p in candidates if _exists(p)]


def is_locked(target: Path) -> bool:
    return bool(lock_files(target))


def timestamped_sibling(target: Path, now: datetime | None = None) -> Path:
    """``report_20270115-093012.xlsx`` next to ``report.xlsx`` (numbered if taken), created
    empty and exclusively, so a concurrent run can never pick the same name."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        tail = "" if n == 1 else f"-{n}"
        candidate = target.with_name(f"{target.stem}_{stamp}{tail}{target.suffix}")
        n += 1
        if is_locked(candidate):
            continue
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _default_mode()))
        except FileExistsError:
            continue
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


def is_own_output(path: Path) -> bool:
    """True when ``path`` is a workbook this tool wrote (its Provenance sheet says so)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        return False
    try:
        if "Provenance" not in wb.sheetnames:
            return False
        items = wb["Provenance"].iter_rows(min_col=1, max_col=1, values_only=True)
        return any(row and row[0] == OWN_MARK for row in items)
    except (ParseError, KeyError, ValueError):  # not a workbook we could have written
        return False
    finally:
        wb.close()


def check_replace(target: Path, *, force: bool) -> None:
    """Refuse to replace an existing file that is not one of the tool's own outputs, unless
    ``force``. A file open in another program is never replaced (the output goes to a
    timestamped sibling), so it needs no refusal."""
    if force or not _exists(target) or is_locked(target) or is_own_output(target):
        return
    raise UsageError(
        f"{target} already exists and is not an ore-optimizer output (no Provenance sheet "
        "says so); refusing to replace it — choose another path, or add --force to replace it"
    )


def check_new(target: Path, *, force: bool) -> None:
    """Refuse any existing file at ``target`` (a planner's edited case), unless ``force``."""
    if _exists(target) and not force:
        raise UsageError(
            f"{target} already exists; refusing to overwrite it (it may be an edited case) — "
            "choose another name, or add --force to replace it"
        )


def _existing_folder(folder: Path) -> Path:
    """``folder`` or its nearest ancestor that exists."""
    folder = folder.absolute()
    while not _exists(folder) and folder.parent != folder:
        folder = folder.parent
    return folder


def check_folder(folder: Path, what: str) -> None:
    """Refuse, before any work, a folder the run could not write into: a file in the way, a
    name the file system's encoding cannot hold, no permission."""
    try:
        os.fsencode(folder)
    except UnicodeEncodeError:
        raise UsageError(
            f"{what} {folder!s} has characters this system's file names cannot hold "
            f"(encoding {sys.getfilesystemencoding()}); use a UTF-8 locale "
            "(e.g. LC_ALL=C.UTF-8) or another path"
        ) from None
    existing = _existing_folder(folder)
    if not existing.is_dir():
        raise UsageError(f"{what} {folder} cannot be created: {existing} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=existing)
    except OSError as exc:
        raise UsageError(f"{what} {folder}: cannot write in {existing}: {exc.strerror}") from exc
    os.close(fd)
    os.unlink(probe)


def check_name(target: Path, what: str) -> None:
    """Refuse a file name the file system cannot hold (with room for the lock-file and
    timestamped-sibling names derived from it) or whose characters its encoding cannot."""
    try:
        size = len(os.fsencode(target.name))
    except UnicodeEncodeError:
        raise UsageError(
            f"{what} {target!s} has characters this system's file names cannot hold "
            f"(encoding {sys.getfilesystemencoding()}); use a UTF-8 locale "
            "(e.g. LC_ALL=C.UTF-8) or another name"
        ) from None
    try:
        name_max = os.pathconf(_existing_folder(target.parent), "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    room = name_max - max(_SIBLING_EXTRA, _LOCK_EXTRA)
    if size > room:
        raise UsageError(
            f"{what} {target.name[:40]}… is too long ({size} bytes); use at most {room} here"
        )


def check_output_target(
    target: Path,
    protected: list[Path],
    *,
    force: bool = False,
    suffix: str = ".xlsx",
    what: str = "the output",
) -> None:
    """Every check of an output file before any work (exit 1 with the path named): not an
    input, not a folder, the right extension, a writable folder, a name the file system can
    hold, and only one of the tool's own outputs replaced unless ``force``."""
    check_target(target, protected, suffix)
    check_folder(target.parent, f"the folder of {what}")
    check_name(target, what)
    check_replace(target, force=force)


def _default_mode() -> int:
    """Permissions a newly created file gets under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of ours in ``folder`` whose process is gone (a run killed
    while writing); returns them."""
    swept = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return swept
    for path in entries:
        found = _TMP_NAME.match(path.name)
        if found and not _alive(int(found.group(1))):
            try:
                path.unlink()
            except OSError:
                continue
            swept.append(path)
    return swept


def save_atomic(write: Callable[[Path], None], target: Path) -> Path:
    """Call ``write(tmp)`` then rename ``tmp`` onto ``target`` (or a timestamped sibling
    when ``target`` is open elsewhere). Returns the path actually written."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder {folder}: {exc.strerror}") from exc
    sweep_temporaries(folder)
    dest: Path | None = None
    tmp: Path | None = None
    done = False
    try:
        fd, name = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=folder
        )
        os.close(fd)
        tmp = Path(name)
        write(tmp)
        os.chmod(tmp, _default_mode())  # mkstemp makes it owner-only; a report is shared
        interrupts.check()  # an interrupted run writes nothing
        dest = timestamped_sibling(target) if is_locked(target) else target
        try:
            os.replace(tmp, dest)
        except PermissionError:  # Windows: the target is open in another program
            if dest != target:
                raise
            dest = timestamped_sibling(target)
            os.replace(tmp, dest)
        done = True
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:  # also on Ctrl-C / SIGTERM: no temporary file, no empty reserved sibling
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if not done and dest is not None and dest != target:
            dest.unlink(missing_ok=True)
    return dest
