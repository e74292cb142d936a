"""Claim candidates (sources.candidates): sentences cut exactly, scored for check-worthiness, best first."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sources.candidates import Candidate, score_sentence, split_sentences, suggest

from .factories import QUOTE_7_PERCENT, SEED_A1, SEED_A2

# What a fact-checker picks from the seed articles, in the articles' own words.
CASUALTIES_A1 = "đã có ít nhất 32 người thiệt mạng và khoảng 50 người bị thương"
CASUALTIES_A2_SOLDIERS = "ít nhất đã có 14 binh sĩ LNA thiệt mạng"
CASUALTIES_A2_CIVILIANS = "đã có 4 dân thường thiệt mạng khi nhà của họ bị không kích"
FIGHTER_JETS = "LNA “tránh sử dụng” máy bay chiến đấu"

# The database's actors and places with their aliases, as the text spells them.
NAMES = (
    "Haftar",
    "Khalifa Haftar",
    "LNA",
    "Quân đội Quốc gia Libya",
    "GNA",
    "Tripoli",
    "Libya",
    "Lybia",
    "Liyba",
)

# Text with what trips splitters up: stops of every script, quotes, decimals, capitals, line breaks.
TRICKY = st.lists(
    st.sampled_from(
        [
            *" .!?…؟۔,“”\"«»'()\n\r\t\u00a0\u2028aAbZđĐôÔưƯ75",
            *["Dr. ", "TP. ", "U.S. ", "7.5", "1.000", "7,5", "\r\n", "\n\n", "قال ", "Путин "],
            *["🎉", "👍🏽", "e\u0301"],
        ]
    ),
    max_size=40,
).map("".join)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
LANGUAGES = st.sampled_from(["", "vi", "en", "ru", "ar", "fr", "pt-BR"])


def sentences(text: str, language: str = "") -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, language)]


def rank(candidates: list[Candidate], quote: str) -> int:
    """The 1-based place of the candidate holding ``quote``; 0 when none does."""
    return next((place for place, candidate in enumerate(candidates, 1) if quote in candidate.text), 0)


# --- Splitting ---------------------------------------------------------------------------------------------


@given(text=st.one_of(TRICKY, ANY_TEXT), language=LANGUAGES)
@example(text="Xin chào.\r\nTạm biệt!  ", language="vi")
@example(text="هل هذا صحيح؟ نعم. 🎉", language="ar")
@example(text="   \n\u2028 ", language="")
def test_sentence_spans_slice_the_original_text_and_cover_every_visible_character(text, language):
    spans = split_sentences(text, language)
    at = 0
    for start, end in spans:
        assert at <= start < end <= len(text)
        sentence = text[start:end]
        assert sentence == sentence.strip()
        assert not text[at:start].strip(), "a visible character fell between two sentences"
        assert not any(brk in sentence for brk in "\n\r\u2028"), "a line break always ends a sentence"
        at = end
    assert not text[at:].strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ông đến TP. Hồ Chí Minh hôm qua. Ông ở lại 2 ngày.",
            ["Ông đến TP. Hồ Chí Minh hôm qua.", "Ông ở lại 2 ngày."],
        ),
        (
            "Mr. Smith met Dr. Jones in the U.S. on Monday. They talked.",
            ["Mr. Smith met Dr. Jones in the U.S. on Monday.", "They talked."],
        ),
        ("St. Petersburg is cold. A. Navalny said so.", ["St. Petersburg is cold.", "A. Navalny said so."]),
        ("PGS.TS. Lê Văn B và Ô. Trần đã đến.", ["PGS.TS. Lê Văn B và Ô. Trần đã đến."]),
        # “ông” is a whole word that ends sentences; its abbreviation is the initial “Ô.”.
        (
            "Phóng viên đã gặp ông. Ông cho biết 32 người chết.",
            ["Phóng viên đã gặp ông.", "Ông cho biết 32 người chết."],
        ),
        (
            "Lạm phát là 7.5% năm nay, tăng từ 1.000 lên 7,5 triệu. Đó là kỷ lục.",
            ["Lạm phát là 7.5% năm nay, tăng từ 1.000 lên 7,5 triệu.", "Đó là kỷ lục."],
        ),
        ("Bà nói: “Chúng tôi sẽ thắng.” Sau đó bà rời đi.", ["Bà nói: “Chúng tôi sẽ thắng.”", "Sau đó bà rời đi."]),
        ("“We will win!” he said. Nobody believed him.", ["“We will win!” he said.", "Nobody believed him."]),
        ("Il a dit « Nous gagnerons. » M. Macron est parti.", ["Il a dit « Nous gagnerons. »", "M. Macron est parti."]),
        (
            'Bà kêu gọi "thực thi đầy đủ một lệnh ngừng bắn nhân đạo... Và tránh leo thang". Bà rời đi.',
            ['Bà kêu gọi "thực thi đầy đủ một lệnh ngừng bắn nhân đạo... Và tránh leo thang".', "Bà rời đi."],
        ),
        ("Không ai nghe… Ai biết? Chắc chắn!", ["Không ai nghe…", "Ai biết?", "Chắc chắn!"]),
        (
            "هل هذا صحيح؟ قال المتحدث إن 32 شخصا قتلوا. وأضاف أن الوضع خطير۔ انتهى",
            ["هل هذا صحيح؟", "قال المتحدث إن 32 شخصا قتلوا.", "وأضاف أن الوضع خطير۔", "انتهى"],
        ),
        (
            "В. Путин заявил, что т.е. всё. В 2019 г. Россия выросла.",
            ["В. Путин заявил, что т.е. всё.", "В 2019 г. Россия выросла."],
        ),
        ("Dòng một không dấu chấm\nDòng hai.\r\n\r\nĐoạn ba.", ["Dòng một không dấu chấm", "Dòng hai.", "Đoạn ba."]),
        ("1. Libya chia rẽ. 2. Haftar tấn công.", ["1. Libya chia rẽ.", "2. Haftar tấn công."]),
        ("Quân đội tiến vào năm 2011. 32 người chết.", ["Quân đội tiến vào năm 2011.", "32 người chết."]),
        ("Anh ta đi. rồi về.", ["Anh ta đi. rồi về."]),
    ],
)
def test_sentences_end_where_a_reader_would_end_them(text, expected):
    assert sentences(text) == expected


def test_a_language_tag_chooses_its_abbreviations():
    text = "Tôi gặp Gen. Smith hôm nay. Ông ấy ở đây."
    assert sentences(text, "en")[0] == "Tôi gặp Gen. Smith hôm nay."
    assert sentences(text, "vi")[0] == "Tôi gặp Gen."


def test_the_seed_articles_split_into_their_sentences():
    a2 = sentences(SEED_A2, "vi")
    assert len(a2) == 18
    assert a2[0].startswith("Tướng Haftar") and a2[0].endswith("ở Libya.")
    assert "Chúng tôi không hề nghiêng về bất kỳ bên nào cả”, ông Lavrov phát biểu." in a2
    # An ellipsis inside a quotation followed by lower case does not end the sentence.
    assert any("nhân đạo... và tránh" in sentence for sentence in sentences(SEED_A1, "vi"))


# --- Scoring -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "reasons"),
    [
        ("Theo Bộ Y tế, ít nhất 32 người thiệt mạng và 50 người bị thương.", {"number", "casualty", "attribution"}),
        ("Chính quyền chỉ kiểm soát 7 phần trăm lãnh thổ, ông Haftar nói.", {"percent", "comparison", "actor"}),
        ("Hàng trăm người đã rời Tripoli hôm 4/4, theo Liên Hợp Quốc.", {"quantity-word", "date", "attribution"}),
        ("The ministry said at least 32 people were killed and 50 wounded on April 7.", {"number", "casualty", "date"}),
        ("Haftar claimed his forces control more than 90% of Libya.", {"percent", "actor", "comparison"}),
        ("Министерство сообщило, что погибли 32 человека, более 50 ранены.", {"number", "casualty", "comparison"}),
        ("وقال المتحدث إن 32 شخصا قتلوا وأصيب أكثر من 50 آخرين.", {"number", "casualty", "attribution"}),
        ("Selon le ministère, 32 personnes ont été tuées et plus de 50 blessées.", {"casualty", "comparison"}),
    ],
)
def test_figures_casualties_and_attribution_make_a_sentence_check_worthy(sentence, reasons):
    score, found = score_sentence(sentence, NAMES)
    assert reasons <= set(found)
    assert score >= 0.5


def test_actors_are_found_without_diacritics_on_word_boundaries():
    assert "actor" in score_sentence("Lực lượng của QUÂN ĐỘI QUỐC GIA LIBYA tiến lên.", ["Quan doi Quoc gia Libya"])[1]
    assert "actor" not in score_sentence("Ngày 7/4 trời mưa rất to ở đây.", ["Nga"])[1]
    # Capitalised words in a row are a weaker sign of a name, counted only when no known actor is named.
    assert "proper-name" in score_sentence("Ông Federica Mogherini nói chuyện hôm nay.")[1]


def test_vietnamese_cues_keep_their_marks():
    # Without marks “nơi” (place) is “nói” (say) and “chỉ huy” (command) holds “chỉ” (only).
    assert "attribution" not in score_sentence("Quân đội đang kiểm soát nơi này từ lâu rồi.")[1]
    assert "attribution" in score_sentence("Ông ấy nói quân đội đang kiểm soát nơi này.")[1]
    assert "comparison" not in score_sentence("Viên tướng chỉ huy 75 tuổi đã kiểm soát sân bay.")[1]
    assert "comparison" in score_sentence("Chính quyền chỉ kiểm soát 7% lãnh thổ đất nước.")[1]


@pytest.mark.parametrize(
    ("sentence", "penalty"),
    [
        ("Liệu chính quyền có thật sự kiểm soát 7% lãnh thổ?", "question"),
        ("هل قتل 32 شخصا في طرابلس؟", "question"),
        ("32 người chết.", "short"),
        ("Ảnh: Reuters/Ismail Zitouny, 32 người chết", "boilerplate"),
        ("Xem thêm: Libya chìm trong nội chiến, hàng trăm người chết", "boilerplate"),
        ("(Theo AFP, Reuters)", "boilerplate"),
        ("Minh Anh/VOV-Paris", "boilerplate"),
        ("https://vov.vn/the-gioi/libya-32-nguoi-chet.vov", "boilerplate"),
    ],
)
def test_questions_fragments_and_boilerplate_score_low(sentence, penalty):
    score, reasons = score_sentence(sentence, NAMES)
    assert penalty in reasons
    assert score < 0.3


def test_a_sentence_that_begins_with_anh_huong_is_not_a_photo_credit():
    assert "boilerplate" not in score_sentence("Ảnh hưởng của cuộc chiến đã khiến 200 người chết.")[1]


@given(text=st.one_of(TRICKY, ANY_TEXT))
def test_scores_are_between_zero_and_one_and_the_same_every_time(text):
    first = score_sentence(text, NAMES)
    assert 0 <= first[0] <= 1
    assert score_sentence(text, NAMES) == first


# --- Suggestions -------------------------------------------------------------------------------------------


def test_suggestions_come_best_first_with_offsets_into_the_text():
    text = (
        "Ảnh: Reuters, 32 người chết\n"
        "Liệu 32 người có thật sự thiệt mạng ở Tripoli?\n"
        "Trời hôm nay đẹp.\n"
        "Bộ Y tế cho biết ít nhất 32 người thiệt mạng ở Tripoli hôm 4/4."
    )
    found = suggest(text, "vi", NAMES, min_score=0)
    assert len(found) == 4
    assert found[0].text.startswith("Bộ Y tế cho biết")
    assert all(text[c.start : c.end] == c.text for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    # The same figure in a question and in a caption is not suggested at the default floor.
    assert [c.text for c in suggest(text, "vi", NAMES)] == [found[0].text]


def test_equal_scores_keep_the_order_of_the_text():
    text = "Ông A nói LNA tiến quân vào thành phố lớn.\nÔng B nói LNA tiến quân vào thành phố nhỏ."
    first, second = suggest(text, "vi", NAMES, min_score=0)
    assert first.score == second.score
    assert first.start < second.start


def test_the_limit_caps_the_list():
    assert len(suggest(SEED_A2, "vi", NAMES, limit=3)) == 3


def test_the_seed_articles_surface_what_a_fact_checker_would_pick():
    a1 = suggest(SEED_A1, "vi", NAMES)
    a2 = suggest(SEED_A2, "vi", NAMES)
    # Measured: 1 in the first article; 1, 2 and 3 in the second; the fighter jets 6th.
    assert rank(a1, CASUALTIES_A1) == 1
    assert 1 <= rank(a2, CASUALTIES_A2_SOLDIERS) <= 3
    assert 1 <= rank(a2, CASUALTIES_A2_CIVILIANS) <= 3
    assert 1 <= rank(a2, QUOTE_7_PERCENT) <= 3
    assert 1 <= rank(a2, FIGHTER_JETS) <= 8
    assert set(a2[rank(a2, QUOTE_7_PERCENT) - 1].reasons) >= {"percent", "comparison", "actor"}


SPEAKERS = ("Bộ Y tế Libya", "Ahmed al-Mismari", "LNA", "Mogherini", "Dmitry Peskov", "Điện Kremlin", "Haftar")


@pytest.mark.parametrize(
    ("sentence", "speakers"),
    [
        # “Theo …”: the speaker follows, up to the comma (the army is named, the general speaks).
        ("Theo Thiếu tướng của LNA Ahmed al-Mismari, ít nhất 14 binh sĩ LNA thiệt mạng.", ["lna", "ahmed al mismari"]),
        # A verb: the speaker comes before it.
        (
            "Người phát ngôn Điện Kremlin Dmitry Peskov cho biết Moskva kêu gọi ngừng bắn.",
            ["dien kremlin", "dmitry peskov"],
        ),
        # The first cue names nobody before it; the next one does.
        ("Phát biểu tại Luxembourg, bà Mogherini khẳng định EU ủng hộ ngừng bắn.", ["mogherini"]),
        # “theo đó” (accordingly): the subject of the sentence, not everyone it names.
        (
            "Ngày 7/4, Bộ Y tế Libya đã cập nhật số thương vong kể từ khi Haftar tấn công, theo đó 32 người chết.",
            ["bo y te libya"],
        ),
        # A pronoun points back to an earlier sentence: nobody here.
        ("Ông này cũng khẳng định LNA tránh sử dụng máy bay chiến đấu.", []),
        # Nothing attributed: the article's own report.
        ("Chính quyền ở Tripoli đang kiểm soát chỉ 7% lãnh thổ, LNA nói chung mạnh hơn.", []),
        # The clause the verb ends, not everyone named before it.
        ("Haftar's forces captured the airport, the LNA said on Sunday.", ["lna"]),
    ],
)
def test_the_speaker_is_found_where_the_attribution_points(sentence: str, speakers: list[str]) -> None:
    from sources.candidates import speaker_names

    assert speaker_names(sentence, SPEAKERS) == speakers
