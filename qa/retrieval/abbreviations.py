"""Short names of organisations, read as the reports write them in full: "疾管署" asks 疾病管制署, "卫健委" 卫生健康委员会.

A Chinese short name keeps characters of the full name in order, first and last among them. A question's word that
no passage holds and that ends as an organisation does (署, 局, 委 …) is looked for in the reports' own text as such a
full name; the one the reports write most often, at least twice, is read instead. The reports decide: a word they
hold is never replaced, and a full name they do not write is never brought in.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable

# The last character of an organisation's name: an office, a bureau, a commission, a ministry, a hall …
_ORGANISATION = "署局委部厅办院会处所站队"
_SHORT = re.compile(rf"[\u4e00-\u9fff]{{2,3}}[{_ORGANISATION}]")  # three or four characters, as `expand` reads them
GAP = 4  # characters of the full name between two kept in the short one, at most
MIN_WRITTEN = 2  # times the reports write a full name before a short one is read as it


def full_name(short: str, text: str) -> str | None:
    """The full name `text` writes most often for `short` (its characters in order, first and last kept), or None:
    also when `text` writes `short` itself, inside a word ("府网站" of 政府网站) or as a name of its own."""
    if short in text:
        return None
    pattern = re.escape(short[0]) + "".join(f"[\u4e00-\u9fff]{{0,{GAP}}}?{re.escape(c)}" for c in short[1:])
    written = collections.Counter(m for m in re.findall(pattern, text) if len(m) >= len(short) + 2)
    if not written:
        return None
    name, count = written.most_common(1)[0]
    return name if count >= MIN_WRITTEN else None


def expand(folded: str, known: Callable[[str], int], full: Callable[[str], str | None]) -> str:
    """`folded` with each short organisation name no passage holds (`known(word)` == 0) replaced by its full name
    (`full(short)`, from the reports' text); unchanged when there is none. The tagger cuts unknown short names
    anywhere ("市卫 / 健委有"), so they are read off the characters before each organisation ending instead, the
    longest that has a full name first."""
    out, done = [], 0
    for end in (m.end() for m in re.finditer(f"[{_ORGANISATION}]", folded)):
        for start in range(max(done, end - 4), end - 2):
            short = folded[start:end]
            name = full(short) if _SHORT.fullmatch(short) and not known(short) else None
            if name:
                out += [folded[done:start], name]
                done = end
                break
    return "".join(out) + folded[done:]
