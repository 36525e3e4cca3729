"""The ``Ledger`` object: a store, its ruleset and enrollment, and the operations on them.

The ruleset is stored at ``init`` as its root file's text, sha256 and path; opening loads it from
the path when the file there still has that hash, else from the stored text (a ruleset whose file
changed since ``init`` is refused: the ledger settles under the rules it was created with). The
enrollment is stored as CSV text and replaced by ``post(..., enrollment=...)``; the families whose
members changed are then re-adjudicated with that batch.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pyarrow.csv as pacsv

from aso_rules.data.readers import EnrollmentInput, read_enrollment
from aso_rules.data.records import MemberRecord
from aso_rules.data.source import string_columns, to_arrow
from aso_rules.ledger import schema
from aso_rules.ledger.batch import content_hash, read_batch
from aso_rules.ledger.columnar import post_columnar
from aso_rules.ledger.errors import LedgerError, NotALedger
from aso_rules.ledger.export import settlement
from aso_rules.ledger.post import AUTO_VECTOR_LINES, PostResult, check_batch_id, load_families, post_batch
from aso_rules.ledger.state import SettlementState
from aso_rules.ledger.store import Store, connect
from aso_rules.model import FrozenMap, Ruleset
from aso_rules.settle import Settlement

__all__ = ["Ledger", "init", "open"]


def _csv_text(source: Any) -> str:
    """An enrollment (path or table) as CSV text, every value as its exact text."""
    if isinstance(source, str | Path) and str(source).lower().endswith(".csv"):
        return Path(source).read_text(encoding="utf-8")
    sink = io.BytesIO()
    pacsv.write_csv(string_columns(to_arrow(source)), sink)
    return sink.getvalue().decode("utf-8")


def _enrollment_from_text(text: str, ruleset: Ruleset) -> EnrollmentInput:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "enrollment.csv"
        path.write_text(text, encoding="utf-8")
        return read_enrollment(str(path), ruleset)


def _by_columns(claims: Any, engine: str) -> bool:
    """Whether a batch is first offered to the columnar path (``aso_rules.ledger.columnar``)."""
    if engine == "vector":
        return True
    if engine != "auto":
        return False
    from aso_rules.settle.vector.auto import estimated_lines

    return estimated_lines(claims) >= AUTO_VECTOR_LINES


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ledger:
    """An open ledger (see the module docstring). Close it with ``close()`` or ``with``."""

    def __init__(self, store: Store, ruleset: Ruleset, url: str) -> None:
        self.store = store
        self.ruleset = ruleset
        self.url = url
        self._enrollment: EnrollmentInput | None = None
        self._enrollment_text = ""

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ inputs

    def meta(self, key: str) -> str | None:
        row = self.store.query("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0][0] if row else None

    @property
    def enrollment(self) -> EnrollmentInput:
        """The stored enrollment, read again when another process has replaced it."""
        text = self.meta("enrollment") or ""
        if self._enrollment is None or text != self._enrollment_text:
            self._enrollment = _enrollment_from_text(text, self.ruleset)
            self._enrollment_text = text
        return self._enrollment

    @property
    def members(self) -> dict[str, MemberRecord]:
        return {m.member_id: m for m in self.enrollment.members}

    # ------------------------------------------------------------------ operations

    def post(
        self,
        claims: Any,
        *,
        batch: str,
        enrollment: Any = None,
        engine: str = "auto",
        before_write: Callable[[], None] | None = None,
    ) -> PostResult:
        """Post one batch (one transaction). Raises ``BatchConflict`` / ``MonthClosed`` (nothing changed)
        and the readers' ``InputError`` for a file-level problem.

        The batch is read inside the transaction, against the enrollment as it is then (another
        process may have posted a new one)."""
        new_text = _csv_text(enrollment) if enrollment is not None else None
        new = _enrollment_from_text(new_text, self.ruleset) if new_text is not None else None
        with self.store.exclusive():
            members = self.members
            changed: list[str] = []
            extra = b""
            if new is not None and new_text is not None:
                extra = new_text.encode("utf-8")
                new_members = {m.member_id: m for m in new.members}
                changed = sorted(
                    {m.family_id for k, m in members.items() if new_members.get(k) != m}
                    | {m.family_id for k, m in new_members.items() if members.get(k) != m}
                )
                members = new_members
            if new is None and _by_columns(claims, engine):
                digest = content_hash(claims)
                done = check_batch_id(self.store, batch, digest)
                if done is not None:
                    return done
                fast = post_columnar(
                    self.store, self.ruleset, members, batch, claims, digest, before_write=before_write
                )
                if fast is not None:
                    return fast
            read = read_batch(claims, self.ruleset, members, extra_hash=extra)
            result = post_batch(
                self.store,
                self.ruleset,
                members,
                batch,
                read,
                engine=engine,
                changed_families=changed,
                before_write=before_write,
            )
            if new_text is not None and not result.already_posted:
                self.store.execute("UPDATE meta SET value = ? WHERE key = 'enrollment'", (new_text,))
        return result

    @property
    def state(self) -> SettlementState:
        """The settlement state: every family's current lines, adjudicated, in processing order,
        and the carried accumulators of the families that have them."""
        carries = dict(self.store.query("SELECT family_id, carry FROM family_state"))
        return attrs.evolve(load_families(self.store, self.ruleset, None), carries=FrozenMap(carries))

    def settlement(self, paid_through: Any = None) -> Settlement:
        return settlement(
            self.store,
            self.ruleset,
            self.members,
            enrollment_rejects=self.enrollment.rejects,
            paid_through=paid_through,
        )

    def export(self, out_dir: str | Path | None = None, ledger_format: str = "csv") -> Settlement:
        """The current view as ``aso settle``'s ``Settlement``; written to ``out_dir`` when given."""
        result = self.settlement()
        if out_dir is not None:
            result.write(out_dir, ledger_format=ledger_format)
        return result

    def close_month(
        self, month: str, out_dir: str | Path | None = None, *, reopen: bool = False
    ) -> dict[str, Any]:
        """Close ``month`` (YYYY-MM): its statement (JSON dict; JSON and HTML files in ``out_dir``)."""
        from aso_rules.ledger.statement import close_month

        return close_month(self, month, out_dir, reopen=reopen)

    def status(self) -> dict[str, Any]:
        from aso_rules.ledger.report import status

        return status(self)

    def history(self, claim_id: str) -> list[dict[str, Any]]:
        from aso_rules.ledger.report import history

        return history(self, claim_id)


