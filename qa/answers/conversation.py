"""Follow-up questions: "那驳回呢" after "行政复议维持多少宗" is "行政复议驳回多少宗".

A question leans on the conversation when it opens pointing back ("那…", "其中…", "比上年…"), ends in "呢" without
asking a whole question of its own, or names nothing to count (only a place or a year: "2021年呢", "荔湾区呢").
It is completed from the previous question as understood: its place and year replace the previous ones, its
words replace the previous keyword they most resemble in meaning (农村 for 城镇), else the last one before the
asking phrase, its asking phrase ("增长了多少",
"比例") replaces the previous one. A follow-up naming one more place or year and asking which is more ("和荔湾区比，
哪个多") sets it beside the previous one, for `comparison` to answer. A question that stands on its own is never
changed.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from qa.answers.calculation import SUM_ASKED
from qa.answers.comparison import as_written
from qa.reading.figures import UNITS
from qa.retrieval.question import Question

# "那驳回呢", "还有驳回的呢", "和上年比呢": words that hand the rest of the question to the conversation.
_OPENER = re.compile(r"^(那么|那|还有|另外|它的|其中|这个的?|比上年|比去年|较上年|同比|(和|跟|与|同)(上年|去年)|"
                     r"比.{1,12}?(多|少|高|低)(了|出)?(多少|几))")
_LEAN = re.compile(r"^(和|跟|与|同).{0,8}比|呢[?？!！。\s]*$")
_FILLER = re.compile(r"^(那么|那|还有|另外|它的|其中|其|这个的?)|(的)?呢[?？!！。\s]*$|[?？!！。\s]+$")
# Where the asking part of a question starts: "多少宗", "增长了多少", "的比例是多少", "分别是多少".
_ASKING = re.compile(r"(的)?(分别|各自)?(是|有|为)?(多少|几|百分之几|比例|占比|比重|增长|增加|下降|减少|提高|降低|"
                     r"同比|哪些|哪个|什么)")
# What a budget review does to an item: a question of these words alone is about the item asked before.
_REVIEWED = re.compile(r"原列|改列|列为|减列|增列|核减|删减|照列|审查|审查后")
# "和上年比呢": how the same thing changed since the year before.
_VERSUS_LAST = re.compile(r"^(和|跟|与|同)?(上年|去年|上一年|前一年)(相)?比较?$|^比(上年|去年)$")
# A share asked ("占比是多少", "占多大比重", "的比例"); "占多少" names no whole, so it is of the thing asked before.
_SHARE_ASKED = re.compile(r"(?P<whole_unnamed>占(了)?(多少|多大|几成))|占比|比重|的?比例")
_UNIT_WORDS = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))  # the measure word after 多少
# A follow-up's word replaces the previous keyword it resembles (cosine of the index's question vectors) when
# at least this close, and this much closer than the last keyword, which it replaces otherwise.
SIMILAR, MARGIN = 0.5, 0.05
_YEAR = re.compile(r"(?:19|20)\d\d\s*年度?|民[國国]\s*\d{1,3}\s*年")
# "和荔湾区比，哪个区多", "跟江西全省比谁高", "比2021年多多少": the previous question's place or year set beside
# another; from the cue on, the words the comparison keeps.
_BESIDE = re.compile(r"^(那么|那)?(和|跟|与|同|比)")
_PLANNED = re.compile(r"的?(预期|预计|计划)?(目标|任务)?(?=$|是|有|为)")
_BOTH = re.compile(r"两个|两者|二者|两地|两家")
_CUE = re.compile(r"(哪个|哪一个|谁)(区|县|市|省|城市|地方|年|年度)?(更)?(多|少|高|低|大|小|快|慢)|"
                  r"(多|少|高|低|快|慢)(了)?(多少|几)")


def _split(text: str) -> tuple[str, str]:
    """The thing asked about and the asking phrase: "行政复议维持多少宗" → ("行政复议维持", "多少宗")."""
    found = _ASKING.search(text)
    return (text[:found.start()], text[found.start():]) if found else (text, "")


def leans(question: Question, before: Question | None = None) -> bool:
    """`question` needs the conversation to be understood (`before`: the question before it, read)."""
    if re.search(r"[a-z]{3}", question.folded):
        return False  # an English question: its words are not matched here, so it is taken as it stands
    body, asking = _split(_FILLER.sub("", question.folded))
    own_words = [w for w in question.keywords if w in question.folded]
    if not own_words and not asking or _OPENER.match(question.folded):
        return True  # only a place, a year or nothing ("2021年呢", "荔湾区呢"), or words that point back
    if own_words and all(_REVIEWED.fullmatch(w) for w in own_words):
        return True  # only what a review did to the item named before ("减列了多少", "审查后改列为多少")
    if before is not None and before.places and not question.places and set(question.years) - set(before.years) \
            and len(own_words) <= 2:
        return True  # another year of the place before, in a few words ("2026年预算安排了多少")
    return bool(_LEAN.search(question.folded)) and (not asking or len(own_words) <= 1)


def complete(question: str, previous: str, analyse: Callable[[str], Question],
             similarity: Callable[[str, str], float] | None = None) -> str:
    """`question` read with the previous question (as understood) when it leans on it; else `question`."""
    asked = analyse(question)
    if not previous:
        return question
    before = analyse(previous)
    shared = _share_of(question, previous)
    if shared:
        return shared
    beside = _beside(question, asked, previous, before)
    if beside or not leans(asked, before):
        return beside or question
    body, asking = _split(previous)
    own_body, own_asking = _split(_FILLER.sub("", question.strip()))
    if own_body in ("分别", "各自") and not own_asking:  # "分别呢": each of the things asked before, apart
        return SUM_ASKED.sub("", body) + "分别" + re.sub(r"^(分别|各自)", "", asking)
    # A place or year of its own replaces the previous one's.
    for name in (as_written(n, question) for n in asked.place_names):
        old = next((w for w in (as_written(n, body) for n in before.place_names) if w in body), None)
        body = body.replace(old, name) if old else name + body
        own_body = own_body.replace(name, "")
    for year in _YEAR.findall(own_body):
        body = _YEAR.sub(year, body, count=1) if _YEAR.search(body) else year + body
        own_body = own_body.replace(year, "")
    own_body = own_body.strip(" ，,的")
    if own_body.startswith("实际"):  # "实际新增了多少" after a target asked: the result, not the plan
        body, own_body = _PLANNED.sub("", body), own_body[2:].rstrip("了")
    if own_body and own_body in body:  # "新增" of "城镇新增就业": nothing new but the asking phrase
        own_body = ""
    whole = body.rstrip("是有为")  # the thing asked before, without the verb of its asking phrase
    if _VERSUS_LAST.match(own_body) and not own_asking:  # "和上年比呢": the same thing's change
        return whole + "比上年增长了多少"
    if re.match(r"[比较]", own_body):  # "比上年增长了多少呢", "比农村居民多多少": the same thing, compared
        return whole + own_body + own_asking
    if own_body and question.strip().startswith("其中") and not asked.share \
            and any(whole.endswith(w) for w in before.keywords):
        # "其中税收收入有多少" after "…一般公共预算收入是多少": a part of the thing named before, not another thing in
        # its place. (Its share, "其中出口占多大比重", is the calculation's to read.)
        return whole + "中的" + own_body + (own_asking or asking)
    if own_body:
        # Its words replace the thing counted: the previous keyword it most resembles when clearly so
        # (农村 for 城镇, 市本级 for 全市), else the last keyword before the asking phrase.
        head = _replaced(own_body, [w for w in before.keywords if w in body], similarity)
        if head:
            at = body.rfind(head)
            after = body[at + len(head):]
            # "网上办" asked before, "马上办呢" now: the head word "网上" is replaced, its "办" not repeated.
            overlap = max((n for n in range(len(after), 0, -1) if own_body.endswith(after[:n])), default=0)
            body = body[:at] + own_body + after[overlap:]
        else:
            body += own_body
    return body + (own_asking or asking)


def _share_of(question: str, previous: str) -> str:
    """A part's share of the thing counted before: "其中女性占比是多少" or "已经结案的占多少比例" after "户籍迁入人口
    有多少" → "户籍迁入人口中女性占比是多少"; "" for any other question."""
    text = question.strip().rstrip("?？。 ")
    asked = _SHARE_ASKED.search(text)
    if not asked or _SHARE_ASKED.search(previous) or not (text.startswith("其中") or asked.group("whole_unnamed")):
        return ""
    part = re.sub(r"^其中[，,]?", "", text[:asked.start()]).rstrip("的")
    body, asking = _split(previous)
    # The thing counted: the previous question's words before its asking phrase, and the noun after its measure
    # word ("编发了多少篇文章" → 编发文章); without its "一共".
    counted = re.sub(rf"^(的)?(是|有|为)?(多少|几)(万|亿)?({_UNIT_WORDS})?", "", asking).strip("？?。 ")
    whole = SUM_ASKED.sub("", body).rstrip("是有为了的") + (counted if not re.search(r"多少|几", counted) else "")
    return f"{whole}中{part}占多大比例" if part and whole else ""


