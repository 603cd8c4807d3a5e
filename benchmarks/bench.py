"""Speed, memory and scale of qa, beside the usual Chinese-RAG retrieval, measured in one run.

    python benchmarks/bench.py                      # the report: build, latency, memory, baseline
    python benchmarks/bench.py --scale 1000 10000   # plus synthetic corpora of that many passages
    python benchmarks/bench.py --skip-report --scale 10000 --milvus   # and the same in Milvus Lite

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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed(fn, items, repeat: int = 3) -> list[float]:
    """Seconds per call, warm (each item once first) but with no query vector cached."""
    from qa.knowledge import KnowledgeBase

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

        from qa.embedding import embed, load_model
        from qa.index import context_text

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
        from qa.embedding import embed
        from qa.knowledge import Scored

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
        from qa.answering import answer

        return answer(self, question, k=k)

    def document_frequency(self, word: str) -> int:
        return self.kb.document_frequency(word)

    def __getattr__(self, name):
        return getattr(self.kb, name)

    def __len__(self) -> int:
        return len(self.kb)


def top1(searcher, cases, **kwargs) -> float:
    cases = [c for c in cases if c.evidence]
    return sum(any(holds_evidence(h, c) for h in searcher.search(c.q, 1, **kwargs)) for c in cases) / len(cases)


def peak_rss_mb(index: Path) -> float:
    """Peak resident memory of a fresh process that loads the index and answers the dev questions."""
    code = (f"import qa, json; kb = qa.load({str(index)!r}); "
            f"[kb.ask(json.loads(l)['q']) for l in open({str(DATA / 'dev.jsonl')!r})]")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def report_tables(work: Path) -> None:
    from qa.embedding import embed, load_model
    from qa.index import dense_units

    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "hongqiao_2022_fazhi_zhengfu_report.txt", corpus)
    for report in DATA.glob("*.txt"):
        shutil.copy(report, corpus)
    load_model(qa.embedding.DEFAULT_MODEL)  # model loading is not build time
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
    from qa.corpus import load_corpus
    from qa.passages import sentences

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


def scale_tables(work: Path, sizes: list[int], *, milvus: bool = False) -> None:
    import faiss

    from qa.index import current_generation

    print("\n## Scale (synthetic reports)\n")
    print("| passages | vectors | build | index on disk | fused search p50 / p95 | ask p50 / p95 "
          "| flat dense p50 | HNSW dense p50 | HNSW recall@10 |")
    print("|---|---|---|---|---|---|---|---|---|")
    questions = [c.q for c in load_questions(DATA / "dev.jsonl")]
    rows = []
    for size in sizes:
        corpus = work / f"corpus-{size}"
        corpus.mkdir()
        synthetic_corpus(corpus, size)
        started = time.perf_counter()
        kb = qa.build(corpus, work / f"index-{size}", progress=False)
        build_s = time.perf_counter() - started
        disk = sum(p.stat().st_size for p in current_generation(kb.store.path).rglob("*") if p.is_file())
        fused = percentiles(timed(lambda q: kb.search(q, 5), questions, repeat=2))
        asked = percentiles(timed(lambda q: kb.ask(q), questions, repeat=2))
        # Exact against approximate on the same vectors.
        dense = kb.store.vectors
        vectors = dense.reconstruct_n(0, dense.ntotal) if isinstance(dense, faiss.IndexFlat) else None
        flat_ms = hnsw_ms = recall = float("nan")
        if vectors is not None:
            from qa.embedding import embed, load_model

            queries = embed(load_model(kb.model_name), questions)
            flat = faiss.IndexFlatIP(vectors.shape[1])
            flat.add(vectors)
            hnsw = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction, hnsw.hnsw.efSearch = 80, 128
            hnsw.add(vectors)
            flat_ms = percentiles(timed(lambda q: flat.search(q[None], 100), queries))[0]
            hnsw_ms = percentiles(timed(lambda q: hnsw.search(q[None], 100), queries))[0]
            _, exact = flat.search(queries, 10)
            _, approx = hnsw.search(queries, 10)
            recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
        print(f"| {len(kb)} | {dense.ntotal} | {build_s:.0f} s | {disk / 2**20:.1f} MB "
              f"| {fused[0]:.1f} / {fused[1]:.1f} ms | {asked[0]:.1f} / {asked[1]:.1f} ms "
              f"| {flat_ms:.2f} ms | {hnsw_ms:.2f} ms | {recall:.3f} |", flush=True)
        if milvus:
            rows.append(milvus_row(kb, corpus, work / f"milvus-{size}.db", questions))
        shutil.rmtree(corpus)
    if rows:
        print("\n## The same corpora in Milvus Lite (vectors reused from the FAISS index, so build = inserting)\n")
        print("| passages | build | on disk | fused search p50 / p95 | ask p50 / p95 | same top hit as FAISS |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))


def where(hits) -> list[tuple[str, int]]:
    return [(h.source, h.start) for h in hits]


def milvus_row(faiss_kb, corpus: Path, uri: Path, questions: list[str]) -> str:
    from qa.milvus_store import write_store
    from qa.store import open_store

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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_report:
            report_tables(Path(tmp))
            incremental_table(Path(tmp))
        if args.scale:
            scale_tables(Path(tmp), args.scale, milvus=args.milvus)


if __name__ == "__main__":
    main()
