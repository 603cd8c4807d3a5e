"""Tables read as tables: .docx merged cells, PDF ruled tables, Word-exported HTML, pipe text, and the
shared header/caption/unit rules; then the real files of ../shared/data/wild/."""

import os
from collections import Counter
from pathlib import Path

import pytest

from qa.reading.blocks import Table
from qa.reading.tables import (
    clean_cell,
    continue_tables,
    grid_blocks,
    html_table_grid,
    make_table,
    read_docx,
    read_pdf,
    split_pipe_tables,
    unruled_tables,
    unspace,
)

WILD = Path(os.environ.get("QA_WILD", Path(__file__).resolve().parents[2] / "shared" / "data" / "wild"))


def tables(blocks) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def cell(table: Table, row: str, column: str) -> str:
    """The cell in the first body row whose label contains `row`, under the last column whose label ends with `column`."""
    index = next(i for i in range(len(table.rows)) if row in table.row_label(i))
    columns = [c for c, label in enumerate(table.columns) if label.endswith(column)]
    assert columns, f"no column {column!r} in {table.columns}"
    return table.rows[index][columns[-1]]


# ---------------------------------------------------------------- make_table


def test_make_table_header_rows_row_headers_caption_and_unit():
    grid = [
        ["项目", "2023年", "2024年"],
        ["一般公共预算收入", "120.5", "131.2"],
        ["税收收入", "98.1", "—"],
    ]
    table = make_table(grid, before=["全年实现增长。", "表1 财政收入情况", "单位：亿元"])
    assert table.caption == "表1 财政收入情况"
    assert table.unit == "亿元"
    assert table.header == (("项目", "2023年", "2024年"),)  # years head columns, they are not values
    assert table.rows[1] == ("税收收入", "98.1", "—")
    assert table.row_header_columns == 1
    assert table.row_label(0) == "一般公共预算收入"


def test_make_table_unit_in_caption_or_single_value_header():
    grid = [["指标", "金额"], ["收入", "5"], ["支出", "4"]]
    assert make_table(grid, before=["二、收支情况（亿元）"]).unit == "亿元"
    grid = [["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", "7"]] * 1
    table = make_table(grid, before=[])
    assert (table.unit, table.caption) == ("万元", "")
    # A first body row that only states the unit is the unit, not a row.
    table = make_table([["项目", "数量"], ["单位：件", "单位：件"], ["申请", "3"]], before=[])
    assert table.unit == "件" and table.rows == (("申请", "3"),)


def test_make_table_caption_skips_paragraphs_and_unit_lines():
    grid = [["名称", "数量"], ["甲", "1"], ["乙", "2"]]
    # A paragraph ending a sentence is not a caption, and nothing above it captions this table.
    assert make_table(grid, before=["三、情况", "全年办理申请17件。"]).caption == ""
    assert make_table(grid, before=["## 表二：主动公开情况", "（单位：件）"]).caption == "表二：主动公开情况"


def test_make_table_layout_grids_are_none_and_become_lines():
    prose = [["本报告由区政府办公室编制。"], ["一、总体情况"]]
    assert make_table(prose, before=[]) is None
    assert make_table([["左栏文字", "右栏文字"]], before=[]) is None
    assert grid_blocks(prose, before=[]) == ["本报告由区政府办公室编制。", "一、总体情况"]
    assert grid_blocks([["", ""], ["", ""]], before=[]) == []
    article = "正文。" * 120  # a web page laid out in a table: navigation beside the article
    assert make_table([["首页", article], ["导航", "页脚"]], before=[]) is None


def test_make_table_multi_level_header_and_row_header_columns():
    grid = [
        ["说明", "说明", "申请人情况", "申请人情况", "申请人情况"],
        ["说明", "说明", "自然人", "法人或其他组织", "总计"],
        ["一、新收申请", "一、新收申请", "95", "0", "95"],
        ["三、办理结果", "（一）予以公开", "50", "0", "50"],
        ["三、办理结果", "（二）部分公开", "9", "0", "9"],
    ]
    table = make_table(grid, before=["三、收到和处理申请情况"])
    assert len(table.header) == 2 and table.row_header_columns == 2
    assert table.columns[2:] == ["申请人情况 自然人", "申请人情况 法人或其他组织", "申请人情况 总计"]
    assert table.row_label(0) == "一、新收申请"
    assert table.row_label(2) == "三、办理结果 （二）部分公开"
    assert cell(table, "新收", "总计") == "95"


def test_make_table_group_label_drawn_over_part_of_its_columns():
    grid = [
        ["复议", "", "诉讼", "诉讼"],
        ["复议", "直接起诉", "直接起诉", "复议后起诉"],
        ["1", "2", "3", "4"],
    ]
    table = make_table(grid, before=[])
    assert table.columns == ["复议", "诉讼 直接起诉", "诉讼 直接起诉", "诉讼 复议后起诉"]


def test_grid_blocks_splits_at_rows_one_merged_cell_spans():
    grid = [
        ["第一项", "第一项", "第一项"],
        ["信息内容", "制发件数", "废止件数"],
        ["规章", "0", "0"],
        ["第五项", "第五项", "第五项"],
        ["信息内容", "处理决定数量", "处理决定数量"],
        ["行政许可", "9487", "9487"],
    ]
    blocks = grid_blocks(grid, before=["二、主动公开情况"])
    assert [b if isinstance(b, str) else type(b).__name__ for b in blocks] == [
        "第一项", "Table", "第五项", "Table",
    ]
    second = blocks[3]
    assert second.caption == "第五项"
    assert second.columns == ["信息内容", "处理决定数量"]  # the merged value cell is one column again
    assert second.rows == (("行政许可", "9487"),)


