"""Ownership and next-step rules over tokens, beside the phrase lexicons.

A phrase list cannot enumerate "I'll be happy to look into it", «براتون ثبت کردم» or
«قمت برفع طلبك»: these are a first-person ("I" / "we") verb form with a future, perfect
or past marker plus an action verb, within one clause. Vague offers ("we can help",
"we'd like to help"), a third party acting ("the team will email you", «تیم فنی بررسی
می‌کنه») and negated forms have no such pair and do not count (docs/text.md, labelling
guide). Next steps are requests and instructions to the customer, timelines ("within 24
hours", «تا ۴۸ ساعت آینده», «خلال ٤٨ ساعة») and promises to get back.

Word lists are written as people type them and folded like messages (see ``fold``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ._normalize import fold
from ._rules import PhraseAnalyzer, intensity, negated, rules_version, saturate
from ._types import Doc, Evidence, Signal

COMMITMENT_RULES_VERSION = "1"

RuleHit = tuple[int, int, str]  # first token, last token (inclusive), evidence tag

_SENTENCE_MARKS = frozenset(".!?؟;؛:\n")
_COMMA_MARKS = frozenset(",،")


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w)[0] for w in text.split())


def _clauses(doc: Doc) -> tuple[list[int], list[bool]]:
    """Clause number of each token, and whether a token starts a clause or follows a
    comma (where an imperative can begin)."""
    clause: list[int] = []
    starts: list[bool] = []
    number = 0
    for i, span in enumerate(doc.spans):
        gap = doc.key[doc.spans[i - 1][1] : span[0]] if i else "\n"
        if any(c in _SENTENCE_MARKS for c in gap):
            number += 1
        clause.append(number)
        starts.append(i == 0 or any(c in _SENTENCE_MARKS or c in _COMMA_MARKS for c in gap))
    return clause, starts


# -- English ---------------------------------------------------------------------------

_EN_ACTIONS = (
    "look check investigate review escalate raise send email contact call forward pass "
    "share note log open request refund credit process arrange book fix sort change update "
    "cancel reset switch add remove take make follow handle resolve chase reach ask flag "
    "report submit file issue reissue replace ship dispatch order correct amend adjust "
    "restore reinstate approve grab speak talk get notify inform dig find apply transfer "
    "reverse waive void unlock activate reactivate re-send resend message text ring "
    "investigate double-check expedite prioritise prioritize organise organize put"
)
_EN_IRREGULAR = {
    "send": "sent", "take": "took taken", "make": "made", "speak": "spoke spoken",
    "get": "got gotten", "find": "found", "put": "put", "ring": "rang rung",
    "dig": "dug", "grab": "grabbed", "log": "logged", "ship": "shipped",
    "chat": "chatted", "flag": "flagged",
}  # fmt: skip


def _en_forms() -> tuple[frozenset[str], frozenset[str]]:
    """(every form of an action verb, the forms that mark the past by themselves)."""
    every: set[str] = set()
    past: set[str] = set()
    for verb in _EN_ACTIONS.split():
        verb = verb.replace("-", "")
        stem = verb[:-1] if verb.endswith("e") else verb
        regular = {stem + "ed"} if not verb.endswith("y") else {verb[:-1] + "ied"}
        done = regular | set(_EN_IRREGULAR.get(verb, "").split())
        every |= {verb, verb + "s", stem + "ing", *done}
        past |= done
    return frozenset(every), frozenset(past)


_EN_ALL, _EN_PAST = _en_forms()
_EN_SUBJECTS = frozenset({"i", "we"})
_EN_FUTURE = frozenset({"ll", "will", "shall", "going", "gonna", "d"})  # d: "I'd be happy to"
_EN_PERFECT = frozenset({"ve", "have", "has"})
_EN_PROGRESSIVE = frozenset({"m", "am", "re", "are"})
_EN_FILLERS = _words(
    "be happy glad pleased now just personally also already then gladly certainly "
    "definitely right away to immediately quickly straight myself ourselves "
    "more than absolutely sure first currently still actively gone ahead and"
)
_EN_NEGATORS = frozenset({"not", "never", "t", "cannot", "no"})


def _en_ownership(doc: Doc, clause: list[int]) -> list[RuleHit]:
    tokens = doc.tokens
    hits: list[RuleHit] = []
    for i, tok in enumerate(tokens):
        if tok in _EN_SUBJECTS:
            # "DM us so we can look into this" is a commitment; "we can help" is not
            modal = {"can"} if i and tokens[i - 1] == "so" else set()
            end = _en_action_after(tokens, clause, i, modal)
        elif tok in ("let", "allow") and i + 1 < len(tokens) and tokens[i + 1] == "me":
            end = _en_action_after(tokens, clause, i + 1, {"me"}, marked=True)
        else:
            continue
        if end is not None:
            hits.append((i, end, "commitment"))
    return hits


def _en_action_after(
    tokens: Sequence[str], clause: list[int], i: int, extra: set[str], marked: bool = False
) -> int | None:
    """Index of the action verb that the subject at ``i`` commits to, if any."""
    progressive = False  # "we are (currently) investigating"
    for j in range(i + 1, min(i + 8, len(tokens))):
        tok = tokens[j]
        if clause[j] != clause[i] or tok in _EN_NEGATORS:
            return None
        if tok in _EN_FUTURE or tok in _EN_PERFECT or tok in extra:
            marked = True
        elif tok in _EN_PROGRESSIVE:
            progressive = True
        elif tok in _EN_ALL:
            done = tok in _EN_PAST or (progressive and tok.endswith("ing"))
            return j if marked or done else None
        elif tok not in _EN_FILLERS:
            return None
    return None


_EN_IMPERATIVES = _words(
    "dm send reply call visit click follow try restart reboot reset contact tap open log "
    "update bring text message email fill enter select choose go head pop drop unplug "
    "turn install uninstall reinstall sign download clear delete check confirm provide "
    "share keep attach upload switch re-enter forward"
)
_EN_REQUEST_VERBS = _words(
    "send dm confirm tell share provide check try let give reply email forward pop drop "
    "follow restart reset"
)
_EN_TIME_HEADS = frozenset({"within", "by", "until", "in", "over"})
_EN_TIME_UNITS = _words(
    "hour hours minute minutes day days week weeks working business today tomorrow "
    "monday tuesday wednesday thursday friday saturday sunday weekend morning afternoon "
    "evening tonight next two three four five few couple"
)
_EN_TIME_WORDS = _words("tomorrow tonight shortly next")
_EN_FUTURE_EVENTS = _words(
    "receive get hear contact call reply message email arrive appear drop be reach "
    "update notify confirm see collect deliver text send follow refund process"
)


def _en_next_steps(doc: Doc, clause: list[int], starts: list[bool]) -> list[RuleHit]:
    tokens = doc.tokens
    n = len(tokens)
    hits: list[RuleHit] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < n else ""
        if tok == "please" and nxt not in ("don", "do") and nxt != "accept":
            hits.append((i, min(i + 1, n - 1), "request"))
        elif starts[i] and tok in _EN_IMPERATIVES and nxt not in ("you", "out"):
            hits.append((i, i, "request"))
        elif tok in ("can", "could", "would") and nxt == "you" and i + 2 < n:
            if tokens[i + 2] in _EN_REQUEST_VERBS:
                hits.append((i, i + 2, "request"))
        elif tok in _EN_TIME_HEADS and _en_time_after(tokens, i):
            hits.append((i, i + 1, "deadline"))
        elif tok in _EN_TIME_WORDS and (tok != "next" or starts[i]):
            hits.append((i, i, "deadline"))
        elif tok in ("will", "ll") and nxt in _EN_FUTURE_EVENTS and i > 0:
            if tokens[i - 1] not in _EN_SUBJECTS or nxt in ("get", "reply", "contact"):
                hits.append((i - 1, i + 1, "next"))
        elif tok == "you" and nxt == "can" and i + 2 < n and starts[i] and tokens[i + 2] != "t":
            hits.append((i, i + 2, "instruction"))
    return hits


def _en_time_after(tokens: Sequence[str], i: int) -> bool:
    """Whether a time follows: "within 24 hours", "by tomorrow", "by the end of"."""
    rest = tokens[i + 1 : i + 3]
    if rest and rest[0] == "the":
        rest = rest[1:]
    return bool(rest) and (rest[0] in _EN_TIME_UNITS or rest[0].isdigit() or rest[0] == "end")


# -- Persian ---------------------------------------------------------------------------

_FA_ACTION_NOUNS = _words(
    "پیگیری بررسی ثبت چک ارجاع اصلاح هماهنگ تماس اطلاع منعکس رسیدگی اقدام برگشت درست حل "
    "ارسال پیام زنگ خبر عوض جایگزین تمدید لغو فعال شارژ واریز گزارش انجام مطمئن تعویض "
    "ویرایش تغییر آپدیت ریست باز پیدا صحبت قول اطمینان یادداشت منتقل استرداد تایید پیگیر "
    "ارجاعش درستش چکش بررسیش پیگیریش حلش عوضش اصلاحش ثبتش ارسالش کنسل رزرو مکاتبه اعلام "
    "مرجوع جبران پرداخت آزاد رفع check peygiri barresi sabt"
)
_FA_LIGHT_VERBS = _words(
    "میکنم میکنیم کردم کردیم کردهام کردهایم میدم میدهم میدیم میدهیم دادم دادیم دادهام "
    "دادهایم میزنم میزنیم زدم زدیم میگیرم میگیریم گرفتم گرفتیم گرفتهام میشم میشویم "
    "میشیم شدم"
)
_FA_FUTURE = _words("خواهم خواهیم")
_FA_FUTURE_VERBS = _words("کرد داد زد گرفت فرستاد شد گرداند")
_FA_SIMPLE_VERBS = _words(
    "میفرستم میفرستیم فرستادم فرستادیم فرستادهام برگرداندم برگردوندم برگرداندیم "
    "برگردوندیم برمیگردونم برمیگردانم برمیگردونیم برمیگردانیم میسپارم سپردم گذاشتم "
    "میذارم پیگیرم پیگیریم میفرستمش فرستادمش برگرداندمش"
)


def _fa_action_noun(token: str) -> bool:
    """«پیگیری», and with an object clitic: «فعالش», «درستشون»."""
    if token in _FA_ACTION_NOUNS:
        return True
    for clitic in ("ش", "شو", "شون", "شان"):
        if token.endswith(clitic) and token[: -len(clitic)] in _FA_ACTION_NOUNS:
            return True
    return False


def _fa_ownership(doc: Doc, clause: list[int]) -> list[RuleHit]:
    tokens = doc.tokens
    hits: list[RuleHit] = []
    for i, tok in enumerate(tokens):
        if tok in _FA_SIMPLE_VERBS:
            hits.append((i, i, "commitment"))
            continue
        light = tok in _FA_LIGHT_VERBS
        if tok in _FA_FUTURE and i + 1 < len(tokens) and tokens[i + 1] in _FA_FUTURE_VERBS:
            light = True
        if not light:
            continue
        for j in range(i - 1, max(i - 4, -1), -1):
            if clause[j] != clause[i]:
                break
            if _fa_action_noun(tokens[j]):
                end = i + 1 if tok in _FA_FUTURE else i
                hits.append((j, end, "commitment"))
                break
    return hits


_FA_REQUESTS = _words("لطفا لطفاً خواهشمندیم خواهشمندم کافیه")
_FA_IMPERATIVES = _words(
    "بفرستید بفرست بفرستین بزنید بزن بزنین بگیرید بگیر بگیرین ببرید ببر بنویسید بنویس "
    "بذارید بدید بده بدین کنید کن کنین بکنید امتحان بیارید بیاورید مراجعه"
)
_FA_NOT_STEPS = _words("دقت عذرخواهی صبر ببخشید باشید باشی خوش")
_FA_CAN = _words("میتونید میتوانید میتونی میتونین میتوانی میشه")
_FA_TIME = _words(
    "فردا پسفردا ساعت روز روزه روزکاری هفته دقیقه امروز عصر صبح پایان آخر آینده دیگه "
    "دیگر ۲۴ ۴۸ ۷۲ یک دو سه"
)
_FA_TIME_HEADS = _words("تا طی ظرف حداکثر نهایتا ظرفِ")
_FA_CONTACT = _words("خبر اطلاع پیام زنگ تماس اطلاعرسانی نتیجه")


def _fa_next_steps(doc: Doc, clause: list[int], starts: list[bool]) -> list[RuleHit]:
    tokens = doc.tokens
    n = len(tokens)
    hits: list[RuleHit] = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < n else ""
        if tok in _FA_REQUESTS:
            hits.append((i, i, "request"))
        elif tok in _FA_IMPERATIVES and prev not in _FA_NOT_STEPS and prev not in ("و",):
            if tok in ("کنید", "کن", "کنین") and (not prev or prev in _FA_TIME):
                continue
            hits.append((max(i - 1, 0), i, "request"))
        elif tok in _FA_CAN and nxt and tok != "میشه":
            hits.append((i, min(i + 1, n - 1), "instruction"))
        elif tok in _FA_TIME_HEADS and (nxt in _FA_TIME or nxt == "یه" or nxt.isdigit()):
            hits.append((i, min(i + 1, n - 1), "deadline"))
        elif tok in ("فردا", "پسفردا", "farda"):
            hits.append((i, i, "deadline"))
        elif tok in _FA_LIGHT_VERBS and prev in _FA_CONTACT and tok.startswith("می"):
            hits.append((i - 1, i, "next"))
        elif tok in ("میفرستم", "میفرستیم"):
            hits.append((i, i, "next"))
    return hits


# -- Arabic ----------------------------------------------------------------------------

# the verb after the first-person prefix (أُتابع -> تابع, أرسل -> رسل), Egyptian and Gulf
# forms included; and the past stem before -ت (I) / -نا (we)
_AR_STEMS = (
    "قوم تابع رسل رفع تواصل راجع تحقق تاکد بلغ حل صلح عالج حول فتح سجل طلب نظر شوف شیک "
    "تصرف تولی کلم بعت رجع عدل غیر لغی صعد رد عود بدل عوض ضیف حجز شحن ستبدل وجه خاطب "
    "تصل نقل عمل سوی هتم دقق بحث شتغل"
)
_AR_PAST = (
    "قم تابع ارسل رفع تواصل راجع تحقق تاکد ابلغ اصلح عالج حول فتح سجل صعد کلم بعت "
    "رجع عدل غیر الغی بدل عوض اضف حجز استبدل وجه خاطب اتصل نقل بلغ حلی سوی دقق "
    "اشتغل"
)
_AR_OBJECTS = ("", "ه", "ها", "ک", "کم", "لک", "لکم", "هم", "لها", "له")


def _ar_forms() -> tuple[frozenset[str], frozenset[str]]:
    """(future / marked first-person forms, present forms that need a pronoun)."""
    future: set[str] = set()
    present: set[str] = set()
    for stem in _words(_AR_STEMS):
        for obj in _AR_OBJECTS:
            for lead in ("", "و", "ف"):
                future |= {lead + p + stem + obj for p in ("سا", "سن", "ه", "ح", "هن", "حن")}
                present |= {lead + p + stem + obj for p in ("ا", "ن")}
    # colloquial "we'll sort it": «نحلها», «نشوفه»
    for stem in _words("حل صلح تابع شوف عالج رجع"):
        future |= {"ن" + stem + obj for obj in ("ه", "ها", "هالک", "هالکم")}
    for stem in _words(_AR_PAST):
        for obj in _AR_OBJECTS:
            for lead in ("", "و", "ف"):
                future |= {lead + stem + "ت" + obj, lead + stem + "نا" + obj}
    return frozenset(future), frozenset(present)


_AR_FUTURE_FORMS, _AR_PRESENT_FORMS = _ar_forms()
_AR_FUTURE_PARTICLES = _words("راح رح ح حا ها سوف رايح")
_AR_SELF = _words("انا أنا نحن احنا إحنا بنفسي شخصيا شخصياً دعني خليني خلني اسمحلي")
# third person / passive words that look like a first-person form
_AR_NOT_MINE = _words("تم حلت سنه سنوات سنتين احلی تابعنا كلمنا راجعنا اتصلنا")


def _ar_ownership(doc: Doc, clause: list[int]) -> list[RuleHit]:
    tokens = doc.tokens
    hits: list[RuleHit] = []
    for i, tok in enumerate(tokens):
        if tok in _AR_NOT_MINE:
            continue
        if tok in _AR_FUTURE_FORMS:
            hits.append((i, i, "commitment"))
        elif tok in _AR_PRESENT_FORMS:
            near = range(max(i - 2, 0), min(i + 4, len(tokens)))
            particle = i and tokens[i - 1] in _AR_FUTURE_PARTICLES
            if particle or any(
                tokens[k] in _AR_SELF and clause[k] == clause[i] for k in near if k != i
            ):
                hits.append((i - 1 if particle else i, i, "commitment"))
    return hits


_AR_REQUESTS = _words("يرجى يرجي الرجاء رجاء سمحت فضلك نرجو")
_AR_IMPERATIVES = _words(
    "ارسل ابعت ابعتلنا ابعتلي ابعثلنا ابعث صورلنا صور سو سوي شوف اضغط ادخل جرب راجع "
    "تواصل اتصل راسلنا زورنا حمل سجل اكتب ارفق زور توجه قم اعد امسح ثبت فعل ارسلي ارسلوا ابعتي "
    "اطفي شغل"
)
_AR_CAN = _words("يمكنك بإمكانك تقدر تقدري تقدرين يمكنكم بامكانك تستطيع")
_AR_TIME = _words(
    "خلال غدا غداً الغد بكرة بكره بكرا قريبا قريباً الأحد الاثنين الثلاثاء "
    "الأربعاء الخميس السبت الجمعة"
)
_AR_FUTURE_THIRD = _words(
    "سيتم سيصلك سيصل ستصلك ستصل سيتصل سيتواصل ستتلقى ستستلم سيقوم سيكون سوف هيوصلك "
    "هيوصل هيتصل هيكلمك هيبدل بيوصلك بيتواصل سيعود ستتم"
)
_AR_CONTACT = _words(
    "ابلغك سأبلغك وأبلغك أبلغك سنبلغك أعود سأعود سنعود ارد سأرد أرد برد هرد هكلمك "
    "هبعتلك سأوافيك نوافيكم سأتواصل سنتواصل أوافيك أطمنك هطمنك"
)


def _ar_next_steps(doc: Doc, clause: list[int], starts: list[bool]) -> list[RuleHit]:
    tokens = doc.tokens
    n = len(tokens)
    hits: list[RuleHit] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < n else ""
        request = tok in _AR_REQUESTS and not (tok == "نرجو" and nxt.startswith("قبول"))
        must = tok == "یجب" and nxt in ("علیک", "علیکم")  # «يجب عليك مراجعة الفرع»
        if request or (tok in _AR_IMPERATIVES and starts[i]):
            hits.append((i, i, "request"))
        elif must or (tok in _AR_CAN and nxt):
            hits.append((i, i + 1, "instruction"))
        elif tok in _AR_TIME:
            hits.append((i, i, "deadline"))
        elif tok in _AR_FUTURE_THIRD or tok in _AR_CONTACT:
            hits.append((i, i, "next"))
    return hits


# -- the analyzer ----------------------------------------------------------------------

Finder = Callable[[Doc, list[int], list[bool]], list[RuleHit]]

_OWNERSHIP: dict[str, Callable[[Doc, list[int]], list[RuleHit]]] = {
    "en": _en_ownership,
    "fa": _fa_ownership,
    "ar": _ar_ownership,
}
_NEXT_STEPS: dict[str, Finder] = {
    "en": _en_next_steps,
    "fa": _fa_next_steps,
    "ar": _ar_next_steps,
}


def rule_hits(doc: Doc, category: str) -> list[RuleHit]:
    """The token rules' hits for ``category`` (``ownership`` or ``follow_up``)."""
    if not doc.tokens or len(doc.spans) != len(doc.tokens):
        return []
    clause, starts = _clauses(doc)
    if category == "ownership":
        own = _OWNERSHIP.get(doc.language)
        return own(doc, clause) if own else []
    find = _NEXT_STEPS.get(doc.language)
    return find(doc, clause, starts) if find else []


