"""Names in the family's own script: kept as typed, matched by one rule, typed on
the kiosk's keyboard in the script of the language the family chose."""

from __future__ import annotations

import unicodedata

import pytest
from flask_babel import force_locale

from arrivals.actions import visits_to_leave
from arrivals.checkin import check_in_drop_in, find_todays_bookings
from frontdoor.extensions import db
from frontdoor.fields import name_key
from kiosk.flow import read_name
from kiosk.keyboards import name_keyboard
from tests.test_kiosk import NOW, booked, place  # noqa: F401  (a fixture)

ZWJ, ZWNJ, RLO = "\u200d", "\u200c", "\u202e"


@pytest.fixture
def ctx(app, place):  # noqa: F811
    with app.app_context():
        yield place
        db.session.rollback()
        db.session.remove()


# --- one rule for matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  ZOË ", "Zoe"),  # case, spaces and a Latin accent
        ("Zoe\u0308", "Zoë"),  # the accent typed as a combining mark
        ("ﬁona", "Fiona"),  # a compatibility ligature
        ("مُحَمَّد", "محمد"),  # Arabic vowel marks are optional
        ("علي", "علی"),  # Arabic's yeh and Urdu's are the same letter
        ("فاطمہ", "فاطمہ"),
        (f"রা{ZWJ}জ", "রাজ"),  # a joiner draws nothing
        (f"Ann{ZWNJ}a", "Anna"),
    ],
)
def test_a_name_is_found_however_it_was_typed(typed, kept):
    assert name_key(typed) == name_key(kept)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("কি", "ক"),  # a Bengali vowel sign is part of the name
        ("Андрій", "Андріи"),  # Ukrainian й is its own letter
        ("Łucja", "Lucja"),  # Ł is a letter, not an accent on L
        ("Sam", "Sami"),
    ],
)
def test_different_names_stay_different(one, other):
    assert name_key(one) != name_key(other)


def test_find_me_finds_a_booking_typed_without_the_accents(app, ctx):
    booking_id, _ = booked(app, ctx.massage, first="Zoë")
    found = find_todays_bookings(ctx.hub_id, "ZOE", now=NOW)
    assert [(line.booking_id, line.name) for line in found] == [(booking_id, "Zoë H.")]


def test_im_leaving_finds_an_arabic_name_typed_with_vowel_marks(app, ctx):
    made = check_in_drop_in(
        ctx.play, hub_id=ctx.hub_id, first_name="محمد", adults=1, child_bands=(), now=NOW
    )
    db.session.commit()
    assert [v.id for v in visits_to_leave(ctx.hub_id, "مُحَمَّد", now=NOW)] == [made.visit.id]
    assert made.visit.first_name == "محمد"  # kept as typed


# --- kept as typed ---------------------------------------------------------------------------


def test_a_name_is_kept_as_typed_in_nfc_with_the_joiners_its_script_needs():
    typed = unicodedata.normalize("NFD", f"র{ZWJ}্যাব")
    name, problem = read_name(typed)
    assert problem is None
    assert name == unicodedata.normalize("NFC", typed) and ZWJ in name


def test_direction_overrides_and_edge_joiners_are_dropped_from_a_name():
    assert read_name(f"{ZWJ}{RLO}Amira{ZWJ}") == ("Amira", None)


def test_a_name_of_invisible_characters_only_is_no_name():
    assert read_name(f"{ZWJ}{ZWNJ}\u200b") == ("", "name_required")


def test_a_name_mixing_scripts_is_kept_as_typed():
    """A family may write a first name in two scripts (or a double name across
    them); it is theirs to write, shown isolated on the board."""
    assert read_name("Maria مریم") == ("Maria مریم", None)


# --- the keyboard in the family's script -------------------------------------------------


def _letters(app, language: str) -> dict[str, str]:
    with app.test_request_context(), force_locale(language):
        return {
            alphabet.name: "".join(k for page in alphabet.pages for row in page for k in row)
            for alphabet in name_keyboard()
        }


@pytest.mark.parametrize(
    ("language", "letter", "direction"),
    [("ar", "ع", "rtl"), ("ur", "ے", "rtl"), ("bn", "ক", "ltr"), ("uk", "Ї", "ltr")],
)
def test_the_keyboard_offers_the_languages_script_and_latin(app, language, letter, direction):
    with app.test_request_context(), force_locale(language):
        own, latin = name_keyboard()
    assert letter in "".join(k for page in own.pages for row in page for k in row)
    assert own.direction == direction and latin.direction == "ltr"
    assert "Q" in latin.pages[0][0]


def test_the_urdu_keyboard_types_urdus_own_yeh(app):
    """The layout's Arabic alef maksura joins without its dots in Urdu words."""
    urdu = _letters(app, "ur")["own"]
    assert "\u06cc" in urdu and "\u0649" not in urdu


@pytest.mark.parametrize(("language", "letters"), [("pl", "ĄĆĘŁŃÓŚŹŻ"), ("ro", "ĂÂÎȘȚ")])
def test_polish_and_romanian_letters_sit_on_the_first_page(app, language, letters):
    with app.test_request_context(), force_locale(language):
        [latin] = name_keyboard()
    assert "".join(latin.pages[0][-1]) == letters


def test_english_has_the_latin_keyboard_alone(app):
    assert list(_letters(app, "en")) == ["latin"]
