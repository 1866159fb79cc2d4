"""OpenID Connect for council single sign-on: the protocol, through Authlib.

``begin`` makes the address that sends a browser to the council's provider, with a
fresh state, nonce and PKCE (S256) verifier for the browser's session to keep;
``identify`` takes the provider's answer back, exchanges the code (with the
verifier) and believes the ID token only when every check passes: signed by a key
the pinned issuer publishes, with an asymmetric algorithm; issued by that issuer
(another tenant of the same provider signs with the same keys, so the issuer is
what tells them apart); for this client; not expired; carrying this browser's
nonce; and, when the council asks (``FRONTDOOR_OIDC_REQUIRED_AMR``), saying in its
``amr`` claim that the person signed in that way (e.g. "mfa"). Who the identity
is in Front Door is ``frontdoor.oidc_staff``'s question.

Every refusal is ``ServiceError("sso_failed", reason=...)``: one sentence for the
person, a reason code for the security log.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from requests import RequestException

from frontdoor.config import Config
from frontdoor.errors import ServiceError
from frontdoor.outbound import no_redirects

SCOPE = "openid email profile"
# Signatures only a key the provider keeps private can make: never "none", and never
# HS256, whose "key" is the client secret this app also holds.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
# Seconds of disagreement allowed between our clock and the provider's.
LEEWAY_SECONDS = 120
TIMEOUT_SECONDS = 10
# How long a provider's discovery document and keys are kept before asking again
# (a key it has rotated in is fetched at once, when a token names it).
METADATA_SECONDS = 3600


@dataclass(frozen=True)
class Identity:
    """A person as the council's provider vouches for them."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    groups: frozenset[str] = field(default_factory=frozenset)


@dataclass
class _Provider:
    metadata: dict[str, Any]
    keys: KeySet
    fetched_at: float


# By discovery address and pinned issuer: what was checked against one issuer is
# never taken as checked against another.
_providers: dict[tuple[str, str], _Provider] = {}


def _session(config: Config, redirect_uri: str = "") -> OAuth2Session:
    return no_redirects(
        OAuth2Session(
            config.oidc_client_id,
            config.oidc_client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri or None,
            code_challenge_method="S256",
        )
    )


def _fetch_json(url: str) -> Any:
    with no_redirects(OAuth2Session()) as http:
        response = http.get(url, timeout=TIMEOUT_SECONDS, withhold_token=True)
    response.raise_for_status()
    return response.json()


def _provider(config: Config, *, fresh_keys: bool = False) -> _Provider:
    """The discovery document and keys, checked against the pinned issuer."""
    where = (config.oidc_discovery_url, config.oidc_issuer)
    known = _providers.get(where)
    if known and not fresh_keys and time.time() - known.fetched_at < METADATA_SECONDS:
        return known
    try:
        metadata = _fetch_json(config.oidc_discovery_url)
        if metadata.get("issuer") != config.oidc_issuer:
            raise ServiceError("sso_failed", reason="discovery_issuer")
        keys = KeySet.import_key_set(_fetch_json(metadata["jwks_uri"]))
    except (RequestException, ValueError, KeyError, JoseError) as error:
        raise ServiceError("sso_failed", reason="provider_unavailable") from error
    _providers[where] = known = _Provider(metadata, keys, time.time())
    return known


def begin(config: Config, redirect_uri: str) -> tuple[str, dict[str, str]]:
    """The provider's sign-in address, and what the browser's session keeps until
    the provider sends the person back: state, nonce and PKCE verifier."""
    pending = {"state": generate_token(32), "nonce": generate_token(32)}
    pending["verifier"] = generate_token(64)
    with _session(config, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            _provider(config).metadata["authorization_endpoint"],
            state=pending["state"],
            nonce=pending["nonce"],
            code_verifier=pending["verifier"],
        )
    return url, pending


