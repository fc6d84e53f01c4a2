"""Phrase banks of the demo conversations, one per language (fa, ar, en).

Every language has the same slots (see ``_compose.py`` for how they are put
together); a slot is a tuple of phrases or a dict of tuples per category.
"""

from __future__ import annotations

from . import ar_agent, ar_customer, en_agent, en_customer, fa_agent, fa_customer

BANKS = {
    "fa": {**fa_customer.BANK, **fa_agent.BANK},
    "ar": {**ar_customer.BANK, **ar_agent.BANK},
    "en": {**en_customer.BANK, **en_agent.BANK},
}

__all__ = ["BANKS"]
