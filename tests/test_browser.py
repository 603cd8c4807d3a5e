"""The app in Debian's Chromium (Playwright) at desktop (1366×900) and phone (390×844) sizes.

One app for most tests, over the three district reports plus a short 通州区 report and a 洪泽区 report holding a
行政复议 table, whose figures differ from 红桥区's; uploads are on. A second app, over 红桥区 and 荔湾区 only, for a
conversation (a follow-up, a comparison, a computed rate) the other reports would answer differently. Screenshots
go to each test's tmp folder; with QA_DOCS_SCREENSHOTS=1 the README's pictures are also written to docs/.
"""

import csv
import os
import shutil
import threading

import pytest
from conftest import DATA, HONGQIAO, REPORTS, ROOT, free_port
from test_app import BROWSER_ARGS

pytestmark = pytest.mark.browser

# The longest a step may take before the test fails: a page waits on its state, and on a busy shared machine
# (CI) an answer can take a minute; only a broken step reaches this.
STEP = 180_000  # ms
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TONGZHOU = "北京市通州区人民政府2022年法治政府建设情况报告\n一、主要工作\n全年行政复议维持17宗,驳回20宗。\n"
# A 信息公开年报's review table as the PDFs print it: one row of 15 cells under three header rows.
HONGZE = """<html><head><title>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</title></head><body>
<h1>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>2024年，洪泽区人民政府认真贯彻落实条例。</p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><table>
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td>
<td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>""" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + """</tr>
<tr>""" + "".join(f"<td>{n}</td>" for n in (1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3)) + """</tr></table>
</body></html>"""


