"""Children are added one at a time ("Add another child"), with or without JavaScript;
the booking still keeps each child by age band."""

import re

from tests.test_booking_site import (
    FAMILY,
    book_url,
    bookings,
    count,
    hidden_inputs,
    open_form,
    session_id_of,
    site,  # noqa: F401  (the demo council, on a Monday)
)

HTMX = {"HX-Request": "true"}


def child_selects(html: str) -> list[str]:
    return re.findall(r'<select[^>]*name="(child_\d)"', html)


def add_a_child(client, url: str, data: dict, headers: dict | None = None) -> str:
    response = client.post(url, data={**data, "add_child": "y"}, headers=headers or {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_form_starts_with_one_child_and_adds_them_one_at_a_time(site, client):  # noqa: F811
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    page = client.get(url).get_data(as_text=True)
    assert child_selects(page) == ["child_1"] and "Add another child" in page

    hidden = open_form(client, url)
    data = {**FAMILY, **hidden, "child_1": "0-1", "first_name": ""}
    html = add_a_child(client, url, data)  # no JavaScript: the whole page comes back
    assert "<html" in html and child_selects(html) == ["child_1", "child_2"]
    assert "There is a problem" not in html and count(site) == 0  # nothing checked, nothing booked
    assert re.search(r'<option value="0-1" selected', html)  # the first child is kept
    assert hidden["nonce"] in html  # still the same booking, if pressed twice

    data = {**data, **hidden_inputs(html), "child_2": "3-5", "first_name": "Ana"}
    booked = client.post(url, data=data)
    assert booked.status_code == 302
    [booking] = bookings(site)
    assert (booking.adults, booking.children) == (1, ["0-1", "3-5"])


def test_with_javascript_another_child_is_added_in_place(site, client):  # noqa: F811
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    data = {**FAMILY, **open_form(client, url), "child_rows": "2", "child_2": "1-3"}
    html = add_a_child(client, url, data, HTMX)
    assert "<html" not in html  # the form area only
    assert child_selects(html) == ["child_1", "child_2", "child_3"]
    assert re.search(r'<select[^>]*name="child_3"[^>]*autofocus', html)  # ready to choose


def test_after_six_children_there_is_no_button_to_add_another(site, client):  # noqa: F811
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    data = {**FAMILY, **open_form(client, url), "child_rows": "5"}
    html = add_a_child(client, url, data)
    assert len(child_selects(html)) == 6 and "Add another child" not in html


def test_a_row_count_that_is_not_a_number_shows_one_row(site, client):  # noqa: F811
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    data = {**FAMILY, **open_form(client, url), "child_rows": "<script>", "child_1": ""}
    response = client.post(url, data={**data, "first_name": ""})
    assert response.status_code == 200 and child_selects(response.get_data(as_text=True)) == [
        "child_1"
    ]
