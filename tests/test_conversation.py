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
    (["全区在册公职律师有多少人"], "比上年增长了多少呢", "全区在册公职律师比上年增长了多少", "29%"),
    (["行政复议维持和驳回一共多少宗"], "分别呢", "行政复议维持和驳回分别多少宗", "13宗、24宗"),
    (["全区在册公职律师有多少人"], "比上年多了多少", "全区在册公职律师比上年多了多少", "29%"),  # a change, not 40人
    (["行政复议维持多少宗"], "2021年呢", "2021年行政复议维持多少宗", None),  # the report is about 2022
    # "占多少" names no whole: the share of the thing counted before, computed from its sentence
    (["区政府作为被告的一审诉讼案件一共有多少件"], "已经结案的占多少比例", "区政府作为被告的一审诉讼案件中已经结案占多大比例",
     "76.5%"),
])
def test_a_follow_up_is_read_with_the_question_before(kb, history, question, understood, figure):
    answer = kb.ask(question, history=history)
    assert answer.question == question and answer.understood == understood
    assert answer.figure == figure


@pytest.mark.parametrize("history, question, understood", [
    (["疾病管制署预算原列多少"], "减列了多少", "疾病管制署预算减列了多少"),  # what a review did to the item before
    # another year of the place before: the repeated 预算 stays, the last keyword (执行数) gives way
    (["红桥区2022年一般公共预算收入执行数是多少"], "2021年预算安排了多少", "红桥区2021年一般公共预算收入预算安排了多少"),
    # the result after the target: 实际 drops the plan's words; 新增, already asked, adds nothing
    (["2025年全国城镇新增就业的预期目标是多少"], "那2024年实际新增了多少", "2024年全国城镇新增就业多少"),
])
def test_a_review_step_or_another_year_is_read_with_the_question_before(kb, history, question, understood):
    from qa.answers.conversation import understand

    assert understand(question, history, kb.analyse, kb.similarity) == understood


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


HEPING = ("天津市和平区人民政府2022年法治政府建设情况报告\n一、主要工作\n"
          "全年共收到行政复议申请52宗，维持20宗，驳回18宗。全区在册公职律师35人。\n"
          "全区城镇居民人均可支配收入52000元，农村居民人均可支配收入31000元。\n"
          "二、存在的问题\n存在的问题主要体现在两个方面：一是执法队伍力量不足；二是基层法治宣传不够深入。\n"
          "三、2023年工作打算\n来年主要做好以下工作：\n（一）深化依法行政。\n全面推进政务公开。其中一是规范决策；"
          "二是公开文件。\n（二）加强执法监督。\n开展执法检查。\n（三）提升法治素养。\n四、其他\n（一）其他事项。\n")
NANKAI = ("天津市南开区人民政府2022年法治政府建设情况报告\n一、主要工作\n"
          "全年共收到行政复议申请47宗，维持25宗。\n"
          "全区一般公共预算收入276.81亿元，比上年增长10.6%。其中，税收收入176.94亿元；非税收入99.87亿元。\n"
          "车船税、烟叶税等税收收入9.44亿元。\n"
          "全区前20%家庭平均财富5133万元，后20%家庭平均财富77万元。\n")


@pytest.fixture(scope="module")
def districts(tmp_path_factory):
    from conftest import build_reports

    return build_reports(tmp_path_factory, {"heping_2022.txt": HEPING, "nankai_2022.txt": NANKAI}, "districts")


