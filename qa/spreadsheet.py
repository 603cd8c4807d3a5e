"""CSV that a spreadsheet opens as data: the exports of `qa figures --csv`, the figures table and `qa feedback --csv`.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and LibreOffice
(`=HYPERLINK(…)` from a report or a question would run when the file is opened): such cells get a leading `'`,
as OWASP recommends (CSV injection), so they show as the text they are.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """`value` as a cell a spreadsheet shows as text: a string starting like a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict], fields: list[str]) -> str:
    """`rows` as CSV text with a header row of `fields`, every cell made inert."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()
