"""Tables as tables: Word, PDF, web-page and pipe-text tables read into `Table` blocks in reading order.

Every format reader turns its tables into a grid of strings with merged cells
repeated in every cell they span; `make_table` then decides header rows, row
headers, caption and unit the same way for all formats, and stacks a table laid
out twice side by side into one. A grid that is only layout (one row or one
column) comes back as text lines.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

from qa.reading.blocks import Block, Table
from qa.reading.passages import APPENDIX

__all__ = [
    "make_table",
    "grid_blocks",
    "continue_tables",
    "find_caption",
    "clean_cell",
    "clean_line",
    "unspace",
    "read_docx",
    "docx_table_grid",
    "read_pdf",
    "PDF_TABLE_SETTINGS",
    "html_table_grid",
    "split_pipe_tables",
    "CELL_BREAK",
    "mark_cell_breaks",
    "tab_rows",
    "is_layout",
    "unruled_tables",
]

_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# PDF and Word-made HTML put spaces around Latin letters and digits in Chinese ("维持 13 宗"); Chinese has none.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+|[ \t\u00a0]+(?=[{_CJK}])")
_PERCENT_SPACE = re.compile(r"(?<=\d)[ \t]+(?=[%‰])")
_SENTENCE_END = "。！？；!?;"
# A cell that holds a value: a number, maybe signed, with thousands separators or a percent sign, maybe
# after a direction word ("增长5.0％") or before a short unit ("12万箱"); not a date or an ordinal.
_NUMBER = re.compile(
    r"(?:约|达|增长|下降|增加|减少|提高|降低|同比增长|同比下降)?[+\-−±]?\d[\d,，]*(?:\.\d+)?\s*[%％‰]?"
    r"(?:(?![年月日号季度项条])[\u4e00-\u9fff]{1,2})?"
)
# Placeholders tables put where a value is missing; they sit in value columns.
_PLACEHOLDER = {"—", "——", "-", "--", "－", "/", "…", "...", "*", "×"}
# A year heads a column ("2023年", "2024"), it is not a value in a header row.
_YEAR = re.compile(r"(?:19|20)\d\d(?:年度?)?")
_UNIT_LINE = re.compile(r"[（(]?\s*(?:计量)?单位\s*[：:]\s*([^（）()，,。\s]{1,8})\s*[）)]?")
_UNIT_PAREN = re.compile(r"[（(]\s*(?:(?:计量)?单位\s*[：:]\s*)?([^（）()，,。、\d\s]{1,6})\s*[）)]")
_UNIT_HEADER = re.compile(r"(?:计量|计算)?单位")
_UNIT_ROW = re.compile(r"^\s*(?:计量|计算)?单位\s*[:：]")  # "单位：万元" alone in a row
_NUMERALS = set("一二三四五六七八九十")
_NOT_UNIT = set("按的和及含不为等与是")  # words that make a parenthesis a remark, not a unit
_TITLE_MAX = 40  # a caption is a short line; longer lines are paragraphs
_CAPTION_LOOKBACK = 3  # non-blank lines above a table searched for its caption
_LAYOUT_CELL = 300  # a cell longer than this holds page layout, not a table's cell
_TITLE_SPAN = 0.8  # a title row's merged cell spans this share of the grid at least
_FRAGMENT_MAX = 20  # a line this short without a sentence end may be a cell torn out of a converted table


def clean_cell(text: str | None) -> str:
    """A cell's text on one line: lines joined (no space between Chinese), spaces collapsed."""
    if not text:
        return ""
    text = re.sub(r"[\s\u00a0\u3000]+", " ", text.replace("\u200b", "")).strip()
    return _PERCENT_SPACE.sub("", _CJK_SPACE.sub("", text))


def unspace(line: str) -> str:
    """Drop the spaces that layout put between Chinese characters and numbers, for every reader."""
    return _CJK_SPACE.sub("", line).strip()


def clean_line(line: str) -> str:
    """A text line with the spaces PDF layout puts around numbers in Chinese removed."""
    return _PERCENT_SPACE.sub("", _CJK_SPACE.sub("", line.replace("\u00a0", " "))).strip()


def _is_value(cell: str) -> bool:
    return bool(_NUMBER.fullmatch(cell)) or cell in _PLACEHOLDER


def _value_share(cells: list[str], *, header: bool = False) -> float:
    """Share of the non-empty cells that hold values (years count as labels when judging a header)."""
    filled = [c for c in cells if c]
    if not filled:
        return 0.0
    values = [c for c in filled if _is_value(c) and not (header and _YEAR.fullmatch(c))]
    return len(values) / len(filled)


def _unit_of(text: str) -> str:
    """The unit a caption, header cell or note states: "单位：件" -> "件", "……（亿元）" -> "亿元"."""
    text = text.strip()
    match = _UNIT_LINE.search(text)
    if match:
        return match.group(1)
    match = _UNIT_PAREN.search(text)
    # "（一）" numbers an item and "（按当年价）" qualifies it; a unit in parentheses closes the text.
    if match and text.endswith(match.group(0)) and not set(match.group(1)) <= _NUMERALS:
        if not set(match.group(1)) & _NOT_UNIT:
            return match.group(1)
    return ""


def _title_like(line: str) -> bool:
    line = line.strip()
    return (
        0 < len(line) <= _TITLE_MAX
        and not any(mark in line for mark in _SENTENCE_END + "。")
        and _value_share(line.split()) < 0.5
        and not (line.startswith("|") or line.count("|") >= 2)
    )


def _strip_markup(line: str) -> str:
    """A Markdown heading or bold line without its marks."""
    return line.strip().lstrip("#").strip().strip("*").strip()


