"""Everyday words in a question → the words reports write: "卖地收了多少钱" asks 国有土地使用权出让收入.

The table (`everyday.tsv`, ~1,000 phrases over the topics of government reports, written from general usage,
not from any question set) maps a phrase to the official terms, most specific first. A phrase is rewritten
only where the reports do not use it themselves, into the first of its terms they do use: the index decides,
so a word a report writes ("投资") is never replaced, and a term no report holds is never brought in.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable

TABLE = Path(__file__).with_name("everyday.tsv")


@functools.lru_cache(maxsize=1)
def _table() -> tuple[re.Pattern | None, dict[str, tuple[str, ...]]]:
    """The phrases (folded: lower case, simplified) with their terms, and one pattern matching the longest first."""
    from qa.textnorm import fold

    terms: dict[str, tuple[str, ...]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, official = line.split("\t")[:2]
        terms[fold(phrase.strip())] = tuple(fold(t.strip()) for t in official.split("|") if t.strip())
    if not terms:
        return None, {}
    return re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True)))), terms


# Words people put inside a phrase ("一年能挣", "到手能挣"): dropped when that lets a phrase match.
_FILLER = re.compile(r"能够|可以|大概|大约|到手|能|会|得")


def rewrite(folded: str, known: Callable[[str], int]) -> str:
    """`folded` with each everyday phrase the reports do not use replaced by the first of its terms they do
    (`known(word)`: how many passages hold it). Unchanged when nothing applies. Read with and without the words
    people put inside a phrase ("一年能挣"), whichever rewrites more of the question."""
    pattern, terms = _table()
    if pattern is None:
        return folded
    plain = _FILLER.sub("", folded)
    readings = [_rewrite(text, pattern, terms, known) for text in dict.fromkeys((folded, plain))]
    rewritten, covered = max(readings, key=lambda reading: reading[1])
    return rewritten if covered else folded


def _rewrite(folded: str, pattern: re.Pattern, terms: dict[str, tuple[str, ...]],
             known: Callable[[str], int]) -> tuple[str, int]:
    """The text rewritten, and how many of its characters were everyday phrases rewritten."""
    covered = 0

    def official(match: re.Match) -> str:
        nonlocal covered
        phrase = match.group()
        term = None if known(phrase) else next((t for t in terms[phrase] if known(t)), None)
        if term is None:
            return phrase
        covered += len(phrase)
        return f" {term} "  # a word of its own: "新" of "新找到工作" is not glued to it ("新城镇")

    return pattern.sub(official, folded), covered
