"""``aso settle --engine dask [--scheduler ADDRESS]``: the distributed run behind the command line.

On entry: paths from the command line (claims: a Parquet dataset folder, a .parquet file or any file
the readers take; enrollment: a file) and an optional scheduler address. On exit: a
``DistributedSettlement`` whose ledger parts are already in ``<out>/ledger``, or ``Failed`` with the
exit code after the message was printed (2: usage, I/O or an unreachable scheduler; 1: a contract
the checker should have caught). No traceback for an error a user can cause.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aso_rules.cli.settle_common import Failed, error
from aso_rules.model import Ruleset

if TYPE_CHECKING:
    from aso_rules.settle.distributed import DistributedSettlement


def settle_dask_files(
    command: str,
    ruleset: Ruleset,
    claims: str,
    enrollment: str,
    *,
    out: str,
    scheduler: str | None,
    adjudicated: bool = False,
) -> DistributedSettlement:
    """Settle input files on a Dask cluster (a local one sized to the machine without ``scheduler``)."""
    from aso_rules.data.source import InputError
    from aso_rules.settle.fees import FeeError
    from aso_rules.settle.stoploss import StopLossError

    try:
        import distributed  # noqa: F401 - only to report a missing extra plainly

        from aso_rules.settle.distributed import settle_dask
    except ImportError as exc:
        error(command, f"the dask engine needs the dask extra (pip install 'aso-rules[dask]'): {exc}")
        raise Failed(2) from None
    if not os.path.exists(claims):
        error(command, f"{claims}: no such claims file or folder")
        raise Failed(2)
    if not os.path.isfile(enrollment):
        error(command, f"{enrollment}: no such enrollment file")
        raise Failed(2)
    try:
        return settle_dask(
            ruleset, claims, enrollment, out_dir=out, scheduler=scheduler, adjudicated=adjudicated
        )
    except InputError as exc:
        error(command, str(exc))
        raise Failed(2) from None
    except (StopLossError, FeeError) as exc:
        error(command, str(exc))
        raise Failed(1) from None
    except OSError as exc:  # includes a scheduler that cannot be reached (connection errors)
        error(command, f"{getattr(exc, 'filename', None) or scheduler or ''}: {exc.strerror or exc}")
        raise Failed(2) from None
    except ValueError as exc:  # a malformed scheduler address
        error(command, f"dask: {exc}")
        raise Failed(2) from None
