import pytest
from conftest import build_reports
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.reading.figures import extract, same_unit
from qa.retrieval.question import analyse


def figures(text):
    return [(text[f.start:f.end], f.value, f.unit) for f in extract(text)]


@pytest.mark.parametrize("text, expected", [
    ("行政复议机构接收行政复议案件38宗,受理后办结43宗(含上年度结转6宗)",
     [("38宗", 38, "宗"), ("43宗", 43, "宗"), ("6宗", 6, "宗")]),
    ("全区受理各类案件23.9万件,同比增长12.5%", [("23.9万件", 239000, "万件"), ("12.5%", 12.5, "%")]),
    ("开展巡检1000余次,组织培训近50场,覆盖约3000人", [("1000余次", 1000, "次"), ("近50场", 50, "场"),
                                                   ("约3000人", 3000, "人")]),
    ("共收到群众来信1,234件", [("1,234件", 1234, "件")]),
    ("为各街道增拨事业编制一百零八名,化解纠纷十三宗", [("一百零八名", 108, "名"), ("十三宗", 13, "宗")]),
    ("满意率达到百分之九十五", [("百分之九十五", 95, "%")]),
    ("罚没款共计3.5亿元", [("3.5亿元", 3.5e8, "亿元")]),
    ("每期培训3至5天", [("3至5天", 3, "天")]),
    # Not counts: years, dates, ordinals, document names, list labels, lone numerals.
    # A counted figure before 年度 is no date: "110万人年度任务"; a bare year before it is one.
    ("超额完成国家下达的110万人年度任务,2022年度考核", [("110万人", 1.1e6, "万人")]),
    # A ratio written with colons is one figure; a time is none.
    ("城乡居民收入比由上年的2.09:1缩小为2.05:1", [("2.09:1", 2.09, ""), ("2.05:1", 2.05, "")]),
    ("产业结构由上年的16.5：43.1：40.4调整为16.0：43.1:40.9",
     [("16.5：43.1：40.4", 16.5, ""), ("16.0：43.1:40.9", 16.0, "")]),
    ("2022年11月,召开第四次(扩大)会议", []),
    ("编制《红桥区行政许可事项清单(2022年版)》", []),
    ("一是部分领导干部,二是有的基层单位", []),
    ("网上办、马上办、一次办", []),
    ("发布时间:2023-03-01 15:07", []),
    ("津ICP备10201451号", []),
    ("（一）坚持党的领导,1.加强学习", []),
])
def test_extraction(text, expected):
    assert figures(text) == [(t, pytest.approx(v), u) for t, v, u in expected]


def test_separators_lost_in_capture_still_split():
    assert [t for t, _, _ in figures("比例分别达到95%98%96%")] == ["95%", "98%", "96%"]


def test_offsets_hold_for_full_width_text():
    text = "维持１３宗，驳回２４宗"
    assert [t for t, _, _ in figures(text)] == ["１３宗", "２４宗"]


def test_unit_agreement():
    assert same_unit("宗", "宗") == 1 and same_unit("宗", "件") == 0.6 and same_unit("宗", "%") == 0
    assert same_unit("件", "万件") == 1 and same_unit("", "件") == 0


@pytest.mark.parametrize("question, quantity, unit", [
    ("行政复议维持多少宗", True, "宗"),
    ("發了幾份履職提示", True, "份"),
    ("一次办的比例是多少", True, "%"),
    ("纠错率是多少", True, "%"),
    ("案件数量同比增长了多少", True, "%"),
    ("How many cases were upheld?", True, ""),
    ("What share of approvals are online?", True, "%"),
    ("存在哪些问题", False, ""),
    ("执法协调小组开的是第几次会议", False, "次"),
])
def test_question_analysis(question, quantity, unit):
    q = analyse(question)
    assert (q.quantity, q.unit) == (quantity, unit)


def test_keywords_drop_question_words_and_translate_english():
    assert analyse("行政复议维持多少宗").keywords == ("行政复议", "维持")
    assert "维持" in analyse("How many administrative reconsideration cases were upheld?").keywords
    # how much of a measure is asked, and the verbs of getting it, name nothing in a report
    assert analyse("和田的公路加起来一共有多长").keywords == ("公路",)
    # a character and the word after it, neither known to the reports, cut anew into two words they know
    known = {"粗钢", "产量", "娄底"}.__contains__
    assert analyse("娄底2025年粗钢产量是多少", known=known).keywords == ("粗钢", "产量")
    # a ratio's 比 ends its noun: no "比是" or "比比" keyword
    assert analyse("城乡居民收入比是多少").keywords == analyse("城乡居民收入比比上年缩小了多少").keywords[:2]
    # pronouns name nothing a report counts
    assert analyse("大家一年能少还多少利息").keywords == analyse("一年能少还多少利息").keywords


