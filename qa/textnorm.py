"""Normalisation for matching; displayed text is never normalised."""

from __future__ import annotations

import functools
import re
import unicodedata

# Lone surrogates and control characters (other than newline and tab) carry no
# meaning and break encoders downstream.
_JUNK = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f]")


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded.lower() if len(folded) == 1 else ch


class _FoldTable(dict):
    """Code point -> its folded character, each worked out once (`str.translate` reads it)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDED = _FoldTable()


def fold(text: str) -> str:
    """NFKC, lower case and simplified Chinese, keeping every offset.

    The report mixes `,` and `，`, `(` and `（`; matching must not care, while
    figures and evidence found in the folded text must map back one to one.
    """
    text = _JUNK.sub(" ", text)
    folded = text.translate(_FOLDED)
    simplified = _t2s().convert(folded)
    # OpenCC converts some phrases to another length; keep offsets instead.
    return simplified if len(simplified) == len(folded) else folded


def clean_query(text: str) -> str:
    """Fold a user's question for matching (offsets don't matter here)."""
    text = unicodedata.normalize("NFKC", _JUNK.sub(" ", text)).lower()
    return _t2s().convert(text).strip()
