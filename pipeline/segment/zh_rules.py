"""Rule-based Chinese sentence splitter.

A sentence ends at a run of 。！？ (``？！``, ``！！`` included); closing quotes and brackets that
follow stay with the sentence they close (``……情意。”`` is one sentence end), even across a
stray space (``。 ”``). A sentence that ends inside a quotation is split there, as published
zh-en corpora are: ``情意。专家组……便利。”`` gives two sentences. No cut is made where a comma-like
mark follows (``“好！”，他说``), nor inside book-title marks ``《…》``.

A speech tag after a closing quotation mark may stay in the quotation's sentence, as its English does
(``"...?" Wang asked.``). A tag is a short clause of words alone (no punctuation) that ends in a verb of
saying, right before the sentence's final mark. ``speech_tags`` says which tags stay: ``all`` (the
default) any verb of saying, asking, answering, calling or thinking after any quotation,
``“走吧。”她笑着说。``, and the reporting verbs of news (``“……。”他表示。``, ``……发展。”特多总理罗利说。``);
``asked`` only a verb of asking after a quoted question, ``“……吗？”汪淼问。``; ``split`` none, as published
zh-en corpora mostly do (MAC-Dev: docs/benchmarks.md). Anything else after a quotation starts a
new sentence: an action (``说着出屋而去。``, ``汪淼说着发动了车子。``), a tag that goes on (``他说：“……”``,
``他问，“……”``), a longer clause, a clause that ends in a noun that only looks like such a verb (``知道``,
``小说``, ``昵称``, ``他的回答``, ``这是命令``), and a negated verb, which reports that nothing was said
(``她没有回答。``, ``他什么也没说。``; not ``忍不住问``).

An ellipsis (``……``, ``…``, ``⋯⋯``, ``...``) ends a sentence only when a new one starts right after
it (a character, a digit, an opening quote or bracket); a space after it is a pause inside the
sentence (``不过…… 不过……``), and so is a stammer, the same character on both sides
(``我……我``). A dash ends a sentence in the same way, but only where it cuts off a quotation
(``你为什么——”说到这里``); elsewhere ``——`` never splits. A piece with no word character (a lone
``……``) is never a sentence of its own: it joins the sentence before it.

Half-width ``.``, ``!`` and ``?`` end a sentence only after a Chinese character, so decimals
(``3.5%``), URLs, e-mail addresses and ASCII runs (``Hello. World``) are left alone, and a
half-width period never ends a sentence before a letter or digit or after a list number (``一.``).
Full-width digits keep their ``．``. Line breaks are always boundaries; a paragraph with no final
punctuation (a heading, a dateline) is one sentence. ``；`` ends a sentence only when
``split_at_semicolon`` is set.
"""

from __future__ import annotations

import bisect
import re

from pipeline.config import ChineseRules
from pipeline.segment.base import LINE_BREAKS, Segmenter, Span, trimmed_spans

