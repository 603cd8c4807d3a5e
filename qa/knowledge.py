"""Searching a store: BM25 and dense scores fused into one ranking, whichever store holds them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from qa.cache import BoundedCache
from qa.index import BadIndex
from qa.limits import check_k
from qa.results import Answer, Hit

if TYPE_CHECKING:
    import numpy as np

    from qa.store import Match, Store

# Weight of the normalised BM25 score in the fused score (tuned on the dev, held-out and
# paraphrase sets, see README); the dense score takes the rest.
BM25_WEIGHT = 0.8
MAX_QUERY = 500  # characters; a longer question is cut here (Answer.notice says so)
MODES = ("fused", "bm25", "dense")
POOL = 200  # candidates taken from each of BM25 and the dense vectors before fusing
NOT_NAMED = 0.5  # score factor for reports other than the ones a question names
REMEMBERED = 100_000  # keywords and tokens whose counts are kept; questions are unbounded, memory is not


@dataclass(frozen=True)
class Scored:
    passage: int
    score: float


class KnowledgeBase:
    """A store opened for searching and answering; build one with `qa.build`, open it with `qa.load`."""

    def __init__(self, store: Store, *, model: str | None = None):
        self.store = store
        if model and model != store.model_name:
            raise BadIndex(f"{store.location} was built with {store.model_name}, not {model}: "
                           f"run `python -m qa build --model {model}` on it")
        self.model_name = store.model_name
        self.documents = store.documents
        self._frequencies = BoundedCache(REMEMBERED)  # keyword -> passages holding it
        self._known = BoundedCache(REMEMBERED)  # BM25 token -> does some passage hold it

    def __repr__(self) -> str:
        return f"KnowledgeBase({self.store.location!r}, {len(self.documents)} documents, {len(self.store)} passages)"

    def __len__(self) -> int:
        """Number of passages."""
        return len(self.store)

    @functools.cached_property
    def _model(self):
        from qa.embedding import load_model, query_prompt

        model = load_model(self.model_name)
        return model, query_prompt(model, self.model_name)

    def document_frequency(self, word: str) -> int:
        """How many passages contain `word` (folded), for weighting question keywords."""
        count = self._frequencies.get(word)
        if count is None:
            count = self.store.document_frequency(word)
            self._frequencies.update({word: count})
        return count

    def _known_tokens(self, tokens: list[str]) -> list[str]:
        """The tokens some passage holds; the store is asked once per token, all new ones together."""
        flags = self._known.pick(tokens)  # read once: another thread may evict entries meanwhile
        unseen = [t for t in dict.fromkeys(tokens) if t not in flags]
        if unseen:
            known = set(self.store.known(unseen))
            flags.update({t: t in known for t in unseen})
            self._known.update({t: flags[t] for t in unseen})
        return [t for t in tokens if flags[t]]

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

    def _chosen(self, doc: str | Iterable[str] | None) -> set[int] | None:
        """Positions of the chosen documents (by source path or title), None for all."""
        if doc is None:
            return None
        wanted = {doc} if isinstance(doc, str) else set(doc)
        return {i for i, d in enumerate(self.documents) if d.source in wanted or d.title in wanted}

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one index lives as long as its app
    def _query_vector(self, query: str) -> np.ndarray:
        from qa.embedding import embed

        model, prompt = self._model
        return embed(model, [query], prompt=prompt)

    def _query_tokens(self, query: str) -> tuple[list[str], float]:
        """The query's BM25 tokens the corpus knows, and their share of all its tokens.

        `query` comes cleaned by `rank` (NFKC, lower case, simplified).
        """
        from qa.glossary import translate
        from qa.tokens import tokenize

        tokens = tokenize(translate(query))
        known = self._known_tokens(tokens)
        return known, len(known) / len(tokens) if tokens else 0.0

    def rank(self, query: str, *, k: int = 5, mode: str = "fused",
             doc: str | Iterable[str] | None = None) -> list[Scored]:
        """Passage ids (the store's) and scores, best first."""
        k = check_k(k)
        from qa.textnorm import clean_query

        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        docs = self._chosen(doc)
        query = clean_query(query[:MAX_QUERY])
        if not query or not len(self.store) or docs == set():
            return []
        pool = max(POOL, 4 * k)
        fused: dict[int, float] = {}
        place: dict[int, Match] = {}  # where each candidate stands
        coverage = 0.0
        if mode in ("fused", "bm25"):
            tokens, coverage = self._query_tokens(query)
            lexical = self.store.lexical(tokens, pool, docs) if tokens else []
            # An English question shares a year or two with a Chinese report, no more:
            # trust BM25 only as far as the corpus knows the question's words.
            weight = 1.0 if mode == "bm25" else BM25_WEIGHT * coverage
            if lexical:
                top = lexical[0].score
                for m in lexical:
                    fused[m.passage] = weight * m.score / top
                    place[m.passage] = m
        if mode in ("fused", "dense"):
            dense: dict[int, float] = {}
            for m in self.store.dense(self._query_vector(query), pool, docs):
                # A passage scores as its best sentence.
                dense[m.passage] = max(dense.get(m.passage, -1.0), m.score)
                place[m.passage] = m
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
            fused = {i: s if place[i].doc in named else s * NOT_NAMED for i, s in fused.items()}
        # Equal scores (one sentence in many reports) go in reading order, whichever store holds them.
        ranked = sorted(fused.items(), key=lambda item: (-item[1], self.documents[place[item[0]].doc].source,
                                                        place[item[0]].start))[:k]
        return [Scored(i, s) for i, s in ranked]

    def hits(self, scored: list[Scored]) -> list[Hit]:
        """The passages behind `scored`, with their documents, as search results."""
        hits = []
        for s, passage in zip(scored, self.store.passages([s.passage for s in scored])):
            doc = self.documents[passage.doc]
            hits.append(Hit(text=passage.text, score=round(s.score, 4), title=doc.title, source=doc.source,
                            section=passage.section, start=passage.start, end=passage.end,
                            published=doc.published, publisher=doc.publisher, region=doc.region, year=doc.year))
        return hits

    def search(self, query: str, k: int = 5, *, mode: str = "fused",
               doc: str | Iterable[str] | None = None) -> list[Hit]:
        """The `k` passages that best answer `query`, best first."""
        return self.hits(self.rank(query, k=k, mode=mode, doc=doc))

    def ask(self, question: str, *, k: int = 5, doc: str | Iterable[str] | None = None) -> Answer:
        """Answer `question` with the exact figure and its evidence, or say the reports don't."""
        k = check_k(k)
        from qa.answering import answer

        return answer(self, question, k=k, doc=doc)
