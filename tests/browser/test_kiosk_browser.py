"""The kiosk in Chromium at 1080x1920 portrait: checking in by reference on the
on-screen keypad, a scanned QR code, the idle warning and reset (leaving nothing
behind, even for Back), and the calm screen when the server cannot be reached."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from booking.tokens import CHECK_IN
from frontdoor import clock
from frontdoor.config import PROJECT_ROOT
from frontdoor.extensions import db
from frontdoor.models import Hub, Visit
from frontdoor.templating import LANGUAGES
from kiosk.access import COOKIE
from kiosk.pairing import add_kiosk, pair
from tests.route_samples import booking_token
from tests.test_kiosk import another_drop_in, booked, place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

# Screenshots to look at by eye (git-ignored, like the other test output).
SCREENSHOTS = PROJECT_ROOT / "test-results"


def _open_kiosk(app, browser, live_server, hub_id: int, **options):
    with app.app_context():
        _, code = add_kiosk(hub_id, "Foyer", now=clock.now(), created_by_id=None)
        _, credential = pair(code, now=clock.now())
        db.session.commit()
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1080, "height": 1920}, **options
    )
    context.add_cookies(
        [{"name": COOKIE, "value": credential, "url": f"{live_server}/kiosk", "sameSite": "Strict"}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.fixture
def kiosk_page(app, browser, live_server, place):  # noqa: F811
    page = _open_kiosk(app, browser, live_server, place.hub_id)
    yield page
    page.context.close()


def _idle_after(app, hub_id: int, seconds: int, warning: int) -> None:
    """The app fixture is shared, so a short idle time is the hub's own setting."""
    with app.app_context():
        hub = db.session.get(Hub, hub_id)
        hub.settings_json = {
            **(hub.settings_json or {}),
            "kiosk_idle_seconds": seconds,
            "kiosk_idle_warning_seconds": warning,
        }
        db.session.commit()


def _visits(app) -> list[Visit]:
    with app.app_context():
        visits = db.session.scalars(select(Visit)).all()
        db.session.expunge_all()
    return visits


def test_check_in_by_reference_on_the_keypad(app, kiosk_page, place):  # noqa: F811
    page = kiosk_page
    _, reference = booked(app, place.massage)
    page.goto("/kiosk/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    page.get_by_role("button", name="I have a booking").click()
    page.get_by_role("link", name="Type my booking reference").click()
    keypad = page.locator("[data-keyboard=reference]")
    expect(keypad).to_be_visible()
    for character in reference:
        keypad.locator(f"[data-key='{character}']").click()
    reference_box = page.get_by_label("Type your booking reference")
    expect(reference_box).to_have_value(f"{reference[:4]} {reference[4:]}")
    keypad.get_by_role("button", name="Delete").click()
    keypad.locator(f"[data-key='{reference[-1]}']").click()
    page.get_by_role("button", name="Find my booking").click()

    expect(page.get_by_role("heading", name="Who is here today?")).to_be_visible()
    assert "/kiosk/booking/who" in page.url and reference not in page.url
    page.get_by_role("button", name="One more adult").click()
    expect(page.locator("#adults-value")).to_have_text("2")
    page.get_by_role("button", name="Check in").click()

    expect(page.get_by_role("heading", name="Thank you, Amira.")).to_be_visible()
    expect(page.get_by_text("Grace will come to say hello.")).to_be_visible()
    expect(page.get_by_text("Please wait in Sensory room.")).to_be_visible()
    [visit] = _visits(app)
    assert (visit.adults, visit.children) == (2, 1)
    # Home again by itself after 10 seconds, and Back shows only the start screen.
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=15_000)
    expect(page.get_by_role("button", name="I have a booking")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("button", name="I have a booking")).to_be_visible()
    assert "Amira" not in page.content()
    assert page.errors == []


