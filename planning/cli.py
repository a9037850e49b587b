"""The ``slate`` command: validate, sample, conflicts, solve, cashflow, costreport, risk, scenario, audit, schema, app.

Every command that reads a dataset validates it first; bad data prints every problem (table,
row, column) and exits 1, never a traceback. Bad arguments exit 2 with one line saying which;
anything the command cannot do (a folder it cannot write, a name taken) exits 1 with one line.
The solvers' own console output is silenced unless ``--verbose``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from planning import config
from planning.access import Forbidden, config_problems, local_operator
from planning.data.validate import ValidationError
from planning.scenarios.store import ScenarioError


def _number(cast, ok, expected: str, rule: str):
    """An argparse type: ``cast`` the text (else "expected <expected>"), then check ``ok`` (else ``rule``)."""
    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"{rule}, got {text}")
        return value
    return parse


seconds = _number(float, lambda v: v > 0, "seconds", "must be more than 0 seconds")
share = _number(float, lambda v: 0 <= v < 1, "a share such as 0.01", "must be at least 0 and below 1")
count = _number(int, lambda v: v >= 1, "a whole number", "must be at least 1")
chance = _number(float, lambda v: 0 <= v <= 1, "a chance such as 0.5", "must be from 0 to 1")


def table_file(text: str) -> str:
    """A ``.csv`` or ``.xlsx`` file name (argparse type)."""
    if Path(text).suffix.lower() not in (".csv", ".xlsx"):
        raise argparse.ArgumentTypeError(f"must end in .csv or .xlsx, got {text!r}")
    return text


class Parser(argparse.ArgumentParser):
    """argparse, with a bad argument told in one line (and where to read more), exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class UsageError(Exception):
    """An argument whose form argparse cannot check (``--stages 30000:abc``): exit 2."""


@contextmanager
def solver_quiet(verbose: bool):
    """Silence what the solvers write straight to the console (HiGHS prints a banner on every
    model it creates), unless ``verbose``; the command's own lines still reach stdout."""
    if verbose:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    real = sys.stdout
    uses_fd1 = hasattr(real, "fileno") and _fileno(real) == 1
    if uses_fd1:      # our prints go to the original stdout; the solvers' writes to fd 1 go nowhere
        sys.stdout = io.TextIOWrapper(os.fdopen(os.dup(saved), "wb"), encoding=real.encoding, line_buffering=True)
    try:
        yield
    finally:
        sys.stdout.flush()
        if uses_fd1:
            sys.stdout.close()
            sys.stdout = real
        os.dup2(saved, 1)
        os.close(saved)


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


PLAN_MONEY = {"cashflow": ["amount"]}
"""The money columns of a plan's frames (``Plan.frames()``), written to the cent."""


def _write(frame: pd.DataFrame, out: Path, name: str, content: bytes | None = None) -> list[Path]:
    """``name``.csv (``content``, else the frame through ``planning.data.files``: the header first,
    formula-like text neutralized) and ``name``.parquet (the values as they are) in ``out``."""
    from planning.data.files import csv_bytes

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.csv", out / f"{name}.parquet"]
    paths[0].write_bytes(content if content is not None else csv_bytes(frame, money=PLAN_MONEY.get(name, ())))
    frame.to_parquet(paths[1], index=False)
    return paths


def cmd_validate(args) -> int:
    from planning.data.store import load_folder

    data = load_folder(args.data_dir)
    print(f"OK: {args.data_dir} is a valid slate: {len(data.productions)} productions, {len(data.phases)} phases, "
          f"{len(data.resources)} resources, {len(data.demands)} demands, {len(data.budget_lines)} budget lines, "
          f"horizon {data.settings.horizon_weeks} weeks from {data.settings.horizon_start.date()}.")
    return 0


def cmd_sample(args) -> int:
    from planning.sample import SAMPLE_AS_OF, make_slate, write_slate

    paths = write_slate(make_slate(args.productions, seed=args.seed,
                                   as_of=None if args.snapshot else SAMPLE_AS_OF), args.out)
    print(f"wrote {len(paths)} tables to {args.out}")
    return 0