@dataclass(frozen=True)
class CommitmentAnalyzer(PhraseAnalyzer):
    """A phrase analyzer (same name, lexicon and Signal shape) that also fires on the
    token rules above; rule evidence is tagged ``commitment`` / ``request`` /
    ``instruction`` / ``deadline`` / ``next``."""

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or f"{rules_version()}+commit.{COMMITMENT_RULES_VERSION}"
        out: list[Signal] = []
        for doc in docs:
            total = 0.0
            evidence: list[Evidence] = []
            covered: set[int] = set()
            for hit in doc.hits_of(self.category):
                if self.negatable and negated(doc, hit):
                    continue
                total += hit.entry.weight * intensity(doc, hit)
                evidence.append(doc.evidence(hit))
                covered.update(range(hit.first, hit.last + 1))
            for first, last, tag in _distinct(rule_hits(doc, self.category), covered):
                start, end = doc.original_span(first, last)
                total += 1.0
                evidence.append(Evidence(start, end, doc.text[start:end], tag))
            evidence.sort(key=lambda e: e.start)
            label = "present" if evidence else "absent"
            out.append(Signal(self.name, label, saturate(total), tuple(evidence), version))
        return out


def _distinct(hits: Iterable[RuleHit], covered: set[int]) -> list[RuleHit]:
    """Rule hits not already shown by a lexicon phrase or an earlier rule hit."""
    kept: list[RuleHit] = []
    for first, last, tag in sorted(hits):
        span = range(first, last + 1)
        if covered.isdisjoint(span):
            covered.update(span)
            kept.append((first, last, tag))
    return kept
