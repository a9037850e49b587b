"""Display tables: planning frames turned into what a head of production reads (titles for ids,
dates for week numbers, money in millions). Pure functions, DataFrames in and out; no Streamlit."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import SECTION_LABELS
from planning.analysis.capacity import resource_label
from planning.analysis.compare import KPI_LABELS
from planning.data.inputs import week_start
from planning.finance.flows import SLATE_ID
from planning.scenarios.types import Scenario, describe

MONEY_KPIS = {"hire_cost", "peak_funding_need", "financing_cost", "objective", "added_capacity_cost", "total_cost"}

#: Headers for the identifier columns the display tables keep (every other column: ``header``).
ID_LABELS = {"production_id": "Production", "phase_id": "Phase", "resource_id": "Resource", "target": "Target delivery"}


def header(column: str) -> str:
    """A column's header as a person reads it: ``ID_LABELS``, else its name with spaces for underscores
    and a capital first letter (``duration_weeks`` -> "Duration weeks", ``finish: baseline`` ->
    "Finish: baseline"). Files keep the machine names; only what a page shows is worded."""
    text = ID_LABELS.get(column) or str(column).replace("_", " ")
    return text[:1].upper() + text[1:]


def headers(frame: pd.DataFrame) -> dict[str, str]:
    """``column -> header`` for every column of ``frame`` (a ``column_config`` for ``st.dataframe``)."""
    return {c: header(c) for c in frame.columns}


def worded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its columns and index names as headers (for ``st.table``, which shows them as they are)."""
    out = frame.rename(columns=header)
    out.index.names = [None if n is None else header(n) for n in out.index.names]
    return out


def about_time(seconds: float) -> str:
    """How long something takes, as said: "about 30 s" under a minute, "about 2.5 minutes", "about 3 hours"."""
    if seconds < 59.5:
        return f"about {max(1, round(seconds))} s"
    unit, count = ("minute", seconds / 60) if seconds < 59.5 * 60 else ("hour", seconds / 3600)
    text = f"{count:.1f}".removesuffix(".0") if count < 9.95 else f"{count:,.0f}"
    return f"about {text} {unit}{'' if text == '1' else 's'}"


def titles(productions: pd.DataFrame) -> dict[str, str]:
    """``production_id -> title``."""
    return dict(zip(productions["production_id"].astype(str), productions["title"].astype(str)))


def named_productions(ids: pd.Series, productions: pd.DataFrame, sep: str = ";") -> pd.Series:
    """``"P04;P05"`` -> ``"P04 Northern Lights, P05 Saltwater"`` (ids kept: they are short and unique)."""
    names = titles(productions)
    return ids.fillna("").astype(str).map(
        lambda text: ", ".join(f"{p} {names.get(p, '')}".strip() for p in text.split(sep) if p))


def money(value: float | None, currency: str = "") -> str:
    """``1234567.8 -> "1.23M"`` (with the currency when given); ``None -> "—"``."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{value / 1e6:,.2f}M"
    return f"{text} {currency}".strip()


def kpi_display(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``planning.analysis.compare.kpi_table`` as text: money in millions, counts as whole numbers, changes
    signed (``+1``, ``-0.40M``), no change as ``0``."""
    keys = {label: key for key, label in KPI_LABELS.items()}
    out = table.copy().astype(object)
    for i, label in enumerate(table["metric"]):
        is_money = keys.get(label) in MONEY_KPIS
        for col in table.columns[1:]:
            v = table.at[i, col]
            if v is None or pd.isna(v):
                out.at[i, col] = "—"
            elif col.startswith("change: "):
                out.at[i, col] = "0" if v == 0 else (f"{v / 1e6:+,.2f}M" if is_money else f"{v:+,.0f}")
            else:
                out.at[i, col] = money(v, currency) if is_money else f"{v:,.0f}"
    out["metric"] = [f"{m} ({currency})" if keys.get(m) in MONEY_KPIS else m for m in table["metric"]]
    return out.rename(columns={c: c.removeprefix("change: ") + " vs " + table.columns[1]
                               for c in table.columns if c.startswith("change: ")})


def delivery_display(changes: pd.DataFrame, productions: pd.DataFrame, horizon_start: pd.Timestamp,
                     only_changed: bool = True) -> pd.DataFrame:
    """``planning.analysis.compare.delivery_changes`` with titles, finish dates (Monday after the last
    week) and target dates; only the productions whose finish moves, unless ``only_changed`` is off."""
    names = [c.removeprefix("finish_week: ") for c in changes.columns if c.startswith("finish_week: ")]
    out = changes[["production_id"]].copy()
    out["title"] = out["production_id"].map(titles(productions))
    target = productions.set_index("production_id")["target_delivery"]
    out["target"] = pd.to_datetime(out["production_id"].map(target)).dt.date
    for name in names:
        out[f"finish: {name}"] = week_start(changes[f"finish_week: {name}"], horizon_start).dt.date
    shifts = [c for c in changes.columns if c.startswith("shift: ")]
    for col in shifts:
        out[col.replace("shift: ", "weeks later: ")] = changes[col].astype("int64")
    if only_changed and shifts:
        out = out[(changes[shifts] != 0).any(axis=1)]
    return out.reset_index(drop=True)


