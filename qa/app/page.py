"""What the page is made of besides its components: the example questions, styles, the page script and the
options `launch()` takes."""

from __future__ import annotations

from qa.app.reports import MAX_UPLOAD_MB

EXAMPLES = [
    "行政复议维持多少宗",
    "网上办、马上办、一次办的比例分别是多少",
    "法治政府建设存在哪些问题",
    "全区在册公职律师有多少人",
    "谁和区法院成立了行政争议多元解纷中心",
    "How many administrative licensing items are on the 2022 list?",
]
PENDING = '<div class="qa-pending" role="status">正在查找答案…</div>'

CSS = """
.qa-card { font-size: 15px; line-height: 1.6; scroll-margin-top: 16px; }
.qa-label { color: #475569; font-size: 14px; }
.qa-understood { color: #64748b; font-size: 13px; margin-bottom: 2px; }
.qa-calculation { margin: 4px 0; }
.qa-list { margin: 6px 0; padding-left: 1.6em; }
.qa-list li { margin: 2px 0; }
.qa-list a.qa-src { color: inherit; text-decoration: none; border-bottom: 1px dotted #94a3b8; }
.qa-figure { font-size: 30px; font-weight: 700; line-height: 1.2; color: #0f172a; margin: 2px 0 6px; }
.qa-items { font-size: 20px; margin: 2px 0 6px; }
.qa-item { white-space: nowrap; }
.qa-figure-small { font-size: 22px; }
.qa-evidence { margin: 6px 0; padding: 6px 10px; border-left: 3px solid #94a3b8; background: #f8fafc; }
.qa-card mark, .qa-passage mark, .qa-viewer mark { padding: 0 2px; border-radius: 3px; }
mark.qa-fig { background: #fde68a; color: inherit; font-weight: 600; }
mark.qa-kw { background: #dbeafe; color: inherit; }
mark.qa-ev { background: #fde68a; color: inherit; }
.qa-source { font-size: 13px; color: #475569; }
.qa-notice, .qa-none { color: #92400e; }
.qa-plain { display: none; }
.qa-copy { margin-top: 6px; font-size: 13px; padding: 2px 10px; border: 1px solid #cbd5e1; border-radius: 6px;
           background: #fff; cursor: pointer; }
.qa-reports { border-collapse: collapse; margin: 6px 0; font-size: 15px; }
.qa-place { white-space: nowrap; }
.qa-reports td, .qa-reports th { border: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; }
.qa-passage { font-size: 15px; line-height: 1.7; margin-bottom: 10px; }
.qa-passage p { margin: 2px 0; font-size: inherit; }  /* the chat's thought style makes it 12 px */
.qa-where, .qa-table { font-size: 13px; color: #475569; }
.qa-pending { color: #64748b; }
.qa-pending::after { content: " ⏳"; }
#qa-viewer .qa-viewer-body { max-height: 70vh; overflow-y: auto; font-size: 15px; line-height: 1.7;
                             border: 1px solid #e2e8f0; border-radius: 8px; padding: 4px 12px; }
#qa-viewer h4 { font-size: 15px; font-weight: 700; margin: 10px 0 2px; }
#qa-viewer p { margin: 4px 0; }
.qa-viewer-path, .qa-viewer-meta { font-size: 13px; color: #475569; }
#chat { min-height: 120px; }
/* 👍/👎 only under answer cards: not under a pending line, a refusal, a "not found" or the passages. */
#chat .message-row:not(:has(.qa-rateable)) + .message-buttons { display: none !important; }
#qa-delete-confirm { align-items: center; border: 1px solid #fca5a5; border-radius: 8px; padding: 6px 10px; }
@media (max-width: 640px) {
  /* The input stays at hand, pinned at the bottom of the screen however long the conversation. */
  #qa-dock { position: fixed; left: 0; right: 0; bottom: 0; z-index: 50; margin: 0 !important;
             padding: 6px 8px; background: var(--background-fill-primary);
             box-shadow: 0 -2px 8px rgba(15, 23, 42, 0.15); }
  body { padding-bottom: 80px; }
  /* The source viewer is a sheet over the chat, 关闭原文 at its top. */
  #qa-viewer-column { position: fixed !important; left: 0; right: 0; top: 10vh; bottom: 0; z-index: 100;
                      overflow-y: auto; padding: 8px 12px; min-width: 0 !important;
                      background: var(--background-fill-primary); border-radius: 12px 12px 0 0;
                      box-shadow: 0 -4px 18px rgba(15, 23, 42, 0.35); }
  #qa-viewer-close { position: sticky; top: 0; z-index: 1; }
  #qa-viewer .qa-viewer-body { max-height: calc(90vh - 180px); }
  #chat { height: auto !important; max-height: none !important; }
  #chat .bubble-wrap, #chat [role="log"] {
    height: auto !important; max-height: none !important; overflow: visible !important; }
  #chat .message-row.bot-row { max-width: 100% !important; margin: 8px 4px !important; }
  #chat .message-row.user-row { margin: 8px 4px !important; }
  .qa-figure { font-size: 26px; }
  h2 { margin: 0 !important; font-size: 20px !important; }
}
"""

