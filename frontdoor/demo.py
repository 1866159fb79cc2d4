"""The demo council: two hubs, rooms, staff in every role, a weekly timetable and
the directory of partner services (``frontdoor.demo_directory``), and a made-up
extract of the area lookups (demo/areas: see its README).

``load_demo`` is idempotent: when the demo council exists it changes nothing.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import select

from frontdoor.area_import import import_deprivation, import_postcodes
from frontdoor.clock import LONDON
from frontdoor.closures import add_bank_holidays
from frontdoor.demo_directory import load_directory
from frontdoor.extensions import db
from frontdoor.models import (
    AppointmentType,
    Availability,
    AvailabilityException,
    DutyAssignment,
    Hub,
    Organisation,
    Role,
    Room,
    ServiceCategory,
    SessionSeries,
)
from frontdoor.staff import create_staff
from frontdoor.timetable import SeriesInput, local_datetime, save_series, week_start

DEMO_SLUG = "demo-council"

CATEGORIES = [
    ("Stay and play", "play"),
    ("Infant feeding", "feeding"),
    ("Health visiting", "health"),
    ("Midwifery", "pregnancy"),
    ("Parenting support", "parenting"),
    ("SEND", "send"),
    ("Youth", "youth"),
    ("Money and housing", "money"),
    ("Wellbeing", "wellbeing"),
]

HUBS = {
    "riverside": {
        "name": "Riverside Family Hub",
        "address": "12 Mill Lane, Riverside, RV1 2AB",
        "access": "Step-free entrance from the car park. Buggy park by reception. "
        "Accessible toilet and baby change on the ground floor.",
        "rooms": ["Main hall", "Sensory room", "Meeting room 1", "Quiet room", "Kitchen"],
    },
    "northgate": {
        "name": "Northgate Family Hub",
        "address": "Northgate Community Centre, 4 Station Road, NG3 9CD",
        "access": "Level access through the main doors. Lift to the first floor.",
        "rooms": ["Community room", "Baby room", "Interview room"],
    },
}

# email, name, [(role, hub slug or None)]
STAFF: list[tuple[str, str, list[tuple[Role, str | None]]]] = [
    ("admin@council.example", "Alex Morgan", [(Role.ADMIN, None)]),
    ("manager@riverside.example", "Priya Shah", [(Role.MANAGER, "riverside")]),
    ("reception@riverside.example", "Tom Reid", [(Role.RECEPTION, "riverside")]),
    (
        "lead@riverside.example",
        "Grace Okafor",
        [(Role.SESSION_LEAD, "riverside"), (Role.PRACTITIONER, "riverside")],
    ),
    ("practitioner@riverside.example", "Sam Kowalski", [(Role.PRACTITIONER, "riverside")]),
    ("manager@northgate.example", "Jordan Ellis", [(Role.MANAGER, "northgate")]),
    ("reception@northgate.example", "Aisha Rahman", [(Role.RECEPTION, "northgate")]),
    (
        "lead@northgate.example",
        "Megan Price",
        [(Role.SESSION_LEAD, "northgate"), (Role.PRACTITIONER, "northgate")],
    ),
]

MON, TUE, WED, THU, FRI, SAT = range(6)

# hub, title, category, room, weekdays, every N weeks, start, end, capacity, mode,
# age bands, lead email, description
TIMETABLE = [
    (
        "riverside",
        "Stay and Play",
        "Stay and play",
        "Main hall",
        [MON, WED, FRI],
        1,
        time(10),
        time(11, 30),
        20,
        "drop_in",
        ["0-1", "1-3", "3-5"],
        "lead@riverside.example",
        "Messy play, music and a cuppa for grown-ups. Just come along.",
    ),
    (
        "riverside",
        "Baby Massage",
        "Infant feeding",
        "Sensory room",
        [TUE],
        1,
        time(13, 30),
        time(14, 30),
        8,
        "booking",
        ["0-1"],
        "practitioner@riverside.example",
        "Five gentle weeks of baby massage for babies from 6 weeks to crawling.",
    ),
    (
        "riverside",
        "Breastfeeding Café",
        "Infant feeding",
        "Quiet room",
        [THU],
        1,
        time(10),
        time(12),
        12,
        "drop_in",
        ["pregnancy", "0-1"],
        "practitioner@riverside.example",
        "Peer supporters and an infant feeding worker. Bottle feeders welcome too.",
    ),
    (
        "riverside",
        "Health Visitor drop-in",
        "Health visiting",
        "Meeting room 1",
        [WED],
        1,
        time(13),
        time(15),
        15,
        "drop_in",
        ["0-1", "1-3", "3-5"],
        "lead@riverside.example",
        "Weigh your baby and ask a health visitor anything.",
    ),
    (
        "riverside",
        "Antenatal group",
        "Midwifery",
        "Meeting room 1",
        [TUE],
        2,
        time(18),
        time(20),
        10,
        "booking",
        ["pregnancy"],
        "lead@riverside.example",
        "Meet other parents-to-be and the community midwives. Partners welcome.",
    ),
    (
        "riverside",
        "Parenting course",
        "Parenting support",
        "Meeting room 1",
        [THU],
        1,
        time(18),
        time(20),
        12,
        "booking",
        ["parents"],
        "lead@riverside.example",
        "A ten-week course on everyday parenting, with a crèche.",
    ),
    (
        "riverside",
        "Dads' group",
        "Parenting support",
        "Main hall",
        [SAT],
        2,
        time(10),
        time(12),
        15,
        "both",
        ["0-1", "1-3", "3-5", "5-11"],
        "lead@riverside.example",
        "Dads, grandads and male carers with their children: play, football and bacon rolls.",
    ),
    (
        "riverside",
        "SEND support group",
        "SEND",
        "Quiet room",
        [MON],
        2,
        time(13),
        time(14, 30),
        10,
        "booking",
        ["parents"],
        "lead@riverside.example",
        "Parents of children with special educational needs, with a SENDIASS adviser.",
    ),
    (
        "riverside",
        "Youth club",
        "Youth",
        "Main hall",
        [FRI],
        1,
        time(16),
        time(18),
        30,
        "drop_in",
        ["11-19"],
        "lead@riverside.example",
        "Games, food, music and youth workers to talk to.",
    ),
    (
        "riverside",
        "Money advice",
        "Money and housing",
        "Meeting room 1",
        [TUE],
        1,
        time(10),
        time(12),
        6,
        "drop_in",
        ["parents"],
        "practitioner@riverside.example",
        "Benefits checks, debts and energy bills with a financial inclusion worker.",
    ),
    (
        "northgate",
        "Stay and Play",
        "Stay and play",
        "Community room",
        [TUE, THU],
        1,
        time(9, 30),
        time(11),
        18,
        "drop_in",
        ["0-1", "1-3", "3-5"],
        "lead@northgate.example",
        "Play, songs and stories for under fives and their grown-ups.",
    ),
    (
        "northgate",
        "Baby Massage",
        "Infant feeding",
        "Baby room",
        [WED],
        1,
        time(10),
        time(11),
        8,
        "booking",
        ["0-1"],
        "lead@northgate.example",
        "A five-week baby massage course.",
    ),
    (
        "northgate",
        "Money advice",
        "Money and housing",
        "Interview room",
        [MON],
        2,
        time(13),
        time(15),
        4,
        "drop_in",
        ["parents"],
        "lead@northgate.example",
        "Benefits, debts and bills.",
    ),
]


# Appointments at Riverside: name, minutes, minutes kept free after, description.
APPOINTMENT_TYPES = [
    ("Money advice", 45, 15, "One to one help with benefits, debts and energy bills."),
    (
        "Infant feeding support",
        30,
        10,
        "Help with breastfeeding, bottle feeding or starting solids.",
    ),
    ("Health visitor review", 20, 10, "A check of your child's health and development."),
]
APPOINTMENT_STAFF = ["practitioner@riverside.example", "lead@riverside.example"]
# email, weekdays, from, until, room (None for any)
AVAILABILITY = [
    (
        "practitioner@riverside.example",
        [MON, WED, THU, FRI],
        time(9, 30),
        time(12, 30),
        "Meeting room 1",
    ),
    ("lead@riverside.example", [TUE, THU], time(13), time(16), None),
]


def _load_appointments(hub: Hub, rooms: dict, staff: dict, today: date) -> None:
    people = [staff[email] for email in APPOINTMENT_STAFF]
    for name, minutes, buffer, description in APPOINTMENT_TYPES:
        kind = AppointmentType(
            hub_id=hub.id,
            name=name,
            description=description,
            duration_minutes=minutes,
            buffer_minutes=buffer,
            min_notice_minutes=120,
            max_days_ahead=28,
        )
        kind.practitioners = list(people)
        db.session.add(kind)
    for email, days, begins, ends, room in AVAILABILITY:
        for weekday in days:
            db.session.add(
                Availability(
                    staff_id=staff[email].id,
                    hub_id=hub.id,
                    weekday=weekday,
                    start_time=begins,
                    end_time=ends,
                    room_id=rooms[hub.slug, room].id if room else None,
                )
            )
    # A training day a fortnight on Friday.
    training = week_start(today) + timedelta(weeks=2, days=FRI)
    db.session.add(
        AvailabilityException(
            staff_id=staff["practitioner@riverside.example"].id,
            starts_at=local_datetime(training, time(9), LONDON),
            ends_at=local_datetime(training, time(17), LONDON),
            reason="Training",
        )
    )


def load_demo(*, password: str, today: date) -> bool:
    """Create the demo council; returns False (changing nothing) if it exists."""
    if db.session.scalar(select(Organisation).where(Organisation.slug == DEMO_SLUG)):
        return False
    council = Organisation(name="Demo Council", slug=DEMO_SLUG)
    db.session.add(council)
    db.session.flush()
    categories = {}
    for name, icon in CATEGORIES:
        categories[name] = ServiceCategory(organisation_id=council.id, name=name, icon=icon)
        db.session.add(categories[name])
    hubs, rooms = {}, {}
    for slug, spec in HUBS.items():
        hub = Hub(
            organisation_id=council.id,
            slug=slug,
            name=spec["name"],
            address=spec["address"],
            access_information=spec["access"],
            settings_json={},
        )
        db.session.add(hub)
        hubs[slug] = hub
        for room_name in spec["rooms"]:
            rooms[slug, room_name] = Room(hub=hub, name=room_name)
            db.session.add(rooms[slug, room_name])
    db.session.flush()
    for hub in hubs.values():  # closed on the bank holidays still to come
        for year in (today.year, today.year + 1):
            add_bank_holidays(hub.id, year, today=today)
    staff = {}
    for email, name, roles in STAFF:
        staff[email] = create_staff(
            organisation_id=council.id,
            email=email,
            name=name,
            password=password,
            roles=[(hubs[slug].id if slug else None, role) for role, slug in roles],
        )
    start = week_start(today) - timedelta(weeks=2)
    for (
        slug,
        title,
        category,
        room,
        days,
        every,
        begins,
        ends,
        capacity,
        mode,
        bands,
        lead,
        description,
    ) in TIMETABLE:
        save_series(
            SessionSeries(),
            SeriesInput(
                hub_id=hubs[slug].id,
                title=title,
                description=description,
                category_id=categories[category].id,
                room_id=rooms[slug, room].id,
                age_bands=bands,
                weekdays=days,
                interval_weeks=every,
                start_date=start,
                start_time=begins,
                end_time=ends,
                capacity=capacity,
                booking_mode=mode,
                drop_in_places=capacity // 3 if mode == "both" else 0,
                lead_ids=[staff[lead].id],
            ),
            today=today,
        )
    _load_appointments(hubs["riverside"], rooms, staff, today)
    _load_arrivals(hubs, staff, today)
    load_directory(council.id, hubs, today)
    load_demo_areas()
    db.session.flush()
    return True


DEMO_AREAS = Path(__file__).resolve().parent.parent / "demo" / "areas"


def load_demo_areas() -> None:
    """The made-up postcode and deprivation extract, read as the real files are."""
    with (DEMO_AREAS / "PCD_OA21_LSOA21_MSOA21_LAD_DEMO_UK_LU.csv").open("rb") as stream:
        import_postcodes(stream)
    with (DEMO_AREAS / "File_7_IoD2025_DEMO_All_Ranks_Scores_Deciles.csv").open("rb") as stream:
        import_deprivation(stream)


# email, languages spoken, help-request topics they can talk about
SKILLS = [
    ("practitioner@riverside.example", ["en", "pl"], ["feeding", "development", "family"]),
    ("lead@riverside.example", ["en"], ["wellbeing", "family", "money", "housing"]),
    ("lead@northgate.example", ["en", "ur"], ["feeding", "wellbeing"]),
]
# hub, duty, email: the day the demo is loaded (`frontdoor arrivals duty` for later days)
DUTY = [
    ("riverside", "practitioner", "practitioner@riverside.example"),
    ("riverside", "practitioner", "lead@riverside.example"),
    ("riverside", "manager", "manager@riverside.example"),
    ("northgate", "practitioner", "lead@northgate.example"),
    ("northgate", "manager", "manager@northgate.example"),
]


def _load_arrivals(hubs: dict, staff: dict, today: date) -> None:
    for email, languages, topics in SKILLS:
        staff[email].languages, staff[email].skills = languages, topics
    for slug, duty, email in DUTY:
        db.session.add(
            DutyAssignment(hub_id=hubs[slug].id, day=today, staff_id=staff[email].id, duty=duty)
        )
