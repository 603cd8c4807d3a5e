"""The app's API through gradio_client, its rendering functions, uploads' limits and the figures/feedback CLI."""

import csv
import io

import pytest
from conftest import HONGQIAO, free_port

from qa.app.handlers import MAX_QUESTION, escape, reply_text
from qa.app.layout import build_app
from qa.app.page import launch_options
from qa.app.render import card_html, passages_html, source_html
from qa.results import Answer

# Debian's Chromium in a container; tests/test_browser.py and test_reports.py's PDF printing use these.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]


@pytest.fixture(scope="module")
def server(kb):
    app = build_app(kb)
    app.queue(default_concurrency_limit=4)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(app))
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


def test_named_api_endpoints(client):
    named = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/chat", "/search", "/ask", "/figures", "/source"} <= named
    assert "/upload" not in named and "/delete" not in named  # no library given: uploads are off


def test_ask_endpoint(client):
    answer = client.predict("行政复议维持多少宗", api_name="/ask")
    assert answer["figure"] == "13宗" and "维持13宗" in answer["evidence"]
    assert answer["section"] == "一、推进法治政府建设情况"


def test_search_endpoint(client):
    hits = client.predict("行政复议维持多少宗", 3, api_name="/search")
    assert len(hits) == 3 and "维持13宗" in hits[0]["text"]
    assert hits[0]["source"] == "hongqiao_2022_fazhi_zhengfu_report.txt"


@pytest.mark.parametrize("k", ["abc", 0, -1, 101, 2.5])
def test_search_endpoint_refuses_a_bad_k_with_a_message(client, k):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="k must be a whole number from 1 to 100"):
        client.predict("行政复议维持多少宗", k, api_name="/search")


def test_over_long_questions_are_refused_with_the_limit(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=f"{MAX_QUESTION}字以内"):
        client.predict("维" * 10_000, api_name="/ask")
    history, _ = client.predict("行政复议" * 200, [], 3, [], api_name="/chat")
    assert len(history) == 2 and f"请控制在{MAX_QUESTION}字以内" in history[1]["content"][0]["text"]


def test_chat_endpoint_replies_with_an_answer_card_and_passages(client):
    history, box = client.predict("行政复议维持多少宗", [], 3, [], api_name="/chat")
    assert box == ""
    user, reply, passages = history
    card = reply["content"][0]["text"]
    assert '<div class="qa-figure">13宗</div>' in card and "行政复议 · 维持" in card
    assert '维持<mark class="qa-fig">13宗</mark>' in card and "天津市红桥区人民政府" in card
    assert "红桥区司法局" in card and "2023-03-01" in card  # publisher and date in the source line
    assert "\n\n" not in card  # one HTML block: Markdown never reads the report text
    assert passages["metadata"]["title"] == "参考段落"
    text = passages["content"][0]["text"]
    assert text.count('class="qa-passage"') == 3 and "相关度" not in text and '<mark class="qa-kw">' in text


def test_empty_questions_add_nothing(client):
    history, _ = client.predict("   ", [], 3, [], api_name="/chat")
    assert history == []


def test_a_follow_up_is_answered_from_the_conversation(client):
    """The chat reads "那驳回呢" with the question before and says how it read it; /ask takes the history too."""
    first, _ = client.predict("行政复议维持多少宗", [], 3, [], api_name="/chat")
    history, _ = client.predict("那驳回呢", first, 3, [], api_name="/chat")
    card = history[-2]["content"][0]["text"]
    assert "理解为：行政复议驳回多少宗" in card and '<div class="qa-figure">24宗</div>' in card
    assert "理解为" not in first[1]["content"][0]["text"]  # a question that stands alone is shown as it is
    answer = client.predict("那驳回呢", ["行政复议维持多少宗"], api_name="/ask")
    assert answer["figure"] == "24宗" and answer["understood"] == "行政复议驳回多少宗"
    assert client.predict("行政复议维持多少宗", [], api_name="/ask")["understood"] == "行政复议维持多少宗"


def test_chat_says_plainly_when_the_reports_do_not_answer(client):
    history, _ = client.predict("红桥区2022年地区生产总值是多少", [], 3, [], api_name="/chat")
    assert "报告中没有找到这个问题的答案。" in history[1]["content"][0]["text"]
    assert history[2]["metadata"]["title"] == "参考段落"  # still the closest passages


