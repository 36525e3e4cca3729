"""The house style of the HTML pages (pricing report, renewal exhibit, tracking dashboard, ledger
statement): one stylesheet and the small pieces every page is built from.

Pure strings, no plotly: a page without charts needs no extra. Every text is HTML-escaped.
"""

from __future__ import annotations

import html
from decimal import Decimal

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 2rem auto;
       max-width: 1080px; color: #1d2733; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.sub { color: #5a6675; margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: .8rem; }
.card { border: 1px solid #d6dde5; border-radius: 8px; padding: .8rem 1rem; }
.card .v { font-size: 1.35rem; font-weight: 600; } .card .l { color: #5a6675; font-size: .85rem; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .3rem .8rem; text-align: right; }
th { border-bottom: 2px solid #1d2733; } td:first-child, th:first-child { text-align: left; }
tr:nth-child(even) td { background: #f4f6f8; }
table.text td, table.text th { text-align: left; } .note { color: #5a6675; font-size: .85rem; }
"""


def usd(value: str | Decimal | float | None) -> str:
    """``$1,234.50``; ``n/a`` for None."""
    if value is None:
        return "n/a"
    return f"${Decimal(str(value)):,.2f}"


def esc(text: object) -> str:
    return html.escape(str(text))


def card(label: str, value: str) -> str:
    """One headline figure: the value large, its label below."""
    return f'<div class="card"><div class="v">{esc(value)}</div><div class="l">{esc(label)}</div></div>'


def table(head: list[str], rows: list[list[str]], css: str = "") -> str:
    """A table of escaped cells; ``css`` is its class (``text``: every column left-aligned)."""
    h = "".join(f"<th>{esc(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"
