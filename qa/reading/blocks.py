"""What readers return: a report as blocks in reading order, text lines and tables.

Readers know file formats; they do not decide what is a heading or a passage.
A table keeps its caption, header rows and cells, so each body row can become
a searchable unit that names its row and column headers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A table as read from a report, merged cells already expanded (repeated in every cell they span)."""

    caption: str  # the nearest title line above it, e.g. "二、收到和处理政府信息公开申请情况"; "" when none
    header: tuple[tuple[str, ...], ...]  # header rows, top first, each as wide as the table
    rows: tuple[tuple[str, ...], ...]  # body rows, each as wide as the table; the first cell(s) name the row
    unit: str = ""  # stated in caption or header ("单位：件" -> "件", "（亿元）" -> "亿元"); "" when none
    row_header_columns: int = 1  # how many leading columns name the row rather than hold values
    unit_column: int | None = None  # a row-header column holding each row's unit ("计量单位"), if any

    @property
    def width(self) -> int:
        """Number of columns."""
        return max((len(row) for row in self.header + self.rows), default=0)

    def row_label(self, index: int) -> str:
        """The row's name: its row-header cells, repeats from merged cells and the unit column dropped."""
        parts: list[str] = []
        for column, cell in enumerate(self.rows[index][: self.row_header_columns]):
            if column != self.unit_column and cell and cell not in parts:
                parts.append(cell)
        return " ".join(parts)

    def row_unit(self, index: int) -> str:
        """The unit of a body row: its unit-column cell, else the table's unit."""
        if self.unit_column is not None and self.rows[index][self.unit_column]:
            return self.rows[index][self.unit_column]
        return self.unit

    @property
    def columns(self) -> list[str]:
        """One label per column: its header cells top-down, repeats from merged cells dropped."""
        labels = []
        for column in range(len(self.header[0]) if self.header else 0):
            parts: list[str] = []
            for row in self.header:
                cell = row[column].strip() if column < len(row) else ""
                if cell and cell not in parts:
                    parts.append(cell)
            labels.append(" ".join(parts))
        return labels


Block = str | Table  # a line of text (a paragraph or a heading) or a table