def find_caption(before: list[str]) -> tuple[str, str]:
    """(caption, unit) from the lines just above a table: the nearest short title line, and a unit line."""
    caption, unit = "", ""
    seen = 0
    for line in reversed(before):
        text = _strip_markup(line)
        if not text:
            continue
        if not re.search(rf"[A-Za-z{_CJK}]", text):
            continue  # a page number ("- 3 -") between a caption and its table on the next page
        seen += 1
        if seen > _CAPTION_LOOKBACK:
            break
        if not caption and (_UNIT_LINE.fullmatch(text) or _UNIT_PAREN.fullmatch(text)):
            # A line that only states the unit ("单位：件", "（亿元）") sits between caption and table.
            unit = unit or _unit_of(text)
            continue
        if _title_like(text):
            caption = text
            break
        if any(mark in text for mark in _SENTENCE_END + "。"):
            break  # a paragraph: whatever is above it captions something else
    return caption, unit or _unit_of(caption)


def _rectangular(grid: list[list[Any]]) -> list[list[str]]:
    width = max((len(row) for row in grid), default=0)
    return [[clean_cell(c) for c in row] + [""] * (width - len(row)) for row in grid]


def _drop_empty(grid: list[list[str]]) -> list[list[str]]:
    grid = [row for row in grid if any(row)]
    keep = [c for c in range(len(grid[0]) if grid else 0) if any(row[c] for row in grid)]
    return [[row[c] for c in keep] for row in grid]


def _drop_repeated_columns(grid: list[list[str]]) -> list[list[str]]:
    """Columns that repeat their left neighbour in every row: a merged cell spanning the whole table
    part, so the copies say nothing new (a two-column row "事项 | 12" under a four-column header)."""
    def repeats(c: int) -> bool:
        # Equal values side by side are common ("0 | 0"); a repeated label over a repeated value shows a
        # merge. Repeated row headers stay: the table keeps its width, and `row_label` drops the repeats.
        same = all(row[c] == row[c - 1] for row in grid)
        return same and any(_is_value(row[c]) for row in grid) and any(row[c] and not _is_value(row[c]) for row in grid)

    keep = [c for c in range(len(grid[0]) if grid else 0) if c == 0 or not repeats(c)]
    return [[row[c] for c in keep] for row in grid]


def _fill_group_labels(header: list[list[str]]) -> list[list[str]]:
    """An empty header cell over a merged label that runs on under a group label belongs to that group:
    "行政诉讼" drawn over only part of the "未经复议直接起诉" it heads."""
    header = [list(row) for row in header]
    for r in range(len(header) - 2, -1, -1):
        upper, lower = header[r], header[r + 1]
        for c, cell in enumerate(upper):
            if cell or not lower[c]:
                continue
            start, end = c, c
            while start > 0 and lower[start - 1] == lower[c]:
                start -= 1
            while end + 1 < len(lower) and lower[end + 1] == lower[c]:
                end += 1
            groups = {upper[j] for j in range(start, end + 1) if upper[j]}
            if len(groups) == 1:
                upper[c] = groups.pop()
    return header


def _header_rows(grid: list[list[str]]) -> int:
    """Leading rows whose cells are mostly labels; a table of labels only has one header row."""
    count = 0
    for row in grid:
        # A merged label counts once: "本年收入合计" over five grid columns beside four values is a row of values.
        if _value_share([c for i, c in enumerate(row) if i == 0 or c != row[i - 1]], header=True) >= 0.5:
            break
        count += 1
    return 1 if count >= len(grid) else count


def _row_header_columns(body: list[list[str]], width: int) -> int:
    """Leading columns whose body cells are mostly labels; they name the row. A first column that
    numbers the rows 1, 2, 3 … ("序号") is part of the row's name, not a value."""
    numbers = [row[0] for row in body if row[0]]
    count = 1 if len(numbers) > 1 and numbers == [str(i) for i in range(1, len(numbers) + 1)] else 0
    for column in range(count, width):
        if _value_share([row[column] for row in body]) >= 0.5:
            break
        count += 1
    # A table of labels only (no value column) is named by its first column.
    return 1 if count >= width else count


def _label_key(label: str) -> str:
    """A column label as compared across groups: spaces and a closing unit in brackets ("（%）") dropped."""
    return re.sub(r"\([^()]*\)$", "", unicodedata.normalize("NFKC", re.sub(r"\s", "", label)))


