"""Where families come from, as areas (issue 12): the lookups a council imports
(``frontdoor areas import``) to turn a postcode, at once, into its 2021 census area
(LSOA) and that area's deprivation decile. Only the district, the area and the
decile are kept on a visit or a booking, never the postcode.

- ``AreaPostcode``: a postcode (upper case, no space) and its LSOA 2021 code, from
  the ONS's postcode lookup.
- ``AreaDeprivation``: an English LSOA and its Index of Multiple Deprivation decile
  (1 most deprived, 10 least), from the English Indices of Deprivation on GOV.UK.
  An area outside England has no row: it has no English decile.
"""

from __future__ import annotations

from sqlalchemy import SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdoor.models.base import Base


class AreaPostcode(Base):
    __tablename__ = "area_postcode"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    lsoa: Mapped[str] = mapped_column(String(9))


class AreaDeprivation(Base):
    __tablename__ = "area_deprivation"

    lsoa: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    imd_decile: Mapped[int] = mapped_column(SmallInteger)