# The page's script: copy buttons, source links opening the viewer, and scrolling after an answer.
JS = """
() => {
  const copy = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    document.execCommand('copy'); area.remove();
  };
  document.addEventListener('click', (event) => {
    const button = event.target.closest('.qa-copy');
    if (button) {
      event.preventDefault(); event.stopPropagation();
      const card = button.closest('.qa-card');
      const plain = card.querySelector('.qa-plain');
      copy(plain ? plain.textContent : card.innerText);
      button.textContent = '已复制';
      setTimeout(() => { button.textContent = '复制'; }, 1500);
      return;
    }
    const link = event.target.closest('a.qa-src');
    if (link) {
      event.preventDefault(); event.stopPropagation();
      const request = document.querySelector('#qa-src-request textarea, #qa-src-request input');
      request.value = decodeURIComponent(link.getAttribute('href').slice('#qa-src='.length));
      request.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.querySelector('#qa-src-open').click(), 50);
    }
  }, true);
  /* Gradio labels each message with its raw content (a card's HTML, a question's Markdown escapes): screen
     readers get the text shown instead. */
  const relabel = () => document.querySelectorAll('#chat [data-testid=user], #chat [data-testid=bot]').forEach((m) => {
    const plain = m.querySelector('.qa-plain');
    const text = plain ? plain.textContent.trim() : m.textContent.replace(/\\s+/g, ' ').trim();
    const label = (m.dataset.testid === 'user' ? '问题：' : '回答：') + text.slice(0, 2000);
    if (m.getAttribute('aria-label') !== label) m.setAttribute('aria-label', label);
  });
  /* The upload box in Chinese (Gradio words it in the browser's language, English on most machines). Svelte
     keeps these text nodes, so only their text is changed. */
  const WORDS = ['把报告文件拖到这里', '或', '点击选择文件'];
  const uploadWords = () => document.querySelectorAll('#qa-upload [data-testid=upload-text]').forEach((w) => {
    const parts = [...w.childNodes].filter((n) => (n.nodeType === 3 && n.nodeValue.trim()) ||
                                                  (n.classList && n.classList.contains('or')));
    parts.forEach((n, i) => { if (n.textContent !== (WORDS[i] || '')) n.textContent = WORDS[i] || ''; });
    const button = w.closest('button');
    if (button && button.getAttribute('aria-label') !== '上传报告文件') button.setAttribute('aria-label', '上传报告文件');
  });
  new MutationObserver(() => { relabel(); uploadWords(); }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-label']});
}
"""
SCROLL_TO_ANSWER = """
() => { setTimeout(() => {
  const cards = document.querySelectorAll('#chat .qa-card, #chat .qa-pending');
  const last = cards[cards.length - 1];
  if (last) last.scrollIntoView({block: 'start'});
}, 80); }
"""
# Marks the page once the kept conversation is restored (or found not to be), so a test can wait on it.
MARK_RESTORED = "() => { document.body.dataset.restored = 'yes'; }"
SCROLL_TO_EVIDENCE = """
() => { setTimeout(() => {
  const mark = document.querySelector('#qa-evidence');
  const viewer = document.querySelector('#qa-viewer');
  if (viewer) viewer.scrollIntoView({block: 'start'});
  if (mark) {
    const body = document.querySelector('#qa-viewer-body');
    body.scrollTop = mark.offsetTop - body.offsetTop - body.clientHeight / 3;
  }
}, 150); }
"""


# Gradio's temporary files (uploads, exported CSVs): every 10 minutes those older than an hour are deleted,
# and all of them when the server stops.
DELETE_CACHE = (600, 3600)
UPLOAD_ROUTE = "/gradio_api/upload"


def launch_options(app=None) -> dict:
    """What `launch()` needs besides host and port: styles, the page script, the upload size limit and, unless
    `app` takes uploads (`build_app(..., uploads=True)`), a guard that refuses Gradio's own upload route."""
    options = {"css": CSS, "js": JS, "max_file_size": f"{MAX_UPLOAD_MB}mb", "share": False}
    if not getattr(app, "takes_uploads", False):
        from starlette.middleware import Middleware

        options["app_kwargs"] = {"middleware": [Middleware(RefuseUploads)]}
    return options


class RefuseUploads:
    """ASGI middleware: `POST /gradio_api/upload` answers 403 with the reason, so that with uploads off no file
    reaches Gradio's temporary folder (the route takes files for any file component, visible or not)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/").endswith(UPLOAD_ROUTE):
            from starlette.responses import PlainTextResponse

            response = PlainTextResponse("uploads are off on this server: start it without --read-only "
                                         "(and with --allow-upload beyond localhost)", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
