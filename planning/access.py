"""Who may change the slate: roles, the acting user, and the check every write makes.

Roles, each with everything the one before may do:

- ``viewer``: every page and download;
- ``planner``: also optimize, run what-ifs, save scenarios, rename, delete or undo their own;
- ``admin``: also load, replace, edit or restore the slate, and rename, delete or undo anyone's scenario.

``require(actor, action, owner)`` raises ``Forbidden`` (a clear message naming the user, role and
action) before anything is written. The stores call it themselves, so a button the page forgot to
hide still changes nothing. ``role_for(email, roles)`` reads the configuration: ``roles`` maps a role
to a list of emails and ``@domain`` entries; an exact email wins over a domain, the higher role
over the lower; anyone else gets ``roles["default"]`` (``viewer`` unless set; ``none`` refuses them).

Sign-in (``signed_in``): the identity is the provider's verified email, normalised once here
(``normalise``: NFKC, casefold); a token without an email, with ``email_verified`` false (unless the
operator says the provider has no such claim), or with an address that only matches a listed one
after Unicode folding is refused. ``config_problems`` checks ``[auth]``, ``[roles]`` and ``[access]``
at start-up: an example or short cookie secret, a role that is not a list, an unknown role or key
stop the app with one line each (fail closed).
"""

from __future__ import annotations

import os
import pwd
import unicodedata
from dataclasses import dataclass

ROLES = ("viewer", "planner", "admin")
ACTIONS = {                       # action -> the least role that may do it
    "load slate": "admin", "replace table": "admin", "edit table": "admin", "restore slate": "admin",
    "bring back slate": "admin",
    "optimize": "planner", "save scenario": "planner", "replace scenario": "planner", "rename scenario": "planner",
    "delete scenario": "planner", "undo scenario": "planner",
}
OWN_ONLY = {"replace scenario", "rename scenario", "delete scenario", "undo scenario"}   # a planner: own only


class Forbidden(PermissionError):
    """The acting user's role may not do this; nothing was changed."""


@dataclass(frozen=True)
class Actor:
    """Who acts: ``user`` (an email when signed in, the OS user name on the command line) and ``role``."""

    user: str
    role: str

    def may(self, action: str, owner: str | None = None) -> bool:
        need = ACTIONS[action]
        if ROLES.index(self.role) < ROLES.index(need):
            return False
        return not (action in OWN_ONLY and self.role != "admin" and owner is not None and owner != self.user)


def local_operator() -> Actor:
    """The command line and the single-user dashboard: this computer's user (from the process's
    real uid, not ``LOGNAME`` or ``USER``, which anyone can set), as admin."""
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:                       # a uid without a passwd entry (some containers)
        name = f"uid {os.getuid()}"
    return Actor(name, "admin")


def require(actor: Actor, action: str, owner: str | None = None) -> None:
    """Raise ``Forbidden`` unless ``actor`` may do ``action`` (on something ``owner`` made)."""
    if actor.may(action, owner):
        return
    why = (f"only its author ({owner}) or an admin may" if action in OWN_ONLY and ROLES.index(actor.role) >=
           ROLES.index(ACTIONS[action]) else f"it takes the {ACTIONS[action]} role")
    raise Forbidden(f"{actor.user} ({actor.role}) may not {action}: {why}; nothing was changed")


MIN_SECRET_BYTES = 32
EXAMPLE_SECRET = "change-me"                # how the example secrets file marks a value to replace
ROLE_KEYS = {*ROLES, "default"}
ACCESS_KEYS = {"require_verified_email", "session_hours"}
SESSION_HOURS = 12.0          # a sign-in lasts a working day, whatever the browser cookie says


class Refused(PermissionError):
    """A signed-in account that may not use the app; the message says why, for the page."""


def normalise(email: str) -> str:
    """The one form of an email address used for identity and roles: NFKC, casefolded, trimmed."""
    return unicodedata.normalize("NFKC", str(email or "")).casefold().strip()


def _listed(roles: dict, role: str) -> set[str]:
    value = roles.get(role, ())
    return {normalise(e) for e in value} if isinstance(value, (list, tuple)) else set()