def test_a_comparison_answers_each_side_and_computes_the_difference(districts):
    answer = districts.ask("和平区和南开区哪个收到的行政复议申请多")
    assert [(s.understood, s.figure) for s in answer.sides] == [("和平区收到的行政复议申请是多少", "52宗"),
                                                               ("南开区收到的行政复议申请是多少", "47宗")]
    assert answer.figure is None and [f.text for f in answer.figures] == ["52宗", "47宗"]
    assert answer.calculation == "和平区（52宗）比南开区（47宗）多5宗（计算值：52宗 − 47宗）"
    how_much = districts.ask("南开区比和平区少多少行政复议申请")
    assert how_much.calculation == answer.calculation
    # "比…少多少" asks the difference itself: the figure, its operands in the formula's order
    assert how_much.figure == "5宗" and [f.text for f in how_much.figures] == ["52宗", "47宗"]
    # asked the other way round ("和平区比南开区少多少"), no figure: the line says which is larger
    wrong_way = districts.ask("和平区比南开区少多少行政复议申请")
    assert wrong_way.figure is None and wrong_way.calculation == answer.calculation


def test_a_side_the_reports_do_not_answer_is_named_and_the_other_still_answered(districts):
    answer = districts.ask("和平区和南开区哪个公职律师多")
    assert [s.figure for s in answer.sides] == ["35人", None]
    assert answer.notice == "报告中没有找到南开区的这个数字。" and answer.calculation is None
    from qa.app.render import card_html, plain_text

    assert "35人" in card_html(answer) and "报告中没有" in plain_text(answer)


def test_a_comparison_follow_up_sets_the_new_place_beside_the_previous_one(districts):
    answer = districts.ask("和南开区比，哪个多", history=["和平区收到了多少宗行政复议申请"])
    assert answer.understood == "和平区和南开区收到了多少宗行政复议申请，哪个多"
    assert [s.figure for s in answer.sides] == ["52宗", "47宗"] and answer.calculation.startswith("和平区（52宗）")


@pytest.mark.parametrize("history, question, understood, figure", [
    (["和平区城镇居民人均可支配收入是多少"], "那农村的呢", "和平区农村居民人均可支配收入是多少", "31000元"),
    (["和平区收到了多少宗行政复议申请"], "其中维持了多少宗", "和平区维持了多少宗", "20宗"),
])
def test_a_follow_up_word_replaces_the_word_it_resembles(districts, history, question, understood, figure):
    """农村 takes 城镇's place (the words most alike in meaning), not the last keyword 收入's."""
    answer = districts.ask(question, history=history)
    assert (answer.understood, answer.figure) == (understood, figure)


def test_a_part_of_the_thing_asked_before_keeps_the_whole(districts):
    """"其中税收收入呢" asks the 税收收入 inside the 一般公共预算收入 asked before, not any 税收收入 in its place; the
    whole's figure is never given for it. (Here the part's sentence, "其中，税收收入176.94亿元", does not repeat the
    whole's name, so no figure is given yet.)"""
    answer = districts.ask("其中税收收入呢", history=["南开区一般公共预算收入是多少"])
    assert answer.understood == "南开区一般公共预算收入中的税收收入是多少"
    assert answer.figure not in ("276.81亿元", "9.44亿元")


def test_one_figure_is_never_given_for_two_places(districts):
    """南开区's report has no 城镇居民收入: its side is not answered from 和平区's sentence."""
    answer = districts.ask("和平区和南开区城镇居民人均可支配收入哪个高")
    assert [s.figure for s in answer.sides] == ["52000元", None] and answer.calculation is None


def test_a_sum_of_items_stated_apart_is_computed_and_a_stated_total_is_not(kb):
    answer = kb.ask("行政复议维持和驳回一共多少宗")
    assert answer.figure == "37宗" and [f.text for f in answer.figures] == ["13宗", "24宗"]
    assert answer.calculation == "维持和驳回合计 37宗（计算值：13宗 + 24宗）"
    from qa.app.render import card_html

    card = card_html(answer)
    assert "计算值" in card and ">37宗<" in card and "≈" not in card  # exact, unlike a rounded rate
    assert kb.ask("行政复议维持、驳回和撤回一共多少宗").figure == "42宗"
    assert kb.ask("行政复议一共多少宗").calculation is None  # one thing asked: the report's own total


