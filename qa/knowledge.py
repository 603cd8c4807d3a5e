"""A loaded index: passages, FAISS vectors, BM25 and the model, ready to search."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from qa.index import BadIndex, current_generation, read_generation, read_manifest
from qa.results import Answer, Hit

if TYPE_CHECKING:
    import numpy as np

# Weight of the normalised BM25 score in the fused score (tuned on the dev, held-out and
# paraphrase sets, see README); the dense score takes the rest.
BM25_WEIGHT = 0.8
MAX_QUERY = 500  # characters; a longer question is cut here (Answer.notice says so)
MODES = ("fused", "bm25", "dense")
POOL = 200  # candidates taken from each of BM25 and FAISS before fusing
NOT_NAMED = 0.5  # score factor for reports other than the ones a question names


@dataclass(frozen=True)
class Scored:
    passage: int
    score: float


class KnowledgeBase:
    """An index folder opened for searching; build it with `qa.build`."""

    def __init__(self, index: Path, *, model: str | None = None):
        import bm25s
        import numpy as np

        self.path = Path(index)
        self.manifest = read_manifest(self.path)
        generation = current_generation(self.path)
        try:
            self.documents, self.passages, self.dense = read_generation(generation)
            self.owners = np.load(generation / "owners.npy", allow_pickle=False)
            self.bm25 = bm25s.BM25.load(str(generation / "bm25"), show_progress=False)
        except Exception as err:  # any damage in the files means the same fix
            raise BadIndex(f"index {self.path}/ is damaged ({type(err).__name__}): "
                           f"run `python -m qa build --index {self.path}`") from err
        if not (len(self.passages) == self.manifest["passages"]
                and self.dense.ntotal == len(self.owners) == self.manifest["vectors"]
                and (not len(self.owners) or 0 <= self.owners.min() <= self.owners.max() < len(self.passages))):
            raise BadIndex(f"index {self.path}/ has passages and vectors out of step: "
                           f"run `python -m qa build --index {self.path}`")
        if model and model != self.manifest["model"]:
            raise BadIndex(f"index {self.path}/ was built with {self.manifest['model']}, not {model}: "
                           f"run `python -m qa build --index {self.path} --model {model}`")
        self.model_name = self.manifest["model"]

    def __repr__(self) -> str:
        return f"KnowledgeBase({str(self.path)!r}, {len(self.documents)} documents, {len(self.passages)} passages)"

    @functools.cached_property
    def _model(self):
        from qa.embedding import load_model, query_prompt

        model = load_model(self.model_name)
        return model, query_prompt(model, self.model_name)

    def document_frequency(self, word: str) -> int:
        """How many passages contain `word` (folded), for weighting question keywords."""
        if word not in self._frequencies:
            if len(self._frequencies) > 100_000:  # questions are unbounded; memory is not
                self._frequencies.clear()
            self._frequencies[word] = sum(word in text for text in self._folded)
        return self._frequencies[word]

    @functools.cached_property
    def _frequencies(self) -> dict[str, int]:
        return {}

    @functools.cached_property
    def _folded(self) -> list[str]:
        from qa.textnorm import fold

        return [fold(f"{self.documents[p.doc].title} {p.section} {p.text}") for p in self.passages]

    def named_documents(self, query: str) -> set[int]:
        """The documents whose place or year the query names ("通州区2023年…"), best matches only."""
        import re

        from qa.textnorm import clean_query

        query = clean_query(query)
        years = set(re.findall(r"(20\d\d)", query))
        matches = {}
        for i, doc in enumerate(self.documents):
            place = doc.region and (doc.region in query or doc.region[:-1] in query and len(doc.region) > 2)
            matches[i] = bool(place) + (doc.year in years)
        best = max(matches.values(), default=0)
        return {i for i, n in matches.items() if n == best} if best else set()

    def titles(self) -> list[str]:
        return [d.title for d in self.documents]

    def _allowed(self, doc: str | Iterable[str] | None) -> set[int] | None:
        """Passage ids of the chosen documents (by source path or title), None for all."""
        if doc is None:
            return None
        wanted = {doc} if isinstance(doc, str) else set(doc)
        docs = [i for i, d in enumerate(self.documents) if d.source in wanted or d.title in wanted]
        return {p for i in docs for p in self._passages_of[i]}

    @functools.cached_property
    def _passages_of(self) -> list[list[int]]:
        """Passage ids of each document."""
        of: list[list[int]] = [[] for _ in self.documents]
        for i, passage in enumerate(self.passages):
            of[passage.doc].append(i)
        return of

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one index lives as long as its app
    def _query_vector(self, query: str) -> np.ndarray:
        from qa.embedding import embed

        model, prompt = self._model
        return embed(model, [query], prompt=prompt)

    def _bm25_scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every passage, and the share of query tokens the corpus knows.

        `query` comes cleaned by `rank` (NFKC, lower case, simplified).
        """
        import numpy as np

        from qa.glossary import translate
        from qa.tokens import tokenize

        tokens = tokenize(translate(query))
        known = [t for t in tokens if t in self.bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.passages), dtype=np.float32), 0.0
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32), len(known) / len(tokens)

    def _dense_scores(self, query: str, pool: int, allowed: set[int] | None) -> dict[int, float]:
        """Cosine of each candidate passage's best sentence."""
        import faiss
        import numpy as np

        vector = self._query_vector(query)
        params = None
        if allowed is not None:
            vector_ids = np.flatnonzero(np.isin(self.owners, list(allowed)))
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(vector_ids))
        scores, ids = self.dense.search(vector, min(pool, self.dense.ntotal), params=params)
        best: dict[int, float] = {}
        for i, s in zip(ids[0], scores[0]):
            if i >= 0:
                owner = int(self.owners[i])
                best[owner] = max(best.get(owner, -1.0), float(s))
        return best

    def rank(self, query: str, *, k: int = 5, mode: str = "fused",
             doc: str | Iterable[str] | None = None) -> list[Scored]:
        """Passage ids and scores, best first."""
        import numpy as np

        from qa.textnorm import clean_query

        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        allowed = self._allowed(doc)
        query = clean_query(query[:MAX_QUERY])
        if not query or not self.passages or allowed == set():
            return []
        fused: dict[int, float] = {}
        coverage = 0.0
        if mode in ("fused", "bm25"):
            lexical, coverage = self._bm25_scores(query)
            if allowed is not None:
                mask = np.zeros(len(lexical), dtype=bool)
                mask[list(allowed)] = True
                lexical = np.where(mask, lexical, 0)
            top = float(lexical.max()) if len(lexical) else 0.0
            # An English question shares a year or two with a Chinese report, no more:
            # trust BM25 only as far as the corpus knows the question's words.
            weight = 1.0 if mode == "bm25" else BM25_WEIGHT * coverage
            if top > 0:
                # The best few hundred are enough to fuse; scanning every match costs ~50 ms at 100k passages.
                pool = min(len(lexical), max(POOL, 4 * k))
                best = np.argpartition(-lexical, pool - 1)[:pool]
                for i in best[lexical[best] > 0]:
                    fused[int(i)] = weight * float(lexical[i]) / top
        if mode in ("fused", "dense"):
            dense = self._dense_scores(query, max(POOL, 4 * k), allowed)
            if dense:
                # Scale the pool to [0, 1]: the weakest candidate 0, the best 1.
                high, low = max(dense.values()), min(dense.values())
                span = (high - low) or 1.0
                weight = 1.0 if mode == "dense" else 1.0 - BM25_WEIGHT * coverage
                for i, s in dense.items():
                    fused[i] = fused.get(i, 0.0) + weight * (s - low) / span
        named = self.named_documents(query)
        if named and len(named) < len(self.documents):
            # A question naming a place or year prefers the reports about it.
            fused = {i: s if self.passages[i].doc in named else s * NOT_NAMED for i, s in fused.items()}
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Scored(i, s) for i, s in ranked if allowed is None or i in allowed]

    def hit(self, scored: Scored) -> Hit:
        passage = self.passages[scored.passage]
        doc = self.documents[passage.doc]
        return Hit(text=passage.text, score=round(scored.score, 4), title=doc.title, source=doc.source,
                   section=passage.section, start=passage.start, end=passage.end,
                   published=doc.published, publisher=doc.publisher, region=doc.region, year=doc.year)

    def search(self, query: str, k: int = 5, *, mode: str = "fused",
               doc: str | Iterable[str] | None = None) -> list[Hit]:
        """The `k` passages that best answer `query`, best first."""
        return [self.hit(s) for s in self.rank(query, k=k, mode=mode, doc=doc)]

    def ask(self, question: str, *, k: int = 5, doc: str | Iterable[str] | None = None) -> Answer:
        """Answer `question` with the exact figure and its evidence, or say the reports don't."""
        from qa.answering import answer

        return answer(self, question, k=k, doc=doc)