def test_what_a_question_asks_for():
    # a rate among the topic's words is not the measure asked when another thing is named after the asking word
    interest = analyse("下调存量房贷利率后一年少还多少利息")
    assert (interest.unit, interest.measure) == ("", "") and interest.change == -1  # 少还: a change down
    assert (analyse("失业率是多少左右").unit, analyse("失业率是多少左右").measure) == ("%", "rate")
    # the verbs of a change, one way and the other
    assert analyse("办理时限缩短了多少").change == -1 and analyse("律师队伍扩大了多少").change == 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_extraction_never_crashes_and_never_invents(text):
    for found in extract(text):
        assert 0 <= found.start < found.end <= len(text)
        assert any(ch.isdigit() or ch in "零〇一二两三四五六七八九十百千" for ch in text[found.start:found.end])


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_question_analysis_never_crashes(text):
    analyse(text)


# Answers over reports of other places, written in the same style (not the dev report).
OTHER_REPORT = """某市通州区人民政府2023年法治政府建设情况报告
一、主要工作
全年行政复议案件共收到申请156件,决定撤销48件,责令履职10件,确认违法7件,维持81件。
全区12345热线受理群众诉求分别为23.9万件、35.05万件和2.3万件,同比增长12.5%。
区属单位网上办、掌上办、就近办比例分别为95.2%、88%和76%。
市场监管、生态环境、城市管理三个领域分别开展联合检查35次、28次和14次。
两个专项行动分别查处案件12、15件。
全区共有法律顾问团队9个,公职律师120名。
二、存在的问题
执法人员专业素质有待提升。
"""


@pytest.fixture(scope="module")
def other_kb(tmp_path_factory):
    return build_reports(tmp_path_factory, {"tongzhou.txt": OTHER_REPORT}, "other")


@pytest.mark.parametrize("question, figure", [
    ("行政复议决定撤销了多少件", "48件"),
    ("责令履职多少件", "10件"),
    ("行政复议维持了多少件", "81件"),
    ("行政複議確認違法幾件", "7件"),
    ("掌上办的比例是多少", "88%"),
    ("就近办比例", "76%"),
    ("生态环境领域开展联合检查多少次", "28次"),
    ("公职律师有多少名", "120名"),
    ("有几个法律顾问团队", "9个"),
])
def test_answers_beyond_the_dev_report(other_kb, question, figure):
    answer = other_kb.ask(question)
    assert answer.figure == figure
    assert figure in answer.evidence
    assert answer.source == "tongzhou.txt" and answer.section == "一、主要工作"
    found = answer.figures[0]
    doc = other_kb.documents[0]
    assert doc.text[found.start:found.end] == figure  # copied from the report, where it stands


def test_respectively_list_in_order(other_kb):
    answer = other_kb.ask("网上办、掌上办、就近办的比例分别是多少")
    assert [f.text for f in answer.figures] == ["95.2%", "88%", "76%"]
    assert [f.label for f in answer.figures] == ["区属单位网上办", "掌上办", "就近办比例"]
    assert answer.figure == "95.2%、88%、76%"


def test_respectively_after_a_verb_phrase(other_kb):
    assert other_kb.ask("市场监管领域检查了几次").figure == "35次"
    assert other_kb.ask("城市管理领域开展联合检查多少次").figure == "14次"


def test_respectively_with_counts_that_do_not_match_falls_back_to_the_clause(other_kb):
    # One subject ("两个专项行动") for two figures: no pairing to trust, so no single figure.
    answer = other_kb.ask("两个专项行动分别查处多少案件")
    assert answer.figure is None and answer.answered
    assert answer.evidence == "两个专项行动分别查处案件12、15件。"
    # "12、15件": the bare 12 takes the unit of the last figure; its text stays as written.
    assert [(f.text, f.unit) for f in answer.figures] == [("12", "件"), ("15件", "件")]


def test_english_question_on_other_report(other_kb):
    assert other_kb.ask("How many public lawyers are there?").figure == "120名"


@pytest.mark.parametrize("question", ["通州区地区生产总值是多少", "全区常住人口有多少", "新建了多少公里道路"])
def test_out_of_report_questions_get_no_figure(other_kb, question):
    answer = other_kb.ask(question)
    assert answer.figure is None and not answer.answered
    assert "没有找到" in answer.text
    assert answer.hits  # the closest passages are still shown