def test_the_top_group_is_not_the_bottom_group(districts):
    assert districts.ask("南开区前20%家庭的平均财富是多少").figure == "5133万元"
    assert districts.ask("南开区后20%家庭的平均财富是多少").figure == "77万元"
    answer = districts.ask("南开区前20%家庭和后20%家庭的平均财富相差多少")
    assert answer.figure == "5056万元" and answer.calculation.endswith("（计算值：5133万元 − 77万元）")


def test_two_items_apart_by_how_much_they_differ(districts):
    """"A和B的C相差多少": each item with what they share after the second, the larger first, no direction asked."""
    answer = districts.ask("和平区农村居民和城镇居民的人均可支配收入相差多少")
    assert [s.understood for s in answer.sides] == ["和平区农村居民的人均可支配收入是多少", "城镇居民的人均可支配收入是多少"]
    assert answer.figure == "21000元" and [f.text for f in answer.figures] == ["52000元", "31000元"]
    assert "相差21000元（计算值：52000元 − 31000元）" in answer.calculation


@pytest.mark.parametrize("history, question", [
    ([], "和平区城镇居民人均可支配收入比农村居民多多少"),
    (["和平区城镇居民人均可支配收入是多少"], "比农村居民高出多少"),
])
def test_a_difference_of_two_items_is_computed_from_their_stated_figures(districts, history, question):
    answer = districts.ask(question, history=history)
    assert answer.figure == "21000元" and [f.text for f in answer.figures] == ["52000元", "31000元"]
    assert answer.calculation.endswith("21000元（计算值：52000元 − 31000元）")


def test_list_items_inside_one_sentence_are_read_apart(districts):
    answer = districts.ask("和平区法治政府建设存在哪些问题")
    assert answer.items == ["一是执法队伍力量不足；", "二是基层法治宣传不够深入。"]


def test_a_list_of_headings_is_read_whole_from_the_report(districts):
    """Items each over paragraphs of their own, a list of another kind inside one, and the next section's own
    （一） after: the three headings, in order, and nothing else."""
    answer = districts.ask("和平区来年要做好哪些工作")
    assert answer.items == ["（一）深化依法行政。", "（二）加强执法监督。", "（三）提升法治素养。"]


@pytest.mark.parametrize("question, figure, operands, calculation", [
    ("行政复议维持率是多少", "30.2%", ["13宗", "43宗"], "维持率 ≈ 30.2%（计算值：维持13宗 ÷ 办结43宗，保留一位小数）"),
    ("行政复议驳回的比例是多少", "55.8%", ["24宗", "43宗"], "驳回率 ≈ 55.8%（计算值：驳回24宗 ÷ 办结43宗，保留一位小数）"),
    ("行政复议被驳回的占多大比例", "55.8%", ["24宗", "43宗"], "驳回率 ≈ 55.8%（计算值：驳回24宗 ÷ 办结43宗，保留一位小数）"),
    # "共17件,已结案13件": the sentence calls 17件 the total, its part follows; both named as the question does.
    ("区政府作为被告的一审诉讼案件里已结案的占多少比例", "76.5%", ["13件", "17件"],
     "已结案占比 ≈ 76.5%（计算值：已结案13件 ÷ 区政府作为被告的一审诉讼案件17件，保留一位小数）"),
])
def test_a_rate_the_report_does_not_state_is_computed_and_says_so(kb, question, figure, operands, calculation):
    answer = kb.ask(question)
    assert answer.figure == figure and answer.calculation == calculation
    assert [f.text for f in answer.figures] == operands  # each operand copied from the evidence
    document = next(d for d in kb.documents if d.source == answer.source)
    assert all(document.text[f.start:f.end] == f.text for f in answer.figures)  # where each stands in the report
    from qa.app.render import card_html

    assert "计算值" in card_html(answer) and "≈ " + figure in card_html(answer)


