"""Reading real reports faithfully: Word-made web pages, tables in every format, numbered paragraphs,
page furniture, place and year, and `qa inspect` saying how a file was read."""

import json

import pytest

from qa.reading.corpus import read_document

from qa.reading.cleaning import clean
from qa.reading.furniture import remove_furniture
from qa.reading.passages import split
from qa.reading.places import region_of, year_of, years

WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8"><title>某县人民政府 | 万载县2015年国民经济和社会发展统计公报</title>
<style>p.MsoNormal {margin:0}</style></head><body lang=ZH-CN>
<div class=nav>首页 &gt; 数据开放</div>
<div class=WordSection1>
<p class=MsoNormal align=center><b><span style='font-size:16pt'>万载县</span></b><b><span lang=EN-US>2015</span></b><b><span>年国民经济和社会发展统计公报</span></b></p>
<p class=MsoNormal><span>一、综合</span></p>
<p class=MsoNormal><span>全县实现生产总值</span><span lang=EN-US>1102284</span><span>万元，比上年增长</span>
<span lang=EN-US>9.3</span><span>％</span><span lang=EN-US><o:p></o:p></span></p>
<p class=MsoNormal><span>主要工业产品产量</span></p>
<table class=MsoTableGrid border=1>
 <tr><td rowspan=2><span>产品名称</span></td><td rowspan=2><span>计量单位</span></td><td colspan=2><span>2015</span><span>年</span></td></tr>
 <tr><td><span>产量</span></td><td><span>较上年</span><span>±%</span></td></tr>
 <tr><td><span>烟花鞭炮</span></td><td><span>万箱</span></td><td><span>1575</span></td><td><span>6.42</span></td></tr>
 <tr><td><span>塑料制品</span></td><td><span>吨</span></td><td><span>183946</span></td><td><span>26.63</span></td></tr>
