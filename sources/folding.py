"""Text folding for search, shared by indexing and queries: what a reader types and what we store meet here.

Three forms of a text:

- ``exact(text)``: NFKC and case-folded. Diacritics kept: ``ngừng bắn`` stays itself, so a query typed
  with its marks can be ranked above look-alikes (``ngừng bán``).
- ``fold(text)``: ``exact`` plus the folding readers expect, script by script: Latin and Greek lose every
  mark (Vietnamese fully: stacked tone marks, ``đ`` → ``d``); Cyrillic folds only ``ё`` → ``е`` (``й``
  and ``ї`` are letters of their own); Arabic loses its short vowels and tatweel, and its alef forms
  become ``ا`` (``ى`` → ``ي``, ``ة`` → ``ه``, as Arabic search conventionally does); Hebrew loses its
  points. Other scripts are only case-folded: their marks are part of the letters.
- ``key(text)``: ``fold`` transliterated to ASCII (anyascii), lower case, words of ``[a-z0-9]``
  separated by single spaces. The database indexes only this form, so its full-text parser, ``lower()``
  and pg_trgm see nothing but ASCII and behave the same whatever the database's ``LC_CTYPE``.

Python's "NFD and drop the marks" alone leaves ``đ`` untouched and would turn ``й`` into ``и``; the
rules above are why this module exists.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

#: Letters with no decomposition that readers type without their stroke.
_LATIN_LETTERS = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ħ": "h", "ı": "i", "ŧ": "t", "ƀ": "b", "ǥ": "g"})
# Alef maksura, ta marbuta, alef wasla; tatweel (a stretching stroke) goes.
_ARABIC_LETTERS = str.maketrans({"ى": "ي", "ة": "ه", "ٱ": "ا", "\u0640": None})

_CYRILLIC_DIAERESIS = "\u0308"
_CYRILLIC_IE = "е"
_KEY_SEPARATORS = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)
def _script(char: str) -> str:
    """The script of a base letter, from its Unicode name (enough to choose the folding rule)."""
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def exact(text: str) -> str:
    """NFKC, case-folded: equal for texts that differ only in case, composition or width."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").casefold())


def fold(text: str) -> str:
    """Case, compatibility forms and (script by script) diacritics folded away; idempotent."""
    if text.isascii():
        # NFKC, NFD and the letter tables leave ASCII as it is, and casefold is lower(): the same answer
        # at a fraction of the cost (keys are ASCII, and ``sound_words`` folds a key again).
        return text.lower()
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = unicodedata.normalize("NFKC", text).translate(_LATIN_LETTERS).translate(_ARABIC_LETTERS)
    out: list[str] = []
    base_script = ""
    base = ""
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if base_script in ("LATIN", "GREEK", "ARABIC", "HEBREW"):
                continue
            if base_script == "CYRILLIC" and char == _CYRILLIC_DIAERESIS and base == _CYRILLIC_IE:
                continue
            out.append(char)
            continue
        base, base_script = char, _script(char)
        out.append(char)
    folded = unicodedata.normalize("NFC", "".join(out))
    # Composition can bring back a letter the tables map (a stroke letter never decomposes, so this is
    # only a guard), and casefold can open a new compatibility form: one more pass settles both.
    again = unicodedata.normalize("NFKC", folded).casefold().translate(_LATIN_LETTERS).translate(_ARABIC_LETTERS)
    return folded if again == folded else fold(again)


class _Transliteration(dict[int, str]):
    """anyascii's answer for each code point, asked once: anyascii maps every code point on its own,
    so ``text.translate`` with this table gives what ``anyascii(text)`` gives, at C speed (anyascii
    loops over a string in Python: a fifth of the API list's time in slugs, bench/README.md)."""

    def __missing__(self, codepoint: int) -> str:
        value = anyascii(chr(codepoint))
        self[codepoint] = value
        return value


_TRANSLITERATION = _Transliteration()


def to_ascii(text: str) -> str:
    """``anyascii(text)``, faster: the same ASCII transliteration."""
    return text if text.isascii() else text.translate(_TRANSLITERATION)


def key(text: str) -> str:
    """The ASCII search key: ``fold`` transliterated, lower-case words separated by one space."""
    return _KEY_SEPARATORS.sub(" ", to_ascii(fold(text)).lower()).strip()


def key_words(text: str) -> list[str]:
    return key(text).split()


