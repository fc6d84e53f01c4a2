"""The ready-made surveys: CSAT, CES, NPS, eNPS and a weekly pulse, worded in fa / ar / en.

The wording follows the usual questions (CSAT: satisfaction with how the request was
handled, 1-5; CES: agreement that it was easy, 1-7, the seeds' "ease" direction; NPS /
eNPS: likelihood to recommend, 0-10), written to read naturally in each language
rather than translated word by word.
"""

from __future__ import annotations

from typing import Any

from ._definitions import SurveyDefinition, from_dict


def default_definitions() -> dict[str, SurveyDefinition]:
    """The defaults by survey id; create them as they are, or edit a copy of
    ``to_dict()`` and load that."""
    return {d["id"]: from_dict(d, where=f"default survey {d['id']}") for d in _DEFAULTS}


def _comment(fa: str, ar: str, en: str) -> dict[str, Any]:
    return {"code": "comment", "kind": "text", "text": {"fa": fa, "ar": ar, "en": en}}


_CUSTOMER_COMMENT = _comment(
    "اگر دوست دارید، بیشتر برایمان بنویسید.",
    "إن أحببت، اكتب لنا المزيد.",
    "Anything you would like to add?",
)

_DEFAULTS: list[dict[str, Any]] = [
    {
        "id": "csat-after-solve",
        "kind": "csat",
        "trigger": "ticket_solved",
        "sample_days": 30,
        "title": {
            "fa": "نظرتان درباره‌ی پشتیبانی ما",
            "ar": "رأيك في خدمة الدعم لدينا",
            "en": "How did we do?",
        },
        "questions": [
            {
                "code": "csat",
                "kind": "rating",
                "scale": [1, 5],
                "text": {
                    "fa": "چقدر از رسیدگی ما به درخواستتان راضی بودید؟",
                    "ar": "ما مدى رضاك عن طريقة تعاملنا مع طلبك؟",
                    "en": "How satisfied were you with how we handled your request?",
                },
                "labels": {
                    "fa": ["اصلاً راضی نبودم", "کاملاً راضی بودم"],
                    "ar": ["غير راضٍ إطلاقًا", "راضٍ تمامًا"],
                    "en": ["Very dissatisfied", "Very satisfied"],
                },
            },
            _CUSTOMER_COMMENT,
        ],
    },
    {
        "id": "ces-after-solve",
        "kind": "ces",
        "trigger": "ticket_solved",
        "sample_days": 30,
        "ces_scale": "agreement",
        "title": {
            "fa": "حل مشکلتان چقدر آسان بود؟",
            "ar": "ما مدى سهولة حلّ مشكلتك؟",
            "en": "How easy was it?",
        },
        "questions": [
            {
                "code": "ces",
                "kind": "rating",
                "scale": [1, 7],
                "text": {
                    "fa": "چقدر با این جمله موافقید: «حل کردن مشکلم با شما آسان بود.»",
                    "ar": "إلى أي مدى توافق على هذه العبارة: «كان حلّ مشكلتي معكم سهلًا.»",
                    "en": "How much do you agree: “You made it easy for me to handle my issue.”",
                },
                "labels": {
                    "fa": ["کاملاً مخالفم", "کاملاً موافقم"],
                    "ar": ["لا أوافق إطلاقًا", "أوافق تمامًا"],
                    "en": ["Strongly disagree", "Strongly agree"],
                },
            },
            _CUSTOMER_COMMENT,
        ],
    },
    {
        "id": "nps-after-solve",
        "kind": "nps",
        "trigger": "ticket_solved",
        "sample_days": 90,
        "title": {
            "fa": "ما را پیشنهاد می‌کنید؟",
            "ar": "هل توصي بنا؟",
            "en": "Would you recommend us?",
        },
        "questions": [
            {
                "code": "nps",
                "kind": "rating",
                "scale": [0, 10],
                "text": {
                    "fa": "چقدر احتمال دارد ما را به دوستان یا همکارانتان پیشنهاد کنید؟",
                    "ar": "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
                    "en": "How likely are you to recommend us to a friend or colleague?",
                },
                "labels": {
                    "fa": ["به هیچ وجه", "حتماً"],
                    "ar": ["غير محتمل إطلاقًا", "محتمل جدًا"],
                    "en": ["Not at all likely", "Extremely likely"],
                },
            },
            _comment(
                "مهم‌ترین دلیل امتیازتان چیست؟",
                "ما أهم سبب لتقييمك؟",
                "What is the main reason for your score?",
            ),
        ],
    },
    {
        "id": "enps-quarterly",
        "kind": "enps",
        "trigger": "every_n_weeks",
        "every_weeks": 13,
        "expires_days": 14,
        "title": {
            "fa": "نظرسنجی بی‌نام تیم",
            "ar": "استطلاع الفريق (دون ذكر الاسم)",
            "en": "Team survey (anonymous)",
        },
        "questions": [
            {
                "code": "enps",
                "kind": "rating",
                "scale": [0, 10],
                "text": {
                    "fa": "چقدر احتمال دارد کار در این تیم را به دوستانتان پیشنهاد کنید؟",
                    "ar": "ما مدى احتمال أن توصي أصدقاءك بالعمل في هذا الفريق؟",
                    "en": "How likely are you to recommend this team as a place to work?",
                },
                "labels": {
                    "fa": ["به هیچ وجه", "حتماً"],
                    "ar": ["غير محتمل إطلاقًا", "محتمل جدًا"],
                    "en": ["Not at all likely", "Extremely likely"],
                },
            },
            _comment(
                "چه چیزی کار در این تیم را بهتر می‌کند؟ (بی‌نام ثبت می‌شود)",
                "ما الذي يجعل العمل في هذا الفريق أفضل؟ (تُسجَّل الإجابة دون اسم)",
                "What would make this team a better place to work? (Recorded without your name.)",
            ),
        ],
    },
    {
        "id": "pulse-weekly",
        "kind": "pulse",
        "trigger": "every_n_weeks",
        "every_weeks": 1,
        "expires_days": 5,
        "title": {
            "fa": "حال و هوای این هفته",
            "ar": "نبض الفريق هذا الأسبوع",
            "en": "This week's pulse",
        },
        "questions": [
            {
                "code": "workload",
                "kind": "rating",
                "scale": [1, 5],
                "primary": True,
                "text": {
                    "fa": "این هفته حجم کارتان چقدر قابل مدیریت بود؟",
                    "ar": "إلى أي مدى كان حجم عملك هذا الأسبوع قابلًا للإدارة؟",
                    "en": "How manageable was your workload this week?",
                },
                "labels": {
                    "fa": ["اصلاً قابل مدیریت نبود", "کاملاً قابل مدیریت بود"],
                    "ar": ["غير قابل للإدارة إطلاقًا", "قابل للإدارة تمامًا"],
                    "en": ["Not at all manageable", "Completely manageable"],
                },
            },
            {
                "code": "morale",
                "kind": "rating",
                "scale": [1, 5],
                "text": {
                    "fa": "این هفته حال و هوای کاری‌تان چطور بود؟",
                    "ar": "كيف كانت معنوياتك في العمل هذا الأسبوع؟",
                    "en": "How was your morale at work this week?",
                },
                "labels": {
                    "fa": ["خیلی پایین", "خیلی بالا"],
                    "ar": ["منخفضة جدًا", "مرتفعة جدًا"],
                    "en": ["Very low", "Very high"],
                },
            },
            {
                "code": "support",
                "kind": "yes_no",
                "text": {
                    "fa": "این هفته هر وقت کمک لازم داشتید، کمک گرفتید؟",
                    "ar": "هل حصلت على المساعدة كلما احتجت إليها هذا الأسبوع؟",
                    "en": "When you needed help this week, did you get it?",
                },
            },
            _comment(
                "چیزی هست که بخواهید تیم بداند؟ (بی‌نام ثبت می‌شود)",
                "هل هناك ما تودّ أن يعرفه الفريق؟ (تُسجَّل الإجابة دون اسم)",
                "Anything you want the team to know? (Recorded without your name.)",
            ),
        ],
    },
]