@pytest.mark.parametrize("history, question, understood", [
    ([], "南开区税收收入占一般公共预算收入的比重是多少", "南开区税收收入占一般公共预算收入的比重是多少"),
    (["南开区一般公共预算收入是多少"], "其中税收收入占多大比重", "南开区一般公共预算收入中税收收入占多大比例"),
])
def test_a_share_of_the_whole_the_sentence_before_names_is_computed(districts, history, question, understood):
    """"…收入276.81亿元，比上年增长10.6%。其中，税收收入176.94亿元": the part of the whole just named, both named
    as the question names them; a follow-up "其中…占多大比重" is the share of the thing asked before."""
    answer = districts.ask(question, history=history)
    assert answer.understood == understood and answer.figure == "63.9%"
    assert [f.text for f in answer.figures] == ["176.94亿元", "276.81亿元"]
    assert answer.calculation == "税收收入占比 ≈ 63.9%（计算值：税收收入176.94亿元 ÷ 一般公共预算收入276.81亿元，保留一位小数）"
    assert "276.81亿元" in answer.evidence and "176.94亿元" in answer.evidence  # both operands shown


BULLETIN = ("某市2025年国民经济和社会发展统计公报\n十、卫生\n"
            "全年全市设有医疗卫生机构334家。医院18家，其中，综合医院6家、中医医院2家、专科医院10家；\n"
            "基层医疗机构300家，其中，卫生院60家、村卫生室240家；其它卫生机构16家。全市拥有床位2658张。\n"
            "十一、财政\n一般公共预算支出比上年下降1.4%。财政自给率由上年的12.38%升至14.07%。\n")


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory):
    from conftest import build_reports

    return build_reports(tmp_path_factory, {"bulletin_2025.txt": BULLETIN}, "bulletin")


def test_a_share_whose_whole_the_first_of_each_part_adds_up_to(bulletin):
    """医院18 + 基层医疗机构300 + 其它16 = 334: each part's own breakdown ("其中，综合医院6家…") aside, and the part
    runs on past the line ending in "；"; "医院数量" is 医院."""
    answer = bulletin.ask("医院数量占全部医疗卫生机构的比重是多少")
    assert answer.figure == "5.4%" and [f.text for f in answer.figures] == ["18家", "334家"]
    assert answer.calculation.startswith("医院数量占比 ≈ 5.4%（计算值：医院数量18家 ÷ 全部医疗卫生机构334家")
    document = bulletin.documents[0]
    assert all(document.text[f.start:f.end] == f.text for f in answer.figures)


def test_no_rate_of_rates_and_none_over_a_stated_one(bulletin):
    """"财政自给率由上年的12.38%…": the report states the rate; 12.38% ÷ 1.4% would be no rate at all."""
    assert bulletin.ask("2024年的财政自给率是多少").calculation is None
    assert bulletin.ask("专科医院占医院的比例是多少").calculation is None  # 10家 is no part that adds up: 6+2+10


def test_a_change_the_report_states_only_as_from_and_to_is_computed(kb):
    """"集中办理事项由116项增至433项": 增加了多少 is 317项, computed and labelled; "减少各类证明材料376项" in the same
    sentence went the other way and counts another thing."""
    answer = kb.ask("政务服务中心集中办理的事项增加了多少项")
    assert answer.figure == "317项" and [f.text for f in answer.figures] == ["433项", "116项"]
    assert answer.calculation == "集中办理事项增加317项（计算值：433项 − 116项）" == answer.text
    document = next(d for d in kb.documents if d.source == answer.source)
    assert all(document.text[f.start:f.end] == f.text for f in answer.figures)
    assert kb.ask("政务服务中心集中办理的事项减少了多少项").figure is None


@pytest.mark.parametrize("question", [
    "网上办的比例是多少",  # stated: the report's 95%, never a computed one
    "立案前调解的比例是多少",  # 2宗 is not among the parts that add up to 办结43宗: no certain whole
])
def test_no_computation_over_a_stated_rate_or_an_uncertain_whole(kb, question):
    assert kb.ask(question).calculation is None