def test_not_found_names_the_document_filter(client, kb):
    liwan = next(d.title for d in kb.documents if d.source.startswith("liwan"))
    history, _ = client.predict("行政复议维持多少宗", [], 3, [liwan], api_name="/chat")
    assert f"在所选的报告（{liwan}）中没有找到" in history[1]["content"][0]["text"]


def test_document_filter_in_chat(client, kb):
    liwan = next(d.title for d in kb.documents if d.source.startswith("liwan"))
    history, _ = client.predict("学习了哪些法律法规", [], 3, [liwan], api_name="/chat")
    assert "liwan" in history[2]["content"][0]["text"]
    assert "红桥区人民政府" not in history[2]["content"][0]["text"]


def test_figures_and_source_endpoints(client):
    figures = client.predict(HONGQIAO.name, api_name="/figures")
    held = next(f for f in figures if f["figure"] == "13宗")
    assert held["label"] == "维持" and held["section"] == "一、推进法治政府建设情况"
    page = client.predict(f"{HONGQIAO.name}:{held['start']}:{held['end']}", api_name="/source")
    assert '<mark class="qa-ev" id="qa-evidence">13宗</mark>' in page
    assert "位置：一、推进法治政府建设情况" in page


def test_user_and_report_text_is_escaped():
    assert "<img" not in escape("<img src=x onerror=alert(1)>")
    assert escape("**粗体**") == "\\*\\*粗体\\*\\*"
    assert escape("What's this?") == "What's this?"  # not &#x27;, whose # the Markdown escape would break


def test_report_text_in_the_card_is_inert(kb):
    from dataclasses import replace

    answer = kb.ask("行政复议维持多少宗")
    hostile = replace(answer, title="<script>alert(1)</script>", section="**x**")
    card = card_html(hostile)
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "<script>" not in passages_html([replace(answer.hits[0], text="<b onclick=x>")], "问题")
    # A passage that is a table row shows its table's caption.
    assert "表：表1 行政复议案件情况" in passages_html([replace(answer.hits[0], table="表1 行政复议案件情况")], "问题")


def test_reply_text_is_clean_text_for_a_list_and_for_no_answer(kb):
    listed = kb.ask("网上办、马上办、一次办的比例分别是多少")
    text = reply_text(listed)
    assert text.startswith("答案：网上办 95%；马上办 98%；一次办 96%")
    assert "**" not in text and "\\" not in text
    card = card_html(listed)
    assert ">网上办 <b" in card and ">马上办 <b" in card and ">一次办 <b" in card
    assert reply_text(kb.ask("区里有多少常住人口")).startswith("报告中没有找到")


def test_source_viewer_marks_the_span_under_its_heading_path(kb):
    document = next(d for d in kb.documents if d.source == HONGQIAO.name)
    start = document.text.index("维持13宗")
    page = source_html(document, document.text, start, start + len("维持13宗"))
    assert page.count('id="qa-evidence"') == 1 and ">维持13宗</mark>" in page
    assert "位置：一、推进法治政府建设情况" in page and "<h4>一、推进法治政府建设情况</h4>" in page


def test_kb_figures(kb):
    figures = kb.figures(doc=HONGQIAO.name)
    assert ("一、推进法治政府建设情况", "维持", "13宗") in {(f.section, f.label, f.figure) for f in figures}
    document = next(d for d in kb.documents if d.source == HONGQIAO.name)
    assert all(document.text[f.start:f.end] == f.figure for f in figures)
    with pytest.raises(ValueError, match="kb.titles"):
        kb.figures(doc="nothing.txt")


