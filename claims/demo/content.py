"""Content for the demo newsroom, built from the two seed articles in ``articles/``.

The two seed files are real Vietnamese news reports (April 2019) on the Libyan National Army's offensive
on Tripoli. This module is plain data, with no Django imports, so that a loader (a management command or a
data migration) can turn it into model rows and tests can import it without a configured project.

Conventions:
- Alias tuples are ``(alias, language)``. ``language`` is a BCP-47 tag, or ``""`` when the spelling is
  not tied to one language (acronyms and Latin-script transliterations used across languages).
- Every claim ``quote`` is copied character for character from its article and occurs there exactly
  once; ``text`` is the quote itself or a contiguous part of it, never reworded.
- Verdicts judge only what the two seed articles support. Most claims are rated "unproven" because the
  articles report or attribute them without independent evidence.
"""

from typing import Any

# The seed files carry no byline, headline, date or URL. Titles are short descriptions written by us, and
# the publication dates are inferred from the text: each is no earlier than the latest event the article
# mentions (a1: 7/4 casualty update and an EU meeting "sắp diễn ra"; a2: events of 6/4).
ARTICLES: list[dict[str, Any]] = [
    {
        "key": "a1",
        "file": "000_148b000f4ba1f632.txt",
        "title": "Nga và EU kêu gọi các bên ở Libya ngừng bắn, quay lại đàm phán",
        "published_at": "2019-04-08T09:00:00+07:00",
        "outlet": "outlet-a",
    },
    {
        "key": "a2",
        "file": "002_bebbaa35625aef12.txt",
        "title": "Lực lượng của Tướng Haftar tiến vào Tripoli, cộng đồng quốc tế quan ngại",
        "published_at": "2019-04-08T08:00:00+07:00",
        "outlet": "outlet-b",
    },
]

# We do not know which publishers ran these articles: the seed files contain only body text. The names
# below are honest placeholders ("unidentified online newspaper A/B, sample article 1/2"); editors can
# correct them in the admin. No URL or domain is given because none is known.
OUTLETS: list[dict[str, Any]] = [
    {
        "key": "outlet-a",
        "name": "Báo điện tử chưa xác định A (bài mẫu 1)",
        "country": "VN",
        "language": "vi",
    },
    {
        "key": "outlet-b",
        "name": "Báo điện tử chưa xác định B (bài mẫu 2)",
        "country": "VN",
        "language": "vi",
    },
]

