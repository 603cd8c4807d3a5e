
import pytest

from conftest import DATA, HONGQIAO
from qa.reading.corpus import load_corpus, read_document
from qa.reading.document import UnreadableError
from qa.reading.cleaning import clean
from qa.reading.readers import decode

BOILERPLATE = ["IE版本过低", "关爱版", "当前位置", "关于我们", "使用帮助", "主办:", "网站标识码", "ICP备案",
               "公网安备", "附件:", "来源:", "发布时间"]


def test_web_capture_loses_boilerplate_and_keeps_metadata():
    doc = read_document(HONGQIAO, HONGQIAO.parent)
    for line in BOILERPLATE:
        assert line not in doc.text
    assert doc.title == "天津市红桥区人民政府2022年法治政府建设情况报告"
    assert doc.publisher == "红桥区司法局"
    assert doc.published == "2023-03-01 15:07"
    assert doc.region == "红桥区"
    assert doc.source == HONGQIAO.name
    # The report itself is all there, first paragraph to last.
    assert doc.text.startswith("天津市红桥区人民政府2022年法治政府建设\n工作情况报告\n2022年,红桥区坚持")
    assert doc.text.endswith("提供坚实的法治保障。")
    assert "维持13宗,驳回24宗" in doc.text


def test_report_text_is_kept_as_written():
    # Normalisation is for matching only: the mixed , and ， stay as the page had them.
    doc = clean(["工作报告", "一、情况", "办结43宗（含上年度结转6宗），维持13宗,驳回24宗。"], source="a.txt")
    assert "办结43宗（含上年度结转6宗），维持13宗,驳回24宗。" in doc.text


def test_title_from_short_lines_on_top_and_region_from_text():
    doc = read_document(DATA / "chengdong_xining_2022_excerpt.txt", DATA)
    assert doc.title == "西宁市城东区人民政府关于2022年法治政府建设情况的报告"
    assert doc.region == "城东区"
    liwan = read_document(DATA / "liwan_2022_excerpt.txt", DATA)
    assert liwan.title == "liwan_2022_excerpt"  # no title line in the capture: the file name stands in
    assert liwan.region == "荔湾区"


def test_html_page_through_beautifulsoup(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        "<html><head><title>站点</title><script>var x='维持99宗';</script></head><body>"
        "<nav>首页 &gt; 政务公开</nav><h1>某区2022年法治政府建设情况报告</h1>"
        "<p>来源:某区司法局 发布时间:2023-02-01</p><p>一、主要工作</p>"
        "<p>行政复议维持<b>13宗</b>,驳回24宗。</p><footer>网站标识码:123</footer></body></html>",
        encoding="utf-8",
    )
    doc = read_document(page, tmp_path)
    assert doc.title == "某区2022年法治政府建设情况报告"
    assert doc.publisher == "某区司法局" and doc.published == "2023-02-01"
    assert "维持99宗" not in doc.text and "网站标识码" not in doc.text
    assert "13宗" in doc.text


def test_gbk_page_is_decoded(tmp_path):
    report = tmp_path / "gbk.txt"
    report.write_bytes("一、工作情况\n行政复议维持13宗,驳回24宗。".encode("gbk"))
    assert "维持13宗" in read_document(report, tmp_path).text


def test_binary_and_empty_files_are_skipped_by_name(tmp_path, caplog):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "good.txt").write_text("一、情况\n维持13宗。", encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert [d.source for d in docs] == ["good.txt"]
    assert "binary.txt" in caplog.text and "empty.txt" in caplog.text


def test_decode_rejects_binary():
    with pytest.raises(UnreadableError):
        decode(b"\x00" * 10, "x.bin")