</table>
<p class=MsoNormal><span>二、农业</span></p>
<p class=MsoNormal><span>全县农业总产值</span><span lang=EN-US>282563</span><span>万元。</span></p>
</div></body></html>"""


def test_word_exported_html_reads_as_clean_paragraphs_with_its_table(tmp_path):
    (tmp_path / "wanzai.html").write_text(WORD_HTML, encoding="utf-8")
    doc = read_document(tmp_path / "wanzai.html", tmp_path)
    assert doc.title == "万载县2015年国民经济和社会发展统计公报"  # the site's name cut off
    assert "全县实现生产总值1102284万元，比上年增长9.3％" in doc.text  # one span a run, one line
    assert "首页" not in doc.text
    assert doc.places == ("万载县", "宜春市", "江西省") and doc.year == "2015"
    [table] = doc.tables
    assert table["caption"] == "主要工业产品产量" and table["rows"] == 2
    passages = split(doc)
    row = next(p for p in passages if "烟花鞭炮" in p.text)
    # A row reads on its own: row name, then each column's header with its cell; under its caption.
    assert "产量 1575" in row.text and "6.42" in row.text and "万箱" in row.text
    assert row.section.endswith("主要工业产品产量")
    assert not any("烟花鞭炮" in p.text and "塑料制品" in p.text for p in passages)  # one unit a row


def test_a_table_row_is_a_hit_that_says_which_table(tmp_path, fake_model):
    import qa

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "wanzai.html").write_text(WORD_HTML, encoding="utf-8")
    kb = qa.build(corpus, tmp_path / "index", progress=False)
    hits = kb.search("烟花鞭炮产量", k=3)
    assert "烟花鞭炮" in hits[0].text and hits[0].table == "主要工业产品产量"
    running = kb.search("农业总产值", k=1)[0]
    assert "282563" in running.text and running.table == ""


def test_docx_table_with_merged_cells_is_rows_not_a_comma_joined_line(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("淮安市洪泽区人民政府2024年政府信息公开工作年度报告")
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "信息内容"
    table.cell(0, 2).text = "本年处理决定数量"
    for row, (name, kind, value) in enumerate([("第二十条第（五）项", "行政许可", "9487"),
                                                ("第二十条第（六）项", "行政处罚", "2776")], 1):
        table.cell(row, 0).text, table.cell(row, 1).text, table.cell(row, 2).text = name, kind, value
    document.add_paragraph("三、其他情况")
    document.save(tmp_path / "hongze.docx")
    doc = read_document(tmp_path / "hongze.docx", tmp_path)
    assert "，".join(["第二十条第（五）项", "行政许可"]) not in doc.text
    row = next(p for p in split(doc) if "行政许可" in p.text)
    assert "本年处理决定数量 9487" in row.text and "2776" not in row.text
    assert doc.tables[0]["caption"] == "二、主动公开政府信息情况"
    assert doc.places[0] == "洪泽区" and doc.year == "2024"


def test_pdf_page_numbers_running_headers_and_glued_numbers_are_furniture():
    pages = [["某区人民政府公报", "第一段正文，", "增长5%。", "- 1 -"],
             ["某区人民政府公报", "2实际利用外资5350万美元。", "第 2 页"],
             ["某区人民政府公报", "全年完成投资12亿元。", "3/5"]]
    cleaned = remove_furniture(pages)
    assert cleaned == [["第一段正文，", "增长5%。"], ["实际利用外资5350万美元。"], ["全年完成投资12亿元。"]]
    # A figure at the top of a page is not taken for its number.
    assert remove_furniture([["2个项目落地。"], ["正文。"], ["正文。"]])[0] == ["2个项目落地。"]


def test_pdf_with_a_table_and_page_furniture(tmp_path):
    pytest.importorskip("reportlab", reason="pip install -e '.[test]' (reportlab draws the test PDF)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas as pdfcanvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "report.pdf"
    canvas = pdfcanvas.Canvas(str(path))
    for page in (1, 2, 3):
        canvas.setFont("STSong-Light", 11)
        canvas.drawString(200, 800, "红桥区人民政府公报")
        canvas.drawString(290, 40, f"- {page} -")
        if page == 1:
            canvas.drawString(72, 740, "天津市红桥区2022年行政复议情况")
            canvas.drawString(72, 720, "一、办理情况")
            canvas.drawString(72, 700, "全年接收行政复议案件38宗。")
            canvas.drawString(72, 670, "行政复议案件情况（单位：宗）")
            x, y = 72, 650
            for r, row in enumerate([("类别", "接收", "维持"), ("行政许可", "12", "5"), ("行政处罚", "26", "8")]):
                for c, text in enumerate(row):
                    canvas.rect(x + 120 * c, y - 20 * (r + 1), 120, 20)
                    canvas.drawString(x + 120 * c + 4, y - 20 * (r + 1) + 6, text)
        else:
            canvas.drawString(72, 740, f"第{page}页的正文，依法行政取得成效。")
        canvas.showPage()
    canvas.save()
    doc = read_document(path, tmp_path)
    assert "红桥区人民政府公报" not in doc.text and "- 1 -" not in doc.text
    [table] = doc.tables
    assert table["unit"] == "宗"
    row = next(p for p in split(doc) if "行政处罚" in p.text)
    assert "接收 26" in row.text and "维持 8" in row.text
    assert doc.places == ("红桥区", "天津市") and doc.year == "2022"


def test_pdf_footnote_marks_never_join_the_figure_after_them(tmp_path):
    pytest.importorskip("reportlab", reason="pip install -e '.[test]' (reportlab draws the test PDF)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas as pdfcanvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "report.pdf"
    canvas = pdfcanvas.Canvas(str(path))
    # "常住人口¹1761.48万人": the mark set small and raised, as Word exports a footnote reference; "m²" keeps its 2.
    text = canvas.beginText(72, 700)
    text.setFont("STSong-Light", 16)
    text.textOut("2021年，深圳市常住人口")
    text.setFont("STSong-Light", 8)
    text.setRise(5)
    text.textOut("1")
    text.setFont("STSong-Light", 16)
    text.setRise(0)
    text.textOut("1761.48万人，人均住房面积30m")
    text.setFont("STSong-Light", 8)
    text.setRise(5)
    text.textOut("2")
    canvas.drawText(text)
    canvas.setFont("STSong-Light", 9)
    canvas.drawString(72, 100, "1 常住人口指实际经常居住在本地半年以上的人口。")
    canvas.showPage()
    canvas.save()
    doc = read_document(path, tmp_path)
    assert "常住人口1761.48万人" in doc.text and "30m2" in doc.text
    assert "常住人口指实际经常居住" in doc.text  # the footnote itself stays text


def _written(folder, name: str, text: str):
    """`text` saved as report `name` in `folder`, read back."""
    (folder / name).write_text(text, encoding="utf-8")
    return read_document(folder / name, folder)


def test_a_chart_caption_above_a_numbered_heading_is_no_part_title(tmp_path):
    doc = _written(tmp_path, "gongbao.txt",
                   "西安市2025年国民经济和社会发展统计公报\n二、农业\n全年粮食产量141.51万吨。\n"
                   "图3 2021—2025年粮食产量（万吨）\n三、工业和建筑业\n全年规模以上工业增加值比上年增长5.7%。\n")
    industry = next(p for p in split(doc) if "工业增加值" in p.text)
    assert industry.section == "三、工业和建筑业"


def test_a_bare_title_over_its_paragraphs_heads_the_numbered_run_after_them(tmp_path):
    """"2024年工作回顾", a paragraph, then "（一）…": the years a figure's section names come from the bare title."""
    doc = _written(tmp_path, "gongzuo.txt",
                   "2025年某省政府工作报告\n各位代表：\n2024年工作回顾\n过去一年，经济运行稳中向好。\n"
                   "（一）持续推进城乡融合发展\n全省粮食产量726.8亿斤。\n2025年工作安排\n今年要做好以下工作。\n"
                   "（一）全方位扩大内需\n粮食产量725亿斤以上。\n")
    sections = {p.text: p.section for p in split(doc)}
    assert sections["全省粮食产量726.8亿斤。"] == "2024年工作回顾 / （一）持续推进城乡融合发展"
    assert sections["粮食产量725亿斤以上。"] == "2025年工作安排 / （一）全方位扩大内需"


