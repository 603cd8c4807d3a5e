"""Which figure a question asks for, when a sentence holds several (issue 20): the kind the words ask (a rate, money,
points, a count), a gap against another place, a target only when asked, the whole year unless a part is asked,
and numbering or a table label's digits never."""

import pytest
from conftest import HONGQIAO, build_reports

WORK_REPORT = (
    "某市2025年政府工作报告\n一、2024年工作回顾\n"
    "全年地区生产总值增长5.2%，其中一季度增长4.1%，上半年增长4.8%。"
    "制造业投资增速18.3%，高于全国9.1个百分点。城镇新增就业12.6万人。"
    "居民人均可支配收入41230元，细颗粒物年平均浓度37微克/立方米。"
    "农村居民人均可支配收入30210元，城镇居民人均可支配收入45600元。\n"
    "二、2025年工作安排\n今年发展的主要预期目标是：地区生产总值增长5.5%左右；城镇新增就业12万人以上；"
    "城镇调查失业率5.5%左右。\n"
)
BUDGET = (
    "某州2026年预算草案\n\n表1 一般公共预算收支表（单位：万元）\n\n"
    "| 项目 | 2025年执行数 | 2026年预算数 |\n|---|---|---|\n"
    "| 一般公共预算收入 | 184,920 | 188,618 |\n| 教育支出 | 208,882 | 232,576 |\n"
    "| 土地增值税 | 1,701 | 1,717 |\n| 增值税 | 62,362 | 67,130 |\n\n"
    "表2 收入完成情况（单位：万元）\n\n| 项目 | 预算数 | 完成数 |\n|---|---|---|\n| 契税 | 71184 | 61327 |\n\n"
    "财政自给率由上年的12.38%升至14.07%。\n\n"
    "表3 2025年全州国有土地使用权出让收入完成情况表（单位：万元）\n\n| 项目 | 调整预算数 | 完成数 |\n|---|---|---|\n"
    "| 国有土地使用权出让收入 | 178000 | 61030 |\n\n"
    "表4 地方政府债务限额及余额情况表（单位：亿元）\n\n| 地区 | 2025年债务限额 合计 | 2025年债务限额 一般债务 | "
    "2025年债务限额 专项债务 | 2025年债务余额 合计 | 2025年债务余额 一般债务 |\n|---|---|---|---|---|---|\n"
    "| 某州 | 231.71 | 111.73 | 119.98 | 227.33 | 107.92 |\n| 某州本级 | 82.56 | 54.76 | 27.80 | 80.12 | 52.10 |\n\n"
    "國家通訊傳播委員會114年度預算案「設備及投資」共編列28,045千元。\n"
    "114年度交通部鐵道局及所屬預算第3目「國家鐵道建設與管理」編列2億6,426萬9千元。\n"
    "114年度行政院主計總處預算案於第1目「一般行政」項下「政府內部控制監督機制規劃及督導」編列229萬4千元。\n"
    "爰針對114年度衛生福利部疾病管制署「防疫業務」預算編列94億8,901萬6千元，凍結100萬元。\n"
    "衛生福利部疾病管制署應盤整相關預算科目。衛生福利部疾病管制署應檢討感染管制補助。\n"
)
BULLETIN = (
    "某县2025年国民经济和社会发展统计公报\n一、农业\n年末生猪存栏4.83万头；牛存栏27.83万头；羊存栏398.85万只。\n"
    "二、经济\n全县地区生产总值320.7亿元。人均地区生产总值70923元，增长4.6%。\n全年货物出口总值3492.62亿元，比上年增长25.8%。货物进口总值1495.27亿元。\n"
    "三、社会\n全年出生人口1.69万人，出生人口性别比为108.78。年末民用汽车保有量59.4万辆，比上年末增加4.68万辆。"
    "招商引资新签约项目2314个、签约额7477.6亿元。全年举办足球联赛，观众超1亿人次。"
    "年末4G用户119.7万户，5G用户281.3万户。年末全县0-17岁户籍人口16.8万人。"
    "政务服务事项平均办理时限压缩60%，全年一般公共预算支出比上年增加3.2亿元。\n"
)
PRICES = (
    "某市居民消费价格指数\n\n表3 居民消费价格指数\n\n"
    "| 项目 | 价格指数（1—12月） | 比上年涨跌幅度（%） |\n|---|---|---|\n"
    "| 食品烟酒 | 102.3 | 2.3 |\n| 衣着 | 98.7 | -1.3 |\n"
)


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_reports(tmp_path_factory, {"mou_2025.txt": WORK_REPORT, "prices.md": PRICES, "budget.md": BUDGET,
                                            "xian_2025.txt": BULLETIN,
                                            HONGQIAO.name: HONGQIAO.read_text(encoding="utf-8")}, "choice")