def _replaced(words: str, keywords: list[str], similarity: Callable[[str, str], float] | None) -> str | None:
    # A keyword the follow-up repeats ("预算" of "2026年预算安排了多少") is what both are about, not what changes.
    keywords = [w for w in keywords if w not in words] or keywords
    if not keywords:
        return None
    last = keywords[-1]
    if similarity is None or len(keywords) == 1:
        return last
    scored = {w: similarity(words, w) for w in keywords}
    best = max(scored, key=scored.get)
    if not (scored[best] >= SIMILAR and scored[best] - scored[last] >= MARGIN):
        return last
    # 农村 for 城镇居民: only the part it stands for, when that part is closer still ("城镇"; 居民 stays).
    part = best[:len(words)]
    return part if len(best) > len(words) and similarity(words, part) >= scored[best] else best


def _beside(question: str, asked: Question, previous: str, before: Question) -> str:
    """The previous question with one more place or year beside its own, asking the comparison's cue:
    "那和荔湾区比，哪个区多" after "红桥区行政复议案件多少件" → "红桥区和荔湾区行政复议案件多少件，哪个区多"; ""
    when the question sets nothing beside the previous one."""
    text = question.strip()
    cue = _CUE.search(text)
    # "和荔湾区比，哪个多", "广东省同期是多少？两个哪个更高"
    if not (cue and (_BESIDE.match(text) or _BOTH.search(text))):
        return ""
    old = [w for w in (as_written(n, previous) for n in before.place_names) if w in previous]
    new = [as_written(n, text) for n in asked.place_names if as_written(n, previous) not in previous]
    if not (len(old) == 1 and len(new) == 1):
        old, new = _YEAR.findall(previous)[:1], [y for y in _YEAR.findall(text) if y not in previous]
    if not (len(old) == 1 and len(new) == 1):
        return ""
    both = previous.replace(old[0], f"{old[0]}和{new[0]}", 1).rstrip("？?。 ")
    return f"{both}，{text[cue.start():].rstrip('？?。 ')}"


def understand(question: str, history: Iterable[str], analyse: Callable[[str], Question],
               similarity: Callable[[str, str], float] | None = None) -> str:
    """`question` completed from the earlier questions (oldest first), each completed from those before it;
    `similarity` of two words (in [-1, 1]) picks the previous word a follow-up's word replaces."""
    previous = ""
    for earlier in history:
        previous = complete(earlier, previous, analyse, similarity) if earlier.strip() else previous
    return complete(question, previous, analyse, similarity)


def opening_scope(question: str, aliases: dict[str, tuple[str, ...]]) -> str:
    """The places and years a question opens with, as written ("淮安市洪泽区2024年" of "淮安市洪泽区2024年在政府网站
    …"); "" when it opens with neither."""
    from qa.reading.places import place_spans
    from qa.textnorm import clean_query

    folded = clean_query(question)
    if len(folded) != len(question):
        return ""  # folding changed the length: the offsets would not hold
    spans = sorted(place_spans(folded, aliases) + [m.span() for m in _YEAR.finditer(folded)])
    end = 0
    for start, stop in spans:
        if start > end:
            break
        end = max(end, stop)
    return question[:end]
