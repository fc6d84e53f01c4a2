"""Finglish: Persian written in Latin letters ("salam, moshkel ro barresi mikonam").

Two jobs, both cheap enough for every Latin-script message:

* ``finglish_votes(text)`` -- how many words are distinctively Finglish support vocabulary
  (greetings, thanks, apologies, order / payment words, common verbs in all persons),
  for the language detector to weigh against English function words. Words that are also
  common English ("to", "man", "bad", "dare") are transliterated but never vote.
* ``transliterate(text)`` -- the text in Persian script for the Persian lexicons, with a
  map from every output character back to the original, so evidence points into the
  Latin text the caller gave. Known words go through a dictionary (several hundred
  spellings generated from a canonical one by spelling rules: oo/u/ou, kh/x, gh/q,
  final e/eh, ei/ey/i, doubled letters); other words through a letter-level fallback.
  English function words in a Finglish message stay as they are (the English lexicon
  still sees them).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from ._types import Doc


def _word_set(words: str) -> frozenset[str]:
    """A set of the whitespace-separated words (long vocabularies read better as text)."""
    return frozenset(words.split())


# -- vocabulary ----------------------------------------------------------------------------
# canonical Finglish spelling -> Persian; spelling variants are generated (``_variants``).
_WORDS: dict[str, str] = {
    # greetings, thanks, apologies, closings
    "salam": "سلام",
    "dorood": "درود",
    "vaght": "وقت",
    "vaghtetoon": "وقتتون",
    "bekheir": "بخیر",
    "sobh": "صبح",
    "sobhetoon": "صبحتون",
    "asr": "عصر",
    "rooz": "روز",
    "roozetoon": "روزتون",
    "khosh": "خوش",
    "amadid": "آمدید",
    "oomadid": "اومدید",
    "mamnoon": "ممنون",
    "mamnoonam": "ممنونم",
    "mamnoonim": "ممنونیم",
    "merci": "مرسی",
    "mersi": "مرسی",
    "mer30": "مرسی",
    "tashakor": "تشکر",
    "moteshakeram": "متشکرم",
    "moteshaker": "متشکر",
    "sepas": "سپاس",
    "sepasgozaram": "سپاسگزارم",
    "lotfan": "لطفا",
    "lotf": "لطف",
    "khahesh": "خواهش",
    "bebakhshid": "ببخشید",
    "bebakhshin": "ببخشین",
    "bebakhsh": "ببخش",
    "ozr": "عذر",
    "ozrkhahi": "عذرخواهی",
    "mazerat": "معذرت",
    "moteasefam": "متاسفم",
    "motasefam": "متاسفم",
    "moteasefim": "متاسفیم",
    "moteasef": "متاسف",
    "moteasefane": "متاسفانه",
    "motasefane": "متاسفانه",
    "sharmande": "شرمنده",
    "sharmandeam": "شرمنده‌ام",
    "khaste": "خسته",
    "nabashid": "نباشید",
    "nabashin": "نباشین",
    "bashid": "باشید",
    "bashin": "باشین",
    "movafagh": "موفق",
    "khodahafez": "خداحافظ",
    "khoda": "خدا",
    "hafez": "حافظ",
    "dastet": "دستت",
    "dastetoon": "دستتون",
    "dard": "درد",
    "nakone": "نکنه",
    "ghorbanet": "قربانت",
    "ghorboonet": "قربونت",
    "azizam": "عزیزم",
    "aziz": "عزیز",
    "jenab": "جناب",
    "aghaye": "آقای",
    "khanom": "خانم",
    "khanoom": "خانم",
    "aali": "عالی",
    "awli": "عالی",
    "dorost": "درست",
    "eshtebah": "اشتباه",
    "khoob": "خوب",
    "khoobe": "خوبه",
    "khoobi": "خوبی",
    "khoobin": "خوبین",
    "khoobid": "خوبید",
    "chetori": "چطوری",
    "chetorin": "چطورین",
    "chetor": "چطور",
    "hatman": "حتما",
    "albate": "البته",
    "bale": "بله",
    "baleh": "بله",
    "ary": "آره",
    "khob": "خب",
    "baashe": "باشه",
    "bashe": "باشه",
    # support vocabulary
    "moshkel": "مشکل",
    "moshkeli": "مشکلی",
    "moshkelam": "مشکلم",
    "moshkelet": "مشکلت",
    "moshkeletoon": "مشکلتون",
    "sefaresh": "سفارش",
    "sefaresham": "سفارشم",
    "sefareshetoon": "سفارشتون",
    "pardakht": "پرداخت",
    "pool": "پول",
    "poolam": "پولم",
    "hesab": "حساب",
    "hesabam": "حسابم",
    "ersal": "ارسال",
    "tahvil": "تحویل",
    "peygiri": "پیگیری",
    "barresi": "بررسی",
    "javab": "جواب",
    "javabi": "جوابی",
    "hanooz": "هنوز",
    "chera": "چرا",
    "chi": "چی",
    "chie": "چیه",
    "koja": "کجا",
    "kojast": "کجاست",
    "kheili": "خیلی",
    "ziad": "زیاد",
    "alan": "الان",
    "emrooz": "امروز",
    "farda": "فردا",
    "dirooz": "دیروز",
    "saat": "ساعت",
    "hafte": "هفته",
    "zood": "زود",
    "zoodtar": "زودتر",
    "dir": "دیر",
    "takhir": "تاخیر",
    "montazer": "منتظر",
    "montazeram": "منتظرم",
    "sabr": "صبر",
    "sabretoon": "صبرتون",
    "saboori": "صبوری",
    "sabooritoon": "صبوریتون",
    "hamkari": "همکاری",
    "komak": "کمک",
    "komaketoon": "کمکتون",
    "rahnamayi": "راهنمایی",
    "poshtibani": "پشتیبانی",
    "kala": "کالا",
    "mahsool": "محصول",
    "gheimat": "قیمت",
    "takhfif": "تخفیف",
    "bargasht": "برگشت",
    "esterdad": "استرداد",
    "sabt": "ثبت",
    "laghv": "لغو",
    "tamas": "تماس",
    "shomare": "شماره",
    "ettelaat": "اطلاعات",
    "ettela": "اطلاع",
    "kharab": "خراب",
    "vasl": "وصل",
    "ghat": "قطع",
    "shoma": "شما",
    "shomast": "شماست",
    "khodam": "خودم",
    "khodet": "خودت",
    "khodetoon": "خودتون",
    "baraye": "برای",
    "baratoon": "براتون",
    "behetoon": "بهتون",
    "azatoon": "ازتون",
    "oon": "اون",
    "ino": "اینو",
    "ono": "اونو",
    "inja": "اینجا",
    "oonja": "اونجا",
    "ro": "رو",
    "az": "از",
    "ba": "با",
    "ke": "که",
    "va": "و",
    "vali": "ولی",
    "agar": "اگر",
    "age": "اگه",
    "dige": "دیگه",
    "faghat": "فقط",
    "hich": "هیچ",
    "hichi": "هیچی",
    "aslan": "اصلا",
    "hamin": "همین",
    "hamoon": "همون",
    "ghabl": "قبل",
    "ba'd": "بعد",
    "baad": "بعد",
    "chand": "چند",
    "hame": "همه",
    "ye": "یه",
    "yek": "یک",
    "hal": "حل",
    "ast": "است",
    "hast": "هست",
    "hastam": "هستم",
    "hastid": "هستید",
    "hastin": "هستین",
    "nist": "نیست",
    "nistam": "نیستم",
    "mishe": "میشه",
    "nemishe": "نمیشه",
    "mikham": "میخوام",
    "nemikham": "نمیخوام",
    "mikhastam": "میخواستم",
    "mikhaid": "میخواید",
    "mikhain": "میخواین",
    "khastam": "خواستم",
    "befarmaid": "بفرمایید",
    "befarmayid": "بفرمایید",
    "befarmain": "بفرمایین",
    "bood": "بود",
    "nabood": "نبود",
    "dar": "در",
    "chon": "چون",
    "vase": "واسه",
    "vasatoon": "واسه‌تون",
    "chiz": "چیز",
    "chizi": "چیزی",
    "kar": "کار",
    "kari": "کاری",
    "khaham": "خواهم",
    "khahid": "خواهید",
    "khahad": "خواهد",
    "mikhay": "میخوای",
    "mikhad": "میخواد",
    "yani": "یعنی",
    "mesle": "مثل",
    "behtar": "بهتر",
    "bishtar": "بیشتر",
    "harf": "حرف",
    "doost": "دوست",
    "motevajeh": "متوجه",
    "shakhsan": "شخصا",
    "goftan": "گفتن",
    "hamash": "همش",
    "daram": "دارم",
    "darim": "داریم",
    "darid": "دارید",
    "darin": "دارین",
    "nadaram": "ندارم",
    "nadare": "نداره",
    "nadarid": "ندارید",
    "nadarin": "ندارین",
}

# also common English (or another Latin language): transliterated in a Finglish message,
# never a vote for Persian
_AMBIGUOUS: dict[str, str] = {
    "to": "تو",
    "man": "من",
    "ma": "ما",
    "in": "این",
    "be": "به",
    "ham": "هم",
    "are": "آره",
    "bad": "بد",
    "key": "کی",
    "kei": "کی",
    "na": "نه",
    "ta": "تا",
    "dari": "داری",
    "dare": "داره",
    "ama": "اما",
    "do": "دو",
    "mah": "ماه",
    "ali": "عالی",
    "site": "سایت",
    "check": "چک",
    "ok": "اوکی",
    "okey": "اوکی",
    "ra": "را",
}
# one vote only at half weight: "merci" is also French and English
_HALF_VOTE = frozenset({"merci", "mersi", "alan", "hal", "aziz", "va", "ye", "ba", "az", "ke"})

# verbs: prefix x stem x personal ending
_PREFIXES = {"": "", "mi": "می", "nemi": "نمی", "na": "ن", "be": "ب", "bo": "ب"}
_PRESENT = {
    "kon": "کن",
    "d": "د",
    "gir": "گیر",
    "res": "رس",
    "zan": "زن",
    "bin": "بین",
    "toon": "تون",
    "doon": "دون",
    "sh": "ش",
    "r": "ر",
    "g": "گ",
    "frest": "فرست",
    "bakhsh": "بخش",
    "pors": "پرس",
    "gozar": "گذار",
    "khar": "خر",
}
_PAST = {
    "kard": "کرد",
    "dad": "داد",
    "shod": "شد",
    "gereft": "گرفت",
    "resid": "رسید",
    "zad": "زد",
    "goft": "گفت",
    "khast": "خواست",
    "toonest": "تونست",
    "dasht": "داشت",
    "raft": "رفت",
    "did": "دید",
    "ferestad": "فرستاد",
    "kharid": "خرید",
}
_ENDINGS = {
    "am": "م",
    "i": "ی",
    "e": "ه",
    "im": "یم",
    "id": "ید",
    "in": "ین",
    "an": "ن",
    "and": "ند",
    "": "",
}
# noun suffixes tried when a word is not in the dictionary: sefareshetoon = sefaresh+etoon
_SUFFIXES = {
    "etoon": "تون",
    "emoon": "مون",
    "toon": "تون",
    "moon": "مون",
    "haye": "های",
    "ha": "ها",
    "am": "م",
    "et": "ت",
    "esh": "ش",
    "ro": "رو",
    "o": "و",
    "e": "",
    "i": "ی",
}

# common English words no generated spelling may claim (a Finglish spelling that is also an
# English word would make English text look Persian)
_ENGLISH = _word_set(
    """a an the and or to of in on at for with is are was were be been am it this that you
    your i me my we our us he she they them his her not no yes please thanks thank hi hello
    hey can could would will do does did done have has had what when where why how order help
    sorry issue problem account refund today bad dad mid bin ram dare key man ham site car
    kid kin sin shin din dine ran rig rag gig red rid raid res rez rest range ring bid bed bide
    zen did die dies tie ties tin tan ban bane kind kinder mine miss misses dead deed sad said
    made make mike mode more most bore bored born done gone give given shed shade sham shame
    boon bane ban chin chat check ok okay dan dana am an ana ara are area era ear mad mead
    bead bar bare bore bake bait baked bash bin bins bind born bean beam been
    un une de la le les et je tu il elle est du des se si son sur dan di da con sat sun
    mon tone tones"""
)


def _variants(word: str) -> set[str]:
    """Spellings of ``word`` people type: oo/u/ou, kh/x, gh/q, final e/eh, ei/ey/i/ai,
    v/w and doubled letters written once."""
    rules: list[list[tuple[str, str]]] = []
    if "oo" in word:
        rules.append([("oo", "oo"), ("oo", "u"), ("oo", "ou")])
    if "kh" in word:
        rules.append([("kh", "kh"), ("kh", "x")])
    if "gh" in word:
        rules.append([("gh", "gh"), ("gh", "q")])
    if "ei" in word:
        rules.append([("ei", "ei"), ("ei", "ey"), ("ei", "i"), ("ei", "ai")])
    if word.startswith("v") or "v" in word[1:]:
        rules.append([("v", "v"), ("v", "w")])
    out = set()
    for choice in itertools.product(*rules):
        w = word
        for old, new in choice:
            w = w.replace(old, new)
        out.add(w)
        if w.endswith("e") and len(w) > 2:
            out.add(w + "h")
        out.add(re.sub(r"([a-z])\1", r"\1", w))
    return out


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, str], frozenset[str]]:
    """Every known spelling -> Persian, and the spellings that vote for Persian."""
    canonical: dict[str, str] = dict(_WORDS)
    for (pre, fa_pre), (stem, fa_stem), (end, fa_end) in itertools.product(
        _PREFIXES.items(), _PRESENT.items(), _ENDINGS.items()
    ):
        if (pre == "bo" and stem != "kon") or (not pre and not end) or pre == "na":
            continue  # bokon only; a bare stem is not a verb; 'na' + present is rare
        canonical.setdefault(pre + stem + end, fa_pre + fa_stem + fa_end)
    for (pre, fa_pre), (stem, fa_stem), (end, fa_end) in itertools.product(
        _PREFIXES.items(), _PAST.items(), _ENDINGS.items()
    ):
        if pre in ("be", "bo"):
            continue
        canonical.setdefault(pre + stem + end, fa_pre + fa_stem + fa_end)
    known: dict[str, str] = {}
    voting: set[str] = set()
    for word, persian in canonical.items():
        for spelling in _variants(word):
            if spelling in _ENGLISH or spelling in _AMBIGUOUS:
                continue
            known.setdefault(spelling, persian)
            voting.add(spelling)
    for word, persian in _AMBIGUOUS.items():
        known.setdefault(word, persian)
    return known, frozenset(voting)


# -- words -----------------------------------------------------------------------------------
_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['\u2019`][A-Za-z]+)?")
_RUN3_RE = re.compile(r"([a-z])\1{2,}")
_LONGEST_SUFFIX = max(map(len, _SUFFIXES))


def _lookup(word: str) -> tuple[str | None, bool]:
    """(Persian, votes) for one lower-case Latin word; (None, False) when unknown."""
    known, voting = _dictionary()
    persian = known.get(word)
    if persian is not None:
        return persian, word in voting
    w = word.replace("\u2019", "'").replace("`", "'")
    if _RUN3_RE.search(w):  # stretched for emphasis: salaaam, mamnoooon
        for candidate in (_RUN3_RE.sub(r"\1", w), _RUN3_RE.sub(r"\1\1", w)):
            if candidate in known:
                return known[candidate], candidate in voting
    elif w in known:
        return known[w], w in voting
    # a noun with a possessive / plural / object suffix: sefaresham, moshkelesh, kalaha
    for cut in range(1, min(_LONGEST_SUFFIX, len(w) - 4) + 1):
        suffix = w[-cut:]
        if suffix in _SUFFIXES and w[:-cut] in voting:
            return known[w[:-cut]] + _SUFFIXES[suffix], True
    return None, False


def finglish_votes(text: str) -> float:
    """How strongly the words of ``text`` say "Persian in Latin letters" (0 when none do)."""
    votes = 0.0
    for m in _LATIN_WORD_RE.finditer(text):
        word = m.group().lower()
        _, vote = _lookup(word)
        if vote:
            votes += 0.5 if word in _HALF_VOTE else 1.0
    return votes


_DIGRAPHS = {
    "kh": "خ",
    "sh": "ش",
    "ch": "چ",
    "gh": "ق",
    "zh": "ژ",
    "oo": "و",
    "ou": "و",
    "ee": "ی",
    "ei": "ی",
    "ey": "ی",
    "aa": "ا",
}
_LETTERS = {
    "b": "ب",
    "p": "پ",
    "t": "ت",
    "s": "س",
    "j": "ج",
    "h": "ه",
    "d": "د",
    "r": "ر",
    "z": "ز",
    "f": "ف",
    "q": "ق",
    "k": "ک",
    "g": "گ",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "v": "و",
    "w": "و",
    "y": "ی",
    "x": "خ",
    "c": "ک",
    "a": "ا",
    "i": "ی",
    "u": "و",
    "'": "ع",
}


def _letters(word: str) -> str:
    """A letter-level guess for a word outside the dictionary: consonants and long vowels,
    short e / o dropped inside a word as Persian spelling does."""
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        pair = word[i : i + 2]
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        ch = word[i]
        if ch in "aeiou" and i == 0:
            out.append({"a": "ا", "e": "ا", "o": "ا", "i": "ای", "u": "او"}[ch])
        elif ch == "e":
            out.append("ه" if i == n - 1 else "")
        elif ch == "o":
            out.append("و" if i == n - 1 else "")
        elif ch.isdigit():
            out.append(ch)
        else:
            out.append(_LETTERS.get(ch, ""))
        i += 1
    return "".join(out)


def transliterate(text: str) -> tuple[str, list[int]]:
    """``text`` in Persian script, and for each output character the index of the
    original character it came from (a word's first and last letters map to the original
    word's first and last, so a span of whole words maps back to whole words)."""
    from ._langid import EN_WORDS

    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _LATIN_WORD_RE.finditer(text):
        start, end = m.span()
        out.append(text[pos:start])
        index.extend(range(pos, start))
        word = m.group().lower()
        persian, _ = _lookup(word)
        if persian is None:
            persian = word if word in EN_WORDS else (_letters(word) or word)
        out.append(persian)
        last = len(persian) - 1
        span = end - start - 1
        index.extend(
            start + (span if j == last else (j * span) // max(last, 1)) for j in range(len(persian))
        )
        pos = end
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(out), index


def finglish_doc(text: str, role: str | None) -> Doc:
    """A Doc whose matching key is the Persian transliteration of ``text`` and whose
    offsets point back into ``text`` (evidence shows the Finglish as written)."""
    persian, index = transliterate(text)
    doc = Doc.build(persian, "fa", role, ("en",))
    doc.offsets = [index[k] for k in (doc.offsets or range(len(doc.key)))]
    doc.text = text
    return doc
