import json
import logging
import os
import random
import signal
import subprocess
import sys
import time

import pytest

import qa
from conftest import ROOT
from qa.retrieval.index import BadIndex, IndexBusy, IndexMissing, build_lock, current_generation, stale_reason


def test_build_writes_the_index_folder(fake_model, hongqiao_corpus, tmp_path):
    kb = qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    generation = current_generation(tmp_path / "index")
    names = {p.name for p in generation.iterdir()}
    assert {"manifest.json", "dense.faiss", "owners.npy", "bm25", "passages.jsonl", "documents.jsonl"} <= names
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    assert manifest["model"] == "hash" and manifest["dimension"] == 64
    assert manifest["passages"] == len(kb) > 20
    assert manifest["files"] == {"hongqiao_2022_fazhi_zhengfu_report.txt": pytest.approx(manifest["files"][
        "hongqiao_2022_fazhi_zhengfu_report.txt"])}
    assert len(manifest["files"]["hongqiao_2022_fazhi_zhengfu_report.txt"]) == 64  # sha256
    assert {"chunker", "qa_version", "faiss"} <= manifest.keys()


def test_save_load_round_trip(fake_model, hongqiao_corpus, tmp_path):
    built = qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    loaded = qa.load(tmp_path / "index")
    assert loaded.store.passage_list == built.store.passage_list and loaded.documents == built.documents
    for mode in ("bm25", "dense", "fused"):
        assert loaded.search("行政复议维持多少宗", 5, mode=mode) == built.search("行政复议维持多少宗", 5, mode=mode)
    assert "维持13宗" in loaded.search("行政复议维持多少宗", 1, mode="bm25")[0].text


def test_missing_index_names_the_build_command(tmp_path):
    with pytest.raises(IndexMissing, match=r"python -m qa build"):
        qa.load(tmp_path / "nowhere")


