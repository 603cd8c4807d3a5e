"""Part-of-speech tags from jieba, whose tag table holds no second copy of the dictionary's words."""

from __future__ import annotations

import functools
import threading

_importing = threading.Lock()


@functools.lru_cache(maxsize=1)
def load_posseg():
    """`jieba.posseg`, its dictionary loaded, its word → tag table sharing the dictionary's strings.

    Importing jieba.posseg reads dict.txt a second time into a table of its own: 0.5-0.8 s, and 349,000
    new word strings and a new string for every two-letter tag, 40 MB beside the 53 MB jieba already
    holds (issue 15). With jieba's default dictionary the import is given nothing to read, and the
    table comes from qa's cache of the dictionary (`qa.retrieval.tokens.dictionary`), keyed by the
    dictionary's own strings; otherwise the table read is rebuilt the same way. Either way it is equal
    to jieba's, so every cut and tag stays the same.
    """
    import io
    import sys

    from qa.retrieval.tokens import dictionary, load_jieba

    jieba = load_jieba()
    with _importing:
        if "jieba.posseg" not in sys.modules and jieba.dt.dictionary == jieba.DEFAULT_DICT:
            jieba.dt.get_dict_file = lambda: io.BytesIO(b"")  # what its POSTokenizer(jieba.dt) reads
            try:
                from jieba import posseg
            finally:
                del jieba.dt.get_dict_file
            table = dictionary().tags()
            if jieba.dt.FREQ is not dictionary().frequencies:  # jieba was loaded before qa loaded it
                table = shared_tag_table(table, jieba.dt.FREQ)
            posseg.dt.word_tag_tab = table
            return posseg
    from jieba import posseg

    posseg.dt.word_tag_tab = shared_tag_table(posseg.dt.word_tag_tab, jieba.dt.FREQ)
    return posseg


def shared_tag_table(tags: dict[str, str], words: dict[str, int]) -> dict[str, str]:
    """`tags` again, keyed by the string objects of `words` where it has them, one object per tag."""
    names: dict[str, str] = {}
    shared = {word: names.setdefault(tags[word], tags[word]) for word in words if word in tags}
    if len(shared) < len(tags):  # words the tagger has and the dictionary does not (none in jieba's own)
        shared.update((word, names.setdefault(tag, tag)) for word, tag in tags.items() if word not in shared)
    return shared