def _group_width(labels: list[str], body: list[list[str]]) -> int:
    """The width of the column group a side-by-side table repeats ("行业 | 增长 | 行业 | 增长"), or 0.

    Each group has the same labels and at least one column of names in its body: the groups are
    records laid out side by side, not columns of one record. A header repeating only one label
    ("2024年 | 2025年") or labels that differ by what heads them ("复议 结果维持 | 诉讼 结果维持") is no group.
    """
    keys = [_label_key(label) for label in labels]
    names = [[row[c] for row in body if row[c]] for c in range(len(keys))]
    for width in range(2, len(keys) // 2 + 1):
        groups = [keys[start:start + width] for start in range(0, len(keys), width)]
        if len(keys) % width or any(group != groups[0] for group in groups) or len(set(groups[0]) - {""}) < 2:
            continue
        # Years name rows in a table of years; a group of values only says the header was taken from the wrong row.
        if all(any(column and _value_share(column, header=True) < 0.5 for column in names[start:start + width])
               for start in range(0, len(keys), width)):
            return width
    return 0


def _stack_groups(header: list[list[str]], body: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """A side-by-side table as one table: the rows of each column group under the rows of the group to its
    left, each record a row of its own; an empty record (the right half of the last row) is dropped."""
    width = _group_width(Table("", tuple(map(tuple, header)), ()).columns, body)
    if not width:
        return header, body
    starts = range(0, len(header[0]), width)
    stacked = [row[start:start + width] for start in starts for row in body]
    return [row[:width] for row in header], [row for row in stacked if any(row)]


def make_table(
    grid: list[list[Any]], *, before: list[str], header_rows: int | None = None, merged: bool = True
) -> Table | None:
    """A `Table` from a grid of cells (merged cells repeated), or None for a layout table.

    `before` holds the lines just above the table, for its caption and unit;
    `header_rows`, when the format marks them (a Markdown separator line), overrides the guess;
    `merged=False` says the format has no merged cells (pipe text), so equal neighbours are kept.
    """
    grid = _drop_empty(_rectangular(grid))
    if merged:
        grid = _drop_repeated_columns(grid)
    if len(grid) < 2 or len(grid[0]) < 2:
        return None  # one row or one column: layout, not a table
    if is_layout(grid):
        return None
    width = len(grid[0])
    heads = _header_rows(grid) if header_rows is None else max(0, min(header_rows, len(grid) - 1))
    header, body = grid[:heads], grid[heads:]
    caption, unit = find_caption(before)
    # A header row stating only the unit ("单位:万元" over the last columns) is the table's unit, not a label.
    only_unit = [len(set(filter(None, row))) == 1 and bool(_UNIT_ROW.match(next(filter(None, row)))) for row in header]
    if len(header) > 1 and any(only_unit):
        unit = unit or _unit_of(next(filter(None, header[only_unit.index(True)])))
        header = [row for row, dropped in zip(header, only_unit) if not dropped]
    if merged:
        header = _fill_group_labels(header)
    header, body = _stack_groups(header, body)
    width = len(header[0]) if header else width
    row_heads = _row_header_columns(body, width)
    labels = Table(caption, tuple(map(tuple, header)), ()).columns
    if not unit:
        # One unit stated over every value column is the table's unit ("本年收费金额（单位：万元）").
        stated = {_unit_of(label) for label in labels[row_heads:]}
        if len(stated) == 1 and "" not in stated:
            unit = stated.pop()
    if not unit and body and len({c for c in body[0] if c}) == 1 and _unit_of(body[0][0]):
        unit, body = _unit_of(body[0][0]), body[1:]  # a first row that only states the unit
    # "计量单位" heads a unit column; "单位名称" or "预算单位" name organisations.
    unit_column = next((c for c in range(min(row_heads, len(labels))) if _UNIT_HEADER.fullmatch(labels[c])), None)
    return Table(
        caption=caption,
        header=tuple(map(tuple, header)),
        rows=tuple(map(tuple, body)),
        unit=unit,
        row_header_columns=row_heads,
        unit_column=unit_column,
    )


def is_layout(grid: list[list[str]]) -> bool:
    """A cell holding a whole article: a page laid out with a table, not a table of figures."""
    return any(len(c) > _LAYOUT_CELL for row in grid for c in row)


def _layout_lines(grid: list[list[str]]) -> list[str]:
    """The text of a layout table: one line per row (one per cell for a single row), merged repeats dropped."""
    grid = _drop_empty(_rectangular(grid))
    if len(grid) == 1:
        return list(dict.fromkeys(c for c in grid[0] if c))
    return [" ".join(dict.fromkeys(c for c in row if c)) for row in grid]


def _full_width(row: list[str], *, least: float = 1.0) -> bool:
    """A row that one merged cell spans: a title or note inside the table, not a row of it. The cell may leave
    empty grid columns at the right, as long as it spans the share `least` of the row: above the table's first
    values any share ("附表1", then the caption over all but the last columns, as Word tables laid out as pages
    have); below them most of the row (Word's gridAfter when appendix tables share one grid), never a label over
    empty values."""
    spanned = len(row) - len(list(itertools.takewhile(lambda c: not c, reversed(row))))
    return len(row) > 1 and spanned >= max(2, least * len(row)) and bool(row[0]) \
        and all(c == row[0] for c in row[:spanned]) and not _is_value(row[0])


def grid_blocks(grid: list[list[Any]], *, before: list[str]) -> list[Block]:
    """Blocks for one grid: rows spanned by a single merged cell become text lines that split the
    grid into tables (they are titles such as "第二十条第（一）项"); layout grids become text lines."""
    rows = _drop_empty(_rectangular(grid))
    blocks: list[Block] = []
    context = list(before)
    part: list[list[str]] = []

    def flush() -> None:
        if not part:
            return
        table = make_table(part, before=context)
        found = [table] if table else _layout_lines(part)
        blocks.extend(found)
        context.extend(b for b in found if isinstance(b, str))
        part.clear()

    for row in rows:
        values_above = any(map(_is_value, itertools.chain(*part)))
        if APPENDIX.match(row[0]) and set(filter(None, row)) == {row[0]}:
            flush()  # "附表2" below the values of 附表1: the next table shares the grid
            blocks.append(row[0])
            context.append(row[0])
        elif _full_width(row) or values_above and _full_width(row, least=_TITLE_SPAN):
            flush()
            blocks.append(row[0])  # a title the whole grid's width ("第五项"): a line between the parts
            context.append(row[0])
        elif not values_above and _full_width(row, least=0):
            flush()
            if APPENDIX.match(row[0]):
                blocks.append(row[0])  # "附表1": an appendix begins, the body's last heading ends
            context.append(row[0])  # it and the caption over all but the last columns name the table below
        else:
            part.append(row)
    flush()
    return blocks


def _is_furniture(block: Block) -> bool:
    # A page number such as "- 3 -" has no letters; it may sit between a table and its continuation.
    return isinstance(block, str) and not re.search(rf"[A-Za-z{_CJK}]", block)


def _fragment(block: Block) -> bool:
    text = block.strip() if isinstance(block, str) else ""
    return len(text) <= _FRAGMENT_MAX and not any(mark in text for mark in _SENTENCE_END + "。")


def continue_tables(
    blocks: list[Block], *, fill_row_headers: bool = False, across_fragments: bool = False
) -> list[Block]:
    """Tables without a header that follow a table with as many value columns continue it: they take
    its caption, header and unit (a table that repeats the header takes the caption and unit). Only page numbers may stand between them, or with `across_fragments`
    also short lines that are not sentences (cells a conversion tore out of the table). With
    `fill_row_headers`, row-header cells a page break left empty at the top take the last row header
    above the break."""
    out: list[Block] = []
    origin: Table | None = None  # the part with the header
    last: Table | None = None  # the part just before
    for block in blocks:
        if isinstance(block, Table):
            values = block.width - block.row_header_columns
            if origin is not None and last is not None and block.header == origin.header:
                # The header printed again on the next page: the same table, which keeps its caption.
                block = replace(block, caption=origin.caption, unit=block.unit or origin.unit)
            elif origin is not None and last is not None and not block.header and values > 0 and (
                values == origin.width - origin.row_header_columns
            ):
                block = _continued(origin, last, block, fill_row_headers=fill_row_headers)
            else:
                origin = block if block.header else None
            last = block
        elif not (_is_furniture(block) or (across_fragments and _fragment(block))):
            origin = last = None
        out.append(block)
    return out


def _continued(origin: Table, last: Table, table: Table, *, fill_row_headers: bool) -> Table:
    heads = table.row_header_columns
    values = table.width - heads
    # Row-header part of the header from the first part (as many columns as this one has), then its value part.
    header = tuple(row[:heads] + row[len(row) - values:] for row in origin.header)
    rows = [list(row) for row in table.rows]
    if fill_row_headers and heads == last.row_header_columns and last.rows:
        above = last.rows[-1]
        for column in range(heads):
            for row in rows:
                if row[column]:
                    break
                row[column] = above[column]
    return replace(
        table,
        caption=origin.caption,  # the same table: a line just above the continuation is not its title
        header=header,
        rows=tuple(map(tuple, rows)),
        unit=table.unit or origin.unit,
        unit_column=origin.unit_column if heads == origin.row_header_columns else table.unit_column,
    )


# ---------------------------------------------------------------- .docx


def _docx_cell_text(tc: Any) -> str:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    return "\n".join(Paragraph(p, None).text for p in tc.iter(qn("w:p")))


def docx_table_grid(tbl: Any) -> list[list[str]]:
    """A Word table (`w:tbl` element) as a grid, gridSpan and vMerge expanded into every cell they cover."""
    from docx.oxml.ns import qn

    grid: list[list[str]] = []
    for tr in tbl.iterchildren(qn("w:tr")):
        row: list[str] = []
        pr = tr.find(qn("w:trPr"))
        before = pr.find(qn("w:gridBefore")) if pr is not None else None
        if before is not None:
            row += [""] * int(before.get(qn("w:val"), "0"))  # grid columns this row skips
        for tc in tr.iterchildren(qn("w:tc"), qn("w:sdt")):
            cells = [tc] if tc.tag == qn("w:tc") else list(tc.iter(qn("w:tc")))
            for cell in cells:
                props = cell.find(qn("w:tcPr"))
                span_el = props.find(qn("w:gridSpan")) if props is not None else None
                merge = props.find(qn("w:vMerge")) if props is not None else None
                span = int(span_el.get(qn("w:val"), "1")) if span_el is not None else 1
                start = len(row)
                if merge is not None and merge.get(qn("w:val"), "continue") == "continue" and grid:
                    # A vertical merge continues the cell above: repeat its text.
                    above = grid[-1]
                    text = above[start] if start < len(above) else ""
                else:
                    text = _docx_cell_text(cell)
                row += [text] * span
        grid.append(row)
    return grid


def read_docx(path: str | Path) -> list[Block]:
    """A .docx file as blocks in body order: paragraphs as lines, tables as `Table` (merged cells expanded)."""
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    blocks: list[Block] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                blocks.append(Paragraph(child, document).text.strip())
            elif child.tag == qn("w:tbl"):
                blocks.extend(grid_blocks(docx_table_grid(child), before=_lines_since_table(blocks)))
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
                walk(child)  # content controls wrap ordinary paragraphs and tables

    walk(document.element.body)
    return [b for b in blocks if not isinstance(b, str) or b]


# ---------------------------------------------------------------- PDF

# Measured on real reports: the "lines" strategy finds ruled tables exactly once invisible rectangles are
# ignored; "text" cuts prose into columns. Word-made PDFs put a white, unstroked rectangle behind every
# text line, which "lines" would take for a one-column table around the whole page.
PDF_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def _white(color: Any) -> bool:
    if color is None:
        return False  # no colour set: PDF fills black
    values = tuple(color) if isinstance(color, (list, tuple)) else (color,)
    if not all(isinstance(v, (int, float)) for v in values):
        return False  # a pattern: something is drawn
    if len(values) == 4:  # CMYK
        return all(v == 0 for v in values)
    return all(v == 1 for v in values)


def _visible(obj: dict) -> bool:
    """False for rectangles nobody sees: not stroked, and not filled or filled white."""
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    return bool(obj.get("fill")) and not _white(obj.get("non_stroking_color"))


def _key(obj: dict) -> tuple:
    return obj.get("object_type"), round(obj.get("x0", 0), 2), round(obj.get("top", 0), 2), obj.get("text")


def _footnote_marks(chars: list[dict]) -> set[tuple]:
    """Footnote marks: digits set small and raised right after larger text ("常住人口¹1761.48万人"). Read inline
    they would join the figure after them (11761.48)."""
    marks = set()
    for before, char in zip(chars, chars[1:]):
        # Never after a letter or a digit: the raised 2 of "m²" is part of the unit. After "‰" or Chinese it marks.
        if char["text"].isdigit() and not before["text"].isdigit() and not before["text"].isascii() \
                and char["size"] < 0.75 * before["size"] and char["bottom"] < before["bottom"] - 0.1 * before["size"]:
            marks.add(_key(char))
    return marks


def _pdf_table_grid(table: Any) -> list[list[str]]:
    """A pdfplumber table as a grid, each cell's text repeated over every row and column it spans."""
    rows = table.rows
    texts = table.extract()
    xs = sorted({round(cell[0], 1) for row in rows for cell in row.cells if cell})
    ys = [round(row.bbox[1], 1) for row in rows]
    grid = [["" for _ in xs] for _ in ys]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row.cells):
            if cell is None:
                continue
            x0, top, x1, bottom = cell
            text = texts[r][c] or ""
            columns = [i for i, x in enumerate(xs) if x0 - 1 <= x < x1 - 1] or [c]
            spanned = [i for i, y in enumerate(ys) if top - 1 <= y < bottom - 1] or [r]
            for i in spanned:
                for j in columns:
                    grid[i][j] = text
    return grid


def _outer_columns(page: Any, tables: list[Any]) -> list[dict]:
    """The borders of a table's outer columns when no line draws them (tables ruled only between columns, or
    bordered by cell backgrounds): the words beside a table, on its rows, stand in columns the lines missed.
    Each border is a line as tall as its table, so nothing above or below joins it."""
    words = page.extract_words() if tables else []
    edges: list[dict] = []
    for table in tables:
        x0, top, x1, bottom = table.bbox
        beside = [w for w in words if top < (w["top"] + w["bottom"]) / 2 < bottom and (w["x1"] <= x0 or w["x0"] >= x1)]
        left = [w["x0"] - 1 for w in beside if w["x1"] <= x0]
        right = [w["x1"] + 1 for w in beside if w["x0"] >= x1]
        for x in ([min(left)] if left else []) + ([max(right)] if right else []):
            edges.append({"object_type": "line", "x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0,
                          "height": bottom - top, "doctop": page.initial_doctop + top})
    return edges


def read_pdf(path: str | Path) -> list[list[Block]]:
    """A PDF as one block list per page: text lines outside tables as the page has them, tables as `Table`.

    Spaces PDF layout puts around numbers in Chinese are removed; a table continued on the next page
    takes the caption, header and row headers of its first part.
    """
    import pdfplumber

    pages: list[list[Block]] = []
    read: list[Block] = []  # every block so far, across pages: a caption may end the page before
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            marks = _footnote_marks(page.chars)
            visible = page.filter(lambda obj: _visible(obj) and _key(obj) not in marks)
            tables = visible.find_tables(PDF_TABLE_SETTINGS)
            outer = _outer_columns(visible, tables)
            if outer:
                tables = visible.find_tables({**PDF_TABLE_SETTINGS, "explicit_vertical_lines": outer})
            # Cells, not table boxes: text in a table's box but in none of its cells stays a line.
            boxes = [cell for t in tables for cell in t.cells]

            def inside(line: dict) -> bool:
                x, y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
                return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

            items: list[tuple[float, int, Any]] = [
                (line["top"], 0, line["text"]) for line in visible.extract_text_lines() if not inside(line)
            ]
            items += [(t.bbox[1], 1, t) for t in tables]
            blocks: list[Block] = []
            ordered = sorted(items, key=lambda i: (i[0], i[1]))
            for ruled, run in itertools.groupby(ordered, key=lambda i: i[1]):
                if ruled:
                    for _, _, table in run:
                        found = grid_blocks(_pdf_table_grid(table), before=_lines_since_table(read))
                        blocks += found
                        read += found
                    continue
                # Lines as printed, spaces kept: a table without rules is told by the gaps between its cells.
                found = [b if isinstance(b, Table) else clean_line(b)
                         for b in unruled_tables([text for _, _, text in run], before=read)]
                blocks += [b for b in found if b]
                read += [b for b in found if b]
            pages.append(blocks)
    return _continue_pages(pages)


def _lines_since_table(blocks: list[Block]) -> list[str]:
    """The text lines after the last table, the nearest few: where a caption may be."""
    lines: list[str] = []
    for block in reversed(blocks):
        if isinstance(block, Table) or len(lines) >= _CAPTION_LOOKBACK * 2:
            break
        lines.append(block)
    return lines[::-1]


def _continue_pages(pages: list[list[Block]]) -> list[list[Block]]:
    """Join tables across page breaks, keeping each page's blocks on their page."""
    flat = [(p, b) for p, blocks in enumerate(pages) for b in blocks]
    joined = continue_tables([b for _, b in flat], fill_row_headers=True)
    out: list[list[Block]] = [[] for _ in pages]
    for (page, _), block in zip(flat, joined):
        out[page].append(block)
    return out


# ---------------------------------------------------------------- HTML

# Elements that end a line inside a cell; everything else (span, font, b, a, o:p …) is inline.
_HTML_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "dd", "dt"}


