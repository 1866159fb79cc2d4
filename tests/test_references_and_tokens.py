"""Booking references and signed tokens."""

from __future__ import annotations

import math

from booking.references import ALPHABET, LENGTH, new_reference, read_reference
from booking.tokens import CHECK_IN, MANAGE
from frontdoor.tokens import make_token, read_token


def test_references_carry_at_least_40_bits_without_look_alikes():
    assert math.log2(len(ALPHABET)) * LENGTH >= 40
    assert not set("ILOU") & set(ALPHABET)
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    assert all(len(r) == 8 and set(r) <= set(ALPHABET) for r in references)


def test_typed_references_are_read_leniently():
    assert read_reference("abcd 2345") == "ABCD2345"
    assert read_reference("0OIL-1234") == "0011" + "1234"
    assert read_reference("abc") is None
    assert read_reference("ABCD23456") is None
    assert read_reference("<script>") is None


def test_tokens_are_signed_per_purpose():
    token = make_token("secret", CHECK_IN, 42, "ABCD2345")
    assert read_token("secret", CHECK_IN, token) == (42, "ABCD2345")
    assert read_token("secret", MANAGE, token) is None  # a QR token cannot manage
    assert read_token("other-secret", CHECK_IN, token) is None
    assert read_token("secret", CHECK_IN, token[:-2] + "xx") is None
    assert read_token("secret", CHECK_IN, "garbage") is None
