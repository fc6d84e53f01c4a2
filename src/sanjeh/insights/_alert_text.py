"""An alert's message in the rule's language: KPI title, group, period (Jalali dates for
Persian, Hijri for Arabic), value and bound in the KPI's unit, with the language's digits."""

from __future__ import annotations

import datetime as dt

from .. import metrics
from ..calendar import format_date, localize_digits

_CALENDAR = {"fa": "jalali", "ar": "hijri", "en": "gregorian"}
_DIGITS = {"fa": "persian", "ar": "arabic", "en": "latin"}
_PERIOD = {
    "en": {"day": "day", "week": "week of"},
    "fa": {"day": "روز", "week": "هفتهٔ"},
    "ar": {"day": "يوم", "week": "أسبوع"},
}
_ALL = {"en": "all", "fa": "همه", "ar": "الكل"}
_UNITS = {
    "en": ("h", "min", "s", "%"),
    "fa": ("ساعت", "دقیقه", "ثانیه", "٪"),
    "ar": ("ساعة", "دقيقة", "ثانية", "٪"),
}
_WHAT = {
    "en": {
        ("threshold", "above"): "above the threshold {bound}",
        ("threshold", "below"): "below the threshold {bound}",
        ("change", "above"): "up beyond the previous period's 95 % interval (its top: {bound})",
        (
            "change",
            "below",
        ): "down beyond the previous period's 95 % interval (its bottom: {bound})",
        ("anomaly", "above"): "above the forecast's 95 % prediction interval (its top: {bound})",
        ("anomaly", "below"): "below the forecast's 95 % prediction interval (its bottom: {bound})",
    },
    "fa": {
        ("threshold", "above"): "بالاتر از آستانهٔ {bound}",
        ("threshold", "below"): "پایین‌تر از آستانهٔ {bound}",
        ("change", "above"): "افزایش فراتر از بازهٔ اطمینان ۹۵٪ دورهٔ قبل (سقف آن: {bound})",
        ("change", "below"): "کاهش فراتر از بازهٔ اطمینان ۹۵٪ دورهٔ قبل (کف آن: {bound})",
        ("anomaly", "above"): "بالاتر از بازهٔ پیش‌بینی ۹۵٪ (سقف آن: {bound})",
        ("anomaly", "below"): "پایین‌تر از بازهٔ پیش‌بینی ۹۵٪ (کف آن: {bound})",
    },
    "ar": {
        ("threshold", "above"): "أعلى من العتبة {bound}",
        ("threshold", "below"): "أدنى من العتبة {bound}",
        ("change", "above"): "ارتفاع يتجاوز فترة الثقة ٩٥٪ للفترة السابقة (حدها الأعلى: {bound})",
        ("change", "below"): "انخفاض يتجاوز فترة الثقة ٩٥٪ للفترة السابقة (حدها الأدنى: {bound})",
        ("anomaly", "above"): "أعلى من فترة التنبؤ ٩٥٪ (حدها الأعلى: {bound})",
        ("anomaly", "below"): "أدنى من فترة التنبؤ ٩٥٪ (حدها الأدنى: {bound})",
    },
}


def format_number(kpi: str, value: float, lang: str) -> str:
    """``value`` in the KPI's unit, as a reader of ``lang`` writes it."""
    meta = metrics.get_kpi(kpi)
    hours, minutes, seconds, percent = _UNITS[lang]
    if meta.unit == "seconds":
        if abs(value) >= 3600:
            text = f"{value / 3600:.1f} {hours}"
        elif abs(value) >= 60:
            text = f"{value / 60:.0f} {minutes}"
        else:
            text = f"{value:.0f} {seconds}"
    elif meta.unit == "ratio":
        text = f"{value * 100:.1f}{percent}"
    else:
        scaled = value * meta.scale
        text = f"{scaled:.0f}" if float(scaled).is_integer() else f"{scaled:.2f}"
    if lang != "en":
        text = text.replace(".", "٫")
    return localize_digits(text, _DIGITS[lang])


def alert_message(
    *,
    kpi: str,
    lang: str,
    condition: str,
    direction: str,
    period: str,
    start: dt.date,
    group: str,
    value: float,
    bound: float,
) -> str:
    """ "CSAT (team=t1), week of 2 November 2026: 61.0% — below the threshold 80.0%."""
    title = metrics.get_kpi(kpi).titles[lang]
    day = format_date(start, _CALENDAR[lang], lang, digits=_DIGITS[lang])  # type: ignore[arg-type]
    who = _ALL[lang] if group == "all" else group
    what = _WHAT[lang][(condition, direction)].format(bound=format_number(kpi, bound, lang))
    comma = "،" if lang != "en" else ","
    shown = format_number(kpi, value, lang)
    return f"{title} ({who}){comma} {_PERIOD[lang][period]} {day}: {shown} — {what}."
