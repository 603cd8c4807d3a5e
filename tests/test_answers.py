import dataclasses
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, ROOT
from qa.evaluate import evaluate, load_questions
from qa.results import Answer, Figure


@pytest.fixture(scope="module")
def dev_report(kb):
    return evaluate(kb, load_questions(DATA / "dev.jsonl"))


def test_dev_figures_evidence_and_abstentions(dev_report):
    assert dev_report["figure_exact"] >= 0.95
    assert dev_report["evidence_found"] == 1.0
    assert dev_report["correct_abstentions"] == dev_report["unanswerable_questions"] == 2
    assert dev_report["wrong_figures"] == 0
    assert dev_report["hit@1"] >= 0.95


@pytest.mark.parametrize("name", ["heldout", "paraphrase"])
def test_no_confident_wrong_figure_on_other_question_sets(kb, name):
    report = evaluate(kb, load_questions(DATA / f"{name}.jsonl"))
    assert report["wrong_figures"] == 0, report["failures"]


def test_the_headline_question(kb):
    answer = kb.ask("行政复议维持多少宗")
    assert isinstance(answer, Answer) and isinstance(answer.figures[0], Figure)
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.figure = "14宗"
    assert answer.figure == "13宗"
    assert answer.figures[0].value == 13 and answer.figures[0].unit == "宗"
    assert answer.figures[0].label.endswith("维持")
    assert "维持13宗" in answer.evidence
    assert answer.title == "天津市红桥区人民政府2022年法治政府建设情况报告"
    assert answer.section == "一、推进法治政府建设情况"
    assert answer.source == "hongqiao_2022_fazhi_zhengfu_report.txt"
    doc = next(d for d in kb.documents if d.source == answer.source)
    assert doc.text[answer.figures[0].start:answer.figures[0].end] == "13宗"
    assert "维持13宗" in answer.hits[0].text


def test_respectively_question_on_the_report(kb):
    answer = kb.ask("网上办、马上办、一次办的比例分别是多少")
    assert [f.text for f in answer.figures] == ["95%", "98%", "96%"]
    assert kb.ask("马上办的比例是多少").figure == "98%"


@pytest.mark.parametrize("question", ["红桥区2022年地区生产总值是多少", "区里有多少常住人口"])
def test_out_of_report(kb, question):
    answer = kb.ask(question)
    assert answer.figure is None and not answer.answered and answer.text == "报告中没有找到这个问题的答案。"


def test_passage_questions_give_the_evidence_sentence(kb):
    answer = kb.ask("法治政府建设存在哪些问题")
    assert answer.figure is None and answer.answered
    assert "一是部分领导干部" in answer.evidence and answer.section == "三、存在的问题"


ODD = {"empty": "", "blank": "   ", "punctuation": "？！", "emoji": "😀", "control": "\x00\ud800",
       "html": "<img src=x onerror=alert(1)>", "fullwidth": "ＡＢＣ１３宗"}


@pytest.mark.parametrize("question", ODD.values(), ids=ODD.keys())
def test_odd_questions_get_an_answer_not_a_traceback(kb, question):
    answer = kb.ask(question)
    assert answer.figure is None and not answer.answered


def test_a_huge_question_is_cut_with_a_notice(kb):
    answer = kb.ask("行政复议维持多少宗？" * 10_000)
    assert answer.figure == "13宗" and "只按前500个字" in answer.notice


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_ask_on_arbitrary_unicode_never_crashes_or_invents(kb, text):
    answer = kb.ask(text)
    for figure in answer.figures:
        doc = next(d for d in kb.documents if d.source == answer.source)
        assert doc.text[figure.start:figure.end] == figure.text


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "qa", *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})


def test_cli_build_search_ask_eval(reports_corpus, tmp_path, capsys):
    from qa.cli import main

    index = str(tmp_path / "index")
    assert main(["build", "--corpus", str(reports_corpus), "--index", index]) == 0
    assert "indexed 3 documents" in capsys.readouterr().out
    assert main(["search", "行政复议维持多少宗", "-k", "2", "--index", index]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1. [") and "维持13宗" in lines[1] and lines[2].startswith("2. [")
    assert main(["ask", "行政复议维持多少宗", "--index", index]) == 0
    out = capsys.readouterr().out
    assert out.startswith("答案: 13宗")
    assert "出处: 天津市红桥区人民政府2022年法治政府建设情况报告 · 一、推进法治政府建设情况" in out
    assert main(["ask", "行政复议维持多少宗", "--index", index, "--json"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert as_json["figure"] == "13宗" and as_json["figures"][0]["value"] == 13
    assert main(["eval", str(DATA / "dev.jsonl"), "--index", index, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["figure_exact"] >= 0.95 and report["wrong_figures"] == 0
    assert main(["eval", str(DATA / "dev.jsonl"), "--index", index]) == 0
    assert "wrong figures given  0" in capsys.readouterr().out


def test_python_m_qa_on_a_missing_index_names_the_fix(tmp_path):
    result = run_cli("search", "维持多少宗", "--index", str(tmp_path / "none"))
    assert result.returncode == 2 and "python -m qa build" in result.stderr


def test_traditional_chinese_question(kb):
    assert kb.ask("行政復議維持多少宗").figure == "13宗"
    assert kb.ask("行政复议维持多少宗？").figure == "13宗"  # full-width question mark
