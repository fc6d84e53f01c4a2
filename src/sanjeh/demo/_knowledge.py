"""The demo's knowledge base and who read it: help-centre articles for half of the
ticket categories, in Persian, Arabic and English, and views of them by the demo's
customers.

Articles are written for the categories' own questions (the words customers use in
``phrases``): delivery delays, refunds, failed payments, login problems and
cancellations have one; order changes, billing errors, app crashes, account changes
and product questions have none, so topics about them are knowledge gaps.

Views come in two kinds, from a random stream of their own (``[seed, 70, k]``), so every
other demo table stays as it was without them:

* a customer who writes about a covered category read its article first, sometimes
  (``READ_FIRST``), between an hour and three days before the ticket: the article did
  not deflect that contact;
* customers read articles without writing, at any time of the period
  (``BROWSE`` views per ticket): most are followed by no ticket, some by one
  within days (a customer who writes again later) — deflection is not 100 %.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._const import SOURCE
from ._tables import TIMESTAMP, US

#: the categories with an article (about half of ``_const.CATEGORIES``)
COVERED = ("delivery_delay", "refund", "payment_failed", "login_problem", "cancellation")
#: the share of tickets about a covered category whose customer read the article first
READ_FIRST = 0.3
#: views without a ticket behind them, per ticket of the chunk
BROWSE = 0.5
CHANNELS = ("help_center", "app", "bot")
_CHANNEL_P = (0.55, 0.3, 0.15)
#: every article was last edited this many days before the period began
_EDITED_DAYS = 20
HOST = "https://help.example.com"

#: (title, body) per category and language; bodies are HTML as a help centre exports it
ARTICLES: dict[str, dict[str, tuple[str, str]]] = {
    "delivery_delay": {
        "fa": (
            "سفارشم هنوز نرسیده؛ پیگیری مرسوله و تأخیر در ارسال",
            "<p>اگر سفارش شما دیر شده، ابتدا <b>کد رهگیری</b> مرسوله را در صفحهٔ سفارش "
            "ببینید. وضعیت «در حال ارسال» یعنی بسته به پیک یا پست تحویل شده است.</p>"
            "<p>اگر پیک نیامد یا کد رهگیری اطلاعاتی نشان نداد، تا دو روز کاری صبر کنید؛ "
            "پس از آن تأخیر ارسال را از همین صفحه گزارش دهید.</p>",
        ),
        "ar": (
            "طلبي لم يصل: متابعة الشحنة وتأخير التوصيل",
            "<p>إذا تأخر طلبك، افتح صفحة الطلب وتابع <b>رقم الشحنة</b>. حالة «قيد الشحن» "
            "تعني أن الطلب مع المندوب أو شركة الشحن.</p><p>إذا لم يصل المندوب، انتظر يومي "
            "عمل ثم أبلغ عن تأخير التوصيل من صفحة الطلب.</p>",
        ),
        "en": (
            "My order hasn't arrived: tracking a delayed delivery",
            "<p>If your order is late, open the order page and check the <b>tracking</b> "
            "link. 'In transit' means the parcel is with the courier.</p><p>If the courier "
            "did not show up or tracking shows nothing, wait two working days, then report "
            "the delayed delivery from the order page.</p>",
        ),
    },
    "refund": {
        "fa": (
            "بازگشت وجه و استرداد مبلغ سفارش لغو شده",
            "<p>پس از لغو سفارش یا مرجوع کردن کالا، <b>بازگشت وجه</b> ظرف ۷۲ ساعت کاری به "
            "کارتی که با آن پرداخت کرده‌اید واریز می‌شود.</p><p>اگر پولتان برنگشته، شمارهٔ "
            "پیگیری استرداد را در صفحهٔ سفارش ببینید.</p>",
        ),
        "ar": (
            "استرجاع المبلغ واسترداد مبلغ الطلب الملغي",
            "<p>بعد إلغاء الطلب أو إرجاع المنتج، يرجع <b>المبلغ</b> إلى البطاقة خلال ٧٢ "
            "ساعة عمل.</p><p>إذا ما رجعت الفلوس، تجد رقم استرداد المبلغ في صفحة الطلب.</p>",
        ),
        "en": (
            "Refunds: when do I get my money back?",
            "<p>After you cancel an order or return an item, the <b>refund</b> reaches the "
            "card you paid with within 72 working hours.</p><p>Still waiting for your "
            "refund? The order page shows the refund reference for your bank.</p>",
        ),
    },
    "payment_failed": {
        "fa": (
            "پرداخت ناموفق: پول کم شد ولی سفارش ثبت نشد",
            "<p>اگر پرداخت ناموفق بود ولی پول از حسابتان کم شد، بانک مبلغ را ظرف ۷۲ ساعت "
            "برمی‌گرداند. سفارش ثبت نشده است.</p><p>اگر درگاه پرداخت خطا می‌دهد یا کارت "
            "شما پذیرفته نمی‌شود، کارت دیگری را امتحان کنید.</p>",
        ),
        "ar": (
            "فشل الدفع: انخصم المبلغ والطلب ما انسجل",
            "<p>إذا فشل الدفع وانخصم المبلغ من حسابك، يرجعه البنك خلال ٧٢ ساعة. الطلب لم "
            "يسجل.</p><p>إذا كانت بوابة الدفع تعطي خطأ أو البطاقة ترفض، جرب بطاقة أخرى.</p>",
        ),
        "en": (
            "Payment failed at checkout, but I was charged",
            "<p>If the payment failed but money left your account, your bank returns it "
            "within 72 hours; no order was placed.</p><p>If the payment page shows an "
            "error or your card is declined, try another card.</p>",
        ),
    },
    "login_problem": {
        "fa": (
            "نمی‌توانم وارد حسابم شوم؛ کد تأیید و بازیابی رمز",
            "<p>اگر <b>کد تأیید</b> پیامک نمی‌شود، شمارهٔ موبایل حساب را بررسی کنید و دو "
            "دقیقه بعد دوباره درخواست دهید.</p><p>رمز را فراموش کرده‌اید؟ لینک بازیابی رمز "
            "را بزنید. حساب قفل شده پس از یک ساعت باز می‌شود.</p>",
        ),
        "ar": (
            "ما أقدر أدخل حسابي: رمز التحقق واستعادة كلمة المرور",
            "<p>إذا رمز التحقق ما يوصل، تأكد من رقم الجوال واطلبه مرة ثانية بعد دقيقتين."
            "</p><p>نسيت كلمة المرور؟ استخدم رابط الاستعادة. الحساب المقفل يفتح بعد ساعة.</p>",
        ),
        "en": (
            "Can't log in: verification code and password reset",
            "<p>If the <b>verification code</b> never arrives, check the phone number on "
            "your account and ask again after two minutes.</p><p>Forgot your password? Use "
            "the reset link. A locked account unlocks after one hour.</p>",
        ),
    },
    "cancellation": {
        "fa": (
            "لغو اشتراک و غیرفعال کردن تمدید خودکار",
            "<p>برای <b>لغو اشتراک</b> به تنظیمات حساب بروید و «لغو اشتراک» را بزنید. "
            "تمدید خودکار همان‌جا غیرفعال می‌شود.</p>",
        ),
        "ar": (
            "إلغاء الاشتراك وإيقاف التجديد التلقائي",
            "<p>لإلغاء الاشتراك افتح إعدادات الحساب واختر «إلغاء الاشتراك». من نفس المكان "
            "توقف التجديد التلقائي.</p>",
        ),
        "en": (
            "Cancel your subscription or turn off auto-renewal",
            "<p>To <b>cancel</b> your subscription, open account settings and choose "
            "'Cancel subscription'. Auto-renewal of your plan is turned off there too.</p>",
        ),
    },
}

#: the questions each article answers, in the customers' own words (a help centre's
#: "common questions" list, searched by customers and matched by topics)
QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "delivery_delay": {
        "fa": (
            "سفارشم هنوز نرسیده، کجاست؟",
            "پیک نیامد و جواب تلفن نمی‌دهد.",
            "کد رهگیری پست اطلاعاتی نشان نمی‌دهد.",
        ),
        "ar": (
            "طلبي ما وصل، وين الطلب؟",
            "المندوب ما جا ولا يرد على الجوال.",
            "حالة الطلب من أيام قيد الشحن.",
        ),
        "en": (
            "Where is my parcel?",
            "My order hasn't arrived yet.",
            "The courier never showed up.",
        ),
    },
    "refund": {
        "fa": ("پولم برنگشته، کی واریز می‌شود؟", "کالا را مرجوع کردم، وجهش کی برمی‌گردد؟"),
        "ar": ("فلوسي ما رجعت، متى يرجع المبلغ؟", "رجعت المنتج، متى ينزل المبلغ في البطاقة؟"),
        "en": (
            "I cancelled my order, when do I get my money back?",
            "The refund isn't on my card yet.",
        ),
    },
    "payment_failed": {
        "fa": (
            "موقع پرداخت خطا داد ولی پول از حسابم کم شد.",
            "پرداختم ناموفق بود و سفارش ثبت نشد.",
        ),
        "ar": ("وقت الدفع طلع خطأ والمبلغ انخصم من حسابي.", "الدفع فشل والطلب ما انسجل."),
        "en": (
            "The payment failed but the money left my account.",
            "My card gets rejected at checkout.",
        ),
    },
    "login_problem": {
        "fa": (
            "نمی‌توانم وارد حسابم شوم.",
            "کد تأیید پیامک نمی‌شود.",
            "رمزم را فراموش کردم.",
            "حسابم قفل شده است.",
        ),
        "ar": ("ما أقدر أدخل حسابي.", "رمز التحقق ما يوصل.", "نسيت كلمة المرور.", "حسابي مقفل."),
        "en": (
            "I can't log in.",
            "The verification code never arrives.",
            "I forgot my password.",
            "My account is locked.",
        ),
    },
    "cancellation": {
        "fa": (
            "می‌خواهم اشتراکم را لغو کنم.",
            "چطور تمدید خودکار را غیرفعال کنم؟",
            "از سرویس استفاده نمی‌کنم، چطور لغوش کنم؟",
        ),
        "ar": (
            "أبي ألغي اشتراكي.",
            "كيف أوقف التجديد التلقائي؟",
            "ما عاد أستخدم الخدمة، كيف ألغيها؟",
        ),
        "en": (
            "I want to cancel my subscription.",
            "How do I turn off auto-renewal?",
            "I don't use the service anymore.",
        ),
    },
}
_QUESTIONS_HEADING = {"fa": "پرسش‌های رایج", "ar": "أسئلة شائعة", "en": "Common questions"}

_ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("source", pa.string()),
        ("external_id", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),
        ("url", pa.string()),
        ("language", pa.string()),
        ("category", pa.string()),
        ("updated_at", TIMESTAMP),
    ]
)
_VIEW_SCHEMA = pa.schema(
    [
        ("view_id", pa.string()),
        ("source", pa.string()),
        ("article_id", pa.string()),
        ("customer_id", pa.string()),
        ("viewed_at", TIMESTAMP),
        ("channel", pa.string()),
    ]
)


def _external(category: str, lang: str) -> str:
    return f"kb-{category.replace('_', '-')}-{lang}"


def article_id(category: str, lang: str) -> str:
    return f"{SOURCE}:{_external(category, lang)}"


def kb_articles(start: int) -> pa.Table:
    """Every article of the demo's help centre (``start``: the period's first instant,
    epoch seconds)."""
    rows: dict[str, list] = {f.name: [] for f in _ARTICLE_SCHEMA}
    edited = (start - _EDITED_DAYS * 86400) * US
    for category in COVERED:
        for lang, (title, body) in ARTICLES[category].items():
            rows["article_id"].append(article_id(category, lang))
            rows["source"].append(SOURCE)
            rows["external_id"].append(_external(category, lang))
            rows["title"].append(title)
            asked = "".join(f"<li>{q}</li>" for q in QUESTIONS[category][lang])
            rows["body"].append(f"{body}<h3>{_QUESTIONS_HEADING[lang]}</h3><ul>{asked}</ul>")
            rows["url"].append(f"{HOST}/{lang}/{category.replace('_', '-')}")
            rows["language"].append(lang)
            rows["category"].append(category)
            rows["updated_at"].append(edited)
    return pa.table(rows, schema=_ARTICLE_SCHEMA)


def article_views(tickets: pa.Table, start: int, end: int, seed: int, k: int) -> pa.Table:
    """Views by the customers of the chunk's ``tickets`` (chunk ``k``), within
    ``[start, end)`` (epoch seconds)."""
    n = tickets.num_rows
    if not n:
        return _VIEW_SCHEMA.empty_table()
    rng = np.random.default_rng([seed, 70, k])
    created = pc.cast(tickets["created_at"], pa.int64()).to_numpy(zero_copy_only=False) // US
    category = np.array(tickets["category"].to_pylist(), dtype=object)
    lang = np.array(tickets["language"].to_pylist(), dtype=object)
    customer = np.array(tickets["customer_id"].to_pylist(), dtype=object)
    covered = np.isin(category, COVERED) & (customer != None)  # noqa: E711
    # read first, then wrote anyway
    first = np.flatnonzero(covered & (rng.random(n) < READ_FIRST))
    before = rng.integers(3600, 3 * 86400, first.size)
    # browsed without a ticket behind the view: a random customer of the chunk, a covered
    # category in that customer's language, any time of the period
    m = int(rng.poisson(BROWSE * n))
    who = rng.integers(0, n, m)
    picked = rng.integers(0, len(COVERED), m)
    when = rng.integers(start, end, m)
    keep = customer[who] != None  # noqa: E711
    who, picked, when = who[keep], picked[keep], when[keep]
    at = np.concatenate([created[first] - before, when])
    cats = np.concatenate([category[first], np.array(COVERED, dtype=object)[picked]])
    langs = np.concatenate([lang[first], lang[who]])
    people = np.concatenate([customer[first], customer[who]])
    channel = rng.choice(len(CHANNELS), at.size, p=_CHANNEL_P)
    inside = (at >= start) & (at < end)
    order = np.flatnonzero(inside)
    return pa.table(
        {
            "view_id": [f"{SOURCE}:v-{k}-{i}" for i in range(order.size)],
            "source": [SOURCE] * order.size,
            "article_id": [article_id(cats[i], langs[i]) for i in order],
            "customer_id": list(people[order]),
            "viewed_at": pa.array(at[order] * US, TIMESTAMP),
            "channel": [CHANNELS[c] for c in channel[order]],
        },
        schema=_VIEW_SCHEMA,
    )


#: the tables this module fills
KNOWLEDGE_TABLES = ("kb_articles", "article_views")

__all__ = ["ARTICLES", "COVERED", "KNOWLEDGE_TABLES", "article_views", "kb_articles"]
