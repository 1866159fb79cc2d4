"""Configuration, read in one place from ``FRONTDOOR_*`` environment variables.

Everything the app can be told from outside is a field here. ``load_config`` is the
only function in the code base that reads ``os.environ`` for settings.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("development", "production", "test")
EVENT_BUSES = ("local", "postgres")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The scheduler process (frontdoor/scheduler.py) runs this many jobs at once, and holds
# a connection for each, one for its job store and one for its lock.
SCHEDULER_JOB_THREADS = 4
SCHEDULER_CONNECTIONS = SCHEDULER_JOB_THREADS + 2
# A bearer token anyone could guess would open /metrics to the world.
METRICS_TOKEN_LENGTH = 32
# Pwned Passwords' range API (frontdoor/pwned.py), used in production unless turned off.
PWNED_PASSWORDS_URL = "https://api.pwnedpasswords.com/range"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


@dataclass
class Config:
    env: str = "development"
    database_url: str = ""
    secret_key: str = ""
    # The key of the family key (frontdoor/family.py): a keyed hash of a family's
    # contact or hub card. Only here, never in the database, so the keys kept after
    # the purge cannot be turned back into contact details without it. Changing it
    # makes every family new again.
    family_key_secret: str = ""
    instance_path: Path = field(default_factory=lambda: PROJECT_ROOT / "instance")
    # Public base URL used in links that leave the app (QR codes, emails).
    base_url: str = "http://127.0.0.1:5000"
    council_name: str = "Demo Council"
    log_level: str = "INFO"
    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-* headers
    # are trusted so that throttles see each visitor's own address, not the proxy's.
    proxy_count: int = 0
    # Failed sign-ins from one address for one email before a short pause.
    sign_in_attempts: int = 5
    sign_in_window_minutes: int = 15
    sign_in_pause_max_minutes: int = 15
    # A code from an authenticator app after every password (README, "Second factor
    # and sessions"). Unset means on in production and off in development and test.
    second_factor_required: bool | None = None
    # A staff sign-in ends after this long without a request, and this long after
    # it began whatever happens; a reception board display ends at this local time
    # (Europe/London), or after ``staff_session_hours`` if that comes first.
    staff_idle_minutes: int = 30
    staff_session_hours: int = 12
    board_display_ends_at: str = "19:00"
    # Booking look-ups (reference, QR code, "find me") one kiosk screen may make in
    # 10 minutes before it asks the family to see reception. The benchmark raises it.
    kiosk_lookups: int = 30
    # Bookings (places, waiting lists, appointments) the public booking site takes
    # from one client address in ``public_booking_window_minutes`` (ASVS 2.4.1): a
    # household or a library PC books a few; a script making up emails to fill a
    # session's places is stopped. Staff booking for a family is never limited.
    public_bookings_per_address: int = 10
    public_booking_window_minutes: int = 60
    # Seconds without a touch before a kiosk asks "Are you still there?"; when
    # set, it overrides every hub's own kiosk setting (tests use a short one).
    kiosk_idle_seconds: int | None = None
    # The arrivals board's event bus: "local" (one process: SQLite, development)
    # or "postgres" (LISTEN/NOTIFY: any number of workers and machines). Empty
    # means "postgres" on a PostgreSQL database, else "local".
    event_bus: str = ""
    # Seconds between heartbeat comments on an open event stream, and the most
    # seconds one stream stays open before the browser reconnects by itself.
    stream_heartbeat_seconds: float = 15.0
    stream_max_seconds: float = 600.0
    # Tests set it: a template that uses a name nobody gave it fails instead of
    # quietly printing nothing (frontdoor/templating.py).
    strict_templates: bool = False
    # /metrics answers only a request carrying ``Authorization: Bearer <this>``;
    # empty turns /metrics off (404). At least 32 characters (frontdoor/metrics.py).
    metrics_token: str = ""
    # prometheus_client's own PROMETHEUS_MULTIPROC_DIR: set (and emptied at each
    # start) under gunicorn, so /metrics adds up every worker's counts.
    metrics_multiprocess_dir: str = ""

    # --- the web server and its database connections (deploy/gunicorn.conf.py reads
    # these too, so the pools below always match the processes that use them) ---
    bind: str = "127.0.0.1:8000"
    forwarded_allow_ips: str = "127.0.0.1"
    # gunicorn worker processes, and threads in each: one per open arrivals board
    # (a board's stream holds no connection) plus room for ordinary requests.
    workers: int = 2
    threads: int = 256
    # The most connections Front Door opens to PostgreSQL on this machine, all its
    # processes together: every worker's pool and LISTEN connection, and the scheduler
    # (``database_pool``). Keep it below PostgreSQL's max_connections, less its
    # superuser_reserved_connections and whatever else connects (README).
    database_connections: int = 60
    # Seconds a request waits for a free connection (on SQLite, for the write lock)
    # before the family is asked to try again in a moment (a 503 page).
    database_wait_seconds: int = 10

    # --- the scheduler and messages (frontdoor/scheduler.py, frontdoor/dispatcher.py) ---
    # Run the scheduler inside the development server (``make run`` sets it); in
    # production it is its own process, ``frontdoor scheduler``.
    scheduler_in_process: bool = False
    # Which channel sends each kind of message: ``dev`` only records it (shown under
    # "Sent messages" on the staff side), ``smtp`` (email only) or ``notify``.
    email_channel: str = "dev"
    sms_channel: str = "dev"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_sender: str = "Front Door <no-reply@frontdoor.example>"
    smtp_timeout_seconds: float = 10.0
    notify_api_key: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    # One Notify template per channel with ((subject)) and ((body)) placeholders
    # (SMS: ((body)) only); the text itself is ours, in the family's language.
    notify_email_template_id: str = ""
    notify_sms_template_id: str = ""
    notify_timeout_seconds: float = 10.0
    # Tries before a message is dead-lettered, and the first pause between tries
    # (doubling each time, capped at message_retry_max_seconds).
    message_max_attempts: int = 6
    message_retry_seconds: int = 60
    message_retry_max_seconds: int = 6 * 3600

    # --- council single sign-on (frontdoor/oidc.py, README "Council single sign-on") ---
    # The council tenant's own OpenID Connect discovery address, never a multi-tenant
    # one (Entra's "common"): empty means no single sign-on.
    oidc_discovery_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # The one issuer whose ID tokens are believed (the tenant's, exactly as its
    # discovery document and tokens spell it).
    oidc_issuer: str = ""
    oidc_label: str = "Sign in with your council account"
    # The ID token claim listing the person's groups, and which groups hold which
    # Front Door role: ((group, role, hub slug or "" for council admin), ...).
    oidc_group_claim: str = "groups"
    oidc_group_roles: tuple[tuple[str, str, str], ...] = ()
    # A value the ID token's ``amr`` claim must list (e.g. "mfa": Entra ID lists it
    # when the person did multi-factor authentication); empty means not checked.
    oidc_required_amr: str = ""
    # Off: staff sign in only through single sign-on; the password form is gone.
    password_sign_in: bool = True
    # Where new staff passwords are checked against the breach corpus (Pwned
    # Passwords' range API: only 5 hex characters of a SHA-1 leave the machine,
    # frontdoor/pwned.py). Unset: PWNED_PASSWORDS_URL in production, where the
    # server reaches GOV.UK Notify over the internet anyway, and off elsewhere;
    # "off" turns it off.
    pwned_passwords_url: str | None = None

    @property
    def single_sign_on(self) -> bool:
        return bool(self.oidc_discovery_url)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_settings(self) -> dict[str, object]:
        """The settings in the names Flask and its extensions expect."""
        secure = self.env != "development" and self.env != "test"
        return {
            "FRONTDOOR": self,
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self),
            # In production the session cookie (which also holds Flask-WTF's CSRF
            # secret) is a __Host- cookie: Secure, Path=/ and no Domain, so no other
            # site under the council's domain can set or overwrite it.
            "SESSION_COOKIE_NAME": "__Host-frontdoor_session" if secure else "frontdoor_session",
            "SESSION_COOKIE_PATH": "/",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_NAME": "__Host-remember_token" if secure else "remember_token",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "WTF_CSRF_TIME_LIMIT": 3600 * 8,
            "WTF_CSRF_SSL_STRICT": False,
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Europe/London",
            "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
            "MAX_CONTENT_LENGTH": 1024 * 1024,
        }


@dataclass(frozen=True)
class DatabasePool:
    """One process's connection pool: ``size`` kept open, ``overflow`` more opened
    in a rush and closed after, and ``timeout`` seconds to wait when all are busy."""

    size: int
    overflow: int
    timeout: int


def database_pool(config: Config) -> DatabasePool:
    """Each process's share of ``database_connections``: what the scheduler leaves,
    divided between the workers, less each worker's LISTEN connection, and never
    more than a worker has threads to use them. The scheduler's process gets the
    same pool and uses at most ``SCHEDULER_CONNECTIONS`` of it.

    The sum, documented in the README against PostgreSQL's ``max_connections``:
    workers x (size + overflow + 1) + SCHEDULER_CONNECTIONS <= database_connections.
    """
    listen = 1 if config.event_bus == "postgres" else 0
    share = (config.database_connections - SCHEDULER_CONNECTIONS) // config.workers
    most = min(share - listen, config.threads)
    if most < 1:
        needed = config.workers * (1 + listen) + SCHEDULER_CONNECTIONS
        raise ConfigError(
            f"FRONTDOOR_DATABASE_CONNECTIONS must be at least {needed} for "
            f"{config.workers} workers and the scheduler"
        )
    # Half are kept open; the rest open in a rush and close when it is over.
    size = max(1, most // 2)
    return DatabasePool(size=size, overflow=most - size, timeout=config.database_wait_seconds)


def engine_options(config: Config) -> dict[str, object]:
    pool = database_pool(config)
    options: dict[str, object] = {
        # A failing statement's values (names, emails, access needs) stay out of
        # its error message, and so out of every log and report that prints it.
        "hide_parameters": True,
        "pool_size": pool.size,
        "max_overflow": pool.overflow,
        "pool_timeout": pool.timeout,
    }
    if config.database_url.startswith("sqlite"):
        # Writers wait for each other, as long as a request waits for a connection.
        options["connect_args"] = {"timeout": config.database_wait_seconds}
    else:
        options["pool_pre_ping"] = True
    return options


def _default_sqlite_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'frontdoor.sqlite3'}"


def _development_secret(instance: Path, name: str = "secret_key") -> str:
    """A secret generated once per checkout and kept in ``instance/``."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(overrides: dict[str, object] | None = None) -> Config:
    """Build the configuration from the environment, then apply ``overrides``."""
    env = os.environ
    values: dict[str, object] = {
        "env": env.get("FRONTDOOR_ENV", "development"),
        "database_url": env.get("FRONTDOOR_DATABASE_URL", ""),
        "secret_key": env.get("FRONTDOOR_SECRET_KEY", ""),
        "family_key_secret": env.get("FRONTDOOR_FAMILY_KEY_SECRET", ""),
        "base_url": env.get("FRONTDOOR_BASE_URL", Config.base_url),
        "council_name": env.get("FRONTDOOR_COUNCIL_NAME", Config.council_name),
        "log_level": env.get("FRONTDOOR_LOG_LEVEL", Config.log_level),
        "proxy_count": int(env.get("FRONTDOOR_PROXY_COUNT", "0") or 0),
        "event_bus": env.get("FRONTDOOR_EVENT_BUS", ""),
        "metrics_multiprocess_dir": env.get("PROMETHEUS_MULTIPROC_DIR", ""),
    }
    for name, key in (
        ("stream_heartbeat_seconds", "FRONTDOOR_STREAM_HEARTBEAT_SECONDS"),
        ("stream_max_seconds", "FRONTDOOR_STREAM_MAX_SECONDS"),
    ):
        if env.get(key):
            try:
                values[name] = float(env[key])
            except ValueError as error:
                raise ConfigError(f"{key} must be a number of seconds") from error
    if env.get("FRONTDOOR_KIOSK_IDLE_SECONDS"):
        try:
            values["kiosk_idle_seconds"] = int(env["FRONTDOOR_KIOSK_IDLE_SECONDS"])
        except ValueError as error:
            raise ConfigError("FRONTDOOR_KIOSK_IDLE_SECONDS must be a whole number") from error
    values.update(_scheduler_settings(env))
    if env.get("FRONTDOOR_INSTANCE_PATH"):
        values["instance_path"] = Path(env["FRONTDOOR_INSTANCE_PATH"])
    values.update(overrides or {})
    config = Config(**values)  # type: ignore[arg-type]
    config.instance_path = Path(config.instance_path)
    if config.env not in ENVIRONMENTS:
        raise ConfigError(f"FRONTDOOR_ENV must be one of {', '.join(ENVIRONMENTS)}")
    _check_channels(config)
    if not config.database_url:
        config.instance_path.mkdir(parents=True, exist_ok=True)
        config.database_url = _default_sqlite_url(config.instance_path)
    if not config.event_bus:
        config.event_bus = "postgres" if config.database_url.startswith("postgresql") else "local"
    if config.event_bus not in EVENT_BUSES:
        raise ConfigError(f"FRONTDOOR_EVENT_BUS must be one of {', '.join(EVENT_BUSES)}")
    if config.event_bus == "postgres" and not config.database_url.startswith("postgresql"):
        raise ConfigError("FRONTDOOR_EVENT_BUS=postgres needs a PostgreSQL database")
    _check_server(config)
    _check_single_sign_on(config)
    _check_staff_sessions(config)
    if not config.secret_key:
        if config.is_production:
            raise ConfigError("FRONTDOOR_SECRET_KEY must be set in production.")
        config.secret_key = _development_secret(config.instance_path)
    if not config.family_key_secret:
        if config.is_production:
            raise ConfigError("FRONTDOOR_FAMILY_KEY_SECRET must be set in production.")
        config.family_key_secret = _development_secret(config.instance_path, "family_key_secret")
    return config


