"""Answering a question from retrieved passages: the figure, its evidence, or an honest no."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from qa.reading.figures import (FALL_VERBS, PART_OF_YEAR, QUALIFIER, RISE_VERBS, UNITS, Found, base_unit,
                                changed_object, clause_start, extract, kind_of, same_unit, unit_class)
from qa.reading.cleaning import ROW_NUMBER
from qa.reading.places import LAST_YEAR
from qa.retrieval.glossary import translate
from qa.reading.passages import sentences
from qa.retrieval.question import Question, same_way
from qa.results import Answer, Figure, Hit
from qa.textnorm import fold

# Below this share of the question's keyword weight, the evidence does not answer it.
MIN_COVERAGE = 0.55
EVERY_WORD = 0.999  # a sentence's coverage when it holds every keyword
# A figure needs this much keyword support around it (0–1) to be given.
MIN_SUPPORT = 0.3
ALIKE = 0.5  # a change asked in one verb, written in another of the same way: half the verb's weight
# A figure is given only when it beats the next best by this much.
MARGIN = 0.03
FIGURE_PASSAGES = 3  # figures are looked for in the best few passages only
WHOLE_MATCH_PASSAGES = 8  # … and in a sentence holding every word of the question among these
NAME_SPAN = 12  # characters before a figure that name what it counts, for the narrower-subject check
# A keyword's pull on a figure: times INHERITED per clause boundary between them,
# halved over DISTANCE characters. Tuned on dev, held-out and paraphrase sets (README).
INHERITED = 0.9
DISTANCE = 40
COVERED = 0.2  # weight of the evidence sentence's share of the question's keywords in a figure's score
SCOPE_WEIGHT = 0.3  # of a word naming the whole scope ("全州", "年末"), against its IDF
CONTEXT = 0.4  # a keyword only in the section heading or title: the topic of every figure under it
# For a keyword's pull on a figure, a list comma separates as much as a clause end.
_BOUNDARY = re.compile(r"[,，;；:：。!！?？()（）、]")
_LIST_GLUE = re.compile(r"^[、,，和及与以及\s]*$")
_LEAD = re.compile(r"^[^,，;；。:：\d]*$")
_ITEM_MARK = re.compile(r"[#*>\s]*(?:([一二三四五六七八九十]{1,3})是|第([一二三四五六七八九十]{1,3})[,，、]|"
                        r"[（(]([一二三四五六七八九十]{1,3})[)）]|(\d{1,2})[.、．](?!\d)|([①-⑳]))")
# A sentence cut before each item mark that follows "：" or "；" inside it, and before "一是" or "1、" after "，".
_ITEMS_INSIDE = re.compile(r".+?(?:[：:；;](?=\s*(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[,，、]|"
                           r"（[一二三四五六七八九十]{1,3}）|\d{1,2}[.、．](?!\d)|[①-⑳]))|"
                           r"[，,](?=\s*(?:[一二三四五六七八九十]{1,3}是|\d{1,2}、(?!\d)))|$)", re.S)
_AGE_ASKED = re.compile(r"几岁|多少岁|年龄|年纪|岁数")
# An age band naming a group ("0-17岁户籍人口", "60岁及以上老年人"): its figure counts that group, not everyone.
_AGE_BAND = re.compile(r"\d+\s*[-—–~～至到]\s*\d+\s*(周)?岁|\d+\s*(周)?岁(及)?以[上下]")
_SECTION_HEADING = re.compile(r"^[#\s]*[一二三四五六七八九十]{1,3}、")  # "三、下一步工作": a list under the one before ends
LIST_ANCHORS, LIST_COVERAGE = 8, 0.3  # best sentences tried for the list a question asks, and the least they hold
ITEM_HEAD = 20  # characters: an item shorter is a heading, shown with the sentence after it
LIST_BEFORE, LIST_AFTER, LIST_LEAD = 3_000, 60_000, 4  # characters of a report read around a list's best sentence;
# sentences between a list's lead and its first item
_CN_ORDINAL = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
# The parts a whole is broken down into in statistics: town and country, men and women, kinds of ownership.
_BREAKDOWN = re.compile(r"城镇|农村|城市|乡村|城区|男性|女性|男童|女童|国有|民营|私营|外商")
_SUB_ITEM = re.compile(r"第[\d一二三四五六七八九十]+[目节款](?:「([^」]+)」)?")  # a budget's item: 第3目「…」
_SETTLED = re.compile(r"改列|改为|调整为|审定|照列|修正为")
# Counterparts: quantities of one dimension that are never each other (支出 is not 收入, 户籍人口 not 常住人口).
_COUNTERPARTS = [re.compile(g) for g in (
    r"收入|支出", r"出口|进口", r"城镇|农村|乡村", r"男性|女性", r"存款|贷款", r"户籍|常住", r"出生|死亡",
    r"夏粮|秋粮", r"第一产业|第二产业|第三产业", r"一般公共预算|政府性基金|国有资本经营|社会保险基金",
    r"预算数|执行数|完成数|决算数", r"公办|民办", r"小学|初中|高中", r"岁入|岁出",
    r"全[省市州县区]|[省市州县区]本级", r"[前后][\d.]+%")]  # 前20%家庭 is not 后20%家庭
# Words naming the whole scope ("全年全州居民…"), which narrow nothing the question asks.
_WHOLE = re.compile(r"全[年市州省县区国体部]|全社会|年末|年初|本年|当年|一年|今年|上年|去年|上一年")
_REACHED = re.compile(r"\s*(提高|增加|增长|上调|下调|降低|减少|调整|增)?(至|到|为)\s*")
_CHANGE_FROM = re.compile(r"(由|从)[^,，;；。]*$|原列\s*$|原为\s*$")
_CHANGE_TO = re.compile(r"(由|从)[^,，;；。]*\d[^,，;；。]*(至|到|为|成)\s*$|改列为\s*$|调整为\s*$")
_UNIT_SET = frozenset(UNITS)
# A unit a table states in a column header: "本年收费金额（单位：万元）", "产量（万吨）".
_HEADER_UNIT = re.compile(r"单位\s*[:：]\s*([^\s)）;；,，]+)|[（(]([^（()）\d]{1,6})[)）]\s*$")
# A number that numbers something ("附表1", "图11", "注2", "第3条", "[5]") or dates it ("1—12月"): never a figure.
_NUMBERING_BEFORE = re.compile(r"(附表|表|图|注|附件|序号|第|[\[［])\s*$")
_NUMBERING_AFTER = re.compile(r"^\s*([\]］]|[-—–~～至到]\s*\d{1,2}\s*月|[月日号时])")
# A figure compared with another place or time: "高于全国15.9个百分点", "比上年高2个百分点".
_GAP_CUE = re.compile(r"(高于|低于|快于|慢于|高出|低出|超出|领先)(?!上年|去年|年初|同期)[^,，;；。\d]{0,8}$")
_PART_ASKED = re.compile(r"其中|中的")  # "…收入中的税收收入": a part is what is asked
# The year a change is measured from ("比2021年减少0.14万人"), not the year a sentence is about.
_BASELINE = re.compile(r"(比|较|与|同)\s*(?:19|20)\d\d\s*年(末|底|同期)?")
# A figure planned, not achieved: "预期目标是：…增长5%左右" (anywhere before it in the sentence), "力争…",
# "确保…" (in its own clause: "争取资金95亿元，完成…" reports what was done).
_TARGET_CUE = re.compile(r"目标")
_TARGET_VERB = re.compile(r"力争|争取|确保")
_TARGET_AFTER = re.compile(r"^\s*左右")


@dataclass(frozen=True)
class Sentence:
    hit: Hit
    rank: int
    start: int  # offsets in the document
    end: int
    text: str  # as written
    folded: str
    context: str  # folded section, title and the head of a "；" list it ends, which the sentence's words inherit
    coverage: float
    head: str = ""  # folded: the sentence before it up to "。" ("2021年，…出生率为10.37‰" of "；出生人口性别比…")
    section: str = ""  # folded: its passage's heading path
    held: int = 0  # the question's named words (`_naming`) it or its context holds whole, or by all of 2+ parts


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    found: Found  # offsets inside the sentence
    score: float
    evidence: dict[str, float]  # the named parts of `score`

    @property
    def support(self) -> float:
        return self.evidence["support"]


def _naming(weights: dict[str, float]) -> list[str]:
    """The keywords that name what is asked, the words naming the whole scope ("全年", "全州") aside."""
    return [kw for kw in weights if not _WHOLE.fullmatch(kw)]


def _scoped(weights: dict[str, float]) -> dict[str, float]:
    """Words naming the whole scope ("全州", "年末") weigh little in choosing a figure: rare as they are, they name no
    item ("全州教育支出" asks 教育支出, under a table of 全州's). Which scope is meant is `_counterpart`'s to check."""
    return {kw: w * SCOPE_WEIGHT if _WHOLE.fullmatch(kw) else w for kw, w in weights.items()}


@functools.lru_cache(maxsize=4096)
def _parts(kw: str) -> tuple[str, ...]:
    """The shorter words inside a keyword: "体制改革" → 体制, 改革."""
    from qa.retrieval.tokens import load_jieba

    return tuple(p for p in load_jieba().lcut_for_search(kw) if len(p) >= 2 and p != kw)


def _presence(kw: str, parts: tuple[str, ...], text: str) -> float:
    """1 when `kw` is in `text`; a share below 1 when only its parts are ("体制机制改革")."""
    if kw in text:
        return 1.0
    return 0.8 * sum(p in text for p in parts) / len(parts) if parts else 0.0


def _names(text: str, words: tuple[str, ...]) -> bool:
    """`text` names one of the places or years (4-digit strings, matched as years, 民國 ones too) asked."""
    from qa.reading.places import years

    written = {str(y) for y in years(text)}
    return any(w in written if re.fullmatch(r"\d{4}", w) else w in text for w in words)


def _sentences(hits: list[Hit], weights: dict[str, float], must_name: dict[str, tuple[str, ...]],
               question: Question) -> list[Sentence]:
    """Every sentence of the hits, with the share of the question's keyword weight it covers.

    A table row is one sentence (its row name and cells belong together); a sentence of a report
    that counts only where it names the place or year asked is left out unless it does. The verb of a change
    asked is half covered by any verb of a change that way ("缩短了多少" by "减少50%"; the subject must cover the
    rest); the figure it stands by is still the one its own verb points at.
    """
    whole = sum(weights.values()) or 1.0
    parts = {kw: _parts(kw) for kw in weights}
    alike = {kw: verbs for kw in weights if question.change and (verbs := same_way(kw))}
    naming = _naming(weights)
    found = []
    for rank, hit in enumerate(hits):
        section, context, read = _read(hit.text, hit.section, hit.title, bool(hit.table))
        for start, end, text, folded, head in read:
            if hit.source in must_name and not _names(head + folded + " " + section, must_name[hit.source]):
                continue
            # The subject of "年末生猪存栏4.83万头；牛存栏…；羊存栏…" stands at the head of the whole sentence: its
            # words are the topic of every part, as a section's are.
            topic = f"{context} {head}" if head.strip() else context
            presence = {kw: _presence(kw, parts[kw], folded + " " + topic) for kw in weights}
            covered = sum(w * (ALIKE if kw in alike and presence[kw] < ALIKE and alike[kw].search(folded)
                               else presence[kw]) for kw, w in weights.items())
            held = sum(presence[kw] == 1.0 or presence[kw] >= 0.8 and len(parts[kw]) >= 2 for kw in naming)
            found.append(Sentence(hit, rank, hit.start + start, hit.start + start + len(text),
                                  text, folded, topic, covered / whole, head, section, held))
    return found


@functools.lru_cache(maxsize=1024)  # the same passages answer many questions; folding is most of reading them
def _read(text: str, section: str, title: str,
          table: bool) -> tuple[str, str, tuple[tuple[int, int, str, str, str], ...]]:
    """A passage's folded section, its folded section and title, and its sentences: (start, end, as written,
    folded, the folded head of the whole sentence before it up to "。"). A table row is one sentence."""
    spans = [(0, len(text))] if table else sentences(text)
    return fold(section), fold(f"{section} {title}"), tuple(
        (start, end, (written := text[start:end].strip()), fold(written),
         fold(text[text.rfind("。", 0, start) + 1:start])) for start, end in spans)


def _support(sentence: Sentence, found: Found, weights: dict[str, float], nouns: frozenset[str]) -> float:
    """How strongly the question's keywords point at this figure (0–1).

    A keyword in the figure's own clause ("维持13宗"), or the noun right after it
    ("35个执法单位"), names what it counts. Keywords of earlier clauses are the
    sentence's topic ("行政复议…, 维持13宗, 驳回24宗"), shared by the figures
    after them and fading with each clause crossed.
    """
    text = sentence.folded
    bounds = [m.start() for m in _BOUNDARY.finditer(text)]
    total = whole = 0.0
    for kw, weight in weights.items():
        whole += weight
        if kw not in text and kw in sentence.context:
            total += weight * CONTEXT  # the section's topic ("一般公共预算收入情况"), shared by all its figures
            continue
        if kw in text:
            best = _nearness(kw, text, found, bounds, counted=kw in nouns)
        else:  # a word written apart ("商品住宅" in "商品房…住宅") counts for less, from where its parts stand
            parts = _parts(kw)
            best = 0.8 * sum(_nearness(p, text, found, bounds) for p in parts) / len(parts) \
                if len(parts) >= 2 and all(p in text for p in parts) else 0.0
        total += weight * best
    return total / (whole or 1.0)


def _nearness(word: str, text: str, found: Found, bounds: list[int], *, counted: bool = False) -> float:
    """How strongly `word` where it stands in `text` names the figure at `found`: fading with the distance and the
    clauses crossed before it; after it only in the same clause, fully when the counted noun follows at once."""
    best = 0.0
    for match in re.finditer(re.escape(word), text):
        if match.end() <= found.start:
            crossed = sum(match.end() <= b < found.start for b in bounds)
            strength = INHERITED ** crossed / (1 + (found.start - match.end()) / DISTANCE)
        elif match.start() >= found.end:
            crossed = sum(found.end <= b < match.start() for b in bounds)
            strength = 0.0 if crossed else 1.0 if counted and match.start() - found.end <= 2 else 0.5
        else:
            strength = 0.0
        best = max(best, strength)
    return best


def _change_bonus(text: str, found: Found, question: Question) -> float:
    """In "由116项增至433项" the end value is the answer, unless the start is asked for, or the year the start
    names ("由2021年的180项精简至150项" for "2021年有多少项", "由上年的12.38%升至…" for "上年的…")."""
    from qa.reading.places import years

    before = text[clause_start(text, found.start):found.start]
    origin = question.origin or bool(set(question.years) & set(years(before))) \
        or bool(question.last_year and LAST_YEAR.search(before))
    if _CHANGE_TO.search(before):  # the "to" value
        return -0.3 if origin else 0.3
    if _CHANGE_FROM.search(before):  # the "from" value
        return 0.3 if origin else -0.3 if question.revised or "原列" not in before else 0.0
    return 0.0


def _kind_fit(sentence: Sentence, found: Found, question: Question, before: Found | None = None) -> float | None:
    """The quantity asked, not its neighbour: a change for "增长了多少" (in its direction), a level for
    "是多少", a share only for "占…比重", a per-person value only for "人均". None: not what is asked.
    `before`: the sentence's figure before this one, whose clause names what a bare change counts."""
    if sentence.hit.table:
        # A cell's kind is its column's: "比上年增长（%） -6.6", whose brackets would end the clause.
        label = re.sub(r"[()（）]", "", _own_label(sentence, found))
        cell = f"{label}{sentence.folded[found.start:found.end]}"
        kind, direction = kind_of(cell, Found(len(label), len(cell), found.value, found.unit))
    else:
        kind, direction = kind_of(sentence.folded, found)
    # "人均…增长4.6%" is a change per person: 人均 in the clause counts whatever the kind, as it does in the clause
    # of the level just before ("人均地区生产总值70923元，增长4.6%").
    subject = clause_start(sentence.folded, (before if before and kind == "change" else found).start)
    per_person = "人均" in sentence.folded[subject:found.start]
    if bool(question.change) != (kind == "change") or (kind == "share") > question.share \
            or per_person > question.per_person:
        return None
    counted = changed_object(sentence.folded, found) if kind == "change" and not sentence.hit.table else ""
    if counted and not any(kw in counted or counted in kw for kw in question.keywords):
        return None  # "减少各类证明材料376项" counts 证明材料, not the 事项 asked
    if question.change in (1, -1) and direction != question.change:
        return None  # "增加了多少" asked, "减少…376项" written: the figure's own cue says it went the other way
    return 0.2 if kind == "change" or kind == "share" and question.share or per_person else 0.0


