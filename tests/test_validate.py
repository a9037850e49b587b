"""`slate validate`: a clean sample passes; each kind of broken copy fails naming table, row, column."""

import subprocess
import sys

import pandas as pd
import pytest

from planning.cli import main
from planning.data.store import Store, load_folder
from planning.data.validate import ValidationError

from planning.access import Actor

from conftest import ROOT, SAMPLE
from factory import edit

ADMIN = Actor("ana", "admin")


def read(folder, name):
    return pd.read_parquet(folder / f"{name}.parquet")


def write(folder, name, frame):
    frame.to_parquet(folder / f"{name}.parquet", index=False)


def validate(folder, capsys):
    code = main(["validate", str(folder)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_sample_is_valid_and_cli_exits_zero():
    run = subprocess.run([sys.executable, "-m", "planning.cli", "validate", str(SAMPLE)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "20 productions" in run.stdout


def test_csv_folder_is_accepted(tmp_path, capsys):
    for path in SAMPLE.glob("*.parquet"):
        pd.read_parquet(path).to_csv(tmp_path / f"{path.stem}.csv", index=False)
    code, text = validate(tmp_path, capsys)
    assert code == 0, text
    assert load_folder(tmp_path).phases.equals(load_folder(SAMPLE).phases)


def break_missing_table(d):
    (d / "demands.parquet").unlink()
    return ["demands: required table is missing"]


def break_missing_column(d):
    write(d, "productions", read(d, "productions").drop(columns=["priority"]))
    return ["productions.priority: missing column"]


def break_wrong_type(d):
    ph = read(d, "phases")
    ph["duration_weeks"] = ph["duration_weeks"].astype(str)
    ph.loc[(ph["production_id"] == "P05") & (ph["phase_id"] == "prep"), "duration_weeks"] = "six"
    write(d, "phases", ph)
    return ["phases[P05/prep].duration_weeks: expected int, got 'six'"]


def break_null_required(d):
    pr = read(d, "productions")
    pr.loc[pr["production_id"] == "P04", "title"] = None
    write(d, "productions", pr)
    return ["productions[P04].title: is empty"]


def break_duplicate_key(d):
    res = read(d, "resources")
    write(d, "resources", pd.concat([res, res[res["resource_id"] == "CREW-GE"]], ignore_index=True))
    return ["resources[CREW-GE].resource_id: duplicate key"]


def break_dangling_reference(d):
    dem = read(d, "demands")
    i = dem.index[(dem["production_id"] == "P06") & (dem["resource_id"] == "CREW-GE")][0]
    dem.loc[i, "resource_id"] = "CREW-XX"
    write(d, "demands", dem)
    return [f"demands[row {i + 1}: P06/shoot/CREW-XX].resource_id: unknown resources entry 'CREW-XX'"]


def break_negatives(d):
    ph = read(d, "phases")
    ph.loc[(ph["production_id"] == "P07") & (ph["phase_id"] == "shoot"), "duration_weeks"] = 0
    write(d, "phases", ph)
    res = read(d, "resources")
    res.loc[res["resource_id"] == "EQ-CAM", "capacity"] = -2
    write(d, "resources", res)
    bl = read(d, "budget_lines")
    bl.loc[(bl["production_id"] == "P08") & (bl["account"] == "1400"), "amount"] = -5.0
    write(d, "budget_lines", bl)
    return ["phases[P07/shoot].duration_weeks: must be at least 1 (got 0)",
            "resources[EQ-CAM].capacity: must be at least 0 (got -2)",
            "budget_lines[P08/1400].amount: must be at least 0 (got -5.0)"]


def break_unknown_enum(d):
    ph = read(d, "phases")
    ph.loc[(ph["production_id"] == "P09") & (ph["phase_id"] == "post"), "kind"] = "shooting"
    write(d, "phases", ph)
    return ["phases[P09/post].kind: unknown value 'shooting'"]


def break_cycle(d):
    links = read(d, "phase_links")
    pid = links["production_id"].iloc[0]
    cycle = pd.DataFrame([{"production_id": pid, "before_phase": "delivery", "after_phase": "prep",
                           "min_lag_weeks": 0, "max_lag_weeks": None}]).astype(links.dtypes)
    write(d, "phase_links", pd.concat([links, cycle], ignore_index=True))
    return [f"phase_links[{pid}].after_phase: the links form a cycle: prep -> ", " -> delivery -> prep"]  # named


def break_window(d):
    pr = read(d, "productions")
    pr.loc[pr["production_id"] == "P05", "earliest_start"] = pd.Timestamp("2028-09-04")
    pr.loc[pr["production_id"] == "P05", "latest_start"] = None
    write(d, "productions", pr)
    return ["productions[P05].earliest_start: window too short"]


def break_unservable(d):
    dem = read(d, "demands")
    i = dem.index[(dem["production_id"] == "P04") & (dem["resource_kind"] == "stage")][0]
    dem.loc[i, "min_size"] = 50_000.0
    write(d, "demands", dem)
    return [f"demands[row {i + 1}: P04/shoot].min_size: no stage can serve it"]


def break_not_parquet(d):
    (d / "productions.parquet").write_text("production_id,title\nP01,hello\n")
    return ["productions: cannot read productions.parquet as Parquet"]


def break_truncated(d):
    path = d / "phases.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return ["phases: cannot read phases.parquet as Parquet"]


def break_risks(d):
    risks = read(d, "risks")
    risks.loc[0, "probability"] = 1.5
    risks.loc[1, "delay_low_weeks"] = 9                       # more than its delay_high_weeks
    write(d, "risks", risks)
    first, second = (f"{p}/{n}" for p, n in zip(risks["production_id"][:2], risks["name"][:2]))
    return [f"risks[{first}].probability: must be at most 1 (got 1.5)",
            f"risks[{second}].delay_low_weeks: is more than delay_high_weeks (9 > "]


def break_three_point_durations(d):
    ph = read(d, "phases")
    shoot = ph.index[(ph["production_id"] == "P01") & (ph["phase_id"] == "shoot")][0]
    ph.loc[shoot, "duration_high_weeks"] = 2                 # shorter than the duration
    ph.loc[shoot, "duration_low_weeks"] = 40                 # longer than it
    write(d, "phases", ph)
    return ["phases[P01/shoot].duration_high_weeks: is less than duration_weeks (2 < ",
            "phases[P01/shoot].duration_low_weeks: is more than duration_weeks (40 > "]


def break_greenlit_probability(d):
    pr = read(d, "productions")
    pr.loc[0, "greenlight_probability"] = 0.4                # P01 is greenlit
    write(d, "productions", pr)
    return ["productions[P01].greenlight_probability: a greenlit production goes ahead"]


def break_empty_file(d):
    (d / "resources.parquet").write_bytes(b"")
    return ["resources: resources.parquet is empty (0 bytes)"]


BREAKS = [break_missing_table, break_missing_column, break_wrong_type, break_null_required,
          break_duplicate_key, break_dangling_reference, break_negatives, break_unknown_enum, break_cycle,
          break_window, break_unservable, break_not_parquet, break_truncated, break_empty_file, break_risks,
          break_three_point_durations, break_greenlit_probability]


@pytest.mark.parametrize("breaker", BREAKS, ids=lambda f: f.__name__.removeprefix("break_"))
def test_each_problem_is_named(breaker, sample_copy, capsys):
    expected = breaker(sample_copy)
    code, text = validate(sample_copy, capsys)
    assert code == 1
    assert "Traceback" not in text
    for message in expected:
        assert message in text, f"{message!r} not in:\n{text}"


def test_every_problem_is_reported_at_once(sample_copy, capsys):
    expected = []
    for breaker in (break_wrong_type, break_null_required, break_duplicate_key, break_unknown_enum, break_cycle):
        expected += breaker(sample_copy)
    code, text = validate(sample_copy, capsys)
    assert code == 1
    for message in expected:
        assert message in text


def test_bad_data_exits_one_from_a_real_process(sample_copy):
    break_unservable(sample_copy)
    run = subprocess.run([sys.executable, "-m", "planning.cli", "validate", str(sample_copy)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "no stage can serve it" in run.stderr and "Traceback" not in run.stderr


def test_failed_load_keeps_the_stored_slate(tmp_path, sample_copy):
    store = Store(tmp_path / "s.duckdb")
    good = store.load(SAMPLE, actor=ADMIN)
    before = store.meta()["content_hash"]
    break_cycle(sample_copy)
    with pytest.raises(ValidationError):
        store.load(sample_copy, actor=ADMIN)
    assert store.meta()["content_hash"] == before
    assert store.slate().productions.equals(good.productions)
    store.close()
    reopened = Store(tmp_path / "s.duckdb")  # and it survives a restart
    assert reopened.slate().demands.equals(good.demands)
    reopened.close()


def test_files_without_the_uncertainty_columns_are_still_valid(sample_copy, capsys):
    """status, greenlight_probability and the three-point durations may be left out of a file."""
    for name, cols in (("productions", ["status", "greenlight_probability"]),
                       ("phases", ["duration_low_weeks", "duration_high_weeks"])):
        write(sample_copy, name, read(sample_copy, name).drop(columns=cols))
    (sample_copy / "risks.parquet").unlink()
    code, _ = validate(sample_copy, capsys)
    assert code == 0
    data = load_folder(sample_copy)
    assert data.productions["status"].isna().all() and data.risks.empty


def test_not_a_folder(tmp_path, capsys):
    code, text = validate(tmp_path / "nope", capsys)
    assert code == 1 and text.strip() == f"slate: no data folder at {tmp_path / 'nope'}"      # one line
    (tmp_path / "a-file").write_text("x")
    code, text = validate(tmp_path / "a-file", capsys)
    assert code == 1 and text.strip() == f"slate: {tmp_path / 'a-file'} is a file, not a folder of tables"


# Rules between columns and rows: each at its edge, the last value that passes (the whole slate is
# then clean) and the first that fails (the problem names its table, row and column).

def sample_raw() -> dict:
    from planning.data.store import read_folder

    raw, problems = read_folder(SAMPLE)
    assert not problems
    return {name: None if frame is None else frame.copy() for name, frame in raw.items()}


def where(problems) -> set[tuple[str, str, str]]:
    return {(p.table, p.row, p.column) for p in problems}


def set_cell(raw, table, match: dict, column, value):
    raw[table] = edit(raw, table, match, column, value)[table]


def date(text):
    return None if text is None else pd.Timestamp(text)


def target_delivery(raw, value):          # P04 may start on 2027-01-25
    set_cell(raw, "productions", {"production_id": "P04"}, "target_delivery", date(value))


def keep_phases_of_p04(raw, value):       # value: how many of P04's phases are left (the first ones)
    ph = raw["phases"]
    mine = ph.index[ph["production_id"] == "P04"]
    raw["phases"] = ph.drop(mine[value:])
    kept = set(raw["phases"].loc[raw["phases"]["production_id"] == "P04", "phase_id"])
    for name in ("demands", "budget_lines", "risks"):
        frame = raw[name]
        drop = (frame["production_id"] == "P04") & ~frame["phase_id"].isin(kept)
        raw[name] = frame[~drop.fillna(False)]
    links = raw["phase_links"]
    gone = (links["production_id"] == "P04") & ~(links["before_phase"].isin(kept) & links["after_phase"].isin(kept))
    raw["phase_links"] = links[~gone]
    lines = set(zip(raw["budget_lines"]["production_id"], raw["budget_lines"]["account"]))
    for name in ("actuals", "estimates"):          # the money booked on the lines dropped goes with them
        frame = raw[name]
        raw[name] = frame[[key in lines for key in zip(frame["production_id"], frame["account"])]]


def p01_earliest_start(raw, value):       # P01 is locked; its prep starts on Monday 2026-10-26
    set_cell(raw, "productions", {"production_id": "P01"}, "earliest_start", date(value))


def p01_latest_start(raw, value):
    p01_earliest_start(raw, "2026-10-19")
    set_cell(raw, "productions", {"production_id": "P01"}, "latest_start", date(value))


def p01_prep_weeks(raw, value):           # locked prep 2026-10-26, locked shoot 2026-12-28: 9 weeks apart
    links = raw["phase_links"]                # without links: P01's phases run in listed order
    raw["phase_links"] = links[links["production_id"] != "P01"]
    p01_prep_weeks_linked(raw, value)


def p01_prep_weeks_linked(raw, value):    # the sample's link: prep runs into the shoot within 1 week
    set_cell(raw, "phases", {"production_id": "P01", "phase_id": "prep"}, "duration_weeks", value)


def lock(raw, pid, *phase_ids):
    for phase_id in phase_ids:
        set_cell(raw, "phases", {"production_id": pid, "phase_id": phase_id}, "locked", True)


def p08_min_lag(raw, value):              # shoot_b1 weeks 15-21, post_b1 from week 23: 1 week apart
    lock(raw, "P08", "shoot_b1", "post_b1")
    set_cell(raw, "phase_links", {"production_id": "P08", "before_phase": "shoot_b1", "after_phase": "post_b1"},
             "min_lag_weeks", value)


def p08_second_block(raw, value):         # shoot_b1 ends 2027-06-07; shoot_b2 at most 2 weeks later
    lock(raw, "P08", "shoot_b1", "shoot_b2")
    set_cell(raw, "phases", {"production_id": "P08", "phase_id": "shoot_b2"}, "planned_start", date(value))


def p04_prep_weeks(raw, value):           # prep running since 2027-02-22, shoot locked on 2027-06-14: 16 weeks apart
    lock(raw, "P04", "shoot")
    set_cell(raw, "phases", {"production_id": "P04", "phase_id": "prep"}, "duration_weeks", value)


def stage_hire_cost(raw, value):
    set_cell(raw, "resources", {"resource_id": "STG-01"}, "hire_cost_per_week", value)


def hire_units_without_cost(raw, value):
    set_cell(raw, "resources", {"resource_id": "CREW-GE"}, "hire_cost_per_week", None)
    set_cell(raw, "resources", {"resource_id": "CREW-GE"}, "hire_max_units", value)


def hire_cost_without_units(raw, value):
    set_cell(raw, "resources", {"resource_id": "CREW-GE"}, "hire_max_units", value)


def crew_size(raw, value):
    set_cell(raw, "resources", {"resource_id": "CREW-GE"}, "size", value)


def second_demand_of_p01_prep(raw, value):   # P01's prep already asks for CREW-CON
    dem = raw["demands"]
    row = dem[(dem["production_id"] == "P01") & (dem["phase_id"] == "prep")].iloc[[0]].copy()
    row["resource_id"] = value
    raw["demands"] = pd.concat([dem.iloc[:1], row, dem.iloc[1:]], ignore_index=True)     # as the second row


EDGES = [  # (rule, change, last value that passes, first that fails, (table, row, column) named)
    (target_delivery, "2027-01-25", "2027-01-24", ("productions", "P04", "target_delivery")),
    (keep_phases_of_p04, 1, 0, ("productions", "P04", "production_id")),
    (p01_earliest_start, "2026-10-26", "2026-10-27", ("phases", "P01/prep", "planned_start")),
    (p01_latest_start, "2026-10-26", "2026-10-25", ("phases", "P01/prep", "planned_start")),
    (p01_prep_weeks, 9, 10, ("phases", "P01/shoot", "planned_start")),
    (p01_prep_weeks_linked, 9, 10, ("phase_links", "P01/prep/shoot", "min_lag_weeks")),
    (p01_prep_weeks_linked, 8, 7, ("phase_links", "P01/prep/shoot", "max_lag_weeks")),
    (p08_min_lag, 1, 2, ("phase_links", "P08/shoot_b1/post_b1", "min_lag_weeks")),
    (p08_second_block, "2027-06-21", "2027-06-28", ("phase_links", "P08/shoot_b1/shoot_b2", "max_lag_weeks")),
    (p04_prep_weeks, 16, 17, ("phases", "P04/shoot", "planned_start")),     # the plan from as_of has no week
    (stage_hire_cost, None, 0.0, ("resources", "STG-01", "hire_cost_per_week")),
    (hire_units_without_cost, 0, 1, ("resources", "CREW-GE", "hire_cost_per_week")),
    (hire_cost_without_units, 0, None, ("resources", "CREW-GE", "hire_max_units")),
    (crew_size, None, 0.0, ("resources", "CREW-GE", "size")),
    (second_demand_of_p01_prep, "CREW-CAM", "CREW-CON", ("demands", "row 2: P01/prep/CREW-CON", "resource_id")),
]


@pytest.mark.parametrize("change, passes, fails, named", EDGES, ids=lambda v: getattr(v, "__name__", None))
def test_rules_between_cells_at_their_edge(change, passes, fails, named):
    from planning.data.validate import check

    raw = sample_raw()
    change(raw, passes)
    data, problems = check(raw)
    assert not problems, "\n".join(map(str, problems))
    raw = sample_raw()
    change(raw, fails)
    data, problems = check(raw)
    assert data is None and named in where(problems), "\n".join(map(str, problems))
    told = next(p for p in problems if (p.table, p.row, p.column) == named)
    assert str(told).startswith(f"{named[0]}[{named[1]}].{named[2]}: ") and len(told.message) > 20


def test_a_contradiction_in_a_replaced_table_is_refused_and_nothing_stored_is_lost(tmp_path):
    """Data → Replace one table with a production due before it may start: refused, naming the
    cell; the stored slate (and the file on disk, after a restart) is the one before."""
    store = Store(tmp_path / "s.duckdb")
    good = store.load(SAMPLE, actor=ADMIN)
    before = store.meta()["content_hash"]
    bad = good.productions.copy()
    bad.loc[bad["production_id"] == "P04", "target_delivery"] = pd.Timestamp("2027-01-18")   # a week before start
    with pytest.raises(ValidationError) as refused:
        store.replace_table("productions", bad, "upload: productions.csv", actor=ADMIN)
    assert where(refused.value.problems) == {("productions", "P04", "target_delivery")}
    assert "productions[P04].target_delivery: 2027-01-18 is before earliest_start (2027-01-25)" in str(refused.value)
    assert store.meta()["content_hash"] == before
    store.close()
    reopened = Store(tmp_path / "s.duckdb")
    assert reopened.meta()["content_hash"] == before and reopened.slate().productions.equals(good.productions)
    reopened.close()
