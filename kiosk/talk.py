""" "I'd like to talk to someone": a topic, then (optionally) a first name, a
language and a private room. The topic is never shown again on the screen."""

from __future__ import annotations

from flask import g, render_template, request

from arrivals.help_requests import request_help
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.templating import LANGUAGES, page_language
from frontdoor.topics import TOPICS
from kiosk import bp, flow
from kiosk.access import kiosk_required

OTHER_LANGUAGE = "other"  # a language the screen does not speak: said in person


def _help(
    topic: str,
    *,
    first_name: str = "",
    language: str = "",
    private: bool = False,
    urgent: bool = False,
):
    nonce = flow.posted_nonce()
    try:
        made = flow.once(
            lambda: request_help(
                g.hub.id,
                topic=topic,
                now=clock.now(),
                first_name=first_name,
                language=language or page_language(),
                private_room=private,
                urgent=urgent,
                nonce=nonce,
                kiosk_id=g.kiosk.id,
            ),
            nonce,
        )
    except ServiceError as error:
        return flow.sorry(error.code)
    flow.start("done", done={"kind": "help", "id": made.id})
    return flow.go("kiosk.done")


@bp.route("/talk")
@kiosk_required
@flow.in_visit
def talk():
    return render_template("kiosk/talk.html", topics=TOPICS, message=flow.take_note())


@bp.post("/talk")
@kiosk_required
@flow.in_visit
def talk_post():
    if request.form.get("urgent") == "yes":
        # "I need help now": no questions; the screen afterwards says what it
        # always says, and the staff side sees it is urgent.
        return _help("in_person", urgent=True)
    topic = request.form.get("topic", "")
    if topic not in TOPICS:
        flow.save(note="topic_required")
        return flow.go("kiosk.talk")
    flow.start("talk", topic=topic)
    return flow.go("kiosk.talk_details")


@bp.route("/talk/details")
@kiosk_required
@flow.in_visit
def talk_details():
    if flow.state().get("topic") not in TOPICS:
        return flow.go("kiosk.talk")
    return render_template(
        "kiosk/talk_details.html",
        languages=LANGUAGES,
        other_language=OTHER_LANGUAGE,
        message=flow.take_note(),
    )


@bp.post("/talk/details")
@kiosk_required
@flow.in_visit
def talk_details_post():
    topic = flow.state().get("topic")
    if topic not in TOPICS:
        return flow.lost()
    name = ""
    if (request.form.get("first_name") or "").strip():
        name, note = flow.read_name(request.form.get("first_name"))
        if note:
            flow.save(note=note)
            return flow.go("kiosk.talk_details")
    language = request.form.get("language", "")
    if language not in LANGUAGES and language != OTHER_LANGUAGE:
        language = page_language()
    return _help(
        topic,
        first_name=name,
        language=language,
        private=request.form.get("private") == "yes",
    )