def _year_penalty(sentence: Sentence, question: Question) -> float:
    """A sentence (or its section) that names only years other than the one asked is about them."""
    from qa.reading.places import years

    if not question.years:
        return 0.0
    named = set(years(_BASELINE.sub("", sentence.folded))) or set(years(sentence.head)) or set(years(sentence.section))
    return -0.4 if named and not named & set(question.years) else 0.0


def _cell_unit(sentence: Sentence, found: Found) -> str:
    """The unit of a table cell written without one: its column header's, else its row's unit cell, else
    the table's."""
    stated = _HEADER_UNIT.search(_own_label(sentence, found).strip())
    if stated:
        return stated.group(1) or stated.group(2)
    row_name = _row_name(sentence)
    in_row = [u for u in row_name.split() if u in _UNIT_SET or base_unit(u) in _UNIT_SET]
    return in_row[-1] if in_row else sentence.hit.unit


def _unasked(question: Question, text: str, found: Found) -> int:
    """Characters of the figure's own clause that the question does not use: "地方一般公共预算本级收入"
    names a narrower subject than "一般公共预算收入" asks for."""
    return _unasked_characters(question, text[clause_start(text, found.start):found.start])


def _unasked_characters(question: Question, name: str) -> int:
    """Chinese characters of `name`, its scope words aside, that the question does not use."""
    asked = question.searched or question.folded
    return sum(1 for c in _WHOLE.sub("", name) if "\u4e00" <= c <= "\u9fff" and c not in asked)