def move_display(changes: pd.DataFrame, productions: pd.DataFrame, horizon_start: pd.Timestamp) -> pd.DataFrame:
    """``planning.analysis.compare.schedule_changes`` with titles and start dates instead of week numbers."""
    out = changes[["production_id", "phase_id"]].copy()
    out.insert(1, "title", out["production_id"].map(titles(productions)))
    for col in changes.columns:
        if col.startswith("start_week: "):
            out[col.replace("start_week: ", "start: ")] = week_start(changes[col], horizon_start).dt.date
        elif col.startswith("shift: "):
            out[col.replace("shift: ", "weeks later: ")] = changes[col]
    return out


def plan_changes_display(changes: pd.DataFrame, kind: str, schedule: pd.DataFrame, productions: pd.DataFrame,
                         resources: pd.DataFrame, horizon_start: pd.Timestamp) -> pd.DataFrame:
    """One kind of ``changes`` of an optimized plan (``moved``, ``stage``, ``hire``, ``shortfall``)
    as a table: titles, resource names, dates for weeks (``until`` is the Monday after the last week)."""
    part = changes[changes["change"] == kind]
    monday = lambda weeks: week_start(weeks, horizon_start).dt.date  # noqa: E731
    names = dict(zip(resources["resource_id"].astype(str), resources["name"].astype(str)))
    if kind == "moved":
        out = part[["production_id", "phase_id", "amount", "detail"]].merge(
            schedule[["production_id", "phase_id", "planned_start", "start"]], on=["production_id", "phase_id"])
        out = out.assign(title=out["production_id"].map(titles(productions)),
                         planned_start=out["planned_start"].dt.date, start=out["start"].dt.date)
        return out[["production_id", "title", "phase_id", "planned_start", "start", "amount", "detail"]].rename(
            columns={"phase_id": "phase", "planned_start": "planned start", "start": "new start",
                     "amount": "weeks moved", "detail": "why"})
    out = pd.DataFrame({
        "resource": part["resource_id"].astype(str).map(lambda r: resource_label(r, names)),
        "production_id": part["production_id"], "title": part["production_id"].map(titles(productions)),
        "phase": part["phase_id"], "from": monday(part["first_week"]), "until": monday(part["last_week"] + 1),
        "amount": part["amount"], "detail": part["detail"]})
    if kind == "stage":
        return out.drop(columns="amount").rename(columns={"resource": "stage", "detail": "request"})
    label = {"hire": "unit-weeks hired", "shortfall": "unit-weeks short"}[kind]
    return out.rename(columns={"amount": label, "detail": "what"})


#: The conflict columns a person reads, and their headers (the same on every page).
CONFLICT_HEADERS = {"name": "Resource", "kind": "Kind", "start": "From", "end": "Until", "weeks": "Weeks",
                    "peak_demand": "Peak demand", "capacity": "Capacity", "short_by": "Short by (units)",
                    "unit_weeks": "Unit-weeks short", "productions": "Productions involved",
                    "what": "What happens", "fix": "What would fix it"}


def conflicts_display(runs: pd.DataFrame, productions: pd.DataFrame) -> pd.DataFrame:
    """A plan's conflicts (``planning.analysis.conflicts``) as read: productions by title, dates
    (``Until`` is the last week's Sunday), the headers of ``CONFLICT_HEADERS`` ("What happens" only
    when a run on a person or place has it)."""
    out = runs.reindex(columns=list(CONFLICT_HEADERS)).copy()     # a plan saved before ``what`` existed: blank
    out["what"] = out["what"].fillna("")
    out["productions"] = named_productions(out["productions"], productions)
    out["start"] = pd.to_datetime(out["start"]).dt.date
    out["end"] = (pd.to_datetime(out["end"]) - pd.Timedelta(days=1)).dt.date
    if not out["what"].astype(bool).any():     # only a person or place has words for what happens
        out = out.drop(columns="what")
    return out.rename(columns=CONFLICT_HEADERS)


def weeks(n: int) -> str:
    """``"1 week"``, ``"3 weeks"``."""
    return f"{n} week{'s' if n != 1 else ''}"


