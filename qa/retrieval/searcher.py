"""Searching a store: BM25 and dense scores fused into one ranking, whichever store holds them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from qa.retrieval.cache import BoundedCache
from qa.retrieval.index import BadIndex
from qa.reading.limits import check_k
from qa.retrieval.question import Question
from qa.results import Hit

if TYPE_CHECKING:
    import numpy as np

    from qa.retrieval.store import Match, Store

# Weight of the normalised BM25 score in the fused score (tuned on the dev, held-out and
# paraphrase sets, see README); the dense score takes the rest.
BM25_WEIGHT = 0.8
MODES = ("fused", "bm25", "dense")
POOL = 200  # candidates taken from each of BM25 and the dense vectors before fusing
NOT_NAMED = 0.5  # score factor for reports other than the ones a question names
REMEMBERED = 100_000  # keywords and tokens whose counts are kept; questions are unbounded, memory is not


@dataclass(frozen=True)
class Scored:
    passage: int
    score: float


@dataclass(frozen=True)
class Scope:
    """Which reports may answer a question that names a place or a year."""

    docs: set[int] | None  # the reports that may answer (None: every one)
    # Reports that count only for sentences naming the place or year asked (a province's bulletin
    # for a question about one of its cities): doc -> the words such a sentence must hold, any one.
    must_name: dict[int, tuple[str, ...]]
    missing: str = ""  # the places no report is about ("朝阳区"), for the answer's notice


class Searcher:
    """A store opened for searching: the question's scope, the fused ranking, the hits. `qa.answers` adds `ask`."""

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
        return f"{type(self).__name__}({self.store.location!r}, {len(self.documents)} documents, {len(self.store)} passages)"

    def __len__(self) -> int:
        """Number of passages."""
        return len(self.store)

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

    @property
    def place_aliases(self) -> dict[str, tuple[str, ...]]:
        """Short names of the reports' places ("万载" for 万载县) and their full names."""
        return self._aliases

    @functools.cached_property
    def _aliases(self) -> dict[str, tuple[str, ...]]:
        """Short names of the reports' places ("万载" for 万载县), for reading questions."""
        from qa.reading.places import aliases

        return aliases(tuple(d.places) for d in self.documents if d.places)

    def analyse(self, text: str, *, words: bool = True) -> Question:
        """The question read once, with the reports' own short place names known."""
        from qa.retrieval.question import analyse

        return analyse(text, aliases=self._aliases, words=words, known=self.document_frequency,
                       full_name=self._full_name)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one index lives as long as its app
    def _full_name(self, short: str) -> str | None:
        """The full name the reports write for a short organisation name ("疾病管制署" for 疾管署), or None."""
        from qa.retrieval.abbreviations import full_name

        return full_name(short, self._folded_text)

    @functools.cached_property
    def _folded_text(self) -> str:
        """All reports' text, folded as questions are (simplified, lower case): where full names are looked for."""
        from qa.textnorm import fold

        return fold("\n".join(self._texts.values()))

    def scope(self, question: Question) -> Scope:
        """The reports about the place and year a question names; a parent region's report (a province
        for one of its cities) counts for sentences that name the place; a report of another year for
        sentences that name the year asked."""
        from qa.reading.places import relation, written_names

        docs, must_name, missing = set(range(len(self.documents))), {}, ""
        if question.places:
            # Places apart ("红桥区和朝阳区") each on its own; a place inside another asked (九江 of 江西) for both.
            apart = [p for p in question.places if not any(p[0][0] in chain[1:] for other in question.places
                                                           if other is not p for chain in other)]
            each = [{i: relation((p,), tuple(d.places)) for i, d in enumerate(self.documents)} for p in apart]
            related = {i: max((r[i] for r in each), key=("", "parent", "same").index)
                       for i in range(len(self.documents))}
            docs = {i for i, r in related.items() if r}
            # A sentence of a parent region's report counts where it names the place inside it asked (南山区 of
            # "深圳南山区…" in 深圳's report), not where it names the region.
            names = written_names(p[0][0] for p in apart)
            must_name = {i: names for i, r in related.items() if r == "parent"}
            # Only the places no report is about: "红桥区和朝阳区…" is answered for 红桥区, and says so of 朝阳区.
            missing = "、".join(p[0][0] for p, r in zip(apart, each) if not any(r.values()))
        if question.years and docs:
            asked = {str(y) for y in question.years}
            covered = {i for i in docs if asked & set(self.documents[i].years or (self.documents[i].year,))}
            for i in docs - covered:
                must_name[i] = must_name.get(i, ()) + tuple(sorted(asked))
        if not question.places and not question.years:
            return Scope(None, {})
        return Scope(docs, must_name, missing)

    def titles(self) -> list[str]:
        return [d.title for d in self.documents]

    def _chosen(self, doc: str | Iterable[str] | None) -> set[int] | None:
        """Positions of the chosen documents (by source path or title), None for all."""
        if doc is None:
            return None
        wanted = {doc} if isinstance(doc, str) else set(doc)
        return {i for i, d in enumerate(self.documents) if d.source in wanted or d.title in wanted}

    @functools.cached_property
    def _encode_query(self):
        # The bundled model's questions need neither torch nor sentence-transformers (`question_encoder`).
        from qa.retrieval.embedding import question_encoder

        return question_encoder(self.model_name)

    def document_text(self, source: str) -> str:
        """A report's cleaned text, which hits' offsets index; "" when the store keeps none (Milvus)."""
        return self._texts.get(source, "")

    @functools.cached_property
    def _texts(self) -> dict[str, str]:
        return {d.source: d.text for d in self.documents}

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two short texts' question vectors: how alike two words are in meaning."""
        return float(self._query_vector(a)[0] @ self._query_vector(b)[0])

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one index lives as long as its app
    def _query_vector(self, query: str) -> np.ndarray:
        return self._encode_query(query)

    def _query_tokens(self, query: str) -> tuple[list[str], float]:
        """The query's BM25 tokens the corpus knows, and their share of all its tokens.

        `query` comes cleaned by `rank` (NFKC, lower case, simplified).
        """
        from qa.retrieval.glossary import translate
        from qa.retrieval.tokens import tokenize

        tokens = tokenize(translate(query))
        known = self._known_tokens(tokens)
        return known, len(known) / len(tokens) if tokens else 0.0

    def rank(self, query: str | Question, *, k: int = 5, mode: str = "fused",
             doc: str | Iterable[str] | None = None, scope: Scope | None = None) -> list[Scored]:
        """Passage ids (the store's) and scores, best first.

        A question naming a place or year prefers the reports about it; with `scope`, only
        those reports are searched.
        """
        k = check_k(k)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        question = query if isinstance(query, Question) else self.analyse(query, words=False)
        docs = self._chosen(doc)
        if scope is not None and scope.docs is not None:
            docs = scope.docs if docs is None else docs & scope.docs
        query = question.folded
        if not query or not len(self.store) or docs == set():
            return []
        pool = max(POOL, 4 * k)
        fused: dict[int, float] = {}
        place: dict[int, Match] = {}  # where each candidate stands
        coverage = 0.0
        if mode in ("fused", "bm25"):
            tokens, coverage = self._query_tokens(question.searched or query)
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
        scope = scope or self.scope(question)
        # Reports that count only where a sentence names the place or year rank below the ones about them.
        preferred = scope.docs if scope.docs is None else (scope.docs - set(scope.must_name) or scope.docs)
        if preferred is not None and len(preferred) < len(self.documents):
            # A question naming a place or year prefers the reports about it.
            fused = {i: s if place[i].doc in preferred else s * NOT_NAMED for i, s in fused.items()}
        # Equal scores (one sentence in many reports) go in reading order, whichever store holds them.
        ranked = sorted(fused.items(), key=lambda item: (-item[1], self.documents[place[item[0]].doc].source,
                                                        place[item[0]].start))[:k]
        return [Scored(i, s) for i, s in ranked]

    def hits(self, scored: list[Scored]) -> list[Hit]:
        """The passages behind `scored`, with their documents, as search results."""
        hits = []
        for s, passage in zip(scored, self.store.passages([s.passage for s in scored])):
            doc = self.documents[passage.doc]
            table = doc.table_at(passage.start)
            hits.append(Hit(text=passage.text, score=round(s.score, 4), title=doc.title, source=doc.source,
                            section=passage.section, start=passage.start, end=passage.end,
                            published=doc.published, publisher=doc.publisher, region=doc.region, year=doc.year,
                            table=(table["caption"] or "表格") if table else "",
                            unit=table["unit"] if table else ""))
        return hits

    def search(self, query: str, k: int = 5, *, mode: str = "fused",
               doc: str | Iterable[str] | None = None) -> list[Hit]:
        """The `k` passages that best answer `query`, best first."""
        return self.hits(self.rank(query, k=k, mode=mode, doc=doc))

    def keyword_weights(self, keywords) -> dict[str, float]:
        """IDF of each keyword over the passages: rare words decide, common ones barely count."""
        import math

        total = max(len(self), 1)
        return {kw: math.log(1 + (total - (df := self.document_frequency(kw)) + 0.5) / (df + 0.5))
                for kw in keywords}

    def figures(self, doc: str) -> list:
        """Every figure report `doc` (source path or title) states: section, label, figure, sentence."""
        from qa.reading.report_figures import document_figures

        found = [d for d in self.documents if doc in (d.source, d.title)]
        if not found:
            raise ValueError(f"no report {doc!r} in {self.store.location}: give a source path or title from kb.titles()")
        return document_figures(found[0])