# Words of a clause that state a change or a level, not what it is of: "同比增长" names no subject.
_NO_SUBJECT = re.compile(rf"[比较](?:上年|去年|上一年)[末底]?|同比|环比|{RISE_VERBS}|{FALL_VERBS}|增幅|降幅|增速|达到|"
                         r"[增减降涨跌升达为约近超共计了]")


def _of_another_subject(question: Question, sentence: Sentence, found: Found, weights: dict[str, float]) -> bool:
    """A change asked, and the change's own clause names a subject and no word asked: "一般公共预算支出比上年增加
    3.2亿元" is not how the "办理时限" of the clause before changed, however near."""
    if not question.change or sentence.hit.table:
        return False
    text = sentence.folded
    clause = text[clause_start(text, found.start):found.start]
    if any(kw in clause for kw in _naming(weights)):
        return False
    return _unasked_characters(question, _NO_SUBJECT.sub("", clause)) >= 4


def _narrower(question: Question, sentence: Sentence, found: Found) -> bool:
    """The figure's name holds a breakdown the question does not ask: "农村居民人均可支配收入" (or 城镇, 男性 …)
    when the question asks 居民人均可支配收入, whose whole the sentence states too; in a table, a row named by
    more than the question says ("土地增值税" for 增值税)."""
    if sentence.hit.table:
        # The row's deepest label ("1.本机关不掌握…" under "（四）无法提供"), its numbering and scope words aside.
        return _unasked_characters(question, ROW_NUMBER.sub("", (_row_name(sentence).split() or [""])[-1])) >= 2
    text = sentence.folded
    asked = question.searched or question.folded
    name = text[clause_start(text, found.start):found.start][-NAME_SPAN:]
    return any(part not in asked for part in _BREAKDOWN.findall(name))


# A paragraph that opens on several years ("五年来，…", "“十四五”以来"): its figures are the period's totals.
_YEARS_LEAD = re.compile(r"^\s*(过去|近)?[五三十两二]年(来|间|以来)|^\s*“?十[三四五]五”?(时期|期间|以来)")
# A programme over several years ("为期五年（114至118年）"), whose total ("总经费") is not one year's.
_YEARS_SPAN = re.compile(r"为期[一二三四五六七八九十\d]+年|\d+\s*[至到~—-]\s*\d+\s*年")


