"""Finding figures in report text: counts, amounts and percentages, as written.

Works on folded text (qa.textnorm.fold keeps offsets), so every span maps back
to the original characters, which are what a Figure shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.textnorm import fold

# Measure words that make a number a count; longest first so "个工作日" beats "个".
UNITS = sorted(
    """宗 件 项 人 名 个 次 份 期 家 所 条 篇 场 起 户 元 岁 台 辆 套 批 类 册 本 部 位 支 座 间 门 处 块 张
    个月 个工作日 个百分点 百分点 人次 件次 户次 万元 亿元 元 平方米 平方公里 公里 千米 米 亩 吨 小时 分钟 天 周
    成 倍""".split(),
    key=len, reverse=True,
)
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_MULTIPLIER = "万亿千"
_UNIT = "|".join(map(re.escape, UNITS))
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_FIGURE = re.compile(
    rf"""
    (?P<prefix>近|约|超过|超|逾|大约|将近)?
    (?:
        百分之(?P<cn_percent>[{_CN_DIGITS}点]+)
      | (?P<number>{_ARABIC})(?:\s*[-~～至到]\s*(?P<upper>{_ARABIC}))?
      | (?P<cn_number>[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)
    )
    (?P<multiplier>[{_MULTIPLIER}](?![{_MULTIPLIER}]))?
    (?P<suffix>余|多)?
    (?P<unit>%|‰|{_UNIT})?
    """,
    re.VERBOSE,
)
# Units that count the same kind of thing, for a near match between question and figure.
NEAR_UNITS = [{"宗", "件", "起", "项"}, {"人", "名", "位", "人次"}, {"个", "家", "所", "处"}, {"次", "场", "期"},
              {"份", "篇", "册", "本"}, {"%", "百分点", "个百分点"}]


@dataclass(frozen=True)
class Found:
    """A figure in a text: its span, value and unit."""

    start: int
    end: int
    value: float
    unit: str


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
    found = []
    for match in _FIGURE.finditer(folded):
        start, end = match.span()
        if start == end:
            continue
        unit = match.group("unit") or ""
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
        elif match.group("cn_percent") is not None:
            value, unit = _cn_value(match.group("cn_percent")), "%"
        else:
            digits = match.group("number")
            # Dates, years and times: 2022年, 3月, 1日, 15:07, and numbers glued to letters (ICP codes).
            if after in "年月日号时:" or before.isascii() and before.isalnum() or after.isascii() and after.isalpha():
                continue
            if before in ".-/:" or (len(digits) == 4 and digits.startswith(("19", "20")) and not unit):
                continue
            if not unit and after in ".．、" and before in " ,，。；;:：\n(（":  # "1.加强学习": a list label
                continue
            value = float(digits.replace(",", ""))
        if value is None:
            continue
        multiplier = match.group("multiplier") or ""
        value *= {"万": 1e4, "亿": 1e8, "千": 1e3}.get(multiplier, 1)
        # "1000余次" ends at the unit; a bare "余" or "多" with no unit is not part of the figure.
        if match.group("suffix") and not unit:
            end -= 1
        found.append(Found(start, end, value, multiplier + unit))
    return found


def base_unit(unit: str) -> str:
    """The measure word without its 万/亿/千 multiplier: "万件" → "件"."""
    return unit.lstrip(_MULTIPLIER)


def same_unit(asked: str, unit: str) -> float:
    """1 when the units agree, 0.6 when they count the same kind of thing, else 0."""
    if not asked or not unit:
        return 0.0
    bare = base_unit(unit)
    if asked == bare or asked == unit:
        return 1.0
    return 0.6 if any(asked in group and bare in group for group in NEAR_UNITS) else 0.0
