"""Calendar files (RFC 5545): one booked session, so families can add it to their
phone's calendar (``calendar_file``), and a hub's timetable, a feed calendar apps
subscribe to (``calendar_feed``). Small on purpose: VEVENTs with times in UTC, so
no VTIMEZONE is needed and 10:00 in London is right on both sides of a clock change
(each session's UTC start was worked out for its own date).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//Front Door//Family hub bookings//EN"
MAX_OCTETS = 75
CRLF = "\r\n"


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def utc_stamp(at: datetime) -> str:
    """DATE-TIME in UTC ("Z") form, e.g. 20261201T133000Z."""
    if at.tzinfo is None:
        raise ValueError("a calendar time must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (RFC 5545 3.1).

    Continuation lines start with one space, which counts towards their 75.
    A UTF-8 character is never split across two lines.
    """
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    stamp: datetime
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    # A cancelled event stays in a feed marked so: a subscribed calendar then drops
    # or strikes it, where one that vanished might be kept.
    cancelled: bool = False


def _event_lines(event: CalendarEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(event.stamp)}",
        f"DTSTART:{utc_stamp(event.starts_at)}",
        f"DTEND:{utc_stamp(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def _calendar(head: list[str], events: Iterable[CalendarEvent]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *head,
    ]
    for event in events:
        lines += _event_lines(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def calendar_file(event: CalendarEvent) -> str:
    """A whole VCALENDAR with the one event, CRLF line endings throughout."""
    return _calendar([], [event])


# How often a subscribed calendar should fetch the feed again (RFC 7986, and the
# older name Outlook and Google read): the timetable changes by the day, not minute.
REFRESH = "PT6H"


def calendar_feed(name: str, events: Iterable[CalendarEvent]) -> str:
    """A VCALENDAR of many events for calendar apps to subscribe to, named ``name``."""
    head = [
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    return _calendar(head, events)