def _of_several_years(question: Question, sentence: Sentence, found: Found) -> bool:
    """A question about one year, a figure of several: in a paragraph opening on several years ("五年来…城镇新增就业
    522万人") and a sentence naming none of the years asked, or the total (总经费) of a programme over several years
    ("为期五年…总经费14亿9,080万元") where the question asks no total."""
    from qa.reading.places import years

    if not question.years or question.period:
        return False
    if _YEARS_LEAD.match(sentence.hit.text) and not set(question.years) & set(years(sentence.text)):
        return True
    return bool(_YEARS_SPAN.search(sentence.folded)) and "总" in _own_label(sentence, found) \
        and "总" not in question.folded


def _age_group(question: Question, text: str, found: Found) -> bool:
    """The figure counts an age group the question does not ask about: "0-17岁户籍人口168.37万人" for 户籍人口."""
    band = _AGE_BAND.search(text[clause_start(text, found.start):found.start])
    return bool(band) and "岁" not in question.folded  # a band asked ("0-17岁…") holds 岁 too


def _sub_item(question: Question, text: str, found: Found) -> bool:
    """The figure is one item of a budget ("…预算第3目「国家铁道建设与管理」编列…", "「防疫业务」预算编列…") where the
    question asks the whole and names neither the item nor its number."""
    clause = text[clause_start(text, found.start):found.start]
    item = _SUB_ITEM.search(clause)
    # The item, its number, or a line under it ("第1目「一般行政」项下「政府内部控制…」") the question names; a
    # quoted line alone ("疾病管制署「防疫业务」预算编列") is an item too.
    names = re.findall(r"「([^」]+)」", clause[item.start():] if item else clause)
    if not item and not names:
        return False
    numbered = item is not None and _SUB_ITEM.search(question.folded)
    return not (numbered or any(name in question.folded for name in names))


def _counterpart(question: Question, sentence: Sentence, found: Found) -> bool:
    """The figure is named by the counterpart of what is asked: the last of 收入/支出 before it in its sentence (or,
    when the sentence names neither, its section) is 收入 where the question asks 支出 alone."""
    asked = question.searched or question.folded
    for group in _COUNTERPARTS:
        named = set(group.findall(asked))
        if len(named) != 1:
            continue  # neither asked, or both ("收入和支出分别…")
        before = group.findall(sentence.folded[:found.start]) or group.findall(sentence.section)
        if before and before[-1] not in named:
            return True
    return False


def _a_part(text: str, found: Found) -> bool:
    """In a breakdown after its total ("其中，中央一般公共预算收入81119亿元"): a part, not the whole."""
    opening = text.rfind("其中", 0, found.start)
    return opening >= 0 and not re.search(r"[。；;]", text[opening:found.start])


def _fits_measure(question: Question, unit: str, label: str = "") -> bool:
    """The figure is of the kind the question's words ask for: a rate for "维持率", money for "多少钱",
    points for "几个百分点", a count for "多少宗". A figure whose unit is not known may be any, but a rate only
    when the words just before it (a table cell's column) call it one ("占调整预算(%) 97.2"; "结果维持 1" is not)."""
    if unit.endswith("岁") and not _AGE_ASKED.search(question.folded):
        return False  # "0-17岁": an age band names a group; its number is no count of anything
    found = unit_class(unit)
    asked = question.measure or ("count" if unit_class(question.unit) == "count" else "")
    if asked == "ratio":
        return found in ("", "rate")
    if not found and asked == "rate":
        return bool(re.search(r"%|％|率|比重|比例|占", label))
    return not found or not asked or found == asked


def _not_a_figure(sentence: Sentence, found: Found) -> bool:
    """Numbering, dates and, in a table row, numbers inside a column's label ("价格指数（1—12月） 110.2")."""
    text = sentence.folded
    if not found.unit and (_NUMBERING_BEFORE.search(text[:found.start]) or _NUMBERING_AFTER.match(text[found.end:])):
        return True
    if sentence.hit.table:
        # A table row is "row：column cell；column cell": a cell is the last thing in its part.
        before, after = text[:found.start], text[found.end:]
        return not re.match(r"\s*([;；]|$)", after) or not re.search(r"(^|[\s:：;；])$", before)
    return False


def _stated_as(sentence: Sentence, found: Found) -> tuple[set[str], str]:
    """What the words around a figure say of it beyond its kind: "gap" (above another place), "target"
    (planned); and the part of a year its clause names ("上半年"), or ""."""
    text = sentence.folded
    clause = text[clause_start(text, found.start):found.start]
    said = set()
    if _GAP_CUE.search(clause):
        said.add("gap")
    # A list of targets is cut into sentences at "；": its cue stands at the head of the whole sentence.
    if _TARGET_CUE.search(sentence.head + text[:found.start]) or _TARGET_VERB.search(clause) \
            or _TARGET_AFTER.match(text[found.end:]) \
            or _TARGET_CUE.search(sentence.section):
        said.add("target")
    part = PART_OF_YEAR.search(clause)
    return said, part.group() if part else ""


# A table's planned column and its result columns: "预算数 441027；完成数 235693".
_PLAN_COLUMN = re.compile(r"预算数?\s*$|计划数?\s*$")
_RESULT_COLUMN = re.compile(r"完成数?|执行数?|决算数?|实际数?")


def _planned_beside_result(question: Question, sentence: Sentence, found: Found) -> bool:
    """A table cell of the planned column ("预算数") where its row states the result too ("完成数"), for a question
    asking no plan (`Question.target`) nor budget: "卖地一共收了多少" asks what came in."""
    plan_asked = question.target or re.search(r"预算|预计", question.folded)
    return bool(sentence.hit.table and not plan_asked and _PLAN_COLUMN.search(_own_label(sentence, found))
                and _RESULT_COLUMN.search(sentence.folded))


def _row_name(sentence: Sentence) -> str:
    """A table row's name, folded ("五、教育支出" of "五、教育支出:2025年执行数 208,882;…"); "" for running text."""
    return sentence.folded.split(":", 1)[0] if sentence.hit.table else ""


def _own_label(sentence: Sentence, found: Found) -> str:
    """The words that name a figure: in a table row its column's label ("2026年预算数"), else its own clause."""
    text = sentence.folded
    if sentence.hit.table:
        # Folded text: the row's "：" and the cells' "；" are ASCII by now.
        return text[max(text.rfind(":", 0, found.start), text.rfind(";", 0, found.start)) + 1:found.start]
    return text[clause_start(text, found.start):found.start]


