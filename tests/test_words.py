"""Every refusal a service can raise has words for whoever can meet it.

The codes are read from the source with ``ast``, not found by running it: every
``ServiceError(...)`` in frontdoor/, booking/, arrivals/, kiosk/, admin/ and directory/, whether
its code is written there (``ServiceError("full")``), passed in by the caller
(``_flush_unique("duplicate_name", "name")``) or made in a loop over written names
(``f"{field}_range"``). A code written any other way fails here until this file
learns to read it, so no code slips past unseen.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from frontdoor.errors import ServiceError
from frontdoor.words import families, staff
from frontdoor.words.families import family_words, for_family
from frontdoor.words.staff import for_staff
from kiosk import flow
from kiosk.views import SORRY_CODES

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("frontdoor", "booking", "arrivals", "kiosk", "admin", "directory", "connections")

# Where families meet refusals. The booking site's pages word them with the
# families' catalogue; the kiosk also has whole "sorry" screens of its own
# (templates/kiosk/sorry.html, listed in kiosk.views.SORRY_CODES).
BOOKING_SITE = (
    "booking/services.py",
    "booking/contact.py",
    "booking/slots.py",
    "booking/appointments.py",
    "directory/texts.py",
    "frontdoor/areas.py",
)
KIOSK = (
    "arrivals/checkin.py",
    "arrivals/help_requests.py",
    "kiosk/pairing.py",
    "frontdoor/family.py",
)
# Families' refusals that are a whole page rather than a sentence.
WHOLE_PAGES = {
    "too_many_attempts": "templates/booking/too_many.html",
    "too_many_bookings": "templates/booking/too_many_bookings.html",
    # And on the kiosk, its "sorry" screen (kiosk.views.SORRY_CODES).
    "too_many_texts": "templates/booking/support_text_limit.html",
}

# Raised by the services families use, but only ever on the staff side.
STAFF_ONLY = {
    "reason_required": "only staff give a reason when they cancel",
    "capacity_range": "only staff change a session's capacity",
    "capacity_below_bookings": "only staff change a session's capacity",
    "same_session": "only staff move a booking",
    "same_slot": "only staff move an appointment",
    "not_confirmed": "only staff move a booking or an appointment",
    "not_appointment": "the site cancels an appointment only from an appointment's booking",
    "name_required": "managers name a kiosk on the staff side (kiosk.pairing.add_kiosk)",
    "revoked": "managers make pairing codes on the staff side",
}
# Met only by families: no staff page calls what raises them.
FAMILY_ONLY = {
    "not_open": "staff book before online booking opens",
    "checked_in": "staff may cancel a booking after check-in",
    "too_far": "staff may book an appointment any day ahead",
    "too_many_attempts": "only the public site finds a booking by reference",
    "too_many_bookings": "only the public site limits bookings per address",
    "too_many_texts": "only families ask for a service's details by text",
    "unknown_topic": "only the kiosk asks for help",
    "invalid_code": "shown on the kiosk being paired, in the kiosk's languages",
    "expired_code": "shown on the kiosk being paired, in the kiosk's languages",
    "card_other_council": "only the kiosk reads hub cards",
    "card_unreadable": "only the kiosk reads hub cards",
}


# --- reading the codes from the source ---------------------------------------------------


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing(node: ast.AST, parents: dict[ast.AST, ast.AST], kind: type) -> Iterator:
    while node in parents:
        node = parents[node]
        if isinstance(node, kind):
            yield node


def _passed_in(name: str, function: ast.FunctionDef, tree: ast.AST) -> list[str]:
    """The written values of ``function``'s parameter ``name``: its default and
    what every call in the same module passes."""
    params = [a.arg for a in function.args.args]
    if name not in params:
        return []
    index = params.index(name)
    with_defaults = params[len(params) - len(function.args.defaults) :]
    defaults = dict(zip(with_defaults, function.args.defaults, strict=True))
    written = [defaults[name]] if name in defaults else []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == function.name:
            written += [k.value for k in call.keywords if k.arg == name]
            written += call.args[index : index + 1]
    return [w.value for w in written if isinstance(w, ast.Constant) and isinstance(w.value, str)]


def _from_table(name: str, function: ast.FunctionDef, tree: ast.Module) -> list[str]:
    """``code = REFUSALS.get(state)`` (or ``REFUSALS[state]``) inside ``function``,
    where ``REFUSALS`` is a module-level dict: the codes are its values."""
    tables = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ):
            continue
        looked_up = node.value
        if isinstance(looked_up, ast.Call) and isinstance(looked_up.func, ast.Attribute):
            looked_up = looked_up.func.value  # REFUSALS.get(...)
        elif isinstance(looked_up, ast.Subscript):
            looked_up = looked_up.value  # REFUSALS[...]
        if isinstance(looked_up, ast.Name) and looked_up.id in tables:
            values = tables[looked_up.id].values
            return [v.value for v in values if isinstance(v, ast.Constant)]
    return []


def _from_loop(text: ast.JoinedStr, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """``f"{field}_range"`` inside ``for field, ... in (("duration_minutes", ...), ...)``."""
    for loop in _enclosing(text, parents, ast.For):
        targets = loop.target.elts if isinstance(loop.target, ast.Tuple) else [loop.target]
        if not isinstance(loop.iter, ast.Tuple | ast.List):
            continue
        codes = []
        for row in loop.iter.elts:
            cells = row.elts if isinstance(row, ast.Tuple) else [row]
            values = {
                t.id: c for t, c in zip(targets, cells, strict=True) if isinstance(t, ast.Name)
            }
            parts = []
            for part in text.values:
                if isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
                    part = values.get(part.value.id, part)
                if not isinstance(part, ast.Constant):
                    return []
                parts.append(str(part.value))
            codes.append("".join(parts))
        return codes
    return []


def raised_codes() -> dict[str, set[str]]:
    """Every code a service raises, and the modules that raise it."""
    codes: dict[str, set[str]] = defaultdict(set)
    unread = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text(), filename=module)
            parents = _parents(tree)
            for call in ast.walk(tree):
                if (
                    not isinstance(call, ast.Call)
                    or getattr(call.func, "id", None) != "ServiceError"
                ):
                    continue
                code = call.args[0] if call.args else None
                found: list[str] = []
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    found = [code.value]
                elif isinstance(code, ast.Name):
                    function = next(_enclosing(call, parents, ast.FunctionDef), None)
                    if function:
                        found = _passed_in(code.id, function, tree) or _from_table(
                            code.id, function, tree
                        )
                elif isinstance(code, ast.JoinedStr):
                    found = _from_loop(code, parents)
                if not found:
                    unread.append(f"{module}:{call.lineno}")
                for each in found:
                    codes[each].add(module)
    assert not unread, f"codes this test cannot read (write them as strings): {unread}"
    return dict(codes)


# --- the catalogues cover them ---------------------------------------------------------------


def test_the_source_is_read_whole():
    codes = raised_codes()
    # Written, passed in (frontdoor.hubs._flush_unique) and made in a loop (appointment_setup).
    assert {"full", "duplicate_name", "duplicate_slug", "duration_minutes_range"} <= set(codes)
    assert len(codes) > 80


def test_every_refusal_a_family_can_meet_has_words_for_families():
    missing = []
    for code, modules in sorted(raised_codes().items()):
        if code in STAFF_ONLY or code in families.CODES or code in WHOLE_PAGES:
            continue
        if any(m in BOOKING_SITE for m in modules):
            missing.append(f"{code} (the booking site: {sorted(modules)})")
        elif any(m in KIOSK for m in modules) and code not in SORRY_CODES:
            missing.append(f"{code} (the kiosk: {sorted(modules)})")
    assert not missing, "no words in frontdoor/words/families.py for:\n" + "\n".join(missing)


def test_every_refusal_staff_can_meet_has_words_for_staff():
    missing = sorted(set(raised_codes()) - staff.CODES - set(FAMILY_ONLY))
    assert not missing, f"no words in frontdoor/words/staff.py for: {missing}"


def test_the_one_audience_lists_name_only_codes_that_are_raised():
    raised = set(raised_codes())
    assert set(STAFF_ONLY) <= raised and set(FAMILY_ONLY) <= raised


def test_every_note_the_kiosk_shows_has_words_for_families():
    notes = set()
    for path in (ROOT / "kiosk").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "note":
                notes.add(node.value.value if isinstance(node.value, ast.Constant) else None)
    # What flow.read_name says about an empty, a long and an odd name.
    notes |= {flow.read_name(typed)[1] for typed in ("", "x" * 500, "R2-D2")}
    notes.discard(None)  # note=note, from read_name, or note=error.code, a service's code
    assert len(notes) > 5
    assert not notes - families.CODES, notes - families.CODES


# --- words that depend on the error's details -----------------------------------------------


def test_a_family_is_told_the_day_booking_opens_and_how_many_can_come(app):
    opens = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with app.test_request_context():
        assert for_family(ServiceError("not_open", opens=opens)) == (
            "Booking for this session opens on Monday 7 December."
        )
        assert for_family(ServiceError("party_too_large", limit=6)) == (
            "You can book for up to 6 people in total."
        )
        assert family_words("name_too_long", max=50) == "Names must be 50 characters or fewer."


def test_a_family_is_told_in_their_language(app):
    with app.test_request_context(headers={"Accept-Language": "pl"}):
        assert for_family(ServiceError("first_name_required")) == "Wpisz swoje imię."


def test_staff_are_told_who_is_greeting_and_the_limits():
    claimed = ServiceError("already_claimed", by="Sam K.")
    assert for_staff(claimed) == "Sam K. is already greeting them"
    assert for_staff(ServiceError("capacity_range", low=1, high=500)) == (
        "Capacity must be between 1 and 500"
    )
    assert for_staff(ServiceError("reason_too_long", max=100)) == (
        "Reason must be 100 characters or fewer"
    )


def test_a_code_without_words_is_never_shown_as_a_code(app):
    with app.test_request_context():
        assert for_family(ServiceError("no_such_code")) == (
            "Sorry, something went wrong. Please try again."
        )
    assert for_staff(ServiceError("no_such_code")) == "Sorry, that could not be done. Try again"


def test_every_sentence_reads_with_its_details_filled_in(app):
    with app.test_request_context():
        for_families = {code: family_words(code) for code in families.CODES}
    details = {"low": 1, "high": 9, "booked": 3, "limit": 6, "max": 100, "by": "Sam K."}
    for_staff_ = {code: staff.staff_words(code, **details) for code in staff.CODES}
    unread = [
        f"{code}: {text!r}"
        for code, text in [*for_families.items(), *for_staff_.items()]
        if not text or text == code or "%(" in text or "{" in text
    ]
    assert not unread, unread


def test_a_partners_link_that_will_not_open_has_a_heading_and_a_next_step():
    for code in staff.LINK_CODES:
        heading, next_step = staff.link_problem(code, days=30)
        assert heading != staff.staff_words("no_such_code"), code
        assert next_step and "{" not in next_step, code
    assert "work for 30 days" in staff.link_problem("check_link_expired", days=30)[1]