def test_a_time_stamp_above_the_source_line_is_no_title(tmp_path):
    doc = _written(tmp_path, "page.txt", "2026年四川省人民政府工作报告\n2026年02月10日 07时41分\n来源:\n四川日报\n"
                                          "各位代表：\n全省粮食产量732.5亿斤。\n")
    assert doc.title == "2026年四川省人民政府工作报告" and doc.publisher == "四川日报"
    assert "07时41分" not in doc.text


def test_markdown_pipe_table_and_markup(tmp_path):
    (tmp_path / "kewei.md").write_text(
        "**2024年上海市科委政府信息公开工作年度报告**\n\n## 一、总体情况\n\n市科委全年主动公开信息393件。\n\n"
        "## 表二：主动公开政府信息情况\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n"
        "| 规章 | 0 | 0 | 0 |\n| 规范性文件 | 13 | 0 | 55 |\n", encoding="utf-8")
    doc = read_document(tmp_path / "kewei.md", tmp_path)
    assert "**" not in doc.text and "|" not in doc.text
    row = next(p for p in split(doc) if "规范性文件" in p.text)
    assert "本年制发件数 13" in row.text and "现行有效件数 55" in row.text
    assert row.section.endswith("表二：主动公开政府信息情况")
    assert doc.region == "上海市" and doc.year == "2024"


def test_text_report_with_a_table_spaced_into_columns(tmp_path):
    """A table copied from a PDF into a text file, its cells parted by spaces: each row a line naming its columns."""
    doc = _written(tmp_path, "shenzhen.txt",
                   "2021年深圳市社会性别统计报告\n2021年，深圳市户籍人口630.94万人。\n表 2 2021 年深圳市分区户籍人口及性别比\n"
                   "户籍人口 男性 户籍人口性别比\n（万人） （万人） （女=100）\n福田区 124.88 60.48 93.91\n"
                   "龙岗区 116.37 57.39 97.30\n2021 年，深圳市户籍迁入人口 38.24 万人，性别比为 82.62。\n")
    assert "龙岗区：户籍人口（万人） 116.37；男性（万人） 57.39；户籍人口性别比（女=100） 97.30" in doc.text.splitlines()
    assert "2021年，深圳市户籍迁入人口38.24万人，性别比为82.62。" in doc.text.splitlines()
    assert doc.tables[0]["caption"] == "表2 2021年深圳市分区户籍人口及性别比" and doc.tables[0]["rows"] == 2


