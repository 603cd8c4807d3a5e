"""The Milvus store (Milvus Lite) against the FAISS store: same answers, updates by document, clear errors."""

import shutil

import pytest
from conftest import DATA, HONGQIAO

import qa
from qa.evaluate import load_questions
from qa.retrieval.index import IndexMissing
from qa.retrieval.backends import open_store, stale

QUESTIONS = load_questions(DATA / "dev.jsonl") + load_questions(DATA / "heldout.jsonl")


@pytest.fixture(scope="module")
def milvus_kb(reports_corpus, tmp_path_factory):
    """The three district reports in Milvus Lite, with the bundled default model."""
    uri = tmp_path_factory.mktemp("milvus") / "reports.db"
    return qa.build(reports_corpus, store="milvus", uri=str(uri), progress=False)


def where(hits):
    return [(h.source, h.start, h.end) for h in hits]


@pytest.mark.parametrize("case", QUESTIONS, ids=[f"q{i}" for i in range(len(QUESTIONS))])
def test_both_stores_give_the_same_top_hit_and_figure(kb, milvus_kb, case):
    assert where(milvus_kb.search(case.q, 3)) == where(kb.search(case.q, 3))
    faiss_answer, milvus_answer = kb.ask(case.q), milvus_kb.ask(case.q)
    assert (milvus_answer.figure, milvus_answer.evidence, milvus_answer.answered) == \
        (faiss_answer.figure, faiss_answer.evidence, faiss_answer.answered)


def test_milvus_store_answers_the_example(milvus_kb):
    answer = milvus_kb.ask("行政复议维持多少宗")
    assert answer.figure == "13宗"
    assert answer.evidence in (HONGQIAO.read_text("utf-8") if answer.source == HONGQIAO.name else "")


def test_milvus_filters_by_document(milvus_kb):
    liwan = next(d for d in milvus_kb.documents if d.source.startswith("liwan"))
    hits = milvus_kb.search("法治政府建设", 10, doc=liwan.title)
    assert hits and {h.source for h in hits} == {liwan.source}
    assert milvus_kb.search("法治政府建设", 5, doc="no such report") == []


def test_milvus_counts_keywords_like_faiss(kb, milvus_kb):
    assert len(milvus_kb) == len(kb)
    for word in ("复议", "行政复议", "城东区", "不存在的词"):
        assert milvus_kb.store.document_frequency(word) == kb.store.document_frequency(word)


