"""Figures that hold on every kind of report: the place asked, the quantity asked, numbers as written."""

import pytest
from conftest import build_reports
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.reading.figures import extract, kind_of
from qa.retrieval.question import analyse
from qa.textnorm import fold

PROVINCE = ("江西省2022年国民经济和社会发展统计公报\n01综合\n"
            "初步核算，全年地区生产总值32074.7亿元，比上年增长4.7%。其中，第一产业增加值2451.5亿元，增长4.3%。"
            "人均地区生产总值70923元，增长4.6%。\n"
            "年末全省常住人口4527.98万人，比上年末增加10.58万人。\n"
            "02交通\n九江港完成货物吞吐量1.8亿吨，增长19%；完成集装箱吞吐量76.9万标准箱，增长18.6%。"
            "南昌港完成货物吞吐量2823.6万吨，下降23.7%。\n")
CITY = ("宜春市2022年国民经济和社会发展统计公报\n一、综合\n"
        "全年实现地区生产总值3473.12亿元，比上年增长4.1%。年末全市常住人口496.97万人。\n"
        "二、农业\n粮食总产量为73.71亿斤，比上年减少1.71亿斤，下降2.26%。\n")
COUNTY = ("万载县2015年国民经济和社会发展统计公报\n一、综合\n"
          "全县农业总产值282563万元，比上年增长5.04%，其中：牧业产值89081万元，增长-3.2%。\n")
REVIEW = ("2025年广东省政府工作报告\n一、2024年工作回顾\n"
          "实施科技体制改革三年攻坚，首批10个试点落地。经受住25轮强降水和10个台风影响。"
          "改造农村公路危旧桥梁240座。\n二、2025年工作安排\n改造农村公路危旧桥梁超300座。\n")
BUDGET = ("財政委員會審查結果\n一、歲入部分\n第1款　稅課收入\n"
          "第1項　財政部原列2兆7,739億9,228萬8千元，增列105億元，改列為2兆7,844億9,228萬8千元。\n"
          "查行政院主計總處112年度用電度數為209萬6,875度，每月平均17萬4,739度。\n")


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_reports(tmp_path_factory, {"jiangxi_2022.txt": PROVINCE, "yichun_2022.txt": CITY,
                                            "wanzai_2015.txt": COUNTY, "guangdong_2025.txt": REVIEW,
                                            "taiwan_114.md": BUDGET}, "bulletins")


@pytest.mark.parametrize("question, figure", [
    # The subject's own figure, not the next clause's, nor its per-person value, nor the city's.
    ("江西省2022年地区生产总值是多少", "32074.7亿元"),
    ("江西省2022年地区生产总值比上年增长了多少", "4.7%"),
    ("江西省2022年人均地区生产总值是多少", "70923元"),
    ("宜春市2022年地区生产总值是多少", "3473.12亿元"),
    ("宜春市2022年末常住人口多少", "496.97万人"),
    # A province's bulletin answers for a city only where the sentence names it.
    ("九江港2022年完成集装箱吞吐量多少", "76.9万标准箱"),
    # The fall, not the level; the growth as written, negative.
    ("南昌港2022年货物吞吐量下降了多少", "23.7%"),
    ("宜春2022年粮食总产量下降了百分之几", "2.26%"),
    ("宜春2022年粮食总产量是多少", "73.71亿斤"),
    ("万载2015年牧业产值增长多少", "-3.2%"),
    # The year asked: the 2024 result, not the 2025 plan in the same report.
    ("2024年广东改造了多少座农村公路危旧桥梁", "240座"),
    # Counts in Chinese numerals never beat a figure with the unit asked.
    ("广东2024年经受了几个台风影响", "10个"),
    ("广东首批科技体制改革试点有多少个", "10个"),
    # Traditional amounts, whole, asked in simplified Chinese; the revised value vs the original.
    ("财政部税课收入原列多少", "2兆7,739億9,228萬8千元"),
    ("财政部的税课收入最后改列为多少", "2兆7,844億9,228萬8千元"),
    ("主计总处112年度用电度数是多少", "209萬6,875度"),
])
def test_the_figure_asked(kb, question, figure):
    assert kb.ask(question).figure == figure