def test_text_copied_from_a_pdf_is_read_in_paragraphs_not_lines(tmp_path):
    """A Markdown file whose lines the page width broke ("…内设机构和职" / "能发生较大调整"): its sentences whole;
    a file of one paragraph per line stays as it is."""
    wrapped = ("# 四、存在的主要问题及改进情况\n（一）主要问题\n市科委2024年根据本市机构改革工作安排，内设机构和职\n"
               "能发生较大调整，原有部门网站政务公开栏目和政府信息公开目\n录结构无法满足机构改革后的信息发布需要。\n"
               "（二）改进情况\n根据上述问题，市科委采取以下措施：一是开设“张江高新\n区”专栏，集中发布展示原市科创办相关政策信\n"
               "息。二是根据市科委新的职能对政府信息公开目录进行调整。三是\n重新设计部门网站政务公开栏目，已完成栏目梳\n"
               "理工作，目前正在有序推进改版上线各项工作。\n")
    (tmp_path / "kewei.md").write_text(wrapped, encoding="utf-8")
    text = read_document(tmp_path / "kewei.md", tmp_path).text
    assert "内设机构和职能发生较大调整" in text and "开设“张江高新区”专栏" in text
    assert "（一）主要问题\n" in text and "（二）改进情况\n" in text  # headings stay lines of their own
    lines = "全区办结行政复议案件43宗，维持13宗，驳回24宗。\n" * 10 + "行政复议机构接收行政复议案件38宗，受理后办结43宗\n驳回24宗。\n"
    (tmp_path / "plain.txt").write_text(lines, encoding="utf-8")
    assert "办结43宗\n驳回24宗" in read_document(tmp_path / "plain.txt", tmp_path).text


def test_a_row_of_numbers_is_neither_continued_by_the_next_line_nor_a_heading():
    """A PDF table read as lines: its row of numbers does not run on into the paragraph after it, and neither the
    row nor its unit note in brackets heads what follows."""
    from qa.reading.passages import _is_bare_title
    from qa.reading.readers import unwrap

    lines = ["2021年，深圳市常住人口1761.48万人，其中男性969.57万人，占全市人口的55.0%；女性791.91万",
             "人，占全市人口的45.0%，常住人口性别比为122.443。",
             "156.23 114.82 21.54 181.41 448.29 401.53 253.51 56.65 111.57 15.94（万人）",
             "2021年，深圳市户籍人口630.94万人。"]
    assert unwrap(lines) == [lines[0] + lines[1], lines[2], lines[3]]
    assert not _is_bare_title("大鹏新区5.05 2.58 2.47 104.45") and not _is_bare_title("（万人）")
    assert _is_bare_title("人口规模与性别比")


def test_numbered_sentences_are_list_items_and_short_ones_headings():
    doc = clean(["2017年财政收支情况", "一、全国一般公共预算收支情况", "（一）一般公共预算收入情况。",
                 "主要情况如下：", "1.国内增值税56378亿元，同比增长8%。其中，改征增值税下降5.7%。",
                 "2.国内消费税10225亿元，同比增长0.1%。", "（二）一般公共预算支出情况。",
                 "（三）坚持党的领导,抓好财政工作。全年支出203330亿元。"], source="caizheng.txt")
    passages = split(doc)
    item = next(p for p in passages if "国内增值税" in p.text)
    assert item.text.startswith("1.国内增值税56378亿元")  # the whole item is body, its number included
    assert item.section == "一、全国一般公共预算收支情况 / （一）一般公共预算收入情况"
    headed = next(p for p in passages if "203330" in p.text)
    assert headed.section.endswith("（三）坚持党的领导,抓好财政工作") and headed.text == "全年支出203330亿元。"
    # Every body character reaches a passage: its text or its heading path.
    reached = "".join(p.text + p.section for p in passages)
    for line in doc.text.splitlines()[1:]:
        assert all(c in reached for c in line.rstrip("。"))