def test_milvus_updates_only_the_changed_reports(tmp_path, fake_model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(HONGQIAO, corpus)
    liwan, chengdong = (next(DATA.glob(f"{name}*.txt")) for name in ("liwan", "chengdong"))
    shutil.copy(liwan, corpus)
    shutil.copy(chengdong, corpus)
    uri = str(tmp_path / "m.db")
    kb = qa.build(corpus, store="milvus", uri=uri, progress=False)
    hongqiao_ids = {m.passage for m in kb.store.lexical(["复议"], 500, {0, 1, 2}) if m.doc == 1}
    assert len(kb.documents) == 3 and hongqiao_ids

    (corpus / liwan.name).write_text(liwan.read_text("utf-8") + "\n全年新增蓝鲸调解员77名。\n", "utf-8")
    (corpus / chengdong.name).unlink()
    assert "corpus changed" in stale(corpus, uri, store="milvus")
    kb = qa.load(corpus=corpus, store="milvus", uri=uri, rebuild=True)

    assert [d.source for d in kb.documents] == [HONGQIAO.name, liwan.name]
    assert stale(corpus, uri, store="milvus") is None
    assert kb.ask("新增蓝鲸调解员多少名").figure == "77名"
    assert not [h for h in kb.search("城东区", 20) if h.source == chengdong.name]
    # The unchanged report kept its rows.
    assert {m.passage for m in kb.store.lexical(["复议"], 500, {0, 1}) if m.doc == 0} == hongqiao_ids
    # Nothing is left twice: a fresh build of the same corpus holds as many passages.
    fresh = qa.build(corpus, store="milvus", uri=str(tmp_path / "fresh.db"), progress=False)
    assert len(kb) == len(fresh)


def test_milvus_write_killed_midway_is_redone_cleanly(tmp_path, fake_model, monkeypatch, hongqiao_corpus):
    from qa.retrieval import milvus_store

    uri = str(tmp_path / "m.db")
    real_insert = type(milvus_store.connect(uri)).insert

    def dies_at_the_document_row(self, collection, rows, *args, **kwargs):
        if collection.endswith("_documents") and rows[0]["id"] != 0:
            raise KeyboardInterrupt
        return real_insert(self, collection, rows, *args, **kwargs)

    client_class = type(milvus_store.connect(uri))
    monkeypatch.setattr(client_class, "insert", dies_at_the_document_row)
    with pytest.raises(KeyboardInterrupt):
        qa.build(hongqiao_corpus, store="milvus", uri=uri, progress=False)
    monkeypatch.setattr(client_class, "insert", real_insert)
    # The half-written generation was never made current: there is no collection yet.
    assert stale(hongqiao_corpus, uri, store="milvus").startswith("no collection")

    kb = qa.load(corpus=hongqiao_corpus, store="milvus", uri=uri, rebuild=True)
    fresh = qa.build(hongqiao_corpus, store="milvus", uri=str(tmp_path / "fresh.db"), progress=False)
    assert len(kb) == len(fresh) > 20


def test_milvus_model_change_rebuilds_the_collection(tmp_path, fake_model, hongqiao_corpus):
    uri = str(tmp_path / "m.db")
    qa.build(hongqiao_corpus, store="milvus", uri=uri, model="one-model", progress=False)
    assert stale(hongqiao_corpus, uri, store="milvus", model_name="other") == \
        "model changed from one-model to other"
    kb = qa.build(hongqiao_corpus, store="milvus", uri=uri, model="other", progress=False)
    assert kb.model_name == "other" and len(kb) > 20


def test_missing_collection_names_the_fix(tmp_path):
    with pytest.raises(IndexMissing, match="python -m qa build --store milvus --milvus-uri"):
        open_store(tmp_path / "empty.db", store="milvus")


def test_milvus_needs_a_uri_and_a_known_store():
    with pytest.raises(ValueError, match="--milvus-uri"):
        qa.load(store="milvus")
    with pytest.raises(ValueError, match="store must be one of"):
        qa.load(store="elastic", uri="x")


def test_cli_builds_and_asks_through_milvus(tmp_path, hongqiao_corpus, capsys):
    from qa.cli import main

    uri = str(tmp_path / "cli.db")
    assert main(["build", "--corpus", str(hongqiao_corpus), "--store", "milvus", "--milvus-uri", uri]) == 0
    assert "(collection reports)" in capsys.readouterr().out
    assert main(["ask", "行政复议维持多少宗", "--store", "milvus", "--milvus-uri", uri]) == 0
    assert "答案: 13宗" in capsys.readouterr().out
    assert main(["search", "行政复议", "--store", "milvus", "--milvus-uri", uri, "--collection", "nothing"]) == 2
    assert "--collection nothing" in capsys.readouterr().err


def test_unreachable_milvus_server_names_the_fix(capsys):
    from qa.cli import main

    assert main(["ask", "行政复议维持多少宗", "--store", "milvus", "--milvus-uri", "http://127.0.0.1:9"]) == 2
    assert "cannot reach Milvus at http://127.0.0.1:9: start the server or fix --milvus-uri" in capsys.readouterr().err


def test_app_serves_from_milvus(tmp_path, hongqiao_corpus):
    """`python app.py --store milvus` builds the collection on first start and answers from it."""
    import subprocess
    import sys

    from conftest import ROOT, free_port
    from gradio_client import Client

    from benchmarks.load import wait_for

    port = free_port()
    command = [sys.executable, str(ROOT / "app.py"), "--corpus", str(hongqiao_corpus), "--store", "milvus",
               "--milvus-uri", str(tmp_path / "app.db"), "--port", str(port)]
    log = tmp_path / "app.log"
    app = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        try:
            wait_for(port, app, timeout=120)
        except (RuntimeError, TimeoutError):
            pytest.fail(log.read_text())
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict("行政复议维持多少宗", api_name="/ask")
        assert answer["figure"] == "13宗" and "维持" in answer["evidence"]
    finally:
        app.terminate()
        app.wait(timeout=30)


def test_milvus_takes_a_heading_longer_than_a_varchar(tmp_path, fake_model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    table = "".join(f"第{i}项数据{i * 7}件" for i in range(8000))  # ~90,000 characters without a full stop
    (corpus / "dump.txt").write_text(f"某区2022年法治政府建设情况报告\n一、{table}\n共办理复议案件12宗。\n",
                                     encoding="utf-8")
    kb = qa.build(corpus, store="milvus", uri=str(tmp_path / "m.db"), progress=False)
    answer = kb.ask("办理复议案件多少宗")
    # A numbered line full of figures is a list item of body text, not a heading: it is stored in passages.
    assert answer.figure == "12宗" and kb.search("第7999项数据55993件", 1)[0].text.endswith("第7999项数据55993件")


def test_milvus_brings_back_a_copy_when_the_original_goes(tmp_path, fake_model, hongqiao_corpus):
    """The same report twice is kept once; delete the one kept and the other's passages return."""
    copy = hongqiao_corpus / "zz_copy.txt"
    shutil.copy(HONGQIAO, copy)
    uri = str(tmp_path / "m.db")
    kb = qa.build(hongqiao_corpus, store="milvus", uri=uri, progress=False)
    assert {h.source for h in kb.search("行政复议维持多少宗", 10)} == {HONGQIAO.name}
    (hongqiao_corpus / HONGQIAO.name).unlink()
    kb = qa.build(hongqiao_corpus, store="milvus", uri=uri, progress=False)
    assert kb.ask("行政复议维持多少宗").source == copy.name
    assert len(kb) == len(qa.build(hongqiao_corpus, store="milvus", uri=str(tmp_path / "fresh.db"), progress=False))