_TEXT = {
    "FRONTDOOR_EMAIL_CHANNEL": "email_channel",
    "FRONTDOOR_SMS_CHANNEL": "sms_channel",
    "FRONTDOOR_SMTP_HOST": "smtp_host",
    "FRONTDOOR_SMTP_USERNAME": "smtp_username",
    "FRONTDOOR_SMTP_PASSWORD": "smtp_password",
    "FRONTDOOR_SMTP_SENDER": "smtp_sender",
    "FRONTDOOR_NOTIFY_API_KEY": "notify_api_key",
    "FRONTDOOR_NOTIFY_BASE_URL": "notify_base_url",
    "FRONTDOOR_NOTIFY_EMAIL_TEMPLATE_ID": "notify_email_template_id",
    "FRONTDOOR_NOTIFY_SMS_TEMPLATE_ID": "notify_sms_template_id",
    "FRONTDOOR_BIND": "bind",
    "FRONTDOOR_FORWARDED_ALLOW_IPS": "forwarded_allow_ips",
    "FRONTDOOR_OIDC_DISCOVERY_URL": "oidc_discovery_url",
    "FRONTDOOR_OIDC_CLIENT_ID": "oidc_client_id",
    "FRONTDOOR_OIDC_CLIENT_SECRET": "oidc_client_secret",
    "FRONTDOOR_OIDC_ISSUER": "oidc_issuer",
    "FRONTDOOR_OIDC_LABEL": "oidc_label",
    "FRONTDOOR_OIDC_GROUP_CLAIM": "oidc_group_claim",
    "FRONTDOOR_OIDC_REQUIRED_AMR": "oidc_required_amr",
    "FRONTDOOR_BOARD_DISPLAY_ENDS_AT": "board_display_ends_at",
    "FRONTDOOR_METRICS_TOKEN": "metrics_token",
    "FRONTDOOR_PWNED_PASSWORDS_URL": "pwned_passwords_url",
}
_NUMBERS = {
    "FRONTDOOR_SMTP_PORT": ("smtp_port", int),
    "FRONTDOOR_SMTP_TIMEOUT_SECONDS": ("smtp_timeout_seconds", float),
    "FRONTDOOR_NOTIFY_TIMEOUT_SECONDS": ("notify_timeout_seconds", float),
    "FRONTDOOR_MESSAGE_MAX_ATTEMPTS": ("message_max_attempts", int),
    "FRONTDOOR_MESSAGE_RETRY_SECONDS": ("message_retry_seconds", int),
    "FRONTDOOR_KIOSK_LOOKUPS": ("kiosk_lookups", int),
    "FRONTDOOR_PUBLIC_BOOKINGS_PER_ADDRESS": ("public_bookings_per_address", int),
    "FRONTDOOR_PUBLIC_BOOKING_WINDOW_MINUTES": ("public_booking_window_minutes", int),
    "FRONTDOOR_WORKERS": ("workers", int),
    "FRONTDOOR_THREADS": ("threads", int),
    "FRONTDOOR_DATABASE_CONNECTIONS": ("database_connections", int),
    "FRONTDOOR_DATABASE_WAIT_SECONDS": ("database_wait_seconds", int),
    "FRONTDOOR_STAFF_IDLE_MINUTES": ("staff_idle_minutes", int),
    "FRONTDOOR_STAFF_SESSION_HOURS": ("staff_session_hours", int),
}
_FLAGS = {
    "FRONTDOOR_SCHEDULER_IN_PROCESS": "scheduler_in_process",
    "FRONTDOOR_SMTP_STARTTLS": "smtp_starttls",
    "FRONTDOOR_STRICT_TEMPLATES": "strict_templates",
    "FRONTDOOR_PASSWORD_SIGN_IN": "password_sign_in",
    "FRONTDOOR_STAFF_SECOND_FACTOR": "second_factor_required",
}
CHANNELS = {"email_channel": ("dev", "smtp", "notify"), "sms_channel": ("dev", "notify")}