@pytest.mark.parametrize("question, figure", [
    ("某市2024年地区生产总值增长了多少", "5.2%"),  # the year's, not a quarter's
    ("某市2024年上半年地区生产总值增长了多少", "4.8%"),  # a part of the year when it is asked
    ("某市2024年制造业投资增速比全国高出多少", "9.1个百分点"),  # the gap, not the level
    ("某市2024年城镇新增就业多少人", "12.6万人"),  # the result, not the target
    ("某市2025年城镇新增就业的预期目标是多少", "12万人"),  # the target when it is asked
    ("某市居民人均可支配收入是多少钱", "41230元"),  # money, not the nearest figure
    ("某市居民一年能挣多少钱", "41230元"),  # everyday words, read as the report's
    ("食品烟酒的价格指数是多少", "102.3"),  # the cell, not the "1" of its column's "1—12月"
    ("某州2026年教育支出预算数是多少", "232,576"),  # the column of the year asked
    ("某州2025年一般公共预算收入执行数是多少", "184,920"),
    ("某州契税完成数是多少", "61327"),  # the column the question names
    ("某州契税一共收了多少", "61327"),  # what came in, not the plan beside it
    ("某州契税预算是多少", "71184"),  # the plan when it is asked
    ("某州2025年增值税执行数是多少", "62,362"),  # the row named as asked, not 土地增值税
    ("交通部铁道局国家铁道建设与管理预算编列多少", "2億6,426萬9千元"),  # the budget item asked by its name
    ("主计总处政府内部控制监督机制规划及督导编列多少", "229萬4千元"),  # or by a line under it
    ("疾管署114年度防疫业务预算编列多少", "94億8,901萬6千元"),  # a short name, as the report writes it in full
    ("某州上年的财政自给率是多少", "12.38%"),  # "由上年的12.38%升至14.07%": the previous year's
])
def test_the_figure_of_the_kind_asked(kb, question, figure):
    assert kb.ask(question).figure == figure


@pytest.mark.parametrize("question, best", [
    ("某州2025年地方政府债务限额是多少亿元", "231.71"),  # the column totalling the others (A=B+C)
    ("某州2025年专项债务限额是多少亿元", "119.98"),  # a part's column when the part is asked
])
def test_the_column_that_totals_the_others_unless_a_part_is_asked(kb, question, best):
    """The likeliest figure, ahead of the other columns by enough to be given (the confidence gate aside)."""
    from qa.answers.answering import MARGIN, _candidates, _scoped, _sentences

    asked = kb.analyse(question)
    weights = _scoped(kb.keyword_weights(asked.keywords))
    hits = kb.hits(kb.rank(asked, k=20, scope=kb.scope(asked)))
    ranked = _candidates(_sentences(hits[:5], weights, {}, asked), asked, weights)
    written = [c.sentence.text[c.found.start:c.found.end] for c in ranked]
    assert written[0] == best
    rival = next(c for c, w in zip(ranked, written) if w != best)
    assert ranked[0].score - rival.score > MARGIN


@pytest.mark.parametrize("question, figures", [
    ("某县2025年末羊存栏多少", ["398.85万只"]),  # 羊 decides, though 存栏 and 年末 are the 生猪's too
    ("某县新签约项目的签约额是多少", ["7477.6亿元"]),  # 签约额, not the 签约项目's count
    ("某县出生人口性别比是多少", ["108.78"]),  # a ratio: never the count beside it
    ("某县2025年末民用汽车保有量比上年末多了多少", ["4.68万辆"]),  # the change, not the level
    ("某县4G用户和5G用户分别有多少", ["119.7万户", "281.3万户"]),  # items named in letters and digits
])
def test_the_words_that_name_the_item_decide(kb, question, figures):
    assert [f.text for f in kb.ask(question).figures] == figures


