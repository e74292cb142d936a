"""Claim candidates: which sentences of a source's text a fact-checker should look at first.

Two steps, both plain functions of the text, so the same answer comes back on every run:

- ``split_sentences`` cuts a text into sentences and returns their offsets in the original string
  (code points, like every offset we store, see ``sources.text``), so a researcher's pick becomes an
  appearance's quote without copying or rewriting a character.
- ``score_sentence`` says how check-worthy one sentence is and why, from signals a fact-checker looks
  for: figures, dates, casualties, named actors, attribution, comparisons; questions, fragments,
  run-ons and boilerplate (captions, bylines) are pushed down.

``suggest`` combines them. No model and nothing downloaded: the cues below are this domain's
(news on conflicts and politics, in Vietnamese, English, Russian, Arabic and French) and are meant to be
read and extended by hand.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .folding import exact, fold, key

# --- Splitting -----------------------------------------------------------------------------------------

#: A line: a paragraph break (any line break) always ends a sentence.
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
#: A stop, the quotes and brackets closing right after it (they stay with the sentence), then a space.
#: French sets its closing guillemet off with a space: “« Nous gagnerons. »”.
_STOP = re.compile(r"(?P<stop>[.!?…؟۔]+)(?P<close>(?:[ \u00a0\u202f]?[»”]|[\"’')\]])*)(?=\s)")
_OPENERS = frozenset("“\"«‘'([¿¡-–—•")
_ELLIPSIS = re.compile(r"…|\.\.")
_VISIBLE = re.compile(r"\S")

#: Words that end with a dot without ending the sentence, by primary language subtag (lower case).
#: Single letters (initials: “A.”, “Ô.”, “В.”) and dotted acronyms (“U.S.”, “т.е.”) are handled by rule.
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    # Not “ông”: it is a whole word that ends sentences (“… đã gặp ông. Ông cho biết …”); its
    # abbreviation is “Ô.”, an initial.
    "vi": frozenset({"tp", "tx", "tt", "ts", "ths", "pgs", "gs", "bs", "ks", "ls", "nxb", "tr"}),
    "en": frozenset(
        {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "lt", "col", "maj", "capt", "sgt", "adm"}
        | {"gov", "sen", "rep", "pres", "vs", "approx", "dept", "est", "fig", "inc", "ltd", "corp", "co", "no"}
        | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
    ),
    "fr": frozenset({"mme", "mlle", "mm", "dr", "pr", "st", "ste", "av", "bd", "env", "vol", "art", "cf"}),
    "ru": frozenset({"г", "гг", "ул", "им", "проф", "тыс", "млн", "млрд", "руб", "стр", "см", "ст", "ген", "англ"}),
    "ar": frozenset(),
}
_ALL_ABBREVIATIONS = frozenset().union(*_ABBREVIATIONS.values())


def _abbreviations(language: str) -> frozenset[str]:
    primary = language.replace("_", "-").split("-")[0].lower()
    return _ABBREVIATIONS.get(primary, _ALL_ABBREVIATIONS)


def _starts_sentence(char: str) -> bool:
    """Upper case, a digit, an opening quote, or a letter of a script without case (Arabic, CJK)."""
    if char.isupper() or char.isdigit() or char in _OPENERS:
        return True
    return char.isalpha() and not char.islower()


def _quotes_opened(text: str) -> tuple[int, int]:
    """Curly quotations (“”, «») opened minus closed in ``text``, and straight quotes (") in it."""
    return text.count("“") + text.count("«") - text.count("”") - text.count("»"), text.count('"')


def _is_abbreviation(line: str, stop: re.Match[str], sentence_start: int, abbreviations: frozenset[str]) -> bool:
    """Whether the word the dot ends is an abbreviation, an initial or a list item's number."""
    word_start = stop.start()
    while word_start > 0 and not line[word_start - 1].isspace():
        word_start -= 1
    word = unicodedata.normalize("NFC", line[word_start : stop.start()]).lstrip("“\"«‘'([")
    if len(word) == 1 and word.isalpha():
        return True  # an initial
    if "." in word and all(part.isalpha() for part in word.split(".")):
        return True  # U.S., т.е.
    if word.casefold() in abbreviations:
        return True
    # “1. Libya”: the number of a list item, not a sentence of its own.
    return word.isdigit() and not _VISIBLE.search(line, sentence_start, word_start)


def _sentence_ends(line: str, abbreviations: frozenset[str]) -> Iterator[int]:
    """Where sentences end inside one line (the line's own end aside), as offsets into it."""
    sentence_start = counted_to = 0
    curly = straight = 0  # quotation marks since the sentence began, counted as far as counted_to
    for stop in _STOP.finditer(line):
        following = _VISIBLE.search(line, stop.end())
        if not following or not _starts_sentence(following.group()):
            continue
        opened, straights = _quotes_opened(line[counted_to : stop.start()])
        curly, straight, counted_to = curly + opened, straight + straights, stop.start()
        if _ELLIPSIS.search(stop["stop"]) and not stop["close"] and (curly > 0 or straight % 2):
            continue  # an ellipsis inside a quotation marks words left out, not the end of a sentence
        if stop["stop"] == "." and not stop["close"] and _is_abbreviation(line, stop, sentence_start, abbreviations):
            continue
        yield stop.end()
        sentence_start = counted_to = stop.end()
        curly = straight = 0


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, language: str = "") -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` offsets, in order, each trimmed of white space.

    ``text[start:end]`` is the sentence exactly as written; together the spans hold every character of
    the text that is not white space. ``language`` (a BCP 47 tag) chooses the abbreviations that do not
    end a sentence; without it, those of every language we know are used.
    """
    abbreviations = _abbreviations(language)
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for end in _sentence_ends(line.group(), abbreviations):
            spans.append(_trimmed(text, start, line.start() + end))
            start = line.start() + end
        spans.append(_trimmed(text, start, line.end()))
    return [(start, end) for start, end in spans if start < end]


# --- Scoring -------------------------------------------------------------------------------------------

# Cues are regular expressions over a normalised sentence, matched as whole words. Vietnamese cues are
# matched on ``exact`` (lower case, marks kept): without its marks, “nói” (say) is “nơi” (place) and
# “nội” (inner), “chỉ” (only) is “chi” (spend), “hơn” (more) is “hôn” (kiss). Cues of the other
# languages are matched on ``fold``, which spares Cyrillic and French spelling nothing that matters and
# lets Arabic be written with or without hamza and vowel marks. Write them in lower case, without
# upper-case escapes (``\W``, ``\S``): they are normalised like the text.

_PERCENT_WORDS = r"%|٪|phần trăm|percent|per cent|pour cent|процент\w*"
_EXACT_PATTERNS: dict[str, tuple[str, ...]] = {
    "percent": (rf"(?<![\d.,])\d[\d.,]*\s?(?:{_PERCENT_WORDS})",),
    "date": (
        r"\d{1,2}/\d{1,2}(?:/\d{2,4})?",
        r"\d{4}-\d{1,2}-\d{1,2}",
        r"\d{1,2}\.\d{1,2}\.\d{2,4}",
        r"(?:1[89]|20)\d\d(?![.,]\d)",
        r"(?:ngày|tháng|năm|quý)\s+\d{1,4}(?:/\d{1,2}(?:/\d{2,4})?)?",
    ),
    "quantity-word": (
        r"hàng\s+(?:chục|trăm|nghìn|ngàn|vạn|triệu|tỷ)",
        r"(?:nghìn|ngàn|tỷ)",
        r"triệu(?!\s+(?:tập|chứng|hồi|phú))",
    ),
    "casualty": (
        r"(?:người\s+)?chết",
        r"thiệt\s+mạng",
        r"tử\s+(?:vong|nạn|trận)",
        r"bị\s+thương",
        r"thương\s+(?:vong|binh)",
        r"mất\s+tích",
        r"sát\s+hại",
        r"bị\s+giết",
        r"thi\s+thể",
        r"nạn\s+nhân",
    ),
    "attribution": (
        r"cho\s+biết",
        r"khẳng\s+định",
        r"tuyên\s+bố",
        r"nói(?!\s+(?:trên|chung|riêng|cách))",
        r"cáo\s+buộc",
        r"(?<!tiếp )theo(?!\s+(?:dõi|đuổi|kịp|sau|hướng))",
        r"phát\s+biểu",
        r"cho\s+rằng",
        r"xác\s+nhận",
        r"thông\s+báo",
        r"nhấn\s+mạnh",
        r"đưa\s+tin",
        r"tiết\s+lộ",
        r"công\s+bố",
        r"bác\s+bỏ",
        r"phủ\s+nhận",
        r"thừa\s+nhận",
        r"cảnh\s+báo",
    ),
    "comparison": (
        r"hơn(?!\s+nữa)",
        r"(?:nhiều|lớn|cao|thấp|ít|đông|mạnh|nặng|tồi tệ)\s+nhất",
        r"ít\s+nhất",
        r"duy\s+nhất",
        r"phần\s+lớn",
        r"đa\s+số",
        r"kỷ\s+lục",
        r"gấp\s+(?:đôi|ba|\w+\s+lần|\d[\d.,]*\s+lần)",
        r"(?<!địa )chỉ(?!\s+(?:huy|đạo|ra|trích|số|thị|tiêu|định|rõ|điểm|dẫn))",
        r"gần(?!\s+(?:đây|gũi|kề))",
        r"khoảng(?!\s+(?:thời gian|cách|trống|không))",
    ),
    "appeal": (r"kêu\s+gọi", r"hãy", r"cần\s+phải", r"phải(?=\s+(?:làm|ngừng|dừng|chấm dứt))"),
}
_FOLDED_PATTERNS: dict[str, tuple[str, ...]] = {
    "percent": (r"(?<![\d.,])\d[\d.,]*\s?(?:في|ب)\s?(?:المائة|المئة)", r"بالمائة|بالمئة"),
    "date": (
        r"\d{1,2}(?:er)?\s+(?:january|february|march|april|may|june|july|august|september|october|november"
        r"|december|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
        r"|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
        r"|يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر)",
        r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
        r"\s+\d{1,2}",
    ),
    "quantity-word": (
        r"hundreds|thousands|millions|billions|dozens|scores\s+of|million|billion|thousand",
        r"сотни|сотен|тысяч\w*|миллион\w*|миллиард\w*|десятк\w*|десятки",
        r"centaines|milliers|milliards?|dizaines|millions?",
        r"مئات|آلاف|ملايين|مليون|مليار|عشرات",
    ),
    "casualty": (
        r"killed|dead|died|deaths?|death\s+toll|wounded|injured|casualties|fatalities|missing|victims",
        r"погиб\w*|убит\w*|ранен\w*|жертв\w*|пострадавш\w*|раненых",
        r"morts?|tuée?s?|blessée?s?|victimes|décès|disparue?s?",
        r"[وف]?(?:قتل\w*|مقتل|قتيل|جرحى|جريح|أصيب\w*|إصابة|إصابات|مصرع|ضحايا)",
    ),
    "attribution": (
        r"said|says|claimed|claims|according\s+to|stated|told|announced|confirmed|denied|alleged|reported"
        r"|insisted|accused",
        r"заявил\w*|сообщил\w*|сказал\w*|по\s+словам|по\s+данным|утвержда\w*|подчеркнул\w*|отметил\w*"
        r"|обвинил\w*",
        r"a\s+déclaré|déclaré|selon|a\s+affirmé|affirmé|a\s+dit|annoncé|a\s+indiqué|accuse",
        r"[وف]?(?:قال|قالت|أعلن|أعلنت|أكد|أكدت|صرح|أفاد|أفادت|زعم|اتهم)|وفقا|بحسب|حسب",
    ),
    "comparison": (
        r"more\s+than|less\s+than|fewer\s+than|at\s+least|most|least|only|nearly|almost|largest|biggest"
        r"|highest|lowest|record|majority|twice|double",
        r"более|больше|менее|меньше|только|почти|около|самы\w*|рекорд\w*|по\s+меньшей\s+мере|большинств\w*",
        r"plus\s+de|moins\s+de|seulement|près\s+de|presque|la\s+plupart|au\s+moins|record|majorité",
        r"أكثر\s+من|أقل\s+من|فقط|نحو|حوالي|قرابة|أكبر|أعلى|معظم",
    ),
    "appeal": (
        r"urged?|urges|called\s+(?:on|for)|calls\s+(?:on|for)|should|must",
        r"призвал\w*|призыва\w*|должн\w*",
        r"appelé\s+à|appelle|exhorte|doit|doivent|devrait",
        r"[وف]?(?:دعا|يدعو|طالب|يجب)",
    ),
}


def _whole_words(alternatives: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_EXACT_CUES = {code: _whole_words(patterns) for code, patterns in _EXACT_PATTERNS.items()}
_FOLDED_CUES = {code: _whole_words(map(fold, patterns)) for code, patterns in _FOLDED_PATTERNS.items()}
_NUMBER = re.compile(r"(?<![\w/])(?<!\w-)\d[\d.,]*(?<![.,])")  # not G7's 7, F-16's 16 or 7/4's second 4
#: A quotation of two words or more: the claimant's own words, on record.
_QUOTATION = re.compile(r"[“«„\"]\s?\w+\s+\w|\w\s+\w+[.,!?…]*[”»\"]")

#: What each signal adds to a sentence's weight. Figures matter most: they are what a check can settle.
_WEIGHTS = {
    "percent": 1.4,
    "number": 1.0,
    "casualty": 1.2,
    "quantity-word": 0.7,
    "date": 0.5,
    "actor": 0.6,
    "proper-name": 0.3,
    "attribution": 0.6,
    "comparison": 0.6,
    "quotation": 0.4,
}
_EXTRA_ACTOR = 0.2  # each further actor named, up to two: a claim about who did what to whom
_SCALE = 2.5  # weight 1 scores 0.33, weight 2.5 scores 0.63, weight 4 scores 0.80

#: Penalties multiply the score; their codes are reported with the signals, so the admin can say why.
_QUESTION = 0.3
_SHORT = 0.3  # fewer than _SHORT_WORDS words: a fragment, a title, a dateline
_SHORT_WORDS = 5
_LONG_WORDS = 80  # Vietnamese words are syllables: a plain news sentence of 70 is common
_LONG_FLOOR = 0.5
_BOILERPLATE = 0.1
_APPEAL = 0.7  # what someone wants done cannot be checked; what happened can

_REASON_ORDER = (
    "percent",
    "number",
    "quantity-word",
    "casualty",
    "date",
    "actor",
    "proper-name",
    "attribution",
    "comparison",
    "quotation",
    "question",
    "short",
    "long",
    "appeal",
    "boilerplate",
)

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_QUESTION_END = re.compile(r"[?؟][”\"»’')\]\s]*$")
_CAPTION = re.compile(
    r"^[(\[]?\s*(?:(?:ảnh|ảnh minh họa|nguồn|video|clip|photo|image|credit|source|фото|источник|crédit photo"
    r"|صورة|المصدر)\s*[:|]|xem thêm|đọc thêm|tin liên quan|read more|see also|related|читайте также"
    r"|lire aussi|voir aussi|اقرأ أيضا)"
)
_BYLINE_START = re.compile(r"^[(\[]?\s*(?:theo|by|nguồn|source|по материалам|par|بقلم)(?!\w)")
_BYLINE_SLASH = re.compile(r"[^\W\d_]\s?/\s?[^\W\d_]")  # “Minh Anh/VOV”, not “7/4”
_BYLINE_WORDS = 8
_CREDIT_WORDS = 4  # “Theo Reuters”, “By John Smith”; “Theo ông Haftar, LNA …” is a claim
_COPYRIGHT = re.compile(r"©|bản quyền|all rights reserved|tous droits réservés|все права защищены")
_LINK_ONLY = re.compile(r"^\W*(?:https?://|www\.)\S*$")


class _Actors:
    """Known actor and place names, compared by search key: “Quan doi Quoc gia Libya” is “Quân đội …”.

    A name is a run of whole words, so “Nga” (Russia) is not found in “Ngày”. Looked up word by word in a
    set rather than by one regular expression, so thousands of names cost no more than a few.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.keys = frozenset(k for k in map(key, names) if len(k) > 1)
        self.longest = max((len(k.split()) for k in self.keys), default=0)

    def found(self, sentence: str) -> set[str]:
        return set(self.in_order(sentence))

    def in_order(self, sentence: str) -> list[str]:
        words = key(sentence).split() if self.keys else []
        found: list[str] = []
        at = 0
        while at < len(words):
            # The longest name first: “Khalifa Haftar” is one actor, not “Haftar” again.
            for size in range(min(self.longest, len(words) - at), 0, -1):
                name = " ".join(words[at : at + size])
                if name in self.keys:
                    if name not in found:
                        found.append(name)
                    at += size
                    break
            else:
                at += 1
        return found


def _has_proper_name(sentence: str) -> bool:
    """Two or more capitalised words in a row (“Federica Mogherini”, “Liên Hợp Quốc”)."""
    run = 0
    previous_end = -1
    for word in _WORD.finditer(sentence):
        adjacent = previous_end >= 0 and sentence[previous_end : word.start()] == " "
        run = (run + 1 if adjacent else 1) if word.group()[0].isupper() else 0
        previous_end = word.end()
        if run >= 2:
            return True
    return False


def _is_boilerplate(sentence: str, lowered: str, words: int) -> bool:
    """A caption, a “read more” link, a copyright line or a byline: never a claim."""
    if _CAPTION.search(lowered) or _LINK_ONLY.search(lowered):
        return True
    if _COPYRIGHT.search(lowered) and words <= 2 * _BYLINE_WORDS:
        return True
    if _BYLINE_START.search(lowered) and words <= _CREDIT_WORDS:
        return True
    parenthesised = sentence[:1] in "([" and sentence[-1:] in ")]"
    return bool(parenthesised or _BYLINE_SLASH.search(sentence)) and words <= _BYLINE_WORDS


def _score(sentence: str, actors: _Actors) -> tuple[float, list[str]]:
    lowered = exact(sentence)
    folded = fold(sentence)
    found = {code for code, cue in _EXACT_CUES.items() if cue.search(lowered)}
    found |= {code for code, cue in _FOLDED_CUES.items() if cue.search(folded)}

    # A figure that is a date or a percentage is counted as such, not again as a number.
    taken = [m.span() for code in ("date", "percent") for m in _EXACT_CUES[code].finditer(lowered)]
    if any(not any(s <= m.start() < e for s, e in taken) for m in _NUMBER.finditer(lowered)):
        found.add("number")
    if _QUOTATION.search(sentence):
        found.add("quotation")

    weight = sum(_WEIGHTS.get(code, 0.0) for code in found)
    named = actors.found(sentence)
    if named:
        found.add("actor")
        weight += _WEIGHTS["actor"] + _EXTRA_ACTOR * min(len(named) - 1, 2)
    elif _has_proper_name(sentence):
        found.add("proper-name")
        weight += _WEIGHTS["proper-name"]
    score = 1 - math.exp(-weight / _SCALE)

    words = len(_WORD.findall(sentence))
    if _QUESTION_END.search(sentence):
        found.add("question")
        score *= _QUESTION
    if words < _SHORT_WORDS:
        found.add("short")
        score *= _SHORT
    elif words > _LONG_WORDS:
        found.add("long")
        score *= max(_LONG_FLOOR, _LONG_WORDS / words)
    if "appeal" in found:
        score *= _APPEAL
    if _is_boilerplate(sentence, lowered, words):
        found.add("boilerplate")
        score *= _BOILERPLATE
    return round(score, 4), [code for code in _REASON_ORDER if code in found]


def score_sentence(sentence: str, names: Iterable[str] = ()) -> tuple[float, list[str]]:
    """How check-worthy a sentence is, from 0 to 1, and why, as codes in a fixed order.

    Signals: ``percent``, ``number``, ``quantity-word`` (“hàng trăm”, “hundreds”), ``casualty``,
    ``date``, ``actor`` (one of ``names``, the database's actors and places with their aliases, compared
    without diacritics), ``proper-name`` (capitalised words in a row, when no actor is named),
    ``attribution`` (“cho biết”, “said”), ``comparison`` (“chỉ”, “more than”), ``quotation`` (the
    claimant's own words in quotation marks). Penalties, reported too: ``question``, ``short``, ``long``,
    ``appeal`` (a call or a demand), ``boilerplate`` (captions, bylines, “Xem thêm”).
    """
    return _score(sentence, _Actors(names))


def names_in(sentence: str, names: Iterable[str]) -> list[str]:
    """The search keys (``sources.folding.key``) of the ``names`` a sentence mentions, first mentioned first."""
    return _Actors(names).in_order(sentence)


#: Attribution cues that come before the speaker (“Theo bà Mogherini, …”, “according to the ministry”);
#: the others follow the speaker (“Bộ Y tế Libya cho biết …”, “the ministry said”).
_ACCORDINGLY = re.compile(r"\s+(?:đó|đấy)\b")
_SPEAKER_FOLLOWS = re.compile(r"^(?:theo|according\s+to|по\s+словам|по\s+данным|selon|وفقا|بحسب|حسب)$")


def speaker_names(sentence: str, names: Iterable[str]) -> list[str]:
    """The ``names`` (search keys) where an attributed sentence names its speaker, first mentioned first.

    After a cue like “Theo …” the speaker is named up to the next comma; before a verb like “cho biết”,
    in what precedes it; before “theo đó” (accordingly), the subject first named. Nothing when the
    sentence attributes nothing, or names nobody there (“Ông này cũng khẳng định …” points back).
    """
    lowered, folded = exact(sentence), fold(sentence)
    cues = [(m.start(), m.end(), lowered) for m in _EXACT_CUES["attribution"].finditer(lowered)]
    cues += [(m.start(), m.end(), folded) for m in _FOLDED_CUES["attribution"].finditer(folded)]
    if not cues:
        return []
    actors = _Actors(names)
    # The first cue that has a speaker named where it points (“Phát biểu tại Luxembourg, bà Mogherini
    # khẳng định …”: not “phát biểu”, which opens the sentence, but “khẳng định”).
    for start, end, text in sorted(cues, key=lambda cue: cue[0]):
        if _ACCORDINGLY.match(text, end):
            # “Bộ Y tế Libya đã cập nhật …, theo đó …”: what follows is the subject's account.
            found = actors.in_order(text[:start])[:1]
        elif _SPEAKER_FOLLOWS.match(" ".join(text[start:end].split())):
            comma = text.find(",", end)
            found = actors.in_order(text[end : comma if comma >= 0 else len(text)])
        else:
            # The clause the verb ends (“…, the LNA said”) before the whole sentence up to it.
            before = text[:start].rstrip(" ,")
            found = actors.in_order(before[before.rfind(",") + 1 :]) or actors.in_order(before)
        if found:
            return found
    return []


@dataclass(frozen=True)
class Candidate:
    """A sentence worth checking: its offsets in the source's text, its words, its score and why."""

    start: int
    end: int
    text: str
    score: float
    reasons: tuple[str, ...]


DEFAULT_MIN_SCORE = 0.3


def suggest(
    text: str,
    language: str = "",
    names: Iterable[str] = (),
    limit: int = 20,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Candidate]:
    """The ``limit`` most check-worthy sentences of ``text`` scoring at least ``min_score``, best first.

    Equal scores keep the order of the text.
    """
    actors = _Actors(names)
    candidates = []
    for start, end in split_sentences(text, language):
        score, reasons = _score(text[start:end], actors)
        if score >= min_score:
            candidates.append(Candidate(start, end, text[start:end], score, tuple(reasons)))
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.start))
    return candidates[: max(limit, 0)]
