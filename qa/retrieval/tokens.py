"""Word tokens for BM25: jieba's search mode, with figures kept whole."""

from __future__ import annotations

import functools
import logging
import re
from typing import NamedTuple

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


TOKEN_CHUNK = 500  # passages a build's worker process tokenises at a time
# What `_derive_dictionary` stores; another value makes a new cache file.
DICTIONARY_FORMAT = "jieba-dictionary 1"
_NO_TAG = 255


@functools.lru_cache(maxsize=1)
def load_jieba():
    """jieba, its default dictionary loaded from qa's cache of it (`dictionary`), 0.2-0.3 s instead of
    the 0.8-1 s jieba takes from its own cache or from dict.txt; a custom dictionary loads as jieba does."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with jieba.dt.lock:
        if not jieba.dt.initialized and jieba.dt.dictionary == jieba.DEFAULT_DICT:
            found = dictionary()
            jieba.dt.FREQ, jieba.dt.total = found.frequencies, found.total
            jieba.dt.initialized = True
    jieba.initialize()  # does nothing once initialised
    return jieba


class Dictionary(NamedTuple):
    """jieba's default dictionary as `jieba.Tokenizer.gen_pfdict` reads it, and the tags `jieba.posseg` reads."""

    frequencies: dict[str, int]  # word or word prefix -> count (0 for a prefix)
    total: int
    words: list[str]  # the same string objects as the keys of `frequencies`, then tagged words it lacks
    tag_codes: bytes  # per word, its tag's position in `tag_names` (_NO_TAG: none)
    tag_names: list[str]

    def tags(self) -> dict[str, str]:
        """word -> part-of-speech tag, equal to `jieba.posseg`'s table, keyed by the dictionary's own strings
        and one string per tag."""
        names = self.tag_names
        return {word: names[code] for word, code in zip(self.words, self.tag_codes) if code != _NO_TAG}


@functools.lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    """jieba's default dictionary with its tags, kept in qa's cache folder (`qa.reading.derived`)."""
    from pathlib import Path

    import jieba

    from qa.reading.derived import stored

    source = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    return stored("jieba-dictionary", (DICTIONARY_FORMAT, jieba.__version__, source),
                  _derive_dictionary, _read_dictionary)


def _derive_dictionary() -> bytes:
    """A JSON line (total, tag names, counts), the words joined by newlines, their counts, their tag codes."""
    import json
    from array import array

    import jieba

    frequencies, total = jieba.Tokenizer.gen_pfdict(jieba.dt.get_dict_file())  # jieba's own reading
    tags: dict[str, str] = {}
    with jieba.dt.get_dict_file() as lines:  # as jieba.posseg's POSTokenizer.load_word_tag reads it
        for line in lines:
            line = line.strip().decode("utf-8")
            if line:
                word, _, tag = line.split(" ")
                tags[word] = tag
    words = list(frequencies) + [word for word in tags if word not in frequencies]
    names = sorted(set(tags.values()))
    if len(names) >= _NO_TAG or any("\n" in word for word in words):
        raise ValueError("jieba's dictionary has a form qa's cache of it cannot hold")
    codes = {name: i for i, name in enumerate(names)}
    text = "\n".join(words).encode("utf-8")
    counts = array("q", frequencies.values())
    header = {"total": total, "tag_names": names, "frequencies": len(frequencies), "words": len(words),
              "text": len(text)}
    return b"".join([json.dumps(header).encode() + b"\n", text, counts.tobytes(),
                     bytes(codes[tags[w]] if w in tags else _NO_TAG for w in words)])


def _read_dictionary(data: bytes) -> Dictionary:
    import json
    from array import array

    view = memoryview(data)
    start = data.index(b"\n") + 1
    header = json.loads(data[:start])
    text_end = start + header["text"]
    counts_end = text_end + 8 * header["frequencies"]
    words = str(view[start:text_end], "utf-8").split("\n")
    counts = array("q")
    counts.frombytes(view[text_end:counts_end])
    codes = bytes(view[counts_end:counts_end + header["words"]])
    if len(words) != header["words"] or len(counts) != header["frequencies"] or len(codes) != len(words):
        raise ValueError("a cut-off file")
    return Dictionary(dict(zip(words, counts)), header["total"], words, codes, header["tag_names"])


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


def tokenize_all(texts: list[str], *, pool=None, helpers: int = 1) -> list[list[str]]:
    """`tokenize` of each text; with `pool` (a build's embedding workers, `embedding.start_workers`), shared
    with `helpers` of its processes, TOKEN_CHUNK texts at a time: ~1 ms a passage, 100 s at 100k."""
    if pool is None or helpers < 1 or len(texts) < 2 * TOKEN_CHUNK:
        return [tokenize(text) for text in texts]
    from qa.retrieval.workers import share

    chunks = share(pool, texts, TOKEN_CHUNK, _tokenize_chunk, _tokenize_chunk, (), helpers)
    return [tokens for chunk in chunks for tokens in chunk]


def _tokenize_chunk(texts: list[str]) -> list[list[str]]:
    return [tokenize(text) for text in texts]


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
