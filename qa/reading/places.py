"""Where and when a report is about: regions from a maintained gazetteer (jionlp's), years as written.

A place is a chain from the region itself up to its province: ("万载县", "宜春市", "江西省").
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Iterable

NATION = "全国"
# A report of the central government names the whole country this way, not by a region.
_NATIONAL = re.compile(r"全国|我国|国务院|党中央|中央政府|中央财政")
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" "9")
_CN_YEAR = re.compile(r"([二][〇○零][〇○零一二三四五六七八九]{2})\s*年")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
# The year before, in words ("上年的财政自给率", "由上年的12.38%升至…"), not a comparison with it (比上年).
LAST_YEAR = re.compile(r"(?<!比)(上年|去年|上一年)(?!末)")
# Republic of China years: 民國114年, 114年度 (years 1-150 of the ROC calendar, 1912-2061).
_ROC_YEAR = re.compile(r"民[國国]\s*(\d{1,3})\s*年|(?<![\d.])(?<!\d,)(1[01]\d)\s*年度")
ROC_OFFSET = 1911
TAIWAN = "台湾省"
_TAIWAN_INSTITUTION = re.compile(r"立法院|行政院|监察院|考试院|司法院")


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, list[tuple[str, ...]]]:
    """Every region's full name and alias -> the chains (region, parent, …, province) it may name.

    Built once from jionlp's offline China location table; county aliases are left out
    ("和平", "城东" are words before they are places), province and city aliases kept ("宜春", "江西").
    Kept in qa's cache folder (`qa.reading.derived`): importing jionlp and reading its table take
    0.5-0.8 s, reading the kept names a few milliseconds.
    """
    import importlib.util
    import json
    from pathlib import Path

    from qa.reading.derived import stored

    spec = importlib.util.find_spec("jionlp")  # found, not imported
    table = Path(spec.submodule_search_locations[0]) / "dictionary" / "china_location.txt"
    return stored("gazetteer", (Path(__file__), table),
                  lambda: json.dumps(_gazetteer(), ensure_ascii=False).encode(),
                  lambda data: {name: [tuple(chain) for chain in chains] for name, chains in json.loads(data).items()})


def _gazetteer() -> dict[str, list[tuple[str, ...]]]:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # jionlp greets on stdout, which would corrupt --json output
        import jionlp

    names: dict[str, list[tuple[str, ...]]] = {}

    def add(name: str, chain: tuple[str, ...]) -> None:
        if len(name) >= 2 and chain not in names.setdefault(name, []):
            names[name].append(chain)

    def walk(node: dict, parents: tuple[str, ...], depth: int) -> None:
        full = node["_full_name"]
        chain = (full,) + parents if full not in parents else parents  # 天津市 is its own city
        add(full, chain)
        aliases = node.get("_alias") or []
        for alias in [aliases] if isinstance(aliases, str) else aliases:
            if depth < 2:
                add(alias, chain)
        for key, child in node.items():
            if not key.startswith("_") and isinstance(child, dict):
                walk(child, chain, depth + 1)

    for province in jionlp.china_location_loader().values():
        walk(province, (), 0)
    return names


@functools.lru_cache(maxsize=1)
def _name_pattern() -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, gazetteer()), key=len, reverse=True)))


def mentions(text: str) -> list[tuple[str, list[tuple[str, ...]]]]:
    """The gazetteer names in `text` (simplified Chinese), in order, with the chains each may name."""
    return [(m.group(), gazetteer()[m.group()]) for m in _name_pattern().finditer(text)]


def _resolve(found: list[tuple[str, list[tuple[str, ...]]]]) -> tuple[str, ...]:
    """The deepest chain the names found agree on: "淮安市洪泽区" is 洪泽区 of 淮安市, not another 洪泽区."""
    named = {name for name, _ in found}
    chains = {chain for _, cs in found for chain in cs}
    return max(chains, key=lambda chain: (sum(place in named or place[:-1] in named for place in chain),
                                          len(chain)), default=())


def region_of(title: str, text: str) -> tuple[str, ...]:
    """The place a report is about, with its parents: named in the title, else what its opening names most.

    `title` and `text` come folded to simplified Chinese. A report naming no region but the
    whole country (全国, 国务院, 中央财政 …) is about 全国.
    """
    in_title = mentions(title)
    if in_title:
        return _resolve(in_title)
    head = text[:3000]
    # Years counted from 民国 and the 立法院 or 行政院 speak of Taiwan: its 全國 is Taiwan's.
    if len(_ROC_YEAR.findall(head)) >= 2 or _TAIWAN_INSTITUTION.search(head):
        return _resolve(mentions(TAIWAN))
    # "荔湾区委、区政府", "洪泽区人民政府": the place whose government speaks is the report's own.
    speaking = [(m.group(1), gazetteer()[m.group(1)])
                for m in re.finditer(f"({_name_pattern().pattern})(?=人民政府|政府|党委|委员会|[区县市省州旗]?委)", head)]
    if speaking:
        return _resolve(speaking)
    found = mentions(head)
    if found:
        counts: Counter[tuple[str, ...]] = Counter()
        for _, chains in found:
            for chain in chains:
                counts.update(chain[i:] for i in range(len(chain)))
        # The deepest place that most of the mentions fall under.
        total = len(found)
        common = [c for c, n in counts.items() if n >= 0.6 * total]
        if common:
            national = len(_NATIONAL.findall(head))
            best = max(common, key=len)
            if national <= counts[best]:
                return best
    if _NATIONAL.search(head):
        return (NATION,)
    return ()


def years(text: str) -> list[int]:
    """Every year written in `text`: 2022年, 二〇二二年, 民國114年 / 114年度 (as 2025), in order."""
    found = []
    for match in re.finditer(f"{_YEAR.pattern}|{_CN_YEAR.pattern}|{_ROC_YEAR.pattern}", text):
        western, chinese, roc, roc_fiscal = match.groups()
        if western:
            found.append(int(western))
        elif chinese:
            found.append(int(chinese.translate(_CN_YEAR_DIGITS)))
        else:
            found.append(int(roc or roc_fiscal) + ROC_OFFSET)
    return found


def year_of(title: str, text: str, published: str, source: str = "") -> str:
    """The year a report is about: named in its title, else its file name, else its opening text
    (the year it names most), else the year before it was published."""
    in_title = years(title)
    if in_title:
        return str(in_title[0])
    named = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", source)
    if named:
        return named.group(1)
    head = Counter(years(text[:3000]))
    if head:
        return str(head.most_common(1)[0][0])
    return str(int(published[:4]) - 1) if re.match(r"(19|20)\d\d", published) else ""


_NATION_ASKED = re.compile(r"全国|我国|全中国|国家层面|国务院|nationwide|national")


@functools.lru_cache(maxsize=8)
def _asked_pattern(extra: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, set(gazetteer()) | set(extra)), key=len, reverse=True)))


# China's 55 minority nationalities, as autonomous places name them: 昌吉回族自治州 is 昌吉, 湘西土家族苗族自治州 湘西.
_NATIONALITIES = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|"
                  "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|"
                  "德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺")
_AUTONOMOUS = re.compile(rf"(?:(?:{_NATIONALITIES})族?)+(?=自治[区州县旗])")


def aliases(chains) -> dict[str, tuple[str, ...]]:
    """Short names of the given places, as people type them: 万载 for 万载县, 洪泽 for 洪泽区."""
    short = {}
    for chain in chains:
        for i, name in enumerate(chain):
            suffix = r"(特别行政区|自治区|自治州|自治县|自治旗|地区|[省市县区旗盟州])$"
            stem = re.sub(suffix, "", _AUTONOMOUS.sub("", name))
            if len(stem) < 2:  # 内蒙古自治区 is 内蒙古
                stem = re.sub(suffix, "", name)
            if len(stem) >= 2 and stem != name:
                short.setdefault(stem, chain[i:])
                # 迪庆州, 长阳县: an autonomous prefecture or county by its short name and its kind
                kind = re.search(r"自治([州县旗])$", name)
                if kind and _AUTONOMOUS.search(name):
                    short.setdefault(stem + kind.group(1), chain[i:])
    return short


def written_names(places: Iterable[str]) -> tuple[str, ...]:
    """Words by which a sentence names these places: full names and short ones ("九江市", "九江"), longest first."""
    places = tuple(places)
    names = set(places) | set(aliases([(n,) for n in places]))
    return tuple(sorted(names, key=len, reverse=True))


def asked_places(text: str, extra: dict[str, tuple[str, ...]]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The places a (folded) question names, each as the chains its name may mean; 全国 when it names
    the whole country and no region."""
    found = []
    for match in _asked_pattern(tuple(sorted(extra))).finditer(text):
        chains = list(gazetteer().get(match.group(), []))
        if match.group() in extra and extra[match.group()] not in chains:
            chains.insert(0, extra[match.group()])
        if chains:
            found.append(tuple(chains))
    if not found and _NATION_ASKED.search(text):
        found.append(((NATION,),))
    return tuple(dict.fromkeys(found))


def place_spans(text: str, extra: dict[str, tuple[str, ...]]) -> list[tuple[int, int]]:
    """Where `text` (folded) names places, gazetteer names and `extra` short names alike."""
    return [m.span() for m in _asked_pattern(tuple(sorted(extra))).finditer(text)]


def relation(asked: tuple[tuple[tuple[str, ...], ...], ...], region: tuple[str, ...]) -> str:
    """How a report about `region` (a chain) stands to the most specific place a question names:
    "same", "parent" (the report is about a region that contains it), or "" (another place)."""
    if not region or not asked:
        return ""
    deepest = max(asked, key=lambda chains: max(map(len, chains)))
    for chain in deepest:
        if chain[0] == region[0] or set(chain) == set(region):
            return "same"
        if region[0] in chain[1:]:
            return "parent"
    return ""