def test_grid_blocks_word_page_table_with_its_caption_and_unit_rows_inside():
    """A Word table laid out as a page: "附表1" and the caption in merged cells that leave the last columns empty,
    the unit in a row of its own over the value columns, values merged over two grid columns."""
    from qa.reading.cleaning import table_lines

    grid = [
        ["附表1", "附表1", "", "", "", ""],
        ["2025年全市一般公共预算收入完成情况表"] * 5 + [""],
        ["", "", "", "单位:万元", "单位:万元", ""],
        ["预算科目", "预算科目", "预算数", "预算数", "完成数", ""],
        ["契税", "契税", "71184", "71184", "61327", ""],
        ["环境保护税", "环境保护税", "5466", "5466", "9197", "注1"],
    ]
    # "附表1" begins an appendix (a line of its own); the caption names the table
    appendix, table = grid_blocks(grid, before=[])
    assert appendix == "附表1"
    assert table.caption == "2025年全市一般公共预算收入完成情况表" and table.unit == "万元"
    assert table_lines(table)[1] == "契税：预算数 71184；完成数 61327"


def test_grid_blocks_appendix_tables_sharing_one_word_grid():
    """Word appendix tables laid one under another in one grid: "附表2" below 附表1's values begins the next
    table, and its caption spans all but the grid's last columns (gridAfter), so each table keeps its own header."""
    grid = [
        ["附表1", "附表1", "", "", "", ""],
        ["2025年全市一般公共预算收入完成情况表"] * 6,
        ["预算科目", "预算科目", "预算数", "完成数", "完成数", ""],
        ["契税", "契税", "71184", "61327", "61327", ""],
        ["附表2", "附表2", "", "", "", ""],
        ["2025年全市一般公共预算支出完成情况表"] * 5 + [""],
        ["预算科目", "调整预算数", "调整预算数", "完成数", "", ""],
        ["教育", "911452", "911452", "873209", "", ""],
        ["国家电影事业发展专项资金安排的支出", "", "", "", "", ""],  # a label over empty values is a row
    ]
    first, second = (b for b in grid_blocks(grid, before=[]) if not isinstance(b, str))
    assert first.caption == "2025年全市一般公共预算收入完成情况表"
    assert second.caption == "2025年全市一般公共预算支出完成情况表"
    assert second.columns[:3] == ["预算科目", "调整预算数", "完成数"]
    assert second.rows[0][:3] == ("教育", "911452", "873209")
    assert second.rows[1][0] == "国家电影事业发展专项资金安排的支出"


def test_header_row_count_reads_a_merged_label_once():
    """"本年收入合计" merged over five grid columns beside four values is a row of values, not a header row: the
    header is the unit row and the row of labels above it, and the unit row states the table's unit."""
    grid = [[""] * 7 + ["单位:万元"] * 2,
            ["预算科目"] * 5 + ["预算数", "完成数", "占预算(%)", "比上年增长(%)"],
            ["本年收入合计"] * 5 + ["1448485", "1448177", "100", "3"],
            ["一、税收收入"] * 5 + ["927210", "848910", "91.6", "0.5"]]
    table = make_table(grid, before=["2025年全市一般公共预算收入完成情况表"], merged=False)
    assert table.unit == "万元" and table.columns[5:] == ["预算数", "完成数", "占预算(%)", "比上年增长(%)"]
    assert table.rows[0][5:] == ("1448485", "1448177", "100", "3")


def test_rows_under_a_numbered_group_row_name_their_group():
    """"一、提前下达数" heads the places under it until "二、预算数"; numbered and total rows stand alone."""
    from qa.reading.cleaning import table_lines

    grid = [["州（市）", "合计", "转移支付"], ["一、提前下达数", "477,636", "460,717"], ["香格里拉市", "161,324", "153,075"],
            ["德钦县", "128,390", "126,137"], ["二、预算数", "1,200,596", "1,183,677"], ["其中：上年结转", "5", "4"]]
    lines = table_lines(make_table(grid, before=["1-7 2026年迪庆州分地区税收返还和转移支付预算表"]))
    assert lines[2:5] == ["一、提前下达数 香格里拉市：合计 161,324；转移支付 153,075",
                          "一、提前下达数 德钦县：合计 128,390；转移支付 126,137",
                          "二、预算数：合计 1,200,596；转移支付 1,183,677"]
    assert lines[5].startswith("其中：上年结转：")


def test_unit_column_and_row_unit():
    grid = [["产品名称", "计量单位", "产量"], ["原煤", "万吨", "12"], ["发电量", "亿千瓦时", "3.4"]]
    table = make_table(grid, before=["主要工业产品产量"])
    assert table.row_header_columns == 2 and table.unit_column == 1
    assert table.row_label(1) == "发电量" and table.row_unit(1) == "亿千瓦时"
    budget = make_table([["预算单位", "科目", "金额"], ["教育局", "教育", "5"]], before=["单位：万元"])
    assert budget.unit_column is None and budget.row_unit(0) == "万元"  # an organisation, not a unit


def test_numbering_column_is_part_of_the_row_name():
    grid = [["序号", "项目", "金额"], ["1", "教育", "5"], ["2", "卫生", "7"], ["3", "交通", "2"]]
    table = make_table(grid, before=[])
    assert table.row_header_columns == 2 and table.row_label(1) == "2 卫生"
    values = make_table([["指标", "数值"], ["1", "5"], ["3", "7"]], before=[])
    assert values.row_header_columns == 0  # numbers, not a numbering