# Spelling variants of one sound, for names transliterated many ways (Gaddafi, Kadhafi, Qaddafi; Haftar,
# Hafter): consonant pairs that write one sound, then letters that stand for near sounds.
_SOUND_PAIRS = re.compile(r"kh|gh|ph|th|dh|sh|ch|zh|ck")
_SOUND_PAIR = {"kh": "k", "gh": "k", "ph": "f", "th": "t", "dh": "d", "sh": "s", "ch": "k", "zh": "j", "ck": "k"}
_SOUND_LETTERS = str.maketrans({"q": "k", "c": "k", "g": "k", "z": "s", "w": "v", "x": "ks", "h": None})
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
#: Shortest word given a sound key: shorter ones (most Vietnamese syllables, "the", "and") share
#: skeletons with too many others.
SOUND_MIN_LENGTH = 5


@lru_cache(maxsize=65536)
def sound(word: str) -> str:
    """The consonant skeleton of one key word (``key``'s ASCII), or "" for short or numeric words.

    Vowels and ``h`` go (a leading vowel stays, as ``a``), letter pairs and near letters merge, doubles
    collapse: ``gaddafi``, ``kadhafi`` and ``qaddafi`` are all ``kdf``; ``haftar`` and ``hafatr`` are
    ``hftr``; ``lavrov`` and ``lavorv`` are ``lvrv``. A second chance for names, not a phonetic model.
    """
    if len(word) < SOUND_MIN_LENGTH or not word.isalpha() or not word.isascii():
        return ""
    lead = "a" if word[0] in "aeiouy" else ""
    skeleton = _SOUND_PAIRS.sub(lambda match: _SOUND_PAIR[match.group()], word)
    if not lead and skeleton[0] == "h":
        lead, skeleton = "h", skeleton[1:]
    skeleton = _VOWELS.sub("", skeleton.translate(_SOUND_LETTERS))
    skeleton = _REPEATS.sub(r"\1", lead + skeleton)
    return skeleton if len(skeleton) >= 2 else ""


#: One Vietnamese syllable without its marks (``key``'s ASCII): an initial consonant or none, one to three
#: vowels, a final consonant or none (``thuong``, ``nguyen``, ``khong``; not ``haftar`` or ``libya``).
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")


def is_syllable(word: str) -> bool:
    """Whether a key word is shaped as one Vietnamese syllable (some English words are too: ``thing``)."""
    return _SYLLABLE.fullmatch(word) is not None


def sound_words(text: str) -> list[str]:
    """The sound keys of a text's words, in order, each once."""
    return list(dict.fromkeys(filter(None, (sound(word) for word in key(text).split()))))


class WordKeys:
    """``key`` and ``sound`` applied word by word through a cache: the same keys, many times faster on
    text of a limited vocabulary (a Vietnamese syllable, a name, recur from claim to claim). Folding never
    joins or splits across a space, so the key of a text is the keys of its space-separated words,
    joined, and its sound keys theirs (tests compare the search documents built both ways). One
    instance per batch of documents: the cache grows with the words it meets."""

    def __init__(self) -> None:
        self._words: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._names: dict[str, tuple[str, tuple[str, ...], str]] = {}

    def fold(self, text: str) -> tuple[str, list[str]]:
        """The key of ``text`` and the sound keys of its words, in order."""
        words = self._words
        keys: list[str] = []
        sounds: list[str] = []
        for word in text.split(" "):
            folded = words.get(word)
            if folded is None:
                word_key = key(word)
                folded = words[word] = (word_key, tuple(filter(None, map(sound, word_key.split()))))
            if folded[0]:
                keys.append(folded[0])
                sounds.extend(folded[1])
        return " ".join(keys), sounds

    def name(self, name: str) -> tuple[str, tuple[str, ...], str]:
        """A name's key, its sound keys and its exact form (names recur: each is folded once)."""
        folded = self._names.get(name)
        if folded is None:
            name_key, sounds = self.fold(name)
            folded = self._names[name] = (name_key, tuple(sounds), exact(name))
        return folded

    def document(self, texts: list[str], names: list[str]) -> tuple[str, str, str, str, str]:
        """A search document's ``exact``, ``text_key``, ``names_key``, ``all_key`` and ``sound_key`` from a
        claim's texts and names (``claims.search`` and the generator both write them so), each text and
        name once, in order: a quote is often the wording itself."""
        texts = list(dict.fromkeys(texts))
        folded_texts = [self.fold(text) for text in texts]
        folded_names = [self.name(name) for name in dict.fromkeys(names)]
        text_key = "\n".join(text_key for text_key, _sounds in folded_texts)
        names_key = "\n".join(name_key for name_key, _sounds, _exact in folded_names)
        sounds = [sound for _key, text_sounds in folded_texts for sound in text_sounds]
        for _key, name_sounds, _exact in folded_names:
            sounds += name_sounds
        return (
            "\n".join([*(exact(text) for text in texts), *(name_exact for _k, _s, name_exact in folded_names)]),
            text_key,
            names_key,
            f"{text_key}\n{names_key}".strip(),
            " ".join(dict.fromkeys(sounds)),
        )