def init(url: str, ruleset: str | Path | Ruleset, enrollment: Any) -> Ledger:
    """Create a ledger at ``url`` (refused if one is there already) and open it."""
    store = connect(url)
    try:
        if schema.current_version(store):
            raise LedgerError(f"{url}: already a ledger (schema version {schema.current_version(store)})")
        if isinstance(ruleset, Ruleset):
            compiled, text, path = ruleset, "", ""
        else:
            from aso_rules.language.loader import load

            path = str(Path(ruleset).resolve())
            text = Path(ruleset).read_text(encoding="utf-8")
            compiled = load(ruleset)
        enrollment_text = _csv_text(enrollment)
        _enrollment_from_text(enrollment_text, compiled)  # a file-level problem fails here, not later
        with store.exclusive():
            schema.migrate(store)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            store.insert_many(
                "meta",
                ("key", "value"),
                [
                    ("ruleset_name", compiled.name),
                    ("ruleset_path", path),
                    ("ruleset_text", text),
                    ("ruleset_hash", _sha(text)),
                    ("enrollment", enrollment_text),
                    ("created_at", now),
                ],
            )
    except BaseException:
        store.close()
        raise
    return Ledger(store, compiled, url)


def open(url: str, *, ruleset: Ruleset | None = None) -> Ledger:
    """Open the ledger at ``url``; ``ruleset`` overrides the stored one (a compiled object)."""
    if (
        not url.startswith(("postgresql://", "postgres://"))
        and not Path(url.removeprefix("sqlite:///")).is_file()
    ):
        raise NotALedger(f"{url}: no such ledger (create it with `aso ledger init`)")
    store = connect(url)
    try:
        version = schema.current_version(store)
        if version == 0:
            raise NotALedger(f"{url}: not a ledger (create it with `aso ledger init`)")
        if version > schema.SCHEMA_VERSION:
            raise NotALedger(
                f"{url}: schema version {version} is newer than this aso's ({schema.SCHEMA_VERSION})"
            )
        if version < schema.SCHEMA_VERSION:
            with store.exclusive():
                schema.migrate(store)
        ledger = Ledger(store, ruleset or _stored_ruleset(store), url)
    except BaseException:
        store.close()
        raise
    return ledger


def _stored_ruleset(store: Store) -> Ruleset:
    meta = dict(store.query("SELECT key, value FROM meta"))
    text, path = meta.get("ruleset_text", ""), meta.get("ruleset_path", "")
    digest = meta.get("ruleset_hash", "")
    if not text:
        raise NotALedger("the ledger was created from a compiled ruleset: open it with ruleset=...")
    from aso_rules.language.loader import load, loads

    if path and Path(path).is_file():
        if _sha(Path(path).read_text(encoding="utf-8")) != digest:
            raise LedgerError(
                f"{path} changed since the ledger was created; the ledger settles under the rules it "
                "was created with (restore the file, or create a new ledger)"
            )
        return load(path)
    return loads(text, filename=path or "<ledger>")
