"""Who may change the slate: roles, the acting user, and the check every write makes.

Roles, each with everything the one before may do:

- ``viewer``: every page and download;
- ``planner``: also optimize, run what-ifs, save scenarios, rename, delete or undo their own, and adopt
  a plan as the slate's plan (its starts become the planned dates; the slate before is kept);
- ``admin``: also load, replace, edit or restore the slate, and rename, delete or undo anyone's scenario.

``require(actor, action, owner)`` raises ``Forbidden`` (a clear message naming the user, role and
action) before anything is written; ``owner`` is the ``Owner`` of the thing acted on. The stores
call it themselves, so a button the page forgot to hide still changes nothing.
``role_for(email, roles)`` reads the configuration: ``roles`` maps a role to a list of emails and
``@domain`` entries; an exact email wins over a domain, the higher role over the lower; anyone else
gets ``roles["default"]`` (``viewer`` unless set; ``none`` refuses them).

Identity: every ``Actor`` has a stable ``id`` and a display ``user``. Signed in, the ``id`` is the
provider's issuer and subject (``identity``: ``<iss>#<sub>``; an issuer URL has no ``#``), which no
other account can have, even one at another provider with the same email; ``user`` is the verified
email, normalised once, here (``normalise``: NFKC, casefold), for display and for matching roles. On
the command line the ``id`` is ``local:<uid>`` (the process's real uid). Ownership (``Owner``) compares
ids; a thing recorded before ids were kept (``Owner.id`` empty) is matched by its email only.

Sign-in (``signed_in``): a token without issuer, subject or email, with ``email_verified`` false
(unless the operator says the provider has no such claim), or with an address that only matches a
listed one after Unicode folding is refused. ``config_problems`` checks ``[auth]``, ``[roles]`` and
``[access]`` at start-up: an example or short cookie secret, a role that is not a list, an unknown
role or key stop the app with one line each (fail closed).
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
    "delete scenario": "planner", "undo scenario": "planner", "adopt plan": "planner",
}
OWN_ONLY = {"replace scenario", "rename scenario", "delete scenario", "undo scenario"}   # a planner: own only


class Forbidden(PermissionError):
    """The acting user's role may not do this; nothing was changed."""


@dataclass(frozen=True)
class Owner:
    """Who made something, as recorded with it: ``user`` (the display name: an email, or the OS user
    name) and ``id`` (the maker's ``Actor.id``; empty on rows written before ids were kept)."""

    user: str
    id: str = ""

    @classmethod
    def of(cls, user: object, user_id: object) -> "Owner":
        """An ``Owner`` from a stored row, whose missing values may be None or NaN."""
        return cls(user if isinstance(user, str) else "", user_id if isinstance(user_id, str) else "")


@dataclass(frozen=True)
class Actor:
    """Who acts: ``user`` (the normalised email when signed in, the OS user name on the command
    line; shown, and matched against ``[roles]``), ``role``, and ``id``, the stable identity that
    ownership and the audit log key on (``<issuer>#<subject>`` signed in, ``local:<uid>`` on the
    command line). Made without an ``id`` (tests, tools), it is ``name:<user>``."""

    user: str
    role: str
    id: str = ""

    def __post_init__(self):
        if not self.id:
            object.__setattr__(self, "id", f"name:{self.user}")

    def owns(self, owner: Owner) -> bool:
        """Whether ``owner`` is this actor: the same ``id``; for a row recorded before ids were kept
        (no ``owner.id``), the same email (or user name)."""
        return owner.id == self.id if owner.id else owner.user == self.user

    def may(self, action: str, owner: Owner | None = None) -> bool:
        """Whether this actor's role may do ``action``; for an own-only action on something ``owner``
        made, a planner only on their own. A role that is not one of ``ROLES`` (``"Admin"``, ``"root"``)
        may do nothing (fail closed)."""
        need = ACTIONS[action]
        if self.role not in ROLES or ROLES.index(self.role) < ROLES.index(need):
            return False
        return not (action in OWN_ONLY and self.role != "admin" and owner is not None and not self.owns(owner))


def local_operator() -> Actor:
    """The command line and the single-user dashboard: this computer's user (from the process's
    real uid, not ``LOGNAME`` or ``USER``, which anyone can set), as admin; its id is ``local:<uid>``."""
    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:                       # a uid without a passwd entry (some containers)
        name = f"uid {uid}"
    return Actor(name, "admin", id=f"local:{uid}")


def issuer_of(actor_id: str) -> str:
    """The issuer part of a signed-in ``Actor.id`` (``<iss>#<sub>``: an issuer is a URL), else empty."""
    issuer, found, _ = actor_id.partition("#")
    return issuer if found and "://" in issuer else ""


def require(actor: Actor, action: str, owner: Owner | None = None) -> None:
    """Raise ``Forbidden`` unless ``actor`` may do ``action`` (on something ``owner`` made)."""
    if actor.may(action, owner):
        return
    if action in OWN_ONLY and actor.role in ROLES and ROLES.index(actor.role) >= ROLES.index(ACTIONS[action]):
        author = owner.user
        if owner.user == actor.user and issuer_of(owner.id):      # same email, another account
            author += f" at {issuer_of(owner.id)}: another account with the same email"
        why = f"only its author ({author}) or an admin may"
    else:
        why = f"it takes the {ACTIONS[action]} role"
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


def identity(claims: dict) -> str:
    """The stable identity of a signed-in account: ``<iss>#<sub>`` (empty when either is missing)."""
    iss, sub = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    return f"{iss}#{sub}" if iss and sub else ""


def signed_in(claims: dict, roles: dict, access: dict | None = None) -> Actor:
    """The ``Actor`` of a signed-in user from the provider's verified ID-token ``claims`` (``id``:
    ``identity(claims)``; ``user``: the normalised email); raises
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
    return Actor(email, role, id=identity(claims))


def session_id(claims: dict) -> str:
    """One sign-in: the issuer, subject and the time the provider issued its token."""
    return f"{claims.get('iss')} {claims.get('sub')} {claims.get('iat')}"


def session_hours(access: dict | None) -> float:
    """How many hours a sign-in lasts: ``[access] session_hours``, else ``SESSION_HOURS``."""
    return float((access or {}).get("session_hours", SESSION_HOURS))


def session_ended(claims: dict, access: dict | None, now: float) -> bool:
    """True when the sign-in in ``claims`` is older than ``[access] session_hours`` (default
    ``SESSION_HOURS``) or carries no issue time: the user signs in again."""
    hours = session_hours(access)
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