def test_a_scanned_qr_code_starts_checking_in(app, kiosk_page, place):  # noqa: F811
    page = kiosk_page
    booking_id, _reference = booked(app, place.massage)
    token = booking_token(app, CHECK_IN, booking_id)
    page.goto("/kiosk/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    page.keyboard.type(token)  # a scanner types fast, then presses Enter
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Who is here today?")).to_be_visible()
    assert token not in page.content() and token not in page.url
    assert page.errors == []


def test_a_first_time_drop_in_checks_in_in_five_screens_and_ten_taps(
    app,
    kiosk_page,
    place,  # noqa: F811
):
    """A parent here for the first time, with a baby and a toddler, checks in to the
    drop-in running now, from the start screen, as a family would.

    A tap is a press of a button, a link or an option outside text entry (a choice,
    a + on a counter, "Yes", "Next", "Check in"). Typing the first name on the
    on-screen keyboard is typing, not tapping: its keys are not counted. A screen is
    a new page the kiosk shows (a load, or a swap of its screen by htmx, which
    changes the address); a counter going up stays on its screen. The issue's bar:
    at most 5 screens and 10 taps."""
    page = kiosk_page
    screens: list[str] = []
    taps = 0

    def seen(heading: str) -> None:
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        path = page.evaluate("() => location.pathname")
        if not screens or screens[-1] != path:
            screens.append(path)

    def tap(target) -> None:
        nonlocal taps
        taps += 1
        target.click()

    page.goto("/kiosk/")
    seen("Welcome")
    tap(page.get_by_role("button", name="I'm here for a drop-in"))
    seen("Who is here today?")  # the only drop-in running now is not asked about
    expect(page.locator(".fd-caption")).to_contain_text("Stay and Play")
    tap(page.get_by_role("button", name="One more child: Babies under 1"))
    tap(page.get_by_role("button", name="One more child: 1 to 3 years"))
    expect(page.locator("[id='c_1-3-value']")).to_have_text("1")
    tap(page.get_by_role("button", name="Next"))
    seen("What is your first name?")
    keyboard = page.locator("[data-keyboard=letters]")
    for letter in "KAI":  # typing
        keyboard.locator(f"[data-key='{letter}']").click()
    tap(page.get_by_text("Yes", exact=True))
    tap(page.get_by_role("button", name="Check in"))
    seen("Thank you, Kai.")

    print(f"first-time drop-in: {len(screens)} screens, {taps} taps: {screens}")
    assert len(screens) <= 5, screens
    assert taps <= 10
    (visit,) = _visits(app)
    assert (visit.first_name, visit.first_time, visit.child_bands) == ("Kai", True, ["0-1", "1-3"])
    assert page.errors == []


def test_idle_warning_then_reset_leaves_nothing_behind(app, kiosk_page, place):  # noqa: F811
    page = kiosk_page
    _idle_after(app, place.hub_id, seconds=2, warning=2)
    page.goto("/kiosk/")
    page.get_by_role("button", name="I'm here for a drop-in").click()
    page.get_by_role("button", name="Next").click()
    keyboard = page.locator("[data-keyboard=letters]")
    for letter in "ZEPHYRINA":
        keyboard.locator(f"[data-key='{letter}']").click()
    expect(page.get_by_label("What is your first name?")).to_have_value("Zephyrina")

    # "Are you still there?" -- and "Yes, carry on" keeps what was typed.
    idle = page.get_by_role("dialog", name="Are you still there?")
    expect(idle).to_be_visible(timeout=5_000)
    page.get_by_role("button", name="Yes, carry on").click()
    expect(idle).to_be_hidden()
    expect(page.get_by_label("What is your first name?")).to_have_value("Zephyrina")

    # Then nobody touches it: the warning, then the start screen.
    expect(idle).to_be_visible(timeout=5_000)
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=10_000)
    expect(page.get_by_role("button", name="I have a booking")).to_be_visible()
    assert "Zephyrina" not in page.content()
    storage = page.evaluate("() => [sessionStorage.length, localStorage.length]")
    assert storage == [0, 0]
    page.go_back()
    expect(page.get_by_role("button", name="I have a booking")).to_be_visible()
    assert "Zephyrina" not in page.content()
    assert _visits(app) == []
    assert page.errors == []


