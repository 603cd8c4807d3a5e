import os

import pytest
from conftest import free_port

from qa.chat import build_app, escape, reply_text

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]


@pytest.fixture(scope="module")
def server(kb):
    app = build_app(kb)
    app.queue(default_concurrency_limit=4)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, share=False, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


def test_named_api_endpoints(client):
    assert {"/chat", "/search", "/ask"} <= set(client.view_api(print_info=False, return_format="dict")
                                               ["named_endpoints"])


def test_ask_endpoint(client):
    answer = client.predict("行政复议维持多少宗", api_name="/ask")
    assert answer["figure"] == "13宗" and "维持13宗" in answer["evidence"]
    assert answer["section"] == "一、推进法治政府建设情况"


def test_search_endpoint(client):
    hits = client.predict("行政复议维持多少宗", 3, api_name="/search")
    assert len(hits) == 3 and "维持13宗" in hits[0]["text"]
    assert hits[0]["source"] == "hongqiao_2022_fazhi_zhengfu_report.txt"


def test_chat_endpoint_replies_with_figure_evidence_and_passages(client):
    history, box = client.predict("行政复议维持多少宗", [], 3, [], api_name="/chat")
    assert box == ""
    user, reply, passages = history
    text = reply["content"][0]["text"]
    assert "答案：**13宗**" in text and "维持**13宗**" in text and "来源：天津市红桥区人民政府" in text
    assert passages["metadata"]["title"] == "参考段落"
    assert passages["content"][0]["text"].count("相关度") == 3


def test_chat_says_plainly_when_the_reports_do_not_answer(client):
    history, _ = client.predict("红桥区2022年地区生产总值是多少", [], 3, [], api_name="/chat")
    assert history[1]["content"][0]["text"].startswith("报告中没有找到这个问题的答案。")
    assert history[2]["metadata"]["title"] == "参考段落"  # still the closest passages


def test_document_filter_in_chat(client, kb):
    liwan = next(d.title for d in kb.documents if d.source.startswith("liwan"))
    history, _ = client.predict("学习了哪些法律法规", [], 3, [liwan], api_name="/chat")
    assert "liwan" in history[2]["content"][0]["text"]
    assert "红桥区" not in history[2]["content"][0]["text"]


def test_user_and_report_text_is_escaped():
    assert "<img" not in escape("<img src=x onerror=alert(1)>")
    assert escape("**粗体**") == "\\*\\*粗体\\*\\*"


def test_reply_text_for_a_list_and_for_no_answer(kb):
    listed = reply_text(kb.ask("网上办、马上办、一次办的比例分别是多少"))
    assert "答案：**95%、98%、96%**" in listed
    assert "比例分别达到**95%98%96%**" in listed  # back-to-back figures: one bold run, not ****
    assert reply_text(kb.ask("区里有多少常住人口")).startswith("报告中没有找到")


def test_bounded_load_every_answer_right(server):
    from benchmarks.load import run_load

    result = run_load(server, clients=6, questions=5)
    assert result.failures == []
    assert len(result.latencies) == 30


@pytest.mark.browser
def test_real_browser_chat(server, tmp_path):
    """Debian's Chromium, driven by Playwright: type, press Enter, see 13宗, open the sources."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    assert os.path.exists(chromium), "install Chromium: apt-get install -y chromium fonts-wqy-microhei"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        alerts = []
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        page.goto(server)
        page.get_by_text("天津市红桥区人民政府2022年法治政府建设情况报告").first.wait_for(timeout=30_000)
        box = page.locator("#question textarea")
        box.fill("<img src=x onerror=alert(1)>")
        box.press("Enter")
        page.get_by_text("<img src=x onerror=alert(1)>").first.wait_for(timeout=30_000)
        box.fill("行政复议维持多少宗")
        box.press("Enter")
        page.get_by_text("13宗", exact=True).first.wait_for(timeout=30_000)
        assert page.get_by_text("13宗", exact=True).first.is_visible()
        sources = page.get_by_text("参考段落", exact=True).last
        sources.click()
        page.get_by_text("相关度 1.000").first.wait_for(timeout=10_000)
        assert page.get_by_text("相关度 1.000").first.is_visible()
        page.wait_for_timeout(700)  # let the panel finish opening before the picture
        page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
        browser.close()
    assert alerts == []  # the question's script never ran
    assert (tmp_path / "chat.png").stat().st_size > 10_000
