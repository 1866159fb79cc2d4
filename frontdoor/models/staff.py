"""Staff accounts, their roles per hub, and their server-side sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow

if TYPE_CHECKING:
    from frontdoor.models.second_factor import BoardDisplay


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    SESSION_LEAD = "session_lead"
    PRACTITIONER = "practitioner"
    RECEPTION = "reception"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class StaffUser(Base):
    __tablename__ = "staff_user"
    # Single sign-on: once linked, a person is their provider's (issuer, subject),
    # whatever email the provider later gives them (frontdoor/oidc_staff.py).
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # Stored lower-cased, so "Sam@Hub" and "sam@hub" are one account.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # A password a manager or admin generated (a new account, a reset) is known to
    # someone else: its holder changes it before any other staff page opens.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Languages spoken (codes) and help-request topics this person can talk
    # about, so the board suggests the best greeter; empty means "not said".
    # Kept as comma-separated text: staff rows are compared (DISTINCT) in queries.
    languages_text: Mapped[str] = mapped_column("languages", String(200), default="")
    skills_text: Mapped[str] = mapped_column("skills", String(200), default="")

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def languages(self) -> list[str]:
        return [c for c in (self.languages_text or "").split(",") if c]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.languages_text = ",".join(codes)

    @property
    def skills(self) -> list[str]:
        return [c for c in (self.skills_text or "").split(",") if c]

    @skills.setter
    def skills(self, codes: list[str]) -> None:
        self.skills_text = ",".join(codes)

    @property
    def short_name(self) -> str:
        """First name and last initial, as the board shows colleagues."""
        parts = self.name.split()
        if len(parts) < 2:
            return self.name
        return f"{parts[0]} {parts[-1][:1]}."

    def is_admin(self) -> bool:
        return any(r.role == Role.ADMIN for r in self.roles)

    def roles_at(self, hub_id: int) -> set[Role]:
        """Roles at one hub; council admins hold every role everywhere."""
        if self.is_admin():
            return set(Role)
        return {Role(r.role) for r in self.roles if r.hub_id == hub_id}

    def hub_ids(self) -> set[int] | None:
        """Hubs this person works at, or None for council admins (all hubs)."""
        if self.is_admin():
            return None
        return {r.hub_id for r in self.roles if r.hub_id is not None}


class StaffRole(Base):
    """One role at one hub. Council admins have a single row with no hub."""

    __tablename__ = "staff_role"
    __table_args__ = (UniqueConstraint("user_id", "hub_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[StaffUser] = relationship(back_populates="roles")


class StaffLogin(Base):
    """A signed-in browser. The cookie holds only ``token_hash``'s preimage.

    Ending the row ends the session on the server: a copied cookie stops working
    at sign-out, at deactivation and at a password reset.
    """

    __tablename__ = "staff_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # When it ends whatever happens (12 hours, or a board display's working day);
    # rows from before this column end ``FRONTDOOR_STAFF_SESSION_HOURS`` after creation.
    expires_at: Mapped[datetime | None]
    # Opened by the council's single sign-on: the council's provider asked for its
    # own second factor, so Front Door's is not asked again (frontdoor.staff_auth).
    single_sign_on: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set for a reception board display: it may show that display's hub's board only.
    board_display_id: Mapped[int | None] = mapped_column(
        ForeignKey("board_display.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[StaffUser] = relationship()
    board_display: Mapped[BoardDisplay | None] = relationship()


class SignInFailure(Base):
    """A failed sign-in, keyed by hashes so no email or address is stored."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_key_at", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
