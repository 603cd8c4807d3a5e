"""Word tokens for BM25: jieba's search mode, with figures kept whole."""

from __future__ import annotations

import functools
import logging
import re

from qa.textnorm import fold

# "13宗", "95%", "23.9万件", "1000余次" stay one token each.
UNITS = "宗件项人名个次份期家所条篇场起户元亿万千百岁年月日天台辆套批类余多"
_FIGURE = re.compile(rf"\d+(?:[.,]\d+)*\s*(?:%|‰|[{UNITS}]+)?")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 对 为 有 等 把 被 将 个 多少 几 什么 哪些 哪个 怎么 怎样 如何 是否 吗 呢 啊 吧 "
    "请问 一下 一共 共 分别 这 那 其 之 也 都 就 并 或 由 从 到 向 给 其中 "
    "the a an of to in on for and or is are was were what which how many much does did do".split()
)


@functools.lru_cache(maxsize=1)
def load_jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Search-mode tokens of `text` after folding, figures intact, stop words out."""
    text = fold(text)
    jieba = load_jieba()
    tokens: list[str] = []
    position = 0
    for match in _FIGURE.finditer(text):
        tokens += jieba.lcut_for_search(text[position:match.start()])
        figure = re.sub(r"\s+", "", match.group())
        unit = figure.lstrip("0123456789.,")
        # The unit alone lets "维持多少宗" meet "维持13宗".
        tokens += [figure, unit] if unit else [figure]
        position = match.end()
    tokens += jieba.lcut_for_search(text[position:])
    return [piece for t in tokens if _WORD.search(t) and t not in STOPWORDS for piece in _pieces(t)]


@functools.lru_cache(maxsize=200_000)
def _pieces(token: str) -> tuple[str, ...]:
    """`token` as jieba cuts it standing alone, until that no longer changes.

    Milvus analyses the space-joined tokens with its own jieba tokenizer, which cuts each
    token again ("13宗" → 13, 宗); cutting them here the same way gives both stores the
    same terms, and so the same BM25 scores.
    """
    jieba = load_jieba()
    pieces = (token,)
    for _ in range(3):
        again = tuple(q for p in pieces for q in (w.strip().lower() for w in jieba.cut(p)) if q)
        if again == pieces:
            break
        pieces = again
    return pieces
