"""Conversation text: right language, Persian typography, variety, consistent signals."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sanjeh.demo.phrases import BANKS

from ._support import Demo

# Persian-only letters, ZWNJ, Persian digits, or (for short replies) Persian-only words
_PERSIAN = re.compile("[پچژگیک\u200c۰-۹]|ممنون|هنوز|مرسی|متأسفانه|نشد|براتون|تون ")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_LATIN = re.compile("[A-Za-z]")


def _script_language(text: str) -> str:
    if _PERSIAN.search(text):
        return "fa"
    if _ARABIC_SCRIPT.search(text):
        return "ar"
    return "en" if _LATIN.search(text) else "?"


def _phrases(lang: str, slot: str) -> list[str]:
    entry = BANKS[lang][slot]
    if isinstance(entry, dict):
        return [p for group in entry.values() for p in group]
    return list(entry)


def _messages(demo: Demo) -> pd.DataFrame:
    e = demo.events
    msg = e[e.kind == "message"].copy()
    msg["language"] = demo.tickets.language.reindex(msg.ticket_id).to_numpy()
    return msg


def test_public_messages_are_in_the_tickets_language(demo: Demo) -> None:
    msg = _messages(demo)
    public = msg[msg.public]
    detected = public.body.map(_script_language)
    assert (detected == public.language).mean() > 0.998
    assert set(public.language) == {"fa", "ar", "en"}
    shares = demo.tickets.language.value_counts(normalize=True)
    assert shares["fa"] > shares["ar"] > shares["en"] > 0.03


def test_persian_text_has_zwnj_digits_colloquial_and_mixed_forms(demo: Demo) -> None:
    fa = _messages(demo).query("language == 'fa'").body
    assert fa.str.contains("می\u200c").mean() > 0.3
    assert fa.str.contains("[۰-۹]").sum() > 20  # Persian digits, e.g. order numbers
    assert fa.str.contains("می‌خوام|نمی‌شه|اومد").any()  # colloquial customers
    assert fa.str.contains("[A-Za-z]{3,}").sum() > 5  # a few mixed fa/en messages
    assert fa.str.contains("قربان|دستتون درد نکنه|ببخشید مزاحم").any()  # taarof
    assert fa.str.contains("ي").sum() > 0  # Arabic-keyboard typing, for normalisers


@pytest.mark.parametrize(
    ("lang", "cannot", "can"),
    [
        ("fa", "نمی‌توانیم", "کاری که می‌توانم انجام بدهم این است"),
        ("ar", "لا يمكننا", "ما يمكنني فعله هو"),
        ("en", "can't", "Here is what I can do"),
    ],
)
def test_positive_and_negative_language_both_occur(
    demo: Demo, lang: str, cannot: str, can: str
) -> None:
    msg = _messages(demo)
    agent = msg[(msg.actor_type == "agent") & msg.public & (msg.language == lang)].body
    assert agent.str.contains(cannot, regex=False).any()
    assert agent.str.contains(can, regex=False).any()


def test_messages_vary(demo: Demo) -> None:
    msg = _messages(demo)
    agent = msg[(msg.actor_type == "agent") & msg.public].body
    customer = msg[msg.actor_type == "customer"].body
    assert agent.nunique() > 0.5 * len(agent)
    assert customer.nunique() > 0.3 * len(customer)
    lengths = msg.body.str.len()
    assert lengths.min() >= 2 and lengths.quantile(0.99) < 800


def test_phrase_banks_have_the_same_slots_in_every_language() -> None:
    slots = {lang: set(bank) for lang, bank in BANKS.items()}
    assert slots["fa"] == slots["ar"] == slots["en"]
    for lang, bank in BANKS.items():
        for slot, entry in bank.items():
            groups = entry.values() if isinstance(entry, dict) else [entry]
            assert all(len(g) > 0 for g in groups), (lang, slot)
    arabic = " ".join(p for s in BANKS["ar"] for p in _phrases("ar", s) if not p.isascii())
    assert not re.search("[پچژگیک]", arabic)  # Arabic letters only
    persian = " ".join(p for s in BANKS["fa"] for p in _phrases("fa", s))
    assert not re.search("[يك]", persian)  # Persian ی and ک, not the Arabic ones


def test_slow_replies_draw_complaints_and_rudeness_is_a_trait(demo: Demo) -> None:
    e = demo.events
    msg = e[(e.kind == "message") & e.public].copy()
    grouped = msg.groupby("ticket_id")
    msg["prev_actor"] = grouped.actor_type.shift()
    msg["wait"] = grouped["at"].shift() - grouped["at"].shift(2)  # the wait for that reply
    slow_words = [p for lang in BANKS for p in _phrases(lang, "c_slow")]
    answers = msg[(msg.actor_type == "customer") & (msg.prev_actor == "agent")].dropna(
        subset=["wait"]
    )
    complains = answers.body.map(lambda b: any(w in b for w in slow_words))
    quick = complains[answers.wait < pd.Timedelta("10min")]
    slow = complains[answers.wait > pd.Timedelta("26h")]
    assert len(quick) > 50 and len(slow) > 50
    assert quick.mean() < 0.02 and slow.mean() > 0.5

    rude_words = [p for lang in BANKS for p in _phrases(lang, "a_rude")]
    rude = msg[msg.body.map(lambda b: any(w in b for w in rude_words))]
    agents = demo.frame("agents")
    writers = rude.actor_id.value_counts()
    assert len(rude) > 20
    # a persistent style of a few agents, not noise spread over everyone
    assert len(writers) <= max(3, 0.25 * (~agents.is_bot).sum())
    assert writers.iloc[0] > 0.4 * len(rude)
