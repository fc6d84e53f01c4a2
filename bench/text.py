"""Throughput of the full default analyzer set on a mixed fa / ar / en batch.

    .venv/bin/python bench/text.py [--messages 20000] [--seed 7]

One process, one thread: the figure is messages per second per core. The batch mixes
agent and customer messages of realistic length in Persian (formal and colloquial, with
and without ZWNJ, Arabic letter variants, Persian digits), Arabic (MSA and dialects,
Arabic-Indic digits) and English, plus some mixed-script messages. Language is detected
(not given), as it would be on imported tickets.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable

AGENT = [
    "سلام، وقت بخیر. ممنون از صبوری شما؛ سفارش {n} رو بررسی کردم و خودم پیگیری می‌کنم.",
    "سلام وقتتون بخیر، متاسفانه امکان بازگشت وجه تا ۴۸ ساعت وجود نداره "
    "ولی میتونم کد تخفیف براتون فعال کنم.",
    "درک می‌کنم که چقدر اذیت شدید. اگر درست متوجه شده باشم، بسته‌تون هنوز نرسیده؟",
    "خواهش می‌کنم، قربان شما. امر دیگه‌ای هست در خدمتتون باشم؟ روز خوبی داشته باشید.",
    "جناب آقای محمدی، بزرگواری می‌کنید. تا فردا ساعت ۱۲ نتیجه رو بهتون خبر میدم.",
    "مرحبا بك، كيف يمكنني مساعدتك اليوم؟ حضرتك ممكن توضح رقم الطلب {n}؟",
    "نعتذر عن التأخير، أتفهم انزعاجك تماما. سأتابع بنفسي وأبلغك خلال ٢٤ ساعة.",
    "يعطيك العافية، تم حل المشكلة بنجاح. هل هناك شيء آخر أقدر أساعدك فيه؟ يومك سعيد",
    "للأسف لا يمكننا إلغاء الطلب بعد الشحن، لكن اللي أقدر أسويه هو استرجاع المبلغ كاملا.",
    "Hi Sarah, thanks for reaching out! I completely understand how frustrating this must be.",
    "I'm sorry for the delay. I've gone ahead and refunded the shipping as a courtesy.",
    "Just to confirm, do you mean the charge on order {n}? I'll get back to you by tomorrow.",
    "Unfortunately we can't change the address once shipped, but here's what I can do for you.",
    "Is there anything else I can help with today? Have a great day!",
    "سلام، your ticket {n} has been escalated to our billing team. ممنون از صبرتون",
]
CUSTOMER = [
    "سلام، سفارشم {n} هنوز نرسیده و خیلی ناراحتم. کسی جواب نمیده!",
    "خیلی ممنونم، مشکلم حل شد. واقعا عالی بودید 🙏",
    "مشکلی نیست، فقط لطفا زودتر پیگیری کنید",
    "راضی نیستم، کیفیتش خیلی بد بود و پشیمونم. میخوام با مدیرتون صحبت کنم",
    "شماره من ۰۹۱۲۳۴۵۶۷۸۹ هست، لطفاً تماس بگیرید",
    "الطلب ما وصل لحد الآن وهذا شيء مزعج جدا، أبي أكلم المدير",
    "شكرا جزيلا على المساعدة، الله يعطيك العافية",
    "لا مشكلة، بس متى يوصل الطلب؟",
    "الخدمة سيئة جدا وما حد رد علي من أسبوع 😡",
    "This is unacceptable, I've been waiting for two weeks. I want to speak to a manager.",
    "Thanks so much, that fixed it! Really appreciate the quick help.",
    "Not a problem, I can wait until Monday.",
    "The app keeps crashing when I open my account page, error code {n}.",
    "ok",
    "سلام، the payment failed again 😞",
]


def make_batch(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts: list[str] = []
    roles: list[str] = []
    for _ in range(n):
        agent = rng.random() < 0.5
        template = rng.choice(AGENT if agent else CUSTOMER)
        text = template.format(n=rng.randint(10_000, 99_999))
        if rng.random() < 0.2:  # Persian typed on an Arabic keyboard
            text = text.replace("ی", "ي").replace("ک", "ك")
        if rng.random() < 0.2:  # ZWNJ written as a space
            text = text.replace("\u200c", " ")
        texts.append(text)
        roles.append("agent" if agent else "customer")
    return texts, roles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    ns = parser.parse_args()

    from sanjeh import text

    texts, roles = make_batch(ns.messages, ns.seed)
    text.analyze(texts[:200], role=roles[:200])  # warm-up: lexicons, lingua, model load

    def timed(run: Callable[[], object]) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process): on a shared machine the CPU time is
        the honest per-core figure, the wall time is what a user waits."""
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        return time.perf_counter() - wall, time.process_time() - cpu

    n = len(texts)
    print(f"messages: {n} (mixed fa/ar/en, agent + customer); cpu count {os.cpu_count()}")
    for label, run in (
        ("analyze, by role", lambda: text.analyze(texts, role=roles)),
        ("analyze, every analyzer", lambda: text.analyze(texts)),
        ("sentiment", lambda: text.sentiment(texts)),
        ("redact", lambda: text.redact(texts)),
    ):
        wall, cpu = timed(run)
        print(f"{label:<24} {n / cpu:>8,.0f} msg per CPU-second   {n / wall:>8,.0f} msg/s wall")


if __name__ == "__main__":
    main()
