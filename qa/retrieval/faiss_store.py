"""The embedded store: an index folder with FAISS sentence vectors and a bm25s index (see `qa.retrieval.index`).

A folder holds one index, so the store functions ignore `collection`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from qa.retrieval.index import BadIndex, current_generation, read_generation, read_manifest, stale_reason, write_index
from qa.retrieval.store import Match

if TYPE_CHECKING:
    import numpy as np

    from qa.reading.passages import Passage


def open_store(index: str | Path, collection: str) -> FaissStore:
    return FaissStore(Path(index))


def write_store(corpus: Path, index: str | Path, collection: str, *, model_name: str, progress: bool,
                steps: Callable[[str], None] | None = None) -> None:
    write_index(corpus, Path(index), model_name=model_name, progress=progress, steps=steps)


def stale(corpus: Path, index: str | Path, collection: str, model_name: str | None) -> str | None:
    return stale_reason(Path(index), corpus, model_name)


class FaissStore:
    """An index folder opened for searching; write it with `qa.retrieval.index.write_index`."""

    def __init__(self, index: Path):
        from qa.retrieval.embedding import apply_threads

        apply_threads()  # before bm25s and FAISS load their BLAS and OpenMP: one thread unless --threads
        import bm25s
        import numpy as np

        self.path = Path(index)
        self.location = str(self.path)
        self.manifest = read_manifest(self.path)
        generation = current_generation(self.path)
        try:
            self.documents, self.passage_list, self.vectors = read_generation(generation)
            self.owners = np.load(generation / "owners.npy", allow_pickle=False)
            self.bm25 = bm25s.BM25.load(str(generation / "bm25"), show_progress=False)
        except Exception as err:  # any damage in the files means the same fix
            raise BadIndex(f"index {self.path}/ is damaged ({type(err).__name__}): "
                           f"run `python -m qa build --index {self.path}`") from err
        if not (len(self.passage_list) == self.manifest["passages"]
                and self.vectors.ntotal == len(self.owners) == self.manifest["vectors"]
                and (not len(self.owners) or 0 <= self.owners.min() <= self.owners.max() < len(self.passage_list))):
            raise BadIndex(f"index {self.path}/ has passages and vectors out of step: "
                           f"run `python -m qa build --index {self.path}`")
        self.model_name = self.manifest["model"]
        apply_threads()  # and now limit what was already loaded before this store opened

    def __len__(self) -> int:
        return len(self.passage_list)

    def known(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t in self.bm25.vocab_dict]

    def lexical(self, tokens: list[str], limit: int, docs: set[int] | None) -> list[Match]:
        import numpy as np

        if not tokens or not self.passage_list:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        if docs is not None:
            scores = np.where(self._in_documents(docs), scores, 0)
        limit = min(limit, len(scores))
        # The best few hundred are enough to fuse; sorting every match costs ~50 ms at 100k passages.
        best = np.argpartition(-scores, limit - 1)[:limit]
        best = best[np.argsort(-scores[best], kind="stable")]
        best = best[scores[best] > 0]
        return self._matches(best, scores[best])

    def dense(self, vector: np.ndarray, limit: int, docs: set[int] | None) -> list[Match]:
        import faiss
        import numpy as np

        limit = min(limit, self.vectors.ntotal)
        params = None
        ivf = faiss.try_extract_index_ivf(self.vectors)
        if docs is not None:
            vector_ids = np.flatnonzero(self._in_documents(docs)[self.owners])
            if not len(vector_ids) or not limit:
                return []
            selector = faiss.IDSelectorBatch(vector_ids)
            if ivf is None:
                params = faiss.SearchParameters(sel=selector)
            else:
                # Only the chosen vectors in the probed lists count, so probe more lists the fewer
                # are chosen (all of them, an exact search of the chosen ones, for a single report).
                share = len(vector_ids) / self.vectors.ntotal
                nprobe = min(ivf.nlist, int(np.ceil(ivf.nprobe / share)))
                params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
        if not limit:
            return []
        scores, ids = self.vectors.search(vector, limit, params=params)
        found = ids[0] >= 0
        return self._matches(self.owners[ids[0][found]], scores[0][found])

    def _matches(self, passages: np.ndarray, scores: np.ndarray) -> list[Match]:
        """Matches of these passages with these scores, made a few hundred at a time from arrays."""
        return list(map(Match, passages.tolist(), self._doc_of[passages].tolist(),
                        self._start_of[passages].tolist(), scores.tolist()))

    def _in_documents(self, docs: set[int]) -> np.ndarray:
        """Per passage: does it belong to one of `docs`?"""
        import numpy as np

        return np.isin(self._doc_of, list(docs))

    @functools.cached_property
    def _doc_of(self) -> np.ndarray:
        import numpy as np

        return np.asarray([p.doc for p in self.passage_list], dtype=np.int64)

    @functools.cached_property
    def _start_of(self) -> np.ndarray:
        import numpy as np

        return np.asarray([p.start for p in self.passage_list], dtype=np.int64)

    def passages(self, ids: list[int]) -> list[Passage]:
        return [self.passage_list[i] for i in ids]

    def document_frequency(self, word: str) -> int:
        import numpy as np

        from qa.retrieval.tokens import tokenize

        vocab, matrix = self.bm25.vocab_dict, self.bm25.scores
        tokens = set(tokenize(word))
        if not tokens:
            return len(self)  # only stop words: nothing BM25 can tell passages apart by
        if not tokens <= vocab.keys():
            return 0
        # The passages whose BM25 columns hold every token: the word's own, and the words inside it.
        holding = np.zeros(matrix["num_docs"], dtype=np.int32)
        for token in tokens:
            start, end = matrix["indptr"][vocab[token]], matrix["indptr"][vocab[token] + 1]
            holding[matrix["indices"][start:end]] += 1
        return int(np.count_nonzero(holding == len(tokens)))
