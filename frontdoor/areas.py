"""Where a family comes from, as an area: one function turns a typed postcode into
its postcode district, its 2021 census area (LSOA) and that area's deprivation
decile, from the tables ``frontdoor areas import`` fills. Only those three are kept on
a visit or a booking: the postcode itself is never stored, logged or sent anywhere.

The postcode is checked with ``uk-postcodes-parsing`` (its shape, and that its
district is one the ONS Postcode Directory knows), never with a regex of our own:

- An English postcode in the imported lookup: district, LSOA and decile.
- An English postcode the lookup does not have (new, or the lookup is partial):
  the district only. The decile is unknown, not guessed.
- Scottish, Welsh and Northern Irish postcodes are real postcodes outside England:
  the English Indices of Deprivation do not cover them, so there is no decile, and
  only the district is kept.
- A British Forces (BFPO) address is accepted and says nothing about an area.
- Anything else is refused with ``postcode_unknown``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from sqlalchemy import select
from uk_postcodes_parsing import postcode_utils

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models.areas import AreaDeprivation, AreaPostcode

# The longest postcode, without its space ("SW1A1AA"), and a forces address ("BFPO1234").
LONGEST = 8
# Postcode areas wholly outside England, for a postcode the imported lookup lacks.
# Areas that cross a border (CH, LD, NP, SY, TD, ...) are left out: for them only the
# lookup can say, and without it the decile is simply unknown.
OUTSIDE_ENGLAND = frozenset(
    {
        "BT",  # Northern Ireland
        *("AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML"),
        *("PA", "PH", "ZE"),  # Scotland
        *("CF", "LL", "SA"),  # Wales
    }
)

# Why an area has no decile, for the words families and staff are shown.
NO_POSTCODE = "no_postcode"
OUTSIDE = "outside_england"
NOT_IN_LOOKUP = "not_in_lookup"


@dataclass(frozen=True)
class Area:
    """What is kept about where a family lives. ``district`` is "" when no postcode
    (or a forces address) was given; ``imd_decile`` is None when it is not known."""

    district: str = ""
    lsoa: str = ""
    imd_decile: int | None = None
    in_england: bool = False

    @property
    def no_decile_because(self) -> str:
        """ "" when the decile is known, else why not (``NO_POSTCODE``, ``OUTSIDE``,
        ``NOT_IN_LOOKUP``)."""
        if self.imd_decile is not None:
            return ""
        if not self.district:
            return NO_POSTCODE
        return NOT_IN_LOOKUP if self.in_england else OUTSIDE

    def kept(self) -> dict[str, object]:
        """The columns a visit or a booking keeps: all that is stored of a postcode."""
        return {
            "postcode_district": self.district,
            "lsoa": self.lsoa,
            "imd_decile": self.imd_decile,
        }


NO_AREA = Area()


def _postcode_area(outcode: str) -> str:
    return outcode[:2] if outcode[1:2].isalpha() else outcode[:1]


def area_for_postcode(typed: str) -> Area:
    """The area of the postcode a family typed, in any case, with or without spaces.
    An empty box is no area. Raises ``postcode_unknown`` for a made-up postcode."""
    compact = "".join(typed.split()).upper()
    if not compact:
        return NO_AREA
    # Postcodes are ASCII: a look-alike letter (the Kelvin sign for K) is not one.
    if len(compact) > LONGEST or not compact.isascii():
        raise ServiceError("postcode_unknown", field="postcode")
    if compact.startswith("BFPO") and compact[4:].isdigit():
        return NO_AREA
    outcode = postcode_utils.to_outcode(compact)
    if outcode is None or not _district_exists(outcode):
        raise ServiceError("postcode_unknown", field="postcode")
    lsoa = db.session.scalar(select(AreaPostcode.lsoa).where(AreaPostcode.postcode == compact))
    if lsoa is None:
        return Area(district=outcode, in_england=_postcode_area(outcode) not in OUTSIDE_ENGLAND)
    # English LSOA codes begin E01; Welsh W01, Scottish data zones S01, NI N20/95.
    # Outside England only the district is kept, as the privacy notice says.
    if not lsoa.startswith("E"):
        return Area(district=outcode, in_england=False)
    decile = db.session.scalar(
        select(AreaDeprivation.imd_decile).where(AreaDeprivation.lsoa == lsoa)
    )
    return Area(district=outcode, lsoa=lsoa, imd_decile=decile, in_england=True)


def _district_exists(outcode: str) -> bool:
    # The library ships one module per district in the ONS Postcode Directory
    # (``is_in_ons_postcode_directory`` reads the same ones). A new postcode in a known
    # district is accepted: only a district that does not exist marks it made up.
    if not outcode.isalnum():
        return False
    name = f"uk_postcodes_parsing.outcodes.{outcode.lower()}"
    return importlib.util.find_spec(name) is not None