#: Han characters (CJK unified ideographs, extension A, compatibility, extensions B-G).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
TERMINATORS = "。！？｡"
ELLIPSES = "…⋯"
#: Closing marks that stay with the sentence they close, even after a space.
CLOSERS = "”’」』）》】〕〉］｝〗〙"
#: ASCII marks that close only when they touch the terminator (after a space they open).
ASCII_CLOSERS = "\"')]"
#: After these, the sentence goes on: no cut before them.
CONTINUERS = "，、；：,;:"
#: Closing quotation marks, after which a speech tag may follow (ASCII ones only touching the mark).
QUOTE_CLOSERS = "”’」』\"'"
#: Verbs of asking: a tag ending in one stays after a quoted question (``speech_tags: asked``).
ASKING_VERBS = ("问", "问道")
#: Verbs that end a speech tag (``speech_tags: all``). One character covers its compounds (问 also 追问;
#: 道 also 笑道).
SPEECH_VERBS = (
    "说", "问", "道", "答", "讲", "喊", "叫", "嚷", "吼", "骂", "叹", "想", "呼", "咕", "哝", "低语", "耳语", "自语",
    "吩咐", "嘱咐", "解释", "补充", "插嘴", "回应", "附和", "提醒", "命令", "宣布", "感慨", "抱怨", "重复",
    # news reports a quotation with these (“……。”他表示。); at a sentence's end, right after the quotation,
    # their object can only be the quotation itself
    "表示", "指出", "强调", "透露", "坦言", "直言", "承认", "称",
)  # fmt: skip
#: Words that end in one of those verbs but are not one: a clause ending in them is not a speech tag.
NOT_SPEECH = (
    "知道", "难道", "味道", "街道", "轨道", "频道", "渠道", "通道", "隧道", "管道", "跑道", "赤道", "公道",
    "霸道", "人道", "地道", "王道", "大道", "小道", "一道", "这道", "那道", "小说", "传说", "学说", "听说",
    "据说", "学问", "疑问", "顾问", "访问", "思想", "理想", "梦想", "幻想", "感想", "联想", "构想", "设想",
    "猜想", "空想", "着想", "名叫", "号叫", "称呼", "招呼", "名称", "简称", "全称", "职称", "昵称", "尊称", "统称",
    "俗称", "别称", "爱称", "美称", "总称", "通称", "代称", "对称", "匀称", "相称", "著称",
    # a verb after 的 or the copula 是 is a noun: “……？”这是他的回答。 (That was his answer.)
    *(mark + noun for mark in "的是" for noun in ("回答", "答复", "解释", "命令", "回应", "提醒", "宣布", "抱怨")),
)  # fmt: skip
#: A negation right before the verb (``没有回答``, ``什么也没说``, ``不再问``): no speech is reported, so the clause
#: is a sentence of its own (“……？”他没有回答。 He did not answer.). ``忍不住问`` and ``不停地说`` are not negated.
_NEGATED = re.compile(r"(?:不|没有?|未)(?:再|敢|会|能|肯|曾|想)?(?:回|作)?$")
#: The longest speech tag, in characters: a subject, a few words of manner (``沙瑞山摇摇头说``) and the verb.
MAX_SPEECH_TAG = 12
#: Chinese numerals: ``一.`` at the start of a sentence is a list number, not a sentence.
NUMERALS = set("〇一二三四五六七八九十百千零两壹贰叁肆伍陆柒捌玖拾")

# A run of sentence-final marks. It must start with a full-width terminator, an ellipsis, or a
# half-width mark right after a Han character; ``.`` not before a letter or digit (``中文.com``).
_HALF_WIDTH_START = rf"(?<=[{HAN}{CLOSERS}])(?:[!?]|\.(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ]))"
_RUN = rf"(?:[{TERMINATORS}{ELLIPSES}{{semicolon}}]|{_HALF_WIDTH_START})[{TERMINATORS}{ELLIPSES}{{semicolon}}!?.]*"
_CLOSE = rf"(?:[^\S{LINE_BREAKS}]*[{CLOSERS}]|[{re.escape(ASCII_CLOSERS)}])*"
# A dash ends a sentence only where it cuts off a quotation (``为什么——”``), and only weakly.
_DASH = r"[—―]+(?=[”’」』\"'])"
_PATTERN = rf"(?:(?P<run>{_RUN})|(?P<dash>{_DASH})){_CLOSE}|[{LINE_BREAKS}]"

#: A run that is only an ellipsis is weak: it ends a sentence only when one starts right after.
_STRONG = set(TERMINATORS + "!?；")
_WEAK_NEXT = re.compile(r"[\w“‘「『（《【〔(\[\"']")
_NEXT_VISIBLE = re.compile(r"\s*(\S)")  # the next character that is not white space
_WORD = re.compile(r"\w")
_QUOTE_CLOSER = re.compile(f"[{re.escape(QUOTE_CLOSERS)}]")
#: Marks of a quoted question, after which ``speech_tags: asked`` keeps a verb of asking.
_QUESTION = set("？?")


