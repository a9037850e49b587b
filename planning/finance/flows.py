"""The slate's cash flow: budget lines spread over the scheduled weeks, tax-incentive receipts,
the financing cost of the running deficit and the cash position (periods and exports:
``planning.finance.periods``, ``planning.finance.export``).

Every function is pure (frames in, a frame out). ``docs/cashflow.md`` states the same rules for users.

**Money.** Each amount is converted once to integer cents, rounding half up from its decimal text
(``12.345`` -> 1235 cents), and all arithmetic after that is on integer cents. Frames carry signed
money: paid out is negative, received is positive. ``cents`` is the exact value; ``amount`` is
``cents / 100`` for display and export.

**Schedule.** Any frame with ``production_id``, ``phase_id``, ``start_week`` and one row for every
phase of the slate (``planning.data.inputs.planned_schedule`` or an optimized plan). A phase of ``d``
weeks runs weeks ``start_week .. start_week + d - 1``; its ``end_week`` is ``start_week + d``.

**Curves.** A line of ``C`` cents on a phase of ``d`` weeks gives week ``i`` (``0 .. d-1``) the
integer weight ``k_i`` below, so its share is ``k_i / K`` with ``K = sum(k)``:

- ``flat``: ``k_i = 1`` (``1/d`` each week);
- ``front``: ``k_i = d - i`` (``d, d-1, .., 1``: a falling linear ramp);
- ``back``: ``k_i = i + 1`` (``1, 2, .., d``: a rising linear ramp);
- ``bell``: ``k_i = min(i + 1, d - i)`` (``1, 2, .., 2, 1``: a symmetric triangle peaking mid-phase);
- ``start``: everything in the first week; ``end``: everything in the last week.

Cents are split by largest remainder: week ``i`` gets ``floor(C * k_i / K)`` and the cents left
over go one each to the weeks with the largest remainders ``C * k_i mod K`` (the earlier week
first on a tie). A line's weekly cents therefore sum exactly to ``C``.

**Payment lag.** Each week's spend is paid ``payment_lag_weeks`` later; the ``week`` of a spend
row is the week it is paid.

**Weekly lines.** A line of basis ``weekly`` costs ``amount / duration_weeks`` for every week its
phase runs: ``n`` weeks cost ``amount_cents x n / duration_weeks`` rounded half up once
(``weekly_cents``). A planned phase runs ``duration_weeks`` weeks, so there it costs its amount,
spread like any line; only a started phase that runs longer or shorter changes it.

**A slate under way** (``in_progress``: an ``as_of``, a phase's ``actual_start`` or any
``actuals``; ``now`` is the report week). Each line's actual to date, committed, estimate to
complete (ETC) and estimate at final cost (EFC = actual + committed + ETC) are ``line_costs``.
Its spend is

- every ``actual`` row, paid in the week it was posted (no payment lag: it was paid); refunds
  are money back;
- then committed + ETC spread by its curve over the weeks its phase still runs,
  ``max(start, now) .. end - 1`` (a started phase at its actual weeks, ``planning.data.progress``),
  paid ``payment_lag_weeks`` later. The curve keeps its weights over the whole phase and only the
  weeks left get money, each its weight over the sum of the weights left (``spread`` with
  ``skip``); a ``start`` curve past its first week puts it all in the report week;
- a line whose phase is over (``end <= now``) spends committed + ETC in the report week, paid
  ``payment_lag_weeks`` later.

So each line's spend sums to its EFC, and a production's to the sum of its lines' EFC, to the
cent. A slate not under way has no actuals and every line's ETC is its whole cost (or its
estimate) spread over its whole phase: exactly the rules above without it.

**Incentives.** For a production with a jurisdiction: ``qualifying`` = the sum of its qualifying
lines' EFC (their amounts for a slate not under way); ``credit =
min(round(rate * qualifying), cap)`` (no cap when empty); ``discount = round(credit * discount)``;
``received = credit - discount`` (rounding half up to the cent). It is received
``receipt_lag_weeks`` after delivery, where delivery is the end of the production's last phase (the
largest ``end_week``). No jurisdiction: no incentive.

**Financing.** Simple weekly accrual on the slate's running deficit, over the horizon weeks only
(``0 .. horizon_weeks - 1``): with ``B_t`` the cumulative spend and incentive of the slate through
the end of week ``t`` (everything paid before the horizon included), week ``t`` costs
``round(max(0, -B_t) * financing_rate_annual / 52)``. Interest is not charged on interest. The
cost is a ``financing`` flow of the slate as a whole (production ``SLATE``).

**The horizon.** Weekly frames keep every flow's true week, which may be negative (productions
already under way when the horizon starts) or past the horizon (late payments, incentive
receipts). Period views put those in two buckets, ``before horizon`` and ``after horizon``, so
no money is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from planning.data.inputs import Settings, SlateData, week_index, week_start
from planning.data.progress import phase_weeks, tracks_progress
from planning.data.schema import CURVES, SECTIONS

SLATE_ID = "SLATE"
"""``production_id`` of slate-level rows (financing) and of the slate total in summaries."""
INCENTIVE_SECTION, FINANCING_SECTION = "INCENTIVE", "FINANCING"
SECTION_ORDER = SECTIONS + (INCENTIVE_SECTION, FINANCING_SECTION)
FINANCING_ACCOUNT = "FIN"
FLOWS = ("spend", "incentive", "financing")

FLOW_COLUMNS = ["production_id", "title", "section", "account", "description", "flow", "week", "week_start",
                "cents", "amount"]


class ScheduleError(ValueError):
    """A schedule that does not give exactly one integer start week to every phase of the slate."""


# --- money -------------------------------------------------------------------------------------

def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_cents(amounts) -> np.ndarray:
    """Integer cents of each amount, rounded half up from its shortest decimal text."""
    return np.array([_round(Decimal(repr(float(a))) * 100) for a in amounts], dtype=np.int64)


def to_amount(cents) -> np.ndarray:
    return np.asarray(cents, dtype=np.int64) / 100


# --- schedule ----------------------------------------------------------------------------------

def checked_schedule(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """The schedule as production_id, phase_id, start_week, end_week (int64), one row per phase.

    ``end_week`` is derived from ``phases.duration_weeks`` (any end column given is ignored).
    Raises ``ScheduleError`` naming every phase that is missing, unknown, repeated or undated.
    """
    missing_cols = [c for c in ("production_id", "phase_id", "start_week") if c not in schedule.columns]
    if missing_cols:
        raise ScheduleError(f"the schedule lacks column(s) {', '.join(missing_cols)}")
    given = schedule[["production_id", "phase_id", "start_week"]].copy()
    given["production_id"] = given["production_id"].astype("string")
    given["phase_id"] = given["phase_id"].astype("string")
    start = pd.to_numeric(given["start_week"], errors="coerce")
    problems = []
    for pid, ph in given.loc[start.isna() | (start != start.round()), ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: start_week is not a whole number of weeks")
    for pid, ph in given.loc[given.duplicated(["production_id", "phase_id"]), ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: given more than once")
    phases = data.phases[["production_id", "phase_id", "duration_weeks"]]
    merged = phases.merge(given, on=["production_id", "phase_id"], how="outer", indicator=True)
    for pid, ph in merged.loc[merged["_merge"] == "left_only", ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: missing from the schedule")
    for pid, ph in merged.loc[merged["_merge"] == "right_only", ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: not a phase of the slate")
    if problems:
        raise ScheduleError("; ".join(problems))
    given["start_week"] = start.astype("int64")
    out = phases.merge(given, on=["production_id", "phase_id"])
    out["end_week"] = out["start_week"] + out["duration_weeks"].astype("int64")
    return out[["production_id", "phase_id", "start_week", "end_week"]]


def read_schedule(plan_dir: str | Path) -> pd.DataFrame:
    """The ``schedule.parquet`` (or ``schedule.csv``) that ``slate solve`` wrote to ``plan_dir``."""
    plan_dir = Path(plan_dir)
    for path in (plan_dir / "schedule.parquet", plan_dir / "schedule.csv"):
        if path.exists():
            return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
    raise ScheduleError(f"{plan_dir} holds no schedule.parquet or schedule.csv")


# --- spend -------------------------------------------------------------------------------------

def _weights(curve: np.ndarray, i: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Integer weight of week ``i`` of a ``d``-week phase for each curve code (index in CURVES)."""
    choices = {
        "flat": np.ones_like(i),
        "front": d - i,
        "back": i + 1,
        "bell": np.minimum(i + 1, d - i),
        "start": (i == 0).astype(np.int64),
        "end": (i == d - 1).astype(np.int64),
    }
    return np.select([curve == CURVES.index(name) for name in choices], list(choices.values()))