def identify(
    config: Config,
    pending: Mapping[str, str] | None,
    answer: Mapping[str, str],
    *,
    redirect_uri: str,
) -> Identity:
    """The identity in the provider's answer (the callback's query), or
    ``ServiceError("sso_failed")`` with the reason."""
    pending = pending or {}
    if not pending.get("state") or not hmac.compare_digest(
        str(answer.get("state", "")), pending["state"]
    ):
        raise ServiceError("sso_failed", reason="state_mismatch")
    if answer.get("error"):
        raise ServiceError("sso_failed", reason="provider_error")
    # RFC 9207: a provider that names itself in the answer must be ours (mix-up).
    if "iss" in answer and answer["iss"] != config.oidc_issuer:
        raise ServiceError("sso_failed", reason="answer_issuer")
    if not pending.get("verifier"):
        raise ServiceError("sso_failed", reason="pkce_verifier_missing")
    if not pending.get("nonce") or not answer.get("code"):
        raise ServiceError("sso_failed", reason="incomplete")
    provider = _provider(config)
    try:
        with _session(config, redirect_uri) as client:
            tokens = client.fetch_token(
                provider.metadata["token_endpoint"],
                code=answer["code"],
                code_verifier=pending["verifier"],
                timeout=TIMEOUT_SECONDS,
            )
    except (OAuthError, RequestException, ValueError) as error:
        raise ServiceError("sso_failed", reason="token_exchange") from error
    claims = _verified_claims(config, tokens, pending["nonce"])
    groups = claims.get(config.oidc_group_claim) or []
    return Identity(
        issuer=claims["iss"],
        subject=claims["sub"],
        email=str(claims.get("email") or ""),
        # Entra ID sends no email_verified; its optional claim xms_edov says the
        # email's domain is one the tenant has verified (README).
        email_verified=claims.get("email_verified") is True or claims.get("xms_edov") is True,
        groups=frozenset(str(g) for g in groups) if isinstance(groups, list) else frozenset(),
    )


def _verified_claims(config: Config, tokens: Mapping[str, Any], nonce: str) -> CodeIDToken:
    if not tokens.get("id_token"):
        raise ServiceError("sso_failed", reason="no_id_token")
    claims = CodeIDToken(
        _decode(config, tokens["id_token"]).claims,
        {},
        {
            "iss": {"essential": True, "value": config.oidc_issuer},
            "aud": {"essential": True, "value": config.oidc_client_id},
            "sub": {"essential": True},
        },
        {"nonce": nonce, "client_id": config.oidc_client_id},
    )
    try:
        # The provider's clock, not the app's (tests and demos move the app's).
        claims.validate(now=int(time.time()), leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as error:
        raise ServiceError("sso_failed", reason="expired") from error
    except ClaimError as error:
        raise ServiceError("sso_failed", reason=f"bad_{error.claim}") from error
    if not claims.get("nonce"):
        raise ServiceError("sso_failed", reason="bad_nonce")
    if not _has_required_amr(config, claims.get("amr")):
        raise ServiceError("sso_failed", reason="amr_missing")
    return claims


def _has_required_amr(config: Config, amr: object) -> bool:
    """The council can require how the person signed in at the provider (e.g. "mfa"):
    the ``amr`` claim (RFC 8176) must then list it."""
    if not config.oidc_required_amr:
        return True
    return isinstance(amr, list) and config.oidc_required_amr in amr


def _decode(config: Config, id_token: str) -> jwt.Token:
    provider = _provider(config)
    offered = provider.metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [name for name in offered if name in SIGNING_ALGORITHMS]
    try:
        try:
            return jwt.decode(id_token, provider.keys, algorithms=algorithms)
        except InvalidKeyIdError:
            # A key the provider has rotated in since we last asked.
            keys = _provider(config, fresh_keys=True).keys
            return jwt.decode(id_token, keys, algorithms=algorithms)
    except (JoseError, ValueError) as error:
        raise ServiceError("sso_failed", reason="signature") from error