def test_a_change_asked_in_one_verb_is_answered_where_the_report_writes_another(kb):
    """"缩短了多少" of "压缩60%": the verbs of a change one way are one question, the other way another."""
    assert kb.ask("某县办理时限缩短了多少", doc="xian_2025.txt").figure == "60%"
    assert kb.ask("某县办理时限延长了多少", doc="xian_2025.txt").figure is None


def test_a_qualified_figure_is_the_figure_with_its_qualifier_apart(kb):
    """"观众超1亿人次": the figure is 1亿人次, as a figure is quoted; the answer shown to people keeps 超."""
    answer = kb.ask("某县足球联赛观众有多少人次")
    assert answer.figure == "1亿人次" and answer.figures[0].qualifier == "超"
    assert answer.stated == "超1亿人次" and "超1亿人次" in answer.text


@pytest.mark.parametrize("question", [
    "某市2024年城镇调查失业率实际是多少",  # only a target is stated
    "表3是多少",  # a table's number is not a figure
    "某县2025年货物进口总值比上年增长了多少",  # only 出口's change is stated: 进口 is not 出口
    "某州2026年国有土地使用权出让收入预算数是多少",  # the table is 2025's
    "国家通讯传播委员会114年度预算最后改列为多少",  # only what was proposed (编列) is stated
    "某县2025年地区生产总值增长了多少",  # only the per-person value's change is stated
    "某县年末户籍人口有多少",  # only the 0-17岁 group's count is stated
    "交通部铁道局及所属114年度预算是多少",  # only one item (第3目) of its budget is stated
    "疾病管制署114年度预算是多少",  # only one item (「防疫業務」) of its budget is stated
    "疾病管制署114年度原列预算多少",  # what was first proposed (原列) is not stated: not 编列, not 冻结
])
def test_no_figure_of_another_kind(kb, question):
    assert kb.ask(question).figure is None


def test_a_rate_asked_is_never_answered_with_a_count(kb):
    answer = kb.ask("行政复议维持率是多少")  # the report states 维持13宗, no rate
    assert answer.figure != "13宗" and (answer.figure is None or answer.calculation)  # at most a computed rate


def test_a_table_cell_is_named_by_its_row_and_column_not_the_whole_row(kb):
    figure = kb.ask("食品烟酒的价格指数是多少").figures[0]
    assert figure.label == "食品烟酒 价格指数（1—12月）"


def test_everyday_words_are_read_as_the_reports_only_where_the_reports_lack_them():
    from qa.retrieval.everyday import rewrite

    known = {"国有土地使用权出让收入", "投资", "居民人均可支配收入", "人均", "城镇新增就业"}.__contains__

    def read(question, known=known):  # a term read in stands as a word of its own
        return " ".join(rewrite(question, known).split())

    assert read("卖地收了多少钱") == "国有土地使用权出让收入 收了多少钱"
    assert read("一年能挣多少钱") == "居民人均可支配收入 多少钱"  # "能" inside the phrase
    assert read("平均每个人能分到多大的体育场地") == "人均 能分到多大的体育场地"
    assert read("临时救助平均每人能拿到多少钱") == "临时救助 人均 能拿到多少钱"
    assert read("投资增长了多少") == "投资增长了多少"  # a word the reports use stays
    assert read("卖地收了多少钱", {"投资"}.__contains__) == "卖地收了多少钱"  # no report holds the term
    assert read("刚刚找到工作有多少人") == "刚刚 城镇新增就业 有多少人"  # "刚刚" is not glued to it
    # a phrase the reports use ("县城") holds no place from an overlapping one ("城里人")
    assert read("县城里人有多少", {"县城", "城镇常住人口"}.__contains__) == "县 城镇常住人口 有多少"
    # of the terms the reports use, one keeping the phrase's own word they use ("被告") first
    assert read("政府当被告几次", {"行政应诉", "作为被告", "被告"}.__contains__) == "作为被告 几次"


