"""Mobiles from any country: one rule (``frontdoor.contact``) for what is a mobile and
how it is kept, so a family from abroad can have their texts."""

import pytest

from frontdoor.contact import normalise_mobile, show_mobile
from frontdoor.errors import ServiceError
from tests.test_booking_site import (
    book_url,
    bookings,
    count,
    post_booking,
    session_id_of,
    site,  # noqa: F401  (the demo council, on a Monday)
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07700 900 982", "+447700900982"),  # UK mobiles are kept as they always were
        ("+44 7700 900982", "+447700900982"),
        ("0044 (7700) 900-982", "+447700900982"),
        ("+48 512 345 678", "+48512345678"),  # Polish
        ("0048 512 345 678", "+48512345678"),
        ("+40 712 345 678", "+40712345678"),  # Romanian
        ("+380 50 123 4567", "+380501234567"),  # Ukrainian
    ],
)
def test_a_mobile_from_any_country_is_kept_in_one_format(typed, kept):
    assert normalise_mobile(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "0121 496 0000",  # a UK landline cannot take a text
        "+48 22 123 45 67",  # nor can a Warsaw one
        "512 345 678",  # a Polish mobile without its country code is not a UK number
        "call me",
        "07700 90098",
        "",
    ],
)
def test_a_number_that_is_not_a_mobile_is_refused(typed):
    with pytest.raises(ServiceError) as refused:
        normalise_mobile(typed)
    assert (refused.value.code, refused.value.field) == ("invalid_mobile", "mobile")


def test_a_stored_mobile_shows_as_people_write_it():
    assert show_mobile("+447700900982") == "07700 900982"
    assert show_mobile("+48512345678") == "+48 512 345 678"
    assert show_mobile("+380501234567") == "+380 50 123 4567"
    assert show_mobile("+44 (0)1632 960001") == "+44 (0)1632 960001"  # a partner's, as written
    assert show_mobile("+99912345678") == "+99912345678"


def test_a_family_books_with_a_polish_mobile_and_is_told_a_landline_will_not_do(
    site,  # noqa: F811
    client,
):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    client.get("/book/riverside/?lang=pl")  # the family reads Polish
    landline = post_booking(client, url, email="", mobile="+48 22 123 45 67", language="pl")
    assert landline.status_code == 200 and count(site) == 0
    assert "Wpisz numer komórki, nie telefonu stacjonarnego" in landline.get_data(as_text=True)
    booked = post_booking(client, url, email="", mobile="+48 512 345 678")
    assert booked.status_code == 302
    [booking] = bookings(site)
    assert booking.mobile == "+48512345678"
