import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qa
from conftest import DATA
from qa.evaluate import holds_evidence, load_questions
from qa.results import Hit

DEV = [c for c in load_questions(DATA / "dev.jsonl") if c.evidence]
HELDOUT = [c for c in load_questions(DATA / "heldout.jsonl") if c.evidence]
PARAPHRASE = [c for c in load_questions(DATA / "paraphrase.jsonl") if c.evidence]


def top1(kb, cases, mode):
    return sum(any(holds_evidence(h, c) for h in kb.search(c.q, 1, mode=mode)) for c in cases) / len(cases)


def test_hit_is_a_frozen_dataclass_with_where_it_stands(kb):
    hit = kb.search("行政复议维持多少宗", k=5)[0]
    assert isinstance(hit, Hit)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 0
    assert "维持13宗" in hit.text
    assert hit.title == "天津市红桥区人民政府2022年法治政府建设情况报告"
    assert hit.source == "hongqiao_2022_fazhi_zhengfu_report.txt"
    assert hit.section == "一、推进法治政府建设情况"
    doc = next(d for d in kb.documents if d.source == hit.source)
    assert doc.text[hit.start:hit.end] == hit.text
    assert 0 < hit.score <= 1


def test_scores_are_sorted_and_k_is_respected(kb):
    hits = kb.search("法治政府建设", k=7)
    assert len(hits) == 7
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_problems_question_finds_the_text_under_its_heading(kb):
    hit = kb.search("存在哪些问题", k=1)[0]
    assert hit.section == "三、存在的问题" and "一是部分领导干部" in hit.text


def test_dev_questions_first_hit_holds_the_evidence(kb):
    assert top1(kb, DEV, "fused") >= 0.95


@pytest.mark.parametrize("cases", [DEV, HELDOUT, PARAPHRASE], ids=["dev", "heldout", "paraphrase"])
def test_fusion_is_never_worse_than_bm25(kb, cases):
    assert top1(kb, cases, "fused") >= top1(kb, cases, "bm25")


def test_fusion_wins_on_paraphrased_and_english_questions(kb):
    assert top1(kb, PARAPHRASE, "fused") > top1(kb, PARAPHRASE, "bm25")
    assert top1(kb, PARAPHRASE, "fused") > top1(kb, PARAPHRASE, "dense")


def test_document_filter(kb):
    hits = kb.search("学习了哪些法律法规", k=5, doc="liwan_2022_excerpt.txt")
    assert hits and {h.source for h in hits} == {"liwan_2022_excerpt.txt"}
    assert kb.search("学习了哪些法律法规", k=5, doc="no-such-file.txt") == []


def test_bm25_ranks_by_bm25s_scores_and_keeps_to_the_filter(kb):
    import numpy as np

    from qa.retrieval.tokens import tokenize

    store = kb.store
    for query in ("行政复议维持多少宗", "法治宣传教育 普法", "城东区 行政执法"):
        tokens = store.known(tokenize(query))
        scores = np.asarray(store.bm25.get_scores(tokens), dtype=np.float32)
        found = store.lexical(tokens, 5, None)
        assert [m.score for m in found] == sorted(scores[scores > 0], reverse=True)[:5]
        assert all(m.score == scores[m.passage] for m in found)
        assert all(m.doc == store.passage_list[m.passage].doc and m.start == store.passage_list[m.passage].start
                   for m in found)
        liwan = {i for i, d in enumerate(kb.documents) if d.source.startswith("liwan")}
        assert {m.doc for m in store.lexical(tokens, 50, liwan)} <= liwan
    assert store.lexical(store.known(tokenize("行政复议")), 5, set()) == []


def test_keyword_counts_are_the_passages_holding_every_token_of_the_word(kb):
    from qa.retrieval.index import context_text
    from qa.retrieval.tokens import tokenize

    terms = [set(tokenize(context_text(kb.documents[p.doc], p))) for p in kb.store.passage_list]
    for word in ("复议", "行政复议", "城东区", "法治政府建设", "维持"):
        counted = kb.store.document_frequency(word)
        assert counted == sum(set(tokenize(word)) <= t for t in terms) > 0
    assert kb.store.document_frequency("不存在的词") == 0
    assert kb.store.document_frequency("的") == len(kb)  # a stop word tells no passage apart


def test_region_of_an_untitled_report_is_searchable(kb):
    hit = kb.search("荔湾区常务会议学习了哪些法律法规", k=1)[0]
    assert hit.source == "liwan_2022_excerpt.txt" and "《中华人民共和国民法典》" in hit.text


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_search_on_arbitrary_unicode_never_crashes(kb, query):
    hits = kb.search(query, k=3)
    assert len(hits) <= 3 and all(0 <= h.score <= 1 for h in hits)


@pytest.mark.parametrize("query", ["", "   ", "？？？", "😀😀", "\x00\x07", "\ud800abc", "a" * 100_000],
                         ids=["empty", "blank", "punctuation", "emoji", "control", "surrogate", "huge"])
def test_odd_queries_do_not_crash(kb, query):
    hits = kb.search(query, k=3)
    assert isinstance(hits, list) and len(hits) <= 3


def test_english_question_finds_the_chinese_passage(kb):
    hit = kb.search("How many administrative licensing items are on the 2022 list?", k=1)[0]
    assert "精简至163项" in hit.text


def test_module_level_search_uses_the_default_index(monkeypatch, reports_corpus, tmp_path):
    monkeypatch.setenv("QA_CORPUS", str(reports_corpus))
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "index"))
    monkeypatch.setattr(qa.api, "_default_kb", None)
    hits = qa.search("行政复议维持多少宗", k=5)  # builds the missing index first
    assert len(hits) == 5 and "维持13宗" in hits[0].text
    assert (tmp_path / "index" / "CURRENT").is_file()