def test_side_by_side_table_is_read_as_stacked_rows():
    """A bulletin's table laid out twice side by side: each body row holds two records, read one per row."""
    from qa.reading.cleaning import table_lines

    grid = [
        ["行业", "比上年增长（%）", "行业", "比上年增长(%)"],
        ["总计", "9.9", "教育", "33.4"],
        ["采矿业", "83.7", "卫生和社会工作", "47.9"],
        ["交通运输、仓储和邮政业", "130.3", "", ""],  # the right half of the last row is empty
    ]
    for blocks in (grid_blocks(grid, before=["分行业固定资产投资增速"]),
                   split_pipe_tables(["分行业固定资产投资增速"] + ["|" + "|".join(row) + "|" for row in grid])):
        (table,) = tables(blocks)
        assert table.caption == "分行业固定资产投资增速"
        assert table.columns == ["行业", "比上年增长（%）"]
        assert [table.row_label(i) for i in range(len(table.rows))] == [
            "总计", "采矿业", "交通运输、仓储和邮政业", "教育", "卫生和社会工作"]
        assert table_lines(table)[-1] == "卫生和社会工作：比上年增长（%） 47.9"


def test_similar_or_repeated_labels_are_not_side_by_side_groups():
    years = make_table([["项目", "2024年", "2025年"], ["收入", "5", "6"], ["支出", "4", "7"]], before=[])
    assert years.width == 3 and len(years.rows) == 2
    # The same labels under different group labels are columns of one record: 2025's beside 2024's.
    grid = [["2024年", "2024年", "2025年", "2025年"], ["地区", "人口", "地区", "人口"],
            ["城区", "12", "城区", "13"], ["郊区", "5", "郊区", "6"]]
    assert make_table(grid, before=[]).columns == ["2024年 地区", "2024年 人口", "2025年 地区", "2025年 人口"]
    # A repeated pair over values only: no column names the records, the header was taken from the wrong row.
    values = make_table([["金额", "增长", "金额", "增长"], ["5", "1.2", "6", "2.3"], ["4", "0.5", "7", "1.1"]],
                        before=[], merged=False)
    assert values.width == 4 and len(values.rows) == 2


def test_tab_rows_header_cell_broken_before_its_unit():
    """A side-by-side header typed with tabs, "比上年增长" broken before its "（%）" twice (a web page's paragraphs)."""
    from qa.reading.tables import mark_cell_breaks, tab_rows

    lines = ["表5 分行业投资增长速度", "行业\t比上年增长", "（%）\t行业\t比上年增长", "（%）",
             "总计\t25.3\t房地产业\t-10.9", "采矿业\t20.4\t教育\t-23.2"]
    (table,) = tables(split_pipe_tables(tab_rows([unspace(mark_cell_breaks(line)) for line in lines])))
    assert table.header == (("行业", "比上年增长（%）"),)
    assert table.rows == (("总计", "25.3"), ("采矿业", "20.4"), ("房地产业", "-10.9"), ("教育", "-23.2"))


def test_continue_tables_across_page_numbers():
    header = [["项目", "数量"]]
    first = make_table(header + [["甲", "1"]], before=["表1 情况", "单位：件"])
    repeated = make_table(header + [["乙", "2"]], before=["正文页眉"])
    headless = make_table([["丙", "3"], ["丁", "4"]], before=[])
    blocks = continue_tables([first, "- 2 -", repeated, "", headless, "新的一段。", headless])
    assert [b.caption for b in tables(blocks)] == ["表1 情况", "表1 情况", "表1 情况", ""]
    assert blocks[4].columns == ["项目", "数量"] and blocks[4].unit == "件"
    assert tables(blocks)[-1].header == ()  # a paragraph between: not the same table


def test_clean_cell_joins_lines_and_drops_spaces_next_to_chinese():
    assert clean_cell("三\n、\n本\n年") == "三、本年"
    assert clean_cell("只计这一情 形，不\n计其他情形） ") == "只计这一情形，不计其他情形）"
    assert clean_cell("增长 9.3 ％") == "增长9.3％"
    assert clean_cell("Total  GDP\n2024") == "Total GDP 2024"
    assert clean_cell(None) == ""


# ---------------------------------------------------------------- .docx


@pytest.fixture
def merged_docx(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("一、收支情况")
    document.add_paragraph("单位：万元")
    table = document.add_table(rows=5, cols=4)
    texts = [
        ["项目", "2024年", "", ""],
        ["", "收入", "支出", "结余"],
        ["一般预算", "100", "80", "20"],
        ["", "50", "40", "10"],
        ["基金预算", "7", "6", "1"],
    ]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 3))  # gridSpan over three columns
    table.cell(0, 0).merge(table.cell(1, 0))  # vMerge: the header cell spans two rows
    table.cell(2, 0).merge(table.cell(3, 0))  # vMerge in the body: a row header over two rows
    document.add_paragraph("二、下一步工作。")
    plain = document.add_table(rows=2, cols=2)  # right after a paragraph: no caption
    for r, row in enumerate([["指标", "数值"], ["人数", "3"]]):
        for c, text in enumerate(row):
            plain.cell(r, c).text = text
    layout = document.add_table(rows=2, cols=1)  # a one-column layout table holds prose
    layout.cell(0, 0).text = "附：说明文字。"
    layout.cell(1, 0).text = "第二段说明。"
    path = tmp_path / "merged.docx"
    document.save(path)
    return path


