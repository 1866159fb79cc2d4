"""What people are told when a rule says no: one catalogue of words per audience.

Services raise ``ServiceError("code", field=..., **details)`` and never word
their refusals; every face turns a code into words here:

- ``frontdoor.words.families``: for families on the booking site and the kiosk,
  translated (``for_family``);
- ``frontdoor.words.staff``: for staff, in English (``for_staff``).

Each catalogue needs only the code and its details (a limit, a day, a
colleague's name), so it imports none of the faces. tests/test_words.py checks
that every code a service raises has words for whoever can meet it.
"""