# People and organisations named in the articles. Countries are modelled as organisations (their
# governments) only where the articles attribute statements to them ("Đức", "Italy", "Moskva"); the
# places themselves are in PLACES.
ACTORS: list[dict[str, Any]] = [
    {
        "key": "haftar",
        "name": "Khalifa Haftar",
        "kind": "person",
        "description": {
            "vi": ("Sĩ quan quân đội Libya, chỉ huy Quân đội Quốc gia Libya (LNA) có căn cứ ở miền Đông Libya."),
            "en": ("Libyan military officer who commands the Libyan National Army (LNA), based in eastern Libya."),
        },
        "aliases": [
            ("Haftar", "en"),
            ("Tướng Haftar", "vi"),
            ("Tướng Khalifa Haftar", "vi"),
            ("Hafter", ""),
            ("خليفة حفتر", "ar"),
            ("Халифа Хафтар", "ru"),
        ],
    },
    {
        "key": "lna",
        "name": "Libyan National Army",
        "kind": "organization",
        "description": {
            "vi": ("Liên minh lực lượng vũ trang do Tướng Khalifa Haftar chỉ huy, ủng hộ chính quyền miền Đông Libya."),
            "en": "Armed coalition commanded by Khalifa Haftar that backs the eastern Libyan authorities.",
        },
        "aliases": [
            ("LNA", ""),
            ("Quân đội Quốc gia Libya", "vi"),
            ("Libyan Arab Armed Forces", "en"),
            ("الجيش الوطني الليبي", "ar"),
            ("Ливийская национальная армия", "ru"),
            ("ЛНА", "ru"),
        ],
    },
    {
        "key": "gna",
        "name": "Government of National Accord",
        "kind": "organization",
        "description": {
            "vi": (
                "Chính phủ được Liên Hợp Quốc công nhận, đặt trụ sở tại Tripoli, hình thành theo thỏa thuận "
                "chính trị do Liên Hợp Quốc làm trung gian cuối năm 2015."
            ),
            "en": (
                "UN-recognised government based in Tripoli, set up under the UN-brokered political agreement "
                "of late 2015."
            ),
        },
        "aliases": [
            ("GNA", ""),
            ("Chính phủ Đoàn kết Dân tộc", "vi"),
            # Article a2 refers to the GNA as "chính quyền Tripoli" / "chính quyền ở Tripoli".
            ("chính quyền Tripoli", "vi"),
            ("حكومة الوفاق الوطني", "ar"),
            ("Правительство национального согласия", "ru"),
        ],
    },
    {
        "key": "mismari",
        "name": "Ahmed al-Mismari",
        "kind": "person",
        "description": {
            "vi": "Người phát ngôn của Quân đội Quốc gia Libya (LNA).",
            "en": "Spokesman for the Libyan National Army (LNA).",
        },
        "aliases": [
            ("al-Mismari", "en"),
            ("al-Mesmari", "en"),
            ("Ahmed al-Mesmari", "en"),
            ("Mismari", ""),
            ("أحمد المسماري", "ar"),
            ("Ахмед аль-Мисмари", "ru"),
        ],
    },
    {
        "key": "mogherini",
        "name": "Federica Mogherini",
        "kind": "person",
        "description": {
            "vi": (
                "Chính trị gia Italy, Đại diện cấp cao phụ trách chính sách an ninh và đối ngoại của EU giai "
                "đoạn 2014-2019."
            ),
            "en": ("Italian politician; EU High Representative for Foreign Affairs and Security Policy, 2014-2019."),
        },
        "aliases": [
            ("Mogherini", ""),
            ("Федерика Могерини", "ru"),
        ],
    },
    {
        "key": "peskov",
        "name": "Dmitry Peskov",
        "kind": "person",
        "description": {
            "vi": "Thư ký báo chí của Tổng thống Nga, thường được gọi là người phát ngôn Điện Kremlin.",
            "en": "Press secretary to the President of Russia, commonly described as the Kremlin spokesman.",
        },
        "aliases": [
            ("Dmitri Peskov", "en"),
            ("Peskov", ""),
            ("Дмитрий Песков", "ru"),
        ],
    },
    {
        "key": "lavrov",
        "name": "Sergei Lavrov",
        "kind": "person",
        "description": {
            "vi": "Bộ trưởng Ngoại giao Nga, giữ chức từ năm 2004.",
            "en": "Foreign Minister of Russia, in office since 2004.",
        },
        "aliases": [
            ("Sergey Lavrov", "en"),
            ("Lavrov", ""),
            ("Сергей Лавров", "ru"),
        ],
    },
    {
        "key": "bogdanov",
        "name": "Mikhail Bogdanov",
        "kind": "person",
        "description": {
            "vi": "Thứ trưởng Ngoại giao Nga phụ trách Trung Đông và châu Phi vào thời điểm các bài viết.",
            "en": ("Russian Deputy Foreign Minister for the Middle East and Africa at the time of the articles."),
        },
        "aliases": [
            ("Bogdanov", ""),
            ("Михаил Богданов", "ru"),
        ],
    },
    {
        "key": "asselborn",
        "name": "Jean Asselborn",
        "kind": "person",
        "description": {
            "vi": "Bộ trưởng Ngoại giao Luxembourg giai đoạn 2004-2023.",
            "en": "Foreign Minister of Luxembourg, 2004-2023.",
        },
        "aliases": [
            ("Asselborn", ""),
            ("Жан Ассельборн", "ru"),
        ],
    },
    {
        "key": "libya-moh",
        "name": "Ministry of Health of Libya",
        "kind": "organization",
        "description": {
            # Libya had rival administrations in 2019, and article a1 does not say which one's ministry
            # issued the figures, so the description must not pick one.
            "vi": (
                "Bộ Y tế của Libya. Năm 2019 Libya có các chính quyền đối địch, và bài viết không nói rõ bộ "
                "y tế thuộc chính quyền nào."
            ),
            "en": (
                "Libya's health ministry. Libya had rival administrations in 2019, and the article does not "
                "say which administration's ministry is meant."
            ),
        },
        "aliases": [
            ("Bộ Y tế Libya", "vi"),
            ("Libyan Health Ministry", "en"),
            ("وزارة الصحة الليبية", "ar"),
        ],
    },
    {
        "key": "gaddafi",
        "name": "Muammar Gaddafi",
        "kind": "person",
        "description": {
            "vi": "Nhà lãnh đạo Libya từ năm 1969 cho đến khi bị lật đổ năm 2011.",
            "en": "Ruler of Libya from 1969 until he was overthrown in 2011.",
        },
        # "Moamer Gadhafi" is the spelling in article a1, "Muammar Gaddafi" the one in article a2; the
        # latter repeats the canonical name so that alias matching alone finds both articles' spellings.
        "aliases": [
            ("Gadhafi", "en"),
            ("Moamer Gadhafi", ""),
            ("Muammar Gaddafi", ""),
            ("Qaddafi", "en"),
            ("Kadhafi", "fr"),
            ("معمر القذافي", "ar"),
            ("Муаммар Каддафи", "ru"),
        ],
    },
    {
        "key": "germany",
        "name": "Government of Germany",
        "kind": "organization",
        "description": {
            "vi": "Chính phủ Liên bang Đức; bài viết quy phát biểu cho “Đức”.",
            "en": "The federal government of Germany; the article attributes statements to “Germany”.",
        },
        "aliases": [
            ("Đức", "vi"),
            ("Germany", "en"),
            ("Deutschland", "de"),
        ],
    },
    {
        "key": "italy",
        "name": "Government of Italy",
        "kind": "organization",
        "description": {
            "vi": "Chính phủ Italy; bài viết quy phát biểu cho “Italy”.",
            "en": "The government of Italy; the article attributes statements to “Italy”.",
        },
        "aliases": [
            # Vietnamese press uses both "Italy" and "Italia"; article a2 uses "Italy".
            ("Italy", ""),
            ("Italia", "it"),
        ],
    },
    {
        "key": "russia",
        "name": "Government of Russia",
        "kind": "organization",
        "description": {
            "vi": "Chính quyền Liên bang Nga; bài viết dùng “Moskva” để chỉ chính quyền Nga.",
            "en": ("The government of the Russian Federation; the article uses “Moskva” (Moscow) to refer to it."),
        },
        "aliases": [
            ("Nga", "vi"),
            ("Moskva", "vi"),
            ("Russia", "en"),
            ("Россия", "ru"),
        ],
    },
    {
        "key": "ria-novosti",
        "name": "RIA Novosti",
        "kind": "organization",
        "description": {
            "vi": "Hãng thông tấn nhà nước của Nga.",
            "en": "Russian state-owned news agency.",
        },
        "aliases": [
            ("РИА Новости", "ru"),
        ],
    },
    {
        "key": "g7",
        "name": "Group of Seven",
        "kind": "organization",
        "description": {
            "vi": "Nhóm bảy nền kinh tế phát triển: Anh, Canada, Đức, Italy, Mỹ, Nhật Bản và Pháp.",
            "en": (
                "Group of seven advanced economies: Canada, France, Germany, Italy, Japan, the United "
                "Kingdom and the United States."
            ),
        },
        "aliases": [
            ("G7", ""),
            ("Nhóm G7", "vi"),
            # The long Vietnamese name used in article a1.
            ("Nhóm Các nền công nghiệp phát triển hàng đầu thế giới", "vi"),
            ("Большая семёрка", "ru"),
        ],
    },
    {
        "key": "unsc",
        "name": "United Nations Security Council",
        "kind": "organization",
        "description": {
            "vi": "Cơ quan của Liên Hợp Quốc chịu trách nhiệm chính về duy trì hòa bình và an ninh quốc tế.",
            "en": "The UN body with primary responsibility for maintaining international peace and security.",
        },
        "aliases": [
            ("UNSC", ""),
            ("Hội đồng Bảo an Liên Hợp Quốc", "vi"),
            ("Hội đồng Bảo an LHQ", "vi"),
            ("مجلس الأمن الدولي", "ar"),
            ("Совет Безопасности ООН", "ru"),
        ],
    },
    {
        "key": "eu",
        "name": "European Union",
        "kind": "organization",
        "description": {
            "vi": "Liên minh chính trị và kinh tế của các quốc gia châu Âu.",
            "en": "Political and economic union of European states.",
        },
        "aliases": [
            ("EU", ""),
            ("Liên minh châu Âu", "vi"),
            ("الاتحاد الأوروبي", "ar"),
            ("Европейский союз", "ru"),
        ],
    },
    {
        "key": "un",
        "name": "United Nations",
        "kind": "organization",
        "description": {
            "vi": "Tổ chức liên chính phủ quốc tế được thành lập năm 1945.",
            "en": "International intergovernmental organisation founded in 1945.",
        },
        "aliases": [
            ("UN", ""),
            ("Liên Hợp Quốc", "vi"),
            ("LHQ", "vi"),
            ("الأمم المتحدة", "ar"),
            ("ООН", "ru"),
        ],
    },
    {
        "key": "nato",
        "name": "NATO",
        "kind": "organization",
        "description": {
            "vi": "Tổ chức Hiệp ước Bắc Đại Tây Dương, liên minh quân sự liên chính phủ thành lập năm 1949.",
            "en": ("North Atlantic Treaty Organization, an intergovernmental military alliance founded in 1949."),
        },
        "aliases": [
            ("North Atlantic Treaty Organization", "en"),
            ("Tổ chức Hiệp ước Bắc Đại Tây Dương", "vi"),
            ("OTAN", "fr"),
            ("НАТО", "ru"),
        ],
    },
]

