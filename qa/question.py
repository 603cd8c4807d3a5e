"""What a question asks for: a quantity or not, the unit it expects, its keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.figures import UNITS
from qa.textnorm import clean_query

_QUANTITY = re.compile(
    r"多少|几[个宗件项人名次份期家所条篇场起户元岁台辆套批类]?|多大|多高|多长|比例|占比|百分之几|百分比|比率|"
    r"\w率(?!先)|同比|增长|增加了|减少了|下降了|数量|总数|how many|how much|what share|what percentage|"
    r"what proportion|what rate|number of|\bpercent"
)
_PERCENT = re.compile(r"比例|占比|百分之几|百分比|比率|\w率|同比|what share|percent|proportion|rate")
_UNIT_WORDS = "|".join(map(re.escape, UNITS))
_ASKED_UNIT = re.compile(rf"(?:多少|几)({_UNIT_WORDS})")
# Words that shape the question but name nothing in the report.
_QUESTION_WORDS = frozenset(
    "多少 几 多大 什么 哪些 哪个 哪里 哪 谁 怎么 怎样 如何 是否 是 吗 呢 吧 啊 了 的 得 地 有 在 对 和 与 及 或 把 被 "
    "什么时候 时候 何时 哪年 哪天 哪一年 请问 一共 共 总共 分别 目前 现在 这 那 其 之 也 都 就 并 由 从 到 向 给 为 将 "
    "情况 结果 数量 数字 比例 占比 "
    "区里 里 区 年 开 一下 是不是 有没有 多 少 个 ? ？ , ， 。 、".split()
)
# Asking for the starting value of a change ("原来有多少项"), not where it ended.
_ORIGIN = re.compile(r"原来|原先|原有|之前|以前|此前|起初|最初|调整前|改革前|before|previous|original|initial|used to")
_RESPECTIVELY = re.compile(r"分别|各自|各是|各为|respectively|each")


@dataclass(frozen=True)
class Question:
    text: str  # as asked
    folded: str  # simplified, NFKC, lower case
    quantity: bool  # asks for a figure
    unit: str  # the unit it expects ("宗", "%"), "" when it does not say
    keywords: tuple[str, ...]  # content words
    nouns: frozenset[str]  # the keywords that are nouns (what a figure can count)
    origin: bool  # asks for the value before a change
    respectively: bool  # asks for each of several items


def _keywords(folded: str) -> tuple[tuple[str, ...], frozenset[str]]:
    from jieba import posseg

    from qa.glossary import translate
    from qa.tokens import load_jieba

    load_jieba()
    words, nouns = [], set()
    # "第几次", "多少宗": the asking phrase, not content.
    text = re.sub(rf"第几\w?|(?:多少|几)(?:{_UNIT_WORDS})?", " ", translate(folded))
    for pair in posseg.lcut(text):
        word = pair.word.strip().rstrip("了过着")
        if len(word) < 2 or word in _QUESTION_WORDS:
            continue
        if re.fullmatch(r"[\W_]+|\d+(\.\d+)?[年月日]?|[a-z]+", word):
            continue  # punctuation, years, untranslated English words
        if word in UNITS and len(word) == 1:
            continue
        words.append(word)
        if pair.flag.startswith(("n", "vn")):
            nouns.add(word)
    return tuple(dict.fromkeys(words)), frozenset(nouns)


def analyse(question: str) -> Question:
    """Read a question (simplified or traditional Chinese, or English)."""
    folded = clean_query(question)
    keywords, nouns = _keywords(folded)
    unit_match = _ASKED_UNIT.search(folded)
    unit = unit_match.group(1) if unit_match else ""
    if not unit and _PERCENT.search(folded):
        unit = "%"
    return Question(
        text=question, folded=folded,
        quantity=bool(_QUANTITY.search(folded)) and "第几" not in folded,
        unit=unit, keywords=keywords, nouns=nouns,
        origin=bool(_ORIGIN.search(folded)), respectively=bool(_RESPECTIVELY.search(folded)),
    )
