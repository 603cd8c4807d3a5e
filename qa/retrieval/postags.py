"""Part-of-speech tags from jieba, whose tag table holds no second copy of the dictionary's words."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def load_posseg():
    """`jieba.posseg`, its dictionary loaded, its word → tag table sharing the dictionary's strings.

    Importing jieba.posseg reads dict.txt a second time into a table of its own: 349,000 new word
    strings and a new string for every two-letter tag, 40 MB beside the 53 MB jieba already holds
    (issue 15). The table is rebuilt once with the words jieba's dictionary already holds and one
    string per tag; it is equal to the one it replaces, so every cut and tag stays the same.
    """
    from jieba import posseg

    from qa.retrieval.tokens import load_jieba

    jieba = load_jieba()
    posseg.dt.word_tag_tab = shared_tag_table(posseg.dt.word_tag_tab, jieba.dt.FREQ)
    return posseg


def shared_tag_table(tags: dict[str, str], words: dict[str, int]) -> dict[str, str]:
    """`tags` again, keyed by the string objects of `words` where it has them, one object per tag."""
    names: dict[str, str] = {}
    shared = {word: names.setdefault(tags[word], tags[word]) for word in words if word in tags}
    if len(shared) < len(tags):  # words the tagger has and the dictionary does not (none in jieba's own)
        shared.update((word, names.setdefault(tag, tag)) for word, tag in tags.items() if word not in shared)
    return shared