PLACES: list[dict[str, Any]] = [
    {
        "key": "libya",
        "name": "Libya",
        "country": "LY",
        # "Lybia" and "Liyba" are the misspellings that actually occur in article a1; keeping them as
        # aliases lets mention matching find those passages.
        "aliases": [
            ("Lybia", ""),
            ("Liyba", ""),
            ("ليبيا", "ar"),
            ("Ливия", "ru"),
        ],
    },
    {
        "key": "tripoli",
        "name": "Tripoli",
        "country": "LY",
        "aliases": [
            ("Tarabulus", ""),
            ("طرابلس", "ar"),
            ("Триполи", "ru"),
        ],
    },
    {
        "key": "tobruk",
        "name": "Tobruk",
        "country": "LY",
        "aliases": [
            ("Tubruq", ""),
            ("طبرق", "ar"),
            ("Тобрук", "ru"),
        ],
    },
    {
        "key": "tripoli-airport",
        "name": "Tripoli International Airport",
        "country": "LY",
        "aliases": [
            ("sân bay quốc tế Tripoli", "vi"),
            ("مطار طرابلس الدولي", "ar"),
        ],
    },
    {
        # Where Mogherini and Asselborn spoke (article a1).
        "key": "luxembourg",
        "name": "Luxembourg",
        "country": "LU",
        "aliases": [
            ("Lëtzebuerg", "lb"),
            ("Люксембург", "ru"),
        ],
    },
]

# The newsroom's default rating scale, best first. "value" orders the scale; "class" maps each rating onto
# the coarse ClaimReview-style buckets used for structured data.
RATINGS: list[dict[str, Any]] = [
    {
        "slug": "true",
        "value": 6,
        "class": "TRUE",
        "labels": {"vi": "Đúng", "en": "True"},
        "descriptions": {
            "vi": (
                "Nhận định chính xác, không thiếu chi tiết quan trọng và được xác nhận bằng bằng chứng độc "
                "lập hoặc hồ sơ công khai không còn tranh cãi."
            ),
            "en": (
                "The statement is accurate, nothing significant is missing, and it is confirmed by "
                "independent evidence or the undisputed public record."
            ),
        },
    },
    {
        "slug": "mostly-true",
        "value": 5,
        "class": "TRUE",
        "labels": {"vi": "Phần lớn đúng", "en": "Mostly true"},
        "descriptions": {
            "vi": "Nhận định về cơ bản chính xác nhưng cần được làm rõ hoặc bổ sung thông tin.",
            "en": ("The statement is accurate in its essentials but needs clarification or additional information."),
        },
    },
    {
        "slug": "misleading",
        "value": 4,
        "class": "MIXTURE",
        "labels": {"vi": "Gây hiểu lầm", "en": "Misleading"},
        "descriptions": {
            "vi": (
                "Nhận định có yếu tố đúng nhưng bỏ qua bối cảnh quan trọng hoặc được trình bày theo cách dễ "
                "khiến người đọc hiểu sai."
            ),
            "en": (
                "The statement contains accurate elements but omits important context or is framed in a way "
                "likely to give readers a false impression."
            ),
        },
    },
    {
        "slug": "mostly-false",
        "value": 3,
        "class": "FALSE",
        "labels": {"vi": "Phần lớn sai", "en": "Mostly false"},
        "descriptions": {
            "vi": ("Nhận định có một phần đúng nhưng bỏ qua những dữ kiện then chốt làm thay đổi hẳn bức tranh chung."),
            "en": ("The statement contains an element of truth but ignores critical facts that change the picture."),
        },
    },
    {
        "slug": "false",
        "value": 2,
        "class": "FALSE",
        "labels": {"vi": "Sai", "en": "False"},
        "descriptions": {
            "vi": "Nhận định không chính xác và bị bằng chứng đáng tin cậy bác bỏ.",
            "en": "The statement is inaccurate and is contradicted by reliable evidence.",
        },
    },
    {
        "slug": "unproven",
        "value": 1,
        "class": "OTHER",
        "labels": {"vi": "Chưa được chứng minh", "en": "Unproven"},
        "descriptions": {
            "vi": "Chưa có đủ bằng chứng đáng tin cậy và độc lập để xác nhận hay bác bỏ nhận định.",
            "en": "There is not enough reliable, independent evidence to confirm or refute the statement.",
        },
    },
]

