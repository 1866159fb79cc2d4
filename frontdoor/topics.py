"""What a family may want to talk about: one list of topic codes for "talk to
someone" on the kiosk, the staff board and the directory of services.

The words live with each face (the kiosk's translated pictures, the board's staff
labels); only the codes are shared, so a help request about money and a money
advice service mean the same thing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# In the order the kiosk shows them.
TOPICS = (
    "feeding",
    "development",
    "money",
    "housing",
    "wellbeing",
    "family",
    "other",
    "in_person",
)

# A service is about something: "I would rather say in person" is a way of
# asking, not a kind of help.
SERVICE_TOPICS = tuple(topic for topic in TOPICS if topic != "in_person")

# Topics in staff words: the board, the directory (the kiosk has its own, for families).
TOPIC_LABELS = {
    "feeding": _l("Feeding"),
    "development": _l("Child development"),
    "money": _l("Money and bills"),
    "housing": _l("Housing"),
    "wellbeing": _l("Wellbeing"),
    "family": _l("Family and relationships"),
    "other": _l("Something else"),
    "in_person": _l("Would rather say in person"),
}
