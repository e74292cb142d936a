"""Synthetic claims for load tests and benchmarks (``manage.py generate_claims``).

Realistic, not real: claims in Vietnamese (with its diacritics), English, French, Russian and Arabic,
rendered from a few dozen statement frames ("at least N people were killed in P since D", "A controls
only X% of P") so that a claim and its translations say the same thing; fictional people and
organisations whose names are spelled several ways in several scripts (Khalid al-Qadhi, Khaled el-Kadi,
خالد القاضي); real places with their spellings (Libya, Lybia, Ливия, ليبيا); fictional outlets on
``.example`` domains. Nothing here quotes a real person.

Every row keeps the invariants the database and the workflow hold: each appearance's quote is the
source's text at its character offsets (source texts are assembled sentence by sentence, offsets
recorded); one first appearance per claim; a public claim has a verdict with a text in the claim's
language, an appearance, ``published_at``, a verdict version and the review events of its history;
four eyes (nobody approves or publishes their own claim). Search documents are built with the functions
``claims.search.document_for`` uses (``sources.folding``), word by word through a cache.

Two halves. Building (``BatchBuilder``) is pure: from a seeded random generator, the reference rows
(``World``) and the first id of each table, it returns the rows of a batch (10,000 claims at most) as
tuples. Writing puts each batch in the database in a transaction of its own: ``COPY`` on PostgreSQL,
``executemany`` on SQLite (not ``bulk_create``, which would overwrite the generated
``created_at``/``updated_at`` with the current time). On PostgreSQL the run's ids are reserved from the
sequences first (so other writers never take one, and the unused ones are given back at the end);
batches are independent, so while this thread builds the next ones, several connections COPY the built
ones at once. Then ``ANALYZE``. The rows never skip a check: constraints and triggers (the quote check
runs for every appearance) apply as to any insert. A large run into a database without claims is a bulk
run (``drop_indexes``): the tables' secondary indexes and foreign keys are dropped while it writes and
re-created at the end, which builds and checks them in one pass each.

Deterministic: one seed, one count and one starting database give byte-identical rows. Dates are spread
over the ten years before a fixed anchor (2026-01-01 unless ``until`` is given), more of them recent;
claim ids roughly follow their creation time.

Generated claims are not queued for the duplicate scan (``needs_duplicate_scan=False``) and their
sources are not queued for claim candidates (``needs_candidates=False``): a million scans is not what a
benchmark database wants. ``manage.py reindex_search`` rebuilds their documents the ordinary way.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import json
import os
import queue
import random
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # C-accelerated when available
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction

from sources.folding import WordKeys
from sources.models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source

from .bulk import young_collections_only
from .models import (
    Appearance,
    Claim,
    ClaimTranslation,
    Correction,
    Evidence,
    Rating,
    RatingLabel,
    ReviewEvent,
    SearchDocument,
    Topic,
    Verdict,
    VerdictText,
    VerdictVersion,
)
from .search import document_facets, refresh_recent_index

#: Claims per transaction, at most: each batch is written with all its rows and committed. A small run
#: is cut in about eight, so that building and writing overlap.
BATCH_SIZE = 10_000
MIN_BATCH_SIZE = 1_000
#: The end of the generated period when no ``until`` is given (a fixed date: reruns are identical).
DEFAULT_UNTIL = dt.date(2026, 1, 1)
#: A run of this many claims or more into a database without claims is a bulk run (``drop_indexes``).
BULK_MIN_COUNT = 10_000
#: Batches built between two young garbage collections. A batch's rows make no reference cycle (none
#: found at 100,000 claims), but a young collection walks the batches still being written, 16–56 ms for
#: one of 2,500 claims (as long as the full collections it replaces): one now and then, to find any.
COLLECT_EVERY = 8
#: Where a bulk run (``drop_indexes``) writes down the indexes and foreign keys it dropped, until it re-creates them.
BULK_TABLE = "generate_claims_dropped"
#: How far back the claims go.
YEARS = 10
#: Density of claims over the period grows as t**(SKEW-1) (t from 0 to 1): more recent, more claims.
SKEW = 1.8

HOUR = 3600
DAY = 86400

# --- Vocabulary ------------------------------------------------------------------------------------------

LANGUAGES = ("vi", "en", "fr", "ru", "ar")
LANGUAGE_WEIGHTS = (45, 20, 12, 12, 11)

STATUSES = ("published", "draft", "in_review", "changes_requested", "approved", "retracted")
STATUS_WEIGHTS = (80, 6, 5, 3, 3, 3)

#: Rating slugs of the default scale (claims.demo.content) and how often each is given.
RATING_WEIGHTS = {"false": 25, "mostly-false": 18, "misleading": 20, "unproven": 14, "mostly-true": 12, "true": 11}
#: Labels the default scale lacks (it has vi and en), by rating class.
CLASS_LABELS = {
    "fr": {"TRUE": "Vrai", "FALSE": "Faux", "MIXTURE": "Trompeur", "OTHER": "Non prouvé"},
    "ru": {"TRUE": "Правда", "FALSE": "Неправда", "MIXTURE": "Вводит в заблуждение", "OTHER": "Не доказано"},
    "ar": {"TRUE": "صحيح", "FALSE": "خاطئ", "MIXTURE": "مضلل", "OTHER": "غير مثبت"},
    "vi": {"TRUE": "Đúng", "FALSE": "Sai", "MIXTURE": "Gây hiểu lầm", "OTHER": "Chưa được chứng minh"},
    "en": {"TRUE": "True", "FALSE": "False", "MIXTURE": "Misleading", "OTHER": "Unproven"},
}
SLUG_LABELS = {
    "fr": {"mostly-true": "Plutôt vrai", "mostly-false": "Plutôt faux"},
    "ru": {"mostly-true": "В основном правда", "mostly-false": "В основном неправда"},
    "ar": {"mostly-true": "صحيح في معظمه", "mostly-false": "خاطئ في معظمه"},
}

#: "at least", "about", "more than", "nearly": one meaning, every language (a claim and its translations
#: carry the same qualifier).
QUALIFIERS = {
    "vi": ("ít nhất ", "khoảng ", "hơn ", "gần "),
    "en": ("at least ", "about ", "more than ", "nearly "),
    "fr": ("au moins ", "environ ", "plus de ", "près de "),
    "ru": ("не менее ", "около ", "более ", "почти "),
    "ar": ("ما لا يقل عن ", "نحو ", "أكثر من ", "قرابة "),
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    "ar": [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
}
ARABIC_DIGITS = str.maketrans("0123456789,%", "٠١٢٣٤٥٦٧٨٩٬٪")

TOPICS = {
    "armed-conflict": "Armed conflict",
    "humanitarian": "Humanitarian crisis",
    "economy": "Economy",
    "health": "Health",
    "elections": "Elections",
    "public-figures": "Public figures",
    "human-rights": "Human rights",
    "energy": "Energy",
}


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    country: str
    kind: str  # "country" or "city"
    vi: str
    fr: tuple[str, str, str]  # name (with its article), "in" form, "of" form
    ru: tuple[str, str, str]  # nominative, "in" form, genitive
    ar: str
    aliases: tuple[tuple[str, str], ...]


PLACES = (
    PlaceSpec(
        "Libya",
        "LY",
        "country",
        "Libya",
        ("la Libye", "en Libye", "de la Libye"),
        ("Ливия", "в Ливии", "Ливии"),
        "ليبيا",
        (("Lybia", ""), ("Liyba", ""), ("Libye", "fr"), ("Li-bi", "vi"), ("Ливия", "ru"), ("ليبيا", "ar")),
    ),
    PlaceSpec(
        "Tripoli",
        "LY",
        "city",
        "Tripoli",
        ("Tripoli", "à Tripoli", "de Tripoli"),
        ("Триполи", "в Триполи", "Триполи"),
        "طرابلس",
        (("Trablus", ""), ("Tarabulus", ""), ("Триполи", "ru"), ("طرابلس", "ar")),
    ),
    PlaceSpec(
        "Benghazi",
        "LY",
        "city",
        "Benghazi",
        ("Benghazi", "à Benghazi", "de Benghazi"),
        ("Бенгази", "в Бенгази", "Бенгази"),
        "بنغازي",
        (("Bengasi", ""), ("Banghazi", ""), ("Бенгази", "ru"), ("بنغازي", "ar")),
    ),
    PlaceSpec(
        "Misrata",
        "LY",
        "city",
        "Misrata",
        ("Misrata", "à Misrata", "de Misrata"),
        ("Мисрата", "в Мисрате", "Мисраты"),
        "مصراتة",
        (("Misurata", ""), ("Misratah", ""), ("Мисурата", "ru"), ("مصراتة", "ar")),
    ),
    PlaceSpec(
        "Vietnam",
        "VN",
        "country",
        "Việt Nam",
        ("le Viêt Nam", "au Viêt Nam", "du Viêt Nam"),
        ("Вьетнам", "во Вьетнаме", "Вьетнама"),
        "فيتنام",
        (("Viet Nam", ""), ("Việt Nam", "vi"), ("Viêt Nam", "fr"), ("Вьетнам", "ru"), ("فيتنام", "ar")),
    ),
    PlaceSpec(
        "Hanoi",
        "VN",
        "city",
        "Hà Nội",
        ("Hanoï", "à Hanoï", "de Hanoï"),
        ("Ханой", "в Ханое", "Ханоя"),
        "هانوي",
        (("Ha Noi", ""), ("Hà Nội", "vi"), ("Hanoï", "fr"), ("Ханой", "ru"), ("هانوي", "ar")),
    ),
    PlaceSpec(
        "Ho Chi Minh City",
        "VN",
        "city",
        "TP.HCM",
        ("Hô Chi Minh-Ville", "à Hô Chi Minh-Ville", "de Hô Chi Minh-Ville"),
        ("Хошимин", "в Хошимине", "Хошимина"),
        "مدينة هو تشي منه",
        (("TP.HCM", "vi"), ("Thành phố Hồ Chí Minh", "vi"), ("Sài Gòn", "vi"), ("Saigon", ""), ("Хошимин", "ru")),
    ),
    PlaceSpec(
        "Da Nang",
        "VN",
        "city",
        "Đà Nẵng",
        ("Da Nang", "à Da Nang", "de Da Nang"),
        ("Дананг", "в Дананге", "Дананга"),
        "دا نانغ",
        (("Đà Nẵng", "vi"), ("Danang", ""), ("Дананг", "ru")),
    ),
    PlaceSpec(
        "France",
        "FR",
        "country",
        "Pháp",
        ("la France", "en France", "de la France"),
        ("Франция", "во Франции", "Франции"),
        "فرنسا",
        (("Pháp", "vi"), ("Франция", "ru"), ("فرنسا", "ar")),
    ),
    PlaceSpec(
        "Paris",
        "FR",
        "city",
        "Paris",
        ("Paris", "à Paris", "de Paris"),
        ("Париж", "в Париже", "Парижа"),
        "باريس",
        (("Pa-ri", "vi"), ("Париж", "ru"), ("باريس", "ar")),
    ),
    PlaceSpec(
        "Marseille",
        "FR",
        "city",
        "Marseille",
        ("Marseille", "à Marseille", "de Marseille"),
        ("Марсель", "в Марселе", "Марселя"),
        "مرسيليا",
        (("Marseilles", "en"), ("Mác-xây", "vi"), ("Марсель", "ru"), ("مرسيليا", "ar")),
    ),
    PlaceSpec(
        "Russia",
        "RU",
        "country",
        "Nga",
        ("la Russie", "en Russie", "de la Russie"),
        ("Россия", "в России", "России"),
        "روسيا",
        (("Nga", "vi"), ("Russie", "fr"), ("Russian Federation", "en"), ("Россия", "ru"), ("روسيا", "ar")),
    ),
    PlaceSpec(
        "Moscow",
        "RU",
        "city",
        "Moskva",
        ("Moscou", "à Moscou", "de Moscou"),
        ("Москва", "в Москве", "Москвы"),
        "موسكو",
        (("Moskva", ""), ("Mát-xcơ-va", "vi"), ("Moscou", "fr"), ("Москва", "ru"), ("موسكو", "ar")),
    ),
    PlaceSpec(
        "Egypt",
        "EG",
        "country",
        "Ai Cập",
        ("l'Égypte", "en Égypte", "de l'Égypte"),
        ("Египет", "в Египте", "Египта"),
        "مصر",
        (("Ai Cập", "vi"), ("Égypte", "fr"), ("Египет", "ru"), ("مصر", "ar")),
    ),
    PlaceSpec(
        "Cairo",
        "EG",
        "city",
        "Cairo",
        ("Le Caire", "au Caire", "du Caire"),
        ("Каир", "в Каире", "Каира"),
        "القاهرة",
        (("Le Caire", "fr"), ("Kairo", ""), ("Каир", "ru"), ("القاهرة", "ar")),
    ),
    PlaceSpec(
        "Tunisia",
        "TN",
        "country",
        "Tunisia",
        ("la Tunisie", "en Tunisie", "de la Tunisie"),
        ("Тунис", "в Тунисе", "Туниса"),
        "تونس",
        (("Tuy-ni-di", "vi"), ("Tunisie", "fr"), ("Тунис", "ru"), ("تونس", "ar")),
    ),
    PlaceSpec(
        "Syria",
        "SY",
        "country",
        "Syria",
        ("la Syrie", "en Syrie", "de la Syrie"),
        ("Сирия", "в Сирии", "Сирии"),
        "سوريا",
        (("Xy-ri", "vi"), ("Syrie", "fr"), ("Сирия", "ru"), ("سوريا", "ar"), ("سورية", "ar")),
    ),
    PlaceSpec(
        "Damascus",
        "SY",
        "city",
        "Damascus",
        ("Damas", "à Damas", "de Damas"),
        ("Дамаск", "в Дамаске", "Дамаска"),
        "دمشق",
        (("Damas", "fr"), ("Dimashq", ""), ("Дамаск", "ru"), ("دمشق", "ar")),
    ),
    PlaceSpec(
        "Lebanon",
        "LB",
        "country",
        "Liban",
        ("le Liban", "au Liban", "du Liban"),
        ("Ливан", "в Ливане", "Ливана"),
        "لبنان",
        (("Li-băng", "vi"), ("Liban", "fr"), ("Ливан", "ru"), ("لبنان", "ar")),
    ),
    PlaceSpec(
        "Beirut",
        "LB",
        "city",
        "Beirut",
        ("Beyrouth", "à Beyrouth", "de Beyrouth"),
        ("Бейрут", "в Бейруте", "Бейрута"),
        "بيروت",
        (("Beyrouth", "fr"), ("Bayrut", ""), ("Бейрут", "ru"), ("بيروت", "ar")),
    ),
    PlaceSpec(
        "Mali",
        "ML",
        "country",
        "Mali",
        ("le Mali", "au Mali", "du Mali"),
        ("Мали", "в Мали", "Мали"),
        "مالي",
        (("Мали", "ru"), ("مالي", "ar")),
    ),
    PlaceSpec(
        "Sudan",
        "SD",
        "country",
        "Sudan",
        ("le Soudan", "au Soudan", "du Soudan"),
        ("Судан", "в Судане", "Судана"),
        "السودان",
        (("Xu-đăng", "vi"), ("Soudan", "fr"), ("Судан", "ru"), ("السودان", "ar")),
    ),
    PlaceSpec(
        "Algeria",
        "DZ",
        "country",
        "Algeria",
        ("l'Algérie", "en Algérie", "de l'Algérie"),
        ("Алжир", "в Алжире", "Алжира"),
        "الجزائر",
        (("An-giê-ri", "vi"), ("Algérie", "fr"), ("Алжир", "ru"), ("الجزائر", "ar")),
    ),
    PlaceSpec(
        "Geneva",
        "CH",
        "city",
        "Geneva",
        ("Genève", "à Genève", "de Genève"),
        ("Женева", "в Женеве", "Женевы"),
        "جنيف",
        (("Genève", "fr"), ("Giơ-ne-vơ", "vi"), ("Женева", "ru"), ("جنيف", "ar")),
    ),
)


@dataclass(frozen=True)
class ActorSpec:
    """A fictional person or organisation; ``gender`` picks verb forms (Arabic, French) and honorifics
    (Vietnamese): for an organisation it is the grammatical gender of its Arabic name."""

    name: str
    kind: str
    gender: str
    country: str
    vi: str
    fr: str
    ru: str
    ar: str
    aliases: tuple[tuple[str, str], ...]


PERSON, ORG, ARMED = "person", "organization", "armed"
#: The organisations that fight, hold ground and sign ceasefires (the others are agencies, parties, councils).
ARMED_GROUPS = frozenset({"Eastern Coalition Forces", "Provisional Unity Council", "Southern Tribal Alliance"})
ACTORS = (
    ActorSpec(
        "Khalid al-Qadhi",
        PERSON,
        "m",
        "LY",
        "Khalid al-Qadhi",
        "Khaled el-Kadi",
        "Халид аль-Кади",
        "خالد القاضي",
        (
            ("Khaled al-Qadi", "en"),
            ("Khalid Gadhi", ""),
            ("Khaled el-Kadi", "fr"),
            ("al-Qadhi", ""),
            ("Халид аль-Кади", "ru"),
            ("خالد القاضي", "ar"),
        ),
    ),
    ActorSpec(
        "Mustafa Bin Salem",
        PERSON,
        "m",
        "LY",
        "Mustafa Bin Salem",
        "Moustafa Ben Salem",
        "Мустафа бен Салем",
        "مصطفى بن سالم",
        (
            ("Mostafa Bensalem", ""),
            ("Moustafa Ben Salem", "fr"),
            ("Bin Salem", ""),
            ("Мустафа бен Салем", "ru"),
            ("مصطفى بن سالم", "ar"),
        ),
    ),
    ActorSpec(
        "Yusuf al-Misrati",
        PERSON,
        "m",
        "LY",
        "Yusuf al-Misrati",
        "Youssef el-Misrati",
        "Юсуф аль-Мисрати",
        "يوسف المصراتي",
        (
            ("Yousef al-Mesrati", "en"),
            ("Youssef el-Misrati", "fr"),
            ("Mesrati", ""),
            ("Юсуф аль-Мисрати", "ru"),
            ("يوسف المصراتي", "ar"),
        ),
    ),
    ActorSpec(
        "Amira Haddad",
        PERSON,
        "f",
        "LB",
        "Amira Haddad",
        "Amira Haddad",
        "Амира Хаддад",
        "أميرة حداد",
        (("Amirah Hadad", ""), ("Haddad", ""), ("Амира Хаддад", "ru"), ("أميرة حداد", "ar")),
    ),
    ActorSpec(
        "Tarek Mansour",
        PERSON,
        "m",
        "EG",
        "Tarek Mansour",
        "Tarek Mansour",
        "Тарек Мансур",
        "طارق منصور",
        (("Tariq Mansur", "en"), ("Tarik Mansour", ""), ("Тарек Мансур", "ru"), ("طارق منصور", "ar")),
    ),
    ActorSpec(
        "Omar Benali",
        PERSON,
        "m",
        "DZ",
        "Omar Benali",
        "Omar Ben Ali",
        "Омар Бенали",
        "عمر بن علي",
        (("Omar Ben Ali", "fr"), ("Omar Benaly", ""), ("Омар Бенали", "ru"), ("عمر بن علي", "ar")),
    ),
    ActorSpec(
        "Salma Idris",
        PERSON,
        "f",
        "SD",
        "Salma Idris",
        "Salma Idriss",
        "Сальма Идрис",
        "سلمى إدريس",
        (("Salma Idriss", "fr"), ("Selma Idris", ""), ("Сальма Идрис", "ru"), ("سلمى إدريس", "ar")),
    ),
    ActorSpec(
        "Nguyễn Văn Hùng",
        PERSON,
        "m",
        "VN",
        "Nguyễn Văn Hùng",
        "Nguyen Van Hung",
        "Нгуен Ван Хунг",
        "نغوين فان هونغ",
        (("Nguyen Van Hung", ""), ("Hùng Nguyễn", "vi"), ("Нгуен Ван Хунг", "ru")),
    ),
    ActorSpec(
        "Trần Thị Mai",
        PERSON,
        "f",
        "VN",
        "Trần Thị Mai",
        "Tran Thi Mai",
        "Чан Тхи Май",
        "تران ثي ماي",
        (("Tran Thi Mai", ""), ("Чан Тхи Май", "ru")),
    ),
    ActorSpec(
        "Lê Minh Tuấn",
        PERSON,
        "m",
        "VN",
        "Lê Minh Tuấn",
        "Le Minh Tuan",
        "Ле Минь Туан",
        "لي مينه توان",
        (("Le Minh Tuan", ""), ("Ле Минь Туан", "ru")),
    ),
    ActorSpec(
        "Phạm Quốc Bảo",
        PERSON,
        "m",
        "VN",
        "Phạm Quốc Bảo",
        "Pham Quoc Bao",
        "Фам Куок Бао",
        "فام كوك باو",
        (("Pham Quoc Bao", ""), ("Фам Куок Бао", "ru")),
    ),
    ActorSpec(
        "Đặng Thu Hà",
        PERSON,
        "f",
        "VN",
        "Đặng Thu Hà",
        "Dang Thu Ha",
        "Данг Тху Ха",
        "دانغ ثو ها",
        (("Dang Thu Ha", ""), ("Данг Тху Ха", "ru")),
    ),
    ActorSpec(
        "Andrei Sokolov",
        PERSON,
        "m",
        "RU",
        "Andrei Sokolov",
        "Andreï Sokolov",
        "Андрей Соколов",
        "أندريه سوكولوف",
        (
            ("Andrey Sokolov", "en"),
            ("Andreï Sokolov", "fr"),
            ("An-đrây Xô-cô-lốp", "vi"),
            ("Андрей Соколов", "ru"),
            ("أندريه سوكولوف", "ar"),
        ),
    ),
    ActorSpec(
        "Irina Volkova",
        PERSON,
        "f",
        "RU",
        "Irina Volkova",
        "Irina Volkova",
        "Ирина Волкова",
        "إيرينا فولكوفا",
        (("I-ri-na Vôn-cô-va", "vi"), ("Ирина Волкова", "ru"), ("إيرينا فولكوفا", "ar")),
    ),
    ActorSpec(
        "Nikolai Belov",
        PERSON,
        "m",
        "RU",
        "Nikolai Belov",
        "Nikolaï Belov",
        "Николай Белов",
        "نيكولاي بيلوف",
        (("Nikolay Belov", "en"), ("Nikolaï Belov", "fr"), ("Николай Белов", "ru")),
    ),
    ActorSpec(
        "Camille Durand",
        PERSON,
        "f",
        "FR",
        "Camille Durand",
        "Camille Durand",
        "Камиль Дюран",
        "كاميل دوران",
        (("C. Durand", ""), ("Камиль Дюран", "ru"), ("كاميل دوران", "ar")),
    ),
    ActorSpec(
        "Jean-Luc Moreau",
        PERSON,
        "m",
        "FR",
        "Jean-Luc Moreau",
        "Jean-Luc Moreau",
        "Жан-Люк Моро",
        "جان لوك مورو",
        (("Jean Luc Moreau", ""), ("Жан-Люк Моро", "ru"), ("جان لوك مورو", "ar")),
    ),
    ActorSpec(
        "Hélène Lefèvre",
        PERSON,
        "f",
        "FR",
        "Hélène Lefèvre",
        "Hélène Lefèvre",
        "Элен Лефевр",
        "هيلين لوفيفر",
        (("Helene Lefevre", ""), ("Элен Лефевр", "ru")),
    ),
    ActorSpec(
        "Margaret Collins",
        PERSON,
        "f",
        "GB",
        "Margaret Collins",
        "Margaret Collins",
        "Маргарет Коллинз",
        "مارغريت كولينز",
        (("Maggie Collins", "en"), ("Маргарет Коллинз", "ru")),
    ),
    ActorSpec(
        "David Okafor",
        PERSON,
        "m",
        "GB",
        "David Okafor",
        "David Okafor",
        "Дэвид Окафор",
        "ديفيد أوكافور",
        (("Dave Okafor", "en"), ("Дэвид Окафор", "ru")),
    ),
    ActorSpec(
        "Eastern Coalition Forces",
        ORG,
        "f",
        "LY",
        "Lực lượng Liên minh miền Đông",
        "Forces de la coalition de l'Est",
        "Силы Восточной коалиции",
        "قوات التحالف الشرقي",
        (
            ("ECF", ""),
            ("Liên minh miền Đông", "vi"),
            ("Forces de la coalition de l'Est", "fr"),
            ("СВК", "ru"),
            ("قوات التحالف الشرقي", "ar"),
        ),
    ),
    ActorSpec(
        "Provisional Unity Council",
        ORG,
        "m",
        "LY",
        "Hội đồng Đoàn kết Lâm thời",
        "Conseil provisoire d'unité",
        "Временный совет единства",
        "مجلس الوحدة المؤقت",
        (
            ("PUC", ""),
            ("Hội đồng Lâm thời", "vi"),
            ("Conseil provisoire d'unité", "fr"),
            ("ВСЕ", "ru"),
            ("مجلس الوحدة المؤقت", "ar"),
        ),
    ),
    ActorSpec(
        "National Health Agency",
        ORG,
        "f",
        "LY",
        "Cơ quan Y tế Quốc gia",
        "Agence nationale de la santé",
        "Национальное агентство здравоохранения",
        "الوكالة الوطنية للصحة",
        (("NHA", ""), ("Cơ quan Y tế", "vi"), ("Агентство здравоохранения", "ru"), ("الوكالة الوطنية للصحة", "ar")),
    ),
    ActorSpec(
        "Green Valley Party",
        ORG,
        "m",
        "VN",
        "Đảng Thung lũng Xanh",
        "Parti de la Vallée verte",
        "Партия Зелёной долины",
        "حزب الوادي الأخضر",
        (("GVP", ""), ("Thung lũng Xanh", "vi"), ("Партия Зелёной долины", "ru"), ("حزب الوادي الأخضر", "ar")),
    ),
    ActorSpec(
        "Coastal Refugee Council",
        ORG,
        "m",
        "LB",
        "Hội đồng Người tị nạn Duyên hải",
        "Conseil des réfugiés du littoral",
        "Совет беженцев побережья",
        "مجلس لاجئي الساحل",
        (("CRC", ""), ("Conseil des réfugiés", "fr"), ("Совет беженцев", "ru"), ("مجلس لاجئي الساحل", "ar")),
    ),
    ActorSpec(
        "Southern Tribal Alliance",
        ORG,
        "m",
        "LY",
        "Liên minh Bộ tộc phía Nam",
        "Alliance tribale du Sud",
        "Союз южных племён",
        "تحالف القبائل الجنوبية",
        (("STA", ""), ("Liên minh phía Nam", "vi"), ("Союз южных племен", "ru"), ("تحالف القبائل الجنوبية", "ar")),
    ),
    ActorSpec(
        "Hanoi Institute for Economic Studies",
        ORG,
        "m",
        "VN",
        "Viện Nghiên cứu Kinh tế Hà Nội",
        "Institut d'études économiques de Hanoï",
        "Ханойский институт экономических исследований",
        "معهد هانوي للدراسات الاقتصادية",
        (("HIES", ""), ("Viện NCKT Hà Nội", "vi"), ("Institut de Hanoï", "fr"), ("معهد هانوي", "ar")),
    ),
    ActorSpec(
        "Red River Power Company",
        ORG,
        "f",
        "VN",
        "Công ty Điện lực Sông Hồng",
        "Compagnie d'électricité du fleuve Rouge",
        "Энергокомпания Красной реки",
        "شركة كهرباء النهر الأحمر",
        (("RRPC", ""), ("Điện lực Sông Hồng", "vi"), ("Энергокомпания Красной реки", "ru")),
    ),
    ActorSpec(
        "Moscow Centre for Regional Policy",
        ORG,
        "m",
        "RU",
        "Trung tâm Chính sách Khu vực Moskva",
        "Centre moscovite de politique régionale",
        "Московский центр региональной политики",
        "مركز موسكو للسياسات الإقليمية",
        (("MCRP", ""), ("МЦРП", "ru"), ("Centre moscovite", "fr")),
    ),
    ActorSpec(
        "Paris Migration Observatory",
        ORG,
        "m",
        "FR",
        "Đài quan sát Di cư Paris",
        "Observatoire parisien des migrations",
        "Парижская обсерватория миграции",
        "مرصد باريس للهجرة",
        (("OPM", ""), ("Observatoire des migrations", "fr"), ("مرصد الهجرة", "ar")),
    ),
)

#: (name, domain, country, language): fictional outlets on the reserved ``.example`` domain.
OUTLETS = (
    ("Báo Tin Nhanh Sông Hồng", "tinnhanhsonghong.example", "VN", "vi"),
    ("Thời báo Phương Nam", "thoibaophuongnam.example", "VN", "vi"),
    ("Đài Tiếng nói Đồng bằng", "tiengnoidongbang.example", "VN", "vi"),
    ("Tạp chí Kinh tế Hôm nay", "kinhtehomnay.example", "VN", "vi"),
    ("Người Đưa Tin Mới", "nguoiduatinmoi.example", "VN", "vi"),
    ("Cổng Thông tin Thủ đô", "thongtinthudo.example", "VN", "vi"),
    ("The Morning Ledger", "morningledger.example", "GB", "en"),
    ("Coastline Post", "coastlinepost.example", "US", "en"),
    ("Global Wire Service", "globalwire.example", "GB", "en"),
    ("The Daily Meridian", "dailymeridian.example", "US", "en"),
    ("Le Courrier du Matin", "courrierdumatin.example", "FR", "fr"),
    ("La Gazette du Littoral", "gazettedulittoral.example", "FR", "fr"),
    ("Dépêches internationales", "depechesinternationales.example", "FR", "fr"),
    ("Вечерний вестник", "vecherniy-vestnik.example", "RU", "ru"),
    ("Северная газета", "severnaya-gazeta.example", "RU", "ru"),
    ("Столичный обозреватель", "stolichny-obozrevatel.example", "RU", "ru"),
    ("صحيفة الفجر الجديد", "alfajr-aljadid.example", "EG", "ar"),
    ("أخبار الساحل", "akhbar-alsahil.example", "LY", "ar"),
    ("منبر الخبر", "minbar-alkhabar.example", "LB", "ar"),
)

#: (username, first name, last name, group)
USERS = (
    ("gen-researcher-1", "Thu", "Trang Nguyễn", "Researcher"),
    ("gen-researcher-2", "Minh", "Khoa Lê", "Researcher"),
    ("gen-researcher-3", "Lan", "Anh Phạm", "Researcher"),
    ("gen-researcher-4", "Quang", "Huy Trần", "Researcher"),
    ("gen-researcher-5", "Sophie", "Martin", "Researcher"),
    ("gen-researcher-6", "Olga", "Smirnova", "Researcher"),
    ("gen-researcher-7", "Layla", "Nasser", "Researcher"),
    ("gen-researcher-8", "Tom", "Baker", "Researcher"),
    ("gen-editor-1", "Hải", "Yến Đỗ", "Editor"),
    ("gen-editor-2", "Bình", "An Vũ", "Editor"),
    ("gen-editor-3", "Pierre", "Lambert", "Editor"),
    ("gen-editor-4", "Rania", "Khalil", "Editor"),
    ("gen-publisher-1", "Quốc", "Việt Hoàng", "Publisher"),
    ("gen-publisher-2", "Anna", "Petrova", "Publisher"),
    ("gen-publisher-3", "James", "Wright", "Publisher"),
)
#: Unusable (Django treats a password starting with "!" as unset) and fixed, so reruns are identical.
UNUSABLE_PASSWORD = "!generated-user-no-login"  # noqa: S105 — not a password: the mark of none


@dataclass(frozen=True)
class Frame:
    """One kind of statement, rendered in each language it has, from the same slot values."""

    key: str
    topics: tuple[str, ...]
    texts: dict[str, str]
    actor: str = ""  # "person", "organization", "armed" (an armed group) or "" (no actor slot)
    place: str = "any"  # "any", "country", "city" or "" (no place slot)
    number: tuple[int, int] = (0, 0)
    percent: tuple[int, int] = (0, 0)
    qualified: bool = True


FRAMES = (
    Frame("killed", ("armed-conflict",), number=(3, 450), texts={
        "vi": "{q}{n} người đã thiệt mạng {Ploc} kể từ ngày {D}",
        "en": "{q}{n} people have been killed {Ploc} since {D}",
        "fr": "{q}{n} personnes ont été tuées {Ploc} depuis le {D}",
        "ru": "{q}{n} {people} погибли {Ploc} с {D}",
        "ar": "قُتل {q}{n} {people} {Ploc} منذ {D}",
    }),
    Frame("injured", ("armed-conflict", "humanitarian"), number=(5, 900), texts={
        "vi": "{q}{n} người bị thương trong các cuộc giao tranh {Ploc}",
        "en": "{q}{n} people were injured in the fighting {Ploc}",
        "fr": "{q}{n} personnes ont été blessées dans les combats {Ploc}",
        "ru": "{q}{n} {people} получили ранения в ходе боёв {Ploc}",
        "ar": "أصيب {q}{n} {people} في المعارك {Ploc}",
    }),
    Frame("territory", ("armed-conflict",), actor=ARMED, place="country", percent=(3, 95), qualified=False, texts={
        "vi": "{A} đang kiểm soát chỉ {pct} lãnh thổ {P}",
        "en": "{A} controls only {pct} of the territory of {P}",
        "fr": "{A} ne contrôle que {pct} du territoire {Pof}",
        "ru": "{A} контролирует лишь {pct} территории {Pgen}",
        "ar": "يسيطر {A} على {pct} فقط من أراضي {P}",
        "ar_f": "تسيطر {A} على {pct} فقط من أراضي {P}",
    }),
    Frame("no-jets", ("armed-conflict",), actor=ARMED, texts={
        "vi": "{A} không sử dụng máy bay chiến đấu {Ploc}",
        "en": "{A} has not used fighter jets {Ploc}",
        "fr": "{A} n'a pas utilisé d'avions de chasse {Ploc}",
        "ru": "{A} не применяет боевую авиацию {Ploc}",
        "ar": "لم يستخدم {A} الطائرات المقاتلة {Ploc}",
        "ar_f": "لم تستخدم {A} الطائرات المقاتلة {Ploc}",
    }),
    Frame("airport", ("armed-conflict",), actor=ARMED, place="city", texts={
        "vi": "{A} đã chiếm được sân bay quốc tế {Ploc} vào ngày {D}",
        "en": "{A} took control of the international airport {Ploc} on {D}",
        "fr": "{A} a pris le contrôle de l'aéroport international {Ploc} le {D}",
        "ru": "{A} контролирует международный аэропорт {Ploc} с {D}",
        "ar": "سيطر {A} على المطار الدولي {Ploc} في {D}",
        "ar_f": "سيطرت {A} على المطار الدولي {Ploc} في {D}",
    }),
    Frame("age", ("public-figures",), actor=PERSON, place="", number=(45, 88), qualified=False, texts={
        "vi": "{A} năm nay {n} tuổi",
        "en": "{A} is {n} years old",
        "fr": "{A} est âgé de {n} ans",
        "fr_f": "{A} est âgée de {n} ans",
        "ar": "يبلغ {A} من العمر {n} عامًا",
        "ar_f": "تبلغ {A} من العمر {n} عامًا",
    }),
    Frame("unemployment", ("economy",), percent=(3, 38), qualified=False, texts={
        "vi": "tỷ lệ thất nghiệp {Ploc} đã tăng lên {pct} trong năm {Y}",
        "en": "unemployment {Ploc} rose to {pct} in {Y}",
        "fr": "le chômage {Ploc} a atteint {pct} en {Y}",
        "ru": "безработица {Ploc} выросла до {pct} в {Y} году",
        "ar": "ارتفع معدل البطالة {Ploc} إلى {pct} في عام {Y}",
    }),
    Frame("foreign-aid", ("economy", "humanitarian"), place="country", number=(5, 900), texts={
        "vi": "viện trợ nước ngoài {Ploc} trong năm {Y} đạt {q}{n} triệu USD",
        "en": "foreign aid {Ploc} reached {q}${n} million in {Y}",
        "fr": "l'aide étrangère versée {Ploc} a atteint {q}{n} millions de dollars en {Y}",
        "ru": "иностранная помощь {Ploc} в {Y} году составила {q}{n} млн долларов",
        "ar": "بلغت المساعدات الخارجية {Ploc} {q}{n} مليون دولار في عام {Y}",
    }),
    Frame("vaccinated", ("health",), percent=(8, 97), texts={
        "vi": "{q}{pct} người dân {Ploc} đã được tiêm vắc xin",
        "en": "{q}{pct} of residents {Ploc} have been vaccinated",
        "fr": "{q}{pct} des habitants {Ploc} ont été vaccinés",
        "ru": "{q}{pct} жителей {Pgen} уже привиты",
        "ar": "تلقى {q}{pct} من السكان {Ploc} اللقاح",
    }),
    Frame("fled", ("humanitarian",), number=(100, 90000), texts={
        "vi": "{q}{n} người đã phải rời bỏ nhà cửa {Ploc} trong tuần qua",
        "en": "{q}{n} people have fled their homes {Ploc} in the past week",
        "fr": "{q}{n} personnes ont fui leur domicile {Ploc} la semaine dernière",
        "ru": "{q}{n} {people} покинули свои дома {Ploc} за последнюю неделю",
        "ar": "نزح {q}{n} {people} عن منازلهم {Ploc} خلال الأسبوع الماضي",
    }),
    Frame("ceasefire", ("armed-conflict",), actor=ARMED, place="", texts={
        "vi": "{A} đã đồng ý ngừng bắn từ ngày {D}",
        "en": "{A} has agreed to a ceasefire starting {D}",
        "fr": "{A} a accepté un cessez-le-feu à partir du {D}",
        "ru": "{A} соглашается на прекращение огня с {D}",
        "ar": "وافق {A} على وقف إطلاق النار اعتبارًا من {D}",
        "ar_f": "وافقت {A} على وقف إطلاق النار اعتبارًا من {D}",
    }),
    Frame("turnout", ("elections",), percent=(12, 71), qualified=False, texts={
        "vi": "tỷ lệ cử tri đi bầu {Ploc} chỉ đạt {pct}",
        "en": "voter turnout {Ploc} was only {pct}",
        "fr": "le taux de participation {Ploc} n'a été que de {pct}",
        "ru": "явка избирателей {Ploc} составила лишь {pct}",
        "ar": "لم تتجاوز نسبة المشاركة في الانتخابات {Ploc} {pct}",
    }),
    Frame("fuel-prices", ("economy", "energy"), percent=(4, 160), qualified=False, texts={
        "vi": "giá xăng {Ploc} đã tăng {pct} kể từ {M}",
        "en": "fuel prices {Ploc} have risen by {pct} since {M}",
        "fr": "le prix du carburant {Ploc} a augmenté de {pct} depuis {M}",
        "ru": "цены на топливо {Ploc} выросли на {pct} с {M}",
        "ar": "ارتفعت أسعار الوقود {Ploc} بنسبة {pct} منذ {M}",
    }),
    Frame("arrests", ("human-rights",), actor=ARMED, number=(5, 600), texts={
        "vi": "{A} đã bắt giữ {q}{n} người biểu tình {Ploc}",
        "en": "{A} detained {q}{n} protesters {Ploc}",
        "fr": "{A} a arrêté {q}{n} manifestants {Ploc}",
        "ar": "اعتقل {A} {q}{n} من المتظاهرين {Ploc}",
        "ar_f": "اعتقلت {A} {q}{n} من المتظاهرين {Ploc}",
    }),
    Frame("power-cuts", ("energy", "humanitarian"), place="city", number=(2, 18), qualified=False, texts={
        "vi": "người dân {Ploc} bị cắt điện tới {n} giờ mỗi ngày",
        "en": "residents {Ploc} face power cuts of up to {n} hours a day",
        "fr": "les habitants {Ploc} subissent des coupures de courant allant jusqu'à {n} heures par jour",
        "ru": "жители {Pgen} остаются без электричества до {n} ч. в сутки",
        "ar": "يعاني السكان {Ploc} من انقطاع الكهرباء لمدة تصل إلى {n} ساعة يوميًا",
    }),
    Frame("no-army", ("armed-conflict",), actor=ARMED, place="", texts={
        "vi": "{A} vẫn chưa thể thành lập một quân đội thống nhất",
        "en": "{A} has still not been able to form a unified army",
        "fr": "{A} n'a toujours pas réussi à former une armée unifiée",
        "ru": "{A} до сих пор не располагает единой армией",
        "ar": "لم يتمكن {A} بعد من تشكيل جيش موحد",
        "ar_f": "لم تتمكن {A} بعد من تشكيل جيش موحد",
    }),
    Frame("deficit", ("economy",), place="country", percent=(1, 19), qualified=False, texts={
        "vi": "thâm hụt ngân sách của {P} năm {Y} ở mức {pct} GDP",
        "en": "the budget deficit of {P} was {pct} of GDP in {Y}",
        "fr": "le déficit budgétaire {Pof} s'est établi à {pct} du PIB en {Y}",
        "ru": "дефицит бюджета {Pgen} в {Y} году составил {pct} ВВП",
        "ar": "بلغ عجز الموازنة في {P} {pct} من الناتج المحلي الإجمالي في عام {Y}",
    }),
)  # fmt: skip

#: How a source attributes a claim: (prefix, suffix) around the claim's words; {S} is the speaker, {D} a date.
ATTRIBUTIONS = {
    "vi": (
        ("{S} cho biết ", "."),
        ("{S} khẳng định ", "."),
        ("Theo {S}, ", "."),
        ("Phát biểu hôm {D}, {S} nói rằng ", "."),
        ("{S} tuyên bố ", "."),
    ),
    "en": (
        ("{S} said ", "."),
        ("According to {S}, ", "."),
        ("{S} claimed that ", "."),
        ("Speaking on {D}, {S} said ", "."),
        ("{S} told reporters that ", "."),
    ),
    "fr": (
        ("{S} a affirmé que ", "."),
        ("Selon {S}, ", "."),
        ("{S} a déclaré que ", "."),
        ("Interrogé le {D}, {S} a assuré que ", "."),
    ),
    "ru": (
        ("{S} утверждает, что ", "."),
        ("Как сообщает {S}, ", "."),
        ("По словам, которые приводит {S}, ", "."),
        ("{S} заявляет, что ", "."),
    ),
    "ar": (("قال {S} إن ", "."), ("وبحسب {S}، ", "."), ("أكد {S} أن ", "."), ("وأفاد {S} بأن ", ".")),
    "ar_f": (("قالت {S} إن ", "."), ("وبحسب {S}، ", "."), ("أكدت {S} أن ", "."), ("وأفادت {S} بأن ", ".")),
}
#: Sentences around the claims in a source's text.
FILLERS = {
    "vi": (
        "Tình hình {Ploc} vẫn diễn biến phức tạp trong những ngày qua.",
        "Cộng đồng quốc tế bày tỏ quan ngại sâu sắc trước các diễn biến mới.",
        "Liên Hợp Quốc kêu gọi các bên kiềm chế và quay lại bàn đàm phán.",
        "Đến chiều {D}, chưa có thêm thông tin về số người thương vong.",
        "Phóng viên tại {P} ghi nhận nhiều cửa hàng vẫn đóng cửa.",
        "Giao thông {Ploc} bị gián đoạn trong nhiều giờ.",
        "Các chuyên gia cho rằng cần thêm thời gian để đánh giá đầy đủ tác động.",
        "Trước đó, hai bên đã có {n} vòng đàm phán nhưng không đạt kết quả.",
        "Người dân {Ploc} cho biết họ lo ngại về an ninh và giá cả.",
        "Thông tin này chưa được kiểm chứng độc lập.",
    ),
    "en": (
        "The situation {Ploc} remained tense over the past few days.",
        "The international community expressed deep concern at the latest developments.",
        "The United Nations called on all sides to show restraint and return to talks.",
        "By the afternoon of {D}, there was no further information on casualties.",
        "Our correspondent in {P} saw many shops still closed.",
        "Traffic {Ploc} was disrupted for several hours.",
        "Analysts said it would take time to assess the full impact.",
        "The two sides had held {n} rounds of talks without result.",
        "Residents {Ploc} said they were worried about security and prices.",
        "The information could not be independently verified.",
    ),
    "fr": (
        "La situation {Ploc} reste tendue depuis plusieurs jours.",
        "La communauté internationale s'est dite profondément préoccupée.",
        "Les Nations unies ont appelé toutes les parties à la retenue.",
        "Dans l'après-midi du {D}, aucun nouveau bilan n'avait été communiqué.",
        "Notre correspondant à {P} a constaté que de nombreux commerces restaient fermés.",
        "La circulation {Ploc} a été perturbée pendant plusieurs heures.",
        "Selon des analystes, il faudra du temps pour mesurer l'ampleur des conséquences.",
        "Les deux camps avaient déjà tenu {n} cycles de négociations, sans résultat.",
        "Ces informations n'ont pas pu être vérifiées de source indépendante.",
    ),
    "ru": (
        "Обстановка {Ploc} в последние дни остаётся напряжённой.",
        "Международное сообщество выразило глубокую обеспокоенность происходящим.",
        "В ООН призвали стороны к сдержанности и возвращению к переговорам.",
        "К вечеру {D} новых данных о пострадавших не поступало.",
        "Движение транспорта {Ploc} было нарушено на несколько часов.",
        "По мнению экспертов, оценить последствия удастся не сразу.",
        "Стороны провели уже {n} раундов переговоров, но безрезультатно.",
        "Жители {Pgen} жалуются на рост цен и отсутствие безопасности.",
        "Независимого подтверждения этой информации пока нет.",
    ),
    "ar": (
        "ولا يزال الوضع {Ploc} متوترًا منذ أيام.",
        "وأعرب المجتمع الدولي عن قلقه العميق إزاء التطورات الأخيرة.",
        "ودعت الأمم المتحدة جميع الأطراف إلى ضبط النفس والعودة إلى المفاوضات.",
        "وحتى مساء {D}، لم ترد معلومات جديدة عن الضحايا.",
        "وتعطلت حركة المرور {Ploc} لعدة ساعات.",
        "ويرى محللون أن تقييم التداعيات الكاملة سيستغرق وقتًا.",
        "وكان الطرفان قد عقدا {n} جولات من المفاوضات من دون نتيجة.",
        "ولم يتسن التحقق من هذه المعلومات من مصدر مستقل.",
    ),
}
TITLE_PREFIX = {"vi": "{P}: ", "en": "{P}: ", "fr": "{P} : ", "ru": "{P}: ", "ar": "{P}: "}

METHOD = {
    "vi": (
        "Chúng tôi đã đối chiếu nhận định với số liệu công bố chính thức và các nguồn tin độc lập.",
        "Phóng viên đã liên hệ với các bên liên quan và xem xét tài liệu gốc.",
        "Chúng tôi đã so sánh nhận định với dữ liệu của các tổ chức quốc tế và báo cáo thực địa.",
    ),
    "en": (
        "We compared the claim with official figures and independent sources.",
        "Our reporters contacted the parties involved and reviewed the original documents.",
        "We checked the claim against data from international organisations and field reports.",
    ),
    "fr": (
        "Nous avons comparé cette affirmation aux chiffres officiels et à des sources indépendantes.",
        "Nos journalistes ont contacté les parties concernées et examiné les documents d'origine.",
    ),
    "ru": (
        "Мы сравнили это утверждение с официальной статистикой и независимыми источниками.",
        "Наши корреспонденты связались с участниками событий и изучили исходные документы.",
    ),
    "ar": (
        "قارنّا هذا الادعاء بالأرقام الرسمية وبمصادر مستقلة.",
        "تواصل مراسلونا مع الأطراف المعنية واطلعوا على الوثائق الأصلية.",
    ),
}
FINDINGS = {
    "vi": {
        "TRUE": ("Các nguồn độc lập đều xác nhận con số được nêu.", "Số liệu chính thức khớp với nhận định."),
        "MIXTURE": ("Nhận định có phần đúng nhưng bỏ qua bối cảnh quan trọng.", "Con số được nêu đúng về thời điểm nhưng bị diễn giải sai phạm vi."),  # noqa: E501
        "FALSE": ("Không có nguồn đáng tin cậy nào ủng hộ nhận định này.", "Dữ liệu chính thức cho thấy con số thực tế khác xa so với nhận định."),  # noqa: E501
        "OTHER": ("Hiện chưa có đủ bằng chứng độc lập để xác nhận hay bác bỏ nhận định.", "Các nguồn tin đưa ra những con số mâu thuẫn nhau."),  # noqa: E501
    },
    "en": {
        "TRUE": ("Independent sources confirm the figure.", "Official data match the claim."),
        "MIXTURE": ("The claim is partly accurate but leaves out important context.", "The figure is right for the date but is applied to the wrong area."),  # noqa: E501
        "FALSE": ("No reliable source supports the claim.", "Official data show a very different figure."),
        "OTHER": ("There is not yet enough independent evidence to confirm or refute it.", "Sources give conflicting figures."),  # noqa: E501
    },
    "fr": {
        "TRUE": ("Des sources indépendantes confirment ce chiffre.", "Les données officielles concordent."),
        "MIXTURE": ("L'affirmation est en partie exacte mais omet un contexte important.", "Le chiffre est juste mais concerne un autre périmètre."),  # noqa: E501
        "FALSE": ("Aucune source fiable ne corrobore cette affirmation.", "Les données officielles indiquent un chiffre très différent."),  # noqa: E501
        "OTHER": ("Les éléments disponibles ne permettent ni de confirmer ni d'infirmer l'affirmation.", "Les sources donnent des chiffres contradictoires."),  # noqa: E501
    },
    "ru": {
        "TRUE": ("Независимые источники подтверждают эту цифру.", "Официальные данные совпадают с утверждением."),
        "MIXTURE": ("Утверждение отчасти верно, но упускает важный контекст.", "Цифра верна, но относится к другой территории."),  # noqa: E501
        "FALSE": ("Ни один надёжный источник не подтверждает это утверждение.", "Официальные данные говорят о совсем другой цифре."),  # noqa: E501
        "OTHER": ("Пока недостаточно независимых данных, чтобы подтвердить или опровергнуть утверждение.", "Источники приводят противоречивые цифры."),  # noqa: E501
    },
    "ar": {
        "TRUE": ("تؤكد مصادر مستقلة هذا الرقم.", "تتطابق البيانات الرسمية مع الادعاء."),
        "MIXTURE": ("الادعاء صحيح جزئيًا لكنه يغفل سياقًا مهمًا.", "الرقم صحيح لكنه يخص نطاقًا مختلفًا."),
        "FALSE": ("لا يدعم أي مصدر موثوق هذا الادعاء.", "تظهر البيانات الرسمية رقمًا مختلفًا تمامًا."),
        "OTHER": ("لا توجد حتى الآن أدلة مستقلة كافية لتأكيد الادعاء أو نفيه.", "تقدم المصادر أرقامًا متضاربة."),
    },
}  # fmt: skip
FIRST_SEEN = {
    "vi": "Nhận định xuất hiện lần đầu trên {outlet}.",
    "en": "The claim first appeared in {outlet}.",
    "fr": "L'affirmation a d'abord été publiée par {outlet}.",
    "ru": "Впервые утверждение появилось в издании «{outlet}».",
    "ar": "ظهر الادعاء لأول مرة في {outlet}.",
}
CONCLUSION = {
    "vi": "**Kết luận:** {label}.",
    "en": "**Verdict:** {label}.",
    "fr": "**Verdict :** {label}.",
    "ru": "**Вердикт:** {label}.",
    "ar": "**الحكم:** {label}.",
}
CORRECTION_TEXT = {
    "vi": "_Cập nhật:_ bài kiểm chứng đã được điều chỉnh sau khi có số liệu mới.",
    "en": "_Update:_ this fact-check was revised after new figures were released.",
    "fr": "_Mise à jour :_ cette vérification a été révisée après la publication de nouveaux chiffres.",
    "ru": "_Обновление:_ проверка пересмотрена после публикации новых данных.",
    "ar": "_تحديث:_ عُدّل هذا التحقق بعد نشر أرقام جديدة.",
}
#: (language, text)
CORRECTION_NOTES = (
    ("vi", "Cập nhật số liệu theo báo cáo mới của cơ quan y tế."),
    ("vi", "Đã sửa ngày diễn ra sự kiện và bổ sung nguồn."),
    ("en", "Rating changed after new evidence from the ministry."),
    ("en", "Corrected the figure and added a second source."),
)
RETRACTION_REASONS = (
    "Bài kiểm chứng dựa trên một tài liệu sau đó được xác định là giả mạo.",
    "Chúng tôi rút lại bài kiểm chứng vì đã nhầm lẫn giữa hai sự kiện khác nhau.",
    "The verdict relied on figures the agency later withdrew.",
    "The claim was misattributed: the speaker never said it.",
)
CHANGE_REQUESTS = (
    "Cần thêm nguồn độc lập cho con số này.",
    "Phần giải thích chưa rõ, đề nghị viết lại kết luận.",
    "Kiểm tra lại ngày tháng trong nhận định.",
    "Please link the original source.",
    "The headline overstates the finding.",
)
SOURCE_KINDS = ("article", "statement", "post", "transcript", "report")
SOURCE_KIND_WEIGHTS = (80, 8, 5, 4, 3)


class Dice:
    """``random.Random`` reduced to its fastest draw (``random()``): picks and ranges by arithmetic.

    Reproducible across runs and Python versions that keep the Mersenne Twister's ``random()``.
    """

    __slots__ = ("random",)

    def __init__(self, seed: str) -> None:
        self.random = random.Random(seed).random  # noqa: S311 — reproducible data, not secrets

    def pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return low + int(self.random() * (high - low + 1))

    def below(self, count: int) -> int:
        return int(self.random() * count)

    def weighted(self, table: tuple[Sequence[Any], list[float], float]) -> Any:
        items, cumulative, total = table
        return items[bisect.bisect(cumulative, self.random() * total)]


def weights(items: Sequence[Any], weights: Sequence[float]) -> tuple[Sequence[Any], list[float], float]:
    cumulative = list(itertools.accumulate(weights))
    return items, cumulative, cumulative[-1]


LANGUAGE_TABLE = weights(LANGUAGES, LANGUAGE_WEIGHTS)
STATUS_TABLE = weights(STATUSES, STATUS_WEIGHTS)
SOURCE_KIND_TABLE = weights(SOURCE_KINDS, SOURCE_KIND_WEIGHTS)


# --- Reference rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """An actor or a place as the generator uses it: its id, its forms per language, and the names search
    indexes (the name, then the aliases in the database's order)."""

    id: int
    spec: Any
    names: tuple[str, ...]


@dataclass(frozen=True)
class RatingInfo:
    id: int
    slug: str
    rating_class: str
    labels: dict[str, str]


@dataclass
class World:
    """The reference rows every batch points to: users, ratings, outlets, actors, places, topics."""

    researchers: list[int]
    editors: list[int]
    publishers: list[int]
    ratings: list[RatingInfo]
    rating_weights: list[int]
    outlets: dict[str, list[tuple[int, str, str]]]  # language -> (id, name, domain)
    persons: list[Named]
    organizations: list[Named]
    countries: list[Named]
    cities: list[Named]
    topics: dict[str, int]


class GeneratorError(Exception):
    pass


def prepare_world(anchor: dt.datetime) -> World:
    """Find or create the reference rows (idempotent: a second run reuses them)."""
    groups = {group.name: group for group in Group.objects.filter(name__in=["Researcher", "Editor", "Publisher"])}
    if len(groups) != 3:
        raise GeneratorError("The newsroom groups are missing: run `manage.py migrate` first.")
    User = get_user_model()
    joined = anchor - dt.timedelta(days=366 * YEARS + 30)
    by_role: dict[str, list[int]] = {"Researcher": [], "Editor": [], "Publisher": []}
    for username, first_name, last_name, role in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@newsroom.example",
                is_staff=True,
                password=UNUSABLE_PASSWORD,
                date_joined=joined,
            )
            user.groups.add(groups[role])
        by_role[role].append(user.pk)

    if not Rating.objects.filter(is_active=True).exists():
        _create_rating_scale()
    ratings = [
        RatingInfo(r.pk, r.slug, r.rating_class, {label.language: label.label for label in r.labels.all()})
        for r in Rating.objects.filter(is_active=True).prefetch_related("labels").order_by("-value", "pk")
    ]
    weights = [RATING_WEIGHTS.get(r.slug, 10) for r in ratings]

    outlets: dict[str, list[tuple[int, str, str]]] = {}
    for name, domain, country, language in OUTLETS:
        outlet = Outlet.objects.filter(domain=domain).first()
        if outlet is None:
            outlet = Outlet.objects.create(
                name=name, domain=domain, home_url=f"https://{domain}/", country=country, language=language
            )
            Outlet.objects.filter(pk=outlet.pk).update(created_at=joined)  # not the wall clock: reruns match
        outlets.setdefault(language, []).append((outlet.pk, outlet.name, domain))

    places = [_ensure_place(spec) for spec in PLACES]
    actors = [_ensure_actor(spec, joined) for spec in ACTORS]
    place_names = _names(PlaceAlias, "place_id", places)
    actor_names = _names(ActorAlias, "actor_id", actors)
    named_places = [Named(p.pk, spec, place_names[p.pk]) for p, spec in zip(places, PLACES, strict=True)]
    named_actors = [Named(a.pk, spec, actor_names[a.pk]) for a, spec in zip(actors, ACTORS, strict=True)]

    topics = {}
    for slug, name in TOPICS.items():
        topic = Topic.objects.filter(slug=slug).first() or Topic.objects.create(slug=slug, name=name)
        topics[slug] = topic.pk

    return World(
        researchers=by_role["Researcher"],
        editors=by_role["Editor"],
        publishers=by_role["Publisher"],
        ratings=ratings,
        rating_weights=weights,
        outlets=outlets,
        persons=[a for a in named_actors if a.spec.kind == PERSON],
        organizations=[a for a in named_actors if a.spec.kind == ORG],
        countries=[p for p in named_places if p.spec.kind == "country"],
        cities=[p for p in named_places if p.spec.kind == "city"],
        topics=topics,
    )


