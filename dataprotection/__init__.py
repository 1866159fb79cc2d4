"""Data-protection duties on a family's record: subject access, erasure and correction.

It reads bookings, visits and connections, so it sits above ``booking``,
``arrivals`` and ``connections`` (and below the staff faces that call it). The
retention purge's erasing functions (``frontdoor.retention``) do the erasing.
"""
