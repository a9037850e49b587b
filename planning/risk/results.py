"""The tables of a risk run, each a pure function of the merged samples (``planning.risk.run``).

A percentile ``Pq`` is the smallest sample value with at least ``q``% of the samples at or below it
(numpy's ``inverted_cdf``), so every P50/P80/P90 is a value some sample really had. Money is in the
slate's currency (cents / 100). A production's delivery percentiles are over the samples in which
it goes ahead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.analysis.capacity import resource_label
from planning.data.inputs import SlateData, week_start
from planning.data.files import csv_bytes, xlsx_bytes
from planning.risk.outcomes import Outcomes
from planning.risk.run import Merged

QUANTILES = {"P10": 10, "P50": 50, "P80": 80, "P90": 90}


def pct(values: np.ndarray, q: float, axis: int | None = None):
    return np.percentile(values, q, axis=axis, method="inverted_cdf")


def _p90_delivery(finish: np.ndarray) -> np.ndarray:
    """P90 delivery week per production (column) over the samples where it goes; NaN where it never does."""
    return np.array([pct(col[col >= 0], 90) if (col >= 0).any() else np.nan for col in finish.T])


def deliveries(data: SlateData, m: Merged) -> pd.DataFrame:
    """Per production: its ``chance`` of going ahead (as counted: 0 below the threshold), the share
    of samples it ``goes_ahead`` in, target and P10/P50/P80/P90 delivery (week and Monday), the
    chance it misses its target and the expected weeks late (among samples where it goes)."""
    inputs, finish = m.inputs, m.plan.finish
    titles = data.productions.set_index("production_id")["title"]
    h0 = data.settings.horizon_start
    rows = []
    for k, pid in enumerate(inputs.productions):
        went = finish[:, k] >= 0
        weeks = finish[went, k]
        row = {"production_id": pid, "title": titles[pid], "chance": float(inputs.p_go[k]),
               "goes_ahead": float(went.mean()),
               "target_week": int(inputs.target[k]), "target": week_start(int(inputs.target[k]), h0)}
        for name, q in QUANTILES.items():
            row[f"{name.lower()}_week"] = int(pct(weeks, q)) if len(weeks) else pd.NA
        for name in QUANTILES:
            w = row[f"{name.lower()}_week"]
            row[name.lower()] = week_start(w, h0) if not pd.isna(w) else pd.NaT
        row["miss_target"] = float((weeks > inputs.target[k]).mean()) if len(weeks) else 0.0
        row["expected_weeks_late"] = float(m.plan.late[went, k].mean()) if len(weeks) else 0.0
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.astype({f"{name.lower()}_week": "Int64" for name in QUANTILES})


def overbooking(data: SlateData, m: Merged) -> pd.DataFrame:
    """Per resource (and stage class) and horizon week: ``p_short``, the chance it is short after
    hire-in, and ``expected_short``, the mean units short."""
    inputs, n = m.inputs, len(m.plan.peak_need)
    h = inputs.horizon
    names = dict(zip(data.resources["resource_id"].astype(str), data.resources["name"].astype(str)))
    return pd.DataFrame({
        "resource_id": np.repeat(inputs.rows, h),
        "name": np.repeat([resource_label(r, names) for r in inputs.rows], h),
        "kind": np.repeat(inputs.kind, h),
        "week": np.tile(np.arange(h), len(inputs.rows)),
        "week_start": np.tile(week_start(np.arange(h), data.settings.horizon_start), len(inputs.rows)),
        "p_short": m.plan.short_samples.ravel() / n,
        "expected_short": m.plan.short_units.ravel() / n,
    })


def cash_fan(data: SlateData, m: Merged) -> pd.DataFrame:
    """Per week from the first flow: the P10, P50 and P90 of the slate's cumulative cash position."""
    position = np.cumsum(m.plan.net, axis=1) / 100
    weeks = np.arange(m.plan.w0, m.plan.w0 + position.shape[1])
    out = pd.DataFrame({"week": weeks, "week_start": week_start(weeks, data.settings.horizon_start)})
    for q in (10, 50, 90):
        out[f"p{q}"] = pct(position, q, axis=0)
    return out


MONEY = {"peak_need": "Peak funding need", "cost": "Net cost (after incentives, with financing)",
         "financing": "Financing", "extra": "Risk extra costs", "hire_cost": "Hire-in", "late_cost": "Lateness"}