def _label_fit(sentence: Sentence, found: Found, question: Question, weights: dict[str, float]) -> float | None:
    """How well the words naming a figure fit the question: the year asked ("2026年预算数 895" for 2026, never
    "2025年执行数"; "由上年的12.38%" for 上年) and, in a table, the column's own head ("完成数" for "完成了多少").
    None: the label (or a cell's table caption) names only another year."""
    from qa.reading.places import years

    label = _own_label(sentence, found)
    # A cell whose column and row name no year has its table's: "2025年…完成情况表" states no 2026 figure.
    named = set(years(label)) or set(years(_row_name(sentence))) or set(years(fold(sentence.hit.table)))
    fit = 0.0
    if question.years and named:
        if not named & set(question.years):
            return None
        fit += 0.1
    if question.last_year and not question.change:
        fit += 0.3 if LAST_YEAR.search(label) else -0.3
    if sentence.hit.table and label.split():
        head = label.split()[-1]  # the column's last header row: "预算数", "完成数", "占预算(%)"
        total = sum(weights.values()) or 1.0
        fit += 0.4 * sum(w for kw, w in weights.items() if kw in head or head.rstrip("数") in kw) / total
        # "债务限额 A=B+C" beside "一般债务 B" and "专项债务 C": the column that totals the others, when the
        # question names no part (a part's own words lift that column instead).
        if _TOTAL_COLUMN.search(label):
            fit += 0.1
    return fit


_TOTAL_COLUMN = re.compile(r"合计|总计|小计|[a-z]\s*=\s*[a-z]\s*\+", re.IGNORECASE)


# "占全市户籍人口的50.6%": the whole a stated share is of, written before it in its clause.
_STATED_WHOLE = re.compile(r"占(?!比)([^,，;；。占]{1,20}?)的?(?:比重|比例)?(?:为|达|是)?\s*$")


def _share_of_another(question: Question, folded: str, found: Found, weights: dict[str, float]) -> bool:
    """A share the sentence states of another whole than the question names: "户籍迁入人口中女性占多大比例" is not
    answered by "女性…占全市户籍人口的50.6%"."""
    if not question.share or found.unit != "%":
        return False
    stated = _STATED_WHOLE.search(folded[clause_start(folded, found.start):found.start])
    asked = question.folded
    at = asked.find("占")
    whole = re.split(r"的?比|多大|多少", asked[at + 1:])[0] if at >= 0 else ""
    if not whole.strip() and "中" in asked[:max(at, 0)]:
        whole = asked[:asked.rfind("中", 0, at)]  # "A中B占多大比例": of A
    words = [kw for kw in weights if kw in whole]
    return bool(stated and words) and not all(kw in stated.group(1) for kw in words)


def _candidates(sents: list[Sentence], question: Question, weights: dict[str, float]) -> list[Candidate]:
    """The figures that may answer, best first: from the best few passages, or, where none of theirs fits (the
    year's table is another year's), from the next few."""
    return _candidates_within(sents, question, weights, FIGURE_PASSAGES) \
        or _candidates_within(sents, question, weights, WHOLE_MATCH_PASSAGES)


def _candidates_within(sents: list[Sentence], question: Question, weights: dict[str, float],
                       passages: int) -> list[Candidate]:
    candidates = []
    whole, _, asked_part = question.folded.partition("中的")
    part_words = [kw for kw in weights if kw in asked_part and kw not in whole]
    needed = min(2, len(_naming(weights)))
    for sentence in sents:
        # A sentence holding every word asked counts a little further down ("國庫署原列…", first by its words,
        # fifth when the meaning of long budget lines blurs).
        every_word = sentence.coverage >= EVERY_WORD and sentence.rank < WHOLE_MATCH_PASSAGES and not sentence.hit.table
        if sentence.rank >= passages and not every_word or sentence.coverage < MIN_COVERAGE:
            continue
        if sentence.held < needed:
            continue  # one word in common ("原列") is not the thing asked about ("国库署岁出原列")
        if part_words and not any(kw in sentence.folded for kw in part_words):
            continue  # "收入中的税收收入": a sentence not naming the part states the whole, or another thing
        figures = extract(sentence.text)
        for number, found in enumerate(figures):
            if _not_a_figure(sentence, found):
                continue
            if sentence.hit.table and not found.unit:
                found = Found(found.start, found.end, found.value, _cell_unit(sentence, found), found.chinese)
            said, part = _stated_as(sentence, found)
            # A gap only for a gap, a target only when asked, a part of the year only when that part is asked
            # ("上半年…增长4.8%" for "上半年增长了多少"): never one for the other. "改列为多少" asks the value a
            # review settled on, "原列" the one first proposed: a figure frozen, spent or settled is another.
            unsettled = "改列" in question.folded and not _SETTLED.search(_own_label(sentence, found)) \
                or "原列" in question.folded and "原列" not in _own_label(sentence, found) \
                or _own_label(sentence, found).endswith("冻结") and "冻结" not in question.folded  # held back
            near = sentence.folded[max(found.start - 12, 0):found.start]
            if unsettled or not _fits_measure(question, found.unit, near) \
                    or ("gap" in said) != question.gap \
                    or part and part not in question.parts or "target" in said and not question.target \
                    or _counterpart(question, sentence, found) or _age_group(question, sentence.folded, found) \
                    or _sub_item(question, sentence.folded, found) or _of_several_years(question, sentence, found) \
                    or _share_of_another(question, sentence.folded, found, weights) \
                    or _of_another_subject(question, sentence, found, weights):
                continue
            labelled = _label_fit(sentence, found, question, weights)
            if labelled is None:
                continue
            # A gap is its own kind: "增速比全国高出多少" asks the 15.9个百分点 of "增速23.9%，高于全国15.9个百分点".
            earlier = figures[number - 1] if number else None
            fit = 0.2 if question.gap else _kind_fit(sentence, found, question, earlier)
            agreement = same_unit(question.unit, found.unit)
            # "三次", "三个": counts in words are figures only when their unit is what is asked.
            if fit is None or found.chinese and agreement < 1:
                continue
            support = _support(sentence, found, weights, question.nouns)
            unknown = sentence.hit.table and not found.unit  # a table cell whose unit no header states
            # The evidence for this figure, named: the score is their sum, and the confidence reads them too.
            evidence = {
                "support": support,
                "unit": 0.5 * agreement - 0.6 * (bool(question.unit) and agreement == 0 and not unknown),
                # "12一件事" is rarely what is asked, unless a ratio is ("性别比为108.78")
                "bare": -0.3 * (not base_unit(found.unit) and not unknown and question.measure != "ratio"),
                "retrieval": 0.2 * sentence.hit.score - 0.05 * sentence.rank,
                "coverage": COVERED * sentence.coverage,
                "kind": fit - 0.1 * found.chinese,
                "part": -0.1 * (_a_part(sentence.folded, found) and not _PART_ASKED.search(question.folded)),
                "unasked": -min(0.2, 0.02 * _unasked(question, sentence.folded, found)),
                "narrower": -0.3 * _narrower(question, sentence, found),
                "change": _change_bonus(sentence.folded, found, question),
                "year": _year_penalty(sentence, question),
                "label": labelled,
                # A part of the year or a plan asked: the whole year's figure, or a result, is the weaker answer.
                "period": -0.3 * bool(question.parts and not part),
                "target": -0.3 * (question.target and "target" not in said),
                "plan": -0.3 * _planned_beside_result(question, sentence, found),
            }
            candidates.append(Candidate(sentence, found, sum(evidence.values()), evidence))
    return sorted(candidates, key=lambda c: -c.score)