def plan_name(plan_dir: str | None) -> str:
    """What the plan a command reads is called in its output ("plan: ..." in the About sheets and
    summary.json): the planned dates, or the schedule in ``--plan``'s folder, as given."""
    return "as planned" if plan_dir is None else f"the schedule in {plan_dir}"


def cmd_cashflow(args) -> int:
    from planning.data.store import content_hash, load_folder
    from planning.finance.export import about_line, finance_csv, finance_xlsx, headline
    from planning.finance.flows import ScheduleError, checked_schedule, read_schedule
    from planning.plan import OPTIMIZED, Origin, as_planned, build_plan

    data = load_folder(args.data_dir)
    try:
        if args.plan:
            schedule = checked_schedule(data, read_schedule(args.plan))
            plan = build_plan(data, schedule, Origin(OPTIMIZED, plan_name(args.plan)))
        else:
            plan = as_planned(data)
    except ScheduleError as exc:
        print(f"the plan cannot be used: {exc}", file=sys.stderr)
        return 1
    flows = plan.cashflow
    out = Path(args.out)
    key, made = content_hash(data), pd.Timestamp.now(tz="UTC")
    if out.suffix.lower() == ".xlsx":
        content = finance_xlsx(data, flows, args.period, args.fiscal_start_month,
                               about=about_line(plan.origin.label, key, made))
    else:
        content = finance_csv(data, flows, args.period, args.view, args.fiscal_start_month)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    h = headline(flows, data.settings)
    cur = data.settings.currency
    when = f" in week {h['peak_week']} ({h['peak_week_start'].date()})" if h["peak_week"] is not None else ""
    print(f"wrote {out} (plan: {plan.origin.label}; slate {key}; made {made:%Y-%m-%d}): spend {h['spend']:,.2f} {cur}, "
          f"incentives {h['incentive']:,.2f}, financing {h['financing_cost']:,.2f}; "
          f"peak funding need {h['peak_need']:,.2f} {cur}{when}")
    return 0


def report_date(text: str) -> pd.Timestamp:
    """A date ``YYYY-MM-DD`` (argparse type; whether the slate can take it is validation's)."""
    try:
        return pd.Timestamp(text).normalize()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date such as 2027-04-26, got {text!r}") from None


AS_OF_PROBLEMS = 10
"""How many of the problems a refused ``--as-of`` makes ``slate costreport`` lists (then how many more)."""