def test_when_the_server_cannot_be_reached_the_screen_is_calm_and_recovers(
    app,
    kiosk_page,
    place,  # noqa: F811
):
    page = kiosk_page
    page.goto("/kiosk/")
    page.get_by_role("button", name="I'd like to talk to someone").click()
    expect(page.get_by_role("heading", name="What would you like to talk about?")).to_be_visible()
    page.context.set_offline(True)
    page.get_by_role("button", name="Money and bills").click()
    calm = page.get_by_role("heading", name="Please tell reception you're here")
    expect(calm).to_be_visible()
    page.wait_for_timeout(5_000)  # it keeps trying, and keeps calm
    expect(calm).to_be_visible()
    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=15_000)
    expect(page.get_by_role("button", name="I have a booking")).to_be_visible()
    # The browser and htmx report the failed request itself; nothing else went wrong.
    errors = [
        e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e and not e.startswith("htmx:")
    ]
    assert errors == []


def _axe(page, within: str | None = None) -> list:
    """axe-core's findings on the page, or only inside the element ``within`` selects."""
    page.add_script_tag(path=str(PROJECT_ROOT / "static" / "dist" / "axe" / "axe.min.js"))
    return page.evaluate(
        """async (within) => (await axe.run(within || document, {
            runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"],
        })).violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(", ")}`)""",
        within,
    )


def _words(app, language: str):
    """The kiosk's words in ``language``, as the kiosk shows them."""

    def words(message: str, **values) -> str:
        with app.test_request_context(), force_locale(language):
            return gettext(message, **values)

    return words


@pytest.mark.parametrize("language", ["en", "ar", "ur"])
def test_kiosk_screens_have_no_accessibility_faults_axe_can_find(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    language,
):
    _ = _words(app, language)
    another_drop_in(app, place.hub_id)  # so the list of drop-ins is shown, and walked
    # A booked family's counters start from the two age bands they booked for.
    booking_id, _reference = booked(app, place.massage, children=("0-1", "3-5"))
    token = booking_token(app, CHECK_IN, booking_id)
    # axe is injected as a script, which the page's own policy rightly refuses.
    page = _open_kiosk(app, browser, live_server, place.hub_id, bypass_csp=True)

    def home() -> None:
        page.goto("/kiosk/")
        if page.locator("html").get_attribute("lang") != language:  # a visit keeps its language
            page.get_by_role("button", name=LANGUAGES[language]["name"], exact=True).click()
        direction = LANGUAGES[language]["dir"]
        expect(page.locator(f'html[lang="{language}"][dir="{direction}"]')).to_have_count(1)

    found = {}
    try:
        for contrast in (False, True):
            home()
            if contrast:
                page.get_by_role("button", name=_("High contrast")).click()
                expect(page.locator("html.fd-kiosk--contrast")).to_have_count(1)
            found[f"home {contrast}"] = _axe(page)
            page.get_by_role("button", name=_("I'm here for a drop-in")).click()
            expect(
                page.get_by_role("heading", name=_("Which drop-in are you here for?"))
            ).to_be_visible()
            found[f"drop-ins {contrast}"] = _axe(page)
            page.get_by_role("button", name=re.compile("Stay and Play")).click()
            expect(page.get_by_role("heading", name=_("Who is here today?"))).to_be_visible()
            found[f"who {contrast}"] = _axe(page)
            toddlers = _("One more child: %(ages)s", ages=_("1 to 3 years"))
            page.get_by_role("button", name=toddlers).click()
            expect(page.locator("[id='c_1-3-value']")).to_have_text("1")
            found[f"who, counted {contrast}"] = _axe(page)
            page.get_by_role("button", name=_("Next")).click()
            found[f"name {contrast}"] = _axe(page)
            page.get_by_label(_("What is your first name?")).fill("Kai")
            page.get_by_role("button", name=_("Check in")).click()
            expect(
                page.get_by_role("heading", name=_("Thank you, %(name)s.", name="Kai"))
            ).to_be_visible()
            found[f"thank you {contrast}"] = _axe(page)
            home()
            page.get_by_role("button", name=_("What's on")).click()
            found[f"what's on {contrast}"] = _axe(page)
            home()
            page.get_by_role("button", name=_("I'd like to talk to someone")).click()
            found[f"talk {contrast}"] = _axe(page)
            page.get_by_role("button", name=_("Something else")).click()
            found[f"talk details {contrast}"] = _axe(page)
            home()
            page.keyboard.type(token)  # the scanner
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", name=_("Who is here today?"))).to_be_visible()
            expect(page.locator("[id='c_3-5-value']")).to_have_text("1")
            found[f"booked who {contrast}"] = _axe(page)
    finally:
        page.context.close()
    assert {screen: faults for screen, faults in found.items() if faults} == {}
    # Each drop-in kept its child's age band.
    assert [visit.child_bands for visit in _visits(app)] == [["1-3"], ["1-3"]]


