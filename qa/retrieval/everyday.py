"""Everyday words in a question → the words reports write: "卖地收了多少钱" asks 国有土地使用权出让收入.

The table (`everyday.tsv`, ~1,500 phrases over the topics of government reports, written from general usage,
not from any question set) maps a phrase to the official terms, most specific first. A phrase is rewritten
only where the reports do not use it themselves, into the first of its terms they do use (one keeping a word of
the phrase they use, first): the index decides,
so a word a report writes ("投资") is never replaced, and a term no report holds is never brought in.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable

TABLE = Path(__file__).with_name("everyday.tsv")


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    """The phrases (folded: lower case, simplified) with their terms."""
    from qa.textnorm import fold

    terms: dict[str, tuple[str, ...]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, official = line.split("\t")[:2]
        terms[fold(phrase.strip())] = tuple(fold(t.strip()) for t in official.split("|") if t.strip())
    return terms


@functools.lru_cache(maxsize=1)
def _lengths() -> tuple[int, ...]:
    """The phrases' lengths, longest first."""
    return tuple(sorted({len(phrase) for phrase in _table()}, reverse=True))


# Words people put inside a phrase ("一年能挣", "到手能挣"): dropped when that lets a phrase match.
_FILLER = re.compile(r"能够|可以|大概|大约|到手|能|会|得")


def rewrite(folded: str, known: Callable[[str], int]) -> str:
    """`folded` with each everyday phrase the reports do not use replaced by the first of its terms they do
    (`known(word)`: how many passages hold it). Unchanged when nothing applies. Read with and without the words
    people put inside a phrase ("一年能挣"), whichever rewrites more of the question."""
    if not _table():
        return folded
    plain = _FILLER.sub("", folded)
    readings = [_rewrite(text, known) for text in dict.fromkeys((folded, plain))]
    rewritten, covered = max(readings, key=lambda reading: reading[1])
    return rewritten if covered else folded


def _rewrite(folded: str, known: Callable[[str], int]) -> tuple[str, int]:
    """The text rewritten, and how many of its characters were everyday phrases rewritten. At each place the longest
    phrase that rewrites is taken: one the reports use themselves ("县城") holds no place a phrase overlapping it
    ("城里人") would rewrite."""
    terms, out, covered, at = _table(), [], 0, 0
    while at < len(folded):
        term, size = None, 1
        for length in _lengths():
            phrase = folded[at:at + length]
            if len(phrase) == length and phrase in terms and not known(phrase):
                term = _term(phrase, terms[phrase], known)
                if term is not None:
                    size = length
                    break
        if term is None:
            out.append(folded[at])
        else:
            out.append(f" {term} ")  # a word of its own: "新" of "新找到工作" is not glued to it ("新城镇")
            covered += size
        at += size
    return "".join(out), covered


def _term(phrase: str, terms: tuple[str, ...], known: Callable[[str], int]) -> str | None:
    """The first of a phrase's terms the reports use, one keeping a word of the phrase they use first ("政府当被告":
    作为被告, as the reports write 被告); None: they use none."""
    used = [t for t in terms if known(t)]
    own = [t for t in used if any(phrase[i:i + 2] in t and known(phrase[i:i + 2]) for i in range(len(phrase) - 1))]
    return (own or used or [None])[0]
