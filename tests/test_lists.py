"""List questions answered with the list asked (issue 23, part 2): the list a sentence leads beats the one a
sentence stands inside, the year asked picks the plan's list or the review's, items written inside one sentence."""

import pytest

REPORT = """\
丰城市2025年政府工作报告
一、2024年工作回顾
过去一年，全市各项工作取得积极进展，三方面民生实事圆满完成。
（一）扩大有效投资，重大项目加快建设。全年完成重大项目投资120亿元，新开工项目45个。
（二）推动工业稳健运行，结构持续优化。规模以上工业增加值增长6.1%。
（三）持续改善民生，群众获得感不断增强。城镇新增就业1.2万人。
二、2025年工作安排
今年，我们将继续办好三方面民生实事。
1.医疗卫生方面。为全市60岁以上老年人免费接种流感疫苗。
2.养老帮困方面。新增养老护理员500人。
3.教育助学方面。改造提升中小学校食堂30所。
以上民生实事，我们将定点定责、精心组织，保质保量把实事办实。
三、存在的问题
工作中还存在一些不足，主要体现在两个方面，一是产业结构偏重，新兴产业规模偏小，二是基层财力紧张，民生投入压力较大。
四、有关事项
请市交通局提出完整书面报告，内容应包括以下事项：第一，公交线网优化的最新进度；第二，具体实施时间表；第三，预期效益的评估报告。
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from conftest import build_reports

    return build_reports(tmp_path_factory, {"fengcheng_2025.txt": REPORT}, "lists")


@pytest.mark.parametrize("question, starts", [
    # the plan's list, which "今年…三方面民生实事" leads; not the review's (一)–(三) under 2024, not "以上民生实事"
    ("丰城市2025年的三方面民生实事有哪些", ["1.医疗卫生方面", "2.养老帮困方面", "3.教育助学方面"]),
    ("丰城市2024年在哪些方面取得了进展", ["（一）扩大有效投资", "（二）推动工业稳健运行", "（三）持续改善民生"]),
    # items after "，一是" and "：第一，" inside one sentence
    ("丰城市工作中的不足主要体现在哪几个方面", ["一是产业结构偏重", "二是基层财力紧张"]),
    ("市交通局的书面报告应包括哪些内容", ["第一，公交线网优化", "第二，具体实施时间表", "第三，预期效益"]),
])
def test_the_list_asked_is_given_whole_and_in_order(report, question, starts):
    answer = report.ask(question)
    assert len(answer.items) == len(starts)
    assert all(item.startswith(start) for item, start in zip(answer.items, starts)), answer.items
    assert answer.figure is None  # "哪几个方面" asks which, not how many
    text = next(d.text for d in report.documents if d.source == answer.source)
    assert [text[s:s + len(item)] for item, s in zip(answer.items, answer.item_starts)] == answer.items


def test_which_asks_for_items_not_a_figure_and_names_nothing():
    from qa.retrieval.question import analyse

    asked = analyse("重点任务要把握哪几个方面")
    assert asked.listing and not asked.quantity
    assert "哪几个方面" not in asked.keywords and "方面" not in asked.keywords
    assert analyse("西宁市城东区是怎样抓好法治建设的").listing
    assert analyse("捷运路网各条线目前都进展到哪一步了").listing
    assert not analyse("行政复议维持多少宗").listing