def curve_weights(curve: str, weeks: int) -> list[int]:
    """The integer weights of ``curve`` over a phase of ``weeks`` weeks, first week first."""
    i = np.arange(weeks, dtype=np.int64)
    return _weights(np.full(weeks, CURVES.index(curve)), i, np.full(weeks, weeks, dtype=np.int64)).tolist()


def spread(cents: np.ndarray, curve: np.ndarray, weeks: np.ndarray,
           skip: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each line's ``cents`` over its ``weeks`` by its curve code, by largest remainder.

    With ``skip`` (weeks already behind, ``0 <= skip < weeks``) only weeks ``skip .. weeks - 1`` of
    the phase get money: their own weights, over the sum of those weights (the curve's tail). When
    that tail weighs nothing (a ``start`` curve past its first week) the first week left takes all.
    Returns ``(line, offset, cents)``: one entry per line and week spread over (lines in order,
    weeks in order; ``offset`` counts from the phase's first week), whose cents sum exactly to the
    line's.
    """
    if not len(cents):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    skip = np.zeros(len(cents), np.int64) if skip is None else np.asarray(skip, np.int64)
    left_weeks = weeks - skip
    line = np.repeat(np.arange(len(cents)), left_weeks)
    starts = np.concatenate([[0], np.cumsum(left_weeks)[:-1]]).astype(np.int64)
    offset = np.arange(len(line)) - starts[line] + skip[line]
    k = _weights(curve[line], offset, weeks[line])
    total_k = np.add.reduceat(k, starts)
    weightless = total_k == 0
    k[starts[weightless]] = 1
    total_k[weightless] = 1
    num = cents[line] * k
    base, rest = num // total_k[line], num % total_k[line]
    left = cents - np.add.reduceat(base, starts)
    order = np.lexsort((offset, -rest, line))
    rank = np.empty_like(offset)
    rank[order] = np.arange(len(line)) - starts[line[order]]
    return line, offset, base + (rank < left[line])


# --- where each line stands on the report date --------------------------------------------------

LINE_COST_COLUMNS = ["production_id", "account", "phase_id", "basis", "start_week", "end_week", "from_week",
                     "budget_cents", "actual_cents", "committed_cents", "estimated", "etc_cents", "efc_cents"]


def in_progress(data: SlateData) -> bool:
    """True when the slate's money runs from its report week: it tracks progress (an ``as_of`` or a
    phase's ``actual_start``, ``planning.data.progress.tracks_progress``) or holds any ``actuals``."""
    return tracks_progress(data) or len(data.actuals) > 0


def weekly_cents(budget: np.ndarray, weeks: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """What ``weeks`` weeks of a weekly line cost: ``budget x weeks / duration`` cents (the rate
    ``budget / duration`` times the weeks), rounded half up once; ``weeks >= 0``, ``budget >= 0``."""
    budget, weeks, duration = (np.asarray(a, np.int64) for a in (budget, weeks, duration))
    return (2 * budget * weeks + duration) // (2 * duration)


def line_costs(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Each budget line's money on the report date under ``schedule``, in integer cents, one row per
    budget line in ``budget_lines`` order (columns ``LINE_COST_COLUMNS``).

    - ``start_week``, ``end_week``: the weeks its phase runs (``planning.data.progress.phase_weeks``:
      a started phase where it really ran, or runs to its expected end; a planned one where the
      schedule puts it).
    - ``from_week``: the first week of what is still to be spent. A slate ``in_progress``: the report
      week ``now`` or the phase's start if later; ``now`` for a phase already over (``end_week <=
      now``). Any other slate: the phase's start (nothing has happened; all of it is to come).
    - ``actual_cents``: the sum of its ``actual`` rows (refunds negative); ``committed_cents`` of its
      ``committed`` rows; each row rounded to the cent first.
    - ``etc_cents`` (estimate to complete): its ``estimates`` figure when given (``estimated``);
      else a ``fixed`` line ``max(0, budget - actual - committed)``; a ``weekly`` line
      ``max(0, weekly_cents(budget, weeks left, duration_weeks) - committed)`` with weeks left =
      ``end_week - from_week`` (0 for a phase already over).
    - ``efc_cents`` (estimate at final cost) = actual + committed + ETC.

    Without actuals, commitments or estimates, a planned phase runs ``duration_weeks`` weeks, so every
    line's EFC is its budget.
    """
    sched = checked_schedule(data, schedule)
    runs = phase_weeks(data, sched).merge(data.phases[["production_id", "phase_id", "duration_weeks"]],
                                          on=["production_id", "phase_id"])
    lines = data.budget_lines[["production_id", "account", "phase_id", "basis", "amount"]].reset_index(drop=True)
    at = lines.merge(runs, on=["production_id", "phase_id"], how="left", validate="m:1")
    start, end = at["start_week"].to_numpy(np.int64), at["end_week"].to_numpy(np.int64)
    if in_progress(data):
        from_week = np.maximum(start, data.settings.now_week)
    else:
        from_week = start
    budget = to_cents(lines["amount"])
    key = pd.MultiIndex.from_frame(lines[["production_id", "account"]])
    act = data.actuals

    def total(kind: str) -> np.ndarray:
        rows = act[act["kind"] == kind]
        cents = pd.Series(to_cents(rows["amount"]), index=pd.MultiIndex.from_frame(rows[["production_id", "account"]]))
        return cents.groupby(level=[0, 1]).sum().reindex(key, fill_value=0).to_numpy(np.int64)

    actual, committed = total("actual"), total("committed")
    est = data.estimates.set_index(["production_id", "account"])["estimate_to_complete"]
    est = pd.Series(to_cents(est), index=est.index, dtype="int64").reindex(key)
    weekly = (lines["basis"] == "weekly").fillna(False).to_numpy(bool)
    left = weekly_cents(budget, np.maximum(0, end - from_week), at["duration_weeks"].to_numpy(np.int64))
    computed = np.where(weekly, np.maximum(0, left - committed), np.maximum(0, budget - actual - committed))
    estimated = est.notna().to_numpy(bool)
    etc = np.where(estimated, est.fillna(0).to_numpy(np.int64), computed)
    out = lines[["production_id", "account", "phase_id"]].copy()
    out["basis"] = np.where(weekly, "weekly", "fixed")
    out = out.astype({"production_id": "string", "account": "string", "phase_id": "string", "basis": "string"})
    for name, values in (("start_week", start), ("end_week", end), ("from_week", from_week),
                         ("budget_cents", budget), ("actual_cents", actual), ("committed_cents", committed)):
        out[name] = np.asarray(values, np.int64)
    out["estimated"] = estimated
    out["etc_cents"] = etc.astype(np.int64)
    out["efc_cents"] = actual + committed + out["etc_cents"].to_numpy()
    return out[LINE_COST_COLUMNS]


def spend_flows(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """What every budget line pays, week by week: its actuals where they were paid, then what is
    still to be spent (``line_costs``: committed + ETC) spread by its curve from ``from_week`` to its
    phase's end and paid ``payment_lag_weeks`` later; a line whose phase is over spends it all in
    the report week. A slate not ``in_progress`` has no actuals and spreads each line's EFC (its
    budget) over its whole phase.

    Columns ``FLOW_COLUMNS`` (flow ``spend``, negative cents: paid out; a refund is positive), one
    row per line and paid week with money in it, in budget-line order then week.
    """
    return _spend(data, line_costs(data, schedule))


def _spend(data: SlateData, costs: pd.DataFrame) -> pd.DataFrame:
    """``spend_flows`` from the lines' ``line_costs``."""
    lines = data.budget_lines.reset_index(drop=True).merge(data.productions[["production_id", "title"]],
                                                           on="production_id", how="left")
    start, end, first = (costs[c].to_numpy(np.int64) for c in ("start_week", "end_week", "from_week"))
    over = first >= end
    base = np.where(over, first, start)
    weeks = np.where(over, 1, end - start)
    skip = np.where(over, 0, first - start)
    curve = lines["curve"].map(CURVES.index).to_numpy(np.int64)
    to_spend = (costs["committed_cents"] + costs["etc_cents"]).to_numpy(np.int64)
    line, offset, cents = spread(to_spend, curve, weeks, skip)
    paid = base[line] + offset + lines["payment_lag_weeks"].to_numpy(np.int64)[line]
    act = data.actuals[data.actuals["kind"] == "actual"]
    if len(act):
        row = pd.Series(np.arange(len(lines)), index=pd.MultiIndex.from_frame(lines[["production_id", "account"]]))
        line = np.concatenate([row.reindex(pd.MultiIndex.from_frame(act[["production_id", "account"]]))
                               .to_numpy(np.int64), line])
        paid = np.concatenate([week_index(act["posted"], data.settings.horizon_start).to_numpy(np.int64), paid])
        cents = np.concatenate([to_cents(act["amount"]), cents])
    by_week = pd.DataFrame({"line": line, "week": paid, "cents": cents}).groupby(["line", "week"])["cents"].sum()
    by_week = by_week[by_week != 0]
    line = by_week.index.get_level_values("line").to_numpy(np.int64)
    out = lines[["production_id", "title", "section", "account", "description"]].take(line).reset_index(drop=True)
    out["flow"] = "spend"
    return _with_money(out, by_week.index.get_level_values("week").to_numpy(np.int64),
                       -by_week.to_numpy(np.int64), data.settings)


def _with_money(frame: pd.DataFrame, weeks: np.ndarray, cents: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Complete ``frame`` (its text columns) into ``FLOW_COLUMNS`` with the given weeks and cents."""
    frame = frame.astype({c: "string" for c in FLOW_COLUMNS[:6]})
    frame["week"] = np.asarray(weeks, dtype=np.int64)
    frame["week_start"] = week_start(frame["week"], settings.horizon_start).to_numpy()
    frame["cents"] = np.asarray(cents, dtype=np.int64)
    frame["amount"] = to_amount(frame["cents"])
    return frame[FLOW_COLUMNS]


# --- incentives --------------------------------------------------------------------------------

def incentive_amounts(data: SlateData, schedule: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each production's incentive: on the EFC of its qualifying lines under ``schedule``
    (``line_costs``; timing changes it only through weekly lines and a slate under way), or on
    their budget without a schedule (the two agree for a slate not under way without estimates).

    Columns: production_id, jurisdiction, qualifying_cents, credit_cents (rate x
    qualifying, capped), discount_cents, received_cents (credit less discount). Zero without a
    jurisdiction.
    """
    cents = to_cents(data.budget_lines["amount"]) if schedule is None else line_costs(data, schedule)["efc_cents"]
    return _incentives(data, np.asarray(cents, np.int64))


def _incentives(data: SlateData, cents: np.ndarray) -> pd.DataFrame:
    """``incentive_amounts`` on the given cents of each budget line."""
    lines = data.budget_lines
    qual = pd.Series(cents * lines["qualifying"].to_numpy(bool), index=lines.index)
    qualifying = qual.groupby(lines["production_id"]).sum()
    rules = data.incentives.set_index("jurisdiction")
    rows = []
    for pid, jur in zip(data.productions["production_id"], data.productions["jurisdiction"]):
        q = int(qualifying.get(pid, 0))
        credit = discount = 0
        if not pd.isna(jur):
            rule = rules.loc[jur]
            credit = _round(Decimal(repr(float(rule["rate"]))) * q)
            if not pd.isna(rule["cap"]):
                credit = min(credit, int(to_cents([rule["cap"]])[0]))
            discount = _round(Decimal(repr(float(rule["discount"]))) * credit)
        rows.append((pid, jur, q, credit, discount, credit - discount))
    return pd.DataFrame(rows, columns=["production_id", "jurisdiction", "qualifying_cents", "credit_cents",
                                       "discount_cents", "received_cents"])


def incentive_flows(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Incentive receipts: ``received_cents`` in week ``delivery + receipt_lag_weeks``.

    Delivery is the production's largest ``end_week`` (a started phase's where it really ends,
    ``planning.data.progress.phase_weeks``). Columns ``FLOW_COLUMNS`` (flow
    ``incentive``, section ``INCENTIVE``, account ``INC-<jurisdiction>``, positive cents); only
    productions that receive something.
    """
    return _incentive_flows(data, schedule, line_costs(data, schedule))


def _incentive_flows(data: SlateData, schedule: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """``incentive_flows`` with the lines' ``line_costs``."""
    delivery = phase_weeks(data, checked_schedule(data, schedule)).groupby("production_id")["end_week"].max()
    got = _incentives(data, costs["efc_cents"].to_numpy(np.int64))
    got = got[got["received_cents"] > 0].merge(data.productions[["production_id", "title"]], on="production_id")
    lag = got["jurisdiction"].map(data.incentives.set_index("jurisdiction")["receipt_lag_weeks"]).astype("int64")
    out = pd.DataFrame({
        "production_id": got["production_id"],
        "title": got["title"],
        "section": INCENTIVE_SECTION,
        "account": "INC-" + got["jurisdiction"],
        "description": got["jurisdiction"] + " tax incentive",
        "flow": "incentive",
    }).reset_index(drop=True)
    weeks = got["production_id"].map(delivery).to_numpy(np.int64) + lag.to_numpy(np.int64)
    return _with_money(out, weeks, got["received_cents"].to_numpy(np.int64), data.settings)


# --- financing ---------------------------------------------------------------------------------

def exact_rate(rate: float) -> tuple[int, int]:
    """``rate`` as the exact fraction ``(num, den)`` of its shortest decimal text (0.085 -> 17/200)."""
    return Decimal(repr(float(rate))).as_integer_ratio()


def financing_cents(balance: np.ndarray, rate: tuple[int, int]) -> np.ndarray:
    """Each week's financing cost in cents, ``round_half_up(max(0, -B) * num / (52 * den))``, for
    balances ``B`` of any shape, in exact integer arithmetic."""
    num, den = rate
    deficit = np.maximum(0, -np.asarray(balance, dtype=np.int64))
    q = 104 * den
    if deficit.size == 0 or int(deficit.max()) * 2 * num + q < 2 ** 62:
        return (deficit * (2 * num) + 52 * den) // q
    return ((deficit.astype(object) * (2 * num) + 52 * den) // q).astype(np.int64)


def financing_flows(flows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The weekly financing cost of the slate's running deficit (see the module rules).

    ``flows`` are the spend and incentive flows. Columns ``FLOW_COLUMNS`` (flow ``financing``,
    production ``SLATE``, section ``FINANCING``, account ``FIN``, negative cents); only weeks
    with a cost.
    """
    h = settings.horizon_weeks
    weekly = flows.groupby("week")["cents"].sum()
    opening = int(weekly[weekly.index < 0].sum())
    balance = opening + np.cumsum(weekly.reindex(range(h), fill_value=0).to_numpy(np.int64))
    cost = financing_cents(balance, exact_rate(settings.financing_rate_annual))
    weeks = np.flatnonzero(cost)
    out = pd.DataFrame({
        "production_id": pd.Series([SLATE_ID] * len(weeks), dtype="string"),
        "title": "Slate financing",
        "section": FINANCING_SECTION,
        "account": FINANCING_ACCOUNT,
        "description": f"Financing of the running deficit at {settings.financing_rate_annual:.2%} a year",
        "flow": "financing",
    })
    return _with_money(out, weeks, -cost[weeks], settings)


def cashflow(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """The slate's weekly cash flow: spend, then incentive, then financing rows.

    Columns ``FLOW_COLUMNS``: production_id, title, section, account, description, flow (spend,
    incentive, financing), week (the true week index, negative before the horizon), week_start
    (its Monday), cents (int64, signed: out negative, in positive) and amount (cents / 100).
    """
    costs = line_costs(data, schedule)
    moved = pd.concat([_spend(data, costs), _incentive_flows(data, schedule, costs)], ignore_index=True)
    return pd.concat([moved, financing_flows(moved, data.settings)], ignore_index=True)


# --- position ----------------------------------------------------------------------------------

def position(flows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Week-by-week cash position of ``flows`` (the slate, or any subset of its rows).

    One row per week from the earlier of week 0 and the first flow to the later of the last
    horizon week and the last flow. Columns: week, week_start, spend, incentive, financing, net
    (their sum) and position (cumulative net), all signed amounts.
    """
    first = min(0, int(flows["week"].min())) if len(flows) else 0
    last = max(settings.horizon_weeks - 1, int(flows["week"].max())) if len(flows) else settings.horizon_weeks - 1
    weeks = pd.RangeIndex(first, last + 1, name="week")
    by_flow = flows.pivot_table(index="week", columns="flow", values="cents", aggfunc="sum")
    by_flow = by_flow.reindex(index=weeks, columns=list(FLOWS), fill_value=0).fillna(0).astype("int64")
    out = pd.DataFrame({"week": weeks.to_numpy()})
    out["week_start"] = week_start(out["week"], settings.horizon_start).to_numpy()
    return with_position(out, by_flow)


def with_position(out: pd.DataFrame, cents: pd.DataFrame) -> pd.DataFrame:
    """``out`` (one row per row of ``cents``, a frame of cents by flow) with a signed amount per
    flow, their ``net`` and the running ``position``."""
    for flow in FLOWS:
        out[flow] = to_amount(cents[flow].to_numpy())
    net = cents[list(FLOWS)].sum(axis=1).to_numpy()
    out["net"] = to_amount(net)
    out["position"] = to_amount(np.cumsum(net))
    return out


@dataclass(frozen=True)
class FundingNeed:
    """The lowest cumulative position, as a positive need, and the first week it is reached.

    ``week`` and ``week_start`` are ``None`` when the position never goes below zero.
    ``financing_cost`` is the total financing cost (positive).
    """

    peak_need: float
    week: int | None
    week_start: pd.Timestamp | None
    financing_cost: float


def funding_need(weekly: pd.DataFrame) -> FundingNeed:
    """Peak funding need and its week from a ``position`` frame."""
    low = weekly["position"].min() if len(weekly) else 0.0
    cost = -int(np.rint(weekly["financing"].to_numpy() * 100).sum()) / 100
    if not low < 0:
        return FundingNeed(0.0, None, None, cost)
    at = weekly.loc[weekly["position"].idxmin()]
    return FundingNeed(-float(low), int(at["week"]), at["week_start"], cost)
