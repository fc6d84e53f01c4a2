"""Conversation-level signals and the quality score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sanjeh import text
from sanjeh.errors import ValidationError

GOOD_FA = [
    {"role": "customer", "text": "سلام، سفارشم ۵ روزه نرسیده و خیلی ناراحتم"},
    {
        "role": "agent",
        "text": "سلام، وقتتون بخیر. کاملا درک می‌کنم، حق دارید. اگر درست متوجه "
        "شده باشم سفارش ۱۲۳ هنوز نرسیده؟ خودم پیگیری می‌کنم و تا فردا خبرتون میکنم.",
    },
    {"role": "customer", "text": "بله، ممنون"},
    {"role": "agent", "text": "سفارش امروز ارسال شد و برای جبران کد تخفیف هم براتون فعال کردم."},
    {"role": "customer", "text": "خیلی ممنونم، عالی بود!"},
    {"role": "agent", "text": "خواهش می‌کنم، امر دیگه‌ای هست در خدمتتون باشم؟ روز خوبی داشته باشید"},
]

BAD_AR = [
    {"role": "customer", "text": "الطلب ما وصل لحد الآن"},
    {"role": "agent", "text": "لا يمكننا عمل شيء، هذا خطأك كان لازم تنتبه"},
    {"role": "customer", "text": "الخدمة سيئة جدا، أبي أكلم المدير"},
]


def test_good_persian_conversation() -> None:
    result = text.analyze_conversation(GOOD_FA)
    assert result.get("conversation.greeting").label == "present"  # type: ignore[union-attr]
    assert result.get("conversation.closing").label == "present"  # type: ignore[union-attr]
    assert result.customer_sentiment_start is not None and result.customer_sentiment_start < 0
    assert result.customer_sentiment_end is not None and result.customer_sentiment_end > 0
    assert result.customer_sentiment_trend == "improving"
    assert result.get("conversation.empathy_when_needed").label == "present"  # type: ignore[union-attr]
    assert result.get("conversation.follow_up_kept").label == "kept"  # type: ignore[union-attr]
    assert result.counts["wow"] == 1 and result.counts["ownership"] >= 1
    assert result.quality_score is not None and result.quality_score >= 80
    assert result.quality_score == text.quality_score(result.components)
    greeting = result.get("conversation.greeting")
    assert greeting is not None and {e.message for e in greeting.evidence} == {1}


def test_bad_arabic_conversation() -> None:
    result = text.analyze_conversation(BAD_AR)
    assert result.customer_sentiment_trend in ("worsening", "stable")
    assert result.components["rude"] == -25
    assert result.components["greeting"] == 0 and result.components["closing"] == 0
    assert result.get("conversation.escalation_request") is not None
    assert result.quality_score is not None and result.quality_score < 40
    assert result.get("conversation.quality").label == "poor"  # type: ignore[union-attr]


def test_paraphrase_of_the_customer_is_active_listening() -> None:
    result = text.analyze_conversation(
        [
            {"role": "customer", "text": "The invoice shows a double charge for the premium plan"},
            {"role": "agent", "text": "I see a double charge on the premium plan invoice."},
        ]
    )
    assert result.get("conversation.paraphrase").label == "present"  # type: ignore[union-attr]


def test_messages_are_ordered_by_timestamp() -> None:
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    result = text.analyze_conversation(
        [
            {"role": "agent", "text": "Have a great day!", "timestamp": t0 + timedelta(minutes=5)},
            {"role": "agent", "text": "Hello! How can I help?", "timestamp": t0},
        ]
    )
    assert result.components["greeting"] == 10 and result.components["closing"] == 10


def test_event_shaped_messages_and_no_agent() -> None:
    result = text.analyze_conversation([{"actor_type": "customer", "body": "hello?"}])
    assert result.quality_score is None and result.get("conversation.quality") is None


def test_bad_role_is_refused() -> None:
    with pytest.raises(ValidationError):
        text.analyze_conversation([{"role": "robot", "text": "hi"}])
