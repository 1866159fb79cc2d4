"""The rows of the reach bench's council (see ``bench.reach_data``), as COPY text.

Families come from a pool per hub: a few hundred regulars who come most weeks and a
large pool of occasional families, most of whom come once or twice in five years.
Each keeps one family key, one party (adults, children by age band) and one made-up
area: district ``ZZ<n>``, a fake LSOA ``E019xxxxx`` with its decile; a quarter gave
no postcode and a few live in Wales (no English decile).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from frontdoor import clock
from frontdoor.models import AGE_BANDS
from frontdoor.topics import TOPICS

BIG_TABLES = ("session", "booking", "visit", "help_request")
CHILD_BANDS = tuple(band for band in AGE_BANDS if band != "parents")
# (title, booked?, weekdays, local start, minutes): four series at every hub.
SERIES = (
    ("Stay and Play", False, (0, 1, 2, 3, 4, 5), clock_time(9, 30), 120),
    ("Baby Massage", True, (0, 1, 2, 3, 4), clock_time(10, 0), 60),
    ("Infant Feeding Café", False, (0, 1, 2, 3, 4), clock_time(13, 0), 90),
    ("Bumps and Babies", True, (0, 1, 2, 3, 4, 5), clock_time(14, 0), 90),
)
LSOAS_PER_HUB = 40
CLOSED_WEEKDAY = 6  # Sundays: no sessions, no visits
RETENTION_DAYS = 396  # 13 months: older rows have had their names erased


@dataclass(frozen=True)
class Scale:
    hubs: int = 50
    days: int = 1826  # five years
    bookings_per_session: int = 42
    drop_ins_per_session: int = 70
    walk_ins_per_day: int = 40
    help_requests_per_day: int = 5
    regulars_per_hub: int = 600
    occasional_per_hub: int = 40_000
    seed: int = 12

    @classmethod
    def from_environment(cls) -> Scale:
        return cls(
            hubs=int(os.environ.get("FRONTDOOR_BENCH_REACH_HUBS", cls.hubs)),
            days=int(os.environ.get("FRONTDOOR_BENCH_REACH_DAYS", cls.days)),
        )


class Families:
    """The families of one hub: a key, a party and an area each, fixed by their number."""

    def __init__(self, scale: Scale, hub_number: int, rng: random.Random) -> None:
        self.hub = hub_number
        self.regulars = scale.regulars_per_hub
        self.occasional = scale.occasional_per_hub
        self.rng = rng
        deciles = [min(10, 1 + int(10 * rng.random() ** 1.6)) for _ in range(LSOAS_PER_HUB)]
        district = f"ZZ{hub_number + 1}"
        self.areas = [
            f"{district}\tE01{900000 + hub_number * LSOAS_PER_HUB + n}\t{decile}"
            for n, decile in enumerate(deciles)
        ]
        self.areas += ["\t\t\\N"] * (LSOAS_PER_HUB // 3)  # gave no postcode
        self.areas.append(f"ZZW{hub_number % 10}\tW01{900000 + hub_number}\t\\N")  # Wales
        parties = []
        for _ in range(64):
            adults = 1 if rng.random() < 0.7 else 2
            bands = sorted(
                rng.choices(CHILD_BANDS, (1, 4, 5, 4, 2, 1))[0]
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))
            )
            parties.append((adults, bands))
        # A visit: adults, children, child_bands; a booking: adults, children, people.
        self.visit_party = [f"{a}\t{len(b)}\t{json.dumps(b)}" for a, b in parties]
        self.booking_party = [f"{a}\t{json.dumps(b)}\t{a + len(b)}" for a, b in parties]

    def pick(self) -> int:
        """Six visits in ten are from regulars; the rest are spread over a pool large
        enough that most occasional families come once or twice in five years."""
        rng = self.rng.random
        if rng() < 0.6:
            return int(self.regulars * rng() ** 1.5)
        return self.regulars + int(self.occasional * rng())

    def key(self, family: int) -> str:
        mixed = ((self.hub << 40 | family) * 0x9E3779B97F4A7C15F39CC0605CEDC835) % (1 << 128)
        return f"{mixed:032x}"

    def tail(self, family: int) -> str:
        return f"{self.key(family)}\t{self.areas[family * 7 % len(self.areas)]}"


class Writer:
    """Rows for one day at a time, buffered as COPY text and flushed in chunks."""

    def __init__(self, scale, hub_ids, series_ids, last_day) -> None:
        self.scale = scale
        self.hub_ids = hub_ids
        self.series_ids = series_ids
        self.rng = random.Random(scale.seed)
        self.families = [Families(scale, n, self.rng) for n in range(len(hub_ids))]
        self.erased_before = last_day - timedelta(days=RETENTION_DAYS)
        self.ids = dict.fromkeys(BIG_TABLES, 0)
        self.rows: dict[str, list[str]] = {table: [] for table in BIG_TABLES}
        self.counts = dict.fromkeys(BIG_TABLES, 0)

    def pending(self) -> int:
        return sum(map(len, self.rows.values()))

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def day(self, day: date) -> None:
        if day.weekday() == CLOSED_WEEKDAY:
            return
        named = day >= self.erased_before
        stamps = Stamps(day)
        for number, hub_id in enumerate(self.hub_ids):
            fams = self.families[number]
            for slot, (_, booked, weekdays, _, _) in enumerate(SERIES):
                if day.weekday() not in weekdays:
                    continue
                session_id = self._session(hub_id, self.series_ids[number][slot], day, stamps, slot)
                if booked:
                    self._bookings(hub_id, session_id, fams, stamps, slot, named)
                else:
                    self._visits(hub_id, session_id, "drop_in", fams, stamps.arrivals[slot], named)
            self._visits(hub_id, "\\N", "walk_in", fams, stamps.day_long, named)
            self._help(hub_id, stamps.day_long)

    def _spread(self, mean: int) -> int:
        return self.rng.randint(mean * 3 // 4, mean * 5 // 4)

    def _session(self, hub_id, series_id, day, stamps, slot) -> int:
        session_id = self._next("session")
        capacity = 60 if SERIES[slot][1] else 120
        self.rows["session"].append(
            f"{session_id}\t{series_id}\t{hub_id}\t{day}\t{stamps.starts[slot]}\t"
            f"{stamps.ends[slot]}\t{capacity}\tscheduled\t\tf\tf\t\t{stamps.created}\n"
        )
        return session_id

    def _bookings(self, hub_id, session_id, fams, stamps, slot, named) -> None:
        rng = self.rng.random
        bookings, visits = self.rows["booking"], self.rows["visit"]
        arrivals = stamps.arrivals[slot]
        for _ in range(self._spread(self.scale.bookings_per_session)):
            family = fams.pick()
            party = family % 64
            tail = fams.tail(family)
            booking_id = self._next("booking")
            name = f"Fam{family}\tB" if named else "\t"
            made = stamps.before[int(rng() * 14)]
            chance = rng()
            if chance < 0.12:
                status, cancelled, came = "cancelled", made, None
            else:
                status, cancelled = "confirmed", "\\N"
                came = arrivals[int(rng() * len(arrivals))] if chance < 0.9 * 0.88 + 0.12 else None
            bookings.append(
                f"{booking_id}\t{session_id}\tR{booking_id:07X}\t{status}\tpublic\t"
                f"{fams.booking_party[party]}\t{name}\t\t\tf\t\ten\t{made}\t{made}\t"
                f"{cancelled}\t\t{came or chr(92) + 'N'}\t{tail}\tbench{booking_id}\n"
            )
            if came:
                visits.append(
                    f"{self._next('visit')}\t{hub_id}\t{session_id}\t{booking_id}\tbooking\t"
                    f"{came}\tleft\t{name}\ten\t{fams.visit_party[party]}\t{tail}\n"
                )

    def _visits(self, hub_id, session_id, kind, fams, arrivals, named) -> None:
        rng = self.rng.random
        visits = self.rows["visit"]
        mean = self.scale.drop_ins_per_session if kind == "drop_in" else self.scale.walk_ins_per_day
        count = len(arrivals)
        for _ in range(self._spread(mean)):
            family = fams.pick()
            name = f"Fam{family}\tV" if named else "\t"
            visits.append(
                f"{self._next('visit')}\t{hub_id}\t{session_id}\t\\N\t{kind}\t"
                f"{arrivals[int(rng() * count)]}\tleft\t{name}\ten\t"
                f"{fams.visit_party[family % 64]}\t{fams.tail(family)}\n"
            )

    def _help(self, hub_id, stamps) -> None:
        rng = self.rng
        for _ in range(self._spread(self.scale.help_requests_per_day)):
            self.rows["help_request"].append(
                f"{self._next('help_request')}\t{hub_id}\t{rng.choice(TOPICS)}\t\ten\t"
                f"{'t' if rng.random() < 0.2 else 'f'}\tf\tleft\t{rng.choice(stamps)}\n"
            )

    def flush(self, connection) -> None:
        with connection.cursor() as cursor:
            for table in BIG_TABLES:
                rows = self.rows[table]
                if not rows:
                    continue
                with cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN (FREEZE)") as copy:
                    copy.write("".join(rows))
                self.counts[table] += len(rows)
                rows.clear()


COLUMNS = {
    "session": "id, series_id, hub_id, occurrence_date, starts_at, ends_at, capacity, status,"
    " cancel_reason, moved, capacity_overridden, needs_attention, created_at",
    "booking": "id, session_id, reference, status, source, adults, children, people,"
    " first_name, last_name, email, mobile, reminders, access_needs, language, created_at,"
    " confirmed_at, cancelled_at, cancel_reason, checked_in_at,"
    " family_key, postcode_district, lsoa, imd_decile, public_id",
    "visit": "id, hub_id, session_id, booking_id, kind, arrived_at, status, first_name,"
    " last_name, language, adults, children, child_bands,"
    " family_key, postcode_district, lsoa, imd_decile",
    "help_request": "id, hub_id, topic, first_name, language, private_room, urgent, status,"
    " created_at",
}


class Stamps:
    """One day's timestamps as COPY text, worked out once for every hub."""

    def __init__(self, day: date) -> None:
        def utc(at: datetime) -> str:
            return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00")

        def local(hour: int, minute: int = 0) -> datetime:
            return datetime.combine(day, clock_time(hour, minute), clock.LONDON)

        self.starts, self.ends, self.arrivals = [], [], []
        for _, _, _, starts, minutes in SERIES:
            begin = datetime.combine(day, starts, clock.LONDON)
            self.starts.append(utc(begin))
            self.ends.append(utc(begin + timedelta(minutes=minutes)))
            self.arrivals.append([utc(begin + timedelta(minutes=m)) for m in range(-10, 50, 3)])
        self.day_long = [utc(local(9) + timedelta(minutes=m)) for m in range(0, 480, 7)]
        self.before = [utc(local(19) - timedelta(days=d)) for d in range(1, 15)]
        self.created = self.before[-1]
