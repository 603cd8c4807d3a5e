from conftest import DATA, HONGQIAO
from qa.reading.corpus import read_document
from qa.reading.cleaning import clean
from qa.reading.passages import MAX_CHARS, heading_level, sentences, split


def test_passages_are_sentence_windows_inside_paragraphs():
    doc = read_document(HONGQIAO, HONGQIAO.parent)
    passages = split(doc)
    assert passages
    for p in passages:
        assert doc.text[p.start:p.end] == p.text  # offsets point into the cleaned text
        assert "\n" not in p.text  # never across a paragraph
        assert len(p.text) <= MAX_CHARS
        # A window ends at a sentence end, a paragraph end, or where a long sentence was cut at a comma.
        assert p.text[-1] in "。！？；,，、" or doc.text[p.end:p.end + 1] in ("\n", "")


def test_every_passage_has_its_heading_path():
    passages = split(read_document(HONGQIAO, HONGQIAO.parent))
    problems = [p for p in passages if "一是部分领导干部" in p.text]
    assert [p.section for p in problems] == ["三、存在的问题"]
    upheld = next(p for p in passages if "维持13宗" in p.text)
    assert upheld.section == "一、推进法治政府建设情况"
    # Heading lines are not passages of their own.
    assert not any(p.text in ("三、存在的问题", "一、推进法治政府建设情况") for p in passages)


def test_nested_headings_and_heading_with_body_on_one_line():
    doc = read_document(DATA / "chengdong_xining_2022_excerpt.txt", DATA)
    passages = split(doc)
    first = next(p for p in passages if p.text.startswith("一是坚持把学习宣传"))
    assert first.section == "一、推动法治政府建设的主要举措和成效 / (一)坚持党的领导,抓好法治建设"


def test_windows_never_cross_a_heading():
    doc = clean(["报告", "一、甲", "甲一。甲二。", "二、乙", "乙一。"], source="t.txt")
    passages = split(doc)
    assert [(p.section, p.text) for p in passages] == [("一、甲", "甲一。甲二。"), ("二、乙", "乙一。")]


def test_long_sentences_are_cut_at_commas():
    text = "，".join(["行政复议维持十三宗"] * 40) + "。"
    spans = sentences(text)
    assert len(spans) > 1
    assert all(e - s <= MAX_CHARS for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_heading_levels():
    assert heading_level("一、推进法治政府建设情况") == 1
    assert heading_level("（一）提高政治站位") == 2
    assert heading_level("(二)完善制度建设") == 2
    assert heading_level("1.加强学习") == 3
    assert heading_level("2022年,红桥区坚持") is None
    assert heading_level("12.5万件") is None