def test_in_arabic_the_kiosk_reads_right_to_left(app, kiosk_page, place):  # noqa: F811
    _ = _words(app, "ar")
    page = kiosk_page
    page.goto("/kiosk/")
    page.get_by_role("button", name="العربية", exact=True).click()
    expect(page.locator('html[lang="ar"][dir="rtl"]')).to_have_count(1)
    choices = page.locator(".fd-choices")
    assert choices.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # The Arabic font swaps in when it arrives: measure the layout after it has.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    first = page.get_by_role("button", name=_("I have a booking")).bounding_box()
    second = page.get_by_role("button", name=_("I'm here for a drop-in")).bounding_box()
    assert abs(first["y"] - second["y"]) < 2, "two columns at 1080x1920"
    assert first["x"] > second["x"] + second["width"] - 1, "the first choice is on the right"
    page.screenshot(path=str(SCREENSHOTS / "kiosk-home-ar.png"))
    assert page.errors == []


_SMALL_TARGETS = """() => [...document.querySelectorAll(
    '#kiosk a, #kiosk button, #kiosk input:not([type=hidden]), #kiosk select, #kiosk label'
  )].filter(el => {
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === 'hidden' || style.opacity === '0') {
      return false;
    }
    if (el.closest('dialog:not([open]), [hidden]')) return false;
    if (el.matches('label') && !el.querySelector('input')) return false;  // a field's name
    const box = el.getBoundingClientRect();
    return box.width < 64 || box.height < 64;
  }).map(el => `${el.tagName} ${el.className} "${el.textContent.trim().slice(0, 20)}"`)"""


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1280, 800)], ids=str)
def test_everything_a_finger_touches_is_at_least_64_pixels(
    app,
    kiosk_page,
    place,  # noqa: F811
    size,
):
    page = kiosk_page
    another_drop_in(app, place.hub_id)  # so the list of drop-ins is shown, and measured
    page.set_viewport_size({"width": size[0], "height": size[1]})
    small = {}
    page.goto("/kiosk/")
    small["home"] = page.evaluate(_SMALL_TARGETS)
    page.get_by_role("button", name="I have a booking").click()
    small["booking"] = page.evaluate(_SMALL_TARGETS)
    page.get_by_role("link", name="Type my booking reference").click()
    small["reference keypad"] = page.evaluate(_SMALL_TARGETS)
    page.goto("/kiosk/")
    page.get_by_role("button", name="I'm here for a drop-in").click()
    expect(page.get_by_role("heading", name="Which drop-in are you here for?")).to_be_visible()
    small["drop-ins"] = page.evaluate(_SMALL_TARGETS)
    page.get_by_role("button", name=re.compile("Stay and Play")).click()
    expect(page.get_by_role("heading", name="Who is here today?")).to_be_visible()
    small["who"] = page.evaluate(_SMALL_TARGETS)
    page.get_by_role("button", name="Next").click()
    small["name"] = page.evaluate(_SMALL_TARGETS)
    page.get_by_role("button", name="Letters with accents").click()
    small["accents"] = page.evaluate(_SMALL_TARGETS)
    page.goto("/kiosk/")
    page.get_by_role("button", name="What's on").click()
    small["what's on"] = page.evaluate(_SMALL_TARGETS)
    page.locator(".fd-session", has_text="Baby Massage").first.click()
    small["session"] = page.evaluate(_SMALL_TARGETS)
    page.goto("/kiosk/")
    page.get_by_role("button", name="I'd like to talk to someone").click()
    small["talk"] = page.evaluate(_SMALL_TARGETS)
    page.get_by_role("button", name="Housing").click()
    small["talk details"] = page.evaluate(_SMALL_TARGETS)
    assert {screen: found for screen, found in small.items() if found} == {}
    assert page.errors == []