def _html_text(tag: Any) -> str:
    from bs4 import Comment, NavigableString, Tag

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if node.parent is not None and node.parent.name in ("script", "style"):
                continue
            parts.append(str(node))
        elif isinstance(node, Tag) and node.name in _HTML_BLOCKS:
            parts.append("\n")
    return "".join(parts)


def html_table_grid(tag: Any) -> list[list[str]]:
    """A BeautifulSoup `<table>` as a grid: rowspan/colspan repeated into every cell they cover,
    inline runs joined ("增长<span>9.3</span><span>％</span>" -> "增长9.3％"), whitespace collapsed."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}  # (row, column) filled by a rowspan from above
    rows = [tr for tr in tag.find_all("tr") if tr.find_parent("table") is tag]
    for r, tr in enumerate(rows):
        row: list[str] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, len(row)) in pending:
                row.append(pending.pop((r, len(row))))
            text = clean_cell(_html_text(cell))
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for _ in range(colspan):
                for below in range(1, rowspan):
                    pending[(r + below, len(row))] = text
                row.append(text)
        while (r, len(row)) in pending:
            row.append(pending.pop((r, len(row))))
        grid.append(row)
    width = max((len(row) for row in grid), default=0)
    return [row + [""] * (width - len(row)) for row in grid]


def _span(value: Any) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


# ---------------------------------------------------------------- pipe tables

_SEPARATOR = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?")


def _is_pipe_row(line: str) -> bool:
    text = line.strip().replace("｜", "|")
    return (text.startswith("|") and len(text) > 1) or text.count("|") >= 2


def _pipe_cells(line: str) -> list[str]:
    text = line.strip().replace("｜", "|").replace("\\|", "\u0000")
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [clean_cell(c.replace("\u0000", "|")) for c in text.split("|")]


def _align_pipe_rows(rows: list[list[str]]) -> list[list[str]]:
    """Rows of unequal width lined up: labels from the left, values from the right.

    Text converted from PDF drops cells, so a row's values would otherwise slide under the wrong
    column. A gap between a row's labels and its values repeats its last label, as a merged row
    header would; trailing empty cells count as values only as far as the value columns reach.
    """
    split: list[tuple[list[str], list[str]] | None] = []
    for row in rows:
        if _value_share(row, header=True) == 0:
            split.append(None)  # a header row: no values to line up
            continue
        labels = 0
        while labels < len(row) and row[labels] and not _is_value(row[labels]):
            labels += 1
        split.append((row[:labels], row[labels:]))
    parts = [s for s in split if s]
    if not parts:
        return rows
    value_columns = max(len(_rstrip_empty(v)) for _, v in parts)
    for labels, values in parts:
        while values and not values[-1] and len(values) > value_columns:
            values.pop()
    value_columns = max(len(v) for _, v in parts)
    label_columns = max(len(lab) for lab, _ in parts)
    header_width = max((len(_rstrip_empty(r)) for r, part in zip(rows, split) if part is None), default=0)
    width = max(label_columns + value_columns, header_width)
    aligned: list[list[str]] = []
    for row, part in zip(rows, split):
        if part is None:
            aligned.append(_rstrip_empty(row))
            continue
        labels, values = part
        gap = width - len(labels) - len(values)
        if gap < 0:
            aligned.append(row)
            continue
        fill_labels = max(0, min(gap, label_columns - len(labels)))
        filler = [labels[-1] if labels else ""] * fill_labels + [""] * (gap - fill_labels)
        aligned.append(labels + filler + values)
    return [row + [""] * (width - len(row)) for row in aligned]


def _rstrip_empty(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _join_torn_header(rows: list[list[str]], heads: int) -> tuple[list[list[str]], int]:
    """Header rows that a conversion tore apart ("商业企" over "业") joined column by column.

    A lower header row is a torn continuation when each of its filled cells sits under a filled cell;
    a real second header level has labels under empty cells (the row above puts one group label over
    several columns, and a pipe table cannot merge cells).
    """
    index = 1
    while index < heads:
        upper, lower = rows[index - 1], rows[index]
        filled_upper = {c for c, cell in enumerate(upper) if cell}
        filled_lower = {c for c, cell in enumerate(lower) if cell}
        if filled_lower and filled_lower <= filled_upper:
            rows[index - 1] = [a + b for a, b in zip(upper, lower)]
            del rows[index]
            heads -= 1
        else:
            index += 1
    return rows, heads


def _pipe_table(lines: list[str], *, before: list[str]) -> list[Block]:
    rows: list[list[str]] = []
    separator_after: int | None = None
    for line in lines:
        if _SEPARATOR.fullmatch(line.strip()):
            if separator_after is None and rows:
                separator_after = len(rows)
            continue
        rows.append(_pipe_cells(line))
    rows = _drop_empty(_rectangular(_align_pipe_rows([r for r in rows if any(r)]) if rows else []))
    if not rows:
        return []
    heads = _header_rows(rows)
    # A Markdown separator marks the header, unless it sits under a row of values (converted PDFs put
    # one under whatever row starts each fragment).
    if separator_after is not None and separator_after < len(rows):
        if all(_value_share(r, header=True) < 0.5 for r in rows[:separator_after]):
            heads = max(heads, separator_after)
    rows, heads = _join_torn_header(rows, heads)
    table = make_table(rows, before=before, header_rows=heads, merged=False)
    if table is None:
        return [" ".join(c for c in row if c) for row in rows]
    return [table]


# ---------------------------------------------------------------- tab-separated rows

CELL_BREAK = "\u2062"  # stands for a tab between two cells of a line until its table is read
_TAB_BETWEEN = re.compile(r"(?<=\S)[ \u00a0\u3000]*\t[\t \u00a0\u3000]*(?=\S)")


def mark_cell_breaks(text: str) -> str:
    """`text` with each tab between two words marked as a cell break; tabs that indent a line are not."""
    return _TAB_BETWEEN.sub(CELL_BREAK, text)


def _continues_cell(lines: list[str], i: int) -> bool:
    """A short line between two tab rows: a header cell broken over lines ("比上年增长" / "（%）")."""
    return 0 < i < len(lines) - 1 and CELL_BREAK not in lines[i] and _fragment(lines[i]) \
        and CELL_BREAK in lines[i - 1] and CELL_BREAK in lines[i + 1]


def _continues_header(row: str, line: str) -> bool:
    """A tab row opening with the unit of the header cell above it ("比上年增长", then "（%）", 行业, …): the
    header row goes on, its last cell broken over the line."""
    first = line.strip().split(CELL_BREAK)[0].strip()
    return CELL_BREAK in row and CELL_BREAK in line and bool(_UNIT_PAREN.fullmatch(first) and _unit_of(first)) \
        and _value_share([c.strip() for c in row.split(CELL_BREAK)], header=True) == 0


def tab_rows(lines: list[str]) -> list[str]:
    """Lines whose cells tabs separate (a table typed or pasted with tabs, as saved pages and text files hold
    it) written as `|` rows, for `split_pipe_tables`; other lines unchanged."""
    rows: list[str] = []
    for i, line in enumerate(lines):
        if rows and (_continues_cell(lines, i) or _continues_header(rows[-1], line)):
            rows[-1] += line.strip()  # the last cell of the row above goes on
        else:
            rows.append(line)
    return [f"|{line.replace(CELL_BREAK, '|')}|" if CELL_BREAK in line else line for line in rows]


def split_pipe_tables(lines: list[str]) -> list[Block]:
    """Lines with Markdown pipe tables (with or without `|---|` lines) and `|`-separated text tables
    turned into `Table` blocks; other lines pass through. A headerless table right after another with
    as many value columns continues it (converters split a table at every page)."""
    blocks: list[Block] = []
    run: list[str] = []
    passed: list[str] = []  # the lines above the current run, for its caption

    def flush() -> None:
        if run:
            blocks.extend(_pipe_table(run, before=passed[-_CAPTION_LOOKBACK * 2:]))
            run.clear()
            passed.clear()  # lines above an earlier table do not caption the next one

    # A line with a single "|" is a row of a two-column text table only beside another row.
    single = [line.replace("｜", "|").count("|") == 1 for line in lines]
    rows = [
        _is_pipe_row(line)
        or (single[i] and ((i > 0 and single[i - 1]) or (i + 1 < len(lines) and single[i + 1])))
        for i, line in enumerate(lines)
    ]
    for line, is_row in zip(lines, rows):
        if is_row or (run and _SEPARATOR.fullmatch(line.strip())):
            run.append(line)
            continue
        flush()
        blocks.append(line)
        passed.append(line)
    flush()
    return continue_tables(blocks, across_fragments=True)


# ---------------------------------------------------------------- unruled tables

# A table printed without rules reaches us as lines whose cells only the layout's spaces part:
# "福田区 124.88 60.48 64.40 93.91" under "户籍人口 男性 女性 户籍人口性别比". Read before the spaces next to
# Chinese are dropped ("户籍人口男性女性…" no longer splits).
_GAP = re.compile(r"[ \u00a0\u3000]+")
_PLAIN_NUMBER = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?[%％‰]?")  # a figure alone, no unit or direction word
_UNIT_WORD = re.compile(r"[（(][^（）()]{1,12}[）)]")  # "（万人）", "(人)", "（女=100）"
_PROSE = re.compile(r"[，,。；;！？!?]")  # marks of a sentence: no cell of a table holds one
_CAPTION_START = re.compile(r"(?:附?表|图)\s*[\d一二三四五六七八九十]")
_CELL_MAX = 20  # characters in a label or header cell
_HEADER_LINES = 4  # header lines above a table's rows, units and a corner label among them
_UNRULED_ROWS = 2  # rows a table needs, unless it repeats the header of the table before (next page)


def _words(line: str) -> list[str]:
    return [w for w in _GAP.split(line.strip()) if w]


def _plain_value(word: str) -> bool:
    return bool(_PLAIN_NUMBER.fullmatch(word)) or word in _PLACEHOLDER


def _label_word(text: str) -> bool:
    """A row label or header cell: short, with letters, no sentence marks, not a figure."""
    text = clean_cell(text)
    return 0 < len(text) <= _CELL_MAX and not _PROSE.search(text) and bool(re.search(rf"[A-Za-z{_CJK}]", text)) \
        and not _CAPTION_START.match(text)


def _unruled_row(line: str) -> tuple[str, list[str]] | None:
    """(label, values) for a line that is a label and two or more values, else None. A sentence is no row:
    its label would hold a comma or run long, and a unit or a full stop follows its last figure."""
    if "\t" in line or "|" in line:
        return None  # tab and pipe tables are read as such
    words = _words(line)
    start = len(words)
    while start and _plain_value(words[start - 1]):
        start -= 1
    label, values = " ".join(words[:start]), words[start:]
    if len(values) < 2 or not any(_PLAIN_NUMBER.fullmatch(v) for v in values) or not _label_word(label):
        return None
    if any(_plain_value(w) for w in words[1:start]):
        return None  # a figure inside the label ("全年出生人口 12.36 万人"): a sentence's words; "2021 年" may lead
    return clean_cell(label), values


def _header_cells(line: str) -> list[str] | None:
    """The cells of a header line: two or more labels, units or years, no figure and no sentence."""
    words = _words(line)
    if len(words) < 2 or "\t" in line or "|" in line or _CAPTION_START.match(line.strip()):
        return None
    if all(_YEAR.fullmatch(w) or _label_word(w) for w in words):
        return [clean_cell(w) for w in words]
    return None


def _values_line(line: str) -> list[str] | None:
    """A line of figures only (the figures of a table printed sideways, their label on the line above)."""
    words = _words(line)
    if len(words) >= 2 and all(_plain_value(w) for w in words) and any(_PLAIN_NUMBER.fullmatch(w) for w in words):
        return words
    return None


def _single_label(line: str) -> str | None:
    words = _words(line)
    return clean_cell(words[0]) if len(words) == 1 and _label_word(words[0]) else None


def _header_above(lines: list[str], first: int, values: int, floor: int) -> tuple[int, list[list[str]], str]:
    """(first header line, header rows as wide as the values, corner label) above the rows starting at `first`.

    Header lines have one cell per value column, or one more naming the row labels; a line of units
    ("（万人） (万人) …") goes into the cells above it; a single word between header lines or under them
    ("年龄组") names the row labels. (first, [], "") when no header stands there.
    """
    found: list[tuple[str, Any]] = []
    index = first - 1
    while index >= floor and len(found) < _HEADER_LINES:
        cells = _header_cells(lines[index])
        single = _single_label(lines[index])
        if cells and len(cells) in (values, values + 1):
            found.insert(0, ("cells", cells))
        elif single and not _UNIT_WORD.fullmatch(single):
            found.insert(0, ("corner", single))
        else:
            break
        index -= 1
    while found and found[0][0] == "corner":
        found.pop(0)  # a single line above the header is its title, not a cell
        index += 1
    rows: list[list[str]] = []
    corner: list[str] = []
    for kind, item in found:
        if kind == "corner":
            corner.append(item)
            continue
        if len(item) > values:
            corner.append(item[0])
            item = item[1:]
        if rows and all(_UNIT_WORD.fullmatch(c) for c in item):
            rows[-1] = [f"{above}{unit}" for above, unit in zip(rows[-1], item)]  # the unit of the cell above
        else:
            rows.append(item)
    return index + 1, rows, " ".join(corner)


def _sideways_at(lines: list[str], index: int) -> tuple[int, list[list[str]]] | None:
    """(end, grid) of a table printed sideways starting at `index`: a line of names ("福田 罗湖 盐田 …"), then
    for each measure its label on a line of its own, its figures (one per name) and maybe its unit ("常住人口" /
    "156.23 …" / "（万人）"). The grid stands it upright, a row per name, so each name's figures are a row
    ("南山：常住人口（万人） 181.41"), as the other tables' rows are. None when no such table starts there."""
    names = _header_cells(lines[index])
    if not names or len(names) < 3:
        return None
    columns: list[list[str]] = []  # the label and the figures of each measure
    at = index + 1
    while at + 1 < len(lines):
        label = _single_label(lines[at])
        values = _values_line(lines[at + 1])
        if not label or _UNIT_WORD.fullmatch(label) or not values or len(values) != len(names):
            break
        at += 2
        unit = _single_label(lines[at]) if at < len(lines) else None
        if unit and _UNIT_WORD.fullmatch(unit):
            label, at = label + unit, at + 1
        columns.append([label, *values])
    if not columns:
        return None
    return at, [list(row) for row in zip(["", *names], *columns)]