def test_corrupt_files_give_a_clear_error(fake_model, hongqiao_corpus, tmp_path):
    qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    generation = current_generation(tmp_path / "index")
    (generation / "dense.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(BadIndex, match="python -m qa build"):
        qa.load(tmp_path / "index")


def test_passages_and_vectors_out_of_step_are_refused(fake_model, hongqiao_corpus, tmp_path):
    qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    passages = current_generation(tmp_path / "index") / "passages.jsonl"
    lines = passages.read_text("utf-8").splitlines(keepends=True)
    passages.write_text("".join(lines[:-1]), "utf-8")
    with pytest.raises(BadIndex, match="out of step"):
        qa.load(tmp_path / "index")


def test_manifest_from_another_version_is_refused(fake_model, hongqiao_corpus, tmp_path):
    qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    manifest = current_generation(tmp_path / "index") / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    manifest.write_text(json.dumps({**data, "chunker": "0"}), "utf-8")
    with pytest.raises(BadIndex, match="another version"):
        qa.load(tmp_path / "index")


def test_stale_index_is_rebuilt_with_a_reason(fake_model, hongqiao_corpus, tmp_path, caplog):
    index = tmp_path / "index"
    qa.build(hongqiao_corpus, index, model="hash", progress=False)
    assert stale_reason(index, hongqiao_corpus) is None
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", encoding="utf-8")
    assert "corpus changed" in stale_reason(index, hongqiao_corpus)
    with caplog.at_level(logging.WARNING, logger="qa"):
        kb = qa.load(index, corpus=hongqiao_corpus, model="hash", rebuild=True)
    assert "rebuilding" in caplog.text and "extra.txt" in caplog.text
    assert len(kb.documents) == 2
    assert stale_reason(index, hongqiao_corpus) is None
    assert "model changed" in stale_reason(index, hongqiao_corpus, "other-model")


def test_a_second_build_on_the_same_folder_is_told_to_wait(tmp_path):
    with build_lock(tmp_path):
        with pytest.raises(IndexBusy, match="another build"):
            with build_lock(tmp_path):
                pass


def test_old_generations_are_removed(fake_model, hongqiao_corpus, tmp_path):
    qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    (tmp_path / "index" / ".gen-killed.partial").mkdir()  # what a killed build leaves
    qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    generations = [p for p in (tmp_path / "index").iterdir() if p.is_dir()]
    assert generations == [current_generation(tmp_path / "index")]


def test_killed_builds_never_break_the_previous_index(hongqiao_corpus, tmp_path):
    """SIGKILL real build processes at random moments: the old index still answers, the next build completes."""
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    build = [sys.executable, "-m", "qa", "build", "--corpus", str(hongqiao_corpus), "--index", str(index)]
    subprocess.run(build, env=env, check=True, capture_output=True)
    before = qa.load(index).search("行政复议维持多少宗", 3, mode="bm25")
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", encoding="utf-8")
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen(build, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 6.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kb = qa.load(index)  # whichever generation is current loads whole
        if len(kb.documents) == 1:
            assert kb.search("行政复议维持多少宗", 3, mode="bm25") == before
    subprocess.run(build, env=env, check=True, capture_output=True)
    assert len(qa.load(index).documents) == 2


def test_a_model_missing_after_the_build_names_the_fix(fake_model, hongqiao_corpus, tmp_path, monkeypatch):
    import qa.retrieval.embedding

    qa.build(hongqiao_corpus, tmp_path / "index", model="gone/model", progress=False)
    monkeypatch.undo()  # the real loader: "gone/model" is nowhere on this machine
    kb = qa.load(tmp_path / "index")
    with pytest.raises(qa.retrieval.embedding.ModelUnavailable, match="--model"):
        kb.search("行政复议维持多少宗")


def test_a_huge_report_is_indexed(fake_model, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraph = "行政复议机构接收行政复议案件38宗,受理后办结43宗,维持13宗,驳回24宗。" * 4
    body = "\n".join(f"（{i}）第{i}项工作\n{paragraph.replace('13宗', f'{i}宗')}" for i in range(1, 6000))
    (corpus / "huge.txt").write_text("某区2022年法治政府建设情况报告\n一、主要工作\n" + body, encoding="utf-8")
    assert (corpus / "huge.txt").stat().st_size > 2_000_000
    kb = qa.build(corpus, tmp_path / "index", model="hash", progress=False)
    assert len(kb) >= 6000
    assert "维持5999宗" in kb.search("维持5999宗", 1, mode="bm25")[0].text


def _dense_kinds(index_folder):
    return json.loads((current_generation(index_folder) / "manifest.json").read_text("utf-8"))["dense"]


def test_small_corpora_get_an_exact_index(fake_model, hongqiao_corpus, tmp_path):
    kb = qa.build(hongqiao_corpus, tmp_path / "index", model="hash", progress=False)
    assert _dense_kinds(tmp_path / "index") == {"kind": "flat", "recall@10": 1.0}
    assert kb.store.manifest["faiss"] == "IndexFlatIP"


def test_ivf_above_the_limit_with_its_measured_recall(fake_model, reports_corpus, tmp_path, monkeypatch):
    import qa.retrieval.index

    exact = qa.build(reports_corpus, tmp_path / "exact", model="hash", progress=False)
    monkeypatch.setattr(qa.retrieval.index, "EXACT_LIMIT", 50)
    ivf = qa.build(reports_corpus, tmp_path / "ivf", model="hash", progress=False)
    dense = _dense_kinds(tmp_path / "ivf")
    vectors = ivf.store.vectors.ntotal
    assert vectors > 50 and ivf.store.manifest["faiss"] == "IndexIVFFlat"
    assert dense["kind"] == "ivf-flat" and dense["lists"] == min(vectors // 4, round(4 * vectors ** 0.5))
    assert dense["recall@10"] >= 0.99 and 1 <= dense["nprobe"] <= dense["lists"]
    assert dense["recall_queries"].startswith(f"{qa.retrieval.index.RECALL_SAMPLE} blends")
    assert qa.load(tmp_path / "ivf").store.vectors.nprobe == dense["nprobe"]
    for question in ("行政复议维持多少宗", "政务服务中心集中办理事项", "法治宣传教育"):
        assert ivf.search(question, 1, mode="dense") == exact.search(question, 1, mode="dense")


@pytest.mark.parametrize("limit", [100_000, 50])  # exact and IVF
def test_the_document_filter_works_on_every_index_type(fake_model, reports_corpus, tmp_path, monkeypatch, limit):
    import qa.retrieval.index

    monkeypatch.setattr(qa.retrieval.index, "EXACT_LIMIT", limit)
    kb = qa.build(reports_corpus, tmp_path / "index", model="hash", progress=False)
    for doc in kb.documents:
        hits = kb.search("行政复议案件", 5, mode="dense", doc=doc.source)
        assert hits and {h.source for h in hits} == {doc.source}
    both = [d.source for d in kb.documents[:2]]
    assert {h.source for h in kb.search("行政复议案件", 20, mode="dense", doc=both)} <= set(both)


def test_an_ivf_index_is_reused_by_the_next_build(fake_model, reports_corpus, tmp_path, monkeypatch):
    import shutil

    import qa.retrieval.index

    monkeypatch.setattr(qa.retrieval.index, "EXACT_LIMIT", 50)
    corpus = shutil.copytree(reports_corpus, tmp_path / "corpus")
    first = qa.build(corpus, tmp_path / "index", model="hash", progress=False)
    (corpus / "extra.txt").write_text("某区2022年法治政府建设情况报告\n一、新增\n行政复议维持99宗。", "utf-8")
    second = qa.build(corpus, tmp_path / "index", model="hash", progress=False)
    assert second.store.manifest["embedded"] < 5 < first.store.manifest["embedded"]
    assert second.store.manifest["dense"]["kind"] == "ivf-flat"


def test_make_faiss_index_finds_nprobe_for_the_recall_target():
    import numpy as np

    from qa.retrieval.index import make_faiss_index

    rng = np.random.default_rng(1)
    centres = rng.standard_normal((30, 32))
    vectors = (centres[rng.integers(0, 30, 3000)] + 0.3 * rng.standard_normal((3000, 32))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    flat, choice = make_faiss_index(vectors, 32, exact_limit=5000)
    assert choice["kind"] == "flat" and flat.ntotal == 3000
    ivf, choice = make_faiss_index(vectors, 32, exact_limit=1000)
    assert choice["kind"] == "ivf-flat" and choice["lists"] == round(4 * 3000 ** 0.5)
    assert ivf.nprobe == choice["nprobe"] and choice["recall@10"] >= 0.99
    _, exact = flat.search(vectors[:200], 10)
    _, found = ivf.search(vectors[:200], 10)
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, found)]) >= 0.97
    assert np.allclose(ivf.reconstruct_n(0, 3000), vectors)  # incremental builds read vectors back


def test_a_big_build_starts_its_workers_before_reading(fake_model, reports_corpus, tmp_path, monkeypatch):
    import qa.reading.corpus
    import qa.retrieval.embedding
    import qa.retrieval.index

    events = []

    class Pool:
        def shutdown(self, wait=True, cancel_futures=False):
            events.append("stopped")

    real_read, real_embed = qa.reading.corpus.read_report, qa.retrieval.embedding.embed_corpus
    monkeypatch.setattr(qa.retrieval.embedding, "build_workers", lambda: 2)
    monkeypatch.setattr(qa.retrieval.embedding, "start_workers", lambda name, workers=None: events.append("started") or Pool())
    monkeypatch.setattr(qa.reading.corpus, "read_report", lambda *a: events.append("read") or real_read(*a))
    monkeypatch.setattr(qa.retrieval.embedding, "embed_corpus",
                        lambda name, texts, **kw: events.append(type(kw["pool"]).__name__) or real_embed(
                            name, texts, progress=False, workers=1))
    size = sum(p.stat().st_size for p in reports_corpus.iterdir())
    monkeypatch.setattr(qa.retrieval.index, "BYTES_PER_SENTENCE", 1)
    monkeypatch.setattr(qa.retrieval.embedding, "PARALLEL_MIN", size)  # the three reports just reach it
    qa.build(reports_corpus, tmp_path / "index", model="hash", progress=False)
    assert events[0] == "started" and "read" in events and events[-2:] == ["Pool", "stopped"]
    events.clear()
    monkeypatch.setattr(qa.retrieval.embedding, "PARALLEL_MIN", size + 1)
    qa.build(reports_corpus, tmp_path / "other", model="hash", progress=False)
    assert "started" not in events and "NoneType" in events


def test_a_builds_workers_tokenise_as_this_process_does(monkeypatch):
    """BM25 tokens shared with a spawned worker process, chunk by chunk, equal this process's own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import qa.retrieval.tokens as tokens
    from qa.reading.corpus import load_corpus
    from qa.reading.passages import split

    doc = load_corpus(ROOT / "corpus")[0]
    texts = [p.text for p in split(doc, 0)] * 3
    alone = [tokens.tokenize(t) for t in texts]
    here = []

    def slow_tokenize(text):  # this process only: leave the worker time to start and take chunks
        here.append(text)
        time.sleep(0.05)
        return alone[texts.index(text)]

    monkeypatch.setattr(tokens, "TOKEN_CHUNK", 4)
    monkeypatch.setattr(tokens, "tokenize", slow_tokenize)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        shared = tokens.tokenize_all(texts, pool=pool, helpers=1)
    assert shared == alone
    assert 0 < len(here) < len(texts)  # both processes took chunks
    assert tokens.tokenize_all(texts[:7], pool=None) == alone[:7]