def _figure(c: Candidate, found: Found | None = None, label: str = "") -> Figure:
    found = found or c.found
    s = c.sentence
    text = s.text[found.start:found.end]
    if not label and s.hit.table:
        # A cell is named by its row and its column ("行政许可 本年处理决定数量"), never by the whole row: a row
        # without a name of its own ("行政复议 结果维持 1；行政复议 结果纠正 1；…") has only its cells.
        column = s.text[found.start - len(_own_label(s, found)):found.start].strip()  # folding keeps offsets
        row = s.text.split("：", 1)[0] if "：" in s.text[:found.start] else ""
        label = f"{row} {column}".strip()
    if not label:
        label = s.text[clause_start(s.text, found.start):found.start].strip()[-12:]
    qualifier = QUALIFIER.match(text)
    skip = len(qualifier.group()) if qualifier else 0  # "超1亿人次": the figure is 1亿人次, qualified by 超
    return Figure(text=text[skip:], value=found.value, unit=found.unit, label=label, evidence=s.text,
                  start=s.start + found.start + skip, end=s.start + found.end, qualifier=text[:skip])


def _anchored(item: str, question: str, *, first: bool) -> int:
    """How much of an item's edge the question repeats: its start, or for the first item its end.

    List items carry the words around the list ("…事项网上办", "一次办比例"); the
    item itself sits at the edge that touches its neighbours.
    """
    if first:
        return max((n for n in range(len(item), 0, -1) if item[-n:] in question), default=0)
    return max((n for n in range(len(item), 0, -1) if item[:n] in question), default=0)


def _respectively(c: Candidate, question: Question) -> tuple[list[Figure], bool] | None:
    """Figures of an "A、B、C分别X、Y、Z" list that the question asks about.

    Returns (figures, aligned); None when the figure is not in such a list.
    aligned is False when items and figures do not pair up one to one.
    """
    text = c.sentence.folded
    marker = text.rfind("分别", 0, c.found.start)
    if marker < 0:
        return None
    figures = [f for f in extract(c.sentence.text) if f.start > marker]
    run: list[Found] = []
    for f in figures:
        # Before the first figure a verb phrase may stand ("分别开展联合检查35次"); between
        # figures only list glue ("、", "和", or nothing where the capture lost it).
        glue = text[run[-1].end:f.start] if run else text[marker + 2:f.start]
        if not (_LIST_GLUE.match(glue) if run else _LEAD.match(glue)):
            break
        run.append(f)
    if len(run) >= 2 and not question.origin:
        # "分别由151元、96元、90元提高至171元、106元、100元": the values reached, unless the start is asked.
        reached = _REACHED.match(text, run[-1].end)
        after = [f for f in figures if reached and f.start >= reached.end()][:len(run)]
        if reached and len(after) == len(run) and all(_LIST_GLUE.match(text[a.end:b.start])
                                                      for a, b in zip(after, after[1:])):
            run = after
    if len(run) < 2 or (c.found not in run and not question.respectively):
        return None
    # "12、15件": the last unit counts for the bare numbers before it.
    carried = next((f.unit for f in reversed(run) if f.unit), "")
    run = [f if f.unit else Found(f.start, f.end, f.value, carried) for f in run]
    opening = clause_start(text, marker)
    items = [i for i in re.split(r"、|和|及|与", text[opening:marker]) if i.strip()]
    if len(items) != len(run):
        subject = text[opening:marker].strip()
        return [_figure(c, f, label=subject) for f in run], False
    # Items carry words around them ("…事项网上办", "一次办比例"): match on the longest shared run.
    asked = translate(question.folded)
    overlaps = [_anchored(item.strip(), asked, first=i == 0) for i, item in enumerate(items)]
    named = [i for i, n in enumerate(overlaps) if n >= 2 and n == max(overlaps)]
    chosen = named if len(named) == 1 and not question.respectively else range(len(run))
    if question.respectively:
        # "困难残疾人生活补贴和重度残疾人护理补贴分别提高到多少" of a list of three: the two it names.
        named = [i for i, n in enumerate(overlaps) if n >= 2]
        chosen = named if len(named) >= 2 else chosen
    return [_figure(c, run[i], label=items[i].strip()[-8:]) for i in chosen], True


def asked_items(folded: str) -> list[str]:
    """The items a 分别 question names apart: "城镇和农村居民…分别增长多少" → 城镇, 农村."""
    from qa.retrieval.tokens import load_jieba

    marker = re.search(r"分别|各自|各是|各为", folded)
    if not marker:
        return []
    parts = re.split(r"和|、|与|及|以及", folded[:marker.start()])
    if len(parts) < 2:
        return []
    jieba = load_jieba()
    words = [[w for w in jieba.lcut(p) if re.search(r"[\u4e00-\u9fff]|^(?=.*[a-z])[a-z0-9]+$", w)] for p in parts]
    # Each item by a word the others lack; the first item ends its part, the others open theirs.
    own = [[w for w in ws if not any(w in other for j, other in enumerate(words) if j != i)]
           for i, ws in enumerate(words)]
    if not all(own):
        return []
    return [own[0][-1]] + [w[0] for w in own[1:]]


def _items_of(question: Question) -> list[str]:
    """The items a 分别 question names apart, its places aside (the 和 of 和田 joins nothing)."""
    text = question.folded
    for name in question.place_words:
        text = text.replace(name, " ")
    return asked_items(text)


def _items_apart(ranked: list[Candidate], items: list[str]) -> list[Figure] | None:
    """A 分别 question's `items` the report states in separate clauses ("城镇居民…增长4.6%；农村居民…增长7.5%"):
    each item's best figure whose own clause names it, all of one kind of unit; None unless every item has one."""
    chosen: list[Candidate] = []
    for item in items:
        others = [i for i in items if i != item]
        for c in ranked:
            text = c.sentence.folded
            clause = text[clause_start(text, c.found.start):c.found.start]
            # The item named last before it, in its own clause ("城镇居民…增长4.6%") or the sentence's earlier
            # one ("城镇居民人均可支配收入41000元，增长4.6%"); a list of all of them is `_respectively`'s.
            named = [(text.rfind(i, 0, c.found.start), i) for i in items if i in text[:c.found.start]]
            if named and max(named)[1] == item and not any(o in clause for o in others) and c not in chosen \
                    and c.support >= MIN_SUPPORT:
                chosen.append(c)
                break
        else:
            return None
    if len(chosen) < 2 or len({unit_class(c.found.unit) for c in chosen}) > 1:
        return None
    return [_figure(c, label=item) for c, item in zip(chosen, items)]


