"""What reading a report gives: the cleaned `Document`, or an `UnreadableError` saying why not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """A report as read from the corpus: cleaned text plus metadata."""

    source: str  # path relative to the corpus folder, with forward slashes
    title: str
    text: str  # cleaned text, paragraphs separated by newlines; a table row is one line
    publisher: str = ""
    published: str = ""
    region: str = ""  # the place the report is about, e.g. 红桥区, 江西省, 全国
    year: str = ""  # the year it is about, e.g. 2022
    places: tuple[str, ...] = ()  # the region and its parents: ("红桥区", "天津市")
    years: tuple[str, ...] = ()  # every year its title and headings name ("2024年工作回顾", "2025年…安排")
    url: str = ""  # where the report was published, when the capture says
    tables: tuple[dict, ...] = ()  # {"caption", "unit", "columns", "rows", "start", "end"}: where each table stands

    def table_at(self, position: int) -> dict | None:
        """The table whose lines hold the character at `position`, or None in running text."""
        return next((t for t in self.tables if t["start"] <= position <= t["end"]), None)


class UnreadableError(ValueError):
    """A file that is not a readable report; the message says why and, where it can, the fix."""