def _money(o: Outcomes) -> dict[str, np.ndarray]:
    """Each money measure (``MONEY``) per sample as a positive amount."""
    return {"peak_need": o.peak_need / 100, "cost": o.cost / 100, "financing": -o.financing / 100,
            "extra": -o.extra / 100, "hire_cost": o.hire_cost, "late_cost": o.late_cost}


def money(m: Merged) -> pd.DataFrame:
    """Measure, mean, P50, P90 of each money outcome (peak funding need, net cost, financing, risk
    extra costs, hire-in, lateness)."""
    return pd.DataFrame([{"measure": MONEY[k], "key": k, "mean": float(v.mean()), "p50": float(pct(v, 50)),
                          "p90": float(pct(v, 90))} for k, v in _money(m.plan).items()])


RANKINGS = ("p90_delivery_weeks", "p90_funding_need", "p90_net_cost", "weeks_short")


def ranked_risks(data: SlateData, m: Merged, by: str = RANKINGS[0]) -> pd.DataFrame:
    """What each driver (a named risk, a development production going ahead) moves, found by
    switching it off with every other draw the same: the weeks it adds to the P90 deliveries of
    the productions that go ahead either way (summed), and what it adds to the P90 funding need, to
    the P90 net cost and to the expected weeks short (unit-weeks of crews and kit plus stage-weeks).
    ``resource``: the name of the person or place a risk takes away ("" for none).
    Ranked by ``by`` (one of ``RANKINGS``), then by the others in that order."""
    inputs, o = m.inputs, m.plan
    base_p90 = _p90_delivery(o.finish)
    titles = data.productions.set_index("production_id")["title"]
    names = dict(zip(data.resources["resource_id"], data.resources["name"]))
    rows = []
    for (kind, i), off in m.drivers.items():
        if kind == "risk":
            r = inputs.risks.iloc[i]
            row = {"driver": r["name"], "kind": r["kind"], "production_id": r["production_id"], "phase_id": r["phase_id"],
                   "resource": names.get(r["resource_id"], ""), "probability": float(inputs.risk_p[i])}
            k = inputs.productions.index(r["production_id"])
        else:
            pid = inputs.productions[i]
            row = {"driver": f"{titles[pid]} goes ahead", "kind": "development", "production_id": pid,
                   "phase_id": "", "resource": "", "probability": float(inputs.p_go[i])}
            k = i
        both = np.ones(len(inputs.productions), bool)
        both[k] = kind == "risk"       # a production switched off has no delivery to compare
        moved = (base_p90 - _p90_delivery(off["finish"]))[both]
        row["p90_delivery_weeks"] = int(np.nansum(moved))
        row["p90_funding_need"] = float(pct(o.peak_need, 90) - pct(off["peak_need"], 90)) / 100
        row["p90_net_cost"] = float(pct(o.cost, 90) - pct(off["cost"], 90)) / 100
        row["weeks_short"] = float((o.unit_weeks_short + o.stage_weeks_short).mean()
                                   - (off["unit_weeks_short"] + off["stage_weeks_short"]).mean())
        rows.append(row)
    out = pd.DataFrame(rows, columns=["driver", "kind", "production_id", "phase_id", "resource", "probability", *RANKINGS])
    order = [by] + [r for r in RANKINGS if r != by]
    return out.sort_values(order, ascending=False, kind="stable").reset_index(drop=True)


REACTION = {"hire_cost": "Hire-in", "late_cost": "Lateness", "unit_weeks_short": "Unit-weeks short (crews, kit)",
            "stage_weeks_short": "Stage-weeks short", "late_weeks": "Weeks late (all productions)",
            "peak_need": "Peak funding need"}


def reaction(m: Merged) -> pd.DataFrame:
    """With re-planning: the mean and P90 of each outcome for the plan as it is and after reacting."""
    if m.reacted is None:
        return pd.DataFrame(columns=["measure", "as_is_mean", "as_is_p90", "reacted_mean", "reacted_p90"])
    rows = []
    for key, label in REACTION.items():
        a, b = (o.late.sum(axis=1) if key == "late_weeks" else getattr(o, key) / (100 if key == "peak_need" else 1)
                for o in (m.plan, m.reacted))
        rows.append({"measure": label, "as_is_mean": float(a.mean()), "as_is_p90": float(pct(a, 90)),
                     "reacted_mean": float(b.mean()), "reacted_p90": float(pct(b, 90))})
    return pd.DataFrame(rows)


