"""Output folders written whole or not at all.

On entry: the folder a command was asked to write (``--out``) and the names of the files a run of
that command writes. On exit: ``output_folder`` yields a new temporary folder beside the target
(``.NAME.partial-XXXX``); the command writes everything there, and only when it returns is the
temporary folder renamed into place. A run that fails, or is killed, leaves the target as it was
(an earlier complete run, or absent) plus at most a ``.partial-`` sibling, which the next run
removes. An earlier run's folder is replaced as a whole, so none of its files stay behind (a
``ledger.parquet`` beside a new ``ledger.csv``); a folder holding anything a run does not write is
refused (``OutputRefused``), never emptied. docs/settlement.md "Output folders" says the same.
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
PRICE_FILES: frozenset[str] = frozenset({"price.json", "price.html", "price.xlsx"})


class OutputRefused(Exception):
    """The target exists and is not a folder an earlier run of the command wrote."""


def _stale_siblings(target: Path) -> Iterator[Path]:
    for prefix in (f".{target.name}.partial-", f".{target.name}.old-"):
        yield from target.parent.glob(prefix + "*")


def check_target(target: Path, names: Collection[str]) -> None:
    """Raise ``OutputRefused`` unless ``target`` is absent, empty, or holds only ``names``."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputRefused(f"{target} exists and is not a folder")
    foreign = sorted(p.name for p in target.iterdir() if p.name not in names)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutputRefused(
            f"{target} holds files no run writes ({shown}): give a new or empty folder, "
            "or one an earlier run wrote"
        )


@contextmanager
def output_folder(target: str | Path, names: Collection[str]) -> Iterator[Path]:
    """A temporary sibling of ``target`` to write into, renamed to ``target`` on success."""
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
    replace_folder(partial, target)


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
