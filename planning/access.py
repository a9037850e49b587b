"""Who may change the slate: roles, the acting user, and the check every write makes.

Roles, each with everything the one before may do:

- ``viewer``: every page and download;
- ``planner``: also optimize, run what-ifs, save scenarios, rename, delete or undo their own;
- ``admin``: also load, replace, edit or restore the slate, and rename, delete or undo anyone's scenario.

``require(actor, action, owner)`` raises ``Forbidden`` (a clear message naming the user, role and
action) before anything is written. The stores call it themselves, so a button the page forgot to
hide still changes nothing. ``role_for(email, roles)`` reads the configuration: ``roles`` maps a role
to a list of emails and ``@domain`` entries; an exact email wins over a domain, the higher role
over the lower; anyone else gets ``roles["default"]`` (``viewer`` unless set).
"""

from __future__ import annotations

import getpass
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
    """The command line and the single-user dashboard: this computer's user, as admin."""
    return Actor(getpass.getuser(), "admin")


def require(actor: Actor, action: str, owner: str | None = None) -> None:
    """Raise ``Forbidden`` unless ``actor`` may do ``action`` (on something ``owner`` made)."""
    if actor.may(action, owner):
        return
    why = (f"only its author ({owner}) or an admin may" if action in OWN_ONLY and ROLES.index(actor.role) >=
           ROLES.index(ACTIONS[action]) else f"it takes the {ACTIONS[action]} role")
    raise Forbidden(f"{actor.user} ({actor.role}) may not {action}: {why}; nothing was changed")


def role_for(email: str, roles: dict) -> str:
    """The role configured for ``email`` (see the module docstring)."""
    email = (email or "").strip().lower()
    domain = "@" + email.split("@", 1)[1] if "@" in email else None
    exact = [r for r in ROLES if email in {str(e).lower() for e in roles.get(r, ())}]
    if exact:
        return max(exact, key=ROLES.index)
    by_domain = [r for r in ROLES if domain and domain in {str(e).lower() for e in roles.get(r, ())}]
    if by_domain:
        return max(by_domain, key=ROLES.index)
    default = str(roles.get("default", "viewer"))
    return default if default in ROLES else "viewer"
