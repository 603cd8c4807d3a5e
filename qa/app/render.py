"""Answers as the chat shows them: an HTML answer card, highlighted passages, the source viewer, plain text to copy.

Every piece of report or user text goes through `html.escape`; the card is one HTML block with no blank line,
so the chat's Markdown renderer leaves it as it is and never reads report text as Markdown.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.reading.document import Document
    from qa.results import Answer, Hit

NOT_FOUND = "报告中没有找到这个问题的答案。"
LONG_ROW = 60  # characters: a table row longer than this shows only the cells holding its figures


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def display_title(title: str, source: str, region: str = "", year: str = "") -> str:
    """The report's title; a report whose only title is its file name is named by place and year."""
    if title and title != Path(source).stem:
        return title
    named = f"{region}{year + '年' if year else ''}报告"
    return f"{named}（{source}）" if region or year else title or source


def _marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` escaped, with each (start, end, class) span wrapped in <mark>; overlapping spans merge into the first."""
    pieces, position = [], 0
    for start, end, kind in sorted(spans):
        start = max(start, position)
        if start >= end or end > len(text):
            continue
        pieces += [_e(text[position:start]), f'<mark class="{kind}">{_e(text[start:end])}</mark>']
        position = end
    pieces.append(_e(text[position:]))
    return "".join(pieces)


def _link(source: str, start: int, end: int, text: str) -> str:
    """A link the page's script opens in the source viewer (report, and the span to highlight). The file name
    is percent-encoded, as the script decodes it (`decodeURIComponent`): `100%.txt` and `%41.txt` survive."""
    from urllib.parse import quote

    return f'<a class="qa-src" href="#qa-src={_e(quote(source, safe=""))}:{start}:{end}">{text}</a>'


def _evidence_hit(answer: Answer) -> Hit | None:
    """The passage holding the answer's evidence."""
    return next((h for h in answer.hits if h.source == answer.source and answer.evidence in h.text), None)


def evidence_start(answer: Answer) -> int:
    """Where the evidence sentence starts in its document (-1 when unknown)."""
    if hit := _evidence_hit(answer):
        return hit.start + hit.text.find(answer.evidence)
    if answer.figures:
        first = answer.figures[0]
        return first.start - answer.evidence.find(first.text)
    return -1


def _hit_of(answer: Answer) -> Hit | None:
    return next((h for h in answer.hits if h.source == answer.source), None)


def _source_line(answer: Answer) -> str:
    hit = _hit_of(answer)
    region, year = (hit.region, hit.year) if hit else ("", "")
    title = display_title(answer.title, answer.source, region, year)
    start = evidence_start(answer)
    parts = [_link(answer.source, start, start + len(answer.evidence), _e(title)) if start >= 0 else _e(title),
             _e(answer.section or "正文")]
    if hit:
        parts += [_e(x) for x in (hit.region, hit.publisher, hit.published[:10]) if x]
    return f'<div class="qa-source">来源：{" · ".join(parts)}</div>'


def _item_name(label: str, question: str) -> str:
    """A 分别 item's name as the question says it: the longest run of its label that the question repeats."""
    from qa.textnorm import fold

    folded, asked = fold(label), fold(question)
    best = ""
    for i in range(len(folded)):
        for j in range(len(folded), i + len(best) + 1, -1):
            if folded[i:j] in asked:
                best = label[i:j]
                break
    return best if len(best) >= 2 else label


def _label(answer: Answer, keywords: tuple[str, ...]) -> str:
    """What the figure counts: its label, with the question's topic in front when the label is short ("行政复议 · 维持")."""
    label = answer.figures[0].label if answer.figures else ""
    label = re.sub(r"^.*\d\S?", "", label).strip(" ,，、")  # "021年的200项精简至": from the last figure on ("精简至")
    topic = next((k for k in keywords if k in answer.evidence and k not in label), "")
    if topic and len(label) <= 6:
        return f"{topic} · {label}" if label else topic
    return label


def _evidence(answer: Answer) -> str:
    """The evidence with its figures marked; of a long table row, its name and the cells holding them (a row of
    15 cells is 20 lines on a phone, and one click away through the source link)."""
    offset = evidence_start(answer)
    spans = [(f.start - offset, f.end - offset, "qa-fig") for f in answer.figures] if offset >= 0 else []
    text, hit = answer.evidence, _evidence_hit(answer)
    cells = [(s, e) for s, e in _cells(text) if any(s <= a < e for a, _, _ in spans)]
    if not (hit and hit.table and cells and len(text) > LONG_ROW):
        return f'<blockquote class="qa-evidence">{_marked(text, spans)}</blockquote>'
    name = text[:text.index("：") + 1] if "：" in text[:cells[0][0]] else ""
    shown = " … ".join(_marked(text[s:e], [(a - s, b - s, k) for a, b, k in spans if s <= a < e]) for s, e in cells)
    return f'<div class="qa-table">表：{_e(hit.table)}</div><blockquote class="qa-evidence">{_e(name)}{shown}</blockquote>'


def _cells(row: str) -> list[tuple[int, int]]:
    """Where each cell of a table row's line stands ("行政许可：本年新增 3；本年处理决定数量 9487")."""
    start = row.index("：") + 1 if "：" in row else 0
    cells = []
    for end in [i for i, c in enumerate(row) if c == "；" and i >= start] + [len(row)]:
        cells.append((start, end))
        start = end + 1
    return cells


def card_html(answer: Answer, *, filtered: list[str] | None = None, answer_id: str = "") -> str:
    """The answer card: the figure large and first with its label, the evidence, the source; or a table of reports.
    `answer_id` names the answer for its 👍/👎 (`data-answer`)."""
    from qa.retrieval.question import analyse

    asked = answer.understood or answer.question
    keywords = analyse(asked).keywords if asked else ()
    body = []
    if answer.understood and answer.understood != answer.question:
        # A follow-up completed from the conversation: what was understood, so a wrong reading is seen at once.
        body.append(f'<div class="qa-understood">理解为：{_e(answer.understood)}</div>')
    if answer.notice:
        body.append(f'<div class="qa-notice">{_e(answer.notice)}</div>')
    if answer.sides:
        body.append(_sides(answer))
    elif answer.by_document:
        body.append(_by_document(answer))
    elif answer.figure and answer.calculation:
        # Computed, not copied: the figure says so, with its formula and both operands (its figures, which are
        # not a 分别 list).
        rounded = "≈ " if "≈" in answer.calculation else ""  # a rate is rounded, a sum of stated figures exact
        body.append(f'<div class="qa-label">计算值</div><div class="qa-figure">{rounded}{_e(answer.figure)}</div>'
                    f'<div class="qa-calculation">{_e(answer.calculation)}</div>')
    elif answer.figure and len(answer.figures) > 1:
        items = " · ".join(f'<span class="qa-item">{_e(_item_name(f.label, answer.question))} '
                           f'<b class="qa-figure-small">{_e(f.stated)}</b></span>' for f in answer.figures)
        body.append(f'<div class="qa-items">{items}</div>')
    elif answer.figure:
        label = _label(answer, keywords)
        body.append(f'<div class="qa-label">{_e(label)}</div>' if label else "")
        body.append(f'<div class="qa-figure">{_e(answer.stated)}</div>')
    elif answer.figures:
        body.append('<div class="qa-lead">报告列出了几个数字，但无法与所问的项目一一对应，请看原句：</div>')
    elif not answer.answered:
        where = f"在所选的报告（{'、'.join(filtered)}）中" if filtered else "报告中"
        more = "最接近的段落在下方“参考段落”中（点开查看），仅供参考。" if answer.hits else ""
        body.append(f'<div class="qa-lead qa-none">{_e(where)}没有找到这个问题的答案。{more}</div>')
    if answer.items:
        # An enumeration asked ("存在哪些问题"): every item, not only the sentence of the first.
        # Each item links to where it stands in the report.
        starts = answer.item_starts or [-1] * len(answer.items)
        listed = "".join(f"<li>{_link(answer.source, s, s + len(item), _e(item)) if s >= 0 else _e(item)}</li>"
                         for item, s in zip(answer.items, starts))
        body += [f'<div class="qa-lead">报告列出{len(answer.items)}项：</div><ol class="qa-list">{listed}</ol>',
                 _source_line(answer)]
    elif answer.evidence and not answer.by_document:
        body += [_evidence(answer), _source_line(answer)]
    # The clean text the copy button gives; newlines as entities, so the card has no line break for Markdown to see.
    plain = _e(plain_text(answer, filtered=filtered)).replace("\n", "&#10;")
    body.append(f'<div class="qa-plain">{plain}</div><button class="qa-copy" type="button">复制</button>')
    # A card that can be rated carries its answer's id, and a class the page's styles show 👍/👎 for.
    named = f' qa-rateable" data-answer="{_e(answer_id)}' if answer_id else ""
    return f'<div class="qa-card{named}">{"".join(body)}</div>'


def _by_document(answer: Answer) -> str:
    """Reports that differ: per report its place and year, the figure with what it counts (a table cell's row and
    column), and a link to its sentence or table row."""
    rows = []
    for each in answer.by_document:
        hit = _hit_of(each)
        place = (hit.region if hit else "") or display_title(each.title, each.source)
        rows.append(f'<tr><td class="qa-place">{_e(place)}<br>{_e(hit.year if hit else "")}</td>'
                    f'<td><span class="qa-row-label">{_e(_short(_row_label(each)))}</span> '
                    f'<b>{_e(each.stated or "")}</b></td><td class="qa-place">{_where_link(each)}</td></tr>')
    return (f'<div class="qa-lead">{len(answer.by_document)} 份报告的数字不同，分别列出：</div>'
            '<table class="qa-reports"><thead><tr><th>报告</th><th>数字</th><th>出处</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _row_label(answer: Answer) -> str:
    return answer.figures[0].label.strip(" ,，、") if answer.figures else ""


def _short(label: str, longest: int = 24) -> str:
    """A label for a table cell: its last `longest` characters (the words nearest the figure)."""
    return label if len(label) <= longest else "…" + label[-longest:]


def _where_link(answer: Answer) -> str:
    """The link to an answer's sentence (原句) or table row (原表), or "" without one."""
    start = evidence_start(answer)
    if not (answer.figure and answer.evidence and start >= 0):
        return ""
    hit = _evidence_hit(answer)
    return _link(answer.source, start, start + len(answer.evidence), "原表" if hit and hit.table else "原句")


def _side_names(answer: Answer) -> list[str]:
    """Each side of a comparison by its name ("红桥区", "2022年"), as the question names them."""
    from qa.answers.comparison import sides
    from qa.retrieval.question import analyse

    names = list(sides(analyse(answer.understood or answer.question)))
    return names if len(names) == len(answer.sides) else [s.understood or s.question for s in answer.sides]


def _sides(answer: Answer) -> str:
    """A comparison: per side its name, its figure with what it counts and a link to its sentence; then the
    computed line."""
    rows = []
    for name, side in zip(_side_names(answer), answer.sides):
        figure = f'<span class="qa-row-label">{_e(_short(_row_label(side)))}</span> <b>{_e(side.stated)}</b>' \
            if side.figure else "<b>报告中没有</b>"
        rows.append(f'<tr><td class="qa-place">{_e(name)}</td><td>{figure}</td>'
                    f'<td class="qa-place">{_where_link(side)}</td></tr>')
    line = f'<div class="qa-calculation">{_e(answer.calculation)}</div>' if answer.calculation else ""
    return ('<table class="qa-reports"><thead><tr><th>比较</th><th>数字</th><th>出处</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{line}')


def plain_text(answer: Answer, *, filtered: list[str] | None = None) -> str:
    """The answer as clean text for the clipboard and for screen readers: figure, evidence, source."""
    from qa.retrieval.question import analyse

    lines = [f"理解为：{answer.understood}"] if answer.understood and answer.understood != answer.question else []
    lines += [answer.notice] if answer.notice else []
    if answer.sides:
        lines += [f"{name}：{_row_label(side) + ' ' if side.figure and _row_label(side) else ''}"
                  f"{side.stated or '报告中没有'}" for name, side in zip(_side_names(answer), answer.sides)]
        return "\n".join(lines + ([answer.calculation] if answer.calculation else []))
    if answer.by_document:
        lines.append("各报告的数字不同：")
        for each in answer.by_document:
            hit = _hit_of(each)
            place = " ".join(x for x in ((hit.region, hit.year) if hit else ()) if x)
            label = _row_label(each)
            lines.append(f"{place or each.title}：{label + ' ' if label else ''}{each.stated}　"
                         f"来源：{each.title} · {each.section or '正文'}")
        return "\n".join(lines)
    if answer.figure and answer.calculation:
        lines.append(f"答案（计算值）：{answer.calculation}")
    elif answer.figure and len(answer.figures) > 1:
        lines.append("答案：" + "；".join(f"{_item_name(f.label, answer.question)} {f.stated}" for f in answer.figures))
    elif answer.figure:
        asked = answer.understood or answer.question
        label = _label(answer, analyse(asked).keywords if asked else ())
        lines.append(f"答案：{label + '：' if label else ''}{answer.stated}")
    elif not answer.answered:
        lines.append(f"在所选的报告（{'、'.join(filtered)}）中没有找到这个问题的答案。" if filtered else NOT_FOUND)
    if answer.items:
        lines.append(f"报告列出{len(answer.items)}项：")
        lines += [f"{n}. {item}" for n, item in enumerate(answer.items, 1)]
        lines.append(f"来源：{answer.title} · {answer.section or '正文'}")
    elif answer.evidence:
        lines.append(f"原文：{answer.evidence}")
        lines.append(f"来源：{answer.title} · {answer.section or '正文'}")
    return "\n".join(lines)


def passages_html(hits: list[Hit], question: str) -> str:
    """The passages behind an answer at reading size, the question's keywords and every figure highlighted."""
    from qa.reading.figures import extract
    from qa.retrieval.question import analyse
    from qa.textnorm import fold

    keywords = analyse(question).keywords if question else ()
    blocks = []
    for i, hit in enumerate(hits, 1):
        folded = fold(hit.text)
        spans = [(f.start, f.end, "qa-fig") for f in extract(hit.text)]
        for kw in keywords:
            spans += [(m.start(), m.end(), "qa-kw") for m in re.finditer(re.escape(kw), folded)]
        title = display_title(hit.title, hit.source, hit.region, hit.year)
        where = _link(hit.source, hit.start, hit.end, f"[{i}] {_e(title)} · {_e(hit.section or '正文')}")
        table = f'<div class="qa-table">表：{_e(hit.table)}</div>' if hit.table else ""
        blocks.append(f'<div class="qa-passage"><div class="qa-where">{where}</div>{table}'
                      f'<p>{_marked(hit.text, spans)}</p></div>')
    return f'<div class="qa-passages">{"".join(blocks)}</div>'


def source_html(document: Document, text: str, start: int, end: int, *, table: str = "") -> str:
    """The whole report, the span [start, end) highlighted (id qa-evidence) under its heading path."""
    import dataclasses

    from qa.reading.passages import heading_level, split

    before = [p.section for p in split(dataclasses.replace(document, text=text)) if p.start <= start]
    section = before[-1] if before else ""
    title = display_title(document.title, document.source, document.region, document.year)
    head = [f'<h3 class="qa-viewer-title">{_e(title)}</h3>']
    meta = [x for x in (document.region, document.year and f"{document.year}年", document.publisher,
                        document.published[:10]) if x]
    if meta:
        head.append(f'<div class="qa-viewer-meta">{_e(" · ".join(meta))}</div>')
    url = getattr(document, "url", "")
    if url and url.startswith(("http://", "https://")):
        head.append(f'<div class="qa-viewer-url"><a href="{_e(url)}" target="_blank" rel="noopener">原文链接</a></div>')
    head.append(f'<div class="qa-viewer-path">位置：{_e(section or "正文")}</div>')
    if table:
        head.append(f'<div class="qa-table">表：{_e(table)}</div>')
    lines, position = [], 0
    for line in text.split("\n"):
        line_start, position = position, position + len(line) + 1
        spans = [(start - line_start, end - line_start, "qa-ev")] if line_start <= end and start < position else []
        inner = _marked(line, [(max(0, s), min(len(line), e), k) for s, e, k in spans])
        tag = "h4" if heading_level(line) is not None else "p"
        lines.append(f"<{tag}>{inner}</{tag}>")
    body = "".join(lines).replace('<mark class="qa-ev">', '<mark class="qa-ev" id="qa-evidence">', 1)
    return f'<div class="qa-viewer">{"".join(head)}<div class="qa-viewer-body" id="qa-viewer-body">{body}</div></div>'
