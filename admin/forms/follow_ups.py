"""Forms of a follow-up booked from a visit or a help request: the register's
"book a family" party and details (``admin.forms.register.book_form_fields``),
with the time or the session chosen. No waiting list: a follow-up is a place."""

from __future__ import annotations

from datetime import datetime

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import StringField, SubmitField

from admin.forms.appointments import read_slot
from admin.forms.register import _BookFormBase, book_form_fields
from connections.follow_ups import Known
from frontdoor.fields import new_nonce, read_nonce, whole_id


def _fields(submit: str) -> dict[str, object]:
    fields = book_form_fields()
    del fields["join_waiting_list"]
    fields["submit"] = SubmitField(submit, widget=GovSubmitInput())
    return fields


class _FollowUpBase(_BookFormBase):
    def fill(self, known: Known) -> None:
        """A new form: what the hub knows about the family, and a fresh nonce."""
        self.first_name.data = known.first_name
        self.last_name.data = known.last_name
        self.email.data = known.email
        self.mobile.data = known.mobile
        self.adults.data = known.adults
        self.nonce.data = new_nonce()

    def idempotency_key(self) -> str | None:
        return read_nonce(self.nonce.data)

    def chosen_slot(self) -> tuple[int, datetime] | None:
        return read_slot(self.slot.data)

    def chosen_session(self) -> int | None:
        return whole_id(self.session.data)


FollowUpAppointmentForm = type(
    "FollowUpAppointmentForm",
    (_FollowUpBase,),
    {"slot": StringField("Time"), **_fields("Book the appointment")},
)
FollowUpPlaceForm = type(
    "FollowUpPlaceForm",
    (_FollowUpBase,),
    {"session": StringField("Session"), **_fields("Book the place")},
)