def serve(tmp_path_factory, name: str, reports: dict):
    """The app over a corpus of `reports` (file name -> a path to copy or the text), uploads allowed, feedback
    beside the index; a dict of its url, folders, feedback and KnowledgeBase, and `close`."""
    import qa
    from qa.app.feedback import Feedback
    from qa.app.layout import build_app
    from qa.app.page import launch_options
    from qa.app.reports import Library

    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    for file, report in reports.items():
        if isinstance(report, str):
            (corpus / file).write_text(report, encoding="utf-8")
        else:
            shutil.copy(report, corpus / file)
    index = tmp_path_factory.mktemp(f"{name}-index")
    kb = qa.build(corpus, index, progress=False)
    kb.ask("预热")  # as app.py does: the question path's models and tables load before the first page asks
    feedback = Feedback(index / "feedback.sqlite3")
    app = build_app(kb, library=Library(corpus, index=index), uploads=True, feedback=feedback)
    app.queue(default_concurrency_limit=2)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(app))
    return {"url": f"http://127.0.0.1:{port}/", "corpus": corpus, "index": index, "feedback": feedback, "kb": kb,
            "close": app.close}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app over five reports, two of which give 行政复议's 维持 otherwise than 红桥区 (one in a table)."""
    served = serve(tmp_path_factory, "browser", {**{r.name: r for r in {HONGQIAO, *REPORTS}},
                                                 "tongzhou_2022.txt": TONGZHOU, "hongze_2024.html": HONGZE})
    yield served
    served["close"]()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The app over 红桥区's report and 荔湾区's excerpt."""
    served = serve(tmp_path_factory, "pair", {r.name: r for r in (HONGQIAO, DATA / "liwan_2022_excerpt.txt")})
    yield served
    served["close"]()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP)

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    assert os.path.exists(chromium), "install Chromium: apt-get install -y chromium fonts-wqy-microhei"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, site):
    """open_page(viewport) -> a fresh page (own browser storage) on the app, with no dialogs seen."""
    contexts, alerts = [], []

    def opened(viewport=DESKTOP, url=None):
        context = browser.new_context(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
        context.set_default_timeout(STEP)  # clicks and reads wait as long as any step
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        page.goto(url or site["url"])
        page.locator("#question textarea").wait_for(timeout=STEP)
        return page

    yield opened
    for context in contexts:
        context.close()
    assert alerts == []  # no script from a question or a report ever ran


def ask(page, question: str):
    """Type the question, press Enter, wait for its answer card; the card."""
    cards = page.locator("#chat .qa-card")
    before = cards.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat .qa-card').length > {before}", timeout=STEP)
    # The scroll after the answer: its card in view.
    page.wait_for_function("() => { const r = document.querySelectorAll('#chat .qa-card')[%d]"
                           ".getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }" % before,
                           timeout=STEP)
    return cards.nth(before)  # this card, also after later questions


def users(page) -> int:
    return page.locator("#chat .message-row.user-row").count()


DOCS = ("answer-card.png", "source-viewer.png", "conversation.png", "phone.png")


def keep(target, tmp_path, name: str) -> None:
    """Screenshot of a page, an element or a list of elements (one under another) into the test's tmp folder; the
    README's pictures into docs/ too when QA_DOCS_SCREENSHOTS=1."""
    path = tmp_path / name
    if isinstance(target, list):
        import io

        from PIL import Image

        shots = [Image.open(io.BytesIO(element.screenshot())) for element in target]
        canvas = Image.new("RGB", (max(s.width for s in shots), sum(s.height + 12 for s in shots) - 12), "white")
        for i, shot in enumerate(shots):
            canvas.paste(shot, (0, sum(s.height + 12 for s in shots[:i])))
        canvas.save(path)
    else:
        target.screenshot(path=str(path))
    assert path.stat().st_size > 5_000
    if name in DOCS and os.environ.get("QA_DOCS_SCREENSHOTS") == "1":
        from PIL import Image

        # 64 colours are plenty for text on white and keep the committed pictures small.
        Image.open(path).convert("RGB").quantize(colors=64).save(ROOT / "docs" / name, optimize=True)


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_answer_card_names_each_figure(open_page, tmp_path, viewport):
    page = open_page(viewport)
    card = ask(page, "网上办、马上办、一次办的比例分别是多少")
    assert card.locator(".qa-item").all_inner_texts() == ["网上办 95%", "马上办 98%", "一次办 96%"]
    assert card.locator(".qa-evidence mark.qa-fig").all_inner_texts() == ["95%", "98%", "96%"]
    card = ask(page, "全区在册公职律师有多少人")
    figure = card.locator(".qa-figure")
    assert figure.inner_text() == "40人" and card.locator(".qa-label").inner_text() == "全区在册公职律师"
    size = float(figure.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
    assert size >= 24  # large, above body text
    assert card.locator(".qa-evidence mark.qa-fig").inner_text() == "40人"
    source = card.locator(".qa-source").inner_text()
    for part in ("天津市红桥区人民政府2022年法治政府建设情况报告", "一、推进法治政府建设情况", "红桥区", "红桥区司法局",
                 "2023-03-01"):
        assert part in source
    # After asking, the answer's first line is in view and nothing covers it.
    assert in_view(page, card.locator(".qa-label"))
    box = card.locator(".qa-label").bounding_box()
    covered = page.evaluate("([x, y]) => !document.elementFromPoint(x, y).closest('.qa-card')",
                            [box["x"] + 5, box["y"] + box["height"] / 2])
    assert not covered
    keep(page, tmp_path, f"answer-{viewport['width']}.png")
    if viewport is DESKTOP:
        keep(card, tmp_path, "answer-card.png")


def test_passages_at_reading_size_with_highlights(open_page):
    page = open_page()
    ask(page, "全区在册公职律师有多少人")
    page.get_by_text("参考段落", exact=True).last.click()
    passage = page.locator("#chat .qa-passage").first
    passage.wait_for(timeout=STEP)
    assert passage.locator("mark.qa-kw").count() and passage.locator("mark.qa-fig").count()
    # The text itself (the chat's thought style made the paragraph 12 px inside a 15 px passage).
    assert float(passage.locator("p").evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 15
    assert "相关度" not in page.locator("#chat").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_reports_that_differ_get_a_table(open_page, tmp_path, viewport):
    """Per report its place, year, the figure with what it counts (a table cell: row and column, never the row's
    15 cells) and a link to its sentence or row."""
    page = open_page(viewport)
    card = ask(page, "行政复议维持多少宗")
    assert "3 份报告的数字不同" in card.locator(".qa-lead").inner_text()
    rows = {tuple(r.split("\t")) for r in card.locator("table.qa-reports tbody tr").all_inner_texts()}
    assert rows == {("通州区\n2022", "全年行政复议维持 17宗", "原句"), ("红桥区\n2022", "维持 13宗", "原句"),
                    ("洪泽区\n2024", "行政复议 结果维持 1", "原表")}
    assert in_view(page, card.locator(".qa-lead"))
    keep(page, tmp_path, f"reports-{viewport['width']}.png")
    card.locator("a.qa-src", has_text="原表").click()  # the row, in its table
    page.locator("#qa-viewer #qa-evidence", has_text="行政复议 结果维持 1").wait_for(timeout=STEP)
    assert "表：四、政府信息公开行政复议、行政诉讼情况" in page.locator("#qa-viewer").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_source_viewer_opens_the_report_at_the_evidence(open_page, tmp_path, viewport):
    page = open_page(viewport)
    card = ask(page, "全区在册公职律师有多少人")
    card.locator(".qa-source a.qa-src").click()
    mark = page.locator("#qa-viewer #qa-evidence")
    mark.wait_for(timeout=STEP)
    assert "全区在册公职律师40人" in mark.inner_text()
    assert "位置：一、推进法治政府建设情况" in page.locator("#qa-viewer .qa-viewer-path").inner_text()
    assert page.locator("#qa-viewer h4", has_text="三、存在的问题").count() == 1  # the whole report is there
    # Scrolled: the highlight is inside the visible part of the report's scroll area and of the window.
    page.wait_for_function("""() => {
        const m = document.querySelector('#qa-evidence').getBoundingClientRect();
        const b = document.querySelector('#qa-viewer-body').getBoundingClientRect();
        return m.top >= b.top && m.bottom <= b.bottom && m.top >= 0 && m.top < window.innerHeight; }""",
                           timeout=STEP)
    assert page.locator("#qa-viewer-body").evaluate("e => e.scrollTop") > 0
    keep(page, tmp_path, f"source-{viewport['width']}.png")
    if viewport is DESKTOP:
        keep(page.locator("#qa-viewer-column"), tmp_path, "source-viewer.png")
        return
    # On a phone the viewer is a sheet over the chat, the card under it, and one tap closes it.
    sheet = page.locator("#qa-viewer-column").bounding_box()
    assert sheet["width"] == PHONE["width"] and sheet["y"] < PHONE["height"] * 0.2
    assert sheet["y"] + sheet["height"] >= PHONE["height"] - 1
    assert page.evaluate("() => document.querySelector('#qa-viewer-column').contains("
                         "document.elementFromPoint(195, 600))")
    page.locator("#qa-viewer-close").click()
    page.locator("#qa-viewer-column").wait_for(state="hidden", timeout=STEP)
    assert in_view(page, card.locator(".qa-figure"))


def test_a_list_answer_counts_its_items_and_links_each_to_where_it_stands(open_page, tmp_path):
    """Each item a source link to its own span of the report (the viewer these links open is tested above)."""
    page = open_page(DESKTOP)
    card = ask(page, "法治政府建设存在哪些问题")
    assert "报告列出3项" in card.locator(".qa-lead").inner_text()
    items = card.locator(".qa-list li a.qa-src")
    assert [t[:2] for t in items.all_inner_texts()] == ["一是", "二是", "三是"]
    spans = [items.nth(i).get_attribute("href").rsplit(":", 2)[1:] for i in range(3)]
    assert len({start for start, _ in spans}) == 3 and all(int(start) < int(end) for start, end in spans)
    keep(card, tmp_path, "list.png")


def test_empty_and_duplicate_submits_are_ignored_and_the_question_shows_at_once(open_page, site, monkeypatch):
    """Each step waits on what the page shows, never on the clock: answers are held at a gate the test opens."""
    page = open_page()
    box = page.locator("#question textarea")
    emptied = "document.querySelector('#question textarea').value === ''"

    def submit(question: str, *, shown: int) -> None:
        """Type and press Enter; wait until the server has taken it (the box emptied) and `shown` questions show."""
        box.fill(question)
        box.press("Enter")
        page.wait_for_function(emptied, timeout=STEP)
        page.wait_for_function(f"document.querySelectorAll('#chat .message-row.user-row').length == {shown}",
                               timeout=STEP)

    from qa.answers.asking import KnowledgeBase

    gate, answer = threading.Event(), KnowledgeBase.ask
    held = {"全区在册公职律师有多少人", "办理人大代表建议多少件", "政协提案多少件"}

    def gated(self, question, *args, **kwargs):
        # Only this test's questions wait: another page's answer still on its way must not hold the queue.
        assert question not in held or gate.wait(60), "the test never opened the gate"
        return answer(self, question, *args, **kwargs)

    # On the class: an upload or delete in an earlier test gives the app a new KnowledgeBase.
    monkeypatch.setattr(KnowledgeBase, "ask", gated)
    box.press("Enter")  # nothing typed
    submit("   ", shown=0)
    box.fill("全区在册公职律师有多少人")
    box.press("Enter")
    box.press("Enter")  # an input method's second Enter
    page.locator("#chat .qa-pending").wait_for(timeout=STEP)  # shown while the answer is held
    page.wait_for_function(emptied, timeout=STEP)
    assert users(page) == 1 and page.locator("#chat .qa-card").count() == 0
    gate.set()
    page.locator("#chat .qa-card").wait_for(timeout=STEP)
    gate.clear()
    submit("全区在册公职律师有多少人", shown=1)  # the same question again, at once: ignored
    # A question asked while another is pending is answered too, in order.
    submit("办理人大代表建议多少件", shown=2)
    page.locator("#chat .qa-pending").wait_for(timeout=STEP)
    submit("政协提案多少件", shown=3)
    assert page.locator("#chat .qa-card").count() == 1
    gate.set()
    page.wait_for_function("document.querySelectorAll('#chat .qa-card').length == 3 && "
                           "!document.querySelector('#chat .qa-pending')", timeout=STEP)
    assert users(page) == 3
    assert page.locator("#chat .qa-figure").all_inner_texts() == ["40人", "106件", "148件"]


def test_reload_keeps_the_conversation_and_new_chat_clears_it(open_page):
    page = open_page()
    ask(page, "全区在册公职律师有多少人")
    page.reload()
    page.locator("#chat .qa-card .qa-figure").wait_for(timeout=STEP)
    assert page.locator("#chat .qa-figure").inner_text() == "40人" and users(page) == 1
    page.locator("#new-chat").click()
    page.wait_for_function("document.querySelectorAll('#chat .message-row.user-row').length === 0", timeout=STEP)
    page.reload()
    page.wait_for_function("document.body.dataset.restored === 'yes'", timeout=STEP)  # the kept chat is restored
    assert users(page) == 0


def test_copy_gives_clean_text(open_page):
    page = open_page()
    card = ask(page, "行政复议维持多少宗")
    card.locator(".qa-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("各报告的数字不同")
    assert "通州区 2022：全年行政复议维持 17宗" in copied and "红桥区 2022：维持 13宗" in copied
    assert "洪泽区 2024：行政复议 结果维持 1" in copied
    card = ask(page, "全区在册公职律师有多少人")
    card.locator(".qa-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines()[0] == "答案：全区在册公职律师：40人"
    assert "原文：推动4家区属单位新设公职律师,全区在册公职律师40人" in copied
    assert "来源：天津市红桥区人民政府2022年法治政府建设情况报告 · 一、推进法治政府建设情况" in copied
    for markup in ("**", "\\", "<", "&#", "复制"):
        assert markup not in copied
    # Screen readers get the same clean text, not the card's HTML.
    labels = page.locator("#chat [aria-label^='回答：']").evaluate_all("ms => ms.map(m => m.getAttribute('aria-label'))")
    assert "回答：" + copied.strip() in labels
    assert not page.locator("#chat [aria-label*='<div']").count()


def test_long_questions_are_refused_with_the_limit(open_page):
    from qa.app.handlers import MAX_QUESTION

    page = open_page()
    question = "行政复议" * 200
    box = page.locator("#question textarea")
    box.fill(question)
    assert len(box.input_value()) == len(question)  # the box does not cut it silently
    box.press("Enter")
    refused = page.locator("#chat .qa-refused")
    refused.wait_for(timeout=STEP)
    assert f"问题太长（{len(question)}字），请控制在{MAX_QUESTION}字以内" in refused.inner_text()


def test_what_was_typed_shows_as_typed_and_stays_inert(open_page):
    page = open_page()  # the fixture asserts that no dialog ever opened
    for question in ("<img src=x onerror=alert(1)>", "What's the number of public lawyers? <b>x</b>",
                     "**行政复议**维持 # 1. _多少_ 宗 a\\*b $$x$$"):
        ask(page, question)
        text = page.locator("#chat .message-row.user-row").last.inner_text()
        assert text == question
        # Screen readers get it as shown too: Gradio's label held the Markdown escapes ("\*\*行政复议\*\*").
        label = page.locator("#chat .message-row.user-row [aria-label]").last.get_attribute("aria-label")
        assert label == f"问题：{question}"
    assert page.locator("#chat img[src=x], #chat .message-row.user-row b, #chat .katex").count() == 0


def test_feedback_one_pair_per_answer_toggles_and_shows_after_reload(open_page, site):
    """👍/👎 under answer cards only; the same again takes it back, the other switches, one row per answer; a 👎
    may say why; after a reload the card shows its rating. Each step waits for the page to say it was kept."""
    page = open_page()
    told = page.locator("[data-testid=toast-text]")

    def click(label: str, toast: str) -> None:
        before = told.filter(has_text=toast).count()
        page.locator(f'#chat button[aria-label="{label}"]:visible').first.click()
        page.wait_for_function(f"[...document.querySelectorAll('[data-testid=toast-text]')]"
                               f".filter(t => t.innerText.includes({toast!r})).length > {before}", timeout=STEP)

    def rows() -> list[tuple]:
        return [(r["rating"], r["reason"]) for r in site["feedback"].rows() if r["question"] == "全区在册公职律师有多少人"]

    ask(page, "全区在册公职律师有多少人")
    ask(page, "区里有多少常住人口")  # not found: nothing to rate
    # One pair: the answer card's (not the passages', the "not found" card's or the pending line's).
    assert page.locator('#chat button[aria-label="Like"]:visible').count() == 1
    click("Like", "谢谢，反馈已记录")
    assert rows() == [("up", "")]
    click("Liked", "已撤销反馈")  # the same again
    assert rows() == []
    page.locator('#chat button[aria-label="Dislike"]:visible').first.click()
    page.locator("#qa-reason").wait_for(timeout=STEP)
    assert rows() == [("down", "")]
    page.locator("#qa-reason-text textarea, #qa-reason-text input").fill("出处对，但数字是上一年的")
    page.locator("#qa-reason-send").click()
    page.locator("#qa-reason").wait_for(state="hidden", timeout=STEP)
    assert rows() == [("down", "出处对，但数字是上一年的")]
    page.reload()
    page.locator('#chat button[aria-label="Disliked"]').wait_for(timeout=STEP)  # kept, and shown
    click("Like", "谢谢，反馈已记录")  # the other: switched
    assert rows() == [("up", "")]
    row = next(r for r in site["feedback"].rows() if r["question"] == "全区在册公职律师有多少人")
    assert row["answer"].startswith("答案：全区在册公职律师：40人")
    assert row["source"].startswith("hongqiao_2022_fazhi_zhengfu_report.txt:")
    assert site["feedback"].path.parent.joinpath("CURRENT").is_file()  # the index folder, not a generation


def test_figures_table_filters_and_exports_csv(open_page, tmp_path):
    page = open_page()
    page.get_by_role("tab", name="报告").click()
    table = page.locator("#qa-figures-table")
    page.wait_for_function("document.querySelector('#qa-figures-table').innerText.includes('163项')", timeout=STEP)
    page.locator("#qa-figures-words input, #qa-figures-words textarea").fill("维持")
    page.wait_for_function("!document.querySelector('#qa-figures-table').innerText.includes('163项')",
                           timeout=STEP)
    assert "13宗" in table.inner_text() and "维持" in table.inner_text()
    with page.expect_download() as download:
        page.locator("#qa-figures-csv").click()
    path = tmp_path / "figures.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    assert rows and all("维持" in " ".join(r.values()) for r in rows)
    assert any(r["数字"] == "13宗" and r["项目"] == "维持" for r in rows)  # headers as the table's
    keep(page, tmp_path, "figures.png")
    # The section filter: only the figures under 三、存在的问题 (none of them about 维持).
    page.locator("#qa-figures-words input, #qa-figures-words textarea").fill("")
    page.wait_for_function("document.querySelector('#qa-figures-table').innerText.includes('163项')", timeout=STEP)
    page.locator("#qa-figures-section input").click()
    page.get_by_role("option", name="一、推进法治政府建设情况").click()
    # The export holds what the table shows: asked again until the filter has reached it (the table draws only
    # the rows in view, so its page text cannot tell).
    for _ in range(60):
        with page.expect_download() as download:
            page.locator("#qa-figures-csv").click()
        download.value.save_as(tmp_path / "section.csv")
        rows = list(csv.DictReader(open(tmp_path / "section.csv", encoding="utf-8-sig")))
        if {r["章节"] for r in rows} == {"一、推进法治政府建设情况"}:
            break
    assert len(rows) > 10 and {r["章节"] for r in rows} == {"一、推进法治政府建设情况"}


def settled(page):
    """The 报告 tab opened, once the page's own load events have filled it (the figures table last): an upload box
    drawn again by a late update loses a file set on the input it replaces (.ci/run's first runs on a busy machine
    waited 180 s for the name)."""
    page.get_by_role("tab", name="报告").click()
    page.wait_for_function("document.querySelector('#qa-figures-table').innerText.includes('163项')", timeout=STEP)
    return page


def put_file(page, box, path):
    """`path` set on the upload box until the box shows its name. On a busy machine a file set on the input once in
    a few full runs never shows (.ci/run's runs waited 180 s for the name, after the page had settled): set again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(UPLOAD_TRIES):
        box.locator("input[type=file]").set_input_files(str(path))
        try:
            page.get_by_text(path.name).first.wait_for(timeout=STEP / UPLOAD_TRIES)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the upload box never showed {path.name}")


UPLOAD_TRIES = 3


def test_upload_a_docx_ask_it_then_delete_it(open_page, site, tmp_path, monkeypatch):
    import docx

    document = docx.Document()
    for line in ("北京市海淀区人民政府2022年法治政府建设情况报告", "一、主要工作",
                 "全年组织法治讲座36场,覆盖干部2600人次。", "二、存在的问题", "基层法治力量仍然不足。"):
        document.add_paragraph(line)
    upload = tmp_path / "haidian_2022.docx"
    document.save(str(upload))
    sheet = tmp_path / "figures.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not a report")

    page = settled(open_page())
    box = page.locator("#qa-upload")
    box.get_by_text("把报告文件拖到这里").wait_for(timeout=STEP)  # Gradio's own words are English here
    assert "Drop File Here" not in box.inner_text() and "Click to Upload" not in box.inner_text()
    # Another type is refused at once, in Chinese, naming the types the app reads (it was an English toast).
    box.locator("input[type=file]").set_input_files(str(sheet))
    page.locator("#qa-status", has_text="figures.xlsx：不支持这种文件，只能上传 .txt .md .html .htm .docx .pdf").wait_for(
        timeout=STEP)
    assert page.locator("[data-testid=toast-text]").count() == 0
    # The report itself goes up from a page of its own: the refused file's box is emptied and drawn again.
    page = settled(open_page())
    box = page.locator("#qa-upload")
    box.get_by_text("把报告文件拖到这里").wait_for(timeout=STEP)
    put_file(page, box, upload)
    # The progress bar moves in steps: held at the embedding step here, it says so.
    import qa.retrieval.embedding

    gate, embed = threading.Event(), qa.retrieval.embedding.embed_corpus
    monkeypatch.setattr(qa.retrieval.embedding, "embed_corpus",
                        lambda *args, **kwargs: gate.wait(60) and embed(*args, **kwargs))
    page.locator("#qa-upload-go").click()
    page.get_by_text("正在计算向量").first.wait_for(timeout=STEP)
    gate.set()
    page.locator("#qa-status", has_text="已加入").wait_for(timeout=STEP)
    assert "北京市海淀区人民政府2022年法治政府建设情况报告" in page.locator("#qa-reports-table").inner_text()
    assert (site["corpus"] / "haidian_2022.docx").is_file()
    # A page opened after the upload lists it, counts it, names it first thing and can delete it.
    other = open_page()
    heading = other.locator("#qa-heading", has_text=f"{len(site['kb'].documents) + 1} 份报告")
    heading.wait_for(timeout=STEP)
    assert "海淀区 2022" in heading.inner_text()
    other.get_by_role("tab", name="报告").click()
    other.locator("#qa-reports-table", has_text="北京市海淀区人民政府").wait_for(timeout=STEP)
    page.get_by_role("tab", name="问答").click()
    card = ask(page, "法治讲座有多少场")
    assert card.locator(".qa-figure").inner_text() == "36场"
    assert "北京市海淀区人民政府" in card.locator(".qa-source").inner_text()
    keep(page, tmp_path, "uploaded.png")

    # Delete asks first: 取消 leaves the report, 确定删除 removes it.
    page.get_by_role("tab", name="报告").click()
    page.locator("#qa-delete-choice input").click()
    page.get_by_role("option", name="北京市海淀区人民政府2022年法治政府建设情况报告").click()
    page.locator("#qa-delete-go").click()
    confirm = page.locator("#qa-delete-confirm")
    confirm.get_by_text("确定删除《北京市海淀区人民政府2022年法治政府建设情况报告》吗").wait_for(timeout=STEP)
    page.locator("#qa-delete-no").click()
    confirm.wait_for(state="hidden", timeout=STEP)
    assert (site["corpus"] / "haidian_2022.docx").is_file()
    page.locator("#qa-delete-go").click()
    page.locator("#qa-delete-yes").click()
    page.locator("#qa-status", has_text="已删除").wait_for(timeout=STEP)
    assert "海淀区" not in page.locator("#qa-reports-table").inner_text()
    assert not (site["corpus"] / "haidian_2022.docx").exists()
    import qa

    assert "haidian_2022.docx" not in {d.source for d in qa.load(site["index"]).documents}


def test_a_phone_keeps_the_input_at_hand(open_page, tmp_path):
    """On a phone the first screen says which reports are loaded and shows the examples; after four turns the
    input is still on the screen, pinned at its bottom, with nothing scrolled by hand."""
    page = open_page(PHONE)
    heading = page.locator("#qa-heading").inner_text()
    assert "已载入：" in heading and "红桥区 2022" in heading and "荔湾区 2022" in heading
    assert in_view(page, page.get_by_text("全区在册公职律师有多少人", exact=True))  # an example, above the fold
    for question in ("全区在册公职律师有多少人", "办理人大代表建议多少件", "政协提案多少件", "法治政府建设存在哪些问题"):
        ask(page, question)
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * PHONE["height"]  # a long page by now
    box = page.locator("#question textarea")
    assert in_view(page, box) and box.bounding_box()["y"] > PHONE["height"] * 0.8
    covering = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('#question') !== null",
                             [box.bounding_box()["x"] + 20, box.bounding_box()["y"] + 10])
    assert covering  # nothing lies over it
    keep(page, tmp_path, "phone.png")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_follow_up_a_comparison_and_a_computed_value(open_page, pair, tmp_path, viewport):
    """Over 红桥区 and 荔湾区: "那驳回呢" read with the question before; a comparison table, one row per place;
    a rate the report does not state, computed from its part and whole and marked 计算值 with its formula."""
    from playwright.sync_api import expect

    page = open_page(viewport, url=pair["url"])
    assert ask(page, "行政复议维持多少宗").locator(".qa-figure").inner_text() == "13宗"
    follow_up = ask(page, "那驳回呢")
    assert follow_up.locator(".qa-understood").inner_text() == "理解为：行政复议驳回多少宗"
    assert follow_up.locator(".qa-figure").inner_text() == "24宗"
    comparison = ask(page, "红桥区和荔湾区哪个行政复议案件多")
    rows = [tuple(r.split("\t")) for r in comparison.locator("table.qa-reports tbody tr").all_inner_texts()]
    assert rows == [("红桥区", "复议机构接收行政复议案件 38宗", "原句"), ("荔湾区", "报告中没有", "")]
    assert comparison.locator(".qa-notice").inner_text() == "报告中没有找到荔湾区的这个数字。"
    card = ask(page, "行政复议维持率是多少")
    assert card.locator(".qa-label").inner_text() == "计算值"
    assert card.locator(".qa-figure").inner_text() == "≈ 30.2%"
    assert "维持13宗 ÷ 办结43宗" in card.locator(".qa-calculation").inner_text()
    assert card.locator(".qa-evidence mark.qa-fig").all_inner_texts() == ["43宗", "13宗"]  # both operands
    expect(card.locator(".qa-label")).to_be_in_viewport(ratio=1, timeout=STEP)  # scrolled to
    keep(page, tmp_path, f"conversation-{viewport['width']}.png")
    if viewport is DESKTOP:
        keep([follow_up, comparison, card], tmp_path, "conversation.png")


def test_upload_and_delete_endpoints_when_allowed(site, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(site["url"], verbose=False)
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/chat", "/search", "/ask", "/figures", "/upload", "/delete"} <= set(named)
    report = tmp_path / "shunyi_2022.txt"
    report.write_text("北京市顺义区人民政府2022年法治政府建设情况报告\n一、主要工作\n全年新增公共法律服务站点52个。\n",
                      encoding="utf-8")
    status = client.predict([handle_file(str(report))], api_name="/upload")[0]
    assert status.startswith("已加入：shunyi_2022.txt")
    assert client.predict("公共法律服务站点新增多少个", api_name="/ask")["figure"] == "52个"
    refused = client.predict([handle_file(str(report))], api_name="/upload")[0]
    assert refused.startswith("未上传：shunyi_2022.txt：已有同名报告")
    assert client.predict("shunyi_2022.txt", api_name="/delete")[0].startswith("已删除")
    assert not (site["corpus"] / "shunyi_2022.txt").exists()