def cmd_costreport(args) -> int:
    from planning.data.store import content_hash, load_folder
    from planning.data.validate import check
    from planning.finance.costreport import about_lines, cost_report, costreport_csv, costreport_xlsx, totals
    from planning.finance.flows import ScheduleError, checked_schedule, read_schedule
    from planning.plan import as_planned

    data = load_folder(args.data_dir)
    if args.as_of is not None:
        tables = data.tables()
        tables["settings"] = tables["settings"].assign(as_of=pd.Series([args.as_of], dtype="datetime64[us]"))
        data, problems = check(tables)
        if problems:
            shown = [f"  - {p}" for p in problems[:AS_OF_PROBLEMS]]
            more = len(problems) - len(shown)
            print(f"slate: --as-of {args.as_of.date()} cannot be the report date of {args.data_dir} "
                  f"({len(problems)} problem{'s' if len(problems) > 1 else ''}):\n" + "\n".join(shown)
                  + (f"\n  ... and {more} more" if more else ""), file=sys.stderr)
            return 1
    try:
        schedule = checked_schedule(data, read_schedule(args.plan) if args.plan else as_planned(data).schedule)
    except ScheduleError as exc:
        print(f"the plan cannot be used: {exc}", file=sys.stderr)
        return 1
    report = cost_report(data, schedule)
    out = Path(args.out)
    key, made = content_hash(data), pd.Timestamp.now(tz="UTC")
    label = plan_name(args.plan)
    if out.suffix.lower() == ".xlsx":
        content = costreport_xlsx(data, report, about_lines(label, key, made, data.settings))
    else:
        content = costreport_csv(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    t, cur = totals(report), data.settings.currency
    print(f"wrote {out} (plan: {label}; slate {key}; made {made:%Y-%m-%d}; as of {data.settings.report_date.date()}): "
          f"{len(report)} accounts; budget {t['budget']:,.2f} {cur}, EFC {t['efc']:,.2f}, "
          f"variance {t['variance']:,.2f} ({'over' if t['variance'] < 0 else 'under'} budget)")
    return 0


def cmd_conflicts(args) -> int:
    from planning.data.store import load_folder
    from planning.plan import as_planned

    plan = as_planned(load_folder(args.data_dir))
    out = Path(args.out)
    _write(plan.utilization, out, "utilization")
    _write(plan.conflicts, out, "conflicts")
    found = plan.conflicts
    print(f"{len(found)} conflicts on {found['resource_id'].nunique()} resources "
          f"({plan.kpis['unit_weeks_short']} unit-weeks short) as planned; wrote {out}/conflicts.csv "
          f"and {out}/utilization.csv")
    return 0


def cmd_schema(args) -> int:
    from planning.data.schema import to_markdown

    print(to_markdown())
    return 0


STAGE_WORDS = {"heuristic": "quick plan", "building": "building the model", "shortfall": "least shortfall",
               "solving": "least money", "searching": "searching for better plans", "done": "done"}


def _progress_line():
    """A progress callback for long solves: each new stage, once, on stderr (stdout keeps the answer)."""
    seen = set()

    def tell(info: dict) -> None:
        if info["stage"] not in seen:
            seen.add(info["stage"])
            print(f"  {STAGE_WORDS.get(info['stage'], info['stage'])} ({info['elapsed']:.0f} s)", file=sys.stderr,
                  flush=True)
    return tell


def cmd_solve(args) -> int:
    import json

    from planning.data.store import content_hash, load_folder
    from planning.optimizer import PlanOptions, plan
    from planning.plan import from_result

    data = load_folder(args.data_dir)
    result = plan(data, PlanOptions(solver=args.solver, time_limit=args.time_limit, gap=args.gap),
                  progress=_progress_line())
    built = from_result(data, result)
    out = Path(args.out)
    for name in ("schedule", "allocation", "utilization", "conflicts"):
        _write(getattr(built, name), out, name)
    summary = {**built.summary(), "slate": content_hash(data)}       # which plan (origin), slate and day
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    moved = int((built.schedule["moved_weeks"] != 0).sum())
    print(f"{result.summary()['verdict']}: cost {result.objective:,.0f} (hire-in {result.parts['hire']:,.0f}, "
          f"lateness {result.parts['lateness']:,.0f}, moves {result.parts['moves']:,.0f}), {result.solve_seconds:.1f} s; "
          f"{moved} phases moved, {built.kpis['conflicts']} conflicts; wrote {out}/schedule.csv, allocation.csv, "
          "utilization.csv, conflicts.csv and summary.json")
    return 0


def cmd_risk(args) -> int:
    import json
    import time

    from planning.data.inputs import planned_schedule
    from planning.data.progress import from_as_of
    from planning.data.store import content_hash, load_folder
    from planning.finance.flows import ScheduleError, checked_schedule, read_schedule
    from planning.risk import results
    from planning.risk.run import RiskOptions, run

    data = load_folder(args.data_dir)
    try:                                 # without --plan: as planned, from the report week on a slate under way
        schedule = checked_schedule(data, read_schedule(args.plan)) if args.plan else planned_schedule(from_as_of(data))
    except ScheduleError as exc:
        print(f"the plan cannot be used: {exc}", file=sys.stderr)
        return 1
    name = plan_name(args.plan)
    if args.dask and importlib.util.find_spec("distributed") is None:
        raise UsageError("--dask needs Dask: pip install 'slate-planner[dask]'")
    options = RiskOptions(samples=args.samples, seed=args.seed, replan=args.replan, threshold=args.threshold,
                          workers=args.workers, dask=args.dask)
    tty = sys.stderr.isatty()
    progress = (lambda done, total: print(f"\r{done}/{total} chunks of samples", end="", file=sys.stderr,
                                          flush=True)) if tty else None
    t0 = time.perf_counter()
    try:
        merged = run(data, schedule, options, progress)
    except (TimeoutError, OSError) as exc:
        if not args.dask:
            raise
        print(f"slate: cannot reach the Dask scheduler at {args.dask}: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - t0
    if tty:
        print(file=sys.stderr)
    out = Path(args.out)
    tables = results.tables(data, merged)
    for table, frame in tables.items():
        _write(frame, out, table, results.table_csv(table, frame))
    key, made = content_hash(data), pd.Timestamp.now(tz="UTC")
    summary = {**results.summary(merged, tables["risks"], name, seconds, data.settings.currency),
               "slate": key, "made": f"{made:%Y-%m-%d}"}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    about = results.about_line(name, key, merged, made)
    (out / "risk.xlsx").write_bytes(results.workbook(tables, about))
    cur = data.settings.currency
    late = tables["deliveries"].sort_values("miss_target", ascending=False).iloc[0]
    print(f"{args.samples} samples (plan: {name}) in {seconds:.1f} s on {merged.workers}: peak funding need "
          f"P50 {summary['peak_funding_need']['p50']:,.0f} / P90 {summary['peak_funding_need']['p90']:,.0f} {cur}; "
          f"most likely late: {late['title']} ({late['miss_target']:.0%}); top risk: {summary.get('top_risk', 'none')}; "
          f"wrote {', '.join(f'{t}.csv' for t in tables)} (and .parquet), risk.xlsx and summary.json to {out}")
    return 0


def _scenario_store(args):
    from planning.scenarios.store import ScenarioStore

    return ScenarioStore(args.store or config.scenarios_path())


def _parse_scenario(args):
    """A Scenario from ``slate scenario run`` flags (each names what it changes)."""
    from planning.scenarios.types import CapacityChange, Scenario, StageChange

    def pair(text, flag, form):
        key, _, value = text.partition(":")
        if not key or not value:
            raise UsageError(f"{flag} expects {form}, got {text!r}")
        return key, value

    def number(text, cast, flag, whole):
        try:
            return cast(text)
        except ValueError:
            raise UsageError(f"{flag}: {text!r} is not a number, in {whole!r}") from None

    capacity = []
    for text in args.capacity:
        rid, value = pair(text, "--capacity", "RESOURCE:+N|-N|P%[@FIRST-LAST]")
        amount, _, weeks = value.partition("@")
        first, _, last = weeks.partition("-")
        change = dict(pct=number(amount[:-1], float, "--capacity", text)) if amount.endswith("%") else \
            dict(delta=number(amount, int, "--capacity", text))
        capacity.append(CapacityChange(rid, first_week=number(first, int, "--capacity", text) if first else None,
                                       last_week=number(last, int, "--capacity", text) if last else None, **change))
    stages = [StageChange(number(k, float, "--stages", t), number(v, int, "--stages", t))
              for t in args.stages for k, v in [pair(t, "--stages", "SIZE:COUNT")]]
    slips = {k: number(v, int, "--slip", t) for t in args.slip for k, v in [pair(t, "--slip", "PRODUCTION:WEEKS")]}
    weights = {}
    if args.lateness_weight is not None:
        weights["lateness"] = args.lateness_weight
    if args.move_cost is not None:
        weights["moves"] = args.move_cost
    added = {k: v for k, v in (("stage", args.stage_cost), ("unit", args.unit_cost)) if v}
    return Scenario(args.name, capacity=tuple(capacity), stages=tuple(stages), slips=slips,
                    locks={p: True for p in args.lock}, overage_pct=args.overage, hire_allowed=not args.no_hire,
                    weights=weights, added_costs=added, note=args.note)


def phases(n: int) -> str:
    """``"1 phase"``, ``"3 phases"``."""
    return f"{n} phase{'s' if n != 1 else ''}"


def adopt_scenario(args, scenarios) -> int:
    """``slate scenario adopt NAME --note TEXT``: the saved scenario's plan becomes the plan of the
    slate in the slate store (``Store.adopt``: its starts as the planned dates, a new slate version, the
    audit log and the decision log), as the local admin."""
    from planning.data.store import StaleEdit, Store, StoreBusy
    from planning.plan import SCENARIO, Origin

    scenario, frames, _ = scenarios.load(args.name)
    if "schedule" not in frames:
        raise ScenarioError(f"{args.name!r} was saved without its plan: run it again, then adopt it")
    path = args.slate_store or config.store_path()
    try:
        slate = Store(path)
    except StoreBusy as exc:
        print(f"slate: {exc}", file=sys.stderr)
        return 1
    try:
        if not slate.has_slate():
            raise ScenarioError(f"the slate store {path} holds no slate: open the dashboard on it once (or give "
                                "--slate-store), then adopt")
        slate.adopt(frames["schedule"], plan=Origin(SCENARIO, args.name).label, made_on=scenario.base_hash,
                    note=args.note, actor=local_operator())
        done = slate.adoptions().iloc[0]
    except StaleEdit as exc:
        print(f"slate: {exc}", file=sys.stderr)
        return 1
    finally:
        slate.close()
    print(f"adopted {done['plan']} as the slate's plan: planned dates changed for {phases(done['moved'])}; slate "
          f"{done['to_hash']} (the one before, {done['from_hash']}, is kept as #{done['version']}: the Data page "
          "brings it back)")
    return 0


def cmd_scenario(args) -> int:
    import json
    from dataclasses import replace

    store = _scenario_store(args)
    if args.action == "adopt":
        return adopt_scenario(args, store)
    if args.action == "list":
        saved = store.list()
        if saved.empty:
            print("no saved scenarios")
        else:
            print(saved[["name", "saved_by", "saved_at", "plan", "base_hash", "note"]].to_string(index=False))
        return 0
    if args.action == "show":
        scenario, frames, summary = store.load(args.name)
        print(json.dumps({"name": scenario.name, "overrides": json.loads(scenario.overrides_json()),
                          "summary": summary, "results": sorted(frames)}, indent=2, default=str))
        return 0
    if args.action == "undo":
        store.undo_replace(args.name, actor=local_operator())
        print(f"brought back the earlier version of {args.name!r} (the one it replaced is kept: undo again to swap back)")
        return 0
    if args.action == "export":
        scenario, frames, summary = store.load(args.name)
        out = Path(args.out)
        for part, frame in frames.items():
            _write(frame, out, part)
        summary = {**summary, "slate": scenario.base_hash}      # which plan (origin), slate and day
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        (out / "scenario.json").write_text(scenario.overrides_json())
        print(f"wrote {len(frames)} result tables, summary.json and scenario.json to {out}")
        return 0
    from planning.optimizer import PlanOptions
    from planning.scenarios.run import run_scenario
    from planning.data.store import content_hash, load_folder

    data = load_folder(args.data_dir)
    scenario = replace(_parse_scenario(args), base_hash=content_hash(data))
    if not args.replace and args.name in set(store.list()["name"]):      # before the solve, not after
        raise ScenarioError(f"a scenario named {args.name!r} already exists: choose another name (e.g. "
                            f"{store.free_name(args.name)!r}) or add --replace (the current one is kept)")
    result = run_scenario(data, scenario, PlanOptions(time_limit=args.time_limit))
    store.save(scenario, actor=local_operator(), results=result.frames(), summary=result.summary(),
               replace=args.replace)
    k = result.kpis
    print(f"saved {scenario.name!r}: {result.origin.solver['verdict']}; "
          f"conflicts on the planned dates {k['conflicts_as_planned']}, in the plan {k['conflicts']}; "
          f"hire-in {k['hire_cost']:,.0f}; added capacity {k['added_capacity_cost']:,.0f}; "
          f"{k['late_deliveries']} late; peak funding need {k['peak_funding_need']:,.0f}")
    return 0


def cmd_audit(args) -> int:
    """Every change to the slate store and the scenario store, newest first."""
    import duckdb

    from planning.data.store import Store

    logs = [_scenario_store(args).audit()]
    try:
        slate = Store(args.slate_store or config.store_path())
    except duckdb.IOException:
        print("slate: the slate store is open in the running dashboard; its changes are on the Data page",
              file=sys.stderr)
    else:
        logs.append(slate.audit())
        slate.close()
    log = pd.concat(logs, ignore_index=True).sort_values("at", ascending=False)
    print("no change recorded" if log.empty else log.to_string(index=False))
    return 0


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")   # server.allowedHosts compares bare names (no brackets)


def serving_address(secrets: dict, allow_network: bool) -> str:
    """Where ``slate app`` listens: every interface when sign-in is configured (``[auth]``) or the
    operator allows it (``SLATE_ALLOW_NETWORK=1``, no sign-in: anyone who can reach the port can
    change the slate); else this computer only. Sign-in that ``access.config_problems`` faults
    (a missing, example or short cookie secret; roles that are not lists) is an error."""
    problems = config_problems(secrets)
    if problems:
        raise ValueError("sign-in in .streamlit/secrets.toml cannot start: " + "; ".join(problems))
    if secrets.get("auth") is not None:
        return "0.0.0.0"
    return "0.0.0.0" if allow_network else "127.0.0.1"


def allowed_hosts(secrets: dict, extra: str = "") -> list[str]:
    """The Host names the app answers (``server.allowedHosts``, against DNS rebinding): this
    computer's, plus the public host of ``[auth] redirect_uri`` when sign-in is configured, plus
    ``SLATE_ALLOWED_HOSTS`` (comma-separated, e.g. a reverse proxy's name)."""
    from urllib.parse import urlsplit

    hosts = list(LOCAL_HOSTS)
    redirect = (secrets.get("auth") or {}).get("redirect_uri")
    if redirect and urlsplit(str(redirect)).hostname:
        hosts.append(urlsplit(str(redirect)).hostname)
    hosts += [h.strip() for h in extra.split(",") if h.strip()]
    return list(dict.fromkeys(hosts))


def read_secrets(path: Path) -> dict:
    import tomllib

    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None


def port_taken(address: str, port: int) -> bool:
    """True when ``port`` cannot be listened on at ``address`` (something already serves it)."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # as servers bind: TIME_WAIT is no conflict
        try:
            s.bind((address, port))
        except OSError:
            return True
    return False


def cmd_app(args) -> int:
    """Start the dashboard. The server replaces this process (``exec``), so a signal sent to
    ``slate app`` (SIGTERM from a service manager, Ctrl+C) reaches the server itself, which then
    stops its background solves and their worker processes before it exits."""
    env = dict(os.environ)
    if args.data_dir:
        env["SLATE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    secrets = config.ROOT / ".streamlit" / "secrets.toml"
    settings = read_secrets(secrets)
    address = serving_address(settings, config.allow_network())
    if port_taken(address, args.port):
        raise ValueError(f"port {args.port} is already in use (another Slate Planner, or another program): "
                         f"start on another port with `slate app --port {args.port + 1}`")
    if address == "127.0.0.1":
        print(f"single-user mode: only this computer can open http://localhost:{args.port} (no sign-in is "
              "configured; see README, Sign-in)", flush=True)
    cmd = [sys.executable, "-m", "streamlit", "run", str(config.ROOT / "dashboard" / "app.py"),
           "--server.port", str(args.port), "--server.address", address]
    for host in allowed_hosts(settings, os.environ.get("SLATE_ALLOWED_HOSTS", "")):
        cmd += ["--server.allowedHosts", host]
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(config.ROOT)
    os.execve(sys.executable, cmd, env)


SLATE_STORE_HELP = "the dashboard's slate store (default data/slate.duckdb, or $SLATE_STORE)"


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="slate", description="Slate Planner: plan a studio's slate on shared "
                                "stages, crews and equipment.")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check a dataset folder against the data contract")
    v.add_argument("data_dir")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("sample", help="write the sample slate (deterministic) as Parquet")
    s.add_argument("--out", required=True)
    s.add_argument("--productions", type=int, default=20)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--snapshot", action="store_true",
                   help="plan it from the horizon start: no report date, actual dates or actuals (by default the "
                        "slate is under way on 2027-04-05, as the bundled sample is)")
    s.set_defaults(func=cmd_sample)

    f = sub.add_parser("cashflow", help="the slate's cash flow as a finance CSV or .xlsx workbook")
    f.add_argument("data_dir")
    f.add_argument("--plan", default=None, help="folder holding schedule.parquet/.csv from `slate solve` "
                   "(default: the planned dates)")
    f.add_argument("--period", choices=["week", "month", "quarter", "year"], default="month")
    f.add_argument("--fiscal-start-month", type=int, choices=range(1, 13), default=1, metavar="1..12",
                   help="first month of the fiscal year, for quarters and years (default 1: calendar)")
    f.add_argument("--view", choices=["long", "accounts", "productions"], default="long",
                   help="CSV layout: long rows, or accounts / productions by period (an .xlsx has all)")
    f.add_argument("--out", required=True, type=table_file, help="a .csv file, or .xlsx for a workbook")
    f.set_defaults(func=cmd_cashflow)

    cr = sub.add_parser("costreport", help="the cost report: budget, actual, committed, ETC, EFC and variance "
                        "by production and account, as CSV or an .xlsx workbook")
    cr.add_argument("data_dir")
    cr.add_argument("--plan", default=None, help="folder holding schedule.parquet/.csv from `slate solve`, for the "
                    "weeks of weekly lines (default: the planned dates)")
    cr.add_argument("--as-of", type=report_date, default=None, metavar="DATE",
                    help="the report date, a Monday inside the horizon (default: the slate's settings.as_of)")
    cr.add_argument("--out", required=True, type=table_file, help="a .csv file, or .xlsx for a workbook "
                    "(subtotals by section and production, a slate summary)")
    cr.set_defaults(func=cmd_costreport)

    c = sub.add_parser("conflicts", help="as-planned utilization and conflicts")
    c.add_argument("data_dir")
    c.add_argument("--out", required=True)
    c.set_defaults(func=cmd_conflicts)

    m = sub.add_parser("schema", help="print the data format (Markdown)")
    m.set_defaults(func=cmd_schema)

    o = sub.add_parser("solve", help="optimize the plan: starts, stages and hire-in")
    o.add_argument("data_dir")
    o.add_argument("--out", required=True)
    o.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    o.add_argument("--time-limit", type=seconds, default=60.0,
                   help="seconds for the whole search, start plan included (default 60)")
    o.add_argument("--gap", type=share, default=0.01,
                   help="stop once the plan's cost is proven within this share of the best possible (default 0.01)")
    o.set_defaults(func=cmd_solve)

    r = sub.add_parser("risk", help="Monte Carlo samples of a plan: deliveries, over-booking, cash P50/P90, risks")
    r.add_argument("data_dir")
    r.add_argument("--plan", default=None, help="folder holding schedule.parquet/.csv from `slate solve` "
                   "(default: the planned dates)")
    r.add_argument("--samples", type=count, default=1000, help="how many samples (default 1000)")
    r.add_argument("--seed", type=int, default=0, help="the same seed gives the same numbers (default 0)")
    r.add_argument("--replan", action="store_true",
                   help="also re-plan each sample after its first surprise (a quick search per sample: slower)")
    r.add_argument("--threshold", type=chance, default=0.0, metavar="CHANCE",
                   help="count development productions only from this chance of going ahead (default 0: all)")
    r.add_argument("--workers", type=count, default=None,
                   help="local processes (default: one per core with --replan, else this process)")
    r.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run the samples on a Dask cluster, e.g. tcp://scheduler:8786 (needs the dask extra)")
    r.add_argument("--out", required=True)
    r.set_defaults(func=cmd_risk)

    sc = sub.add_parser("scenario", help="saved what-if scenarios: list, show, run, export, undo, adopt")
    sc_sub = sc.add_subparsers(dest="action", required=True)
    store_help = "scenario store (default data/scenarios.duckdb, or $SLATE_SCENARIOS)"
    listing = sc_sub.add_parser("list", help="list saved scenarios")
    show = sc_sub.add_parser("show", help="a scenario's overrides and summary")
    show.add_argument("name")
    export = sc_sub.add_parser("export", help="write a scenario's results as CSV and Parquet")
    export.add_argument("name")
    export.add_argument("--out", required=True)
    run = sc_sub.add_parser("run", help="apply overrides to a dataset, optimize, and save the scenario")
    run.add_argument("data_dir")
    run.add_argument("--name", required=True, help="name to save it under")
    run.add_argument("--capacity", action="append", default=[], metavar="RESOURCE:+N|-N|P%%[@FIRST-LAST]",
                     help="change a resource's capacity, e.g. CREW-GE:-1 or EQ-LGT:20%%@10-30 (weeks)")
    run.add_argument("--stages", action="append", default=[], metavar="SIZE:N",
                     help="add (or, negative, close) N stages of SIZE sq ft, e.g. 30000:1")
    run.add_argument("--slip", action="append", default=[], metavar="PRODUCTION:WEEKS")
    run.add_argument("--lock", action="append", default=[], metavar="PRODUCTION")
    run.add_argument("--overage", type=float, default=0.0, help="budget overage in %%")
    run.add_argument("--no-hire", action="store_true", help="forbid hire-in")
    run.add_argument("--lateness-weight", type=float, default=None, help="multiplies every lateness cost")
    run.add_argument("--move-cost", type=float, default=None, help="cost of moving a phase one week")
    run.add_argument("--stage-cost", type=float, default=0.0, metavar="PER_WEEK",
                     help="what each added stage costs a week (rent), for the comparison")
    run.add_argument("--unit-cost", type=float, default=0.0, metavar="PER_WEEK",
                     help="what each added crew or kit unit costs a week, for the comparison")
    run.add_argument("--note", default="")
    run.add_argument("--time-limit", type=seconds, default=60.0)
    run.add_argument("--replace", action="store_true",
                     help="replace a saved scenario of the same name (it is kept: `slate scenario undo NAME`)")
    undo = sc_sub.add_parser("undo", help="bring back the version a save (or delete) replaced")
    undo.add_argument("name")
    adopt = sc_sub.add_parser("adopt", help="make a saved scenario's plan the slate's plan (its starts become the "
                              "planned dates; the slate before is kept)")
    adopt.add_argument("name")
    adopt.add_argument("--note", required=True, help="why this plan is adopted (required; in the decision log)")
    adopt.add_argument("--slate-store", default=None, help=SLATE_STORE_HELP)
    for one in (listing, show, export, run, undo, adopt):
        one.add_argument("--store", default=None, help=store_help)
        one.set_defaults(func=cmd_scenario)

    for command in [v, s, f, cr, c, m, o, r, listing, show, export, run, undo, adopt]:
        command.add_argument("--verbose", action="store_true", help="also show the solvers' own output")

    au = sub.add_parser("audit", help="who changed the slate and the saved scenarios, and when")
    au.add_argument("--store", default=None, help=store_help)
    au.add_argument("--slate-store", default=None, help=SLATE_STORE_HELP)
    au.set_defaults(func=cmd_audit)

    a = sub.add_parser("app", help="start the dashboard (http://localhost:8501)")
    a.add_argument("--data-dir", default=None, help="dataset to open (default: the bundled sample)")
    a.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    a.set_defaults(func=cmd_app)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code: 0 done, 1 it could not be done (one line on stderr, or every
    problem of a bad dataset), 2 a bad argument."""
    p = parser()
    args = p.parse_args(argv)
    try:
        with solver_quiet(getattr(args, "verbose", True)):       # `slate app` keeps its console
            return args.func(args)
    except UsageError as exc:
        print(f"slate: error: {exc} (see slate {args.command} --help)", file=sys.stderr)
        return 2
    except ValidationError as exc:
        folder = len(exc.problems) == 1 and not exc.problems[0].table
        print(f"slate: {exc.problems[0].message}" if folder else str(exc), file=sys.stderr)
        return 1
    except (ScenarioError, ValueError, Forbidden) as exc:
        print(f"slate: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:                      # a folder or file that cannot be written or read
        where = f" {exc.filename}" if exc.filename else ""
        print(f"slate: cannot write or read{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