def _where(hit: Hit) -> dict[str, str]:
    return {"title": hit.title, "source": hit.source, "section": hit.section}


def _figure_answer(text: str, question: Question, sents: list[Sentence], weights: dict[str, float],
                   shown: list[Hit], *, gate: bool = True) -> tuple[Answer | None, dict[str, float] | None]:
    """The answer with its figure(s), or None when no figure is clearly the one asked for; with the figure, the
    named features the confidence model reads (and, with `gate`, a figure it doubts is not given)."""
    from qa.answers.confidence import confident, features

    ranked = _candidates(sents, question, weights)
    if not ranked:
        return None, None
    best, s = ranked[0], ranked[0].sentence
    if s.coverage < MIN_COVERAGE or best.support < MIN_SUPPORT or best.score < MIN_SUPPORT:
        return None, None
    listed = _respectively(best, question)
    items = _items_of(question) if question.respectively else []
    if listed is None and question.respectively:
        apart = _items_apart(ranked, items)
        listed = (apart, True) if apart else None
    written = s.text[best.found.start:best.found.end]
    rival = next((c for c in ranked[1:] if c.sentence.text[c.found.start:c.found.end] != written), None)
    # A table row's cells differ by their columns alone: with none asked ("调整预算数 178000；预算数 170000" for "收入
    # 是多少"), nearness to the row's name picks the first. A planned column beside a result column is no rival.
    unnamed_column = s.hit.table and not any(kw in _own_label(s, best.found) for kw in weights) and any(
        c.sentence is s and c.sentence.text[c.found.start:c.found.end] != written and not c.evidence["plan"]
        for c in ranked[1:])
    # Rows of one table differ by their names alone: with the best cell's row not asked ("福田" for 深圳's 常住人口)
    # and other rows of its table competing, no row is the one asked.
    unnamed_row = s.hit.table and best.evidence["narrower"] < 0 and any(
        (c.sentence.hit.source, c.sentence.hit.table) == (s.hit.source, s.hit.table)
        and _row_name(c.sentence) != _row_name(s) for c in ranked[1:])
    if listed is None:
        several = len(items) >= 2
        if several or unnamed_column or unnamed_row or rival and rival.score > best.score - MARGIN:
            # Two figures fit about as well, a cell of a column or a row not asked, or one figure for a question
            # asking several ("城镇和农村…分别"): show the sentence rather than pick one.
            return Answer(text, None, s.text, hits=shown, answered=True, **_where(s.hit)), None
        figures = [_figure(best)]
    else:
        figures, aligned = listed
        if not aligned:  # items and figures don't pair up: show the clause, don't guess
            return Answer(text, None, s.text, figures=figures, hits=shown, answered=True, **_where(s.hit)), None
    named = features(best.evidence, score=best.score, margin=best.score - rival.score if rival else 1.0,
                     candidates=len(ranked), listed=listed is not None, table=bool(s.hit.table),
                     rewritten=bool(question.searched), unit_asked=bool(question.unit),
                     measure_asked=bool(question.measure), change_asked=bool(question.change))
    if gate and not confident(named):
        return Answer(text, None, s.text, hits=shown, answered=True, **_where(s.hit)), named
    joined = "、".join(f.text for f in figures)
    return Answer(text, joined, s.text, figures=figures, hits=shown, answered=True, **_where(s.hit)), named


def proposal(question: Question, hits: list[Hit], *, weights: dict[str, float],
             must_name: dict[str, tuple[str, ...]] | None = None, k: int = 5) -> tuple[Answer | None, dict | None]:
    """The figure answer chosen before the confidence gate, with the features the gate reads (for training it)."""
    weights = _scoped(weights)
    sents = _sentences(hits[:max(k, WHOLE_MATCH_PASSAGES)], weights, must_name or {}, question)
    if not sents or not weights or not question.quantity:
        return None, None
    return _figure_answer(question.text, question, sents, weights, hits[:k], gate=False)


def answer(question: Question, hits: list[Hit], *, weights: dict[str, float],
           must_name: dict[str, tuple[str, ...]] | None = None, k: int = 5, by_document: bool = False,
           text_of: Callable[[str], str] | None = None) -> Answer:
    """Answer `question` from the passages retrieved for it, best first.

    With `by_document`, a question whose figure differs between the reports among the best
    passages is answered report by report (`Answer.by_document`), each from its own passages
    in the same pool.
    """
    must_name = must_name or {}
    result = _answer(question, hits, weights=weights, must_name=must_name, k=k, text_of=text_of)
    if not by_document or not result.figure:
        return result
    each = [result]
    # Only reports among the best few passages can hold a competing figure.
    for source in dict.fromkeys(h.source for h in hits[:FIGURE_PASSAGES + 1] if h.source != result.source):
        own = [h for h in hits if h.source == source]
        other = _answer(question, own, weights=weights, must_name=must_name, k=k)
        if other.figure and other.figure != result.figure:
            each.append(other)
    if len(each) == 1:
        return result
    return Answer(question.text, None, "", hits=result.hits, answered=True, by_document=each)


def _answer(question: Question, hits: list[Hit], *, weights: dict[str, float],
            must_name: dict[str, tuple[str, ...]], k: int, text_of: Callable[[str], str] | None = None) -> Answer:
    text = question.text
    shown = hits[:k]
    weights = _scoped(weights)
    sents = _sentences(hits[:max(k, WHOLE_MATCH_PASSAGES if question.quantity else FIGURE_PASSAGES)], weights,
                       must_name, question)
    if not sents or not weights:
        return Answer(text, None, "", hits=shown)
    def score(s: Sentence) -> float:
        return s.coverage + 0.3 * s.hit.score - 0.05 * s.rank

    best = max(sents, key=lambda s: (score(s), -s.rank))
    figured = None
    if best.coverage >= MIN_COVERAGE and question.quantity:
        figured = _figure_answer(text, question, sents, weights, shown)[0]
    if (figured is None or figured.figure is None) and question.listing:
        # The list asked is the one the best sentences lead or stand in: its lead may hold fewer of the question's
        # words than a sentence elsewhere that holds no list ("以上民生实事…" after the list).
        # A sentence inside an item's body is a list's anchor only when it is the best sentence and answers well.
        # A year asked counts: "2025年的民生实事" are the plan's, not the review's of 2024.
        anchors = sorted((s for s in sents if s.coverage >= LIST_COVERAGE),
                         key=lambda s: (-score(s) - _year_penalty(s, question), s.rank))[:LIST_ANCHORS]
        chosen = None
        for anchor in anchors:
            (items, starts), within = _enumeration(anchor, hits, text_of(anchor.hit.source) if text_of else "")
            if items and not within:
                chosen = anchor, items, starts
                break
            if items and chosen is None and score(anchor) >= score(best) and best.coverage >= MIN_COVERAGE:
                chosen = anchor, items, starts  # unless a list that a sentence leads comes after
        if chosen:
            anchor, items, starts = chosen
            return Answer(text, None, anchor.text, hits=shown, answered=True, items=items, item_starts=starts,
                          **_where(anchor.hit))
    if best.coverage < MIN_COVERAGE:
        return Answer(text, None, "", hits=shown)
    return figured or Answer(text, None, best.text, hits=shown, answered=True, **_where(best.hit))