def people_display(bookings: pd.DataFrame, productions: pd.DataFrame) -> pd.DataFrame:
    """Who needs each person and place when (``planning.analysis.people.bookings``), as read:
    the person or place, its kind, the production by title, the phase, the first Monday and last
    Sunday, whether the booking is inside the availability ("outside, 2 weeks") and whether it
    clashes ("with P07 shoot, 2 weeks"; "yes, 1 week" when short with nobody else: outside)."""
    names = titles(productions)
    clash = [("no" if not c else f"with {w}, {weeks(n)}" if w else f"yes, {weeks(k)}")
             for c, w, n, k in zip(bookings["clashes"], bookings["with"], bookings["with_weeks"], bookings["clash_weeks"])]
    return pd.DataFrame({
        "Person or place": bookings["name"].astype(str).to_numpy(), "Kind": bookings["kind"].astype(str).to_numpy(),
        "Production": [f"{p} {names.get(p, '')}".strip() for p in bookings["production_id"]],
        "Phase": bookings["phase_id"].astype(str).to_numpy(),
        "From": pd.to_datetime(bookings["start"]).dt.date.to_numpy(),
        "To": pd.to_datetime(bookings["end"]).dt.date.to_numpy(),
        "Availability": ["inside" if i else f"outside, {weeks(n)}"
                         for i, n in zip(bookings["inside"], bookings["outside_weeks"])],
        "Clash": clash})


def moves_by_production(changes: pd.DataFrame, schedule: pd.DataFrame, planned: pd.DataFrame,
                        productions: pd.DataFrame) -> pd.DataFrame:
    """What moved, per production: how many phases, by how many weeks, the delivery's change in
    weeks and why (each reason once). ``changes`` of an optimized plan, ``schedule`` its schedule,
    ``planned`` the schedule of the planned dates."""
    moved = changes[changes["change"] == "moved"]
    cols = ["production_id", "title", "phases moved", "weeks", "delivery", "why"]
    if moved.empty:
        return pd.DataFrame(columns=cols)
    finish = schedule.groupby("production_id")["end_week"].max() - planned.groupby("production_id")["end_week"].max()
    rows = []
    for pid, g in moved.groupby("production_id", sort=True):
        low, high = int(g["amount"].min()), int(g["amount"].max())
        shift = int(finish.get(pid, 0))
        rows.append({"production_id": pid, "phases moved": len(g),
                     "weeks": f"{low:+d}" if low == high else f"{low:+d} to {high:+d}",
                     "delivery": "on the same week" if shift == 0 else
                     f"{abs(shift)} week{'s' if abs(shift) != 1 else ''} {'later' if shift > 0 else 'earlier'}",
                     "why": "; ".join(dict.fromkeys(g["detail"].astype(str)))})
    out = pd.DataFrame(rows)
    out.insert(1, "title", out["production_id"].map(titles(productions)))
    return out[cols]


def scenarios_display(saved: pd.DataFrame, resources: pd.DataFrame, slate_key: str) -> pd.DataFrame:
    """The saved scenarios (``ScenarioStore.list``) as the Scenarios page lists them, in four columns
    beside the name that fit a page: what each changes (resources by name), how good its plan is and
    the search (and "saved on other data" when not saved on the slate ``slate_key``), who saved it
    and when (UTC; and who made it, when someone else), its note. Indexed by "Scenario"."""
    names = dict(zip(resources["resource_id"].astype(str), resources["name"].astype(str)))
    changes = [describe(Scenario.from_json(n, o), names) for n, o in zip(saved["name"], saved["overrides"])]
    search = saved["search"].map(lambda s: f"{s} search" if s else "")
    other = (saved["base_hash"] != slate_key).map({True: "saved on other data", False: ""})
    made = [f" (made by {c})" if c != b else "" for c, b in zip(saved["created_by"], saved["saved_by"])]
    return pd.DataFrame({
        "What it changes": changes,
        "Plan": ["; ".join(p for p in parts if p) for parts in zip(saved["plan"], search, other)],
        "Saved": [f"{pd.Timestamp(t):%d %b %Y, %H:%M} UTC by {b}{m}"
                  for t, b, m in zip(saved["saved_at"], saved["saved_by"], made)],
        "Note": saved["note"].fillna("").to_numpy()},
        index=pd.Index(saved["name"], name="Scenario"))


# --- the cost report ----------------------------------------------------------------------------

COST_MONEY = ["budget", "actual_to_date", "committed", "estimate_to_complete", "efc", "variance"]