def role_for(email: str, roles: dict) -> str | None:
    """The role configured for ``email`` (see the module docstring); None when ``default`` is
    ``none`` (or anything else that is not a role: fail closed) and the address is not listed."""
    email = normalise(email)
    domain = "@" + email.split("@", 1)[1] if "@" in email else None
    exact = [r for r in ROLES if email in _listed(roles, r)]
    if exact:
        return max(exact, key=ROLES.index)
    by_domain = [r for r in ROLES if domain and domain in _listed(roles, r)]
    if by_domain:
        return max(by_domain, key=ROLES.index)
    default = str(roles.get("default", "viewer"))
    return default if default in ROLES else None


def signed_in(claims: dict, roles: dict, access: dict | None = None) -> Actor:
    """The ``Actor`` of a signed-in user from the provider's verified ID-token ``claims``; raises
    ``Refused`` (with the reason to show) for a token without issuer, subject or email, an
    unverified email, an address that matches only after Unicode folding, or an unlisted account
    when ``[roles] default = "none"``."""
    access = access or {}
    if not claims.get("iss") or not claims.get("sub"):
        raise Refused("the identity provider's answer names no issuer or subject")
    raw = str(claims.get("email") or "").strip()
    if not raw or "@" not in raw:
        raise Refused("your account has no email address at the identity provider; ask it to share one")
    if access.get("require_verified_email", True) and claims.get("email_verified") not in (True, "true"):
        raise Refused(f"the identity provider has not verified {raw}")
    email = normalise(raw)
    if (unicodedata.normalize("NFKC", raw) != unicodedata.normalize("NFC", raw)
            or any(not c.isascii() and c.casefold().isascii() for c in raw)):
        raise Refused(f"{raw!r} contains characters that stand for others (Unicode compatibility forms); "
                      "sign in with the plain address")
    role = role_for(email, roles)
    if role is None:
        raise Refused(f"{email} is not on this studio's list of users; ask an admin to add you")
    return Actor(email, role)


def session_id(claims: dict) -> str:
    """One sign-in: the issuer, subject and the time the provider issued its token."""
    return f"{claims.get('iss')} {claims.get('sub')} {claims.get('iat')}"


def session_ended(claims: dict, access: dict | None, now: float) -> bool:
    """True when the sign-in in ``claims`` is older than ``[access] session_hours`` (default
    ``SESSION_HOURS``) or carries no issue time: the user signs in again."""
    hours = float((access or {}).get("session_hours", SESSION_HOURS))
    try:
        issued = float(claims.get("iat"))
    except (TypeError, ValueError):
        return True
    return not issued - 300 <= now <= issued + hours * 3600     # 5 minutes' grace for clock skew


def config_problems(secrets: dict) -> list[str]:
    """What stops sign-in from starting: one line per problem with ``[auth]``, ``[roles]`` or
    ``[access]`` (empty when there is no ``[auth]``: single-user mode)."""
    auth = secrets.get("auth")
    if auth is None:
        return []
    problems = []
    secret = str(auth.get("cookie_secret") or "")
    if not secret:
        problems.append("[auth] cookie_secret is missing")
    elif EXAMPLE_SECRET in secret or len(secret.encode()) < MIN_SECRET_BYTES:
        problems.append(f"[auth] cookie_secret is the example or shorter than {MIN_SECRET_BYTES} bytes: "
                        "set a random one (python -c 'import secrets; print(secrets.token_hex(32))')")
    roles = secrets.get("roles", {})
    for key, value in roles.items():
        if key not in ROLE_KEYS:
            problems.append(f"[roles] {key} is not a role (use {', '.join(ROLES)} or default)")
        elif key == "default":
            if value not in (*ROLES, "none"):
                problems.append(f"[roles] default = {value!r}: use viewer, planner, admin or none")
        elif not isinstance(value, (list, tuple)) or not all(isinstance(e, str) and e.strip() for e in value):
            problems.append(f'[roles] {key} must be a list of emails or @domains, e.g. {key} = ["ana@studio.com"]')
    for key, value in secrets.get("access", {}).items():
        if key not in ACCESS_KEYS:
            problems.append(f"[access] {key} is not a setting (only {', '.join(sorted(ACCESS_KEYS))})")
        elif key == "session_hours":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 24 * 30:
                problems.append("[access] session_hours must be a number of hours between 0 and 720")
        elif not isinstance(value, bool):
            problems.append(f"[access] {key} must be true or false")
    return problems