def _create_rating_scale() -> None:
    from .demo.content import RATINGS

    for item in RATINGS:
        rating, _created = Rating.objects.get_or_create(
            slug=item["slug"], defaults={"value": item["value"], "rating_class": item["class"]}
        )
        for language, label in item["labels"].items():
            RatingLabel.objects.get_or_create(
                rating=rating,
                language=language,
                defaults={"label": label, "description": item["descriptions"].get(language, "")},
            )


def _ensure_place(spec: PlaceSpec) -> Place:
    place = Place.objects.filter(name=spec.name).first() or Place.objects.create(name=spec.name, country=spec.country)
    existing = set(place.aliases.values_list("name", flat=True))
    for name, language in spec.aliases:
        if name not in existing and name != spec.name:
            PlaceAlias.objects.create(place=place, name=name, language=language)
    return place


def _ensure_actor(spec: ActorSpec, created_at: dt.datetime) -> Actor:
    actor = Actor.objects.filter(name=spec.name, kind=spec.kind).order_by("pk").first()
    if actor is None:
        actor = Actor.objects.create(name=spec.name, kind=spec.kind, country=spec.country)
        Actor.objects.filter(pk=actor.pk).update(created_at=created_at)
    existing = set(actor.aliases.values_list("name", flat=True))
    for name, language in spec.aliases:
        if name not in existing and name != spec.name:
            ActorAlias.objects.create(actor=actor, name=name, language=language)
    return actor