def test_cli_figures_csv(capsys):
    from qa.cli import main

    assert main(["figures", str(HONGQIAO), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"section", "label", "figure", "sentence"} <= set(rows[0])
    assert any(r["figure"] == "13宗" and r["label"] == "维持" for r in rows)


def test_feedback_store_and_cli(tmp_path, monkeypatch, capsys):
    from qa.cli import main
    from qa.app.feedback import Feedback, feedback_path

    assert feedback_path(index=tmp_path / "index") == tmp_path / "index" / "feedback.sqlite3"
    assert feedback_path(store="milvus", uri=str(tmp_path / "r.db")) == tmp_path / "r.feedback.sqlite3"
    store = Feedback(tmp_path / "index" / "feedback.sqlite3")
    store.add(rating="up", question="行政复议维持多少宗", answer="答案：13宗", source="hongqiao.txt:1:2")
    with pytest.raises(ValueError):
        store.add(rating="meh", question="", answer="", source="")
    assert main(["feedback", "--index", str(tmp_path / "index"), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["rating"], r["question"], r["answer"]) for r in rows] == [("up", "行政复议维持多少宗", "答案：13宗")]
    assert rows[0]["time"].startswith("20")


def test_uploads_only_where_allowed():
    from app import uploads_allowed

    assert uploads_allowed("127.0.0.1", read_only=False, allow_upload=False)
    assert not uploads_allowed("127.0.0.1", read_only=True, allow_upload=True)
    assert not uploads_allowed("0.0.0.0", read_only=False, allow_upload=False)
    assert uploads_allowed("0.0.0.0", read_only=False, allow_upload=True)


def test_upload_checks_type_size_and_name(tmp_path):
    from qa.app.reports import MAX_UPLOAD_MB, Library, Refused

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "old.txt").write_text("报告", encoding="utf-8")
    library = Library(corpus)
    cases = {"run.sh": ("echo", "不支持这种文件"), "old.txt": ("报告", "已有同名报告"), "empty.txt": ("", "文件是空的")}
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(Refused, match=message):
            library.check(tmp_path / name)
    big = tmp_path / "big.pdf"
    with open(big, "wb") as out:
        out.truncate(MAX_UPLOAD_MB * 1024 * 1024 + 1)
    with pytest.raises(Refused, match=f"上限是 {MAX_UPLOAD_MB} MB"):
        library.check(big)
    (tmp_path / "new.docx").write_bytes(b"PK")
    assert library.check(tmp_path / "new.docx") == "new.docx"
    with pytest.raises(Refused, match="无法读取：new.docx"):  # read before it may enter the corpus
        library.add([tmp_path / "new.docx"])
    assert sorted(p.name for p in corpus.iterdir()) == ["old.txt"]


def test_the_server_refuses_oversized_uploads(server):
    import httpx

    from qa.app.reports import MAX_UPLOAD_MB

    big = b"0" * (MAX_UPLOAD_MB * 1024 * 1024 + 1024)
    response = httpx.post(f"{server}gradio_api/upload", files={"files": ("big.txt", big)}, timeout=60)
    # Uploads are off in this app, so Gradio's route refuses every file; with them on it answers 413 for this one
    # (test_reliability_app.py::test_gradio_upload_route_refused_with_uploads_off_and_emptied_at_shutdown).
    assert response.status_code == 403


def test_bounded_load_every_answer_right(server):
    from benchmarks.load import run_load

    result = run_load(server, clients=6, questions=5)
    assert result.failures == []
    assert len(result.latencies) == 30


def test_a_store_without_report_text_reads_the_corpus_file(kb, reports_corpus):
    """Milvus keeps no report text: the source viewer and figures table read the report from the corpus."""
    from dataclasses import replace

    from qa.app.reports import document_text, report_rows

    document = next(d for d in kb.documents if d.source == HONGQIAO.name)
    assert document_text(replace(document, text=""), reports_corpus) == document.text
    assert document_text(replace(document, text="", source="../../etc/passwd"), reports_corpus) == ""
    row = next(r for r in report_rows(kb) if r[-1] == HONGQIAO.name)
    assert row[1:4] == ["红桥区", "2022", 25] and row[4].endswith("%")


def test_a_report_titled_only_by_its_file_name_is_named_by_place_and_year():
    from qa.app.render import display_title

    assert display_title("liwan_2022_excerpt", "liwan_2022_excerpt.txt", "荔湾区", "2022") == \
        "荔湾区2022年报告（liwan_2022_excerpt.txt）"
    assert display_title("天津市红桥区人民政府2022年法治政府建设情况报告", "hongqiao.txt", "红桥区", "2022") == \
        "天津市红桥区人民政府2022年法治政府建设情况报告"