def test_a_rate_is_never_a_bare_count(kb):
    """A table cell without a unit answers a rate only when its column calls it one: "结果维持 1" is a count."""
    from qa.answers.answering import _fits_measure

    asked = kb.analyse("行政复议维持率是多少")
    assert not _fits_measure(asked, "", "行政复议 结果维持 ")
    assert _fits_measure(asked, "", "占调整预算(%) ") and _fits_measure(asked, "%")


def test_a_place_no_report_covers_is_named_alone_and_the_covered_one_answered(kb):
    """"红桥区和朝阳区…": the report about 红桥区 answers; the notice names only 朝阳区 (it named both, falsely)."""
    answer = kb.ask("红桥区和朝阳区行政复议维持多少宗")
    assert answer.figure == "13宗" and answer.notice == "报告中没有关于朝阳区的内容。"
    nowhere = kb.ask("朝阳区2022年行政复议维持多少宗")
    assert nowhere.figure is None and "朝阳区" in nowhere.notice and "检索了" in nowhere.notice


def test_a_list_question_gets_every_item(kb):
    """"存在哪些问题" is answered with 一是, 二是 and 三是, in order (it got 一是 alone), on the card and as text."""
    answer = kb.ask("法治政府建设存在哪些问题")
    assert [item[:2] for item in answer.items] == ["一是", "二是", "三是"]
    assert answer.items[2] == "三是法治工作队伍力量不强,整体素质能力有待进一步提升。"
    from qa.app.render import card_html, plain_text

    assert card_html(answer).count("<li>") == 3 and "3. 三是" in plain_text(answer)
    assert "报告列出3项" in card_html(answer) and "报告列出3项" in plain_text(answer)
    # each item links to where it stands in the report
    document = next(d for d in kb.documents if d.source == answer.source)
    assert [document.text[s:s + len(item)] for item, s in zip(answer.items, answer.item_starts)] == answer.items
    assert card_html(answer).count('<li><a class="qa-src"') == 3
    assert kb.ask("行政复议维持多少宗").items == []  # a figure question is no list


@pytest.mark.parametrize("question, named", [
    ("2024年行政许可处理决定数量，洪泽区和上海市科委哪个多", ("洪泽区", "上海市科委")),  # the side as named, not 上海市
    ("迪庆州教育支出，2026年预算数和2025年执行数相比哪个多", ("2026年预算数", "2025年执行数")),
    ("迪庆州罚没收入2026年预算比2025年执行数少了多少", ("2026年预算", "2025年执行数")),  # up to the cue
    ("2024年空气质量优良天数比例，广东和全国哪个高", ("广东", "全国")),  # 全国 a side beside a region
    ("四川2025年民间投资增速比全国高几个百分点", ()),  # a gap the report may state itself
    ("益阳和娄底2025年地区生产总值哪个高", ("益阳", "娄底")),  # what follows 娄底 is the thing compared
])
def test_the_sides_of_a_comparison_as_the_question_names_them(question, named):
    from qa.answers.comparison import side_question, sides
    from qa.retrieval.question import analyse

    assert sides(analyse(question)) == named
    if named == ("广东", "全国"):  # 比例 is no 比 of a comparison
        assert side_question(question, "广东", ("全国",)) == "广东2024年空气质量优良天数比例是多少"


def test_a_place_beside_the_one_before_asking_which_of_the_two(kb):
    from qa.answers.conversation import understand

    assert understand("广东省同期是多少？两个哪个更高", ["2024年全国城镇调查失业率平均是多少"], kb.analyse) == \
        "2024年全国和广东省城镇调查失业率平均是多少，哪个更高"