def _names(alias_model: type[models.Model], owner: str, owners: Sequence[Actor | Place]) -> dict[int, tuple[str, ...]]:
    """Each owner's name then its aliases, in the order ``claims.search.document_for`` reads them (the
    aliases' default ordering, by the database's collation)."""
    names: dict[int, list[str]] = {o.pk: [o.name] for o in owners}
    for owner_id, name in alias_model._default_manager.filter(**{f"{owner}__in": list(names)}).values_list(  # type: ignore[attr-defined]
        owner, "name"
    ):
        names[owner_id].append(name)
    return {pk: tuple(found) for pk, found in names.items()}


# --- Building (pure) -------------------------------------------------------------------------------------

#: The tables a batch fills, in the order they are written (foreign keys point backwards), with the
#: columns of each row tuple. The models' own field lists are checked against these (``check_columns``).
MENTIONS = Claim.mentions.through
PLACES_M2M = Claim.places.through
TOPICS_M2M = Claim.topics.through
TABLES: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Source, (
        "id", "outlet_id", "kind", "url", "title", "language", "published_at", "text", "content_hash", "reference",
        "fetch_status", "fetch_error", "fetched_at", "fetch_due_at", "link_status", "link_checked_at",
        "needs_candidates", "created_by_id", "created_at", "updated_at",
    )),
    (Claim, (
        "id", "text", "language", "claimant_id", "claim_date", "status", "author_id", "internal_notes", "version",
        "created_at", "updated_at", "published_at", "retracted_at", "retraction_reason",
    )),
    (ClaimTranslation, ("id", "claim_id", "language", "text", "origin", "created_at", "updated_at")),
    (MENTIONS, ("id", "claim_id", "actor_id")),
    (PLACES_M2M, ("id", "claim_id", "place_id")),
    (TOPICS_M2M, ("id", "claim_id", "topic_id")),
    (Appearance, ("id", "claim_id", "source_id", "quote", "start", "end", "is_first", "created_at")),
    (Verdict, (
        "id", "claim_id", "rating_id", "author_id", "reviewer_id", "valid_as_of", "recheck_after",
        "recheck_due_since", "version", "created_at", "updated_at",
    )),
    (VerdictText, ("id", "verdict_id", "language", "headline", "explanation")),
    (Evidence, ("id", "verdict_id", "source_id", "stance", "note")),
    (VerdictVersion, ("id", "verdict_id", "number", "rating_id", "texts", "evidence", "created_by_id", "created_at")),
    (Correction, ("id", "claim_id", "version_id", "note", "language", "created_by_id", "created_at")),
    (ReviewEvent, ("id", "claim_id", "actor_id", "action", "from_status", "to_status", "comment", "created_at")),
    (SearchDocument, (
        "claim_id", "exact", "text_key", "names_key", "all_key", "sound_key", "facets", "needs_duplicate_scan",
    )),
)  # fmt: skip