def test_figure_labels_name_what_is_counted(kb):
    """Issue 23: the figures table's 项目 was empty or a bare verb ("精简至", "分别比上年增长", "推动")."""
    from qa.reading.passages import Passage
    from qa.reading.report_figures import figures_in

    text = ("行政许可事项由2021年的200项精简至163项。推动4家区属单位新设公职律师,全区在册公职律师40人,同比增长29%。"
            "全区一般公共预算收入13.5亿元和税收收入10.2亿元,分别比上年增长5.1%和6.2%。全年实现地区生产总值（GDP）3473.12亿元。")
    labels = {f.figure: f.label for f in figures_in([Passage(0, text, 0, len(text), "一、主要工作")])}
    assert labels["163项"] == "行政许可事项 精简至" and labels["4家"] == "区属单位"
    assert labels["29%"] == "全区在册公职律师 同比增长" and labels["40人"] == "全区在册公职律师"
    assert labels["5.1%"] == labels["6.2%"] == "税收收入 分别比上年增长"
    assert labels["3473.12亿元"] == "全年实现地区生产总值"  # the bracketed note does not end the clause
    bare = {"", "精简至", "增至", "同比增加", "同比增长", "推动", "完善", "其余增加至", "组织完成全区", "执法单位、共"}
    assert not [f for f in kb.figures(doc=HONGQIAO.name) if f.label in bare]


def test_a_computed_rate_shows_as_computed_with_its_formula(kb):
    card = card_html(kb.ask("行政复议维持率是多少"))
    assert '<div class="qa-label">计算值</div><div class="qa-figure">≈ 30.2%</div>' in card
    assert "维持13宗 ÷ 办结43宗" in card and "qa-items" not in card  # its two operands are no 分别 list


def test_a_comparison_names_each_side_by_its_place(kb):
    answer = kb.ask("红桥区和荔湾区哪个行政复议案件多")
    card = card_html(answer)
    assert '<td class="qa-place">红桥区</td>' in card and '<td class="qa-place">荔湾区</td>' in card
    assert "<b>38宗</b>" in card and "<b>报告中没有</b>" in card and "是多少" not in card
    assert reply_text(answer).splitlines()[1:] == ["红桥区：复议机构接收行政复议案件 38宗", "荔湾区：报告中没有"]


def test_a_follow_up_copies_how_it_was_read(kb):
    text = reply_text(kb.ask("那驳回呢", history=["行政复议维持多少宗"]))
    assert text.splitlines()[:2] == ["理解为：行政复议驳回多少宗", "答案：行政复议 · 驳回：24宗"]


def test_a_table_row_shows_the_cells_holding_its_figure(kb):
    """A row of 15 cells was 20 lines on a phone: the card shows the row's name and the cell, the row a click away."""
    from dataclasses import replace

    from qa.results import Figure

    row = "行政复议：结果维持 1；结果纠正 1；其他结果 0；尚未审结 0；总计 2；行政诉讼 未经复议直接起诉 结果维持 1；行政诉讼 总计 3"
    hit = replace(kb.ask("行政复议维持多少宗").hits[0], text=row, start=100, end=100 + len(row), table="四、行政复议情况")
    at = row.index("1")
    figure = Figure(text="1", value=1.0, unit="", label="行政复议 结果维持", evidence=row, start=100 + at, end=101 + at)
    single = Answer("行政复议结果维持多少", "1", row, figures=[figure], hits=[hit], source=hit.source, answered=True)
    card = card_html(single)
    assert '<div class="qa-table">表：四、行政复议情况</div>' in card
    assert '<blockquote class="qa-evidence">行政复议：结果维持 <mark class="qa-fig">1</mark></blockquote>' in card
    other = replace(single, source="other.txt", hits=[replace(hit, source="other.txt")])
    table = card_html(Answer("行政复议维持多少", None, "", by_document=[single, other], answered=True))
    assert table.count(">原表</a>") == 2 and "结果纠正" not in table.split('class="qa-plain"')[0]


def test_upload_progress_moves_in_steps(fake_model, hongqiao_corpus, tmp_path):
    """Issue 23: the progress bar stood at 10 % until the upload was indexed."""
    import qa
    from qa.app.handlers import Handlers
    from qa.app.reports import Library

    kb = qa.build(hongqiao_corpus, tmp_path / "index", progress=False)
    handlers = Handlers(kb, library=Library(hongqiao_corpus, index=tmp_path / "index"), uploads=True)
    upload = tmp_path / "haidian_2022.txt"
    upload.write_text("北京市海淀区人民政府2022年法治政府建设情况报告\n一、主要工作\n全年组织法治讲座36场。\n", encoding="utf-8")
    seen = []
    status = handlers.upload([str(upload)], progress=lambda done, desc: seen.append((done, desc)))[0]
    assert status.startswith("已加入：haidian_2022.txt")
    assert [desc for _, desc in seen] == ["正在检查文件…", "正在读取报告…", "正在计算向量…", "正在建立索引…", "完成"]
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
