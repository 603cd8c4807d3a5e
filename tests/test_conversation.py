"""Follow-up questions completed from the conversation (issue 22, part 1); questions that stand alone untouched."""

import json

import pytest
from conftest import DATA

import qa


@pytest.mark.parametrize("history, question, understood, figure", [
    (["行政复议维持多少宗"], "那驳回呢", "行政复议驳回多少宗", "24宗"),
    (["行政复议维持多少宗", "那驳回呢"], "还有部分撤销的呢", "行政复议部分撤销多少宗", "1宗"),
    (["网上办的比例是多少"], "马上办呢", "马上办的比例是多少", "98%"),
    (["全区在册公职律师有多少人"], "和上年比呢", "全区在册公职律师比上年增长了多少", "29%"),
    (["全区在册公职律师有多少人"], "增长了多少呢", "全区在册公职律师增长了多少", "29%"),
    (["行政复议维持多少宗"], "2021年呢", "2021年行政复议维持多少宗", None),  # the report is about 2022
])
def test_a_follow_up_is_read_with_the_question_before(kb, history, question, understood, figure):
    answer = kb.ask(question, history=history)
    assert answer.question == question and answer.understood == understood
    assert answer.figure == figure


def test_a_place_follow_up_asks_that_place(kb):
    answer = kb.ask("荔湾区呢", history=["红桥区行政复议维持多少宗"])
    assert answer.understood == "荔湾区行政复议维持多少宗"
    assert answer.figure != "13宗"  # never 红桥区's figure for 荔湾区


def test_a_question_that_stands_alone_is_never_changed(kb):
    """Every dev, held-out, paraphrase and blind question, asked after the one before it in its file."""
    questions = [json.loads(line)["q"] for name in ("dev", "heldout", "paraphrase", "blind")
                 for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    from qa.answers.conversation import understand

    changed = [(before, q) for before, q in zip(questions, questions[1:]) if understand(q, [before], kb.analyse) != q]
    assert changed == []
    assert kb.ask("行政复议维持多少宗").understood == "行政复议维持多少宗"  # no history: the question itself


def test_the_module_function_takes_the_history_too(monkeypatch, kb):
    monkeypatch.setattr(qa.api, "_default_kb", kb)
    assert qa.ask("那驳回呢", history=["行政复议维持多少宗"]).figure == "24宗"
