"""``aso track``: from a ledger and from a settled folder (the same figures), track.json against its
schema, exact paid-to-date figures, and usage errors (exit 2, no traceback)."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

from aso_rules.cli import main

pytest.importorskip("scipy")

ROOT = Path(__file__).resolve().parents[2]
ACME = str(ROOT / "rulesets" / "acme-2026.aso")
CLAIMS = str(ROOT / "examples" / "acme-claims.csv")
ENROLLMENT = str(ROOT / "examples" / "acme-enrollment.csv")
AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("settled")
    assert main(["settle", ACME, "--claims", CLAIMS, "--enrollment", ENROLLMENT, "--out", str(out)]) == 0
    return out


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_folder_and_ledger_agree_and_validate(
    settled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    folder = _json(
        capsys, "track", "--ledger", str(settled), "--ruleset", ACME, "--enrollment", ENROLLMENT,
        "--as-of", AS_OF, "--json", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    db = str(tmp_path / "plan.db")
    assert main(["ledger", "init", db, "--ruleset", ACME, "--enrollment", ENROLLMENT]) == 0
    assert main(["ledger", "post", db, "--claims", CLAIMS, "--batch", "2026"]) == 0
    ledger = _json(capsys, "track", db, "--as-of", AS_OF, "--format", "json")
    assert ledger == folder
    schema = json.loads((ROOT / "docs" / "schemas" / "track.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(folder, schema)
    assert json.loads((tmp_path / "out" / "track.json").read_text(encoding="utf-8")) == folder
    assert (tmp_path / "out" / "dashboard.html").is_file()
    folder["ibnr"]["plan_paid"] = 12.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(folder, schema)


def test_paid_to_date_is_exact(settled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = _json(
        capsys, "track", "--ledger", str(settled), "--ruleset", ACME, "--enrollment", ENROLLMENT,
        "--as-of", AS_OF, "--json", "--simulations", "500",
    )  # fmt: skip
    table = pacsv.read_csv(settled / "ledger.csv").to_pylist()
    want = sum(
        (
            Decimal(str(r["plan_paid"]))
            for r in table
            if str(r["paid"]) <= AS_OF and str(r["incurred"]) <= "2026-12-31"
        ),
        Decimal(0),
    )
    assert Decimal(s["projection"]["paid_to_date"]) == want.quantize(Decimal("0.01"))
    assert sum(Decimal(m["paid"]) for m in s["months"]) == want
    by_month = s["ibnr"]["by_month"]
    assert sum(Decimal(m["paid"]) for m in by_month) == want
    p = s["projection"]["incurred_plan_paid"]
    assert Decimal(p["p05"]) <= Decimal(p["p50"]) <= Decimal(p["p95"])
    assert Decimal(p["expected"]) >= want
    assert len(s["position"]["high_claimants"]) == 20
    lasered = [c for c in s["position"]["high_claimants"] if c["lasered"]]
    assert lasered and lasered[0]["member_id"] == "M-1042" and lasered[0]["laser"] == "400000.00"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["track", "--as-of", AS_OF], "give a ledger DB or --ledger DIR"),
        (["track", "x.db", "--ledger", "d", "--as-of", AS_OF], "give a ledger DB or --ledger DIR"),
        (["track", "--ledger", "d", "--as-of", AS_OF], "needs --ruleset R and --enrollment E"),
        (["track", "x.db", "--ruleset", ACME, "--as-of", AS_OF], "go with --ledger"),
        (["track", "x.db", "--as-of", "2026-02-30"], "not a date"),
        (["track", "x.db", "--as-of", AS_OF, "--simulations", "5"], "at least 100"),
        (["track", "no-such.db", "--as-of", AS_OF], "no such ledger"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:  # argparse's own errors exit via SystemExit(2)
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_folder_errors_exit_2(settled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["track", "--ruleset", ACME, "--enrollment", ENROLLMENT]
    assert main([*base, "--ledger", str(tmp_path), "--as-of", AS_OF]) == 2
    assert "no ledger.csv" in capsys.readouterr().err
    assert main([*base, "--ledger", str(settled), "--as-of", "2025-12-31"]) == 2
    assert "before the plan year" in capsys.readouterr().err
    assert main([*base, "--ledger", str(tmp_path / "nope"), "--as-of", AS_OF]) == 2
    assert "not a folder" in capsys.readouterr().err
    bad = tmp_path / "bad.aso"
    bad.write_text(
        'ruleset "x" {\n  plan_year 2026-01-01 to 2026-12-31\n  tiers EE "E"\n}\n'
        "coverage medical {\n  plan pays 180%\n}\n"
    )
    assert (
        main(
            [
                "track",
                "--ruleset",
                str(bad),
                "--enrollment",
                ENROLLMENT,
                "--ledger",
                str(settled),
                "--as-of",
                AS_OF,
            ]
        )
        == 1
    )


def test_dashboard_is_self_contained(settled: Path, tmp_path: Path) -> None:
    from aso_rules.track import track

    t = track(settled, as_of=AS_OF, ruleset=ACME, enrollment=ENROLLMENT, simulations=500)
    _, html_path = t.write(tmp_path)
    page = html_path.read_text(encoding="utf-8")
    assert "<script src=" not in page and "<link" not in page
    for title in ("Plan paid by month against expected", "Lag triangle", "Projection of the year",
                  "Aggregate stop-loss", "Largest claimants to date", "M-1042"):  # fmt: skip
        assert title in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_dashboard_renders_in_headless_chromium(settled: Path, tmp_path: Path) -> None:
    """Headless Chromium, offline, renders dashboard.html to a non-blank screenshot with charts drawn."""
    from aso_rules.track import track

    t = track(settled, as_of=AS_OF, ruleset=ACME, enrollment=ENROLLMENT, simulations=500)
    _, html_path = t.write(tmp_path)
    shot = tmp_path / "shot.png"
    cmd = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
        "--window-size=1200,2400", "--virtual-time-budget=5000", f"--screenshot={shot}", html_path.as_uri(),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
    dom = subprocess.run(
        [*cmd[:-2], "--dump-dom", html_path.as_uri()], check=True, capture_output=True, timeout=120, text=True
    ).stdout
    assert dom.count("main-svg") >= 4  # plotly drew the charts without the network
