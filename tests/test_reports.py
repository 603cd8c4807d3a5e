"""Many reports at once: formats, sources, place and year, incremental builds, `qa add`."""

import html
import json
import shutil

import numpy as np
import pytest

import qa
from conftest import DATA, HONGQIAO, build_reports
from qa.retrieval.index import current_generation

LIWAN = DATA / "liwan_2022_excerpt.txt"
CHENGDONG = DATA / "chengdong_xining_2022_excerpt.txt"


def write_docx(text: str, path):
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))


def write_pdf(text: str, path):
    """Print the report to PDF with Debian's Chromium, as a browser user would save it."""
    from playwright.sync_api import sync_playwright

    from test_app import BROWSER_ARGS

    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=BROWSER_ARGS)
        page = browser.new_page()
        page.set_content(f"<html><body style='font-family: WenQuanYi Micro Hei'>{body}</body></html>")
        page.pdf(path=str(path))
        browser.close()


def write_html(text: str, path):
    lines = text.splitlines()
    path.write_text("<html><head><title>网页</title></head><body><div class='nav'>首页 &gt; 政务公开</div>"
                    + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>", encoding="utf-8")


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    """The three captures as users save them: .txt, .docx, .pdf, and the Hongqiao page again as .html."""
    corpus = tmp_path_factory.mktemp("formats")
    shutil.copy(HONGQIAO, corpus)
    write_docx(LIWAN.read_text("utf-8"), corpus / "liwan_2022.docx")
    write_pdf(CHENGDONG.read_text("utf-8"), corpus / "chengdong_2022.pdf")
    write_html(HONGQIAO.read_text("utf-8"), corpus / "hongqiao_copy.html")
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (corpus / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    return corpus


@pytest.fixture(scope="module")
def formats_kb(formats, tmp_path_factory):
    return qa.build(formats, tmp_path_factory.mktemp("formats-index"), progress=False)


def test_every_format_is_read_and_bad_files_are_skipped_by_name(formats_kb, formats, caplog, tmp_path,
                                                                monkeypatch):
    sources = {d.source for d in formats_kb.documents}
    assert {"hongqiao_2022_fazhi_zhengfu_report.txt", "liwan_2022.docx", "chengdong_2022.pdf",
            "hongqiao_copy.html"} <= sources
    assert "broken.docx" not in sources
    pdf = next(d for d in formats_kb.documents if d.source.endswith(".pdf"))
    assert pdf.title == "西宁市城东区人民政府关于2022年法治政府建设情况的报告" and pdf.region == "城东区"
    assert "召开区委全面依法治区委员会研究审议《中共城东区委全面依法治区委员会2022年工作要点》" in pdf.text


def test_doc_without_a_converter_names_the_one_to_install(formats, monkeypatch, caplog):
    import qa.reading.readers
    from qa.reading.corpus import load_corpus

    monkeypatch.setattr(qa.reading.readers.shutil, "which", lambda name: None)
    docs = load_corpus(formats)
    assert "old.doc" not in {d.source for d in docs}
    assert "antiword" in caplog.text and "old.doc" in caplog.text
    assert "broken.docx" in caplog.text


def test_the_same_report_twice_is_collapsed(formats_kb):
    html_copy = next(i for i, d in enumerate(formats_kb.documents) if d.source == "hongqiao_copy.html")
    assert not [p for p in formats_kb.store.passage_list if p.doc == html_copy]


@pytest.mark.parametrize("question, source, evidence", [
    ("行政复议维持多少宗", "hongqiao_2022_fazhi_zhengfu_report.txt", "维持13宗"),
    ("荔湾区常务会议学习了哪些法律法规", "liwan_2022.docx", "《广州市依法行政条例》"),
    ("城东区印发了什么工作要点", "chengdong_2022.pdf", "《城东区2022年法治政府建设工作要点》"),
])
def test_answers_come_with_the_right_source(formats_kb, question, source, evidence):
    answer = formats_kb.ask(question)
    assert answer.source == source and evidence in answer.evidence
    assert answer.hits[0].source == source


TWO_DISTRICTS = {
    "tongzhou_2023.txt": "北京市通州区人民政府2023年法治政府建设情况报告\n一、主要工作\n"
                         "全年行政复议纠错率为12%,办结行政复议案件300件。",
    "hongqiao_2023.txt": "天津市红桥区人民政府2023年法治政府建设情况报告\n一、主要工作\n"
                         "全年行政复议纠错率为8%,办结行政复议案件90件。",
    "tongzhou_2022.txt": "北京市通州区人民政府2022年法治政府建设情况报告\n一、主要工作\n"
                         "全年行政复议纠错率为10%,办结行政复议案件250件。",
}


@pytest.fixture(scope="module")
def districts_kb(tmp_path_factory):
    return build_reports(tmp_path_factory, TWO_DISTRICTS, "districts")


def test_documents_carry_region_and_year(districts_kb):
    assert {(d.source, d.region, d.year) for d in districts_kb.documents} == {
        ("tongzhou_2023.txt", "通州区", "2023"), ("hongqiao_2023.txt", "红桥区", "2023"),
        ("tongzhou_2022.txt", "通州区", "2022")}


@pytest.mark.parametrize("question, figure, source", [
    ("通州区2023年行政复议纠错率是多少", "12%", "tongzhou_2023.txt"),
    ("通州区2022年行政复议纠错率是多少", "10%", "tongzhou_2022.txt"),
    ("红桥区行政复议纠错率是多少", "8%", "hongqiao_2023.txt"),
])
def test_a_question_naming_a_place_and_year_prefers_that_report(districts_kb, question, figure, source):
    answer = districts_kb.ask(question)
    assert (answer.figure, answer.source) == (figure, source)
    hit = answer.hits[0]
    assert hit.source == source and hit.region in question and hit.year == source[-8:-4]


def test_differing_figures_are_shown_report_by_report(districts_kb):
    answer = districts_kb.ask("行政复议纠错率是多少")
    assert answer.figure is None and answer.answered
    assert {(a.figure, a.source) for a in answer.by_document} == {
        ("12%", "tongzhou_2023.txt"), ("8%", "hongqiao_2023.txt"), ("10%", "tongzhou_2022.txt")}
    from qa.app.handlers import reply_text

    assert reply_text(answer).startswith("各报告的数字不同") and reply_text(answer).count("来源：") == 3


def test_search_restricted_to_chosen_documents(districts_kb):
    hits = districts_kb.search("行政复议纠错率", 5, doc=["hongqiao_2023.txt"])
    assert {h.source for h in hits} == {"hongqiao_2023.txt"}


def many_reports(folder, count=8):
    """Reports of several districts made from the Hongqiao sentences with their figures changed."""
    text = HONGQIAO.read_text("utf-8")
    for i in range(count):
        (folder / f"report_{i}.txt").write_text(text.replace("13宗", f"{13 + i}宗").replace("红桥", f"第{i}"),
                                                encoding="utf-8")


def snapshot(index):
    generation = current_generation(index)
    kb = qa.load(index)
    vectors = kb.store.vectors.reconstruct_n(0, kb.store.vectors.ntotal)
    return (generation / "documents.jsonl").read_text("utf-8"), (generation / "passages.jsonl").read_text(
        "utf-8"), vectors, kb.search("行政复议维持多少宗", 5, mode="bm25")


def test_incremental_build_equals_a_full_rebuild(fake_model, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    many_reports(corpus)
    qa.build(corpus, tmp_path / "index", model="hash", progress=False)
    # One changed, one deleted, one added.
    changed = corpus / "report_3.txt"
    changed.write_text(changed.read_text("utf-8").replace("驳回24宗", "驳回29宗"), encoding="utf-8")
    (corpus / "report_5.txt").unlink()
    shutil.copy(LIWAN, corpus)
    qa.build(corpus, tmp_path / "index", model="hash", progress=False)
    manifest = json.loads((current_generation(tmp_path / "index") / "manifest.json").read_text("utf-8"))
    qa.build(corpus, tmp_path / "full", model="hash", progress=False)
    full_manifest = json.loads((current_generation(tmp_path / "full") / "manifest.json").read_text("utf-8"))
    assert 0 < manifest["embedded"] < full_manifest["embedded"] / 4  # only the changed and added text
    incremental, full = snapshot(tmp_path / "index"), snapshot(tmp_path / "full")
    assert incremental[0] == full[0] and incremental[1] == full[1]
    assert np.allclose(incremental[2], full[2], atol=1e-6)
    assert incremental[3] == full[3]
    assert "report_5.txt" not in incremental[0] and "liwan_2022_excerpt.txt" in incremental[0]
    assert "驳回29宗" in incremental[1]


def test_qa_add_copies_and_indexes(fake_model, tmp_path, capsys):
    from qa.cli import main

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copy(HONGQIAO, corpus)
    qa.build(corpus, index, model="hash", progress=False)
    assert main(["add", str(LIWAN), "--corpus", str(corpus), "--index", str(index)]) == 0
    assert "indexed 2 documents" in capsys.readouterr().out
    assert (corpus / LIWAN.name).is_file()
    assert main(["add", str(tmp_path / "missing.txt"), "--corpus", str(corpus), "--index", str(index)]) == 2
    assert "missing.txt is not a file" in capsys.readouterr().err
