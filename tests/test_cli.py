"""The command line as a user meets it: one clear line for every mistake, exit 1 (2 for a bad
argument), never a traceback; no solver banner unless ``--verbose``."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from planning.cli import main

from conftest import ROOT, SAMPLE
from factory import demand, frames, phase, production, resource, two_shoots_on_one_crew


@pytest.fixture
def tiny(tmp_path):
    """Two shoots on one crew of one, as CSV files."""
    return two_shoots_on_one_crew(tmp_path / "tiny")


def run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:               # argparse ends a bad command line itself
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, code, said", [
    (["solve", "/no/such/slate", "--out", "OUT"], 1, "slate: no data folder at /no/such/slate"),
    (["solve", "DATA", "--out", "OUT", "--time-limit", "-3"], 2, "argument --time-limit: must be more than 0 seconds"),
    (["solve", "DATA", "--out", "OUT", "--gap", "2"], 2, "argument --gap: must be at least 0 and below 1"),
    (["cashflow", "DATA", "--out", "y.pdf"], 2, "argument --out: must end in .csv or .xlsx, got 'y.pdf'"),
    (["scenario", "run", "DATA", "--name", "x", "--stages", "30000:abc"], 2,
     "--stages: 'abc' is not a number, in '30000:abc'"),
    (["scenario", "run", "DATA", "--name", "x", "--slip", "P05"], 2, "--slip expects PRODUCTION:WEEKS, got 'P05'"),
    (["conflicts", "DATA", "--out", "FILE/sub"], 1, "slate: cannot write or read FILE/sub: Not a directory"),
    (["risk", "DATA", "--out", "OUT", "--samples", "0"], 2, "argument --samples: must be at least 1, got 0"),
    (["risk", "DATA", "--out", "OUT", "--threshold", "1.5"], 2, "argument --threshold: must be from 0 to 1, got 1.5"),
    (["risk", "DATA", "--out", "OUT", "--workers", "two"], 2, "argument --workers: expected a whole number, got 'two'"),
    (["risk", "DATA", "--out", "OUT", "--plan", "/no/such/plan"], 1, "/no/such/plan holds no schedule.parquet"),
])
def test_each_mistake_is_one_clear_line(argv, code, said, tiny, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    swap = {"DATA": str(tiny), "OUT": str(tmp_path / "out"), "FILE/sub": str(blocker / "sub")}
    argv = [swap.get(a, a) for a in argv]
    said = said.replace("FILE/sub", str(blocker / "sub"))
    got, out, err = run(argv + ["--store", str(tmp_path / "s.duckdb")] if argv[0] == "scenario" else argv, capsys)
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], err
    assert "Traceback" not in err + out


def test_a_bad_date_is_told_once(capsys, tmp_path):
    folder = tmp_path / "slate"
    folder.mkdir()
    for name in ("productions", "phases", "phase_links", "resources", "resource_calendar", "demands",
                 "budget_lines", "incentives"):
        pd.read_parquet(SAMPLE / f"{name}.parquet").to_parquet(folder / f"{name}.parquet")
    settings = pd.read_parquet(SAMPLE / "settings.parquet").astype(str)
    settings.loc[0, "horizon_start"] = "2027-02-30"
    settings.to_csv(folder / "settings.csv", index=False)
    phases = pd.read_parquet(SAMPLE / "phases.parquet").astype(str)
    locked = phases.index[phases["locked"] == "True"][0]
    phases.loc[locked, "planned_start"] = "2027-02-30"
    (folder / "phases.parquet").unlink()
    phases.to_csv(folder / "phases.csv", index=False)
    code, _, err = run(["validate", str(folder)], capsys)
    assert code == 1
    assert err.splitlines()[0] == "2 problems in the slate data:", err        # no follow-on from either date
    assert "settings[row 1].horizon_start: expected date, got '2027-02-30'" in err
    assert "planned_start: expected date, got '2027-02-30'" in err and "NaT" not in err


def test_no_solver_banner_unless_verbose(tiny, tmp_path):
    def solve(*extra):
        done = subprocess.run([sys.executable, "-m", "planning.cli", "solve", str(tiny), "--out", str(tmp_path / "p"),
                               "--time-limit", "5", *extra], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    quiet, loud = solve(), solve("--verbose")
    assert quiet.startswith("best possible plan") and len(quiet.strip().splitlines()) == 1
    assert "HiGHS" not in quiet
    assert "Running HiGHS" in loud and "best possible plan" in loud


def test_scenario_run_never_replaces_without_asking_and_undo_brings_it_back(tiny, tmp_path, capsys):
    store = str(tmp_path / "s.duckdb")
    first = ["scenario", "run", str(tiny), "--name", "more crew", "--capacity", "GE:1", "--time-limit", "5",
             "--store", store]
    assert run(first, capsys)[0] == 0
    code, _, err = run(["scenario", "run", str(tiny), "--name", "more crew", "--no-hire", "--time-limit", "5",
                        "--store", store], capsys)
    assert code == 1 and "already exists" in err and "'more crew (2)'" in err and "--replace" in err
    assert json.loads(run(["scenario", "show", "more crew", "--store", store], capsys)[1])["overrides"]["capacity"]
    assert run(["scenario", "run", str(tiny), "--name", "more crew", "--no-hire", "--time-limit", "5", "--replace",
                "--store", store], capsys)[0] == 0
    shown = json.loads(run(["scenario", "show", "more crew", "--store", store], capsys)[1])
    assert shown["overrides"]["hire_allowed"] is False and shown["overrides"]["capacity"] == []
    code, out, _ = run(["scenario", "undo", "more crew", "--store", store], capsys)
    assert code == 0 and "brought back" in out
    shown = json.loads(run(["scenario", "show", "more crew", "--store", store], capsys)[1])
    assert shown["overrides"]["capacity"][0]["delta"] == 1 and shown["overrides"]["hire_allowed"] is True


def test_the_command_line_acts_as_the_local_admin_and_is_in_the_audit_log(tiny, tmp_path, capsys):
    import getpass

    store = str(tmp_path / "s.duckdb")
    assert run(["scenario", "run", str(tiny), "--name", "a", "--time-limit", "5", "--store", store], capsys)[0] == 0
    assert run(["scenario", "run", str(tiny), "--name", "a", "--no-hire", "--replace", "--time-limit", "5",
                "--store", store], capsys)[0] == 0
    code, out, _ = run(["audit", "--store", store, "--slate-store", str(tmp_path / "slate.duckdb")], capsys)
    assert code == 0
    rows = [line for line in out.splitlines()[1:] if line.strip()]
    assert len(rows) == 2 and all(getpass.getuser() in r and " admin " in r for r in rows)
    assert "replace scenario" in rows[0] and "save scenario" in rows[1]              # newest first


def test_risk_writes_every_table_and_the_same_seed_gives_the_same_files(tmp_path, capsys):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((first, "3"), (again, "3"), (other, "4")):
        code, said, err = run(["risk", str(SAMPLE), "--samples", "200", "--seed", seed, "--out", str(out)], capsys)
        assert code == 0, err
    assert "200 samples (plan: as planned)" in said and "top risk:" in said
    for table in ("money", "deliveries", "cash_fan", "risks", "overbooking", "samples"):
        assert (first / f"{table}.csv").read_bytes() == (again / f"{table}.csv").read_bytes()
        assert (first / f"{table}.parquet").exists()
    assert (first / "samples.csv").read_bytes() != (other / "samples.csv").read_bytes()
    summary = json.loads((first / "summary.json").read_text())
    assert (summary["samples"], summary["seed"], summary["replan"]) == (200, 3, False)
    money = pd.read_csv(first / "money.csv").set_index("key")
    assert summary["peak_funding_need"]["p90"] == pytest.approx(money.at["peak_need", "p90"])
    assert len(pd.read_csv(first / "deliveries.csv")) == 20 and len(pd.read_csv(first / "samples.csv")) == 200
    about = pd.read_excel(first / "risk.xlsx", sheet_name="About")["about"].tolist()
    assert about[0] == "Slate Planner risk" and "200 samples, seed 3" in about


def test_risk_samples_the_plan_it_is_given(tmp_path, capsys, sample_data):
    """Every phase still to start ten weeks later than the plan as planned (from the report date): a
    production delivers ten weeks later at the median, unless it has a phase running whose length is
    drawn (a shoot or post with a range: P02, P03, P05): that phase stays where it is, so the ten weeks
    also absorb some of its sampled overrun, and it delivers later by ten weeks at most."""
    from planning.plan import as_planned

    plan_dir = tmp_path / "later"
    plan_dir.mkdir()
    later = as_planned(sample_data).schedule
    later["start_week"] += 10                                # started phases stay at their actual weeks
    later[["production_id", "phase_id", "start_week"]].to_csv(plan_dir / "schedule.csv", index=False)
    for out, extra in ((tmp_path / "as-planned", []), (tmp_path / "moved", ["--plan", str(plan_dir)])):
        code, _, err = run(["risk", str(SAMPLE), "--samples", "100", "--out", str(out)] + extra, capsys)
        assert code == 0, err
    a = pd.read_csv(tmp_path / "as-planned" / "deliveries.csv").set_index("production_id")
    b = pd.read_csv(tmp_path / "moved" / "deliveries.csv").set_index("production_id")
    shift = b["p50_week"] - a["p50_week"]
    ph = sample_data.phases
    drawn = ph["actual_start"].notna() & ph["actual_end"].isna() & ph["duration_high_weeks"].notna()
    running = set(ph.loc[drawn, "production_id"])
    assert running == {"P02", "P03", "P05"}
    assert (shift.drop(sorted(running)) == 10).all() and shift[sorted(running)].between(1, 10).all()
    assert json.loads((tmp_path / "moved" / "summary.json").read_text())["plan"] == f"the schedule in {plan_dir}"


def test_app_on_a_port_in_use_says_which_flag_picks_another(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "planning.cli", "app", "--port", str(port)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SLATE_PRECOMPUTE": "0",
                                  "SLATE_STORE": str(tmp_path / "s.duckdb"),
                                  "SLATE_SCENARIOS": str(tmp_path / "sc.duckdb")})
    assert run.returncode == 1
    line = run.stderr.strip()
    assert line.startswith(f"slate: port {port} is already in use") and "Traceback" not in line, line
    assert f"slate app --port {port + 1}" in line, line


def test_a_plan_read_from_a_folder_is_named_by_its_folder(tmp_path, capsys, sample_data):
    """``--plan out/plan`` is "the schedule in out/plan" wherever the plan is named (never "plan in plan")."""
    from planning.data.inputs import planned_schedule

    plan_dir = tmp_path / "out" / "plan"
    plan_dir.mkdir(parents=True)
    planned_schedule(sample_data)[["production_id", "phase_id", "start_week"]].to_csv(plan_dir / "schedule.csv", index=False)
    code, said, err = run(["cashflow", str(SAMPLE), "--plan", str(plan_dir), "--out", str(tmp_path / "cf.xlsx")], capsys)
    assert code == 0, err
    assert said.startswith(f"wrote {tmp_path / 'cf.xlsx'} (plan: the schedule in {plan_dir}; slate ")
    about = pd.read_excel(tmp_path / "cf.xlsx", sheet_name="About")["about"].tolist()
    assert f"plan: the schedule in {plan_dir}" in about and "plan in plan" not in " ".join(map(str, about))
    code, said, err = run(["risk", str(SAMPLE), "--plan", str(plan_dir), "--samples", "50", "--out", str(tmp_path / "r")],
                          capsys)
    assert code == 0, err
    assert said.startswith(f"50 samples (plan: the schedule in {plan_dir}) in ")


def test_schema_prints_the_data_contract_as_documented():
    """``slate schema`` prints docs/data.md exactly (the page is written by ``slate schema > docs/data.md``)."""
    from planning.data.schema import TABLES, to_markdown

    done = subprocess.run([sys.executable, "-m", "planning.cli", "schema"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == (ROOT / "docs" / "data.md").read_text() == to_markdown() + "\n"
    headings = [line for line in done.stdout.splitlines() if line.startswith("## ")]
    assert [h.split("`")[1] for h in headings] == list(TABLES)          # every table, in contract order


def clash_slate(folder, hire_max=None):
    """A and B shoot weeks 0-1 on the one grip crew (a clash: 2 on a crew of 1 for 2 weeks); C shoots
    weeks 4-5 on it alone; A and B also share 2 cameras (2 of 2: no clash). As CSV files."""
    folder.mkdir()
    tables = frames([production("A"), production("B"), production("C")],
                    [phase("A", "shoot", 2, 0), phase("B", "shoot", 2, 0), phase("C", "shoot", 2, 4)],
                    [resource("GE", name="Grip crews", capacity=1, hire_cost_per_week=None if hire_max is None else 5.0,
                              hire_max_units=hire_max),
                     resource("CAM", kind="equipment", name="Cameras", capacity=2)],
                    [demand("A", "shoot", "GE"), demand("B", "shoot", "GE"), demand("C", "shoot", "GE"),
                     demand("A", "shoot", "CAM"), demand("B", "shoot", "CAM")], horizon_weeks=10)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_conflicts_names_the_clash_and_nothing_else(tmp_path, capsys):
    out = tmp_path / "out"
    code, said, err = run(["conflicts", str(clash_slate(tmp_path / "slate")), "--out", str(out)], capsys)
    assert code == 0, err
    assert said.strip() == (f"1 conflicts on 1 resources (2 unit-weeks short) as planned; wrote {out}/conflicts.csv "
                            f"and {out}/utilization.csv")
    found = pd.read_csv(out / "conflicts.csv", dtype={"productions": str})
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["resource_id"], row["name"], row["kind"]) == ("GE", "Grip crews", "crew")
    assert (row["first_week"], row["last_week"], row["weeks"], row["start"]) == (0, 1, 2, "2027-01-04")
    assert (row["peak_demand"], row["capacity"], row["short_by"], row["unit_weeks"]) == (2, 1, 1, 2)
    assert row["productions"] == "A;B" and row["fix"] == "add 1 more Grip crew to the lot"
    util = pd.read_csv(out / "utilization.csv").set_index(["resource_id", "week"])
    assert util.loc[("GE", 0), "shortfall"] == util.loc[("GE", 1), "shortfall"] == 1
    assert util["shortfall"].sum() == 2 and util.loc[("CAM", 0), "demand"] == 2    # cameras full, not short
    assert util.loc[("GE", 4), "demand"] == 1 and util.loc[("GE", 4), "shortfall"] == 0


def test_conflicts_counts_none_where_hire_in_covers_the_clash(tmp_path, capsys):
    out = tmp_path / "out"
    code, said, err = run(["conflicts", str(clash_slate(tmp_path / "slate", hire_max=1)), "--out", str(out)], capsys)
    assert code == 0, err
    assert said.startswith("0 conflicts on 0 resources (0 unit-weeks short) as planned")
    assert pd.read_csv(out / "conflicts.csv").empty
    util = pd.read_csv(out / "utilization.csv").set_index(["resource_id", "week"])
    assert util.loc[("GE", 0), "hired"] == util.loc[("GE", 1), "hired"] == 1 and util["shortfall"].sum() == 0


def test_scenario_adopt_makes_its_plan_the_slates_and_refuses_without_a_note_or_twice(tiny, tmp_path, capsys):
    """Two shoots on one crew of one, hire-in off: the scenario moves one. Adopted from the command
    line (the local admin), the stored slate's planned dates are the scenario's, logged with the note."""
    import getpass

    from planning.data.inputs import planned_schedule
    from planning.data.store import Store
    from planning.access import Actor

    scenarios, slate_store = str(tmp_path / "sc.duckdb"), tmp_path / "slate.duckdb"
    store = Store(slate_store)
    store.load(tiny, actor=Actor("boss@studio.test", "admin"))
    store.close()
    assert run(["scenario", "run", str(tiny), "--name", "one crew", "--no-hire", "--time-limit", "5",
                "--store", scenarios], capsys)[0] == 0
    code, _, err = run(["scenario", "adopt", "one crew", "--store", scenarios, "--slate-store", str(slate_store)], capsys)
    assert code == 2 and "the following arguments are required: --note" in err
    code, out, err = run(["scenario", "adopt", "one crew", "--note", "=1+2 B waits", "--store", scenarios,
                          "--slate-store", str(slate_store)], capsys)
    assert code == 0, err
    assert out.startswith("adopted scenario “one crew” as the slate's plan: planned dates changed for 1 phase; slate ")
    from planning.scenarios.store import ScenarioStore
    wanted = ScenarioStore(scenarios).load("one crew")[1]["schedule"]
    store = Store(slate_store)
    got = planned_schedule(store.slate())
    assert dict(zip(got["production_id"], got["start_week"])) == dict(zip(wanted["production_id"], wanted["start_week"]))
    row = store.adoptions().iloc[0]
    assert (row["user"], row["role"], row["note"]) == (getpass.getuser(), "admin", "=1+2 B waits")
    store.close()
    code, out, err = run(["scenario", "adopt", "one crew", "--note", "again", "--store", scenarios,
                          "--slate-store", str(slate_store)], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "the slate changed since the plan was made (" in err and ": adopt plan, " in err      # made on the slate before
