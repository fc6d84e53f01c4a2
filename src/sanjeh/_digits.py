"""The digit sets of Persian and Arabic text, shared by normalisation and PII redaction."""

from __future__ import annotations

FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
AR_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"

#: every digit set to ASCII; 1:1, so offsets are preserved (PII search relies on it)
DIGITS_TO_ASCII = str.maketrans(FA_DIGITS + AR_DIGITS, ASCII_DIGITS * 2)
