"""PII redaction: checksums decide, and every digit set is recognised."""

from __future__ import annotations

import pytest

from sanjeh.errors import ValidationError
from sanjeh.text import find_pii, redact

FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def national_id(first9: str) -> str:
    """A valid Iranian national code: the official check digit after nine digits."""
    r = sum(int(d) * (10 - i) for i, d in enumerate(first9)) % 11
    return first9 + str(r if r < 2 else 11 - r)


def iban(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def luhn_complete(body: str) -> str:
    for last in "0123456789":
        digits = [int(c) for c in body + last][::-1]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)
        )
        if total % 10 == 0:
            return body + last
    raise AssertionError("unreachable")


VALID_ID = national_id("001234567")
INVALID_ID = VALID_ID[:-1] + str((int(VALID_ID[-1]) + 1) % 10)
CARD = luhn_complete("603799123456789")  # an Iranian (Melli) card prefix
BAD_CARD = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
IR_IBAN = iban("IR", "062960000000100324200001")
BAD_IBAN = IR_IBAN[:-1] + str((int(IR_IBAN[-1]) + 1) % 10)


@pytest.mark.parametrize("table", [None, FA, AR], ids=["ascii", "persian", "arabic-indic"])
@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("09123456789", "PHONE"),
        ("0912 345 6789", "PHONE"),
        ("+98 912 345 6789", "PHONE"),
        ("00989123456789", "PHONE"),
        ("021-88776655", "PHONE"),
        ("+966 55 123 4567", "PHONE"),
        ("0551234567", "PHONE"),
        ("+971 50 123 4567", "PHONE"),
        ("+974 5512 3456", "PHONE"),
        ("+965 9988 7766", "PHONE"),
        ("+973 3344 5566", "PHONE"),
        ("+968 9123 4567", "PHONE"),
        ("+44 20 7946 0958", "PHONE"),
        (CARD, "CARD"),
        (" ".join(CARD[i : i + 4] for i in range(0, 16, 4)), "CARD"),
        (VALID_ID, "NATIONAL_ID"),
        (f"{VALID_ID[:3]}-{VALID_ID[3:9]}-{VALID_ID[9]}", "NATIONAL_ID"),
    ],
)
def test_numbers_in_every_digit_set(value: str, kind: str, table: dict[int, str] | None) -> None:
    written = value.translate(table) if table else value
    message = f"اطلاعات من: {written} لطفا بررسی کنید"
    (found,) = find_pii([message])
    assert [(p.kind, p.text) for p in found] == [(kind, written)]
    assert redact([message]) == [f"اطلاعات من: [{kind}] لطفا بررسی کنید"]


@pytest.mark.parametrize(
    "message",
    [
        f"card {BAD_CARD}",  # Luhn fails
        f"کد ملی {INVALID_ID}",  # check digit fails
        "کد ملی 1111111111",  # checksum-valid but never issued
        f"IBAN {BAD_IBAN}",  # mod-97 fails
        "سفارش 12345 رسید",  # an order number
        "مبلغ 1,250,000 تومان",
        "version 2.4.1",
    ],
)
def test_invalid_checksums_and_ordinary_numbers_are_left_alone(message: str) -> None:
    assert find_pii([message]) == [[]]
    assert redact([message]) == [message]


def test_email_and_iban() -> None:
    message = f"ایمیل: sara.k+shop@example.co.ir و شبا {IR_IBAN}"
    (found,) = find_pii([message])
    assert [p.kind for p in found] == ["EMAIL", "IBAN"]
    assert redact([message]) == ["ایمیل: [EMAIL] و شبا [IBAN]"]


def test_iban_with_spaces_and_standard_example() -> None:
    (found,) = find_pii(["pay to GB82 WEST 1234 5698 7654 32 today"])
    assert [(p.kind, p.text) for p in found] == [("IBAN", "GB82 WEST 1234 5698 7654 32")]


def test_phone_glued_to_persian_word() -> None:
    assert redact(["شماره‌ام۰۹۱۲۳۴۵۶۷۸۹است"]) == ["شماره‌ام[PHONE]است"]


def test_spans_and_kinds_filter() -> None:
    message = f"a@b.io {VALID_ID}"
    (spans,) = find_pii([message], kinds=["NATIONAL_ID"])
    assert [(p.kind, message[p.start : p.end]) for p in spans] == [("NATIONAL_ID", VALID_ID)]
    assert redact([message], kinds=["EMAIL"]) == [f"[EMAIL] {VALID_ID}"]


def test_batch_shape_and_errors() -> None:
    assert redact([]) == []
    assert redact(["", "بدون اطلاعات"]) == ["", "بدون اطلاعات"]
    with pytest.raises(ValidationError):
        redact("not a list")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        find_pii(["x"], kinds=["SSN"])
