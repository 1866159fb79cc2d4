"""The visit a booking stands for when nobody checked the family in at the door:
a booking the nightly job marks "did not come" (``booking.jobs.mark_no_shows``),
or a family staff say joined online (``arrivals.joined_online``).

One builder, so both carry what a check-in at the door would (``arrivals.checkin``):
the names, the party booked, the language, the family's key and the area the family
gave when they booked (never a postcode). A no-show later found to have joined
online is then counted in reach like any arrival, in its area.
"""

from __future__ import annotations

from datetime import datetime

from frontdoor.family import arrival_family_key
from frontdoor.models import Booking, Visit


def visit_for_booking(booking: Booking, *, kind: str, status: str, arrived_at: datetime) -> Visit:
    """A new visit for ``booking`` (a session's or an appointment's), not yet added."""
    happening = booking.occasion
    children = list(booking.children or [])
    return Visit(
        hub_id=happening.hub_id,
        session_id=booking.session_id,
        booking_id=booking.id,
        kind=kind,
        status=status,
        arrived_at=arrived_at,
        first_name=booking.first_name,
        last_name=booking.last_name,
        # A party of no one booked (an old booking) still counts as one grown-up.
        adults=booking.adults if booking.adults + len(children) >= 1 else 1,
        children=len(children),
        child_bands=children,  # as a check-in would keep them
        language=booking.language,
        family_key=arrival_family_key(
            organisation_id=happening.hub.organisation_id, booking_key=booking.family_key
        ),
        postcode_district=booking.postcode_district,
        lsoa=booking.lsoa,
        imd_decile=booking.imd_decile,
    )


def take_area_from(booking: Booking, visit: Visit) -> None:
    """Give a visit made before the area was kept on it (an older no-show) the area
    the family gave when they booked."""
    visit.postcode_district = booking.postcode_district
    visit.lsoa = booking.lsoa
    visit.imd_decile = booking.imd_decile
