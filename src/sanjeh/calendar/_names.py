"""Month and weekday names of the Gregorian, Jalali and Hijri calendars in fa / ar / en.

The Jalali fa / en names match jdatetime's and the Hijri ar / en names hijridate's (a
test checks both), so a date reads the same wherever Sanjeh shows it.
"""

from __future__ import annotations

# fmt: off
MONTHS: dict[str, dict[str, tuple[str, ...]]] = {
    "gregorian": {
        "en": (
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ),
        "fa": (
            "ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن",
            "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر",
        ),
        "ar": (
            "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
            "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
        ),
    },
    "jalali": {
        "en": (
            "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
            "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
        ),
        "fa": (
            "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
            "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
        ),
        # the same Persian names in Arabic spelling (ي, ك)
        "ar": (
            "فروردين", "أرديبهشت", "خرداد", "تير", "مرداد", "شهريور",
            "مهر", "آبان", "آذر", "دي", "بهمن", "إسفند",
        ),
    },
    "hijri": {
        "en": (
            "Muharram", "Safar", "Rabi' al-Awwal", "Rabi' al-Thani", "Jumada al-Ula",
            "Jumada al-Akhirah", "Rajab", "Sha'ban", "Ramadan", "Shawwal", "Dhu al-Qa'dah",
            "Dhu al-Hijjah",
        ),
        "fa": (
            "محرم", "صفر", "ربیع‌الاول", "ربیع‌الثانی", "جمادی‌الاول", "جمادی‌الثانی",
            "رجب", "شعبان", "رمضان", "شوال", "ذیقعده", "ذیحجه",
        ),
        "ar": (
            "محرم", "صفر", "ربيع الأول", "ربيع الثاني", "جمادى الأولى", "جمادى الآخرة",
            "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
        ),
    },
}
# fmt: on

#: Monday first, like date.weekday()
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fa": ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}

#: the zero of each digit set; the other nine follow it in Unicode
DIGIT_ZERO = {"latin": "0", "persian": "\u06f0", "arabic": "\u0660"}
DEFAULT_DIGITS = {"en": "latin", "fa": "persian", "ar": "arabic"}
