"""Follow-up questions: "那驳回呢" after "行政复议维持多少宗" is "行政复议驳回多少宗".

A question leans on the conversation when it says so ("那…", "…呢", "还有…") without asking a whole question of
its own, or when it names nothing to count (only a place or a year: "2021年呢", "荔湾区呢"). It is completed
from the previous question as understood: its place and year replace the previous ones, its words replace the
thing counted (the previous question's last keyword before the asking phrase), its asking phrase ("增长了多少",
"比例") replaces the previous one. A question that stands on its own is never changed.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from qa.retrieval.question import Question

# "那驳回呢", "还有驳回的呢", "和上年比呢": words that hand the rest of the question to the conversation.
_LEAN = re.compile(r"^(那么|那|还有|另外|它的|其|这个的?)|^(和|跟|与|同).{0,8}比|呢[?？!！。\s]*$")
_FILLER = re.compile(r"^(那么|那|还有|另外|它的|其|这个的?)|(的)?呢[?？!！。\s]*$|[?？!！。\s]+$")
# Where the asking part of a question starts: "多少宗", "增长了多少", "的比例是多少", "分别是多少".
_ASKING = re.compile(r"(的)?(分别|各自)?(是|有|为)?(多少|几|百分之几|比例|占比|比重|增长|增加|下降|减少|提高|降低|"
                     r"同比|哪些|哪个|什么)")
# "和上年比呢": how the same thing changed since the year before.
_VERSUS_LAST = re.compile(r"^(和|跟|与|同)?(上年|去年|上一年|前一年)(相)?比较?$|^比(上年|去年)$")
_YEAR = re.compile(r"(?:19|20)\d\d\s*年度?|民[國国]\s*\d{1,3}\s*年")


def _split(text: str) -> tuple[str, str]:
    """The thing asked about and the asking phrase: "行政复议维持多少宗" → ("行政复议维持", "多少宗")."""
    found = _ASKING.search(text)
    return (text[:found.start()], text[found.start():]) if found else (text, "")


def leans(question: Question) -> bool:
    """`question` needs the conversation to be understood."""
    if re.search(r"[a-z]{3}", question.folded):
        return False  # an English question: its words are not matched here, so it is taken as it stands
    body, asking = _split(_FILLER.sub("", question.folded))
    own_words = [w for w in question.keywords if w in question.folded]
    if not own_words and not asking:
        return True  # only a place, a year or nothing: "2021年呢", "荔湾区呢"
    return bool(_LEAN.search(question.folded)) and (not asking or len(own_words) <= 1)


def complete(question: str, previous: str, analyse: Callable[[str], Question]) -> str:
    """`question` read with the previous question (as understood) when it leans on it; else `question`."""
    asked = analyse(question)
    if not previous or not leans(asked):
        return question
    before = analyse(previous)
    body, asking = _split(previous)
    own_body, own_asking = _split(_FILLER.sub("", question.strip()))
    # A place or year of its own replaces the previous one's.
    for name in asked.place_names:
        old = next((n for n in before.place_names if n in body), None)
        body = body.replace(old, name) if old else name + body
        own_body = own_body.replace(name, "")
    for year in _YEAR.findall(own_body):
        body = _YEAR.sub(year, body, count=1) if _YEAR.search(body) else year + body
        own_body = own_body.replace(year, "")
    own_body = own_body.strip(" ，,的")
    if _VERSUS_LAST.match(own_body) and not own_asking:
        return body + "比上年增长了多少"
    if own_body:
        # Its words replace the thing counted: the previous question's last keyword before the asking phrase.
        head = next((w for w in reversed(before.keywords) if w in body), None)
        if head:
            at = body.rfind(head)
            after = body[at + len(head):]
            # "网上办" asked before, "马上办呢" now: the head word "网上" is replaced, its "办" not repeated.
            overlap = max((n for n in range(len(after), 0, -1) if own_body.endswith(after[:n])), default=0)
            body = body[:at] + own_body + after[overlap:]
        else:
            body += own_body
    return body + (own_asking or asking)


def understand(question: str, history: Iterable[str], analyse: Callable[[str], Question]) -> str:
    """`question` completed from the earlier questions (oldest first), each completed from those before it."""
    previous = ""
    for earlier in history:
        previous = complete(earlier, previous, analyse) if earlier.strip() else previous
    return complete(question, previous, analyse)
