"""Finding figures in report text: counts, amounts and percentages, as written.

Works on folded text (qa.textnorm.fold keeps offsets), so every span maps back
to the original characters, which are what a Figure shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qa.textnorm import fold

def _measure_words() -> list[str]:
    """Chinese measure words and units: jionlp's list of quantifiers counted in a large corpus (read as a
    file, without importing jionlp), plus the compounds reports use, longest first so "个工作日" beats "个"."""
    import importlib.util

    words = set(_OWN_UNITS.split())
    spec = importlib.util.find_spec("jionlp")
    if spec and spec.submodule_search_locations:
        listed = Path(spec.submodule_search_locations[0]) / "dictionary" / "quantifiers_stat.txt"
        if listed.is_file():
            for line in listed.read_text("utf-8").splitlines():
                word = line.split("\t")[0].strip()
                # Chinese words only (Latin ones like "g", "m" glue onto codes), not dates and times.
                if word and re.fullmatch(r"[\u4e00-\u9fff／/]+", word) and word not in _NOT_UNITS \
                        and len(set(word)) == len(word):
                    words.add(word)
    return sorted(words, key=len, reverse=True)


_OWN_UNITS = """宗 件 项 人 名 个 次 份 期 家 所 条 篇 场 起 户 元 岁 台 辆 套 批 类 册 本 部 位 支 座 间 门 处 块 张
    个月 个工作日 个百分点 百分点 人次 件次 户次 元 平方米 平方公里 公里 千米 米 亩 吨 小时 分钟 天 周 成 倍 例 标准箱 标箱
    千瓦时 千瓦 公顷 架次 艘 度 斤 头 只 羽 株 床 张 所 校 列 栋 幢 套 个点 千克 公斤 立方米 美元 港元 欧元 人民币 对"""
# Measure words in jionlp's list that name dates, times, ranks or nothing countable in a report.
_NOT_UNITS = set("年 号 点 分 秒 代 些 届 周年 节 章 页 道 方 口 折 番 级 层 首 句 段 步 轮 遍 趟 阵 堂 胎 伙 辈子 滴 勺 "
                 "丝 席 幕 笔 把 片 天天 种 股 款".split())
UNITS = _measure_words()
_UNIT_SET = frozenset(UNITS)
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_MULTIPLIER = "万亿千兆"
MULTIPLIERS = {"兆": 1e12, "万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
_UNIT = "|".join(map(re.escape, UNITS))
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# How a report qualifies a figure before it: "超1亿人次", "约130亿元". The figure is what follows.
QUALIFIER = re.compile(r"^(近|约|超过|超|逾|大约|将近)")
_FIGURE = re.compile(
    rf"""
    (?P<prefix>{QUALIFIER.pattern[1:]})?
    (?:
        百分之(?P<cn_percent>[{_CN_DIGITS}点]+)
        # "2兆7,739亿9,228万8千元", "209万6,875度": a number written in parts, largest first.
      | (?P<number>{_ARABIC}(?:(?:兆|亿|万){_ARABIC})*)(?:\s*[-~～至到]\s*(?P<upper>{_ARABIC}))?
      | (?P<cn_number>[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)
    )
    (?P<multiplier>万亿|千万|百万|[{_MULTIPLIER}])?
    (?P<suffix>余|多)?
    (?P<unit>%|‰|{_UNIT})?
    """,
    re.VERBOSE,
)
# Units that count the same kind of thing, for a near match between question and figure.
NEAR_UNITS = [{"宗", "件", "起", "项"}, {"人", "名", "位", "人次"}, {"个", "家", "所", "处"}, {"次", "场", "期"},
              {"份", "篇", "册", "本"}, {"%", "百分点", "个百分点"}]


# A ratio written with colons: "2.09:1", "16.5：43.1：40.4" (folded, so ":"). A time ("15:07") has two whole
# numbers, the second of two digits; a ratio has a decimal, a third part or a last part of one digit.
_RATIO = re.compile(r"(?<![\d.:])\d+(?:\.\d+)?(?:\s*:\s*\d+(?:\.\d+)?)+(?![\d.:])")


def _ratio(text: str) -> bool:
    parts = re.split(r"\s*:\s*", text)
    return any("." in p for p in parts) or len(parts) > 2 or len(parts[-1]) == 1


@dataclass(frozen=True)
class Found:
    """A figure in a text: its span, value and unit."""

    start: int
    end: int
    value: float
    unit: str
    chinese: bool = False  # written in Chinese numerals ("三次"): a figure only when its unit is asked for


def _cn_value(text: str) -> float | None:
    import cn2an

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _inside_title(folded: str, position: int) -> bool:
    """Inside 《…》, a document's name such as 《清单(2022年版)》."""
    opened = folded.rfind("《", 0, position)
    return opened >= 0 and folded.rfind("》", opened, position) < 0


def extract(text: str) -> list[Found]:
    """Every figure in `text` that counts or measures something.

    Years and dates (2022年, 3月1日), ordinals (第四次, (一)), numbers inside
    document names and bare single Chinese numerals (一是, 一次办) are left out.
    """
    folded = fold(text)
    ratios = [m for m in _RATIO.finditer(folded) if _ratio(m.group())]
    found = [Found(m.start(), m.end(), float(m.group().split(":")[0]), "") for m in ratios]
    for match in _FIGURE.finditer(folded):
        start, end = match.span()
        if start == end or any(r.start() <= start < r.end() for r in ratios):
            continue
        unit = match.group("unit") or ""
        multiplier = match.group("multiplier") or ""
        chinese = False
        # A space stands for "nothing there", so the `in` tests below never see "".
        before = folded[start - 1] if start else " "
        after = folded[end] if end < len(folded) else " "
        if before == "第" or _inside_title(folded, start):
            continue
        if match.group("cn_number") is not None:
            numeral = match.group("cn_number")
            # "一次办", "一是", "两个确立": a lone Chinese numeral is a word, not a figure.
            if (len(numeral) == 1 and numeral in "一两") or not unit or after in "是则来方":
                continue
            value = _cn_value(numeral)
            chinese = True
        elif match.group("cn_percent") is not None:
            value, unit = _cn_value(match.group("cn_percent")), "%"
        else:
            digits = match.group("number")
            # Dates, years and times: 2022年, 3月, 1日, 15:07, and numbers glued to letters (ICP codes).
            # "110万人年度任务": a counted figure before 年度 is no date.
            dated = after in "年月日号时:" and not (unit and folded.startswith("年度", end))
            if dated or before.isascii() and before.isalnum() or after.isascii() and after.isalpha():
                continue
            if before in "./:" or before == "-" and folded[max(0, start - 2):start - 1].isdigit() \
                    or (len(digits) == 4 and digits.startswith(("19", "20")) and not unit):
                continue
            if not unit and after in ".．、" and before in " ,，。；;:：\n(（":  # "1.加强学习": a list label
                continue
            value = _parts_value(digits, MULTIPLIERS.get(multiplier, 1))
            if before in "-−" and not re.match(r"[0-9a-z]", folded[max(0, start - 2):start - 1]):
                start, value = start - 1, -value  # "增长-3.2%"
        if value is None:
            continue
        if match.group("number") is None:  # Chinese numerals: the multiplier after them scales the whole
            value *= MULTIPLIERS.get(multiplier, 1)
        # "1000余次" ends at the unit; a bare "余" or "多" with no unit is not part of the figure.
        if match.group("suffix") and not unit:
            end -= 1
        compound = match.group("number") and re.search(r"[兆亿万]\d", match.group("number"))
        found.append(Found(start, end, value, unit if compound else multiplier + unit, chinese))
    return sorted(found, key=lambda f: f.start)


def _parts_value(digits: str, last: float = 1) -> float:
    """ "2兆7,739亿9,228万8" with 千 after it -> 2·10¹² + 7739·10⁸ + 9228·10⁴ + 8·10³."""
    parts = re.findall(r"([\d,.]+)([兆亿万]?)", digits)
    return sum(float(number.replace(",", "")) * (MULTIPLIERS.get(multiplier, 1) if multiplier else last)
               for number, multiplier in parts)


def unit_class(unit: str) -> str:
    """What a unit measures, as far as a question's words can ask for it: rate, points, money or count."""
    bare = base_unit(unit)
    if bare in ("%", "‰", "成"):
        return "rate"
    if bare in ("个百分点", "百分点"):
        return "points"
    if bare.endswith("元"):
        return "money"
    return "count" if bare else ""


def base_unit(unit: str) -> str:
    """The measure word without its 万/亿/千 multiplier: "万件" → "件", "亿千瓦时" → "千瓦时"."""
    for multiplier in sorted(MULTIPLIERS, key=len, reverse=True):
        if unit.startswith(multiplier) and unit[len(multiplier):] and unit not in _UNIT_SET:
            return base_unit(unit[len(multiplier):])
    return unit


def same_unit(asked: str, unit: str) -> float:
    """1 when the units agree, 0.6 when they count the same kind of thing, else 0."""
    if not asked or not unit:
        return 0.0
    bare = base_unit(unit)
    if asked == bare or asked == unit:
        return 1.0
    return 0.6 if any(asked in group and bare in group for group in NEAR_UNITS) else 0.0


# What the words just before a figure say it is. "比上年增长4.7%", "较上年±% 6.42", "增列105亿元": a change;
# "提高到209元", "增至433项": where a change ended, a level.
# The verbs of a change, one way and the other, as reports and questions write them (not 增加值).
RISE_VERBS = "增长|增加(?!值)|提高|上涨|上升|扩大|延长|提升|上调"
FALL_VERBS = "下降|减少|降低|下跌|回落|缩小|缩短|压缩|下调|减轻|节约|节省"
_CHANGE_CUE = re.compile(rf"({RISE_VERBS}|{FALL_VERBS}|增幅|降幅|增速|增列|减列|增减|"
                         r"增产|减产|同比|比上年末?|较上年末?|±|[增减降涨跌升])[了为达约近超逾±+\-%\s]*[:：]?\s*$")
_SHARE_CUE = re.compile(r"(占[^,，;；。]{0,24}?(比重|比例|比率)|比重|占比)[^,，;；。\d]{0,4}$")
_DOWN = re.compile(rf"{FALL_VERBS}|减列|减产|[减降跌]")
# "减少各类证明材料376项": a verb of change ahead of its object and amount (not 增加值, not 增加到).
_CHANGE_VERB = re.compile(r"(增加|减少|下降|提高|降低|压减|削减|缩减|缩短)(?!值|到|至|为)([^\d到至为]{1,12})$")
# A part of a year, in a figure's clause or a question: "一季度…增长4.7%", "上半年", "1-6月".
PART_OF_YEAR = re.compile(r"[一二三四1-4]季度|上半年|下半年|前三季度|\d{1,2}\s*[-—~至到]\s*\d{1,2}\s*月")
_CLAUSE_END = re.compile(r"[,，;；:：。!！?？()（）]")


def clause_start(text: str, position: int) -> int:
    """Where the clause holding `position` begins."""
    return max((m.end() for m in _CLAUSE_END.finditer(text, 0, position)), default=0)


def changed_object(folded: str, found: Found) -> str:
    """What a change verb ahead of its object counts: "各类证明材料" of "减少各类证明材料376项"; "" for none."""
    verb = _CHANGE_VERB.search(folded[clause_start(folded, found.start):found.start])
    return verb.group(2).strip() if verb else ""


def kind_of(folded: str, found: Found) -> tuple[str, int]:
    """What a figure in `folded` states: ("change", +1 up / -1 down), ("share", 0), ("per_person", 0)
    or ("level", 0). Looks at the words of its own clause before it."""
    before = folded[clause_start(folded, found.start):found.start]
    change = _CHANGE_CUE.search(before[-12:]) or _CHANGE_VERB.search(before)
    if change:
        # The direction the words state: "增长-3.2%" answers "增长了多少" as written.
        return "change", -1 if _DOWN.search(change.group(1)) else 1
    if _SHARE_CUE.search(before):
        return "share", 0
    if "人均" in before:
        return "per_person", 0
    return "level", 0
