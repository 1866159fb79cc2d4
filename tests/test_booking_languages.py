"""The booking site in every language the kiosk speaks: each page says its
language and direction, a chooser on every page names each language in its own
script and keeps the choice for the visit, and a family's messages start in the
language they read the page in."""

from __future__ import annotations

import re

import pytest

from frontdoor.templating import LANGUAGES
from tests.test_booking_site import (
    book_url,
    bookings,
    open_form,
    post_booking,
    session_id_of,
    site,  # noqa: F401  (fixture)
    text_of,
)
from tests.test_translations import catalog

WHATS_ON = "/book/riverside/"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def translated(code: str, english: str) -> str:
    return catalog(code).get(english).string


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_each_language_sets_the_pages_language_and_direction(site, client, code):  # noqa: F811
    response = client.get(f"{WHATS_ON}?lang={code}")
    assert response.status_code == 200
    assert f'lang="{code}" dir="{LANGUAGES[code]["dir"]}"' in html_tag(response)


def test_the_chosen_language_is_kept_for_the_rest_of_the_visit(site, client):  # noqa: F811
    client.get(f"{WHATS_ON}?lang=ar")
    for url in ("/book/find", "/book/privacy", "/book/accessibility", "/book/nowhere/"):
        response = client.get(url)
        assert 'lang="ar" dir="rtl"' in html_tag(response), url
    assert translated("ar", "Find your booking") in text_of(client.get("/book/find"))


def test_the_chooser_names_every_language_in_its_own_script_on_every_page(site, client):  # noqa: F811
    session_id = session_id_of(site, "Baby Massage")
    session_page = f"/book/riverside/sessions/{session_id}"
    for url in (WHATS_ON, session_page, book_url("riverside", session_id)):
        html = client.get(f"{url}?lang=pl").get_data(as_text=True)
        chooser = html[html.index('class="fd-languages"') :]
        chooser = chooser[: chooser.index("</nav>")]
        assert 'aria-current="true">Polski</span>' in chooser, url
        for code, language in LANGUAGES.items():
            assert f'lang="{code}"' in chooser and f">{language['name']}<" in chooser, (url, code)
            if code != "pl":
                assert f'href="{url}?lang={code}"' in chooser, (url, code)


def test_the_chooser_keeps_what_the_page_was_showing(site, client):  # noqa: F811
    html = client.get(f"{WHATS_ON}?week=2026-11-30&lang=uk").get_data(as_text=True)
    assert f'href="{WHATS_ON}?week=2026-11-30&amp;lang=ro"' in html


@pytest.mark.parametrize("code", ["xx", "de", "", "ar'><script>"])
def test_a_language_we_do_not_ship_shows_the_page_in_english(site, client, code):  # noqa: F811
    client.get(f"{WHATS_ON}?lang=ar")
    response = client.get(WHATS_ON, query_string={"lang": code})
    assert response.status_code == 200
    assert 'lang="en" dir="ltr"' in html_tag(response)
    assert "<script>" not in response.get_data(as_text=True).split("</head>")[0]


def test_without_a_choice_the_browsers_language_is_used(site, client):  # noqa: F811
    response = client.get(WHATS_ON, headers={"Accept-Language": "uk, en;q=0.5"})
    assert 'lang="uk" dir="ltr"' in html_tag(response)


def test_messages_to_the_family_start_in_the_language_of_the_page(site, client):  # noqa: F811
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    client.get(f"{url}?lang=ro")
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'<option[^>]*value="ro"[^>]*selected|<option selected[^>]*value="ro"', html)
    response = post_booking(client, url, hidden=open_form(client, url), language=None)
    assert response.status_code == 302
    assert [booking.language for booking in bookings(site)] == ["ro"]


def test_gov_uk_words_on_a_form_with_errors_are_in_the_pages_language(site, client):  # noqa: F811
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    client.get(f"{url}?lang=pl")
    response = post_booking(client, url, consent=None)
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert translated("pl", "There is a problem") in page and "There is a problem" not in page
    title = re.search(r"<title[^>]*>([^<]*)</title>", html).group(1)
    assert title.startswith(translated("pl", "Error:") + " " + translated("pl", "Book a place"))
    error = translated("pl", "Tick the box to say you agree, so we can keep your booking")
    hidden_prefix = f'<span class="govuk-visually-hidden">{translated("pl", "Error")}:</span>'
    assert re.search(re.escape(hidden_prefix) + r"\s*" + re.escape(error), html)
    assert translated("pl", "Skip to main content") in page and "Skip to main content" not in page
    assert translated("pl", "Back") in page


def test_who_a_session_is_for_is_in_the_familys_language(site, client):  # noqa: F811
    session_id = session_id_of(site, "Baby Massage")
    session_page = text_of(client.get(f"/book/riverside/sessions/{session_id}?lang=pl"))
    whats_on = text_of(client.get(WHATS_ON))
    for page in (session_page, whats_on):
        assert translated("pl", "Babies under 1") in page and "0 to 1" not in page
    assert translated("pl", "Parents and carers") in whats_on
