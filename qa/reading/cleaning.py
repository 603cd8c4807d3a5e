"""Blocks read from a file → a `Document`: web-page boilerplate and page numbers dropped, table rows as lines,
title, publisher, date, place and year pulled out as metadata."""

from __future__ import annotations

import re
from pathlib import Path

from qa.reading.blocks import Block, Table
from qa.reading.document import Document, UnreadableError

# Lines that belong to the web page around a report, not to the report.
# General rules for Chinese government sites; none names a particular file.
_BOILERPLATE = re.compile(
    r"""
    IE版本过低|浏览器版本|升级(IE|浏览器)|建议使用.{0,12}(浏览器|版本)
    |^\s*(关爱版|无障碍|长者模式|繁体版?|简体版?|English|登录|注册|[x×✕])\s*$
    |^\s*当前位置|^\s*您(现在)?的位置|^\s*首页\s*[>›»]
    |关于我们\s*[|｜]|使用帮助|网站声明|网站地图|联系我们\s*[|｜]
    |^\s*(主办|承办|协办|技术支持|联系电话|地址|邮编)\s*[:：]
    |网站标识码|ICP\s*备|ICP备案|公网安备|政府网站找错
    |^\s*附件\s*[:：]|^\s*【?\s*(打印|关闭|收藏|返回顶部|分享到?)
    |^\s*(字号|字体)\s*[:：]?\s*[大中小]|扫一扫|^\s*阅读(次数|量)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SOURCE = re.compile(r"((?<!资料)(?<!数据)来源|发布机构|发文机关)\s*[:：]\s*(?P<source>.*?)"
                     r"(?=\s*(发布时间|发布日期|发文日期|时间|日期|浏览|访问|点击|阅读|$))")
_DATE = re.compile(r"(发布时间|发布日期|日期|时间)\s*[:：]\s*"
                   r"(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(\s*\d{1,2}:\d{2}(:\d{2})?)?)")
_PAGE_HEAD = 30  # lines: a page's 来源 and 发布时间 stand within them
# A page's bare time stamp line ("2026年02月10日 07时41分", "2024-03-01 10:20"): when it was put up.
_STAMP = re.compile(r"^(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)\s*(\d{1,2}[:时]\d{2}分?(:\d{2})?)?$")
# A date alone on its line ("二〇二二年十二月" under a cover's title): when it was written, not a year it covers.
_DATE_LINE = re.compile(r"^\s*[\d〇零一二三四五六七八九]{4}\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
                        r"(\s*[\d一二三四五六七八九十]{1,3}\s*日)?\s*$")
# "发布机构：" on one line and "宜春市统计局" on the next: a label and its value, as page templates lay them out.
_LABEL = re.compile(r"^\s*(来源|发布机构|发文机关|发布时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]\s*$")


# A table row's numbering ("一、", "（四）", "1."): a level of the table's outline.
ROW_NUMBER = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_GROUP_HEAD = re.compile(r"^[一二三四五六七八九十]+、")
_NUMBERED = re.compile(rf"{ROW_NUMBER.pattern}|^(其中|合计|总计)")


def table_lines(table: Table) -> list[str]:
    """The header as one line, then each body row as one line that reads on its own: row name, then
    each column's label with its cell ("行政许可：本年处理决定数量 9487")."""
    columns = table.columns
    labels = list(dict.fromkeys(c for c in columns if c))
    lines = ["；".join(labels)] if labels else []
    group = ""
    for row in table.rows:
        name = " ".join(dict.fromkeys(c.strip() for c in row[:table.row_header_columns] if c.strip()))
        # "一、提前下达数" heads the rows under it ("香格里拉市") until the next "二、": each names its group.
        if _GROUP_HEAD.match(name):
            group = name
        elif group and name and not _NUMBERED.match(name):
            name = f"{group} {name}"
        cells: list[str] = []
        for i, cell in enumerate(row):
            if i < table.row_header_columns or not cell.strip() or cell.strip() == name:
                continue  # a row name spanning into a value column says nothing new
            entry = f"{columns[i]} {cell.strip()}".strip() if i < len(columns) else cell.strip()
            if not cells or cells[-1] != entry:  # a merged cell over two columns is one cell
                cells.append(entry)
        if name or cells:
            lines.append(f"{name}：{'；'.join(cells)}" if name and cells else name or "；".join(cells))
    return lines


def clean(blocks: list[Block], *, source: str, title: str = "", url: str = "") -> Document:
    """Drop boilerplate and page numbers; pull the title, 来源 and 发布时间 out as metadata; table rows as lines."""
    from qa.reading.furniture import is_page_number

    kept: list[str] = []
    tables: list[dict] = []
    publisher = published = label = above_source = ""
    for block in blocks:
        if isinstance(block, Table):
            rows = table_lines(block)
            if rows:
                start = sum(len(line) + 1 for line in kept)
                kept += rows
                tables.append({"caption": block.caption, "unit": block.unit, "columns": block.columns,
                               "rows": len(block.rows), "start": start, "end": start + sum(len(r) + 1 for r in rows) - 1})
            continue
        line = " ".join(block.replace("\u3000", " ").split())
        if label and line:
            line, label = f"{label}：{line}", ""
        if _LABEL.match(line):
            label = re.split(r"[:：]", line)[0].strip()
            continue
        if not line or _BOILERPLATE.search(line) or is_page_number(line):
            continue
        source_match, date_match = _SOURCE.search(line), _DATE.search(line)
        # A page's 来源/发布时间 line stands over its text; one further down is a note's ("资料来源：…").
        if (source_match or date_match) and len(line) < 80 and len(kept) <= _PAGE_HEAD:
            publisher = publisher or (source_match.group("source").strip() if source_match else "")
            published = published or (date_match.group("date") if date_match else "")
            # The line above the 来源/发布时间 line is the page's title; above its time stamp when one stands between.
            stamp = _STAMP.match(kept[-1]) if kept else None
            if stamp and len(kept) > 1:
                published = published or stamp.group("date")
                kept.pop()
            if kept and not above_source and not tables and len(kept[-1]) <= 80:
                above_source = kept.pop()
            continue
        kept.append(line)
    if not kept:
        raise UnreadableError(f"{source}: no report text left after cleaning")
    text = "\n".join(kept)
    title = _title(title, kept, above_source) or Path(source).stem
    return Document(source=source, title=title, text=text, publisher=publisher, published=published,
                    tables=tuple(tables), url=url, **_where_and_when(title, text, published, source))


# The word that ends a report's title and says what kind of document it is.
_DOCUMENT_KIND = re.compile(r"(报告|公报|纲要|通知|意见|决定|规划|方案|说明|决算|预算|年报|情况|结果)$")


def _title(title: str, kept: list[str], above_source: str) -> str:
    """The report's title: the page's own where it stands as a line of the report (its site's name cut
    off), else the line above 来源/发布时间, else the page's own, else the short lines on top."""
    from qa.reading.passages import heading_level

    # "江西省2022年国民经济和社会发展统计公报 | 中国宜春": the part that is a line of the report.
    parts = [p.strip() for p in re.split(r"\s[|｜_—-]\s|[|｜]", title) if p.strip()]
    lines = set(kept[:80])
    shown = [p for p in parts if p in lines]
    if shown or above_source or parts:
        return max(shown, key=len) if shown else above_source or max(parts, key=len)
    top = []
    for line in kept[:3]:
        # "西宁市城东区人民政府 / 关于2022年法治政府建设情况的报告": short lines on top, until one names the kind.
        if len(line) > 40 or line[-1] in "。！？；，,:：" or heading_level(line) is not None or "：" in line:
            break
        top.append(line)
        if _DOCUMENT_KIND.search(line):
            break
    return "".join(top)


def _where_and_when(title: str, text: str, published: str, source: str) -> dict:
    from qa.reading.places import region_of, year_of, years
    from qa.textnorm import fold

    head, folded_title = fold(text[:3000]), fold(title)
    places = region_of(folded_title, head)
    year = year_of(folded_title, head, published, source)
    # Headings are short lines without a sentence's end; a work report's name the years it looks back on and ahead to.
    # Only those lines are folded, not the whole report again.
    short = (fold(line) for line in text.splitlines() if len(line) <= 40)  # folding keeps lengths
    headings = [line for line in short if not re.search(r"[。；]$", line)
                and not re.search(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", line) and not _DATE_LINE.match(line)]
    covered = {str(y) for y in years(folded_title + "\n" + "\n".join(headings))}
    return {"region": places[0] if places else "", "places": places, "year": year,
            "years": tuple(sorted(covered | ({year} if year else set())))}
