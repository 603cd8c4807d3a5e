"""The web app: a loaded `KnowledgeBase` → a Gradio page (chat with answer cards and a source viewer, the 报告 tab)
and its API endpoints.

`layout` builds the page, `handlers` answers its events, `endpoints` names the API, `render` turns answers and
reports into HTML, `reports` adds and deletes report files, `feedback` keeps the 👍/👎, `page` holds styles
and scripts.
"""