def _table_before(blocks: list[Block]) -> Table | None:
    """The last table read, when only page furniture stands after it."""
    for block in reversed(blocks):
        if isinstance(block, Table):
            return block
        if not _is_furniture(block):
            return None
    return None


def _last_table(blocks: list[Block]) -> Table | None:
    return next((b for b in reversed(blocks) if isinstance(b, Table)), None)


def unruled_tables(lines: list[str], *, before: list[Block] = ()) -> list[Block]:
    """Lines as printed (spaces kept) with the tables printed without rules read as `Table`; other lines
    pass through unchanged. A table is a header (one cell per value column, units and a corner label
    allowed) over two or more rows of a label and as many figures; a header repeated over one row on the
    next page, or rows right after a table with as many value columns, continue it. A table printed sideways
    (a line of names, then a label line and a line of as many figures) is read a row per name.
    `before` holds the blocks read above the lines, for captions and continued tables.
    """
    rows = [_unruled_row(line) for line in lines]
    out: list[Block] = []
    done = 0  # lines before this one are in `out`
    index = 0
    while index < len(lines):
        sideways = _sideways_at(lines, index)
        table = _unruled_table(sideways[1], 1, before=[*before, *out, *lines[done:index]]) if sideways else None
        if sideways and table:
            out += [*lines[done:index], table]
            done = index = sideways[0]
            continue
        if rows[index] is None:
            index += 1
            continue
        table, start, end = _rows_table(lines, rows, index, done, before=[*before, *out])
        if table:
            out += [*lines[done:start], table]
            done = end
        index = end
    return out + lines[done:]