def test_read_docx_keeps_body_order_and_expands_merged_cells(merged_docx):
    blocks = read_docx(merged_docx)
    kinds = [b if isinstance(b, str) else "TABLE" for b in blocks]
    assert kinds == ["一、收支情况", "单位：万元", "TABLE", "二、下一步工作。", "TABLE", "附：说明文字。", "第二段说明。"]
    assert (blocks[4].caption, blocks[4].unit, blocks[4].rows) == ("", "", (("人数", "3"),))
    table = blocks[2]
    assert table.caption == "一、收支情况" and table.unit == "万元"
    assert table.header == (("项目", "2024年", "2024年", "2024年"), ("项目", "收入", "支出", "结余"))
    assert table.columns == ["项目", "2024年 收入", "2024年 支出", "2024年 结余"]
    assert table.rows == (
        ("一般预算", "100", "80", "20"),
        ("一般预算", "50", "40", "10"),  # the vertically merged row header fills both rows
        ("基金预算", "7", "6", "1"),
    )
    assert not any("，" in b for b in blocks if isinstance(b, str))  # no comma-joined rows


# ---------------------------------------------------------------- PDF


def _pdf_canvas(path: Path):
    """An A4 reportlab canvas writing Chinese in a CID font (no font file needed); the test skips without reportlab."""
    pytest.importorskip("reportlab", reason="pip install -e '.[test]' (reportlab draws the test PDF)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas as pdfcanvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    canvas = pdfcanvas.Canvas(str(path), pagesize=(595, 842))
    canvas.setFont("STSong-Light", 10)
    return canvas


def _draw_table(canvas, x: float, top: float, widths: list[float], height: float, cells: list[tuple]) -> None:
    """Ruled cells on a reportlab canvas; each cell is (row, column, rowspan, colspan, text). `top` counts from
    the top of the page, like pdfplumber."""
    page_height = canvas._pagesize[1]
    edges = [x]
    for w in widths:
        edges.append(edges[-1] + w)
    for row, column, rowspan, colspan, text in cells:
        x0, x1 = edges[column], edges[column + colspan]
        y1 = page_height - (top + row * height)
        y0 = y1 - rowspan * height
        canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
        for i, line in enumerate(text.split("\n")):
            canvas.drawString(x0 + 3, y1 - 14 - i * 11, line)


@pytest.fixture
def table_pdf(tmp_path):
    path = tmp_path / "table.pdf"
    canvas = _pdf_canvas(path)

    def line(top: float, text: str, *, white_box: bool = False) -> None:
        if white_box:  # Word-made PDFs put an invisible white rectangle behind each text line
            canvas.setFillColorRGB(1, 1, 1)
            canvas.rect(70, 842 - top - 6, 450, 20, stroke=0, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
        canvas.drawString(72, 842 - top, text)

    line(60, "本年共收到申请 17 件，均已答复。", white_box=True)
    line(80, "三、收到和处理申请情况", white_box=True)
    widths = [60, 100, 60, 60, 60]
    _draw_table(canvas, 72, 100, widths, 22, [
        (0, 0, 2, 2, "说明"),
        (0, 2, 1, 3, "申请人情况"),
        (1, 2, 1, 1, "自然人"), (1, 3, 1, 1, "法人"), (1, 4, 1, 1, "总 计"),
        (2, 0, 1, 2, "一、本年新收申请数量"), (2, 2, 1, 1, "95"), (2, 3, 1, 1, "0"), (2, 4, 1, 1, "95"),
        (3, 0, 3, 1, "三\n、\n办"), (3, 1, 1, 1, "（一）予以公开"),
        (3, 2, 1, 1, "50"), (3, 3, 1, 1, "0"), (3, 4, 1, 1, "50"),
        (4, 1, 2, 1, "（二）无法提供"), (4, 2, 1, 1, "31"), (4, 3, 1, 1, "0"), (4, 4, 1, 1, "31"),
        (5, 2, 1, 1, "2"), (5, 3, 1, 1, "0"), (5, 4, 1, 1, "2"),
    ])
    line(800, "- 1 -")
    canvas.showPage()
    canvas.setFont("STSong-Light", 10)
    # The table goes on: the merged row headers of the last rows continue at the top of page 2.
    _draw_table(canvas, 72, 60, widths, 22, [
        (0, 0, 1, 1, ""), (0, 1, 1, 1, ""), (0, 2, 1, 1, "7"), (0, 3, 1, 1, "0"), (0, 4, 1, 1, "7"),
        (1, 0, 1, 2, "四、结转下年度"), (1, 2, 1, 1, "1"), (1, 3, 1, 1, "0"), (1, 4, 1, 1, "1"),
    ])
    line(130, "五、存在的主要问题。")
    canvas.showPage()
    canvas.save()
    return path


def test_read_pdf_tables_at_their_place_with_merged_cells(table_pdf):
    pages = read_pdf(table_pdf)
    assert len(pages) == 2
    first = pages[0]
    kinds = [b if isinstance(b, str) else "TABLE" for b in first]
    # No one-column "table" from the invisible white boxes; the spaces around "17" are gone.
    assert kinds == ["本年共收到申请17件，均已答复。", "三、收到和处理申请情况", "TABLE", "- 1 -"]
    table = first[2]
    assert table.caption == "三、收到和处理申请情况"
    assert table.columns[2:] == ["申请人情况 自然人", "申请人情况 法人", "申请人情况 总计"]
    assert table.row_header_columns == 2
    assert cell(table, "本年新收", "总计") == "95"
    assert table.row_label(1) == "三、办 （一）予以公开"  # the vertical header's characters are one label
    assert cell(table, "无法提供", "自然人") == "31"
    assert table.rows[-1][:2] == ("三、办", "（二）无法提供")  # a row under both merged row headers


def test_read_pdf_table_continued_on_next_page_keeps_its_header(table_pdf):
    second = read_pdf(table_pdf)[1]
    assert isinstance(second[0], Table) and second[1] == "五、存在的主要问题。"
    table = second[0]
    assert table.caption == "三、收到和处理申请情况"
    assert table.columns[2:] == ["申请人情况 自然人", "申请人情况 法人", "申请人情况 总计"]
    # The page break left the merged row headers empty; they take the row headers above the break.
    assert table.rows[0] == ("三、办", "（二）无法提供", "7", "0", "7")
    assert table.row_label(1) == "四、结转下年度"


def test_read_pdf_rules_drawn_as_filled_bars_and_a_caption_on_the_page_before(tmp_path):
    path = tmp_path / "bars.pdf"
    canvas = _pdf_canvas(path)
    canvas.drawString(72, 100, "表2 主要指标（按当年价）")
    canvas.drawString(280, 40, "- 1 -")
    canvas.showPage()
    canvas.setFont("STSong-Light", 10)
    # Rules as thin black filled bars, the way some Word exports draw borders.
    xs, ys = [72, 200, 300], [780, 760, 740]
    for x in xs:
        canvas.rect(x, ys[-1], 0.5, ys[0] - ys[-1], stroke=0, fill=1)
    for y in ys:
        canvas.rect(xs[0], y, xs[-1] - xs[0], 0.5, stroke=0, fill=1)
    for (x, y), text in zip([(75, 766), (203, 766), (75, 746), (203, 746)], ["指标", "数值", "常住人口", "496.97"]):
        canvas.drawString(x, y, text)
    canvas.showPage()
    canvas.save()
    pages = read_pdf(path)
    (table,) = tables(pages[1])
    assert table.caption == "表2主要指标（按当年价）" and table.unit == ""  # a remark, not a unit
    assert table.rows == (("常住人口", "496.97"),)


def test_read_pdf_table_ruled_only_between_its_columns_keeps_its_outer_columns(tmp_path):
    """Rules between the columns only, no border: the row names and the last column stand beside the ruled cells."""
    path = tmp_path / "inner.pdf"
    canvas = _pdf_canvas(path)
    canvas.drawString(72, 800, "表2 主要产品产量")
    xs, ys = [200, 300, 400], [780, 760, 740, 720]
    for x in xs:
        canvas.line(x, ys[-1], x, ys[0])
    for y in ys:
        canvas.line(72, y, 520, y)
    rows = [["产品名称", "单位", "产量", "比上年增长（%）"], ["汽车", "万辆", "148.27", "-2.8"], ["原煤", "万吨", "23.79", "2.3"]]
    for row, y in zip(rows, [766, 746, 726]):
        for x, text in zip([75, 203, 303, 403], row):
            canvas.drawString(x, y, text)
    canvas.drawString(72, 600, "全年规模以上工业增加值比上年增长6.6%。")
    canvas.showPage()
    canvas.save()
    pages = read_pdf(path)
    (table,) = tables(pages[0])
    assert table.header == (("产品名称", "单位", "产量", "比上年增长（%）"),)
    assert table.rows == (("汽车", "万辆", "148.27", "-2.8"), ("原煤", "万吨", "23.79", "2.3"))
    assert "全年规模以上工业增加值比上年增长6.6%。" in pages[0]  # the paragraph below stays a line


# ---------------------------------------------------------------- unruled tables

UNRULED = [
    "2021 年，深圳市户籍人口 630.94 万人，其中男性 311.85 万人，女性 319.09 万人。",
    "表 2 2021 年深圳市分区户籍人口及性别比",
    "户籍人口 男性 女性 户籍人口性别比",
    "地区",
    "（万人） (万人) （万人） （女=100）",
    "福田区 124.88 60.48 64.40 93.91",
    "3-5 岁 40.69 35.00 5.69 —",
    "龙岗区 116.37 57.39 58.98 97.30",
    "2021 年，深圳市户籍迁入人口 38.24 万人，性别比为 82.62。",
]


def test_unruled_table_lines_read_as_a_table_with_header_units_and_rows():
    blocks = unruled_tables(UNRULED)
    assert blocks[:2] == UNRULED[:2] and blocks[-1] == UNRULED[-1]  # the sentences and the caption stay lines
    (table,) = tables(blocks)
    assert table.caption == "表2 2021年深圳市分区户籍人口及性别比"
    # The unit line goes into the cells above it; the single word between header lines names the row labels.
    assert table.columns == ["地区", "户籍人口（万人）", "男性(万人)", "女性（万人）", "户籍人口性别比（女=100）"]
    assert table.rows == (("福田区", "124.88", "60.48", "64.40", "93.91"), ("3-5岁", "40.69", "35.00", "5.69", "—"),
                          ("龙岗区", "116.37", "57.39", "58.98", "97.30"))
    assert table.row_header_columns == 1 and cell(table, "龙岗区", "户籍人口性别比（女=100）") == "97.30"


def test_unruled_table_printed_sideways_is_read_a_row_per_name():
    lines = ["表 1 2021 年深圳市分区常住人口", "福田 罗湖 盐田 南山", "常住人口", "156.23 114.82 21.54 181.41", "（万人）",
             "2021 年，深圳市户籍人口 630.94 万人。"]
    blocks = unruled_tables(lines)
    assert blocks[0] == lines[0] and blocks[-1] == lines[-1]
    (table,) = tables(blocks)
    assert table.caption == "表1 2021年深圳市分区常住人口"
    # Stood upright, a row per name, as the table's other rows would be.
    assert table.columns == ["", "常住人口（万人）"]
    assert table.rows == (("福田", "156.23"), ("罗湖", "114.82"), ("盐田", "21.54"), ("南山", "181.41"))


def test_unruled_table_continues_after_a_page_break_with_or_without_its_header():
    first = unruled_tables(UNRULED[1:8] + ["- 5 -"])
    repeated = unruled_tables(UNRULED[2:5] + ["罗湖区 73.40 35.61 37.79 94.23"], before=first)
    assert tables(repeated)[0].rows == (("罗湖区", "73.40", "35.61", "37.79", "94.23"),)
    assert tables(repeated)[0].header == tables(first)[0].header
    bare = unruled_tables(["盐田区 10.28 5.02 5.26 95.44", "南山区 122.12 62.50 59.62 104.83"], before=first)
    joined = continue_tables([*first, *bare])
    assert joined[-1].caption == "表2 2021年深圳市分区户籍人口及性别比" and len(joined[-1].rows) == 2
    # Rows with no table above them, or under a header over one row only, stay lines.
    assert unruled_tables(["盐田区 10.28 5.02 5.26 95.44", "南山区 122.12 62.50 59.62 104.83"]) == \
        ["盐田区 10.28 5.02 5.26 95.44", "南山区 122.12 62.50 59.62 104.83"]
    assert not tables(unruled_tables(UNRULED[2:6]))


def test_sentences_with_several_numbers_are_no_unruled_table():
    """Words and figures spaced apart as PDFs print them, under a line that could head them: a sentence is no row."""
    lines = [
        "主要指标 数值 增速",
        "2021 年，深圳市常住人口 1761.48 万人，其中男性 969.57 2.1 3.5",
        "全年出生人口 12.36 万人 10.37 0.77",
        "出生率为 10.37‰ 死亡率 0.77 0.5",
        "其中女性 0.42 万人，性别比为 139.08 120.5 5.5",
        "2021 年深圳市规模以上工业企业 R&D 就业人员 35.58 6.69",
        "比上年增长 12 个百分点，共 3 项 4 5",
    ]
    assert unruled_tables(lines) == lines


def test_read_pdf_table_without_rules_and_its_rest_on_the_next_page(tmp_path):
    """A table printed without rules: its cells stand apart on the page, and pdfplumber's lines strategy finds nothing."""
    path = tmp_path / "unruled.pdf"
    canvas = _pdf_canvas(path)

    def row(top: float, cells: list[str]) -> None:
        for x, text in zip([72, 200, 290, 380, 470], cells):
            canvas.drawString(x, 842 - top, text)

    canvas.drawString(72, 842 - 60, "2021 年，深圳市户籍人口 630.94 万人，其中男性 311.85 万人。")
    canvas.drawString(72, 842 - 80, "表 2 2021 年深圳市分区户籍人口及性别比")
    header = [("", "户籍人口", "男性", "女性", "户籍人口性别比"), ("", "（万人）", "（万人）", "（万人）", "（女=100）")]
    for top, cells in zip([100, 115], header):
        row(top, list(cells))
    row(135, ["福田区", "124.88", "60.48", "64.40", "93.91"])
    row(150, ["罗湖区", "73.40", "35.61", "37.79", "94.23"])
    canvas.drawString(280, 40, "- 1 -")
    canvas.showPage()
    canvas.setFont("STSong-Light", 10)
    for top, cells in zip([60, 75], header):  # the header printed again over the last row
        row(top, list(cells))
    row(95, ["龙岗区", "116.37", "57.39", "58.98", "97.30"])
    canvas.drawString(72, 842 - 130, "2021 年，深圳市户籍迁入人口 38.24 万人，性别比为 82.62。")
    canvas.showPage()
    canvas.save()
    first, second = read_pdf(path)
    (table,) = tables(first)
    assert table.caption == "表2 2021年深圳市分区户籍人口及性别比"
    assert table.columns[1:] == ["户籍人口（万人）", "男性（万人）", "女性（万人）", "户籍人口性别比（女=100）"]
    assert table.rows == (("福田区", "124.88", "60.48", "64.40", "93.91"), ("罗湖区", "73.40", "35.61", "37.79", "94.23"))
    assert first[0] == "2021年，深圳市户籍人口630.94万人，其中男性311.85万人。"  # the sentence stays a line
    (rest,) = tables(second)
    assert rest.caption == table.caption and cell(rest, "龙岗区", "户籍人口性别比（女=100）") == "97.30"
    assert second[-1] == "2021年，深圳市户籍迁入人口38.24万人，性别比为82.62。"


def test_tab_separated_lines_are_a_table_and_a_broken_header_cell_joins():
    from qa.reading.tables import mark_cell_breaks, tab_rows

    lines = ["表3 主要产品产量", "产品名称\t单位\t产量\t比上年增长", "（%）", "原 煤\t万吨\t23908.72\t-0.2",
             "多晶硅\t万吨\t16.52\t-21.8", "\t全年粮食产量155.22万吨。"]
    blocks = split_pipe_tables(tab_rows([unspace(mark_cell_breaks(line)) for line in lines]))
    (table,) = tables(blocks)
    assert table.caption == "表3主要产品产量"
    assert table.header == (("产品名称", "单位", "产量", "比上年增长（%）"),)
    assert table.rows == (("原煤", "万吨", "23908.72", "-0.2"), ("多晶硅", "万吨", "16.52", "-21.8"))
    assert blocks[-1] == "全年粮食产量155.22万吨。"  # a tab that indents a line separates no cells


# ---------------------------------------------------------------- HTML

WORD_HTML = """
<html><body>
<p class=MsoNormal><span>主要指标</span></p>
<table class=MsoNormalTable border=1>
 <tr><td rowspan=2><p class=MsoNormal><span lang=EN-US>指标</span><o:p></o:p></p></td>
     <td colspan=2><p class=MsoNormal><span>2015</span><span>年</span></p></td></tr>
 <tr><td><p><span>总量</span></p></td><td><p><span>较上年</span><span>±</span><span>%</span></p></td></tr>
 <tr><td><p class=MsoNormal><span>地区</span>
     <span>生产总值</span></p></td>
     <td><p><span>135</span><span>.2</span></p></td><td><p><span>增长</span><span>9.3</span><span>％</span></p></td></tr>
 <tr><td>&nbsp;</td><td></td><td></td></tr>
 <tr><td><p>财政</p><p>收入</p></td><td>12<b>.5</b></td><td><span>-3.2</span></td></tr>
 <tr><td colspan=3><table><tr><td>内层</td></tr></table></td></tr>
</table>
</body></html>
"""


def test_html_table_grid_expands_spans_and_joins_inline_runs():
    from bs4 import BeautifulSoup

    tag = BeautifulSoup(WORD_HTML, "html.parser").find("table")
    grid = html_table_grid(tag)
    assert grid[:3] == [
        ["指标", "2015年", "2015年"],
        ["指标", "总量", "较上年±%"],
        ["地区生产总值", "135.2", "增长9.3％"],
    ]
    assert grid[4] == ["财政收入", "12.5", "-3.2"]
    assert grid[5] == ["内层", "内层", "内层"]  # a nested table is text of its cell, not rows of this one
    table = make_table(grid[:5], before=["主要指标"])
    assert table.caption == "主要指标"
    assert table.columns == ["指标", "2015年 总量", "2015年 较上年±%"]
    assert table.rows == (("地区生产总值", "135.2", "增长9.3％"), ("财政收入", "12.5", "-3.2"))


# ---------------------------------------------------------------- pipe tables


def test_split_pipe_tables_markdown_and_text_tables():
    lines = [
        "一、总体情况",
        "全年发布信息393件。",
        "## 表二：主动公开情况",
        "| 信息内容 | 本年制发件数 | 现行有效件数 |",
        "|---|:---:|---:|",
        "| 规章 | 0 | 0 |",
        "| 规范性文件 | 13 | 55 |",
        "",
        "单位：亿元",
        "项目 | 2023年 | 2024年",
        "收入 | 5.1 | 6.2",
        "支出 | 4.0 | 4.4",
        "结尾一句话。",
    ]
    blocks = split_pipe_tables(lines)
    assert [b if isinstance(b, str) else "TABLE" for b in blocks] == [
        "一、总体情况", "全年发布信息393件。", "## 表二：主动公开情况", "TABLE", "", "单位：亿元", "TABLE", "结尾一句话。",
    ]
    first, second = blocks[3], blocks[6]
    assert first.caption == "表二：主动公开情况"
    assert first.columns == ["信息内容", "本年制发件数", "现行有效件数"]
    assert first.rows[1] == ("规范性文件", "13", "55")
    assert (second.unit, second.caption) == ("亿元", "")
    assert second.columns == ["项目", "2023年", "2024年"] and cell(second, "支出", "2024年") == "4.4"


def test_split_pipe_tables_joins_a_torn_header_and_lines_up_short_rows():
    lines = [
        "表三：申请情况",
        "| 项目 | 商业企 | 科研机 | 其他 | 总计 |",
        "|  | 业 | 构 |  |  |",
        "|---|---|---|---|---|",
        "| 新收申请数量 | 5 | 2 | 1 | 8 |  |",  # a trailing empty cell the converter added
        "| 3 | 0 | 0 | 3 |",  # its row header went elsewhere: values stay under their columns
    ]
    (table,) = tables(split_pipe_tables(lines))
    assert table.caption == "表三：申请情况"
    assert table.columns == ["项目", "商业企业", "科研机构", "其他", "总计"]
    assert table.rows == (("新收申请数量", "5", "2", "1", "8"), ("", "3", "0", "0", "3"))


def test_split_pipe_tables_fragments_continue_the_table_above():
    lines = [
        "表三：申请情况",
        "| 项目 | 自然人 | 总计 |",
        "|---|---|---|",
        "| 新收申请数量 | 5 | 8 |",
        "（二）部分",  # row headers a conversion tore out between fragments of the same table
        "公开",
        "| 0 | 0 |",
        "|---|---|",
        "| （七）总计 | 33 | 35 |",
        "五、问题和改进。",
        "| 1 | 2 |",
        "| 3 | 4 |",
    ]
    blocks = split_pipe_tables(lines)
    parts = tables(blocks)
    assert len(parts) == 3
    assert parts[1].caption == "表三：申请情况"
    assert parts[1].columns == ["项目", "自然人", "总计"]
    assert cell(parts[1], "（七）总计", "总计") == "35"
    assert parts[2].header == () and parts[2].caption == ""  # a sentence ends the table above
    assert "（二）部分" in blocks and "公开" in blocks  # the torn lines stay as text


def test_split_pipe_tables_single_row_is_text():
    assert split_pipe_tables(["| 仅一行 | 说明 |", "正文"]) == ["仅一行 说明", "正文"]
    assert split_pipe_tables(["甲 | 乙", "正文"]) == ["甲 | 乙", "正文"]  # one "|" alone is prose


def test_split_pipe_tables_two_column_text_table():
    blocks = split_pipe_tables(["地区 | 常住人口", "甲县 | 49.7", "乙县 | 31.2"])
    (table,) = blocks
    assert table.columns == ["地区", "常住人口"] and table.rows[1] == ("乙县", "31.2")


# ---------------------------------------------------------------- real files


def wild(name: str) -> Path:
    if not WILD.is_dir():
        pytest.skip(f"the wild set is missing at {WILD}: set QA_WILD to its folder (../shared/data/wild)")
    return WILD / name


def test_hongze_pdf_tables():
    pages = read_pdf(wild("hongze_2024_xinxi_gongkai_nianbao.pdf"))
    assert len(pages) == 5
    found = [t for page in pages for t in tables(page)]
    # No table from the invisible white boxes around the prose: every table has values.
    assert all(t.rows and t.width >= 2 for t in found)
    assert not any(isinstance(b, Table) for b in pages[0] + pages[4])
    assert "信息公开申请17件，均已在法定期限内予以答复。" in pages[0]
    # Every character on the pages reaches a line or a cell.
    import pdfplumber

    with pdfplumber.open(wild("hongze_2024_xinxi_gongkai_nianbao.pdf")) as pdf:
        printed = Counter(c["text"] for page in pdf.pages for c in page.chars if c["text"].strip())
    read = Counter()
    for block in (b for page in pages for b in page):
        texts = [c for row in block.header + block.rows for c in row] if isinstance(block, Table) else [block]
        read.update(ch for text in texts for ch in text if ch.strip())
    assert not printed - read
    by_row = {t.row_label(i): t for t in found for i in range(len(t.rows))}
    assert cell(by_row["行政许可"], "行政许可", "本年处理决定数量") == "9487"
    assert cell(by_row["行政处罚"], "行政处罚", "本年处理决定数量") == "2776"
    fees = by_row["行政事业性收费"]
    assert cell(fees, "行政事业性收费", "本年收费金额（单位：万元）") == "7545" and fees.unit == "万元"
    assert cell(by_row["行政规范性文件"], "行政规范性文件", "现行有效件数") == "8"

    applications = next(t for t in found if t.caption == "三、收到和处理政府信息公开申请情况")
    assert applications.row_header_columns == 3 and applications.width == 10
    assert applications.columns[3] == "申请人情况 自然人"
    assert applications.columns[9] == "申请人情况 总计"
    assert cell(applications, "本年新收政府信息公开申请数量", "总计") == "95"
    assert cell(applications, "本机关不掌握相关政府信息", "总计") == "31"
    # The vertical header, printed one character a line, reads as one label.
    assert applications.row_label(2) == "三、本年度办理结果 （一）予以公开"

    # The same table goes on over the page: it keeps caption, header and the merged row headers.
    continued = [t for t in found if t.caption == applications.caption and t is not applications]
    assert len(continued) == 1 and continued[0].header == applications.header
    assert cell(continued[0], "（七）总计", "总计") == "95"
    assert continued[0].row_label(0) == "三、本年度办理结果 （四）无法提供 2.没有现成信息需要另行制作"

    review = next(t for t in found if t.caption == "四、政府信息公开行政复议、行政诉讼情况")
    assert len(review.header) == 3 and review.row_header_columns == 0
    assert review.rows == (("1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"),)
    assert review.columns[0] == "行政复议 结果维持" and review.columns[-1] == "行政诉讼 复议后起诉 总计"
    # "行政诉讼" is drawn over only part of "未经复议直接起诉"; the group label still heads it all.
    assert review.columns[5] == "行政诉讼 未经复议直接起诉 结果维持"


def test_shanghai_markdown_tables():
    lines = wild("shanghai_kewei_2024_xinxi_gongkai_nianbao.md").read_text(encoding="utf-8").splitlines()
    blocks = split_pipe_tables(lines)
    found = tables(blocks)
    documents = found[0]
    assert documents.caption == "表二：主动公开政府信息情况"
    assert documents.columns == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert documents.rows[1] == ("规范性文件", "13", "0", "55")
    # Table three is torn into fragments; each keeps the caption of the first, and the total row its values.
    applications = [t for t in found if t.caption == "表三：收到和处理政府信息公开申请情况"]
    assert len(applications) >= 5
    total = next(t for t in applications if any("（七）总计" in t.row_label(i) for i in range(len(t.rows))))
    index = next(i for i in range(len(total.rows)) if total.row_label(i) == "（七）总计")
    assert total.rows[index][total.row_header_columns:] == ("33", "2", "0", "0", "0", "0", "35")
    first = applications[0]
    assert first.rows[0][first.row_header_columns:] == ("32", "2", "0", "0", "0", "0", "34")
    # Nothing but the pipes is lost: every line that is not a table row passes through.
    assert sum(isinstance(b, str) for b in blocks) == sum(not line.lstrip().startswith("|") for line in lines)


def test_wanzai_html_table():
    from bs4 import BeautifulSoup

    html = wild("wanzai_2015_tongji_gongbao.html").read_text(encoding="utf-8", errors="replace")
    tag = next(t for t in BeautifulSoup(html, "html.parser").find_all("table") if len(t.find_all("tr")) > 2)
    grid = html_table_grid(tag)
    table = make_table(grid, before=["主要工业产品产量"])
    assert table.caption == "主要工业产品产量"
    assert table.columns == ["产品名称", "计量单位", "产量", "较上年±%"]
    assert (len(table.rows), table.width, table.unit_column) == (7, 4, 1)
    index = next(i for i in range(len(table.rows)) if table.row_label(i) == "烟花鞭炮")
    assert table.rows[index] == ("烟花鞭炮", "万箱", "1575", "6.42")
    assert table.row_unit(index) == "万箱"


def test_guangdong_docx_reads_paragraphs_in_order():
    import docx

    path = wild("guangdong_2025_zhengfu_gongzuo_baogao.docx")
    blocks = read_docx(path)
    expected = [p.text.strip() for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    assert blocks == expected  # no tables in this report: the body paragraphs, in order