def budget_status(variance: pd.Series, note: pd.Series | None = None) -> list[str]:
    """Each variance in words: "▲ over budget" (below 0), "under budget", "on budget"; then the note
    when there is one ("▲ over budget; contingency used up")."""
    notes = [""] * len(variance) if note is None else note.fillna("").astype(str).tolist()
    said = ["▲ over budget" if v < 0 else "under budget" if v > 0 else "on budget" for v in variance]
    return [f"{s}; {n}" if n else s for s, n in zip(said, notes)]


def cost_summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The slate roll-up (``planning.finance.costreport.with_slate_total``) as the page shows it: the
    production ("P02 The Long Con"; "Slate total" last), the money columns, % spent, contingency left
    and its status (``budget_status`` with the roll-up's note)."""
    total = summary["production_id"].astype(str) == SLATE_ID
    label = (summary["production_id"].astype(str) + " " + summary["title"].astype(str)).where(
        ~total, summary["title"].astype(str))
    out = pd.DataFrame({"production": label.to_numpy()})
    for col in COST_MONEY + ["pct_spent", "contingency_left"]:
        out[col] = summary[col].astype("float64").to_numpy()
    out["status"] = budget_status(summary["variance"], summary["note"])
    return out


def etc_basis(costs: pd.DataFrame, duration: pd.Series) -> list[str]:
    """How each line's estimate to complete is made, from its ``planning.finance.flows.line_costs`` row
    and its phase's ``duration_weeks``: "accountant's estimate"; a weekly line "weekly: 1 week left;
    runs 15 of 13" (the weeks its phase runs from the report week on, and in all when that is not its
    planned weeks) or "weekly: phase over"; a fixed line "budget left"."""
    out = []
    for est, basis, start, end, first, d in zip(costs["estimated"], costs["basis"], costs["start_week"],
                                                costs["end_week"], costs["from_week"], duration):
        if est:
            out.append("accountant's estimate")
        elif basis != "weekly":
            out.append("budget left")
        elif end <= first:
            out.append("weekly: phase over")
        else:
            runs = f"; runs {end - start} of {d}" if end - start != d else ""
            out.append(f"weekly: {weeks(int(end - first))} left{runs}")
    return out


def cost_lines_display(report: pd.DataFrame, costs: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``planning.finance.costreport.cost_report`` as read, worst variance first (then
    section and account): the account with its description ("3800 Stage Rental"), how its ETC is
    made (``etc_basis``, from ``costs``: ``line_costs`` of the same plan) and the money columns."""
    how = costs.merge(phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    how = how.assign(etc_from=etc_basis(how, how["duration_weeks"].astype("int64")))
    rows = report.merge(how[["production_id", "account", "etc_from"]], on=["production_id", "account"], how="left")
    rank = rows["section"].map({s: i for i, s in enumerate(SECTION_LABELS)})
    rows = rows.assign(rank=rank).sort_values(["variance", "rank", "account"], kind="stable")
    label = rows["account"].astype(str) + " " + rows["description"].astype(str)
    out = pd.DataFrame({"account": label.to_numpy(), "etc_from": rows["etc_from"].to_numpy()})
    for col in COST_MONEY:
        out[col] = rows[col].astype("float64").to_numpy()
    return out


def cost_sections_display(subtotals: pd.DataFrame) -> pd.DataFrame:
    """One production's section subtotals and its total (``planning.finance.costreport.with_subtotals``
    rows of level ``section`` and ``production``), the section in words and "Total" last."""
    part = subtotals[subtotals["level"].isin(["section", "production"])]
    name = part["section"].map(SECTION_LABELS).where(part["level"] == "section", "Total")
    out = pd.DataFrame({"section": name.to_numpy()})
    for col in COST_MONEY:
        out[col] = part[col].astype("float64").to_numpy()
    return out


def phase_progress_display(runs: pd.DataFrame, horizon_start: pd.Timestamp, duration: pd.Series) -> pd.DataFrame:
    """A production's phases in a plan on the report date (``planning.data.progress.phase_weeks`` rows
    and their ``duration_weeks``): phase, status (done, running, planned), first Monday, last Sunday
    (expected, for one running or planned), and the weeks it runs ("15: 2 more than planned")."""
    run = (runs["end_week"] - runs["start_week"]).astype("int64").to_numpy()
    planned = duration.astype("int64").to_numpy()
    said = [f"{r}" if r == p else f"{r}: {abs(r - p)} {'more' if r > p else 'fewer'} than planned"
            for r, p in zip(run, planned)]
    return pd.DataFrame({
        "phase": runs["phase_id"].astype(str).to_numpy(), "status": runs["status"].astype(str).to_numpy(),
        "from": week_start(runs["start_week"], horizon_start).dt.date.to_numpy(),
        "to": (week_start(runs["end_week"], horizon_start) - pd.Timedelta(days=1)).dt.date.to_numpy(),
        "weeks": said})