# Claim dates: when an article dates a statement or report (e.g. "ngày 7/4", "vào ngày 6/4") that date is
# used. Otherwise the claim date is the inferred publication date of the article (2019-04-08), i.e. the
# date by which the claim had been made; such dates are marked "inferred" below.
# Evidence stance "context" means the article merely reports the claim; "supports" is used only where an
# article independently states the same fact.
CLAIMS: list[dict[str, Any]] = [
    # ----- Article a2 -----
    {
        "key": "gna-7-percent",
        "article": "a2",
        "quote": (
            "chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ đang kiểm soát chỉ 7% lãnh thổ đất nước vào "
            "thời điểm cuộc tấn công của LNA bắt đầu"
        ),
        "text": (
            "chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ đang kiểm soát chỉ 7% lãnh thổ đất nước vào "
            "thời điểm cuộc tấn công của LNA bắt đầu"
        ),
        "claimant": None,  # stated by the article itself, without a source
        "claim_date": "2019-04-08",  # inferred: article date
        "mentions": ["gna", "un", "lna"],
        "places": ["tripoli", "libya"],
        "translation_en": (
            "the UN-backed government in Tripoli controlled only 7% of the country's territory at the time "
            "the LNA offensive began"
        ),
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Con số 7% lãnh thổ chưa được kiểm chứng",
                "en": "The 7% territory figure is unverified",
            },
            "explanation": {
                "vi": (
                    "Bài viết đưa ra con số 7% mà không dẫn nguồn và không giải thích cách tính phần lãnh "
                    "thổ được kiểm soát. Bài viết còn lại không đề cập đến tỷ lệ này. Để kiểm chứng, cần bản "
                    "đồ kiểm soát lãnh thổ độc lập tại thời điểm ngày 4/4/2019, kèm định nghĩa rõ thế nào là "
                    "“kiểm soát”, vì phần lớn diện tích Libya là sa mạc thưa dân."
                ),
                "en": (
                    "The article gives the 7% figure without a source and without explaining how controlled "
                    "territory was measured. The other article does not mention this share. Verifying it "
                    "would require independent maps of territorial control as of 4 April 2019, with a clear "
                    "definition of “control”, since most of Libya is sparsely populated desert."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "lna-avoided-jets",
        "article": "a2",
        "quote": ("LNA “tránh sử dụng” máy bay chiến đấu để giảm thiểu thiệt hại ngoài dự kiến đối với người dân"),
        "text": ("LNA “tránh sử dụng” máy bay chiến đấu để giảm thiểu thiệt hại ngoài dự kiến đối với người dân"),
        "claimant": "mismari",
        "claim_date": "2019-04-08",  # inferred: the article does not date the statement
        "mentions": ["lna"],
        "places": ["libya"],
        "translation_en": ("the LNA “avoided using” fighter jets in order to minimise unintended harm to civilians"),
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Tuyên bố LNA tránh dùng máy bay chiến đấu chưa có bằng chứng độc lập",
                "en": "No independent evidence that the LNA avoided using fighter jets",
            },
            "explanation": {
                "vi": (
                    "Đây là tuyên bố của người phát ngôn LNA Ahmed al-Mismari, tức là của một bên tham "
                    "chiến, được bài viết thuật lại mà không có nguồn độc lập xác nhận. Bài viết chỉ cho "
                    "biết ông đã nói như vậy, không chứng minh LNA thực sự không sử dụng máy bay chiến đấu. "
                    "Cần dữ liệu giám sát hoạt động không quân độc lập, chẳng hạn báo cáo của nhóm chuyên "
                    "gia Liên Hợp Quốc hoặc của các tổ chức theo dõi xung đột, để đánh giá."
                ),
                "en": (
                    "This is a statement by LNA spokesman Ahmed al-Mismari, a party to the fighting, "
                    "reported by the article without independent confirmation. The article only shows that "
                    "he said it, not that the LNA actually refrained from using fighter jets. Independent "
                    "monitoring of air operations, such as reports by UN expert panels or conflict monitors, "
                    "would be needed to assess it."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "tripoli-strikes-no-damage",
        "article": "a2",
        "quote": "các cuộc không kích của chính quyền Tripoli đã không gây ra bất kỳ tổn hại nào cho LNA",
        "text": "các cuộc không kích của chính quyền Tripoli đã không gây ra bất kỳ tổn hại nào cho LNA",
        "claimant": "mismari",
        "claim_date": "2019-04-08",  # inferred: the article does not date the statement
        "mentions": ["gna", "lna"],
        "places": ["tripoli"],
        "translation_en": "the Tripoli government's air strikes did not cause any damage to the LNA",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Chưa thể xác nhận không kích của Tripoli không gây tổn hại cho LNA",
                "en": "Claim that Tripoli's air strikes did no harm to the LNA is unverified",
            },
            "explanation": {
                "vi": (
                    "Tuyên bố này chỉ có nguồn từ người phát ngôn của LNA, một bên tham chiến. Cũng bài viết "
                    "này dẫn lời một số quan chức địa phương cho biết lực lượng thân chính quyền Tripoli đã "
                    "không kích hai vị trí của quân ông Haftar, nhưng không nêu thiệt hại. Cần đánh giá "
                    "thiệt hại độc lập, chẳng hạn ảnh vệ tinh hoặc tường thuật tại hiện trường, để kiểm "
                    "chứng."
                ),
                "en": (
                    "The only source for this is the LNA's spokesman, a party to the fighting. The same "
                    "article quotes local officials saying that forces aligned with the Tripoli government "
                    "struck two positions held by Haftar's troops, but it gives no damage assessment. "
                    "Independent damage assessments, such as satellite imagery or on-the-ground reporting, "
                    "would be needed."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "lna-14-soldiers",
        "article": "a2",
        "quote": ("ít nhất đã có 14 binh sĩ LNA thiệt mạng trong các cuộc giao tranh diễn ra trong những ngày qua"),
        "text": ("ít nhất đã có 14 binh sĩ LNA thiệt mạng trong các cuộc giao tranh diễn ra trong những ngày qua"),
        "claimant": "mismari",
        "claim_date": "2019-04-08",  # inferred: the article does not date the statement
        "mentions": ["lna"],
        "places": ["tripoli"],
        "translation_en": "at least 14 LNA soldiers have been killed in the fighting of the past few days",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Con số 14 binh sĩ LNA thiệt mạng chưa được kiểm chứng",
                "en": "The figure of 14 LNA soldiers killed is unverified",
            },
            "explanation": {
                "vi": (
                    "Con số do người phát ngôn LNA đưa ra và không được nguồn độc lập nào trong hai bài viết "
                    "xác nhận. Bài viết còn lại nêu ít nhất 32 người thiệt mạng theo Bộ Y tế Libya nhưng "
                    "không cho biết bao nhiêu người trong số đó là binh sĩ LNA, nên không thể đối chiếu. Cần "
                    "hồ sơ thương vong chính thức hoặc số liệu của các tổ chức độc lập như Liên Hợp Quốc."
                ),
                "en": (
                    "The figure comes from the LNA's spokesman and is not confirmed by any independent "
                    "source in either article. The other article reports at least 32 dead according to "
                    "Libya's Ministry of Health but does not say how many were LNA soldiers, so the two "
                    "cannot be compared. Official casualty records or figures from independent bodies such "
                    "as the UN are needed."
                ),
            },
            "evidence": [("a2", "context"), ("a1", "context")],
        },
    },
    {
        "key": "airport-captured",
        "article": "a2",
        "quote": ("quân đội của ông đã chiếm được sân bay quốc tế Tripoli (nay đã ngừng hoạt động) vào ngày 6/4"),
        "text": ("quân đội của ông đã chiếm được sân bay quốc tế Tripoli (nay đã ngừng hoạt động) vào ngày 6/4"),
        "claimant": None,  # stated by the article itself, without a source
        "claim_date": "2019-04-08",  # inferred: article date (the event itself is dated 6/4)
        "mentions": ["haftar", "lna"],
        "places": ["tripoli-airport", "tripoli"],
        "translation_en": "his army captured Tripoli international airport (now out of service) on 6 April",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Việc LNA chiếm sân bay quốc tế Tripoli ngày 6/4 chưa được xác nhận độc lập",
                "en": "LNA capture of Tripoli international airport on 6 April not independently confirmed",
            },
            "explanation": {
                "vi": (
                    "Bài viết khẳng định việc này như một dữ kiện nhưng không dẫn nguồn, và bài viết còn lại "
                    "không nhắc đến sân bay. Trong giao tranh, quyền kiểm soát một địa điểm có thể thay đổi "
                    "nhanh chóng. Cần các nguồn độc lập như phóng viên tại hiện trường, xác nhận của cả hai "
                    "bên hoặc ảnh vệ tinh vào khoảng ngày 6/4/2019."
                ),
                "en": (
                    "The article states this as fact without citing a source, and the other article does not "
                    "mention the airport. During fighting, control of a site can change quickly. Independent "
                    "sources such as reporters on the ground, confirmation from both sides or satellite "
                    "imagery from around 6 April 2019 would be needed."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "haftar-75",
        "article": "a2",
        "quote": "quân của viên tướng chỉ huy 75 tuổi này đã kiểm soát được một số khu vực quanh Tripoli",
        "text": "viên tướng chỉ huy 75 tuổi này",
        "claimant": None,  # stated by the article itself, without a source
        "claim_date": "2019-04-08",  # inferred: article date
        "mentions": ["haftar"],
        "places": [],
        "translation_en": "this 75-year-old commanding general",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Tuổi của Tướng Haftar: bài viết không dẫn nguồn",
                "en": "Haftar's age: the article gives no source",
            },
            "explanation": {
                "vi": (
                    "Bài viết nêu tuổi của ông Haftar nhưng không cho biết ngày sinh hay nguồn thông tin, và "
                    "bài viết còn lại không đề cập đến tuổi của ông. Để kiểm chứng, cần ngày sinh của ông "
                    "Haftar được ghi trong giấy tờ chính thức hoặc tiểu sử đáng tin cậy, rồi tính tuổi của "
                    "ông vào tháng 4/2019."
                ),
                "en": (
                    "The article states Haftar's age but gives neither a birth date nor a source, and the "
                    "other article does not mention his age. Verifying it requires Haftar's birth date from "
                    "official documents or a reliable biography, and then working out his age in April 2019."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "four-civilians-killed",
        "article": "a2",
        "quote": "đã có 4 dân thường thiệt mạng khi nhà của họ bị không kích",
        "text": "đã có 4 dân thường thiệt mạng khi nhà của họ bị không kích",
        # Attributed to "một hãng tin địa phương", which the article does not name, so there is no actor.
        "claimant": None,
        "claim_date": "2019-04-08",  # inferred: the article does not date the report
        "mentions": [],
        "places": ["libya"],
        "translation_en": "4 civilians were killed when their home was hit by an air strike",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Con số 4 dân thường thiệt mạng chỉ dựa trên một hãng tin không nêu tên",
                "en": "Four civilian deaths reported only by an unnamed local agency",
            },
            "explanation": {
                "vi": (
                    "Bài viết dẫn lại một hãng tin địa phương không nêu tên, và không cho biết cuộc không "
                    "kích do bên nào tiến hành, ở đâu và vào ngày nào. Không có nguồn thứ hai nào xác nhận "
                    "con số này. Cần biết danh tính hãng tin và đối chiếu với hồ sơ của cơ quan y tế địa "
                    "phương hoặc báo cáo của các tổ chức nhân đạo."
                ),
                "en": (
                    "The article cites an unnamed local news agency and does not say who carried out the air "
                    "strike, where or when. No second source confirms the figure. The agency would need to "
                    "be identified and the report checked against local health records or humanitarian "
                    "organisations' reports."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "haftar-controls-most",
        "article": "a2",
        "quote": "ông này khẳng định đang kiểm soát phần lớn lãnh thổ Libya",
        "text": "đang kiểm soát phần lớn lãnh thổ Libya",
        "claimant": "haftar",
        "claim_date": "2019-04-08",  # inferred: the article does not date the statement
        "mentions": ["haftar"],
        "places": ["libya"],
        "translation_en": "[he] controls most of Libya's territory",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Tuyên bố của ông Haftar về việc kiểm soát phần lớn Libya chưa được kiểm chứng",
                "en": "Haftar's claim to control most of Libya is unverified",
            },
            "explanation": {
                "vi": (
                    "Đây là tuyên bố của chính ông Haftar, được bài viết thuật lại mà không kèm bằng chứng. "
                    "Tuyên bố này phù hợp với nhận định cùng bài rằng chính quyền Tripoli chỉ kiểm soát 7% "
                    "lãnh thổ, nhưng nhận định đó cũng chưa được kiểm chứng. Cần bản đồ kiểm soát lãnh thổ "
                    "độc lập và định nghĩa rõ ràng về “kiểm soát” để đánh giá."
                ),
                "en": (
                    "This is Haftar's own claim, reported by the article without evidence. It is consistent "
                    "with the same article's statement that the Tripoli government controlled only 7% of the "
                    "territory, but that statement is unverified too. Independent maps of territorial "
                    "control and a clear definition of “control” would be needed to assess it."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "offensive-4-april",
        "article": "a2",
        "quote": ("Tướng Haftar đã ra lệnh cho Quân đội Quốc gia Libya (LNA) tiến quân vào Tripoli vào ngày 4/4"),
        "text": ("Tướng Haftar đã ra lệnh cho Quân đội Quốc gia Libya (LNA) tiến quân vào Tripoli vào ngày 4/4"),
        "claimant": None,  # stated by the article itself
        "claim_date": "2019-04-08",  # inferred: article date
        "mentions": ["haftar", "lna"],
        "places": ["tripoli"],
        "translation_en": ("General Haftar ordered the Libyan National Army (LNA) to advance on Tripoli on 4 April"),
        "status": "published",
        "verdict": {
            "rating": "true",
            "headline": {
                "vi": "Cuộc tấn công của LNA vào Tripoli bắt đầu ngày 4/4/2019: đúng",
                "en": "The LNA offensive on Tripoli began on 4 April 2019: true",
            },
            "explanation": {
                "vi": (
                    "Cả hai bài viết đều độc lập nêu rằng cuộc tấn công nhằm vào Tripoli do Tướng Haftar "
                    "phát động bắt đầu ngày 4/4/2019. Ngày bắt đầu chiến dịch này là sự kiện được ghi nhận "
                    "rộng rãi và không bị tranh cãi, vì vậy nhận định được đánh giá là đúng. Đánh giá này "
                    "không xét mục tiêu mà ông Haftar tuyên bố cho chiến dịch."
                ),
                "en": (
                    "Both articles independently state that the offensive on Tripoli launched by General "
                    "Haftar began on 4 April 2019. The start date of the offensive is widely recorded and "
                    "undisputed, so we rate the statement true. This rating does not cover the aims Haftar "
                    "declared for the campaign."
                ),
            },
            "evidence": [("a2", "supports"), ("a1", "supports")],
        },
    },
    {
        "key": "g7-pressure",
        "article": "a2",
        "quote": (
            "Đức cho biết các nước G7 đã nhất trí sẽ gây sức ép đối với những bên đang khiến tình hình ở "
            "Libya trở nên căng thẳng, trong đó có quân đội của ông Haftar"
        ),
        "text": (
            "các nước G7 đã nhất trí sẽ gây sức ép đối với những bên đang khiến tình hình ở Libya trở nên "
            "căng thẳng, trong đó có quân đội của ông Haftar"
        ),
        "claimant": "germany",
        "claim_date": "2019-04-08",  # inferred: the article does not date the statement
        "mentions": ["g7", "lna", "haftar"],
        "places": ["libya"],
        "translation_en": (
            "the G7 countries have agreed to put pressure on the parties that are making the situation in "
            "Libya tense, including Mr Haftar's army"
        ),
        "status": "approved",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Phát biểu của Đức về thỏa thuận của G7: bài viết là nguồn duy nhất",
                "en": "Germany's statement on the G7 agreement: the article is the only source",
            },
            "explanation": {
                "vi": (
                    "Đây là lời thuật lại quan điểm của Đức về một thỏa thuận của G7; chúng tôi chỉ đánh giá "
                    "việc phía Đức có nói như vậy hay không. Bài viết là nguồn duy nhất và không nêu tên "
                    "người phát biểu, thời điểm hay văn bản gốc. Cần đối chiếu với thông cáo chính thức của "
                    "Bộ Ngoại giao Đức hoặc tuyên bố chung của Ngoại trưởng các nước G7."
                ),
                "en": (
                    "This reports Germany's account of a G7 agreement; we assess only whether Germany said "
                    "this. The article is the only evidence, and it names no speaker, time or original text. "
                    "It would need to be checked against an official German Foreign Office statement or the "
                    "G7 foreign ministers' joint statement."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "italy-options",
        "article": "a2",
        "quote": (
            "Italy cảnh báo rằng nếu chiến dịch quân sự của ông không dừng lại, cộng đồng quốc tế “sẽ xem "
            "xét những lựa chọn có thể được thực hiện”"
        ),
        "text": (
            "nếu chiến dịch quân sự của ông không dừng lại, cộng đồng quốc tế “sẽ xem xét những lựa chọn có "
            "thể được thực hiện”"
        ),
        "claimant": "italy",
        "claim_date": "2019-04-08",  # inferred: the article does not date the statement
        "mentions": ["haftar"],
        "places": ["libya"],
        "translation_en": (
            "if his military campaign does not stop, the international community “will consider the options "
            "that could be taken”"
        ),
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Cảnh báo của Italy: bài viết là nguồn duy nhất",
                "en": "Italy's warning: the article is the only source",
            },
            "explanation": {
                "vi": (
                    "Đây là một lời cảnh báo được quy cho Italy; chúng tôi chỉ đánh giá việc phía Italy có "
                    "đưa ra cảnh báo này hay không. Bài viết là nguồn duy nhất, không nêu tên người phát "
                    "biểu, và phần trong ngoặc kép là bản dịch tiếng Việt. Cần đối chiếu với phát biểu gốc "
                    "của chính phủ Italy."
                ),
                "en": (
                    "This is a warning attributed to Italy; we assess only whether Italy issued it. The "
                    "article is the only evidence, names no speaker, and the quoted words are a Vietnamese "
                    "translation. It would need to be checked against the Italian government's original "
                    "statement."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "lavrov-no-side",
        "article": "a2",
        "quote": (
            "“Chúng tôi đã gửi đi thông điệp này cho tất cả các thế lực chính trị ở Libya. Chúng tôi không "
            "hề nghiêng về bất kỳ bên nào cả”"
        ),
        "text": (
            "Chúng tôi đã gửi đi thông điệp này cho tất cả các thế lực chính trị ở Libya. Chúng tôi không hề "
            "nghiêng về bất kỳ bên nào cả"
        ),
        "claimant": "lavrov",
        "claim_date": "2019-04-06",  # the article dates Lavrov's statement "vào ngày 6/4"
        "mentions": ["russia"],
        "places": ["libya"],
        "translation_en": (
            "We have sent this message to all political forces in Libya. We do not take the side of anyone at all"
        ),
        "status": "draft",
        # Work in progress: a verdict is drafted but the claim has not been through review.
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Phát biểu của ông Lavrov ngày 6/4: cần đối chiếu bản gốc",
                "en": "Lavrov's 6 April remarks: original transcript needed",
            },
            "explanation": {
                "vi": (
                    "Câu trích là bản dịch tiếng Việt lời ông Lavrov ngày 6/4; chúng tôi chỉ đánh giá việc "
                    "ông có nói như vậy hay không, không đánh giá việc Nga có thực sự trung lập. Bài viết là "
                    "nguồn duy nhất. Cần đối chiếu với bản ghi phát biểu được Bộ Ngoại giao Nga công bố."
                ),
                "en": (
                    "The quote is a Vietnamese translation of Lavrov's words on 6 April; we assess only "
                    "whether he said this, not whether Russia is in fact neutral. The article is the only "
                    "evidence. It would need to be checked against the transcript published by the Russian "
                    "Foreign Ministry."
                ),
            },
            "evidence": [("a2", "context")],
        },
    },
    {
        "key": "unsc-5-april",
        "article": "a2",
        "quote": (
            "Tình hình xấu đi ở Libya đã được nêu ra trong cuộc họp Hội đồng Bảo an Liên Hợp Quốc ngày 5/4, "
            "và sau đó họ đã yêu cầu lực lượng LNA ngừng các hoạt động quân sự của mình"
        ),
        "text": (
            "Tình hình xấu đi ở Libya đã được nêu ra trong cuộc họp Hội đồng Bảo an Liên Hợp Quốc ngày 5/4, "
            "và sau đó họ đã yêu cầu lực lượng LNA ngừng các hoạt động quân sự của mình"
        ),
        "claimant": None,  # stated by the article itself
        "claim_date": "2019-04-08",  # inferred: article date (the meeting itself is dated 5/4)
        "mentions": ["unsc", "lna"],
        "places": ["libya"],
        "translation_en": (
            "The worsening situation in Libya was raised at the UN Security Council meeting on 5 April, "
            "after which they called on the LNA to halt its military operations"
        ),
        "status": "draft",
        # Not yet researched: no verdict drafted.
        "verdict": None,
    },
    # ----- Article a1 -----
    {
        "key": "casualties-32-50",
        "article": "a1",
        "quote": "theo đó đã có ít nhất 32 người thiệt mạng và khoảng 50 người bị thương",
        "text": "đã có ít nhất 32 người thiệt mạng và khoảng 50 người bị thương",
        "claimant": "libya-moh",
        "claim_date": "2019-04-07",  # the article dates the ministry's update "ngày 7/4"
        "mentions": [],
        "places": ["tripoli"],
        "translation_en": "at least 32 people have been killed and about 50 injured",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Số thương vong 32 người chết, 50 người bị thương chưa được đối chiếu",
                "en": "Toll of 32 dead and about 50 injured not yet checked against records",
            },
            "explanation": {
                "vi": (
                    "Con số được quy cho Bộ Y tế Libya, nhưng bài viết không nói rõ đó là bộ y tế thuộc "
                    "chính quyền nào, trong khi Libya có các chính quyền đối địch. Đây là số liệu tạm thời "
                    "tính đến ngày 7/4/2019 và có thể đã được điều chỉnh sau đó. Cần đối chiếu với thông báo "
                    "gốc của bộ này và số liệu của các tổ chức độc lập như Tổ chức Y tế Thế giới (WHO) hoặc "
                    "Văn phòng Điều phối các vấn đề nhân đạo của Liên Hợp Quốc (OCHA)."
                ),
                "en": (
                    "The figures are attributed to Libya's Ministry of Health, but the article does not say "
                    "which of Libya's rival administrations the ministry belongs to. They are a provisional "
                    "count as of 7 April 2019 and may have been revised. They would need to be checked "
                    "against the ministry's original statement and against figures from independent bodies "
                    "such as the World Health Organization (WHO) or UN OCHA."
                ),
            },
            "evidence": [("a1", "context")],
        },
    },
    {
        "key": "gna-no-army",
        "article": "a1",
        "quote": (
            "GNA vẫn chưa thể thành lập lực lượng quân đội, mà vẫn phải dựa vào sự hỗ trợ của các nhóm vũ "
            "trang để bảo vệ thủ đô"
        ),
        "text": (
            "GNA vẫn chưa thể thành lập lực lượng quân đội, mà vẫn phải dựa vào sự hỗ trợ của các nhóm vũ "
            "trang để bảo vệ thủ đô"
        ),
        "claimant": None,  # the article's own assessment
        "claim_date": "2019-04-08",  # inferred: article date
        "mentions": ["gna"],
        "places": ["tripoli"],
        "translation_en": (
            "the GNA has still not been able to form an army, and still has to rely on the support of armed "
            "groups to protect the capital"
        ),
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Nhận định GNA chưa có quân đội riêng chưa được chứng minh",
                "en": "Assessment that the GNA has no army of its own is unproven",
            },
            "explanation": {
                "vi": (
                    "Đây là nhận định của tác giả bài viết, không dẫn nguồn. Thế nào là “thành lập lực lượng "
                    "quân đội” còn tùy vào định nghĩa, và bài viết không đưa ra dữ liệu nào về cơ cấu quốc "
                    "phòng của GNA. Cần các văn bản chính thức của GNA về tổ chức lực lượng vũ trang hoặc "
                    "phân tích của các nhà nghiên cứu độc lập để kiểm chứng."
                ),
                "en": (
                    "This is the article's own assessment, with no source given. What counts as “forming an "
                    "army” depends on definitions, and the article gives no data on the GNA's defence "
                    "structure. Official GNA documents on its armed forces or analysis by independent "
                    "researchers would be needed to verify it."
                ),
            },
            "evidence": [("a1", "context")],
        },
    },
    {
        "key": "gaddafi-overthrown-2011",
        "article": "a1",
        "quote": "cuộc chính biến năm 2011 lật đổ chế độ của nhà độc tài Moamer Gadhafi",
        "text": "cuộc chính biến năm 2011 lật đổ chế độ của nhà độc tài Moamer Gadhafi",
        "claimant": None,  # stated by the article itself
        "claim_date": "2019-04-08",  # inferred: article date
        "mentions": ["gaddafi"],
        "places": ["libya"],
        "translation_en": "the 2011 upheaval that overthrew the regime of dictator Moamer Gadhafi",
        "status": "published",
        "verdict": {
            "rating": "true",
            "headline": {
                "vi": "Chính quyền Gaddafi bị lật đổ năm 2011: đúng",
                "en": "Gaddafi's government was overthrown in 2011: true",
            },
            "explanation": {
                "vi": (
                    "Cả hai bài viết đều độc lập nêu rằng chính quyền của Muammar Gaddafi bị lật đổ năm "
                    "2011, và đây là sự kiện thuộc hồ sơ lịch sử không còn tranh cãi. Vì vậy chúng tôi đánh "
                    "giá phần cốt lõi của nhận định là đúng. Cách gọi “nhà độc tài” là nhận xét của bài viết "
                    "và không thuộc phạm vi đánh giá này."
                ),
                "en": (
                    "Both articles independently state that Muammar Gaddafi's government was overthrown in "
                    "2011, and this is part of the undisputed historical record. We therefore rate the core "
                    "of the statement true. Calling him a “dictator” is the article's own characterisation "
                    "and is not covered by this rating."
                ),
            },
            "evidence": [("a1", "supports"), ("a2", "supports")],
        },
    },
    {
        "key": "un-agreement-2015",
        "article": "a1",
        "quote": "Mặc dù hai bên đã ký thỏa thuận chính trị do LHQ bảo trợ vào cuối năm 2015",
        "text": "hai bên đã ký thỏa thuận chính trị do LHQ bảo trợ vào cuối năm 2015",
        "claimant": None,  # stated by the article itself
        "claim_date": "2019-04-08",  # inferred: article date
        "mentions": ["un", "lna", "gna"],
        "places": ["libya"],
        "translation_en": "the two sides signed a UN-sponsored political agreement at the end of 2015",
        "status": "in_review",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Thỏa thuận chính trị năm 2015: cần xác định “hai bên” là ai",
                "en": "The 2015 political agreement: who were “the two sides”?",
            },
            "explanation": {
                "vi": (
                    "Bài viết nói “hai bên” đã ký một thỏa thuận chính trị do Liên Hợp Quốc bảo trợ vào cuối "
                    "năm 2015, nhưng không nêu tên thỏa thuận, nơi ký hay các bên ký, và bài viết còn lại "
                    "không đề cập đến thỏa thuận này. Cần đối chiếu với văn bản thỏa thuận và danh sách bên "
                    "ký để xác định “hai bên” có đúng là hai chính quyền miền Đông và miền Tây mà bài viết "
                    "mô tả hay không."
                ),
                "en": (
                    "The article says “the two sides” signed a UN-sponsored political agreement at the end "
                    "of 2015, but it does not name the agreement, where it was signed or who signed it, and "
                    "the other article does not mention it. The agreement's text and list of signatories "
                    "need to be checked to establish whether “the two sides” really are the eastern and "
                    "western authorities the article describes."
                ),
            },
            "evidence": [("a1", "context")],
        },
    },
    {
        "key": "peskov-call",
        "article": "a1",
        "quote": (
            "Dmitry Peskov cho biết Moskva kêu gọi tất cả các bên (ở Liyba) ngừng các hành động có thể gây "
            "thêm đổ máu cho người dân vô tội"
        ),
        # "Liyba" is the article's misspelling of "Libya"; the text stays verbatim.
        "text": (
            "Moskva kêu gọi tất cả các bên (ở Liyba) ngừng các hành động có thể gây thêm đổ máu cho người dân vô tội"
        ),
        "claimant": "peskov",
        # Inferred: the article gives no date, but places the statement after the 7/4 casualty update.
        "claim_date": "2019-04-08",
        "mentions": ["russia"],
        "places": ["libya"],
        "translation_en": (
            "Moscow calls on all parties (in Libya) to stop actions that could cause further bloodshed among "
            "innocent people"
        ),
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Lời kêu gọi của Điện Kremlin: bài viết là nguồn duy nhất",
                "en": "The Kremlin's appeal: the article is the only source",
            },
            "explanation": {
                "vi": (
                    "Đây là lời kêu gọi được quy cho Moskva qua người phát ngôn Điện Kremlin Dmitry Peskov; "
                    "chúng tôi chỉ đánh giá việc lời kêu gọi này có được đưa ra hay không. Bài viết là nguồn "
                    "duy nhất và không nêu ngày phát biểu. Cần đối chiếu với bản ghi họp báo của Điện "
                    "Kremlin hoặc bản tin gốc của các hãng thông tấn Nga."
                ),
                "en": (
                    "This is an appeal attributed to Moscow through Kremlin spokesman Dmitry Peskov; we "
                    "assess only whether the appeal was made. The article is the only evidence and does not "
                    "date the statement. It would need to be checked against the Kremlin's briefing "
                    "transcript or the original Russian news agency reports."
                ),
            },
            "evidence": [("a1", "context")],
        },
    },
    {
        "key": "bogdanov-contact",
        "article": "a1",
        "quote": (
            "Mikhail Bogdanov cho biết Moskva đang liên hệ với tất cả các bên trong cuộc xung đột và kêu gọi "
            "về một giải pháp chính trị"
        ),
        "text": ("Moskva đang liên hệ với tất cả các bên trong cuộc xung đột và kêu gọi về một giải pháp chính trị"),
        "claimant": "bogdanov",
        # Inferred: the article gives no date, but places the statement after the 7/4 casualty update.
        "claim_date": "2019-04-08",
        "mentions": ["russia"],
        "places": ["libya"],
        "translation_en": (
            "Moscow is in contact with all parties to the conflict and is calling for a political solution"
        ),
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Phát biểu của Thứ trưởng Bogdanov: bài viết là nguồn duy nhất",
                "en": "Deputy Minister Bogdanov's remarks: the article is the only source",
            },
            "explanation": {
                "vi": (
                    "Đây là phát biểu của Thứ trưởng Ngoại giao Nga Mikhail Bogdanov với hãng RIA Novosti, "
                    "được bài viết thuật lại; chúng tôi chỉ đánh giá việc ông có nói như vậy hay không, "
                    "không đánh giá các hoạt động ngoại giao của Nga. Bài viết là nguồn duy nhất. Cần đối "
                    "chiếu với bản tin gốc của RIA Novosti."
                ),
                "en": (
                    "This is a statement by Russian Deputy Foreign Minister Mikhail Bogdanov to RIA Novosti, "
                    "as reported by the article; we assess only whether he said it, not Russia's actual "
                    "diplomatic contacts. The article is the only evidence. It would need to be checked "
                    "against the original RIA Novosti report."
                ),
            },
            "evidence": [("a1", "context")],
        },
    },
    {
        "key": "mogherini-ceasefire",
        "article": "a1",
        "quote": "bà Federica Mogherini đã kêu gọi thực hiện lệnh ngừng bắn nhân đạo ở Libya",
        "text": "bà Federica Mogherini đã kêu gọi thực hiện lệnh ngừng bắn nhân đạo ở Libya",
        "claimant": "mogherini",
        # Inferred: the article gives no date, but places the statement after the 7/4 casualty update.
        "claim_date": "2019-04-08",
        "mentions": ["mogherini", "eu"],
        "places": ["libya", "luxembourg"],
        "translation_en": "Ms Federica Mogherini called for a humanitarian ceasefire in Libya",
        "status": "published",
        "verdict": {
            "rating": "unproven",
            "headline": {
                "vi": "Lời kêu gọi ngừng bắn của bà Mogherini: bài viết là nguồn duy nhất",
                "en": "Mogherini's call for a ceasefire: the article is the only source",
            },
            "explanation": {
                "vi": (
                    "Nhận định thuật lại một lời kêu gọi của bà Mogherini; chúng tôi chỉ đánh giá việc bà có "
                    "đưa ra lời kêu gọi này hay không. Bài viết là nguồn duy nhất, và đoạn trích lời bà "
                    "trong bài là bản dịch tiếng Việt. Cần đối chiếu với bản ghi phát biểu do Cơ quan Đối "
                    "ngoại châu Âu (EEAS) công bố."
                ),
                "en": (
                    "The statement reports an appeal by Mogherini; we assess only whether she made it. The "
                    "article is the only evidence, and her quoted words in it are a Vietnamese translation. "
                    "It would need to be checked against the transcript published by the European External "
                    "Action Service (EEAS)."
                ),
            },
            "evidence": [("a1", "context")],
        },
    },
]

# What readers sent through the public forms: the readers' inbox editors see in the admin.
READER_TIPS = [
    {
        "language": "vi",
        "text": "Có tin nói lực lượng của ông Haftar đã chiếm được sân bay quốc tế Tripoli hôm 7/4. Có đúng không?",
        "where_seen": "",
        "context": "Thấy trên mạng xã hội, không rõ nguồn.",
    },
    {
        "language": "en",
        "text": "A post says the UN evacuated all its staff from Libya in April 2019.",
        "where_seen": "",
        "context": "Shared widely in a messaging group.",
    },
]
READER_COMPLAINTS = [
    {
        "language": "vi",
        "kind": "correction",
        "name": "Bạn đọc (demo)",
        "email": "ban-doc@example.org",
        "message": "Bài kiểm chứng về số binh sĩ thiệt mạng nên dẫn thêm số liệu của Bộ Y tế Libya.",
    }
]