def _speech_tag(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """A speech tag: words only (letters, digits, the middle dot of foreign names) up to one of ``verbs``,
    then the sentence's final mark or the paragraph's end."""
    return re.compile(
        rf"[^\S{LINE_BREAKS}]*(?P<tag>[\w·•]{{0,{MAX_SPEECH_TAG - 1}}}?(?P<verb>{'|'.join(verbs)}))"
        rf"(?=[{TERMINATORS}{ELLIPSES}!?.]|$)"
    )


_SPEECH_TAGS = {"asked": _speech_tag(ASKING_VERBS), "all": _speech_tag(SPEECH_VERBS)}
_BOOK_TITLE = re.compile(r"《[^《》\n]{0,100}》")


def _compile(split_at_semicolon: bool) -> re.Pattern[str]:
    return re.compile(_PATTERN.replace("{semicolon}", "；" if split_at_semicolon else ""))


_PATTERNS = {flag: _compile(flag) for flag in (False, True)}


def _is_strong(run: str) -> bool:
    """A run with a terminator, or one or two periods, ends a sentence; ``...`` alone is an ellipsis."""
    if any(ch in _STRONG for ch in run):
        return True
    return set(run) == {"."} and len(run) < 3


def _book_titles(text: str) -> list[Span]:
    return [m.span() for m in _BOOK_TITLE.finditer(text)] if "《" in text else []


def _inside(spans: list[Span], position: int) -> bool:
    """Whether ``position`` lies strictly inside one of the ordered, disjoint ``spans``."""
    i = bisect.bisect_left(spans, (position, position)) - 1
    return i >= 0 and spans[i][0] < position < spans[i][1]


class ChineseRuleSegmenter(Segmenter):
    lang = "zh"

    def __init__(self, settings: ChineseRules | None = None) -> None:
        self.settings = settings or ChineseRules()
        self._pattern = _PATTERNS[self.settings.split_at_semicolon]
        self._speech_tag = _SPEECH_TAGS.get(self.settings.speech_tags)

    def _keeps_going(self, text: str, start: int, end: int, run: str) -> bool:
        """Whether the sentence goes on after the run of marks at ``start:end`` (no cut there)."""
        if end >= len(text):
            return True
        closers = start + len(run)
        if closers < end and self._takes_speech_tag(text, run, closers, end):  # “……吗？”汪淼问。
            return True
        if _is_strong(run):
            visible = _NEXT_VISIBLE.match(text, end)
            if visible is not None and visible.group(1) in CONTINUERS:  # “好！”，他说
                return True
            return run == "." and _is_list_number(text, start)
        following = text[end]
        if _WEAK_NEXT.match(following) is None:  # a space or a mark: a pause, not an end
            return True
        return start > 0 and text[start - 1] == following  # 我……我 is a stammer

    def _takes_speech_tag(self, text: str, run: str, closers: int, end: int) -> bool:
        """Whether the quotation closed at ``closers:end`` (after the marks ``run``) is followed by a speech
        tag that ``speech_tags`` keeps in its sentence."""
        if self._speech_tag is None or not _QUOTE_CLOSER.search(text, closers, end):
            return False
        if self.settings.speech_tags == "asked" and not _QUESTION.intersection(run):
            return False
        match = self._speech_tag.match(text, end)
        if match is None or match.group("tag").endswith(NOT_SPEECH):
            return False
        return _NEGATED.search(text, match.start("tag"), match.start("verb")) is None

    def _cuts(self, text: str) -> list[int]:
        titles = _book_titles(text)
        cuts: list[int] = []
        for match in self._pattern.finditer(text):
            run = match.group("run") or match.group("dash")
            if run is None:  # a line break
                cuts.append(match.end())
                continue
            start, end = match.span()
            if titles and _inside(titles, start):
                continue
            if not self._keeps_going(text, start, end, run):
                cuts.append(end)
        return cuts

    def spans(self, text: str) -> list[Span]:
        return _join_wordless(text, trimmed_spans(text, self._cuts(text)))

    def signature(self) -> str:
        semicolon = "yes" if self.settings.split_at_semicolon else "no"
        return f"zh-rules|v4|semicolon:{semicolon}|speech-tags:{self.settings.speech_tags}"


def _is_list_number(text: str, period: int) -> bool:
    """Whether the period at ``period`` follows a Chinese numeral that opens a sentence (``一.概述``)."""
    i = period
    while i > 0 and text[i - 1] in NUMERALS:
        i -= 1
    return i < period and (i == 0 or text[i - 1].isspace() or text[i - 1] in TERMINATORS)


def _join_wordless(text: str, spans: list[Span]) -> list[Span]:
    """Join a piece with no word character (a lone ``……``) to the sentence before it, or after it
    when it comes first, unless a line break separates them."""
    out: list[Span] = []
    for start, end in spans:
        merge = bool(out) and (not _WORD.search(text, start, end) or not _WORD.search(text, *out[-1]))
        if merge and not _has_line_break(text, out[-1][1], start):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _has_line_break(text: str, start: int, end: int) -> bool:
    return any(ch in LINE_BREAKS for ch in text[start:end])