def test_an_autonomous_prefecture_by_its_short_name_and_kind():
    from qa.reading.places import aliases
    from qa.retrieval.question import analyse

    short = aliases([("迪庆藏族自治州", "云南省"), ("长阳土家族自治县", "宜昌市")])
    assert short["迪庆州"] == short["迪庆"] and short["长阳县"] == short["长阳"]
    assert "长阳自治" not in short
    # "州全州": a word glued across the place's end (as the report's known words glue it) is no keyword
    asked = analyse("迪庆州全州教育支出2026年预算数是多少", aliases=short, known=lambda word: 1)
    assert asked.places and asked.keywords == ("教育", "支出", "预算")


def test_of_parts_named_alike_the_one_whose_whole_is_named_as_asked():
    """"户籍迁入人口…其中女性20.94万人…户籍迁出人口…其中女性1.93万人": the share of 迁入's women, never 迁出's; and a
    share stated of another whole ("占全市户籍人口的50.6%") does not answer it."""
    from qa.answers.answering import _share_of_another
    from qa.answers.calculation import rate
    from qa.reading.figures import extract
    from qa.results import Answer, Hit
    from qa.retrieval.question import analyse

    text = "2021年，深圳市户籍迁入人口38.24万人，其中女性20.94万人。户籍迁出人口4.21万人，其中女性1.93万人。"
    hit = Hit(text, 1.0, "深圳", "shenzhen.pdf", "", 100, 100 + len(text))
    asked = analyse("深圳2021年户籍迁入人口中女性占多大比例")
    computed = rate(asked, Answer(asked.text, None, text, hits=[hit], answered=True))
    assert computed.figure == "54.8%" and [f.text for f in computed.figures] == ["20.94万人", "38.24万人"]
    assert all(text[f.start - 100:f.end - 100] == f.text for f in computed.figures)  # where each stands
    stated = "女性319.09万人，占全市户籍人口的50.6%"
    share = next(f for f in extract(stated) if f.unit == "%")
    weights = {"户籍": 1.0, "迁入": 1.0, "人口": 1.0, "女性": 1.0}
    assert _share_of_another(asked, stated, share, weights)
    assert not _share_of_another(analyse("深圳2021年户籍人口中女性占多大比例"), stated, share, weights)


def test_a_follow_up_naming_no_place_stays_in_the_report_the_conversation_is_about(tmp_path_factory):
    """"解读信息发布了几条" after a question about 洪泽区 2024: on its own the question lands in the other report; in
    the conversation it is asked in 洪泽区 2024 and says so. A question the conversation's report answers anyway,
    or one naming its own place, is left as asked."""
    from conftest import build_reports

    hongze = "淮安市洪泽区2024年政府信息公开工作年度报告\n一、总体情况\n2024年，我区在政府网站平台主动发布各类政府信息2428条，" \
             "公开政府常务会议7期，解读信息发布7条。\n"
    kewei = "上海市科学技术委员会2024年政府信息公开工作年度报告\n一、总体情况\n“上海科技”网站全年累计发布信息2139条，" \
            "其中动态类信息发布1744条，政务信息发布393条，解读类信息发布21条。\n"
    kb = build_reports(tmp_path_factory, {"hongze_2024.txt": hongze, "shanghai_kewei_2024.txt": kewei}, "two-reports")
    before = "淮安市洪泽区2024年在政府网站平台主动发布了多少条政府信息"
    assert kb.ask("解读信息发布了几条").source == "shanghai_kewei_2024.txt"
    answer = kb.ask("解读信息发布了几条", history=[before])
    assert (answer.figure, answer.understood, answer.source) == ("7条", "淮安市洪泽区2024年解读信息发布了几条", "hongze_2024.txt")
    assert kb.ask("公开政府常务会议多少期", history=[before]).understood == "公开政府常务会议多少期"
    assert kb.ask("上海科技网站解读类信息发布了多少条", history=[before]).understood == "上海科技网站解读类信息发布了多少条"