@pytest.mark.parametrize("question, missing", [
    ("抚州市2022年地区生产总值是多少", None),  # a city of the province, but no sentence names it
    ("朝阳区2022年行政复议维持多少宗", "朝阳区"),  # no report about the place at all
    ("江西省2021年地区生产总值是多少", None),  # another year's figure is not this year's
    ("宜春市2022年户籍人口是多少", None),  # a related but different quantity
])
def test_no_figure_from_another_place_year_or_quantity(kb, question, missing):
    answer = kb.ask(question)
    assert answer.figure is None and not answer.by_document
    if missing:
        assert missing in answer.notice and "检索了" in answer.notice


@pytest.mark.parametrize("text, written, value, unit", [
    ("財政部原列2兆7,739億9,228萬8千元", "2兆7,739億9,228萬8千元", 2_773_992_288_000, "元"),
    ("用電度數為209萬6,875度", "209萬6,875度", 2_096_875, "度"),
    ("現有橋梁1萬2,083座", "1萬2,083座", 12_083, "座"),
    ("国内生产总值达到134.9万亿元", "134.9万亿元", 134.9e12, "万亿元"),
    ("集装箱吞吐量76.9万标准箱", "76.9万标准箱", 769_000, "万标准箱"),
    ("发电量1234.5亿千瓦时", "1234.5亿千瓦时", 1234.5e8, "亿千瓦时"),
    ("造林面积12.3千公顷", "12.3千公顷", 12_300, "千公顷"),
    ("牧业产值增长-3.2%", "-3.2%", -3.2, "%"),
    ("全年发生１２起", "１２起", 12, "起"),
])
def test_numbers_as_written(text, written, value, unit):
    [found] = extract(text)
    assert (text[found.start:found.end], found.unit) == (written, unit)
    assert found.value == pytest.approx(value)


@pytest.mark.parametrize("text, figure, kind", [
    ("全年地区生产总值32074.7亿元，比上年增长4.7%", "32074.7亿元", ("level", 0)),
    ("全年地区生产总值32074.7亿元，比上年增长4.7%", "4.7%", ("change", 1)),
    ("南昌港完成货物吞吐量2823.6万吨，下降23.7%", "23.7%", ("change", -1)),
    ("数字经济核心产业增加值占国内生产总值比重达到10%左右", "10%", ("share", 0)),
    ("人均地区生产总值70923元", "70923元", ("per_person", 0)),
    ("补贴标准从每人每月202元提高到209元", "209元", ("level", 0)),
    ("减少各类证明材料376项", "376项", ("change", -1)),
    ("第一产业增加值2451.5亿元", "2451.5亿元", ("level", 0)),
])
def test_what_a_figure_states(text, figure, kind):
    found = next(f for f in extract(text) if text[f.start:f.end] == figure)
    assert kind_of(fold(text), found) == kind


def test_what_a_question_asks():
    assert analyse("南昌港货物吞吐量下降了多少").change == -1
    assert analyse("进出口总额增长了多少").change == 1
    assert analyse("房地产业增加值比上年是增还是降，幅度多少").change == 2
    assert analyse("补贴提高到每人每月多少").change == 0
    assert analyse("税课收入占岁入总额的比率是多少").share
    assert analyse("税收收入占多大比例").share and not analyse("网上办的比例是多少").share
    assert analyse("马拉松选手里外地人占多少").share and not analyse("项目占地多少亩").share
    assert analyse("经营主体中企业占比是多少").keywords == ("经营", "主体", "企业")  # no "比是" read off 占比
    assert analyse("居民人均可支配收入是多少").per_person
    assert analyse("审查后改列为多少").revised and not analyse("审查后改列为多少").origin
    assert analyse("台湾114年度总预算").years == (2025,)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="0123456789,.%万亿萬億兆千元件个年增长下降比上年占人均其中，。；、 ", max_size=60))
def test_a_figure_is_a_contiguous_span_of_its_evidence(kb, text):
    for question in (text, "江西省" + text + "是多少"):
        answer = kb.ask(question)
        for figure in answer.figures:
            assert figure.text and figure.text in figure.evidence
            doc = next(d for d in kb.documents if d.source == (answer.source or d.source))
            if answer.source:
                assert doc.text[figure.start:figure.end] == figure.text