def check_columns() -> list[str]:
    """Where the rows built here and the models' columns differ: a new field must be generated too."""
    problems = []
    for model, columns in TABLES:
        actual = {f.attname for f in model._meta.concrete_fields}
        if actual != set(columns):
            problems.append(f"{model._meta.db_table}: generated {sorted(columns)}, the model has {sorted(actual)}")
    return problems


@dataclass
class Batch:
    """The rows of one batch, per table, as tuples in ``TABLES``' column order; ``next_ids`` are the
    first ids after it."""

    rows: dict[str, list[tuple[Any, ...]]]
    claims: int
    next_ids: dict[str, int]

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class Stamps:
    """Timestamps as the database reads them in text: UTC, to the second; cached by day and second."""

    def __init__(self, suffix: str, utc_offset: int) -> None:
        self.suffix = suffix
        self.offset = utc_offset  # of the newsroom's time zone, for dates
        self._days: dict[int, str] = {}
        self._seconds: dict[int, str] = {}

    def day(self, epoch_day: int) -> str:
        text = self._days.get(epoch_day)
        if text is None:
            text = self._days[epoch_day] = (dt.date(1970, 1, 1) + dt.timedelta(days=epoch_day)).isoformat()
        return text

    def moment(self, t: int) -> str:
        days, seconds = divmod(t, DAY)
        clock = self._seconds.get(seconds)
        if clock is None:
            hours, rest = divmod(seconds, 3600)
            clock = self._seconds[seconds] = f" {hours:02d}:{rest // 60:02d}:{rest % 60:02d}{self.suffix}"
        return self.day(days) + clock

    def local_date(self, t: int) -> str:
        return self.day((t + self.offset) // DAY)


@dataclass
class Slots:
    frame: Frame
    qualifier: int  # -1: none
    number: int
    percent: int
    day: int  # epoch day of the date named in the claim
    year: int
    month: int
    place: Named | None
    actor: Named | None
    arabic_digits: bool
    vi_prep: str
    rendered: dict[tuple[str, bool], str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class OpenSource:
    id: int
    language: str
    outlet: tuple[int, str, str]
    first_t: int
    capacity: int
    place: Named
    sentences: list[tuple[str, str, str, list[tuple[int, int]]]] = field(default_factory=list)
    # Each: (prefix, quote, suffix, [(claim index, appearance slot)]) — a quote with its claims.


@dataclass
class Draft:
    """A claim while its batch is being built (its sources may not be closed yet)."""

    index: int
    id: int
    language: str
    status: str
    t_event: int
    slots: Slots
    text: str
    capitalized: bool
    claimant: Named | None
    translations: list[tuple[str, str, str]]  # (language, text, origin), by language
    primary: int = 0  # source id
    primary_start: int = -1
    secondary: tuple[int, str, int] | None = None  # (source id, quote, start)
    source_published: int = 0
    outlet_name: str = ""
    #: Facets of its search document: its verdict's rating, its sources' outlets (the primary's, the
    #: secondary's).
    rating_id: int | None = None
    outlet_id: int | None = None
    secondary_outlet_id: int | None = None


class BatchBuilder:
    """Builds the rows of batches from a seed. Pure: no database access (``World`` is read before)."""

    def __init__(self, world: World, seed: int, until: dt.date, total: int, stamps: Stamps) -> None:
        self.world = world
        self.seed = seed
        self.total = total
        self.stamps = stamps
        self.folding = WordKeys()
        end = int(dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC).timestamp())
        self.anchor = end
        self.period_end = end - DAY
        self.period_start = end - YEARS * 365 * DAY - (YEARS // 4) * DAY
        self.places = [*world.countries, *world.cities]
        self.actors_by_kind = {
            PERSON: world.persons,
            ORG: world.organizations,
            ARMED: [a for a in world.organizations if a.spec.name in ARMED_GROUPS],
        }
        self.rating_table = weights(world.ratings, world.rating_weights)
        # Who may approve and publish a claim: anyone of those roles but its author (four eyes).
        self.approvers = {
            author: [u for u in (*world.editors, *world.publishers) if u != author]
            for author in (*world.researchers, *world.editors)
        }
        self.publishers = {
            author: [u for u in world.publishers if u != author] for author in (*world.researchers, *world.editors)
        }
        self.frames_by_language = {lang: [f for f in FRAMES if lang in f.texts] for lang in LANGUAGES}
        self._name_parts: dict[int, tuple[list[str], list[str], list[str]]] = {}
        self.recent_sources: list[int] = []
        self._explanations: dict[tuple[str, int, int, int, str], str] = {}

    # -- entry point --

    def build(self, first_index: int, count: int, first_ids: dict[str, int]) -> Batch:
        """Rows for claims ``first_index`` .. ``first_index + count - 1`` of the run (time-ordered)."""
        rng = Dice(f"generate_claims/{self.seed}/{first_ids[Claim._meta.db_table]}/{first_index}")
        self.rng = rng
        self.ids = dict(first_ids)
        self.rows: dict[str, list[tuple[Any, ...]]] = {model._meta.db_table: [] for model, _ in TABLES}
        self.open: dict[tuple[str, int], OpenSource] = {}
        # Evidence cites sources of its own batch: batches are independent, and may be written in any order.
        self.recent_sources = []
        self.drafts: list[Draft] = []
        self.source_times: dict[int, int] = {}
        claim_table = Claim._meta.db_table
        first_claim = self.ids[claim_table]
        self.ids[claim_table] += count
        for offset in range(count):
            self._draft(first_index + offset, first_claim + offset)
        for slot in list(self.open):
            self._close(self.open.pop(slot))
        for draft in self.drafts:
            self._finish(draft)
        return Batch(self.rows, count, self.ids)

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # -- drafting: wording, translations, sources --

    def _draft(self, index: int, claim_id: int) -> None:
        rng = self.rng
        span = self.period_end - self.period_start
        t_event = self.period_start + int(span * ((index + rng.random()) / self.total) ** (1 / SKEW))
        language = rng.weighted(LANGUAGE_TABLE)
        status = rng.weighted(STATUS_TABLE)
        frame = rng.pick(self.frames_by_language[language])
        slots = self._slots(frame, t_event)
        claimant = None
        if rng.random() < 0.7:
            pool = self.world.persons if rng.random() < 0.6 else self.world.organizations
            claimant = rng.pick(pool)
            if slots.actor is not None and claimant.id == slots.actor.id:
                claimant = None
        capitalized = claimant is None  # reported by the source itself: a sentence of its own
        text = self._render(slots, language, capitalized)
        translations = []
        for other, chance in (("vi", 0.5), ("en", 0.45), ("fr", 0.05)):
            if other != language and other in frame.texts and rng.random() < chance:
                origin = "human" if rng.random() < 0.45 else "machine"
                translations.append((other, self._render(slots, other, capitalized), origin))
        translations.sort()
        draft = Draft(
            len(self.drafts), claim_id, language, status, t_event, slots, text, capitalized, claimant, translations
        )
        self.drafts.append(draft)
        self._quote(draft, language, text, 0, t_event)
        if rng.random() < 0.2:
            other_language, quote = rng.pick([(language, text), *((lang, txt) for lang, txt, _o in translations)])
            self._quote(draft, other_language, quote, 1, t_event)

    def _slots(self, frame: Frame, t_event: int) -> Slots:
        rng = self.rng
        world = self.world
        place = None
        if frame.place == "any":
            place = rng.pick(world.countries if rng.random() < 0.5 else world.cities)
        elif frame.place == "country":
            place = rng.pick(world.countries)
        elif frame.place == "city":
            place = rng.pick(world.cities)
        actor = None
        if frame.actor:
            actor = rng.pick(self.actors_by_kind[frame.actor])
        low, high = frame.number if frame.number[1] else frame.percent
        number = rng.between(low, high) if high else 0
        if number > 1000:
            number = round(number, -2)
        event_day = t_event // DAY - rng.between(0, 6)
        day = dt.date(1970, 1, 1) + dt.timedelta(days=event_day)
        return Slots(
            frame=frame,
            qualifier=rng.below(4) if frame.qualified and rng.random() < 0.65 else -1,
            number=number,
            percent=number,
            day=event_day,
            year=day.year - (1 if rng.random() < 0.3 else 0),
            month=max(1, day.month - rng.between(0, 3)),
            place=place,
            actor=actor,
            arabic_digits=rng.random() < 0.4,
            vi_prep=rng.pick(("tại", "ở")),
        )

    def _render(self, slots: Slots, language: str, capitalized: bool) -> str:
        text = slots.rendered.get((language, capitalized))
        if text is None:
            text = slots.rendered[language, capitalized] = self._render_new(slots, language, capitalized)
        return text

    def _render_new(self, slots: Slots, language: str, capitalized: bool) -> str:
        frame = slots.frame
        feminine = slots.actor is not None and slots.actor.spec.gender == "f"
        template = (feminine and frame.texts.get(f"{language}_f")) or frame.texts[language]
        values = _slot_values(slots, language)
        text = template.format_map(values)
        if language == "ar" and slots.arabic_digits:
            text = text.translate(ARABIC_DIGITS)
        return text[0].upper() + text[1:] if capitalized else text

    def _quote(self, draft: Draft, language: str, quote: str, which: int, t_event: int) -> None:
        """Put the claim's words in a source being written in ``language`` (slot 0: where it first
        appeared; slot 1: a later report, never the same source)."""
        rng = self.rng
        slot = (language, which)
        source = self.open.get(slot)
        if source is not None and (len(source.sentences) >= source.capacity or t_event - source.first_t > 2 * DAY):
            self._close(self.open.pop(slot))
            source = None
        if source is None:
            outlet = rng.pick(self.world.outlets[language])
            source = OpenSource(
                self._next(Source._meta.db_table),
                language,
                outlet,
                t_event,
                rng.pick((1, 1, 2, 2, 3, 4)),
                draft.slots.place or rng.pick(self.places),
            )
            self.open[slot] = source
        if which == 1 and draft.primary == source.id:  # the same source twice: not a second appearance
            return
        if draft.capitalized:
            prefix, suffix = "", "."
        else:
            prefix, suffix = self._attribution(draft, language, quote)
        source.sentences.append((prefix, quote, suffix, [(draft.index, which)]))
        if which == 0:
            draft.primary = source.id

    def _attribution(self, draft: Draft, language: str, quote: str) -> tuple[str, str]:
        rng = self.rng
        claimant = draft.claimant
        assert claimant is not None  # noqa: S101
        spec = claimant.spec
        feminine = spec.gender == "f"
        templates = ATTRIBUTIONS["ar_f" if language == "ar" and feminine else language]
        prefix, suffix = rng.pick(templates)
        if language == "vi":
            speaker = spec.vi if spec.kind == ORG else ("bà " if feminine else "ông ") + spec.vi
        elif language == "en":
            speaker = spec.name
        else:
            speaker = getattr(spec, language)
        if prefix.startswith("{S}"):
            speaker = speaker[0].upper() + speaker[1:]
        values = _slot_values(draft.slots, language)
        prefix = prefix.replace("{S}", speaker).replace("{D}", values["D"])
        if language == "fr" and prefix.endswith("que ") and quote[:1] in "aeiouéèêhAEIOUÉ":
            prefix = prefix[:-2] + "'"
        return prefix, suffix

    def _close(self, source: OpenSource) -> None:
        """Write the source's text around its quotes, record where each quote starts, emit its row."""
        rng = self.rng
        language = source.language
        fillers = FILLERS[language]
        filler_values = _filler_values(source, language, rng)
        parts: list[str] = []
        length = 0
        last_claim_t = source.first_t
        quotes: list[tuple[Draft, int, str, int]] = []  # (claim, which, quote, start)

        def add(sentence: str, separator: str) -> int:
            nonlocal length
            if parts:
                parts.append(separator)
                length += len(separator)
            parts.append(sentence)
            at = length
            length += len(sentence)
            return at

        # The filler sentences in turn from a random one: none twice in a source.
        turn = rng.below(len(fillers))

        def filler() -> str:
            nonlocal turn
            turn += 1
            return fillers[turn % len(fillers)].format_map(filler_values)

        for number, (prefix, quote, suffix, owners) in enumerate(source.sentences):
            for _ in range(rng.pick((0, 1, 1, 2)) if number else rng.pick((1, 2))):
                add(filler(), " ")
            separator = "\n\n" if number and rng.random() < 0.4 else " "
            start = add(prefix + quote + suffix, separator) + len(prefix)
            for claim_index, which in owners:
                draft = self.drafts[claim_index]
                last_claim_t = max(last_claim_t, draft.t_event)
                quotes.append((draft, which, quote, start))
        for _ in range(rng.pick((1, 2, 3))):
            add(filler(), " ")
        text = "".join(parts)
        published = last_claim_t + rng.between(HOUR // 2, 8 * HOUR)
        for draft, which, quote, start in quotes:
            if which == 0:
                draft.primary_start = start
                draft.source_published = published
                draft.outlet_name = source.outlet[1]
                draft.outlet_id = source.outlet[0]
            else:
                draft.secondary = (source.id, quote, start)
                draft.secondary_outlet_id = source.outlet[0]
        first_quote = source.sentences[0][1]
        title = first_quote[0].upper() + first_quote[1:]
        if len(title) > 150:
            title = title[:149].rsplit(" ", 1)[0] + "…"
        if rng.random() < 0.5:
            title = TITLE_PREFIX[language].format(P=_place_name(source.place, language)) + title
        stamps = self.stamps
        day = stamps.local_date(published)
        slug = "-".join(self.folding.fold(title)[0].split()[:8]) or "bai-viet"
        url = f"https://{source.outlet[2]}/{day[:4]}/{day[5:7]}/{slug}-{source.id}.html"
        created = published + rng.between(300, 2 * HOUR)
        self.rows[Source._meta.db_table].append(
            (
                source.id,
                source.outlet[0],
                rng.weighted(SOURCE_KIND_TABLE),
                url,
                title,
                language,
                stamps.moment(published),
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                "",
                "not_fetched",
                "",
                None,
                None,
                "unchecked",
                None,
                False,
                rng.pick(self.world.researchers),
                stamps.moment(created),
                stamps.moment(created),
            )
        )
        self.recent_sources.append(source.id)

    # -- finishing: workflow history, verdict, search document --

    def _finish(self, draft: Draft) -> None:
        rng = self.rng
        world = self.world
        rows = self.rows
        stamps = self.stamps
        moment = stamps.moment
        status = draft.status
        claim_id = draft.id
        language = draft.language

        author = rng.pick(world.researchers) if rng.random() < 0.8 else rng.pick(world.editors)
        approver = rng.pick(self.approvers[author])
        publisher = rng.pick(self.publishers[author])

        # The history, as the workflow would have recorded it.
        created = draft.source_published + rng.between(2 * HOUR, 48 * HOUR)
        t = created
        events: list[tuple[str, int, str, str, int, str]] = [("create", author, "", "draft", t, "")]
        has_verdict = status not in ("draft", "in_review", "changes_requested") or rng.random() < (
            0.3 if status == "draft" else 0.75
        )
        t += rng.between(2 * HOUR, 3 * DAY)
        verdict_created = t
        if status != "draft":
            t += rng.between(HOUR, 2 * DAY)
            events.append(("submit", author, "draft", "in_review", t, ""))
            sent_back = status == "changes_requested" or (status != "in_review" and rng.random() < 0.12)
            if sent_back:
                t += rng.between(HOUR, DAY)
                comment = rng.pick(CHANGE_REQUESTS)
                events.append(("request_changes", approver, "in_review", "changes_requested", t, comment))
                if status != "changes_requested":
                    t += rng.between(2 * HOUR, 2 * DAY)
                    events.append(("submit", author, "changes_requested", "in_review", t, ""))
            if status in ("approved", "published", "retracted"):
                t += rng.between(HOUR, 2 * DAY)
                events.append(("approve", approver, "in_review", "approved", t, ""))
            if status in ("published", "retracted"):
                t += rng.between(600, 12 * HOUR)
                events.append(("publish", publisher, "approved", "published", t, ""))
        corrected = status == "published" and rng.random() < 0.04
        correction_note = rng.pick(CORRECTION_NOTES) if corrected else None
        if corrected:
            t += rng.between(DAY, 60 * DAY)
            events.append(("correct", publisher, "published", "published", t, correction_note[1]))  # type: ignore[index]
        retraction_reason = ""
        if status == "retracted":
            t += rng.between(DAY, 120 * DAY)
            retraction_reason = rng.pick(RETRACTION_REASONS)
            events.append(("retract", publisher, "published", "retracted", t, retraction_reason))
        # A history that would run past the end of the period is compressed into it.
        limit = self.anchor - HOUR
        created = min(created, limit - 2 * HOUR)
        times = [created, *(event[4] for event in events[1:])]
        latest = max(times[-1], verdict_created if has_verdict else created)
        if latest > limit:
            scale = (limit - created) / (latest - created)
            times = [created + int((x - created) * scale) for x in times]
            verdict_created = created + int((verdict_created - created) * scale)
        when = dict(zip((event[0] for event in events), times, strict=True))  # the last of each action
        published_at = when.get("publish")
        updated = max(times[-1], verdict_created if has_verdict else created, created + 900)

        # Appearances (the claim's words in its sources) and the claim's own texts.
        # Every transition, appearance and verdict edit bumped the version.
        version = 1 + 1 + (draft.secondary is not None) + (len(events) - 1) + has_verdict
        rows[Claim._meta.db_table].append(
            (
                claim_id,
                draft.text,
                language,
                draft.claimant.id if draft.claimant else None,
                stamps.local_date(draft.t_event),
                status,
                author,
                "",
                version,
                moment(created),
                moment(updated),
                moment(published_at) if published_at else None,
                moment(when["retract"]) if status == "retracted" else None,
                retraction_reason,
            )
        )
        table = ClaimTranslation._meta.db_table
        for number, (other, text, origin) in enumerate(draft.translations):
            at = moment(created + 600 + 60 * number)
            rows[table].append((self._next(table), claim_id, other, text, origin, at, at))
        table = Appearance._meta.db_table
        rows[table].append(
            (
                self._next(table),
                claim_id,
                draft.primary,
                draft.text,
                draft.primary_start,
                draft.primary_start + len(draft.text),
                True,
                moment(created + 120),
            )
        )
        if draft.secondary is not None:
            source_id, quote, start = draft.secondary
            rows[table].append(
                (self._next(table), claim_id, source_id, quote, start, start + len(quote), False, moment(created + 900))
            )
        slots = draft.slots
        if slots.actor is not None:
            table = MENTIONS._meta.db_table
            rows[table].append((self._next(table), claim_id, slots.actor.id))
        if slots.place is not None:
            table = PLACES_M2M._meta.db_table
            rows[table].append((self._next(table), claim_id, slots.place.id))
        table = TOPICS_M2M._meta.db_table
        for topic in slots.frame.topics[: rng.pick((1, 1, 2))]:
            rows[table].append((self._next(table), claim_id, world.topics[topic]))

        if has_verdict:
            self._verdict(draft, author, approver, publisher, verdict_created, when, corrected, correction_note)

        table = ReviewEvent._meta.db_table
        for (action, actor, from_status, to_status, _t, comment), moment_at in zip(events, times, strict=True):
            rows[table].append(
                (self._next(table), claim_id, actor, action, from_status, to_status, comment, moment(moment_at))
            )

        self._search_document(draft)

    def _verdict(
        self,
        draft: Draft,
        author: int,
        approver: int,
        publisher: int,
        created: int,
        when: dict[str, int],
        corrected: bool,
        correction_note: tuple[str, str] | None,
    ) -> None:
        rng = self.rng
        world = self.world
        rows = self.rows
        moment = self.stamps.moment
        language = draft.language
        rating = rng.weighted(self.rating_table)
        first_rating = rating
        if corrected:
            # The published rating was one step away on the scale; the correction moved it.
            position = world.ratings.index(rating)
            neighbours = [r for r in world.ratings[max(0, position - 1) : position + 2] if r is not rating]
            first_rating = rng.pick(neighbours) if neighbours else rating
        languages = [language]
        if language != "vi":
            languages.append("vi")
        if language != "en" and rng.random() < 0.6:
            languages.append("en")
        languages.sort()
        method = rng.below(2)
        finding = rng.below(2)
        wordings = {lang: self._wording(draft, lang) for lang in languages}
        texts_now = self._verdict_texts(wordings, rating, method, finding, draft.outlet_name)
        texts_then = texts_now
        if corrected:
            texts_then = self._verdict_texts(wordings, first_rating, method, finding, draft.outlet_name)
            texts_now = {lang: (h, e + "\n\n" + CORRECTION_TEXT[lang]) for lang, (h, e) in texts_now.items()}

        verdict_id = self._next(Verdict._meta.db_table)
        draft.rating_id = rating.id
        status = draft.status
        reviewed = status in ("approved", "published", "retracted")
        published = when.get("publish")
        valid_as_of = recheck_after = None
        if published is not None and rng.random() < 0.3:
            day = published // DAY
            valid_as_of = self.stamps.day(day)
            if rng.random() < 0.4:
                recheck_after = self.stamps.day(day + rng.between(90, 720))
        updated = max(created, when.get("approve", created), when.get("correct", created))
        rows[Verdict._meta.db_table].append(
            (
                verdict_id,
                draft.id,
                rating.id,
                author,
                approver if reviewed else None,
                valid_as_of,
                recheck_after,
                None,
                2 if corrected else 1,
                moment(created),
                moment(updated),
            )
        )
        table = VerdictText._meta.db_table
        for lang in languages:
            headline, explanation = texts_now[lang]
            rows[table].append((self._next(table), verdict_id, lang, headline, explanation))

        evidence = [(draft.primary, "context", "")]
        if rng.random() < 0.6 and self.recent_sources:
            other = rng.pick(self.recent_sources)
            if other != draft.primary:
                stance = {"TRUE": "supports", "FALSE": "refutes"}.get(rating.rating_class, "context")
                evidence.append((other, stance, ""))
        table = Evidence._meta.db_table
        for source_id, stance, note in evidence:
            rows[table].append((self._next(table), verdict_id, source_id, stance, note))

        if published is None:
            return
        evidence_json = json.dumps([{"source": s, "stance": stance, "note": n} for s, stance, n in evidence])
        quoted = encode_basestring
        versions = [(1, first_rating, texts_then, publisher, published)]
        if corrected:
            versions.append((2, rating, texts_now, publisher, when["correct"]))
        table = VerdictVersion._meta.db_table
        version_id = 0
        for number, version_rating, texts, by, at in versions:
            version_id = self._next(table)
            # json.dumps(..., ensure_ascii=False) of {language: {"headline", "explanation"}}, written out.
            texts_json = (
                "{"
                + ", ".join(
                    f'{quoted(lang)}: {{"headline": {quoted(h)}, "explanation": {quoted(e)}}}'
                    for lang, (h, e) in texts.items()  # built in language order
                )
                + "}"
            )
            rows[table].append(
                (version_id, verdict_id, number, version_rating.id, texts_json, evidence_json, by, moment(at))
            )
        if corrected and correction_note is not None:
            table = Correction._meta.db_table
            note_language, note = correction_note
            rows[table].append(
                (self._next(table), draft.id, version_id, note, note_language, publisher, moment(when["correct"]))
            )

    def _verdict_texts(
        self, wordings: dict[str, str], rating: RatingInfo, method: int, finding: int, outlet: str
    ) -> dict[str, tuple[str, str]]:
        """{language: (headline, explanation)} of a verdict, in language order."""
        texts = {}
        for lang, wording in wordings.items():
            label = _rating_label(rating, lang)
            headline = f"{label}: {wording}"
            if len(headline) > 200:
                headline = headline[:199].rsplit(" ", 1)[0] + "…"
            cache_key = (lang, rating.id, method, finding, outlet)
            explanation = self._explanations.get(cache_key)
            if explanation is None:
                explanation = self._explanations[cache_key] = (
                    " ".join(
                        (
                            METHOD[lang][method % len(METHOD[lang])],
                            FINDINGS[lang][rating.rating_class][finding],
                            FIRST_SEEN[lang].format(outlet=outlet),
                        )
                    )
                    + "\n\n"
                    + CONCLUSION[lang].format(label=label)
                )
            texts[lang] = (headline, explanation)
        return texts

    def _wording(self, draft: Draft, language: str) -> str:
        """The claim in ``language``, sentence-cased, for a verdict's headline."""
        if language == draft.language:
            text = draft.text
        else:
            text = next((t for lang, t, _o in draft.translations if lang == language), "")
            if not text:
                frame = draft.slots.frame
                text = self._render(draft.slots, language if language in frame.texts else "en", True)
        return text[0].upper() + text[1:]

    def _search_document(self, draft: Draft) -> None:
        """The claim's ``SearchDocument`` row, as ``claims.search.document_for`` builds it."""
        texts = [draft.text, *(t for _lang, t, _o in draft.translations)]
        names = [*draft.claimant.names] if draft.claimant is not None else []
        if draft.slots.actor is not None:
            names += draft.slots.actor.names
        if draft.slots.place is not None:
            names += draft.slots.place.names
        sources = [(draft.primary, draft.outlet_id)]
        if draft.secondary is not None:
            sources.append((draft.secondary[0], draft.secondary_outlet_id))
        facets = document_facets(
            draft.language,
            draft.claimant.id if draft.claimant is not None else None,
            draft.rating_id,
            outlet_ids=[outlet_id for _source_id, outlet_id in sources],
            source_ids=[source_id for source_id, _outlet_id in sources],
            mention_ids=(draft.slots.actor.id,) if draft.slots.actor is not None else (),
        )
        self.rows[SearchDocument._meta.db_table].append((draft.id, *self.folding.document(texts, names), facets, False))


def _place_name(place: Named, language: str) -> str:
    spec = place.spec
    return {"vi": spec.vi, "en": spec.name, "fr": spec.fr[0], "ru": spec.ru[0], "ar": spec.ar}[language]


def _number(value: int, language: str) -> str:
    if value < 10_000 and language in ("fr", "ru"):
        return str(value)
    grouped = f"{value:,}"
    if language == "vi":
        return grouped.replace(",", ".")
    if language == "fr":
        return grouped.replace(",", "\u202f")
    if language == "ru":
        return grouped.replace(",", "\u00a0")
    return grouped


def _plural_ru(value: int, one: str, few: str, many: str) -> str:
    if value % 10 == 1 and value % 100 != 11:
        return one
    if 2 <= value % 10 <= 4 and not 12 <= value % 100 <= 14:
        return few
    return many


def _people_ar(value: int) -> str:
    rest = value % 100
    if 3 <= rest <= 10:
        return "أشخاص"
    if 11 <= rest <= 99:
        return "شخصًا"
    return "شخص"


def _slot_values(slots: Slots, language: str) -> dict[str, str]:
    values = slots.values.get(language)
    if values is None:
        values = slots.values[language] = _new_slot_values(slots, language)
    return values


def _new_slot_values(slots: Slots, language: str) -> dict[str, str]:
    day = dt.date(1970, 1, 1) + dt.timedelta(days=slots.day)
    qualifier = QUALIFIERS[language][slots.qualifier] if slots.qualifier >= 0 else ""
    values = {"q": qualifier, "n": _number(slots.number, language), "Y": str(slots.year)}
    if language == "vi":
        values["D"] = f"{day.day}/{day.month}"
        values["M"] = f"tháng {slots.month}"
        values["pct"] = f"{slots.percent}%"
    elif language == "en":
        values["D"] = f"{MONTHS['en'][day.month - 1]} {day.day}"
        values["M"] = MONTHS["en"][slots.month - 1]
        values["pct"] = f"{slots.percent}%"
    elif language == "fr":
        values["D"] = f"{'1er' if day.day == 1 else day.day} {MONTHS['fr'][day.month - 1]}"
        values["M"] = MONTHS["fr"][slots.month - 1]
        values["pct"] = f"{slots.percent}\u00a0%"
    elif language == "ru":
        values["D"] = f"{day.day} {MONTHS['ru'][day.month - 1]}"
        values["M"] = MONTHS["ru"][slots.month - 1]
        values["pct"] = f"{slots.percent}%"
        values["people"] = _plural_ru(slots.number, "человек", "человека", "человек")
    else:
        values["D"] = f"{day.day} {MONTHS['ar'][day.month - 1]}"
        values["M"] = MONTHS["ar"][slots.month - 1]
        values["pct"] = f"{slots.percent}%"
        values["people"] = _people_ar(slots.number)
    place = slots.place
    if place is not None:
        spec = place.spec
        if language == "vi":
            values["P"], values["Ploc"] = spec.vi, f"{slots.vi_prep} {spec.vi}"
        elif language == "en":
            values["P"], values["Ploc"] = spec.name, f"in {spec.name}"
        elif language == "fr":
            values["P"], values["Ploc"], values["Pof"] = spec.fr
        elif language == "ru":
            values["P"], values["Ploc"], values["Pgen"] = spec.ru
        else:
            values["P"], values["Ploc"] = spec.ar, f"في {spec.ar}"
    if slots.actor is not None:
        spec = slots.actor.spec
        values["A"] = spec.name if language == "en" else getattr(spec, language)
    return values


def _filler_values(source: OpenSource, language: str, rng: Dice) -> dict[str, str]:
    slots = Slots(FRAMES[0], -1, rng.between(2, 9), 0, source.first_t // DAY, 2000, 1, source.place, None, False, "tại")
    return _slot_values(slots, language)


def _rating_label(rating: RatingInfo, language: str) -> str:
    return (
        rating.labels.get(language)
        or SLUG_LABELS.get(language, {}).get(rating.slug)
        or CLASS_LABELS[language].get(rating.rating_class)
        or rating.slug
    )


# --- Writing ---------------------------------------------------------------------------------------------


@dataclass
class Summary:
    claims: int
    rows: dict[str, int]
    seconds: float
    #: Of which: the statistics gathered at the end (ANALYZE on PostgreSQL).
    finishing_seconds: float = 0.0
    #: Of which: re-creating the indexes and foreign keys a bulk run dropped (``restore_indexes``).
    restoring_seconds: float = 0.0
    bulk: bool = False

    @property
    def rate(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0


#: The most rows of each table one claim brings (ids are reserved for a run from these, then trimmed).
MOST_ROWS_PER_CLAIM: dict[type[models.Model], int] = {
    Source: 2,
    Claim: 1,
    ClaimTranslation: 3,
    MENTIONS: 1,
    PLACES_M2M: 1,
    TOPICS_M2M: 2,
    Appearance: 2,
    Verdict: 1,
    VerdictText: 3,
    Evidence: 2,
    VerdictVersion: 2,
    Correction: 1,
    ReviewEvent: 7,
}


class Writer:
    """Puts batches in the database: each batch in a transaction of its own."""

    def __init__(self) -> None:
        self.tables = [(model._meta.db_table, columns) for model, columns in TABLES]
        self.with_ids = [table for table, columns in self.tables if columns[0] == "id"]

    def stamps(self, utc_offset: int) -> Stamps:
        raise NotImplementedError

    def reserve(self, count: int) -> dict[str, int]:
        """The first ids of the run, with room for ``count`` claims kept from other writers."""
        raise NotImplementedError

    def release(self, next_ids: dict[str, int]) -> None:
        """Give back the ids reserved and not used."""

    def write_all(self, batches: Iterator[Batch], written: Callable[[Batch], None], jobs: int) -> None:
        for batch in batches:
            with transaction.atomic():
                self.write(batch)
            written(batch)

    def write(self, batch: Batch) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the last batch (statistics)."""


class PostgresWriter(Writer):
    """``COPY … FROM STDIN`` per table. The run's ids are reserved from the sequences at the start (the
    sequences are moved past them, so other writers never take one), and the unused ones given back at
    the end. Batches are independent, so several connections write them at once (``jobs``)."""

    def stamps(self, utc_offset: int) -> Stamps:
        return Stamps("+00", utc_offset)

    def reserve(self, count: int) -> dict[str, int]:
        self.reserved: dict[str, int] = {}
        most = {model._meta.db_table: rows for model, rows in MOST_ROWS_PER_CLAIM.items()}
        ids = {SearchDocument._meta.db_table: 0}
        with transaction.atomic(), connection.cursor() as cursor:
            # Short: other writers wait while the ids are counted and the sequences moved.
            cursor.execute(f"LOCK TABLE {', '.join(self.with_ids)} IN EXCLUSIVE MODE")
            for table in self.with_ids:
                cursor.execute(
                    f"SELECT COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608 — our table names
                    f"pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass)",
                    [table],
                )
                highest, last_value = cursor.fetchone()
                ids[table] = max(highest, last_value or 0) + 1
                self.reserved[table] = ids[table] + most[table] * count - 1
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, self.reserved[table]])
        return ids

    def release(self, next_ids: dict[str, int]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(self.with_ids)} IN EXCLUSIVE MODE")
            for table in self.with_ids:
                # Only if nobody took an id after the reservation (then the unused ones stay a gap).
                last_used = next_ids[table] - 1
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s) "
                    "WHERE pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass) = %s",
                    [table, max(last_used, 1), last_used >= 1, table, self.reserved[table]],
                )

    def write(self, batch: Batch) -> None:
        self._copy(connection.connection, batch)

    def write_all(self, batches: Iterator[Batch], written: Callable[[Batch], None], jobs: int) -> None:
        if jobs > 1:
            self._write_in_parallel(batches, written, jobs)
            return
        # One connection (the caller's, maybe inside its transaction): while the database takes batch
        # N, this thread builds batch N+1 and a helper thread feeds COPY.
        following = next(batches, None)
        while following is not None:
            batch = following
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO off")
                wait = self._start_writing(connection.connection, batch)
                try:
                    following = next(batches, None)
                finally:
                    wait()
            written(batch)

    def _start_writing(self, raw_connection: Any, batch: Batch) -> Callable[[], None]:
        """COPY in a thread, on a connection no other thread uses meanwhile; returns the wait."""
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self._copy(raw_connection, batch)
            except BaseException as error:  # handed to the waiting thread
                failure.append(error)

        thread = threading.Thread(target=work, name="generate_claims-copy", daemon=True)
        thread.start()

        def wait() -> None:
            thread.join()
            if failure:
                raise failure[0]

        return wait

    def _write_in_parallel(self, batches: Iterator[Batch], written: Callable[[Batch], None], jobs: int) -> None:
        """``jobs`` connections each take built batches from a queue; this thread builds them."""
        todo: queue.Queue[Batch | None] = queue.Queue(maxsize=jobs)
        done: queue.Queue[Batch] = queue.Queue()
        failures: list[BaseException] = []

        def work() -> None:
            own = connections[DEFAULT_DB_ALIAS]  # this thread's own connection
            try:
                while (batch := todo.get()) is not None:
                    if failures:
                        continue
                    try:
                        own.ensure_connection()
                        raw = own.connection
                        with raw.transaction():
                            raw.execute("SET LOCAL synchronous_commit TO off")
                            self._copy(raw, batch)
                        done.put(batch)
                    except BaseException as error:  # handed to the building thread
                        failures.append(error)
            finally:
                own.close()

        workers = [threading.Thread(target=work, name=f"generate_claims-copy-{n}", daemon=True) for n in range(jobs)]
        for worker in workers:
            worker.start()
        try:
            for batch in batches:
                if failures:
                    break
                todo.put(batch)
                while not done.empty():
                    written(done.get())
        finally:
            for _worker in workers:
                todo.put(None)
            for worker in workers:
                worker.join()
        while not done.empty():
            written(done.get())
        if failures:
            raise failures[0]

    def _copy(self, raw_connection: Any, batch: Batch) -> None:
        # psycopg's own cursor: Django's wrapper has no copy(), and belongs to the thread that opened it.
        with raw_connection.cursor() as cursor:
            for table, columns in self.tables:
                rows = batch.rows[table]
                if not rows:
                    continue
                names = ", ".join(connection.ops.quote_name(column) for column in columns)
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row)

    def finish(self) -> None:
        with connection.cursor() as cursor:
            for table, _columns in self.tables:
                cursor.execute(f"ANALYZE {table}")


class SqliteWriter(Writer):
    """``executemany`` per table: the same rows as PostgreSQL's, through sqlite3 directly."""

    def stamps(self, utc_offset: int) -> Stamps:
        return Stamps("", utc_offset)  # naive UTC, as Django stores datetimes in SQLite

    def reserve(self, count: int) -> dict[str, int]:
        # One writer at a time on SQLite: the write transactions take the next ids in turn.
        ids = {SearchDocument._meta.db_table: 0}
        with connection.cursor() as cursor:
            for table in self.with_ids:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 — our table names
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
                ids[table] = max(highest, cursor.fetchone()[0]) + 1
        return ids

    def write(self, batch: Batch) -> None:
        connection.ensure_connection()
        cursor = connection.connection.cursor()  # type: ignore[union-attr]
        try:
            for table, columns in self.tables:
                rows = batch.rows[table]
                if rows:
                    names = ", ".join(connection.ops.quote_name(column) for column in columns)
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        finally:
            cursor.close()


#: The indexes a bulk run drops: valid, neither primary nor unique, no constraint's, not the recent index.
_DROPPED_INDEXES = """
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = ANY(%s::regclass[]) AND x.indisvalid AND NOT x.indisprimary AND NOT x.indisunique
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
    AND i.relname NOT LIKE 'claims_search_recent%%'
"""
_DROPPED_KEYS = "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"


def drop_indexes(tables: Sequence[str]) -> int:
    """Start a bulk run: write down, then drop, the secondary indexes and foreign keys of ``tables``;
    return how many. ``restore_indexes`` re-creates them once the rows are in (``pg_restore``'s way):
    each index is then built from sorted rows instead of updated row by row, and each foreign key checked
    by one join instead of a trigger per row at each commit. Nothing is skipped: adding a foreign key
    validates it; the primary keys, unique indexes and constraints, ``CHECK``s and triggers (the quotes'
    check) stay in place. So does the search's index of the newest documents (``claims_search_recent``:
    small, already planned for the run's last ids, and rebuilt by the search's own refresh).

    What is dropped is written down first, in the same transaction, in ``BULK_TABLE``: a run that dies
    half-way leaves the list, and the next ``generate_claims`` (or ``generate_claims --restore-indexes``)
    re-creates what it names before anything else. Meanwhile the tables are slow to search: for a new
    database, not one people are working in.
    """
    tables = list(tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {BULK_TABLE} "
            "(position serial, relation text NOT NULL, name text NOT NULL, ddl text NOT NULL)"
        )
        # Each as pg_dump would write it.
        cursor.execute(
            f"INSERT INTO {BULK_TABLE} (relation, name, ddl) "
            f"SELECT x.indrelid::regclass::text, i.relname, pg_get_indexdef(x.indexrelid) {_DROPPED_INDEXES} "
            "ORDER BY x.indrelid::regclass::text, i.relname",
            [tables],
        )
        cursor.execute(
            f"INSERT INTO {BULK_TABLE} (relation, name, ddl) "
            "SELECT conrelid::regclass::text, conname, format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', "
            f"conrelid::regclass, conname, pg_get_constraintdef(oid)) {_DROPPED_KEYS} "
            "ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        cursor.execute(
            "SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname) "
            f"{_DROPPED_KEYS} UNION ALL SELECT format('DROP INDEX %%s', x.indexrelid::regclass) {_DROPPED_INDEXES}",
            [tables, tables],
        )
        drops = [row[0] for row in cursor.fetchall()]
        for statement in drops:
            cursor.execute(statement)
    return len(drops)


def restore_indexes(jobs: int | None = None) -> int:
    """Re-create what an interrupted or finished bulk run dropped (``drop_indexes``); return how many.

    Each index or key in a transaction of its own, struck off the list in it; the indexes first (the
    search's largest first), then the foreign keys, each phase over ``jobs`` connections at once (two
    index builds of one table share it). A key the rows break stays on the list, with whatever was not
    reached, and GeneratorError says so. PostgreSQL only; nothing to do without the list."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [BULK_TABLE])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(
            f"SELECT position, ddl LIKE 'ALTER TABLE %' FROM {BULK_TABLE} "  # noqa: S608 — our table name
            "ORDER BY ddl LIKE 'ALTER TABLE %', ddl LIKE '% USING gin %' DESC, "
            "pg_relation_size(relation::regclass) DESC, position"
        )
        items = cursor.fetchall()
    if jobs is None:
        jobs = default_jobs()
    done = 0
    try:
        for keys in (False, True):  # indexes, then foreign keys
            done += _run_in_parallel(_restore_one, [(position,) for position, is_key in items if is_key is keys], jobs)
    except DatabaseError as error:
        raise GeneratorError(
            f"PostgreSQL refused to re-create an index or foreign key a bulk run dropped: {str(error).strip()} "
            f"What is left is listed in the table {BULK_TABLE}; mend the rows, then run "
            "generate_claims --restore-indexes."
        ) from error
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {BULK_TABLE})")  # noqa: S608 — our table name
        if cursor.fetchone()[0]:
            cursor.execute(f"DROP TABLE {BULK_TABLE}")
    return done


def _restore_one(position: int) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        # The item, unless another restore (a second command) holds or has done it.
        cursor.execute(
            f"SELECT relation, name, ddl FROM {BULK_TABLE} WHERE position = %s FOR UPDATE SKIP LOCKED",  # noqa: S608
            [position],
        )
        row = cursor.fetchone()
        if row is None:
            return 0
        relation, name, ddl = row
        # Building indexes of millions of rows: sorting in memory rather than in temporary files.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND i.relname = %s) "
            "OR EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s AND contype = 'f')",
            [relation, name, relation, name],
        )
        made = not cursor.fetchone()[0]
        if made:
            cursor.execute(ddl)
        cursor.execute(f"DELETE FROM {BULK_TABLE} WHERE position = %s", [position])  # noqa: S608 — our table
    return int(made)


def _run_in_parallel(work: Callable[..., int], items: Sequence[tuple[Any, ...]], jobs: int) -> int:
    """``work(*item)`` for each item, on ``jobs`` threads with a connection each (in this thread, on this
    connection, when one job or inside a transaction); the sum of what it returned. Stops at the first
    error, or when this thread is interrupted, and raises it once every thread has stopped."""
    if jobs <= 1 or connection.in_atomic_block or len(items) <= 1:
        return sum(work(*item) for item in items)
    todo: queue.Queue[tuple[Any, ...]] = queue.Queue()
    for item in items:
        todo.put(item)
    results: list[int] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            while not failures:
                try:
                    item = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    results.append(work(*item))
                except BaseException as error:  # handed to the calling thread
                    failures.append(error)
        finally:
            connections[DEFAULT_DB_ALIAS].close()  # this thread's own

    threads = [threading.Thread(target=worker, name=f"generate_claims-restore-{n}", daemon=True) for n in range(jobs)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException as error:  # Ctrl-C: no new item starts; the ones under way finish or roll back
        failures.append(error)
        raise
    if failures:
        raise failures[0]
    return sum(results)


def writer_for_connection() -> Writer:
    if connection.vendor == "postgresql":
        return PostgresWriter()
    if connection.vendor == "sqlite":
        return SqliteWriter()
    raise GeneratorError(f"generate_claims writes to PostgreSQL or SQLite, not {connection.vendor}.")


def default_jobs() -> int:
    """Connections writing at once: two on PostgreSQL (each batch is a COPY the server spends most of
    its time on), one inside a transaction (other connections would not see its rows) or on SQLite."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, min(4, (os.cpu_count() or 2)))


def generate(
    count: int,
    seed: int = 1,
    until: dt.date | None = None,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    jobs: int | None = None,
    bulk: bool | None = None,
) -> Summary:
    """Add ``count`` synthetic claims with all their rows; return what was written and how fast.

    The rows depend on the seed, the count, the batch size and what the database held: the same four
    give the same rows. ``bulk``: without the tables' secondary indexes and foreign keys meanwhile
    (``drop_indexes``); by default, for BULK_MIN_COUNT claims or more into a database that holds none.
    """
    problems = check_columns()
    if problems:
        raise GeneratorError("The generator is behind the models: " + "; ".join(problems))
    if count < 1:
        raise GeneratorError("Give a count of at least 1.")
    until = until or DEFAULT_UNTIL
    anchor = dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC)
    offset = zoneinfo.ZoneInfo(settings.TIME_ZONE).utcoffset(anchor.replace(tzinfo=None))
    writer = writer_for_connection()
    if batch_size is None:
        batch_size = min(BATCH_SIZE, max(MIN_BATCH_SIZE, -(-count // 8)))
    if jobs is None:
        jobs = default_jobs()
    elif jobs > 1 and (connection.vendor != "postgresql" or connection.in_atomic_block):
        raise GeneratorError("Several writers need PostgreSQL, outside any transaction.")
    outside = connection.vendor == "postgresql" and not connection.in_atomic_block
    if bulk and not outside:
        raise GeneratorError("A bulk run needs PostgreSQL, outside any transaction.")
    started = time.perf_counter()
    restore_indexes()  # what an interrupted bulk run dropped
    if bulk is None:
        bulk = outside and count >= BULK_MIN_COUNT and not Claim.objects.exists()
    with transaction.atomic():
        world = prepare_world(anchor)
    builder = BatchBuilder(world, seed, until, count, writer.stamps(int(offset.total_seconds()) if offset else 0))
    totals = {table: 0 for table, _columns in writer.tables}
    first_ids = writer.reserve(count)
    last_ids = dict(first_ids)
    newest = first_ids[Claim._meta.db_table] + count - 1
    if outside:
        # Only the last of these claims will enter the search's index of the newest documents. A bulk run
        # also plans the band indexes below it now (empty yet: dropped, then built from the rows at the
        # end); another run builds them once its rows are in, not row by row.
        refresh_recent_index(newest=newest, bands=bulk)

    def built(collect: Callable[[], None]) -> Iterator[Batch]:
        ids = first_ids
        for number, first_index in enumerate(range(0, count, batch_size)):
            batch = builder.build(first_index, min(batch_size, count - first_index), ids)
            ids = batch.next_ids
            last_ids.update(ids)
            if number % COLLECT_EVERY == COLLECT_EVERY - 1:
                collect()
            yield batch

    def written(batch: Batch) -> None:
        for table, rows in batch.rows.items():
            totals[table] += len(rows)
        if progress is not None:
            progress(batch.claims)

    restoring = 0.0
    try:
        if bulk:
            drop_indexes([table for table, _columns in writer.tables])
        with young_collections_only() as collect:
            writer.write_all(built(collect), written, jobs)
    finally:
        try:
            writer.release(last_ids)
        finally:
            if bulk:
                restoring = time.perf_counter()
                restore_indexes()
                restoring = time.perf_counter() - restoring
    finishing = time.perf_counter()
    writer.finish()
    if outside and not bulk:
        refresh_recent_index(newest=newest)
    _forget_cached_lists()
    ended = time.perf_counter()
    return Summary(count, totals, ended - started, ended - finishing, restoring, bulk)


def _forget_cached_lists() -> None:
    """Lists cached for a few minutes that the new claims change (languages of public claims)."""
    from django.core.cache import cache

    from .filters import LANGUAGES_CACHE_KEY

    cache.delete(LANGUAGES_CACHE_KEY)
