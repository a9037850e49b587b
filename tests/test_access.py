"""Who may change what: roles from configuration, a check in every write path (the store refuses
and keeps everything as it was), one audit row per change, and this computer only without sign-in."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

import tomllib

from planning.access import Actor, Forbidden, Refused, config_problems, local_operator, role_for, signed_in
from planning.cli import serving_address
from planning.data.store import Store
from planning.scenarios.store import ScenarioStore
from planning.scenarios.types import Scenario

from benchmarks.serving import held_port, wait_listening
from conftest import ROOT, SAMPLE

ROLES = {"admin": ["boss@studio.test"], "planner": ["@studio.test"], "viewer": ["intern@studio.test"]}
VIEWER, PLANNER, ADMIN = Actor("intern@studio.test", "viewer"), Actor("ana@studio.test", "planner"), \
    Actor("boss@studio.test", "admin")


def test_roles_come_from_emails_and_domains():
    assert role_for("boss@studio.test", ROLES) == "admin"
    assert role_for("Ana@Studio.test", ROLES) == "planner"                 # by domain, any case
    assert role_for("intern@studio.test", ROLES) == "viewer"                # an exact email beats the domain
    assert role_for("someone@else.test", ROLES) == "viewer"                 # everyone else: the default
    assert role_for("someone@else.test", {**ROLES, "default": "planner"}) == "planner"
    assert role_for("boss@studio.test", {"admin": ["@studio.test"], "planner": ["boss@studio.test"]}) == "planner"
    assert role_for("ana@studio.test", {"admin": ["ana@studio.test"], "planner": ["ana@studio.test"]}) == "admin"


def test_unlisted_accounts_can_be_refused_and_unknown_defaults_fail_closed():
    assert role_for("someone@else.test", {**ROLES, "default": "none"}) is None
    assert role_for("someone@else.test", {**ROLES, "default": "admn"}) is None       # a typo: nobody, not viewer
    assert role_for("ana@studio.test", {**ROLES, "default": "none"}) == "planner"      # listed: still in
    with pytest.raises(Refused, match="not on this studio's list"):
        signed_in(claims("someone@else.test"), {**ROLES, "default": "none"})


def claims(email, **extra):
    return {"iss": "https://idp.test", "sub": "id-" + str(email), "email": email, "email_verified": True, **extra}


def test_sign_in_takes_a_verified_normalised_email_and_nothing_else():
    assert signed_in(claims("Ana@STUDIO.test"), ROLES) == Actor("ana@studio.test", "planner",   # one form everywhere
                                                                "https://idp.test#id-Ana@STUDIO.test")
    assert signed_in(claims("  Boss@Studio.Test "), ROLES).user == ADMIN.user
    for bad, why in [(claims("ana@studio.test", email_verified=False), "not verified"),
                     ({**claims("ana@studio.test"), "email_verified": None}, "not verified"),
                     (claims(""), "no email"), (claims(None), "no email"), (claims("ana"), "no email"),
                     ({**claims("ana@studio.test"), "sub": ""}, "no issuer or subject"),
                     ({**claims("ana@studio.test"), "iss": None}, "no issuer or subject"),
                     (claims("\u212aate@studio.test"), "stand for others"),           # Kelvin sign folds to k
                     (claims("boss@\uff53tudio.test"), "stand for others"),           # fullwidth s
                     (claims("bo\u017fs@studio.test"), "stand for others")]:           # long s folds to s
        with pytest.raises(Refused, match=why):
            signed_in(bad, ROLES)
    unverified = claims("ana@studio.test", email_verified=None)
    assert signed_in(unverified, ROLES, {"require_verified_email": False}).user == "ana@studio.test"
    assert signed_in(claims("josé@studio.test"), ROLES).user == "josé@studio.test"     # plain accents are fine


def test_sign_in_refuses_to_start_on_an_example_or_weak_configuration():
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text())
    assert any("cookie_secret" in p for p in config_problems(example))          # the shipped example never starts
    good = {"auth": {"cookie_secret": "k" * 32}, "roles": dict(ROLES, default="none"),
            "access": {"require_verified_email": True}}
    assert config_problems(good) == []
    assert config_problems({}) == []                                            # single-user mode
    for change, says in [({"auth": {"cookie_secret": "k" * 31}}, "shorter than 32 bytes"),
                         ({"auth": {"cookie_secret": "change-me" + "k" * 40}}, "the example"),
                         ({"auth": {"cookie_secret": ""}}, "missing"),
                         ({"roles": {"admin": "boss@studio.test"}}, "must be a list"),
                         ({"roles": {"planner": ["ok@x.test", 3]}}, "must be a list"),
                         ({"roles": {"admins": ["boss@studio.test"]}}, "admins is not a role"),
                         ({"roles": {"default": "viewr"}}, "default = 'viewr'"),
                         ({"access": {"require_verified_email": "no"}}, "true or false"),
                         ({"access": {"allow_all": True}}, "not a setting")]:
        problems = config_problems({**good, **change})
        assert len(problems) == 1 and says in problems[0], problems


def test_the_command_line_user_comes_from_the_real_uid_not_the_environment(monkeypatch):
    import pwd

    monkeypatch.setenv("LOGNAME", "boss")
    monkeypatch.setenv("USER", "boss")
    assert local_operator().user == pwd.getpwuid(os.getuid()).pw_name
    assert local_operator().id == f"local:{os.getuid()}"                       # its identity: the uid itself


def test_store_files_are_readable_by_their_owner_only(tmp_path):
    store = Store(tmp_path / "slate.duckdb")
    store.load(SAMPLE, actor=ADMIN)
    scenarios = ScenarioStore(tmp_path / "scenarios.duckdb")
    scenarios.save(Scenario("mine"), actor=PLANNER)
    for file in (tmp_path / "slate.duckdb", tmp_path / "scenarios.duckdb"):
        assert file.stat().st_mode & 0o777 == 0o600, file


def snapshot(store: Store) -> tuple:
    """What a refused write must leave alone: the slate and its kept history."""
    return store.meta()["content_hash"], len(store.history())


def refusals(log: pd.DataFrame) -> list[list[str]]:
    return log.loc[log["action"].str.startswith("refused: "), ["user", "role", "action"]].values.tolist()


def test_only_an_admin_changes_the_slate_and_each_change_is_logged(tmp_path):
    store = Store(tmp_path / "slate.duckdb")
    store.load(SAMPLE, actor=ADMIN)
    data = store.slate()
    renamed = data.productions.assign(title="Renamed")
    before = snapshot(store)
    for who in (VIEWER, PLANNER):
        with pytest.raises(Forbidden, match=rf"{re.escape(who.user)} \({who.role}\) may not .*admin role"):
            store.load(SAMPLE, actor=who)
        with pytest.raises(Forbidden):
            store.edit_table("productions", renamed, source="edit", actor=who)
        with pytest.raises(Forbidden):
            store.bring_back(1, actor=who)
        with pytest.raises(Forbidden):
            store.save(data, source="x", actor=who)
        assert snapshot(store) == before                                        # nothing changed
    assert sorted(map(tuple, refusals(store.audit()))) == sorted(          # every refused attempt is logged
        (who.user, who.role, f"refused: {action}") for who in (VIEWER, PLANNER)
        for action in ("load slate", "edit table", "bring back slate", "load slate"))
    store.edit_table("productions", renamed, source="edit", actor=ADMIN)
    store.bring_back(1, actor=ADMIN)
    log = store.audit()
    log = log[~log["action"].str.startswith("refused: ")]
    assert log[["user", "role", "action"]].values.tolist() == [
        ["boss@studio.test", "admin", "bring back slate"], ["boss@studio.test", "admin", "edit table"],
        ["boss@studio.test", "admin", "load slate"]]
    assert log["detail"].iloc[-1].startswith("rows: productions 20, phases ")


def test_a_store_method_checks_its_own_action_whatever_the_caller_asks(tmp_path):
    """A planner may optimize, but cannot have a table replaced by calling it an optimization."""
    store = Store(tmp_path / "slate.duckdb")
    store.load(SAMPLE, actor=ADMIN)
    data = store.slate()
    before = snapshot(store)
    renamed = data.productions.assign(title="Renamed")
    for call in (lambda: store.replace_table("productions", renamed, source="x", actor=PLANNER, action="optimize"),
                 lambda: store.load(SAMPLE, actor=PLANNER, action="optimize"),
                 lambda: store.save(data, source="x", actor=PLANNER, action="optimize")):
        with pytest.raises(TypeError):
            call()
    for call in (lambda: store.replace_table("productions", renamed, source="x", actor=PLANNER),
                 lambda: store.edit_table("productions", renamed, source="x", actor=PLANNER),
                 lambda: store.restore(SAMPLE, actor=PLANNER)):
        with pytest.raises(Forbidden, match="admin role"):
            call()
    assert snapshot(store) == before
    assert [a for _, _, a in refusals(store.audit())] == ["refused: restore slate", "refused: edit table",
                                                          "refused: replace table"]


def test_planners_change_their_own_scenarios_admins_anyones_viewers_none(tmp_path):
    store = ScenarioStore(tmp_path / "s.duckdb")
    with pytest.raises(Forbidden, match="planner role"):
        store.save(Scenario("viewer's"), actor=VIEWER)
    store.save(Scenario("ana's", note="v1"), actor=PLANNER)
    other = Actor("ben@studio.test", "planner")
    before = store.list().to_dict("records")
    with pytest.raises(Forbidden, match=r"only its author \(ana@studio.test\) or an admin"):
        store.save(Scenario("ana's", note="ben's"), actor=other, replace=True)
    with pytest.raises(Forbidden):
        store.rename("ana's", "ben's now", actor=other)
    with pytest.raises(Forbidden):
        store.delete("ana's", actor=other)
    with pytest.raises(Forbidden):
        store.delete("ana's", actor=VIEWER)
    assert store.list().to_dict("records") == before                           # nothing changed
    assert refusals(store.audit()) == [                                         # newest first, each logged
        ["intern@studio.test", "viewer", "refused: delete"], ["ben@studio.test", "planner", "refused: delete"],
        ["ben@studio.test", "planner", "refused: rename"], ["ben@studio.test", "planner", "refused: save"],
        ["intern@studio.test", "viewer", "refused: save"]]
    store.save(Scenario("ana's", note="v2"), actor=PLANNER, replace=True)      # her own: fine
    store.rename("ana's", "Ana's plan", actor=ADMIN)                           # an admin: anyone's
    store.delete("Ana's plan", actor=ADMIN)
    with pytest.raises(Forbidden):
        store.undo_replace("Ana's plan", actor=other)
    store.undo_replace("Ana's plan", actor=PLANNER)
    assert store.list()["created_by"].tolist() == ["ana@studio.test"]         # the author is the signed-in user
    log = store.audit()
    log = log[~log["action"].str.startswith("refused: ")]
    assert log[["user", "action", "target"]].values.tolist()[::-1] == [
        ["ana@studio.test", "save scenario", "ana's"], ["ana@studio.test", "replace scenario", "ana's"],
        ["boss@studio.test", "rename scenario", "Ana's plan"], ["boss@studio.test", "delete scenario", "Ana's plan"],
        ["ana@studio.test", "undo scenario", "Ana's plan"]]


def test_sign_in_needs_a_cookie_secret_and_decides_where_the_app_listens():
    assert serving_address({}, allow_network=False) == "127.0.0.1"
    assert serving_address({}, allow_network=True) == "0.0.0.0"
    assert serving_address({"auth": {"cookie_secret": "x" * 32}}, allow_network=False) == "0.0.0.0"
    with pytest.raises(ValueError, match="cookie_secret is missing"):
        serving_address({"auth": {"client_id": "x"}}, allow_network=False)
    with pytest.raises(ValueError, match="example or shorter"):
        serving_address({"auth": {"cookie_secret": "change-me: a long random string"}}, allow_network=False)


def test_without_sign_in_the_app_listens_on_this_computer_only(tmp_path):
    env = {"SLATE_STORE": str(tmp_path / "slate.duckdb"), "SLATE_SCENARIOS": str(tmp_path / "s.duckdb"),
           "SLATE_PRECOMPUTE": "0", "PATH": "/usr/bin:/bin"}
    log = tmp_path / "app.log"
    with held_port() as port:                        # held until the server listens on it
        proc = subprocess.Popen([sys.executable, "-m", "planning.cli", "app", "--port", str(port)], cwd=ROOT,
                                env={**env, "HOME": str(tmp_path)}, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                start_new_session=True)       # `slate app` and the server it starts
        try:
            addresses = wait_listening(proc, port, 60, log)
            assert addresses and set(addresses) <= {"127.0.0.1"}, addresses   # not 0.0.0.0, not ::
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    assert "single-user mode: only this computer can open" in log.read_text()


def test_a_sign_in_lasts_a_working_day_and_ends_on_sign_out(tmp_path):
    from planning.access import SESSION_HOURS, session_ended, session_id

    now = 1_800_000_000.0
    fresh = claims("ana@studio.test", iat=now - 60)
    assert not session_ended(fresh, {}, now)
    assert session_ended(claims("ana@studio.test", iat=now - SESSION_HOURS * 3600 - 1), {}, now)
    assert not session_ended(claims("ana@studio.test", iat=now - 3 * 3600), {"session_hours": 4}, now)
    assert session_ended(claims("ana@studio.test"), {}, now)                       # no issue time: fail closed
    assert session_ended(claims("ana@studio.test", iat=now + 3600), {}, now)       # issued in the future
    store = Store(tmp_path / "slate.duckdb")
    assert not store.signed_out(session_id(fresh))
    store.sign_out(session_id(fresh), "ana@studio.test")
    assert store.signed_out(session_id(fresh))
    assert not store.signed_out(session_id(claims("ana@studio.test", iat=now)))   # her next sign-in is fine
    store.refused("mallory@studio.test", "sign in", "the identity provider has not verified mallory@studio.test")
    log = store.audit()
    assert log[["user", "action"]].values.tolist() == [["mallory@studio.test", "refused: sign in"],
                                                        ["ana@studio.test", "sign out"]]


# --- Identity: issuer + subject, not the email ---------------------------------------------------------

ISSUER_A, ISSUER_B = "https://idp-a.test", "https://idp-b.test"


def account(issuer: str, sub: str, email: str = "ana@studio.test", **extra) -> dict:
    return {"iss": issuer, "sub": sub, "email": email, "email_verified": True, "iat": time.time(), **extra}


def test_the_identity_is_issuer_and_subject_and_the_email_is_for_display_and_roles():
    from planning.access import identity

    ana = signed_in(account(ISSUER_A, "123", "Ana@Studio.TEST"), ROLES)
    twin = signed_in(account(ISSUER_B, "123"), ROLES)                # same email and subject, another provider
    other_sub = signed_in(account(ISSUER_A, "456"), ROLES)           # same provider and email, another account
    assert ana.id == identity(account(ISSUER_A, "123")) == "https://idp-a.test#123"
    assert ana.user == twin.user == other_sub.user == "ana@studio.test" and ana.role == twin.role == "planner"
    assert len({ana.id, twin.id, other_sub.id}) == 3 and ana != twin
    assert identity({"iss": ISSUER_A}) == "" and identity({"sub": "1"}) == ""


def test_a_second_account_with_the_same_email_cannot_change_the_first_ones_scenario(tmp_path):
    """Two accounts, one email: the one at another issuer (or with another subject) is not the author."""
    store = ScenarioStore(tmp_path / "s.duckdb")
    ana = signed_in(account(ISSUER_A, "123"), ROLES)
    store.save(Scenario("ana's", note="v1"), actor=ana)
    store.save(Scenario("ana's", note="v2"), actor=ana, replace=True)          # a kept version to undo
    before = store.list().to_dict("records")
    for twin in (signed_in(account(ISSUER_B, "123"), ROLES), signed_in(account(ISSUER_A, "999"), ROLES)):
        assert twin.user == ana.user
        with pytest.raises(Forbidden, match="another account with the same email"):
            store.delete("ana's", actor=twin)
        with pytest.raises(Forbidden, match=r"only its author \(ana@studio.test at https://idp-a.test"):
            store.rename("ana's", "mine now", actor=twin)
        with pytest.raises(Forbidden):
            store.save(Scenario("ana's", note="overwritten"), actor=twin, replace=True)
        with pytest.raises(Forbidden):
            store.undo_replace("ana's", actor=twin)
        from planning.access import Owner

        assert not twin.may("delete scenario", owner=Owner(ana.user, ana.id))    # what the page asks
        assert twin.may("delete scenario", owner=Owner(ana.user))      # a row from before ids: by its email
    assert store.list().to_dict("records") == before                           # nothing changed
    row = store.list().iloc[0]
    assert (row["created_by"], row["created_by_id"], row["saved_by_id"]) == ("ana@studio.test", ana.id, ana.id)
    store.rename("ana's", "Ana's plan", actor=ana)                             # she still may
    store.delete("Ana's plan", actor=ana)
    assert store.list().empty


def test_every_audit_row_carries_the_identity_as_well_as_the_name(tmp_path):
    ana = signed_in(account(ISSUER_A, "123"), ROLES)
    twin = signed_in(account(ISSUER_B, "123"), ROLES)
    boss = signed_in(account(ISSUER_A, "7", "boss@studio.test"), ROLES)
    scenarios = ScenarioStore(tmp_path / "s.duckdb")
    scenarios.save(Scenario("ana's"), actor=ana)
    with pytest.raises(Forbidden):
        scenarios.delete("ana's", actor=twin)
    log = scenarios.audit()
    assert log[["user", "user_id", "action"]].values.tolist() == [
        ["ana@studio.test", "https://idp-b.test#123", "refused: delete"],
        ["ana@studio.test", "https://idp-a.test#123", "save scenario"]]
    slate = Store(tmp_path / "slate.duckdb")
    slate.load(SAMPLE, actor=boss)
    with pytest.raises(Forbidden):
        slate.load(SAMPLE, actor=ana)
    slate.sign_out("session 1", ana.user, ana.id)
    slate.refused("mallory@studio.test", "sign in", "not verified", user_id="https://idp-a.test#666")
    log = slate.audit()
    assert log[["user", "user_id", "action"]].values.tolist() == [
        ["mallory@studio.test", "https://idp-a.test#666", "refused: sign in"],
        ["ana@studio.test", "https://idp-a.test#123", "sign out"],
        ["ana@studio.test", "https://idp-a.test#123", "refused: load slate"],
        ["boss@studio.test", "https://idp-a.test#7", "load slate"]]


# The tables as the releases before identities made them (emails only), rows and all.
OLD_SCENARIOS = [
    """CREATE TABLE scenarios (name VARCHAR PRIMARY KEY, base_hash VARCHAR, overrides VARCHAR, summary VARCHAR,
       note VARCHAR, created_by VARCHAR, created_at TIMESTAMP, saved_by VARCHAR, saved_at TIMESTAMP)""",
    "CREATE TABLE scenario_results (name VARCHAR, part VARCHAR, payload BLOB)",
    """CREATE TABLE scenario_versions (version INTEGER, replaced_at TIMESTAMP, replaced_by VARCHAR, name VARCHAR,
       base_hash VARCHAR, overrides VARCHAR, summary VARCHAR, note VARCHAR, created_by VARCHAR, created_at TIMESTAMP,
       saved_by VARCHAR, saved_at TIMESTAMP)""",
    "CREATE TABLE scenario_version_results (version INTEGER, part VARCHAR, payload BLOB)",
    """CREATE TABLE audit ("at" TIMESTAMP, "user" VARCHAR, role VARCHAR, action VARCHAR, target VARCHAR,
       detail VARCHAR)""",
    """INSERT INTO scenarios VALUES ('ana''s old', '', '{}', '{}', 'v2', 'ana@studio.test', TIMESTAMP '2025-01-02',
       'ana@studio.test', TIMESTAMP '2025-01-03')""",
    """INSERT INTO scenario_versions VALUES (1, TIMESTAMP '2025-01-03', 'ana@studio.test', 'ana''s old', '', '{}',
       '{}', 'v1', 'ana@studio.test', TIMESTAMP '2025-01-02', 'ana@studio.test', TIMESTAMP '2025-01-02')""",
    """INSERT INTO audit VALUES (TIMESTAMP '2025-01-03', 'ana@studio.test', 'planner', 'replace scenario',
       'ana''s old', '0 result tables')""",
]


def test_a_store_made_before_identities_opens_and_its_old_scenarios_keep_their_authors(tmp_path):
    """The id columns are added in place; an old row (no id) is matched by its email, as documented."""
    import duckdb

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        for sql in OLD_SCENARIOS:
            con.execute(sql)
    store = ScenarioStore(path)
    old = store.list().iloc[0]
    assert (old["name"], old["created_by"], old["created_by_id"], old["note"]) == ("ana's old", "ana@studio.test", "",
                                                                                  "v2")
    assert store.audit()[["user", "user_id", "action"]].values.tolist() == [["ana@studio.test", "", "replace scenario"]]
    ana, ben = signed_in(account(ISSUER_A, "123"), ROLES), signed_in(account(ISSUER_A, "9", "ben@studio.test"), ROLES)
    with pytest.raises(Forbidden, match=r"only its author \(ana@studio.test\)"):
        store.delete("ana's old", actor=ben)
    store.undo_replace("ana's old", actor=ana)             # her old scenario, by its email: the kept v1 is back
    assert store.list()[["note", "created_by", "created_by_id"]].values.tolist() == [["v1", "ana@studio.test", ""]]
    store.save(Scenario("ana's old", note="v3"), actor=ana, replace=True)
    store.save(Scenario("ana's new"), actor=ana)
    rows = store.list().set_index("name")
    assert rows.at["ana's old", "created_by_id"] == "" and rows.at["ana's old", "saved_by_id"] == ana.id
    assert rows.at["ana's new", "created_by_id"] == ana.id
    assert store.audit()["user_id"].tolist() == [ana.id, ana.id, ana.id, ben.id, ""]    # the old row: no id
    ScenarioStore(path)                                    # opening it again changes nothing
    assert len(store.list()) == 2

    slate_path = tmp_path / "old-slate.duckdb"
    with duckdb.connect(str(slate_path)) as con:
        con.execute(OLD_SCENARIOS[4])
        con.execute("""INSERT INTO audit VALUES (TIMESTAMP '2025-01-01', 'boss@studio.test', 'admin', 'load slate',
                       'data/sample', 'rows: productions 20')""")
    slate = Store(slate_path)
    slate.load(SAMPLE, actor=signed_in(account(ISSUER_A, "7", "boss@studio.test"), ROLES))
    assert slate.audit()[["user", "user_id", "action"]].values.tolist() == [
        ["boss@studio.test", "https://idp-a.test#7", "load slate"], ["boss@studio.test", "", "load slate"]]


# --- Role rules below the page: every action for every role, two roles, domains and emails ----------

LEAST_ROLE = {                  # written out by hand from the roles in the module docstring and README
    "load slate": "admin", "replace table": "admin", "edit table": "admin", "restore slate": "admin",
    "bring back slate": "admin",
    "optimize": "planner", "save scenario": "planner", "replace scenario": "planner", "rename scenario": "planner",
    "delete scenario": "planner", "undo scenario": "planner", "adopt plan": "planner",
}
RANK = {"viewer": 0, "planner": 1, "admin": 2}


def test_every_action_is_allowed_from_its_role_up_and_refused_below_it_with_a_clear_message():
    from planning.access import ACTIONS, require

    assert set(ACTIONS) == set(LEAST_ROLE)                   # a new action is added here, with its role
    for action, least in LEAST_ROLE.items():
        for role, rank in RANK.items():
            actor = Actor(f"{role}@studio.test", role)
            allowed = rank >= RANK[least]
            assert actor.may(action) is allowed, (role, action)
            if allowed:
                require(actor, action)                        # no error
                continue
            with pytest.raises(Forbidden) as refused:
                require(actor, action)
            assert str(refused.value) == (f"{role}@studio.test ({role}) may not {action}: it takes the {least} "
                                          "role; nothing was changed")


def test_a_viewer_may_not_optimize_nor_save_and_a_planner_may_not_load():
    assert not VIEWER.may("optimize") and not VIEWER.may("save scenario") and not VIEWER.may("adopt plan")
    assert PLANNER.may("optimize") and PLANNER.may("adopt plan") and not PLANNER.may("load slate")
    assert ADMIN.may("load slate") and ADMIN.may("optimize")


def test_own_only_actions_a_planner_on_her_own_an_admin_on_anyones_a_viewer_on_none():
    from planning.access import OWN_ONLY, Owner, require

    assert OWN_ONLY == {"replace scenario", "rename scenario", "delete scenario", "undo scenario"}
    ana = Actor("ana@studio.test", "planner", id="https://idp.test#ana")
    ben = Actor("ben@studio.test", "planner", id="https://idp.test#ben")
    hers = Owner("ana@studio.test", "https://idp.test#ana")
    for action in sorted(OWN_ONLY):
        assert ana.may(action, hers) and ana.may(action) and ADMIN.may(action, hers)
        assert not ben.may(action, hers) and not VIEWER.may(action, hers)
        with pytest.raises(Forbidden) as refused:
            require(ben, action, hers)
        assert str(refused.value) == (f"ben@studio.test (planner) may not {action}: only its author "
                                      "(ana@studio.test) or an admin may; nothing was changed")
        with pytest.raises(Forbidden) as refused:                 # a viewer: the role, not the author, is told
            require(Actor("ana@studio.test", "viewer", id="https://idp.test#ana"), action, hers)
        assert str(refused.value).endswith("it takes the planner role; nothing was changed")
    assert ben.may("save scenario", hers) and ben.may("optimize", hers)      # not own-only: anyone's


def test_ownership_is_the_id_and_the_email_only_for_rows_from_before_ids():
    from planning.access import Owner, issuer_of

    ana = Actor("ana@studio.test", "planner", id="https://idp.test#1")
    assert ana.owns(Owner("someone@else.test", "https://idp.test#1"))         # the id decides
    assert not ana.owns(Owner("ana@studio.test", "https://idp.test#2"))
    assert ana.owns(Owner("ana@studio.test")) and not ana.owns(Owner("ben@studio.test"))
    assert Actor("ana", "viewer").id == "name:ana" and Actor("ana", "viewer", id="x").id == "x"
    assert Owner.of(float("nan"), None) == Owner("", "") and Owner.of("ana", "idp#1") == Owner("ana", "idp#1")
    assert issuer_of("https://idp.test#1") == "https://idp.test"
    assert issuer_of("name:ana") == "" and issuer_of("local:0") == "" and issuer_of("abc#def") == ""
    assert issuer_of("https://idp.test#sub#with#hashes") == "https://idp.test"      # the first # ends it


@pytest.mark.parametrize("lower, higher", [("viewer", "planner"), ("planner", "admin"), ("viewer", "admin")])
def test_a_person_listed_under_two_roles_gets_the_higher_one_in_any_order(lower, higher):
    for roles in ({lower: ["ana@studio.test"], higher: ["ana@studio.test"]},
                  {higher: ["ana@studio.test"], lower: ["ana@studio.test"]}):
        assert role_for("ana@studio.test", roles) == higher
        assert role_for("ben@studio.test", {k: ["@studio.test"] for k in roles}) == higher      # by domain too
    three = {"viewer": ["ana@studio.test"], "planner": ["ana@studio.test"], "admin": ["ana@studio.test"]}
    assert role_for("ana@studio.test", three) == "admin"


def test_an_exact_email_wins_over_its_domain_whichever_is_higher():
    assert role_for("ana@studio.test", {"admin": ["@studio.test"], "viewer": ["ana@studio.test"]}) == "viewer"
    assert role_for("ana@studio.test", {"viewer": ["@studio.test"], "admin": ["ana@studio.test"]}) == "admin"
    assert role_for("ben@studio.test", {"admin": ["@studio.test"], "viewer": ["ana@studio.test"]}) == "admin"
    assert role_for("ana@studio.test.evil", {"admin": ["@studio.test"]}) == "viewer"        # the whole domain
    assert role_for("ana@sub.studio.test", {"admin": ["@studio.test"]}) == "viewer"
    assert role_for("studio.test", {"admin": ["@studio.test"]}) == "viewer"                  # no @: no domain
    for listed in (["@studio.test"], ["@evil.test"], ["evil.test@studio.test"]):    # two @: all after the first
        assert role_for("ana@evil.test@studio.test", {"admin": listed}) == "viewer"
    assert role_for("ana@evil.test@studio.test", {"admin": ["@evil.test@studio.test"]}) == "admin"


def test_listed_entries_are_normalised_like_the_email_and_a_list_is_needed():
    assert role_for("ana@studio.test", {"admin": ["  ANA@Studio.Test "]}) == "admin"
    assert role_for("ana@studio.test", {"admin": ["@STUDIO.test"]}) == "admin"
    assert role_for("ANA@studio.test ", {"admin": ("ana@studio.test",)}) == "admin"          # a tuple is a list
    assert role_for("ana@studio.test", {"admin": "ana@studio.test"}) == "viewer"             # a string is not
    assert role_for("ana@studio.test", {"admin": {"ana@studio.test"}}) == "viewer"           # nor a set
    assert role_for("ana@studio.test", {"admin": None, "planner": ["ana@studio.test"]}) == "planner"
    assert role_for("ana@studio.test", {"default": "planner"}) == "planner"
    assert role_for("ana@studio.test", {"default": "admin"}) == "admin"
    assert role_for("ana@studio.test", {}) == "viewer"
    assert role_for("ana@studio.test", {"default": "none"}) is None
    assert role_for("ana@studio.test", {"default": "Viewer"}) is None                       # not a role: nobody


def test_sign_in_claims_edges():
    from planning.access import normalise

    assert normalise(None) == "" and normalise("") == "" and normalise(" \uff21na@X.test ") == "ana@x.test"
    assert signed_in(claims("ana@studio.test", email_verified="true"), ROLES).role == "planner"
    with pytest.raises(Refused, match="not verified"):
        signed_in(claims("ana@studio.test", email_verified="yes"), ROLES)
    with pytest.raises(Refused, match="not verified"):
        signed_in(claims("ana@studio.test", email_verified=None), ROLES, {"require_verified_email": True})
    assert signed_in(claims("boss@studio.test"), ROLES, None).role == "admin"
    with pytest.raises(Refused) as refused:
        signed_in(claims("x@else.test"), {"default": "none"})
    assert str(refused.value) == "x@else.test is not on this studio's list of users; ask an admin to add you"
    with pytest.raises(Refused) as refused:
        signed_in({"iss": "https://idp.test", "sub": "1", "email": "ana"}, ROLES)
    assert str(refused.value) == "your account has no email address at the identity provider; ask it to share one"
    with pytest.raises(Refused) as refused:
        signed_in({"iss": "https://idp.test", "sub": "1", "email": "Ana@x.test", "email_verified": False}, ROLES)
    assert str(refused.value) == "the identity provider has not verified Ana@x.test"
    with pytest.raises(Refused) as refused:
        signed_in({"sub": "1", "email": "ana@x.test", "email_verified": True}, ROLES)
    assert str(refused.value) == "the identity provider's answer names no issuer or subject"
    with pytest.raises(Refused) as refused:
        signed_in(claims("\u212aate@studio.test"), ROLES)
    assert str(refused.value) == ("'\u212aate@studio.test' contains characters that stand for others (Unicode "
                                  "compatibility forms); sign in with the plain address")


def test_a_sign_in_ends_exactly_after_its_hours_with_five_minutes_for_clock_skew():
    from planning.access import SESSION_HOURS, session_ended, session_hours, session_id

    assert SESSION_HOURS == 12.0 and session_hours(None) == 12.0 and session_hours({"session_hours": 2}) == 2.0
    now = 1_800_000_000.0
    at = lambda iat: {"iat": iat}                                              # noqa: E731
    assert not session_ended(at(now - 12 * 3600), None, now)                  # the last second of the day
    assert session_ended(at(now - 12 * 3600 - 1), None, now)
    assert not session_ended(at(now - 2 * 3600), {"session_hours": 2}, now)
    assert session_ended(at(now - 2 * 3600 - 0.5), {"session_hours": 2}, now)
    assert not session_ended(at(now + 300), {}, now)                           # issued 5 minutes ahead: skew
    assert session_ended(at(now + 301), {}, now)
    assert not session_ended(at(str(int(now))), {}, now)                      # a number as text is read
    assert session_ended(at("soon"), {}, now) and session_ended({}, {}, now)
    assert session_id({"iss": "i", "sub": "s", "iat": 5}) == "i s 5"


def test_start_up_refuses_each_faulty_setting_and_accepts_each_edge():
    ok = {"auth": {"cookie_secret": "k" * 32}}
    assert config_problems(ok) == [] and config_problems({"roles": {"admin": 1}}) == []      # no [auth]: no check
    for roles in ({"default": "none"}, {"default": "admin"}, {"admin": []}, {"viewer": ("a@b.test",)}):
        assert config_problems({**ok, "roles": roles}) == []
    for access in ({"session_hours": 720}, {"session_hours": 0.5}, {"require_verified_email": False}):
        assert config_problems({**ok, "access": access}) == []
    told = {
        "[access] session_hours must be a number of hours between 0 and 720": [
            {"session_hours": 0}, {"session_hours": 720.5}, {"session_hours": True}, {"session_hours": "12"}],
        "[access] require_verified_email must be true or false": [{"require_verified_email": 1}],
        "[access] allow is not a setting (only require_verified_email, session_hours)": [{"allow": True}],
    }
    for message, cases in told.items():
        for access in cases:
            assert config_problems({**ok, "access": access}) == [message], access
    assert config_problems({**ok, "roles": {"planner": ["ok@x.test", "  "]}}) == [
        '[roles] planner must be a list of emails or @domains, e.g. planner = ["ana@studio.com"]']
    assert config_problems({**ok, "roles": {"boss": []}}) == [
        "[roles] boss is not a role (use viewer, planner, admin or default)"]
    assert config_problems({**ok, "roles": {"default": "all"}}) == [
        "[roles] default = 'all': use viewer, planner, admin or none"]
    assert config_problems({"auth": {}}) == ["[auth] cookie_secret is missing"]
    assert config_problems({"auth": {"cookie_secret": "x" * 31 + "\u00e9"}}) == []            # 33 bytes
    assert config_problems({"auth": {"cookie_secret": "x" * 31}}) == [
        "[auth] cookie_secret is the example or shorter than 32 bytes: set a random one (python -c 'import "
        "secrets; print(secrets.token_hex(32))')"]


def test_a_uid_without_a_user_name_is_named_by_its_number(monkeypatch):
    import pwd

    def no_entry(uid):
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    assert local_operator() == Actor(f"uid {os.getuid()}", "admin", id=f"local:{os.getuid()}")
