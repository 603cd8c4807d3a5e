"""What a question asks for: a quantity or not, the unit it expects, its keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from qa.reading.figures import FALL_VERBS, PART_OF_YEAR, RISE_VERBS, UNITS, unit_class
from qa.reading.places import LAST_YEAR
from qa.textnorm import clean_query

_QUANTITY = re.compile(
    r"多少|(?<!哪)几[个宗件项人名次份期家所条篇场起户元岁台辆套批类]?|多大|多高|多长|比例|占比|百分之几|百分比|比率|"
    r"\w率(?!先)|同比|增长|增加了|减少了|下降了|数量|总数|how many|how much|what share|what percentage|"
    r"what proportion|what rate|number of|\bpercent"
)
_PERCENT = re.compile(r"比例|占比|百分之几|百分比|比率|\w率|同比|what share|percent|proportion|rate")
_UNIT_WORDS = "|".join(map(re.escape, UNITS))
# "多少宗", "几个", "多少万箱": the asking phrase and the unit it expects.
_ASKING = r"(?:多少|几)(?:万亿|亿|万|千)?"
_ASKED_UNIT = re.compile(rf"{_ASKING}({_UNIT_WORDS})")
# "占比是多少": a share asked, not its subject (a tagger reads "比是" off it). 比重 stays: reports write it.
_SHARE_WORDS = r"占比"
# "哪些方面", "哪两部分", "哪一步", "各条线": which items are asked, not what they are about.
_WHICH = r"哪(?:些|几|一|[两二三四五六七八九十])?[个条项件类种步点]?(?:方面|部分|环节)?|各[条个项类]"
# Words that shape the question but name nothing in the report.
_QUESTION_WORDS = frozenset(
    "多少 几 多大 什么 哪些 哪个 哪里 哪 谁 怎么 怎样 如何 是否 是 吗 呢 吧 啊 了 的 得 地 有 在 对 和 与 及 或 把 被 "
    "什么时候 时候 何时 哪年 哪天 哪一年 请问 一共 共 总共 分别 目前 现在 这 那 其 之 也 都 就 并 由 从 到 向 给 为 将 "
    "情况 结果 数量 数字 比例 占比 年度 达到 达 实现 累计 共计 还是 幅度 增速 增幅 增长率 降幅 涨幅 "
    "区里 里 区 年 开 一下 是不是 有没有 多 少 个 ? ？ , ， 。 、 "
    # how much of a measure is asked ("一共有多长"), and the verbs of getting it ("能分到多大")
    "多长 多高 多远 多重 多久 多宽 多深 多快 多贵 起来 加起来 加在一起 能 能够 可以 分到 拿到 领到 "
    # who asks: pronouns name nothing a report counts ("大家一年能少还多少利息")
    "大家 咱们 我们 你们 他们 人们".split()
)
# Asking for the starting value of a change ("原来有多少项"), not where it ended.
_ORIGIN = re.compile(r"原来|原先|原有|原列|之前|以前|此前|起初|最初|调整前|改革前|before|previous|original|initial|used to")
_RESPECTIVELY = re.compile(r"分别|各自|各是|各为|respectively|each")
_LESS = "少[还交缴付花掏跑]"  # "少还多少利息", "少交了多少种证明": how much less, a change down
# Asking how much something changed ("增长了多少", "跌了多少", "比上年是增还是降"), not where it ended ("提高到多少").
# "新增多少个" asks how many were added, a level.
_CHANGE = re.compile(rf"(?<!新)({RISE_VERBS}|{FALL_VERBS}|增产|减产|{_LESS}|涨|跌|增|降|减)了?"
                     r"(?!到|至|为)(多少|几|百分之几|百分比|幅度|多大|\?|？|$)|增幅|降幅|增速|增长率|同比|"
                     r"增还是降|升还是降|增还是减|变化了?多少|增列|减列|核减|调减|调增|删减|"
                     r"[比较](?:上年[末底]?|去年[末底]?|上一年|同期|年初)(?:多|少|高|低)(?:了|出)?(?:多少|几)|"
                     r"increase|decrease|grow|growth|rise|fall|drop")
# A report may state the change asked in another verb of the same way ("扩大了多少" of "同比增长29%", "缩短了多少" of
# "时限减少50%").
_SAME_WAY = (re.compile(RISE_VERBS), re.compile(FALL_VERBS))


def same_way(word: str) -> re.Pattern | None:
    """The verbs of a change in the direction `word` states ("缩短": 减少, 压缩, 下降…); None: no such verb."""
    return next((verbs for verbs in _SAME_WAY if verbs.fullmatch(word)), None)


_DOWN = re.compile(rf"{FALL_VERBS}|减产|{_LESS}|跌|降|减|[比较](?:上年[末底]?|去年[末底]?|上一年|同期|年初)(?:少|低)|decrease|fall|drop")
_SHARE = re.compile(r"占比|比重|所占|占[^多少几]{1,20}?的?比[例率]|占了?(多大|多少)的?比[例率]|占了?(多少|几成|百分之几)|share of|proportion of")
_PER_PERSON = re.compile(r"人均|平均|每人|per capita|per person")
# Asking for the value after a revision ("改列为多少", "审查后"), not the one first proposed.
_REVISED = re.compile(r"改列|审查后|审定|调整后|修正后|最后|最终|after review|revised")
# What kind of figure the question's words ask for, whatever the unit of the figure near its keywords:
# a rate or share ("维持率", "占多少", "百分之几"), a gap in percentage points ("高几个百分点"), an amount of money.
_RATE = re.compile(r"\w率(?!先)|比例|占比|比重|百分之几|百分比|比率|占多少|占了多少|占几成|几成|what share|percent|proportion")
_POINTS = re.compile(r"百分点")
# A ratio of two quantities ("性别比是多少", "城乡居民收入比为多少"): a bare number or "2.09:1", never a count.
# A column's note may stand between ("性别比（女=100）是多少", as the table heads it).
_RATIO = re.compile(r"(?<![占相对])比(?:[（(][^（）()]{1,12}[）)])?(?:是|为|有)?(?:多少|几)")
# "下调房贷利率后少还多少利息": the thing named right after the asking word is what is asked; a rate among the words
# before it is the topic.
_OTHER_THING_ASKED = re.compile(r"(?:多少|几)(?!成|左右|以上|以下|以内|上下|的话)(?!.*(?:率|比例|比重|占比|百分))"
                                r"[\u4e00-\u9fff]{2}")
_MONEY = re.compile(r"多少钱|几块钱|多少资金|多少经费|多少费用|花了多少|收了多少|挣多少|赚多少|how much money")
# A comparison with another place or time: "比全国高出多少", "高于全国几个百分点".
_GAP = re.compile(r"比(?!上年|去年|年初|上期|同期)\w{1,8}?(?<![提降])(高|低|快|慢)出?了?(多少|几)|"
                  r"(高|低|快|慢)(于|出)(?!上年|去年|年初|同期)\w{0,8}?(多少|几)")
# Asking what was planned, not what happened.
_TARGET = re.compile(r"目标|预期|计划|力争|争取|确保|打算|预计要|要达到|拟|安排|target|plan")
# A part of the year, or several years, asked for ("一季度", "上半年", "1-6月", "五年来", "年均", "累计").
_PERIOD = re.compile(rf"{PART_OF_YEAR.pattern}|五年|十四五|十三五|年均|累计|以来")
# Asking for an enumeration: "存在哪些问题", "采取了什么措施", "有哪几个方面".
# An enumeration asked: which things, what was done and how ("是怎样抓好…的"), what each of several has done ("各条线
# 都进展到哪一步").
_LIST_ASKED = re.compile(r"哪些|哪几|哪[两二三四五六七八九十]|什么(问题|措施|举措|成效|办法|困难|不足|工作)|几个方面|有何|"
                         r"怎样|如何|怎么做|各[条个项类][^，。？]{0,8}都")
_GLUED_TAGS = ("n", "ng", "j", "b")  # one-character nouns, abbreviations, attributes: 羊, 额, 署, 港
MAX_QUERY = 500  # characters; a longer question is cut here (Answer.notice says so)


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
    change: int = 0  # asks how much something changed: 1 up, -1 down, 2 either way; 0 asks a level
    share: bool = False  # asks a share ("占…比重")
    per_person: bool = False  # asks a per-person value ("人均")
    revised: bool = False  # asks the value after a revision ("改列为", "审查后")
    measure: str = ""  # the kind of figure its words ask for: "rate", "points", "money", "ratio" or "" (any)
    gap: bool = False  # asks how far above or below another place or time ("比全国高出多少")
    target: bool = False  # asks what was planned ("目标", "预期", "计划")
    period: bool = False  # asks about part of a year or several years ("上半年", "五年来", "年均")
    searched: str = ""  # `folded` in the reports' words where it used everyday ones ("卖地" → 国有土地使用权出让收入)
    parts: tuple[str, ...] = ()  # the parts of a year it names ("上半年", "1-6月")
    last_year: bool = False  # asks the previous year's value ("上年的…"), not a change from it
    listing: bool = False  # asks for an enumeration ("存在哪些问题")
    years: tuple[int, ...] = ()  # years it names, 民國 years as western ones
    places: tuple[tuple[str, ...], ...] = ()  # places it names, each as the chains the name may mean

    @property
    def place_names(self) -> tuple[str, ...]:
        """The deepest places asked ("九江市", "台湾省"), one per name."""
        return tuple(dict.fromkeys(chains[0][0] for chains in self.places))

    @property
    def place_words(self) -> tuple[str, ...]:
        """Words by which a sentence names the places asked: full names and short ones ("九江市", "九江"), longest
        first."""
        from qa.reading.places import written_names

        return written_names(self.place_names)


def _glued(pairs: list[tuple[str, str]], known: Callable[[str], bool]) -> list[tuple[str, str]]:
    """A one-character noun joined to the content word beside it where the reports write them together:
    "羊存栏" (not 存栏, which 生猪存栏 has too), "签约额" (not 签约), "观光署". Alone it is too short to keep."""
    def content(i: int) -> bool:
        return 0 <= i < len(pairs) and len(pairs[i][0]) >= 2 and pairs[i][0] not in _QUESTION_WORDS \
            and re.fullmatch(r"[\u4e00-\u9fff]+", pairs[i][0]) is not None

    out, i = [], 0
    while i < len(pairs):
        word, flag = pairs[i]
        if len(word) == 1 and flag in _GLUED_TAGS and word not in _QUESTION_WORDS and word not in UNITS:
            if content(i + 1) and known(word + pairs[i + 1][0]):
                out.append((word + pairs[i + 1][0], "n"))
                i += 2
                continue
            if out and content(i - 1) and out[-1] == pairs[i - 1] and known(pairs[i - 1][0] + word):
                out[-1] = (pairs[i - 1][0] + word, "n")
                i += 1
                continue
        out.append((word, flag))
        i += 1
    return out


def _recut(pairs: list[tuple[str, str]], known: Callable[[str], bool]) -> list[tuple[str, str]]:
    """A character and the word after it cut anew where the reports know neither the word nor the whole but two
    words of them: "粗 / 钢产量" is 粗钢 / 产量."""
    out, i = [], 0
    while i < len(pairs):
        word, flag = pairs[i]
        after = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        if len(word) == 1 and len(after) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", word + after) \
                and word not in _QUESTION_WORDS and not known(after) and not known(word + after):
            joined = word + after
            cut = next((c for c in range(2, len(joined) - 1) if known(joined[:c]) and known(joined[c:])), None)
            if cut is not None:
                out += [(joined[:cut], "n"), (joined[cut:], "n")]
                i += 2
                continue
        out.append((word, flag))
        i += 1
    return out


# How people name a time, and how reports write it: "去年一年" is 上年全年 in a report.
_REPORTS_WRITE = {"去年": "上年", "一年": "全年", "一整年": "全年", "年底": "年末"}
_TIME_WORDS = re.compile("|".join(_REPORTS_WRITE))


def _keywords(folded: str, known: Callable[[str], bool] | None = None) -> tuple[tuple[str, ...], frozenset[str]]:
    from qa.retrieval.glossary import translate
    from qa.retrieval.postags import load_posseg

    posseg = load_posseg()
    words, nouns = [], set()
    folded = _TIME_WORDS.sub(lambda m: _REPORTS_WRITE[m.group()], folded)
    # "第几次", "多少宗", "哪几个方面", "各条": the asking phrase, not content.
    text = re.sub(rf"第几\w?|{_ASKING}(?:{_UNIT_WORDS})?|{_WHICH}|{_SHARE_WORDS}", " ", translate(folded))
    # "收入比是多少", "收入比比上年…": a ratio's 比 ends its noun; the tagger would glue it to what follows ("比是").
    text = re.sub(r"(?<=\w)比(?=[是为比])", "比 ", text)
    pairs = [(p.word, p.flag) for p in posseg.lcut(text)]
    for word, flag in _recut(_glued(pairs, known), known) if known else pairs:
        word = word.strip().rstrip("了过着")
        if len(word) < 2 or word in _QUESTION_WORDS:
            continue
        if re.fullmatch(r"[\W_]+|\d+(\.\d+)?[年月日]?|[a-z]+", word):
            continue  # punctuation, years, untranslated English words
        if word in UNITS and len(word) == 1:
            continue
        words.append(word)
        if flag.startswith(("n", "vn")):
            nouns.add(word)
    return tuple(dict.fromkeys(words)), frozenset(nouns)


def _change(folded: str) -> int:
    found = [m.group() for m in _CHANGE.finditer(folded)]
    if not found:
        return 0
    downs = sum(bool(_DOWN.search(f)) for f in found)
    return 2 if "还是" in folded or 0 < downs < len(found) else -1 if downs else 1


def analyse(question: str, *, aliases: dict[str, tuple[str, ...]] | None = None, words: bool = True,
            known: Callable[[str], int] | None = None,
            full_name: Callable[[str], str | None] | None = None) -> Question:
    """Read a question (simplified or traditional Chinese, or English), once, into everything
    search and answering need to agree on. `aliases` adds short names of the indexed reports'
    places ("万载" for 万载县) to the gazetteer's. Without `words`, keywords and nouns stay empty:
    search needs only where and when a question asks, and tagging its words is most of the cost.
    With `known` (how many passages hold this word?), everyday words the reports do not use are read as
    the reports' own (`everyday.rewrite`), and with `full_name` short names of organisations as the reports write
    them in full (`abbreviations.expand`)."""
    from qa.reading.places import asked_places, years

    from qa.reading.limits import check_question

    folded = clean_query(check_question(question)[:MAX_QUERY])
    searched = folded
    if known is not None:
        from qa.retrieval.everyday import rewrite

        searched = rewrite(folded, known)
        if full_name is not None:
            from qa.retrieval.abbreviations import expand

            searched = expand(searched, known, full_name)
    places = asked_places(folded, aliases or {})
    keywords, nouns = _keywords(searched, known) if words else ((), frozenset())
    # The place asked is answered by choosing reports (Searcher.scope), not by the words of a sentence.
    from qa.reading.places import aliases as short_names
    from qa.reading.places import place_spans

    chains = [chain for names in places for chain in names]
    named = {name for chain in chains for name in chain} | set(short_names(chains)) | set(aliases or ())
    # "九江港": a place with a character glued to it is the place too.
    keywords = tuple(w for w in keywords if w not in named and w.rstrip("省市县区") not in named
                     and w[:-1] not in named and w[1:] not in named)
    # A word the tagger glued across a place's end ("州全州" of "迪庆州全州") is the place's, not a keyword.
    spans = place_spans(folded, aliases or {})
    keywords = tuple(w for w, at in ((w, folded.find(w)) for w in keywords)
                     if not any(s < at < e < at + len(w) for s, e in spans))
    unit_match = _ASKED_UNIT.search(folded)
    unit = unit_match.group(1) if unit_match else ""
    if not unit and _PERCENT.search(folded) and not _OTHER_THING_ASKED.search(folded):
        unit = "%"
    return Question(
        text=question, folded=folded,
        quantity=bool(_QUANTITY.search(folded)) and "第几" not in folded,
        unit=unit, keywords=keywords, nouns=nouns,
        origin=bool(_ORIGIN.search(folded)) and not _REVISED.search(folded),
        respectively=bool(_RESPECTIVELY.search(folded)),
        change=_change(folded), share=bool(_SHARE.search(folded)), per_person=bool(_PER_PERSON.search(searched)),
        revised=bool(_REVISED.search(folded)), years=tuple(dict.fromkeys(years(folded))),
        places=places, measure=_measure(folded, unit), gap=bool(_GAP.search(folded)),
        target=bool(_TARGET.search(folded)), period=bool(_PERIOD.search(folded)),
        searched=searched if searched != folded else "", parts=tuple(PART_OF_YEAR.findall(folded)),
        last_year=bool(LAST_YEAR.search(folded)), listing=bool(_LIST_ASKED.search(folded)),
    )


def _measure(folded: str, unit: str) -> str:
    """The kind of figure asked: percentage points, a ratio, a rate (%, ‰, 成), money, or any ("")."""
    if _POINTS.search(folded):
        return "points"
    if _RATIO.search(folded):
        return "ratio"
    if unit and unit != "%":
        return "money" if unit_class(unit) == "money" else ""
    if _RATE.search(folded) and not _CHANGE.search(folded) and not _OTHER_THING_ASKED.search(folded):
        return "rate"
    return "money" if _MONEY.search(folded) else ""