def test_a_short_organisation_name_is_read_as_the_reports_write_it_in_full():
    from qa.retrieval.abbreviations import expand, full_name

    text = "卫生健康委员会发布……市卫生健康委员会召开……疾病管制署编列"
    assert full_name("卫健委", text) == "卫生健康委"  # up to the kept last character: what search needs
    assert full_name("疾管署", text) is None  # written once: not enough to read a name as another
    assert full_name("卫健委", "卫生委员会、卫生委员会") is None  # 健 is kept by the short name
    assert full_name("府网站", "政府网站、政府门户网站、政府门户网站") is None  # the reports write it (in 政府网站)
    unknown = {"卫健委": 0}.get
    assert expand("市卫健委有多少人", lambda w: unknown(w, 1), lambda w: full_name(w, text)) == "市卫生健康委有多少人"
    assert expand("市卫健委有多少人", lambda w: 1, lambda w: full_name(w, text)) == "市卫健委有多少人"  # reports hold it


def test_a_sentence_holding_every_word_asked_counts_a_little_further_down(tmp_path_factory):
    """Six passages name 國庫署 over and over; the one line holding 國庫署 and 原列 ranks seventh, and answers."""
    from conftest import build_reports

    review = "中央政府總預算案審查總報告\n" + "".join(
        f"({n})114年度財政部國庫署預算案於第{i}目「國庫業務」項下編列業務費{i}0萬元，國庫署應檢討國庫署之業務並提出國庫署書面報告。\n"
        for i, n in enumerate("一二三四五六", 1)) + (
        "第2項 國庫署原列1,143億6,593萬6千元，減列第2目「國庫業務」160萬元（含「業務費」80萬元、「菸酒管理作業」50萬元）、"
        "第4目「國債付息」項下「國債付息」中「債務費」之「債務利息」10億元，共計減列10億0,660萬元（科目均自行調整），"
        "其餘均照列，改列為1,133億5,933萬6千元。\n")
    review_kb = build_reports(tmp_path_factory, {"taiwan_review.md": review}, "review")
    assert [i for i, h in enumerate(review_kb.search("国库署岁出原列多少", 10)) if "原列" in h.text] == [6]
    assert review_kb.ask("国库署岁出原列多少").figure == "1,143億6,593萬6千元"


def test_a_year_asked_is_never_answered_with_a_five_year_total(tmp_path_factory):
    """"五年来，…城镇新增就业522万人" opens on five years: its figures are the period's; 2025's is 107万人. A
    programme "为期五年" has a total (总经费) that is no year's."""
    from conftest import build_reports

    report = ("四川省人民政府工作报告\n一、2025年工作回顾和“十四五”发展主要成绩\n"
              "五年来，我们大力发展民生社会事业，人民生活品质稳步提高。城乡就业增收更加提质，城镇新增就业522万人、"
              "农村劳动力转移稳定在2500万人以上。\n过去一年，我们扎实做好民生工作，城镇新增就业107万人。\n")
    review = ("立法院審查114年度中央政府總預算案\n衛生福利部疾病管制署於114年度新增辦理「抗生素抗藥性管理行動計畫」，"
              "為期五年（114至118年），總經費14億9,080萬元，114年度第1年經費編列1億5,233萬3千元。\n")
    work_report = build_reports(tmp_path_factory, {"sichuan_2026.txt": report, "taiwan_review.md": review}, "work-report")
    assert work_report.ask("四川省2025年城镇新增就业多少人").figure == "107万人"
    # a programme over five years: its total is not the first year's
    assert work_report.ask("抗生素抗药性管理行动计划114年度第1年编了多少经费").figure == "1億5,233萬3千元"


def test_where_the_best_passages_hold_no_figure_of_the_year_asked_the_next_ones_are_read(tmp_path_factory):
    """The best three passages are rows of 2025's table; 2026's figure stands in the fourth (the answering stage
    given these passages in this order, without the confidence gate)."""
    from conftest import build_reports

    from qa.answers.answering import proposal

    budget = ("某市2025年预算执行情况和2026年预算草案的报告\n二、2026年预算草案\n"
              "2026年收入预算安排54.3亿元，其中，国有土地使用权出让收入538000万元，污水处理费收入2400万元。\n"
              "附表1\n2025年全市政府性基金预算收入完成情况表（单位：万元）\n\n| 预算科目 | 预算数 | 完成数 |\n|---|---|---|\n"
              "| 一、国有土地使用权出让金收入 | 441027 | 235693 |\n| 二、国有土地收益基金收入 | 15036 | 6813 |\n"
              "| 三、国有土地使用权出让收入安排的支出 | 18729 | 18355 |\n")
    budget_kb = build_reports(tmp_path_factory, {"budget_2026.md": budget}, "budget")
    question = "全市2026年国有土地使用权出让收入预算是多少"
    asked = budget_kb.analyse(question)
    hits = budget_kb.search(question, 8)
    ordered = [h for h in hits if h.table][:3] + [h for h in hits if "538000" in h.text]
    assert len(ordered) == 4
    answer, _ = proposal(asked, ordered, weights=budget_kb.keyword_weights(asked.keywords))
    assert answer.figure == "538000万元"


