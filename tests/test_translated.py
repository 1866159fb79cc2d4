"""What hubs write, in the family's language: a series' title and description, a
category's name and a hub's access information, given by staff in any shipped
language, shown to families in theirs (booking site, kiosk, messages) or in
English; staff screens keep the English."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Hub, OutboxMessage, ServiceCategory, SessionSeries
from frontdoor.templating import LANGUAGES
from frontdoor.translated import OTHER_LANGUAGES, checked_translations, in_language, translate
from tests.conftest import sign_in, submit
from tests.test_booking_site import (
    book_url,
    open_form,
    post_booking,
    session_id_of,
    site,  # noqa: F401  (fixture)
    text_of,
)
from tests.test_kiosk import place, screen  # noqa: F401  (fixtures)

POLISH_TITLE = "Masaż niemowląt"
POLISH_DESCRIPTION = "Delikatny masaż dla niemowląt i rodziców."
POLISH_CATEGORY = "Karmienie niemowląt"
POLISH_ACCESS = "Wejście bez schodów od strony parkingu."
ARABIC_TITLE = "تدليك الرضع"


# --- the one rule: theirs, or English ----------------------------------------------------


def test_each_language_sees_its_own_words_and_the_rest_see_english():
    series = SessionSeries(title="Baby Massage", translations={"title": {"pl": POLISH_TITLE}})
    assert in_language(series, "title", "pl") == POLISH_TITLE
    for code in LANGUAGES:
        if code != "pl":
            assert in_language(series, "title", code) == "Baby Massage", code


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_shipped_language_can_be_given(code):
    category = ServiceCategory(name="Infant feeding", translations={})
    translate(category, {"name": {code: f"feeding in {code}"}})
    assert in_language(category, "name", code) == f"feeding in {code}"
    assert in_language(category, "name", "en") == "Infant feeding"


def test_an_unknown_locale_or_no_translations_at_all_is_english():
    series = SessionSeries(title="Baby Massage", description="Gentle.", translations={})
    assert in_language(series, "description", "xx") == "Gentle."
    assert in_language(SessionSeries(title="Baby Massage"), "title", "pl") == "Baby Massage"


def test_empty_means_english_and_removes_what_was_given():
    series = SessionSeries(title="Baby Massage", translations={"title": {"pl": POLISH_TITLE}})
    changed = translate(series, {"title": {"pl": "   "}})
    assert in_language(series, "title", "pl") == "Baby Massage"
    assert series.translations == {}
    assert changed == ["title in Polish"]


def test_a_language_left_out_keeps_what_it_had():
    series = SessionSeries(title="Baby Massage", translations={"title": {"pl": POLISH_TITLE}})
    assert translate(series, {"title": {"ar": ARABIC_TITLE}}) == ["title in Arabic"]
    assert series.translations == {"title": {"pl": POLISH_TITLE, "ar": ARABIC_TITLE}}


@pytest.mark.parametrize("code", ["en", "de", "xx", "pl'><b>"])
def test_text_in_a_language_not_shipped_is_refused(code):
    with pytest.raises(ServiceError) as refused:
        checked_translations(SessionSeries, {"title": {code: "Hallo"}})
    assert refused.value.code == "language_not_shipped"


def test_text_longer_than_the_english_field_allows_is_refused():
    with pytest.raises(ServiceError) as refused:
        checked_translations(ServiceCategory, {"name": {"pl": "x" * 121}})
    assert refused.value.code == "translation_too_long"
    assert refused.value.field == "name_pl"


# --- the booking site -----------------------------------------------------------------------


def _give_polish(app) -> None:
    with app.app_context():
        series = db.session.scalar(
            select(SessionSeries).where(SessionSeries.title == "Baby Massage")
        )
        translate(
            series,
            {
                "title": {"pl": POLISH_TITLE, "ar": ARABIC_TITLE},
                "description": {"pl": POLISH_DESCRIPTION},
            },
        )
        translate(series.category, {"name": {"pl": POLISH_CATEGORY}})
        translate(series.hub, {"access_information": {"pl": POLISH_ACCESS}})
        db.session.commit()
        db.session.remove()


def test_the_booking_site_in_polish_shows_the_hubs_polish_words(site, client):  # noqa: F811
    _give_polish(site)
    session_id = session_id_of(site, "Baby Massage")
    whats_on = text_of(client.get("/book/riverside/?lang=pl"))
    assert POLISH_TITLE in whats_on and POLISH_CATEGORY in whats_on
    assert "Baby Massage" not in whats_on
    page = text_of(client.get(f"/book/riverside/sessions/{session_id}"))
    for words in (POLISH_TITLE, POLISH_DESCRIPTION, POLISH_ACCESS):
        assert words in page
    assert "Baby Massage" not in page
    assert POLISH_TITLE in text_of(client.get(book_url("riverside", session_id)))


def test_the_booking_site_in_bengali_shows_english_where_no_bengali_was_given(site, client):  # noqa: F811
    _give_polish(site)
    session_id = session_id_of(site, "Baby Massage")
    whats_on = text_of(client.get("/book/riverside/?lang=bn"))
    assert "Baby Massage" in whats_on and "Infant feeding" in whats_on
    assert POLISH_TITLE not in whats_on
    page = text_of(client.get(f"/book/riverside/sessions/{session_id}"))
    assert "Baby Massage" in page and "Step-free entrance" in page


def test_a_family_searches_in_their_own_language(site, client):  # noqa: F811
    _give_polish(site)
    everything = text_of(client.get("/book/riverside/?lang=pl"))
    assert "Stay and Play" in everything
    found = text_of(client.get("/book/riverside/?lang=pl&q=niemowląt"))
    assert POLISH_TITLE in found and "Stay and Play" not in found


def test_an_arabic_title_keeps_its_own_direction_on_an_arabic_page(site, client):  # noqa: F811
    _give_polish(site)
    session_id = session_id_of(site, "Baby Massage")
    html = client.get(f"/book/riverside/sessions/{session_id}?lang=ar").get_data(as_text=True)
    assert f'<h1 class="govuk-heading-l">{ARABIC_TITLE}</h1>' in html  # bidi: plaintext


def test_the_confirmation_and_its_messages_are_in_the_familys_language(site, client):  # noqa: F811
    _give_polish(site)
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    client.get(f"{url}?lang=pl")
    response = post_booking(client, url, hidden=open_form(client, url), language="pl")
    assert response.status_code == 302
    assert POLISH_TITLE in text_of(client.get(response.location))
    with site.app_context():
        titles = {m.payload["title"] for m in db.session.scalars(select(OutboxMessage))}
    assert titles == {POLISH_TITLE}


def test_hostile_words_from_staff_are_shown_as_text(site, client):  # noqa: F811
    with site.app_context():
        series = db.session.scalar(
            select(SessionSeries).where(SessionSeries.title == "Baby Massage")
        )
        translate(series, {"title": {"pl": "<script>alert(1)</script>"}})
        db.session.commit()
    html = client.get("/book/riverside/?lang=pl").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the kiosk ---------------------------------------------------------------------------------


def _give_kiosk_polish(app) -> None:
    with app.app_context():
        series = db.session.scalar(
            select(SessionSeries).where(SessionSeries.title == "Stay and Play")
        )
        translate(series, {"title": {"pl": "Zabawa w grupie"}})
        translate(series.category, {"name": {"pl": "Zabawa"}})
        db.session.commit()
        db.session.remove()


def test_the_kiosk_in_polish_shows_the_polish_title_and_category(app, screen, place):  # noqa: F811
    _give_kiosk_polish(app)
    screen.open("/kiosk/")
    screen.post("/kiosk/language", {"language": "pl"})
    screen.start("whats_on")
    assert "Zabawa w grupie" in screen.text and "Stay and Play" not in screen.text
    assert "Zabawa" in screen.text
    screen.open(f"/kiosk/whats-on/{place.play}")
    assert '<h1 class="fd-title" dir="auto">Zabawa w grupie</h1>' in screen.html
    screen.open("/kiosk/")
    screen.start("drop_in")
    assert "Zabawa w grupie" in screen.text


def test_find_me_on_the_kiosk_names_the_session_in_the_familys_language(app, screen, place):  # noqa: F811
    from tests.test_kiosk import booked

    with app.app_context():
        series = db.session.scalar(
            select(SessionSeries).where(SessionSeries.title == "Baby Massage")
        )
        translate(series, {"title": {"uk": "Масаж для немовлят"}})
        db.session.commit()
        db.session.remove()
    booked(app, place.massage, "Amira", "Hassan")
    screen.open("/kiosk/")
    screen.post("/kiosk/language", {"language": "uk"})
    screen.start("booking")
    screen.open("/kiosk/booking/find")
    screen.post("/kiosk/find", {"first_name": "Amira"})
    assert "Amira H. Масаж для немовлят" in screen.text and "Baby Massage" not in screen.text


def test_the_kiosk_in_bengali_shows_the_english_title(app, screen, place):  # noqa: F811
    _give_kiosk_polish(app)
    screen.open("/kiosk/")
    screen.post("/kiosk/language", {"language": "bn"})
    screen.start("whats_on")
    assert "Stay and Play" in screen.text and "Zabawa w grupie" not in screen.text


# --- staff give them ------------------------------------------------------------------------

LEAD = "lead@riverside.example"
JUNE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MANAGER = "manager@riverside.example"


def _series_id(app, title: str = "Baby Massage") -> int:
    with app.app_context():
        return db.session.scalar(select(SessionSeries.id).where(SessionSeries.title == title))


def _audit(app, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def test_the_series_form_saves_other_languages_and_audits_them(app, client, demo):
    from tests.test_timetable_views import series_form

    clock.freeze(JUNE)  # the series form's dates
    sign_in(client, LEAD)
    page = client.get("/admin/timetable/series/new?hub=riverside").get_data(as_text=True)
    assert "In other languages" in page and "Polish (Polski)" in page and "Arabic (العربية)" in page
    response = submit(
        client,
        "/admin/timetable/series/new?hub=riverside",
        {**series_form(), "title_pl": "Joga dla maluchów", "description_uk": "Йога"},
    )
    assert response.status_code == 302
    with app.app_context():
        series = db.session.scalar(
            select(SessionSeries).where(SessionSeries.title == "Toddler Yoga")
        )
        assert in_language(series, "title", "pl") == "Joga dla maluchów"
        assert in_language(series, "description", "uk") == "Йога"
        assert in_language(series, "title", "bn") == "Toddler Yoga"
        series_id = series.id
    detail = _audit(app, "series.create")[-1]
    assert "title in Polish" in detail and "description in Ukrainian" in detail
    # The form shows what was given, and staff pages keep the English.
    edit = client.get(f"/admin/timetable/series/{series_id}").get_data(as_text=True)
    assert 'value="Joga dla maluchów"' in edit
    timetable = client.get("/admin/timetable?hub=riverside&week=2026-06-01").get_data(as_text=True)
    assert "Toddler Yoga" in timetable and "Joga dla maluchów" not in timetable


def test_a_translation_too_long_is_explained_and_saves_nothing(app, client, demo):
    from tests.test_timetable_views import series_form

    clock.freeze(JUNE)
    sign_in(client, LEAD)
    response = submit(
        client,
        "/admin/timetable/series/new?hub=riverside",
        {**series_form(), "title_pl": "x" * 201},
    )
    assert response.status_code == 400
    assert "Polish (Polski) must be 200 characters or fewer" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(SessionSeries.id).where(SessionSeries.title == "Toddler Yoga"))
            is None
        )


def test_the_category_form_saves_its_name_in_other_languages_and_audits(app, client, demo):
    sign_in(client, MANAGER)
    with app.app_context():
        category_id = db.session.scalar(
            select(ServiceCategory.id).where(ServiceCategory.name == "Infant feeding")
        )
    page = f"/admin/categories/{category_id}"
    answers = {"name": "Infant feeding", "icon": "feeding", "active": "y", "name_ar": "تغذية الرضع"}
    response = submit(client, page, answers)
    assert response.status_code == 302
    with app.app_context():
        category = db.session.get(ServiceCategory, category_id)
        assert in_language(category, "name", "ar") == "تغذية الرضع"
    assert any("name in Arabic" in detail for detail in _audit(app, "category.update"))
    assert 'value="تغذية الرضع"' in client.get(page).get_data(as_text=True)


def test_the_hub_form_saves_its_access_information_in_other_languages(app, client, demo):
    from tests.test_manage import HUB_SETTINGS

    sign_in(client, MANAGER)
    response = submit(
        client,
        "/admin/hubs/riverside",
        {**HUB_SETTINGS, "access_information_ro": "Acces fără trepte"},
    )
    assert response.status_code == 302
    with app.app_context():
        hub = db.session.scalar(select(Hub).where(Hub.slug == "riverside"))
        assert in_language(hub, "access_information", "ro") == "Acces fără trepte"
        assert in_language(hub, "access_information", "pl") == "Step-free"
    assert any("access_information in Romanian" in d for d in _audit(app, "hub.update"))


def test_a_new_category_is_given_its_name_in_other_languages_straight_away(app, client, demo):
    sign_in(client, MANAGER)
    form = client.get("/admin/categories/new").get_data(as_text=True)
    assert "In other languages" in form and 'name="name_ar"' in form
    response = submit(
        client, "/admin/categories/new", {"name": "Speech and language", "name_ar": "النطق واللغة"}
    )
    assert response.status_code == 302
    with app.app_context():
        category = db.session.scalar(
            select(ServiceCategory).where(ServiceCategory.name == "Speech and language")
        )
        assert in_language(category, "name", "ar") == "النطق واللغة"
        assert in_language(category, "name", "pl") == "Speech and language"
    assert _audit(app, "category.create")[-1] == "Added Speech and language; name in Arabic"


def test_a_new_hub_is_given_its_access_information_in_other_languages(app, client, demo):
    from tests.test_manage import ADMIN

    sign_in(client, ADMIN)
    assert 'name="access_information_uk"' in client.get("/admin/hubs/new").get_data(as_text=True)
    new_hub = {"name": "Eastfield Family Hub", "slug": "eastfield", "access_information": "Ramp"}
    too_long = submit(client, "/admin/hubs/new", {**new_hub, "access_information_uk": "x" * 2001})
    assert "Ukrainian (Українська) must be 2000 characters or fewer" in too_long.get_data(
        as_text=True
    )
    response = submit(client, "/admin/hubs/new", {**new_hub, "access_information_uk": "Пандус"})
    assert response.status_code == 302
    with app.app_context():
        hub = db.session.scalar(select(Hub).where(Hub.slug == "eastfield"))
        assert in_language(hub, "access_information", "uk") == "Пандус"
        assert in_language(hub, "access_information", "ar") == "Ramp"
    assert _audit(app, "hub.create") == [
        "Added Eastfield Family Hub (eastfield); access_information in Ukrainian"
    ]


# --- categories in the family's order ----------------------------------------------------------


def test_the_kiosk_lists_kinds_of_session_in_the_order_of_the_familys_language(
    app,
    screen,  # noqa: F811
    place,  # noqa: F811
):
    with app.app_context():
        for series_title, arabic in (("Baby Massage", "تغذية الرضع"), ("Stay and Play", "اللعب")):
            series = db.session.scalar(
                select(SessionSeries).where(SessionSeries.title == series_title)
            )
            translate(series.category, {"name": {"ar": arabic}})
        db.session.commit()
        db.session.remove()
    screen.start("whats_on")
    english = screen.text
    assert english.index("Infant feeding") < english.index("Stay and play")
    screen.open("/kiosk/")
    screen.post("/kiosk/language", {"language": "ar"})
    screen.start("whats_on")
    arabic = screen.text
    assert arabic.index("اللعب") < arabic.index("تغذية الرضع")  # alif before ta


def test_the_booking_site_lists_kinds_of_session_in_the_order_of_the_familys_language(
    site,  # noqa: F811
    client,
):
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    with site.app_context():
        hub = db.session.scalar(select(Hub).where(Hub.slug == "riverside"))
        categories = db.session.scalars(
            select(ServiceCategory)
            .where(
                ServiceCategory.organisation_id == hub.organisation_id,
                ServiceCategory.active.is_(True),
            )
            .order_by(ServiceCategory.name)
        ).all()
        english = [category.name for category in categories]
        # In Arabic the first letters run the other way round from the English names.
        for n, category in enumerate(categories):
            translate(category, {"name": {"ar": f"{letters[len(categories) - 1 - n]} {n}"}})
        db.session.commit()
    assert len(english) >= 3

    def options(language: str) -> list[str]:
        page = client.get(f"/book/riverside/?lang={language}").get_data(as_text=True)
        chosen = page.split('id="category"')[1].split("</select>")[0]
        return re.findall(r"<option [^>]*>([^<]+)</option>", chosen)[1:]  # after "All kinds"

    assert options("en") == english
    ar = options("ar")
    assert [text.split()[1] for text in ar] == [str(n) for n in reversed(range(len(english)))]
