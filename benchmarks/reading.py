"""Reading coverage of the wild files (`python benchmarks/reading.py [-v] [name…]`), measured against an
independent extraction.

Reference: check.py --dump (standard-library tag stripping for HTML, document.xml runs for .docx,
pdfplumber page text for .pdf, files as they are for .txt/.md). Site chrome of saved pages (ICP/公网安备
numbers, 主办/承办/技术支持/版权所有, 返回顶部, 扫一扫, bare dates) is not report body and is left out.
A reference line counts as reached when it (punctuation and spaces aside) stands in the passages, their
sections or the title; a table-like line (two or more numbers) when one passage holds its words and its
numbers in order.
"""
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.reading.corpus import read_document
from qa.reading.passages import split  # noqa: E402

WILD = Path(os.environ.get("QA_WILD", ROOT.parent / "shared" / "data" / "wild"))
DUMP = Path(tempfile.mkdtemp(prefix="wild-text-"))
CHROME = re.compile(r"ICP|公网安备|网站标识码|主办|承办|技术支持|版权所有|返回顶部|关闭本页|扫一扫|^\W*\d{4}-\d{2}-\d{2}\W*$|访问量|索引号|公开方式|公开时限|公开范围|发布机构|发文日期|分类")
NUM = re.compile(r"^-?\d[\d,.]*%?$")

def norm(s):
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"[^\w]+", "", s).replace("_", "")

def units(text):
    for line in text.splitlines():
        if CHROME.search(line) or not line.strip():
            continue
        tokens = [t for t in re.split(r"[\s|｜]+", line) if t]
        numbers = [t for t in tokens if NUM.match(t)]
        if len(numbers) >= 2 or len(tokens) >= 3 and not re.search(r"[。，；]", line):
            words = [norm(t) for t in tokens if not NUM.match(t) and norm(t)]
            yield ("row", (norm(line), words), [n.replace(",", "") for n in numbers], len(norm(line)))
            continue
        for seg in re.split(r"\s*[|｜]\s*|\s{2,}|\t|(?<=[。；！？])", line):
            n = norm(seg)
            if len(n) >= 6 or (re.search(r"\d", n) and re.search(r"[\u4e00-\u9fff]", n) and len(n) >= 3):
                yield ("text", n, [], len(n))

def main(names):
    files = [p for p in sorted(WILD.iterdir()) if (DUMP / (p.stem + ".txt")).exists() and p.suffix != ".txt" or p.suffix == ".txt" and p.stem != "README"]
    files = [p for p in files if (DUMP / (p.stem + ".txt")).exists()]
    total_share = []
    for path in files:
        if names and not any(n in path.name for n in names):
            continue
        doc = read_document(path, WILD)
        ps = split(doc)
        hay = norm("".join(p.text for p in ps)) + "\n" + norm("\n".join(dict.fromkeys(p.section for p in ps))) + norm(doc.title)
        rows = [(norm(p.text), re.findall(r"\d[\d.]*%?", p.text.replace(",", ""))) for p in ps]
        got = all_ = 0
        missing = []
        for kind, words, numbers, weight in units((DUMP / (path.stem + ".txt")).read_text()):
            if kind == "text":
                ok = words in hay
            else:
                whole, words = words
                ok = whole in hay or not numbers and all(w in hay for w in words)
                for text, nums in ([] if ok else rows):
                    if all(w in text for w in words):
                        it = iter(nums)
                        if all(any(n == m for m in it) for n in numbers):
                            ok = True; break
            all_ += weight; got += weight * ok
            if not ok: missing.append((weight, words, numbers))
        share = got / max(1, all_)
        total_share.append(share)
        print(f"{path.name:50s} {share:6.1%}  passages={len(ps)} tables={len(doc.tables)} title={doc.title[:34]!r} region={'/'.join(doc.places)} year={doc.year}")
        if "-v" in sys.argv:
            for w, m, n in sorted(missing, reverse=True)[:12]:
                print("    MISSING", str(m)[:80], n[:10])
    print(f"min {min(total_share):.1%}")

if __name__ == "__main__":
    # check.py (standard library only) writes each document's visible text: the independent extraction.
    subprocess.run([sys.executable, str(WILD / "check.py"), "--dump", str(DUMP)], check=True,
                   stdout=subprocess.DEVNULL)
    main([a for a in sys.argv[1:] if not a.startswith("-")])