def _rows_table(lines: list[str], rows: list, index: int, done: int, *, before: list[Block]) -> tuple:
    """(table or None, first line, end) for the run of rows starting at `index`, with its header above."""
    width = len(rows[index][1])
    end = index
    while end < len(lines) and rows[end] and len(rows[end][1]) == width:
        end += 1
    start, header, corner = _header_above(lines, index, width, done)
    above = [*before, *lines[done:start]]
    grid = [[corner if r == 0 else "", *cells] for r, cells in enumerate(header)]
    grid += [[label, *values] for label, values in rows[index:end]]
    if not header:
        # Rows at the top of a page, only furniture above them since a table with as many value columns: its rest.
        previous = _table_before(above)
        if previous is None or previous.width - previous.row_header_columns != width:
            return None, start, end
    table = _unruled_table(grid, len(header), before=above)
    if table and header and end - index < _UNRULED_ROWS:
        last = _last_table(above)  # one row under a header: only the header of the table before, repeated
        table = table if last is not None and last.header == table.header else None
    return table, start, end


def _unruled_table(grid: list[list[str]], header_rows: int, *, before: list[Block]) -> Table | None:
    context = [clean_line(b) for b in _lines_since_table(list(before))]
    table = make_table(grid, before=context, header_rows=header_rows, merged=False)
    # The first column holds the labels, whatever they look like ("3岁" reads as a value to `make_table`).
    return replace(table, row_header_columns=1, unit_column=None) if table else None