def _scheduler_settings(env: os._Environ[str] | dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, attribute in _TEXT.items():
        if env.get(name):
            values[attribute] = env[name]
    for name, (attribute, kind) in _NUMBERS.items():
        if env.get(name):
            try:
                values[attribute] = kind(env[name])
            except ValueError as error:
                raise ConfigError(f"{name} must be a number") from error
    for name, attribute in _FLAGS.items():
        if env.get(name):
            values[attribute] = env[name].strip().lower() in ("1", "true", "yes", "on")
    if env.get("FRONTDOOR_OIDC_GROUP_ROLES"):
        values["oidc_group_roles"] = parse_group_roles(env["FRONTDOOR_OIDC_GROUP_ROLES"])
    return values


def parse_group_roles(text: str) -> tuple[tuple[str, str, str], ...]:
    """``"group-id=reception@riverside, other-id=admin"`` as (group, role, hub slug)."""
    from frontdoor.models.staff import Role

    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        group, _, grant = item.partition("=")
        role, _, hub = grant.strip().partition("@")
        if not group.strip() or role not in set(Role) or (role == Role.ADMIN) == bool(hub):
            raise ConfigError(
                "FRONTDOOR_OIDC_GROUP_ROLES must read group=role@hub-slug (or group=admin), "
                f"comma-separated, with roles from {', '.join(Role)}"
            )
        pairs.append((group.strip(), role, hub.strip()))
    return tuple(pairs)


def _check_channels(config: Config) -> None:
    for attribute, allowed in CHANNELS.items():
        if getattr(config, attribute) not in allowed:
            variable = "FRONTDOOR_" + attribute.upper()
            raise ConfigError(f"{variable} must be one of {', '.join(allowed)}")
    uses_notify = "notify" in (config.email_channel, config.sms_channel)
    if uses_notify and len(config.notify_api_key) < 74:
        raise ConfigError("FRONTDOOR_NOTIFY_API_KEY must be set to a Notify API key")
    if config.message_max_attempts < 1:
        raise ConfigError("FRONTDOOR_MESSAGE_MAX_ATTEMPTS must be at least 1")


def _check_staff_sessions(config: Config) -> None:
    if config.second_factor_required is None:
        config.second_factor_required = config.is_production
    if config.pwned_passwords_url is None:
        config.pwned_passwords_url = PWNED_PASSWORDS_URL if config.is_production else ""
    if config.pwned_passwords_url.strip().lower() == "off":
        config.pwned_passwords_url = ""
    if config.is_production and config.pwned_passwords_url.startswith("http://"):
        raise ConfigError("FRONTDOOR_PWNED_PASSWORDS_URL must be https (or off)")
    if config.staff_idle_minutes <= 0 or config.staff_session_hours <= 0:
        raise ConfigError("FRONTDOOR_STAFF_IDLE_MINUTES and _SESSION_HOURS must be more than 0")
    hours, _, minutes = config.board_display_ends_at.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError("FRONTDOOR_BOARD_DISPLAY_ENDS_AT must be a time like 19:00")


def _check_server(config: Config) -> None:
    for attribute in (
        "workers",
        "threads",
        "database_wait_seconds",
        "public_bookings_per_address",
        "public_booking_window_minutes",
    ):
        if getattr(config, attribute) <= 0:
            raise ConfigError(f"FRONTDOOR_{attribute.upper()} must be more than 0")
    database_pool(config)  # refuses a budget of connections too small for the workers
    if config.metrics_token and len(config.metrics_token) < METRICS_TOKEN_LENGTH:
        raise ConfigError(
            f"FRONTDOOR_METRICS_TOKEN must be at least {METRICS_TOKEN_LENGTH} characters"
        )


# Entra ID's multi-tenant endpoints: any Microsoft account, in any organisation, could
# present a token through them.
_MULTI_TENANT = ("common", "organizations", "consumers")


def _check_single_sign_on(config: Config) -> None:
    if not config.single_sign_on:
        if not config.password_sign_in:
            raise ConfigError(
                "FRONTDOOR_PASSWORD_SIGN_IN=off needs single sign-on: set "
                "FRONTDOOR_OIDC_DISCOVERY_URL and the other FRONTDOOR_OIDC_* settings"
            )
        return
    for name in ("oidc_client_id", "oidc_client_secret", "oidc_issuer"):
        if not getattr(config, name):
            raise ConfigError(f"FRONTDOOR_{name.upper()} must be set for single sign-on")
    segments = set(config.oidc_discovery_url.lower().split("/"))
    if segments & set(_MULTI_TENANT) or "{tenantid}" in config.oidc_issuer.lower():
        raise ConfigError(
            "FRONTDOOR_OIDC_DISCOVERY_URL must be your council tenant's own discovery "
            "address (https://login.microsoftonline.com/<tenant-id>/v2.0/.well-known/"
            "openid-configuration), never Entra's multi-tenant 'common', 'organizations' "
            "or 'consumers' endpoints, and FRONTDOOR_OIDC_ISSUER that tenant's issuer"
        )
    if config.is_production and not all(
        url.startswith("https://") for url in (config.oidc_discovery_url, config.oidc_issuer)
    ):
        raise ConfigError("FRONTDOOR_OIDC_DISCOVERY_URL and FRONTDOOR_OIDC_ISSUER must be https")