def test_title_lines_that_head_nothing_stay_text():
    doc = clean(["统计公报", "江西省统计局 国家统计局江西调查总队", "01综合", "全年地区生产总值32074.7亿元。"],
                source="gongbao.txt")
    passages = split(doc)
    assert any(p.text == "江西省统计局 国家统计局江西调查总队" for p in passages)
    assert next(p for p in passages if "32074.7" in p.text).section == "01综合"


@pytest.mark.parametrize("title, text, expected", [
    ("江西省2022年国民经济和社会发展统计公报", "", ("江西省",)),
    ("宜春市2022年国民经济和社会发展统计公报", "", ("宜春市", "江西省")),
    ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "", ("洪泽区", "淮安市", "江苏省")),
    ("", "2022年,在市委、市政府的正确领导下,荔湾区委、区政府坚持以习近平新时代中国特色社会主义思想为指导",
     ("荔湾区", "广州市", "广东省")),
    ("财政委员会审查结果", "第82项 台北国税局9亿元,照列。第83项 高雄国税局3亿元,照列。", ("台湾省",)),
    # the 立法院 of years counted from 民国: its 全国 is Taiwan's
    ("交通委员会审查结果", "114年度中央政府总预算案，立法院审查全国公路建设预算。", ("台湾省",)),
    ("2017年财政收支情况", "1-12月累计,全国一般公共预算收入172567亿元。", ("全国",)),
    ("澳门特别行政区2023年施政报告", "", ("澳门特别行政区",)),
    ("新疆维吾尔自治区2022年政府工作报告", "", ("新疆维吾尔自治区",)),
])
def test_region_with_parents_from_the_gazetteer(title, text, expected):
    assert region_of(title, text) == expected


def test_years_as_written():
    assert years("二○二一年 民國114年 112年度 2022 年") == [2021, 2025, 2023, 2022]
    assert year_of("中华民国114年度中央政府总预算", "", "") == "2025"
    assert year_of("关于二〇二一年法治政府建设情况的报告", "", "") == "2021"
    assert year_of("", "今年以来……", "2023-03-01") == "2022"  # the year before publication


def test_inspect_shows_how_a_file_was_read_and_build_warns_on_lost_text(tmp_path, caplog, capsys):
    from qa.cli import main

    (tmp_path / "wanzai.html").write_text(WORD_HTML, encoding="utf-8")
    assert main(["inspect", str(tmp_path / "wanzai.html"), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert report["coverage"] >= 0.95 and report["places"] == ["万载县", "宜春市", "江西省"]
    assert report["tables"] == [{"caption": "主要工业产品产量", "rows": 2, "columns": 4, "unit": ""}]
    assert report["headings"][0] == "一、综合" and "二、农业" in report["headings"]
    # Body text inside <header> is page chrome to the reader, so most of this page is lost: said by name.
    lossy = tmp_path / "lossy.html"
    lossy.write_text("<html><body><header>" + "".join(f"<p>第{i}段正文，全年增长{i}%。</p>" for i in range(30))
                     + "</header><p>一、总体情况</p><p>全年完成投资12亿元。</p></body></html>", encoding="utf-8")
    with caplog.at_level("WARNING"):
        read_document(lossy, tmp_path)
    assert "lossy.html" in caplog.text and "qa inspect" in caplog.text
    assert main(["inspect", str(lossy)]) == 0
    assert "WARNING" in capsys.readouterr().out


def test_eval_matches_table_evidence_cell_by_cell_and_docs_by_stem():
    from qa.evaluate import Case, holds_evidence
    from qa.results import Hit

    hit = Hit(text="行政许可：本年处理决定数量 9487", score=1, title="", source="hongze_2024.pdf", section="",
              start=0, end=0)
    assert holds_evidence(hit, Case("q", "9487", "行政许可 9487", "hongze_2024"))
    assert not holds_evidence(hit, Case("q", "948", "行政许可 948", "hongze_2024"))
    assert not holds_evidence(hit, Case("q", "9487", "行政许可 9487", "other_2024"))