def _enumeration(best: Sentence, hits: list[Hit], text: str = "") -> tuple[tuple[list[str], list[int]], bool]:
    """The enumeration the best sentence opens or stands in ("一是…", "二是…"; "（一）"; "1."), item by item in
    the report's order: read from the report's `text` around it when the index keeps the text (a list of section
    headings, each over paragraphs of its own, is read whole), else from the passages of its section among the
    hits; [] when it stands in none. With the items, where each starts in the report; and whether the sentence
    stands in an item's body, neither leading the list nor an item itself."""
    placed = best.hit.start + best.hit.text.find(best.text)  # where the best sentence stands in the report
    if text and best.text in best.hit.text:
        start = max(placed - LIST_BEFORE, 0)
        read = _pieces(text[start:placed + LIST_AFTER], start, paragraphs=True)
    else:
        same = sorted({(h.start, h.text) for h in hits
                       if (h.source, h.section) == (best.hit.source, best.hit.section)})
        read = {}  # passages may overlap: each piece once, by where it stands in the report
        for start, passage in same:
            for offset, piece in _pieces(passage, start, paragraphs=False).items():
                read.setdefault(offset, piece)
    offsets = sorted(read)
    ordered = [read[o][0] for o in offsets]
    marks = [_item_mark(t) for t in ordered]
    numbers, styles = [n for n, _ in marks], [style for _, style in marks]
    inside = [i for i, o in enumerate(offsets) if placed <= o < placed + len(best.text)] \
        or [i for i, t in enumerate(ordered) if t and t in best.text]
    if not inside or not any(numbers):
        return ([], []), False
    # The run of items 1, 2, 3 … the best sentence opens ("…以下工作：") or stands in. A piece without a mark
    # belongs to the item before in its paragraph (shown when that item is a short heading); a paragraph without
    # one (a heading's body) is passed over, and a section heading ("三、") ends the run.
    at = inside[-1]
    # It opens the list when item 1 is the next mark, at most three sentences on and in its paragraph or the next
    # ("办好十件民生实事。今年…。一是…"), even when it is itself marked ("(八)…存在多项问题：" then "1.…").
    ahead = range(at + 1, min(at + 1 + LIST_LEAD, len(numbers)))
    after = next((i for i in ahead if numbers[i] is not None
                  or sum(read[offsets[j]][1] for j in range(at + 1, i + 1)) > 1), None)
    opens = after is not None and numbers[after] == 1
    first = after if opens else next((i for i in range(at, -1, -1) if numbers[i] == 1), None)
    if first is None:
        return ([], []), False
    items, expected, last, passed_over, marked = [], 1, first, False, []
    for i in range(first, len(ordered)):
        piece, paragraph = read[offsets[i]]
        if numbers[i] is not None and styles[i] != styles[first]:
            numbers[i] = None  # a list of another kind inside an item ("一是…" under "（十）"): the item's text
        if numbers[i] == expected:
            items.append(piece)
            marked.append(i)
            expected, last, passed_over = expected + 1, i, False
        elif numbers[i] is not None or _SECTION_HEADING.match(piece):
            break
        elif paragraph or passed_over:
            passed_over = True
        else:
            if len(items[-1]) < ITEM_HEAD:  # a heading-like item ("1.医疗卫生方面。") takes the sentence after it
                items[-1] += piece
            last = i
    # The best sentence must be in the run, or the run is another list's.
    if len(items) < 2 or not (opens or first <= at <= last):
        return ([], []), False
    return (items, [offsets[i] for i in marked]), not opens and not set(inside) & set(marked)


def _pieces(text: str, start: int, *, paragraphs: bool) -> dict[int, tuple[str, bool]]:
    """`text`'s sentences by their offset (`start` + where they stand), items inside one sentence ("主要体现在
    三个方面：一是…；二是…") apart; each with whether it opens a paragraph (only when `paragraphs`)."""
    read = {}
    line_start = 0
    for line in text.split("\n") if paragraphs else [text]:
        opening = paragraphs
        for s, e in sentences(line):
            for piece in _ITEMS_INSIDE.finditer(line[s:e]):
                if piece.group().strip():
                    read[start + line_start + s + piece.start()] = (piece.group().strip(), opening)
                    opening = False
        line_start += len(line) + 1
    return read


def _item_mark(text: str) -> tuple[int | None, int]:
    """The number an enumeration mark gives a sentence (一是 → 1, （二） → 2, 3. → 3; None without one) and the
    kind of mark (一是, 第一, （一）, 1., ①; -1 without one): lists of one kind are read together."""
    mark = _ITEM_MARK.match(text)
    if not mark:
        return None, -1
    style, written = next((i, g) for i, g in enumerate(mark.groups()) if g)
    return _ordinal(written), style


def _ordinal(written: str) -> int | None:
    """一 → 1, 十二 → 12, 3 → 3, ② → 2; None for what is no ordinal."""
    if "①" <= written <= "⑳":  # before isdigit(), which holds for ① too
        return ord(written) - ord("①") + 1
    if written.isdigit():
        return int(written)
    # 一 … 十, 十一 … 十九, 二十 …: tens before 十, units after it.
    tens, ten, units = written.rpartition("十")
    if not ten:
        return _CN_ORDINAL.index(written) + 1 if written in _CN_ORDINAL else None
    digits = [_CN_ORDINAL.index(d) + 1 if d in _CN_ORDINAL[:9] else None for d in (tens or "一", units or "")]
    if digits[0] is None or units and digits[1] is None:
        return None
    return 10 * digits[0] + (digits[1] or 0)


def describe(answer: Answer) -> str:
    """The answer as a few lines for a terminal."""
    if answer.by_document:
        return "各报告的数字不同:\n" + "\n".join(describe(a) for a in answer.by_document)
    lines = [answer.notice] if answer.notice else []
    if answer.figure:
        lines.append(f"答案: {answer.stated}")
    elif not answer.answered:
        lines.append("报告中没有找到这个问题的答案。")
    if answer.evidence:
        lines.append(f"依据: {answer.evidence}")
        lines.append(f"出处: {answer.title} · {answer.section or '正文'} ({answer.source})")
    if not answer.answered and answer.hits:
        lines.append("最接近的段落:")
        lines += [f"  [{h.score:.3f}] {h.text}" for h in answer.hits[:3]]
    return "\n".join(lines)