def per_sample(m: Merged) -> pd.DataFrame:
    """One row per sample: its money (positive amounts), shortfall, weeks late and, when
    re-planned, the same after reacting."""
    def frame(o, prefix=""):
        values = _money(o) | {"unit_weeks_short": o.unit_weeks_short, "stage_weeks_short": o.stage_weeks_short,
                              "weeks_late": o.late.sum(axis=1)}
        return pd.DataFrame({prefix + k: v for k, v in values.items()})
    out = frame(m.plan)
    out.insert(0, "sample", np.arange(len(out)))
    if m.reacted is not None:
        out = out.join(frame(m.reacted, "reacted_"))
    return out


def summary(m: Merged, risks: pd.DataFrame, plan_name: str, seconds: float, currency: str) -> dict:
    """The headline numbers and how they were made (``risks``: the ``ranked_risks`` table), as one
    JSON-able dict."""
    o, opts = m.plan, m.options
    out = {"plan": plan_name, "samples": opts.samples, "seed": opts.seed, "replan": opts.replan,
           "development_counted_from": opts.threshold, "ran_on": m.workers, "seconds": round(seconds, 3),
           "currency": currency,
           "peak_funding_need": {"p50": float(pct(o.peak_need, 50)) / 100, "p90": float(pct(o.peak_need, 90)) / 100},
           "net_cost": {"p50": float(pct(o.cost, 50)) / 100, "p90": float(pct(o.cost, 90)) / 100},
           "financing": {"p50": float(pct(-o.financing, 50)) / 100, "p90": float(pct(-o.financing, 90)) / 100},
           "chance_any_production_late": float((o.late.sum(axis=1) > 0).mean())}
    if len(risks):
        out["top_risk"] = risks["driver"].iat[0]
    return out


SHEETS = {"money": "Money", "deliveries": "Deliveries", "cash_fan": "Cash position", "risks": "Risks ranked",
          "reaction": "After reacting", "overbooking": "Over-booking", "samples": "Samples"}


def tables(data: SlateData, m: Merged) -> dict[str, pd.DataFrame]:
    """Every table of a run by file name (``reaction`` only when re-planned)."""
    out = {"money": money(m), "deliveries": deliveries(data, m), "cash_fan": cash_fan(data, m),
           "risks": ranked_risks(data, m), "overbooking": overbooking(data, m), "samples": per_sample(m)}
    if m.reacted is not None:
        out["reaction"] = reaction(m)
    return out


def about_line(plan_label: str, slate_key: str, m: Merged, made: pd.Timestamp) -> str:
    """What a risk file holds: plan, slate, samples, seed, re-planning, threshold and the day."""
    o = m.options
    return (f"Slate Planner risk; plan: {plan_label}; slate {slate_key}; {o.samples} samples, seed {o.seed}"
            f"{', re-planned' if o.replan else ''}; development counted from {o.threshold:.0%}; made {made:%Y-%m-%d}")


MONEY_COLUMNS = {"money": ["mean", "p50", "p90"], "cash_fan": ["p10", "p50", "p90"],
                 "risks": ["p90_funding_need", "p90_net_cost"],
                 "samples": [f"{prefix}{k}" for prefix in ("", "reacted_") for k in MONEY]}
"""The money columns of each table (written to the cent); ``reaction`` mixes money and counts by
row, so it is rounded as a whole (``money_of``)."""


def money_of(name: str, frame: pd.DataFrame) -> list[str]:
    """The columns of table ``name`` written to the cent."""
    if name == "reaction":
        return [c for c in frame.columns if c != "measure"]
    return [c for c in MONEY_COLUMNS.get(name, ()) if c in frame.columns]


def table_csv(name: str, frame: pd.DataFrame) -> bytes:
    """One table of a run as CSV (the header first, money to the cent, formula-like text neutralized)."""
    return csv_bytes(frame, money=money_of(name, frame))


def workbook(frames: dict[str, pd.DataFrame], about: str) -> bytes:
    """The tables as one .xlsx for finance: an About sheet (``about``, one fact a line), then one
    sheet per table."""
    sheets = {"About": pd.DataFrame({"about": about.split("; ")})}
    names = {"About": None}
    for name in SHEETS:
        if name in frames and name != "overbooking":
            sheets[SHEETS[name]], names[SHEETS[name]] = frames[name], name
    over = frames["overbooking"]
    sheets["Over-booking"] = over[over["p_short"] > 0]      # the weeks with a chance of being short
    money = {sheet: money_of(name, frames[name]) for sheet, name in names.items() if name}
    return xlsx_bytes(sheets, {}, money=money)
