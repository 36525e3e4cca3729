"""Output folders written whole or not at all.

On entry: the folder a command was asked to write (``--out``) and the names of the files a run of
that command writes. On exit: ``output_folder`` yields a new temporary folder beside the target
(``.NAME.partial-XXXX``); the command writes everything there, and only when it returns is the
temporary folder renamed into place. A run that fails, or is killed, leaves the target as it was
(an earlier complete run, or absent) plus at most a ``.partial-`` sibling, which the next run
removes. An earlier run's folder is replaced as a whole, so none of its files stay behind (a
``ledger.parquet`` beside a new ``ledger.csv``); every other entry (the other command's files, a
subfolder) is carried over. A folder with more than ``MAX_CARRIED`` such files (``--out .`` in a
project, a home folder) is refused (``OutputRefused``), never emptied. docs/settlement.md
"Output folders" says the same.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

SETTLE_FILES: frozenset[str] = frozenset(
    {
        "ledger.csv",
        "ledger.parquet",
        "ledger",  # the dask engine's partitioned Parquet ledger
        "rejects.csv",
        "summary.json",
        "enrollment_rejects.csv",
        "settlement.xlsx",
    }
)
PRICE_FILES: frozenset[str] = frozenset({"price.json", "report.html", "price.xlsx"})


class OutputRefused(Exception):
    """The target exists and is not a folder an earlier run of the command wrote."""


def _stale_siblings(target: Path) -> Iterator[Path]:
    for prefix in (f".{target.name}.partial-", f".{target.name}.old-"):
        yield from target.parent.glob(prefix + "*")


MAX_CARRIED = 1000  # files of a folder's other entries carried into the new folder, at most


def check_target(target: Path, names: Collection[str]) -> None:
    """Raise ``OutputRefused`` unless ``target`` is absent or a folder whose entries other than
    ``names`` hold at most ``MAX_CARRIED`` files (they are carried over; a project or home folder
    given as ``--out`` is refused instead)."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputRefused(f"{target} exists and is not a folder")
    foreign = sorted(p.name for p in target.iterdir() if p.name not in names)
    count = 0
    for name in foreign:
        entry = target / name
        count += 1
        if entry.is_dir() and not entry.is_symlink():
            for _, _, files in os.walk(entry):
                count += len(files)
                if count > MAX_CARRIED:
                    break
        if count > MAX_CARRIED:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise OutputRefused(
                f"{target} holds more than {MAX_CARRIED:,} files no run writes ({shown}): "
                "give a new or empty folder, or one an earlier run wrote"
            )


OUTPUT_FILES: frozenset[str] = SETTLE_FILES | PRICE_FILES


@contextmanager
def output_folder(target: str | Path, names: Collection[str]) -> Iterator[Path]:
    """A temporary sibling of ``target`` to write into, renamed to ``target`` on success.

    ``names`` are the files this command writes; every other entry of the folder (another
    command's files: settle and price may share one, as ``scripts/demo`` does; a subfolder) is
    carried into the new folder as hard links (copies where links fail), so nothing but this
    command's earlier files is ever removed and the old folder stays whole until the swap."""
    target = Path(target)
    check_target(target, names)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in _stale_siblings(target):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    os.chmod(partial, 0o777 & ~_umask())  # mkdtemp makes it private; a folder gets the usual mode
    if target.is_dir():
        for other in target.iterdir():
            if other.name not in names and not (partial / other.name).exists():
                _carry(other, partial / other.name)
    replace_folder(partial, target)


def _carry(source: Path, dest: Path) -> None:
    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    if source.is_symlink():
        os.symlink(os.readlink(source), dest)
    elif source.is_dir():
        shutil.copytree(source, dest, symlinks=True, copy_function=link)
    else:
        link(str(source), str(dest))


def replace_folder(new: Path, target: Path) -> None:
    """Put the complete folder ``new`` at ``target``: the target is, at every moment, the earlier
    folder, absent, or the new one (two renames on the same file system)."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rename(target, old / target.name)
        os.rename(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def inside(paths: Collection[Path], partial: Path, target: Path) -> list[Path]:
    """``paths`` written under ``partial``, as they are named once moved to ``target``."""
    out = []
    for p in paths:
        try:
            out.append(Path(target) / Path(p).relative_to(partial))
        except ValueError:
            out.append(Path(p))
    return out