def test_a_breakdown_is_not_the_whole(kb):
    answer = kb.ask("某市城镇居民人均可支配收入是多少")
    assert answer.figure is None or answer.figure == "45600元"
    assert kb.ask("某市居民人均可支配收入是多少").figure == "41230元"


def test_the_confidence_model_reads_the_features_answering_computes(monkeypatch):
    """The shipped model's inputs are the names `features` makes; a figure far ahead passes, one tied with
    another on weak evidence does not; without the file every figure passes."""
    import json

    from qa.answers import confidence

    model = json.loads(confidence.MODEL.read_text(encoding="utf-8"))
    evidence = {name: 0.0 for name in confidence.EVIDENCE}
    common = dict(candidates=5, listed=False, table=False, rewritten=False, unit_asked=True, measure_asked=False,
                  change_asked=False)
    strong = confidence.features({**evidence, "support": 0.9, "coverage": 0.2, "unit": 0.5}, score=1.6,
                                 margin=1.0, **common)
    weak = confidence.features({**evidence, "support": 0.3, "unit": -0.6}, score=0.3, margin=0.03,
                               **{**common, "candidates": 40})
    assert sorted(model["features"]) == sorted(strong) and len(model["weights"]) == len(strong)
    assert confidence.probability(strong) > model["threshold"] > confidence.probability(weak)
    assert confidence.confident(strong) and not confidence.confident(weak)
    monkeypatch.setattr(confidence, "MODEL", confidence.MODEL.with_name("missing.json"))
    confidence._model.cache_clear()
    try:
        assert confidence.probability(weak) is None and confidence.confident(weak)
    finally:
        monkeypatch.undo()
        confidence._model.cache_clear()


def test_an_age_band_is_never_a_count(kb):
    """"0-17岁" names a group of people; a question about how many people never gets it, one about age may."""
    from qa.answers.answering import _fits_measure

    assert not _fits_measure(kb.analyse("户籍人口有多少"), "岁")
    assert _fits_measure(kb.analyse("平均年龄是多少"), "岁") and _fits_measure(kb.analyse("户籍人口有多少"), "万人")


DISTRICTS = (
    "某市2021年社会性别统计报告\n一、人口\n2021年，某市各区常住人口情况如下：\n表 1 2021 年某市分区常住人口\n"
    "一分区 二分区 三分区 四分区\n常住人口\n156.23 114.82 21.54 181.41\n（万人）\n2021年，某市各区户籍人口及其性别比情况如下：\n"
    "表 2 2021 年某市分区户籍人口及性别比\n地区 户籍人口 户籍人口性别比\n（万人） （女=100）\n"
    "甲区 124.88 93.91\n乙区 73.40 94.23\n丙区 10.28 95.44\n丁区 122.12 104.83\n"
    "二、教育\n2021年，某市小学学龄儿童净入学率为100%。\n"
)


@pytest.fixture(scope="module")
def districts(tmp_path_factory):
    return build_reports(tmp_path_factory, {"moushi_2021.txt": DISTRICTS}, "districts")


@pytest.mark.parametrize("question, figure", [
    ("某市2021年乙区户籍人口性别比是多少", "94.23"),  # the row and the column asked
    ("某市2021年乙区户籍人口性别比（女=100）是多少", "94.23"),  # the column's note quoted: still a ratio asked
    ("某市2021年四分区常住人口是多少", "181.41"),  # a table printed sideways: a row per district
    ("某市2021年常住人口是多少", None),  # the whole city's is not stated: no district's row stands for it
])
def test_a_table_row_answers_only_for_the_row_asked(districts, question, figure):
    assert districts.ask(question).figure == figure
