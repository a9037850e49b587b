"""Pure figure builders: DataFrames in, plotly figures out. No Streamlit here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planning.analysis.capacity import CLASS_PREFIX, HIRED, SHORT, load_state
from planning.data.inputs import week_start

PHASE_COLORS = {
    "development": "#9e9ac8", "prep": "#6baed6", "shoot": "#e6550d", "post": "#31a354",
    "delivery": "#756bb1", "other": "#bdbdbd",
}
KIND_ORDER = ["stage", "stage class", "crew", "equipment", "facility", "talent", "location"]


def timeline_frame(schedule: pd.DataFrame, productions: pd.DataFrame, horizon_start: pd.Timestamp) -> pd.DataFrame:
    """One bar per phase: production label, phase, kind, start/end dates, locked flag.

    ``schedule`` needs production_id, phase_id, kind, start_week, end_week and locked.
    """
    df = schedule.merge(productions[["production_id", "title", "format"]], on="production_id")
    df["start"] = week_start(df["start_week"], horizon_start).to_numpy()
    df["end"] = week_start(df["end_week"], horizon_start).to_numpy()
    df["production"] = df["production_id"].astype(str) + " · " + df["title"].astype(str)
    df["status"] = np.where(df["locked"], "locked", "movable")
    return df


def timeline_figure(schedule: pd.DataFrame, productions: pd.DataFrame, horizon_start: pd.Timestamp,
                    horizon_weeks: int, title: str = "Slate timeline", planned: pd.DataFrame | None = None,
                    today: pd.Timestamp | None = None) -> go.Figure:
    """Gantt of productions (rows) and phases (bars colored by kind); locked phases hatched; each
    production's target delivery a diamond (red when it delivers after it: late); ``today`` a line.

    With ``planned`` (a schedule of the same phases), each production with a moved phase also shows
    its planned span (first planned start to last planned end) as an outline.
    """
    df = timeline_frame(schedule, productions, horizon_start)
    order = df.groupby("production")["start"].min().sort_values().index.tolist()
    fig = go.Figure()
    for kind in [k for k in PHASE_COLORS if k in set(df["kind"])]:
        for locked in (False, True):
            part = df[(df["kind"] == kind) & (df["locked"] == locked)]
            if part.empty:
                continue
            pattern = dict(shape="/", bgcolor=PHASE_COLORS[kind], fgcolor="white", fillmode="overlay",
                           solidity=0.35) if locked else None
            fig.add_bar(
                y=part["production"], base=part["start"], x=(part["end"] - part["start"]).dt.total_seconds() * 1000,
                orientation="h", name=kind, legendgroup=kind, showlegend=not locked or kind not in
                set(df.loc[~df["locked"], "kind"]), marker=dict(color=PHASE_COLORS[kind], pattern=pattern),
                customdata=np.stack([part["phase_id"], part["start"].dt.strftime("%d %b %Y"),
                                     part["end"].dt.strftime("%d %b %Y"), part["status"]], axis=-1),
                hovertemplate="%{y}<br>%{customdata[0]}: %{customdata[1]} to %{customdata[2]} (%{customdata[3]})"
                              "<extra></extra>")
    if df["locked"].any():  # one legend entry explains the hatching
        fig.add_bar(y=[None], x=[None], orientation="h", name="locked", marker=dict(
            color="#a1a1aa", pattern=dict(shape="/", bgcolor="#a1a1aa", fgcolor="white", fillmode="overlay")))
    if planned is not None:
        was = timeline_frame(planned, productions, horizon_start)
        moved_ids = df.merge(was, on=["production_id", "phase_id"], suffixes=("", "_was"))
        moved_ids = set(moved_ids.loc[moved_ids["start"] != moved_ids["start_was"], "production_id"])
        span = (was[was["production_id"].isin(moved_ids)].groupby("production")
                .agg(start=("start", "min"), end=("end", "max")).reset_index())
        if len(span):
            fig.add_bar(y=span["production"], base=span["start"],
                        x=(span["end"] - span["start"]).dt.total_seconds() * 1000, orientation="h",
                        name="planned dates", width=0.9, marker=dict(color="rgba(0,0,0,0)",
                                                                     line=dict(color="#18181b", width=1)),
                        customdata=np.stack([span["start"].dt.strftime("%d %b %Y"),
                                             span["end"].dt.strftime("%d %b %Y")], axis=-1),
                        hovertemplate="%{y}<br>planned %{customdata[0]} to %{customdata[1]}<extra></extra>")
    due = df.groupby("production").agg(finish=("end", "max"), production_id=("production_id", "first")).reset_index()
    due["target"] = due["production_id"].map(productions.set_index("production_id")["target_delivery"])
    for late in (False, True):
        part = due[(due["finish"] > due["target"]) == late]
        if len(part):
            fig.add_scatter(x=part["target"], y=part["production"], mode="markers", name="late: target" if late
                            else "target delivery", marker=dict(symbol="diamond", size=11, color="#dc2626" if late
                                                                 else "#18181b", line=dict(color="white", width=1)),
                            customdata=part["finish"].dt.strftime("%d %b %Y"),
                            hovertemplate="%{y}<br>target %{x|%d %b %Y}, delivers %{customdata}<extra></extra>")
    if today is not None:
        fig.add_vline(x=today, line=dict(color="#2563eb", width=2, dash="dot"))
        fig.add_annotation(x=today, y=1, yref="paper", text="today", showarrow=False, yanchor="bottom",
                           font=dict(color="#2563eb"))
    horizon_end = week_start(horizon_weeks, horizon_start)
    fig.add_vrect(x0=horizon_start, x1=horizon_end, fillcolor="#f0f0f0", opacity=0.35, layer="below", line_width=0)
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=order, autorange="reversed")
    fig.update_xaxes(title=None, type="date")
    fig.update_layout(title=title, barmode="overlay", height=max(360, 26 * len(order) + 140),
                      legend_title_text="Phase", margin=dict(l=10, r=10, t=50, b=10), bargap=0.25)
    return fig


def row_label(resource_id: str, name: str) -> str:
    """A heatmap row: a class by its name ("Any stage ≥ 18,000 sq ft"), a resource as "name (id)"."""
    return str(name) if str(resource_id).startswith(CLASS_PREFIX) else f"{name} ({resource_id})"


#: The capacity heatmap's colour (``z``, 0 to 2) by ``load_state``: the load (demand / capacity) in blues up
#: to full (1); one violet where hire-in covers what is over; orange (``SHORT_Z``) to red (2) where short.
HIRED_Z, SHORT_Z = 1.25, 1.5
LOAD_COLORS = [[0.0, "#f7fbff"], [0.125, "#c6dbef"], [0.5, "#2171b5"], [0.5001, "#8c6bb1"], [0.7499, "#8c6bb1"],
               [SHORT_Z / 2, "#fdae61"], [1.0, "#b30000"]]


def heatmap_frame(util: pd.DataFrame) -> pd.DataFrame:
    """Per resource and week of a ``utilization`` frame: its ``state`` (``load_state``: short, hired or
    within), the colour value ``z`` (``LOAD_COLORS``; short cells from orange to red by the share of
    capacity short) and the hover ``text``."""
    df = util.copy()
    df["state"] = load_state(df)
    cap = df["capacity"].astype(float)
    load = np.where(cap > 0, df["demand"] / cap.where(cap > 0, 1), np.where(df["demand"] > 0, 1.0, 0.0))
    short = SHORT_Z + (2 - SHORT_Z) * np.minimum(1.0, df["shortfall"] / cap.clip(lower=1))
    df["z"] = np.select([df["state"] == SHORT, df["state"] == HIRED], [short, HIRED_Z], np.minimum(load, 1.0))
    bigger = (df["kind"] == "stage class") & (df["over"] > 0) & (df["shortfall"] == 0)
    df["text"] = (df["demand"].astype(str) + " needed / " + df["capacity"].astype(str) + " on the lot"
                  + np.where(df["hired"] > 0, " · " + df["hired"].astype(str) + " hired in", "")
                  + np.where(df["shortfall"] > 0, " · " + df["shortfall"].astype(str) + " short", "")
                  + np.where(bigger, " · " + df["over"].astype(str) + " of a bigger size, short on that size's row", ""))
    return df


def capacity_heatmap(util: pd.DataFrame, title: str = "Capacity: demand / capacity by week") -> go.Figure:
    """Resource x week heatmap: blue up to full, violet where hire-in covers what is over, orange to red
    where short (``load_state``: exactly the weeks of the plan's conflicts)."""
    df = heatmap_frame(util)
    df["kind_rank"] = df["kind"].map({k: i for i, k in enumerate(KIND_ORDER)}).fillna(len(KIND_ORDER))
    rows = (df[["resource_id", "name", "kind_rank"]].drop_duplicates("resource_id")
            .sort_values(["kind_rank", "resource_id"]))
    labels = [row_label(r, n) for r, n in zip(rows["resource_id"], rows["name"])]
    z = df.pivot(index="resource_id", columns="week_start", values="z").reindex(rows["resource_id"])
    text = df.pivot(index="resource_id", columns="week_start", values="text").reindex(rows["resource_id"])
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=list(z.columns), y=labels, zmin=0, zmax=2, text=text.to_numpy(), colorscale=LOAD_COLORS,
        colorbar=dict(title="Load", tickvals=[0, 0.5, 1, HIRED_Z, (SHORT_Z + 2) / 2],
                      ticktext=["0%", "50%", "full", "hired in", "short"]),
        hovertemplate="%{y}<br>week of %{x|%d %b %Y}<br>%{text}<extra></extra>",
        xgap=1, ygap=1,
    ))
    fig.update_layout(title=title, height=max(320, 22 * len(labels) + 120), margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(autorange="reversed")
    return fig


def pool_figure(util: pd.DataFrame, resource_id: str, title: str | None = None, split: bool = False) -> go.Figure:
    """Demand against capacity, week by week, for one resource of a plan's utilization.

    Bars: units served from the lot's own capacity, hired-in units and the units short (nobody can
    cover them). Line: capacity after calendar overrides.

    With ``split`` (``util`` has ``greenlit`` and ``development`` columns: ``counted_utilization``),
    the development productions' units are the top ``development`` units of each week's bar, drawn
    lighter and hatched ("Development (tentative)"): greenlit demand is served first, so each bar
    (from the lot, hired in, short) is cut where the greenlit demand ends.
    """
    df = util[util["resource_id"] == resource_id].sort_values("week")
    own = df["demand"] - df["hired"] - df["shortfall"]
    name = df["name"].iloc[0] if len(df) else resource_id
    bars = [("From the lot", own, "#2171b5")]
    if df["hired"].sum() > 0:
        bars.append(("Hired in", df["hired"], "#fdae61"))
    bars.append(("Short", df["shortfall"], "#b30000"))
    tentative = split and df["development"].sum() > 0
    fig = go.Figure()
    below = pd.Series(0, index=df.index)   # units stacked under the bar being drawn
    for label, units, color in bars:
        sure = (df["greenlit"] - below).clip(lower=0).clip(upper=units) if tentative else units
        fig.add_bar(x=df["week_start"], y=sure, name=label, legendgroup=label, marker_color=color)
        if tentative:
            fig.add_bar(x=df["week_start"], y=units - sure, name=f"{label}: development", legendgroup=label,
                        showlegend=False, marker=dict(color=color, opacity=0.45, pattern=dict(
                            shape="/", fgcolor="white", fillmode="overlay", solidity=0.4)))
        below = below + units
    if tentative:  # one legend entry explains the hatching
        fig.add_bar(x=[None], y=[None], name="Development (tentative)", marker=dict(
            color="#a1a1aa", opacity=0.45, pattern=dict(shape="/", fgcolor="white", fillmode="overlay", solidity=0.4)))
    fig.add_scatter(x=df["week_start"], y=df["capacity"], name="Capacity", mode="lines",
                    line=dict(color="#18181b", width=2, shape="hv"))
    fig.update_layout(barmode="stack", title=title or f"{name}: demand against capacity", height=360,
                      yaxis_title="units", legend=dict(orientation="h", y=-0.15),
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig


SECTION_LABELS = {"ATL": "Above the line", "BTL_PRODUCTION": "Below the line: production",
                  "BTL_POST": "Below the line: post", "OTHER": "Other"}
SECTION_COLORS = {"Above the line": "#6a51a3", "Below the line: production": "#e6550d",
                  "Below the line: post": "#3182bd", "Other": "#bdbdbd"}
#: Colours only the incentive receipts (green) and the financing cost (near black, hatched) wear.
INCENTIVE, FINANCING = "Incentive receipts", "Financing cost"
RESERVED_COLORS = {INCENTIVE: "#1a9850", FINANCING: "#3f3f46"}
#: One colour per production, each far from the others and from ``RESERVED_COLORS`` (no green, no grey).
PRODUCTION_COLORS = ("#3283FE", "#F6222E", "#FEAF16", "#AA0DFE", "#2ED9FF", "#85660D", "#FE00FA", "#325A9B",
                     "#F8A19F", "#782AB6", "#FBE426", "#C4451C", "#DEA0FD", "#B00068", "#1616A7", "#C075A6",
                     "#F7E1A0", "#862A16", "#FA0087", "#DA60CA", "#620042", "#FED4C4")
OTHER_PRODUCTIONS = "#d6c9b5"     # the productions past the palette, as one series


def cash_bars(tagged: pd.DataFrame, order: list[str], by: str = "section",
              title: str = "Cash out and in, by period") -> go.Figure:
    """Stacked bars per period: spend below zero by ``by`` (section or production), incentive
    receipts above zero (green), financing cost below (near black, hatched). Each production has its
    own colour; past ``PRODUCTION_COLORS`` the productions that spend least are one series, "Other
    productions (n)". The legend sits under the chart, in rows, all of it in view. ``tagged`` is a
    cash-flow frame with ``period``."""
    df = tagged.copy()
    spend = df["flow"] == "spend"
    if by == "section":
        key = df["section"].map(SECTION_LABELS)
    else:
        key = df["production_id"].astype(str) + " · " + df["title"].astype(str)
        ranked = df[spend].assign(key=key).groupby("key")["amount"].sum().sort_values().index.tolist()  # most first
        if len(ranked) > len(PRODUCTION_COLORS):
            rest = set(ranked[len(PRODUCTION_COLORS) - 1:])
            key = key.where(~key.isin(rest), f"Other productions ({len(rest)})")
    df["series"] = np.where(spend, key.astype(str), np.where(df["flow"] == "incentive", INCENTIVE, FINANCING))
    sums = df.groupby(["series", "period"], observed=True)["amount"].sum().reset_index()
    names = sorted(set(sums["series"]) - set(RESERVED_COLORS), key=lambda n: (n.startswith("Other productions"), n))
    colors = {n: SECTION_COLORS[n] if by == "section" else
              OTHER_PRODUCTIONS if n.startswith("Other productions") else PRODUCTION_COLORS[i]
              for i, n in enumerate(names)} | RESERVED_COLORS
    fig = go.Figure()
    for series in names + [n for n in RESERVED_COLORS if n in set(sums["series"])]:
        part = sums[sums["series"] == series].set_index("period")["amount"].reindex(order, fill_value=0)
        pattern = dict(shape="/", bgcolor=colors[series], fgcolor="white", fillmode="overlay", solidity=0.3) \
            if series == FINANCING else None
        fig.add_bar(x=order, y=part / 1e6, name=series, marker=dict(color=colors[series], pattern=pattern))
    rows = -(-(len(names) + 2) // 4)          # legend rows, about four entries a row
    fig.update_layout(barmode="relative", title=title, height=420 + 22 * rows, yaxis_title="millions (out < 0 < in)",
                      legend=dict(orientation="h", yanchor="top", y=-0.2 if len(order) <= 12 else -0.3, x=0),
                      margin=dict(l=10, r=10, t=50, b=10))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order, tickangle=-45 if len(order) > 12 else 0,
                     nticks=26)
    return fig


def position_figure(curves: dict[str, pd.DataFrame], peaks: dict[str, tuple] | None = None,
                    title: str = "Cumulative cash position") -> go.Figure:
    """One line per named weekly position frame (``week_start``, ``position``); each peak funding
    need ``(week_start, need)`` marked on its curve."""
    fig = go.Figure()
    colors = ["#2171b5", "#e6550d", "#31a354", "#6a51a3"]
    for i, (name, pos) in enumerate(curves.items()):
        color = colors[i % len(colors)]
        fig.add_scatter(x=pos["week_start"], y=pos["position"] / 1e6, name=name, mode="lines",
                        line=dict(color=color, width=2))
        if peaks and peaks.get(name) and peaks[name][0] is not None:
            when, need = peaks[name]
            label = f"peak need {need / 1e6:,.1f}M" if len(curves) == 1 else f"{name} peak {need / 1e6:,.1f}M"
            fig.add_scatter(x=[when], y=[-need / 1e6], mode="markers+text", marker=dict(size=11, color=color),
                            text=[label], textposition=["top left", "bottom left", "top right", "bottom right"][i % 4],
                            showlegend=False, name=f"{name} peak")
    fig.add_hline(y=0, line_color="#a1a1aa", line_width=1)
    fig.update_layout(title=title, height=380, yaxis_title="millions", margin=dict(l=10, r=10, t=50, b=10),
                      legend=dict(orientation="h", y=-0.15))
    return fig


def objective_figure(parts: dict[str, float], title: str = "What the plan costs") -> go.Figure:
    """Horizontal bars of the plan's money (hire-in, lateness, moves)."""
    labels = {"hire": "Hire-in", "lateness": "Lateness", "moves": "Moves"}
    names = [labels.get(k, k) for k in parts]
    fig = go.Figure(go.Bar(x=list(parts.values()), y=names, orientation="h",
                           marker_color=["#fdae61", "#e6550d", "#6baed6"][: len(parts)],
                           text=[f"{v:,.0f}" for v in parts.values()], textposition="auto"))
    fig.update_layout(title=title, height=240, margin=dict(l=10, r=10, t=50, b=10), xaxis_title="cost")
    fig.update_yaxes(autorange="reversed")
    return fig


def difference_heatmap(diff: pd.DataFrame, labels: dict[str, str], horizon_start: pd.Timestamp,
                       value: str = "demand_diff", title: str = "Change in demand, resource by week") -> go.Figure:
    """Diverging heatmap of a utilization difference (second plan minus first): red more, blue less.

    Rows are the resources that change at all, labelled by ``labels`` (resource_id -> label);
    columns are the Mondays of the weeks."""
    busy = diff.groupby("resource_id")[value].apply(lambda s: s.abs().sum())
    rows = busy[busy > 0].index.tolist()
    if not rows:
        fig = go.Figure()
        fig.add_annotation(text="No difference in any week", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_layout(title=title, height=200)
        return fig
    z = diff[diff["resource_id"].isin(rows)].pivot(index="resource_id", columns="week", values=value).fillna(0)
    top = max(1, int(z.abs().to_numpy().max()))
    x = week_start(np.asarray(z.columns, dtype="int64"), horizon_start)
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=x, y=[labels.get(r, r) for r in z.index],
                               zmin=-top, zmax=top, colorscale="RdBu_r", xgap=1, ygap=1,
                               colorbar=dict(title="units"),
                               hovertemplate="%{y}<br>week of %{x|%d %b %Y}: %{z:+d} units<extra></extra>"))
    fig.update_layout(title=title, height=max(260, 22 * len(rows) + 120),
                      margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(autorange="reversed")
    return fig


def conflict_bars(runs: dict[str, pd.DataFrame], title: str = "Unit-weeks short, by resource") -> go.Figure:
    """Grouped bars per resource: the unit-weeks short in each named plan's conflicts."""
    frame = pd.DataFrame({name: r.groupby("name")["unit_weeks"].sum() for name, r in runs.items()}).fillna(0)
    frame = frame.sort_values(list(frame.columns), ascending=False)
    fig = go.Figure()
    for col, color in zip(frame.columns, ["#fdae61", "#b30000", "#6a51a3", "#31a354"]):
        fig.add_bar(x=frame.index, y=frame[col], name=col, marker_color=color)
    fig.update_layout(title=title, barmode="group", height=340, yaxis_title="unit-weeks",
                      margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=1.1))
    return fig


PART_CODES = {"build": 1, "shoot": 2, "strike": 1}


def booking_labels(board: pd.DataFrame) -> list[tuple[str, float, str]]:
    """``(resource_id, middle week, production_id)`` for every run of consecutive weeks one
    production holds a stage row of the board (one label per booking, not per week)."""
    rows = board.sort_values(["resource_id", "production_id", "week"])
    new = (rows["week"].diff().ne(1) | rows["resource_id"].ne(rows["resource_id"].shift())
           | rows["production_id"].ne(rows["production_id"].shift()))
    runs = rows.assign(run=new.cumsum().to_numpy()).groupby("run")
    return [(str(g["resource_id"].iat[0]), (g["week"].min() + g["week"].max()) / 2, str(g["production_id"].iat[0]))
            for _, g in runs]


def stage_board_figure(board: pd.DataFrame, stages: pd.DataFrame, horizon_start: pd.Timestamp, weeks: int,
                       closed: pd.DataFrame | None = None, titles: dict[str, str] | None = None,
                       title: str = "Stage board") -> go.Figure:
    """Stage x week grid: orange while a production shoots, light while it builds or strikes its set,
    dark grey where the stage is closed (``closed``: resource_id, week); the hover names the production
    (with its title from ``titles``) and phase. Bookings no stage could take sit on an ``unplaced`` row."""
    order = list(stages.sort_values(["size", "resource_id"], ascending=[False, True])["resource_id"])
    labels = {r: f"{n} ({s:,.0f})" for r, n, s in zip(stages["resource_id"], stages["name"], stages["size"].fillna(0))}
    if (board["resource_id"] == "unplaced").any():
        order.append("unplaced")
        labels["unplaced"] = "Unplaced bookings"
    x = week_start(np.arange(weeks), horizon_start)
    z = np.zeros((len(order), weeks))
    text = np.full((len(order), weeks), "free", dtype=object)
    pos = {r: i for i, r in enumerate(order)}
    for r in (closed.itertuples(index=False) if closed is not None else ()):
        if r.resource_id in pos and 0 <= r.week < weeks:
            z[pos[r.resource_id], r.week], text[pos[r.resource_id], r.week] = -1, "closed"
    for r in board.itertuples(index=False):
        i = pos[r.resource_id]
        z[i, r.week] = max(z[i, r.week], PART_CODES[r.part])
        name = f"{r.production_id} {titles[r.production_id]}" if titles and r.production_id in titles else r.production_id
        label = f"{name}, {r.phase_id} ({r.part})"
        text[i, r.week] = label if text[i, r.week] == "free" else text[i, r.week] + " + " + label
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=[labels[r] for r in order], text=text, zmin=-1, zmax=2, showscale=False, xgap=1, ygap=2,
        colorscale=[[0, "#52525b"], [0.17, "#52525b"], [0.18, "#f4f4f5"], [0.5, "#f4f4f5"], [0.51, "#fdd0a2"],
                    [0.83, "#fdd0a2"], [0.84, "#e6550d"], [1, "#e6550d"]],
        hovertemplate="%{y}<br>week of %{x|%d %b %Y}<br>%{text}<extra></extra>"))
    for rid, week, code in booking_labels(board):   # the production's code on each booking, for print
        fig.add_annotation(x=week_start(week, horizon_start), y=labels[rid], text=code, showarrow=False,
                           font=dict(size=10, color="#18181b"), xanchor="center")
    fig.update_layout(title=title + " (orange: shooting, light: set build or strike, grey: closed)", height=max(300, 26 * len(order) + 110),
                      margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(autorange="reversed")
    return fig


#: The production colours a people-and-places chart uses: ``PRODUCTION_COLORS`` without the reds (red is a clash).
BOOKING_COLORS = tuple(c for c in PRODUCTION_COLORS if c not in {"#F6222E", "#C4451C", "#B00068", "#862A16",
                                                                 "#FA0087", "#F8A19F", "#FED4C4", "#620042"})
CLASH_RED, AVAILABLE_GREEN = "#dc2626", "#d1fae5"


def booking_lanes(bookings: pd.DataFrame) -> pd.Series:
    """A lane (0, 1, ...) for each booking of one resource, so that bookings that overlap in time sit
    one above the other: each booking, by first week, takes the lowest lane whose last booking ended before."""
    ends: list[int] = []                       # the last week of each lane's latest booking
    lanes = pd.Series(0, index=bookings.index, dtype="int64")
    ordered = bookings.sort_values(["first_week", "last_week"])
    for i, first, last in zip(ordered.index, ordered["first_week"], ordered["last_week"]):
        lane = next((k for k, end in enumerate(ends) if end < first), None)
        if lane is None:
            lane = len(ends)
            ends.append(last)
        else:
            ends[lane] = last
        lanes[i] = lane
    return lanes


def people_places_figure(who: pd.DataFrame, windows: pd.DataFrame, bookings: pd.DataFrame, clashes: pd.DataFrame,
                         horizon_start: pd.Timestamp, horizon_weeks: int, titles: dict[str, str] | None = None,
                         title: str = "People and places: availability and bookings") -> go.Figure:
    """One row per person or place (``who``: resource_id, name, kind, in order): its availability as pale
    green bars (``windows``: ``planning.analysis.people.availability_windows``), every booking of the plan
    on it (``bookings``: ``planning.analysis.people.bookings``) as a bar in its production's colour labelled
    "P05 shoot" (bookings that overlap one above the other), and the weeks it is short
    (``clashes``: conflict runs with resource_id, start, end: the Monday after) as translucent red over
    them, a booking that clashes outlined in red."""
    titles = titles or {}
    rows = {r: i for i, r in enumerate(who["resource_id"])}
    ms = lambda a, b: (pd.to_datetime(b) - pd.to_datetime(a)).dt.total_seconds() * 1000   # noqa: E731
    fig = go.Figure()
    win = windows[windows["resource_id"].isin(rows)]
    if len(win):
        end = pd.to_datetime(win["end"]) + pd.Timedelta(days=1)
        fig.add_bar(y=win["resource_id"].map(rows), base=win["start"], x=ms(win["start"], end), orientation="h",
                    width=0.9, name="available", marker=dict(color=AVAILABLE_GREEN, line=dict(color="#34d399", width=1)),
                    customdata=np.stack([win["name"], np.where(win["always"], "available all the horizon",
                                         "available " + win["start"].dt.strftime("%d %b %Y") + " to "
                                         + win["end"].dt.strftime("%d %b %Y")),
                                         win["units"].astype(str)], axis=-1),
                    hovertemplate="%{customdata[0]}<br>%{customdata[1]} (%{customdata[2]} a week)<extra></extra>")
    bk = bookings[bookings["resource_id"].isin(rows)].copy()
    if len(bk):
        bk["lane"] = pd.concat([booking_lanes(g) for _, g in bk.groupby("resource_id")])
        lanes = bk.groupby("resource_id")["lane"].transform("max") + 1
        height = 0.8 / lanes
        bk["y"] = bk["resource_id"].map(rows) - 0.4 + height * (bk["lane"] + 0.5)
        bk["height"] = height * 0.9
        bk["monday_after"] = pd.to_datetime(bk["end"]) + pd.Timedelta(days=1)
        ids = sorted(bk["production_id"].unique())
        for i, pid in enumerate(ids):
            part = bk[bk["production_id"] == pid]
            name = f"{pid} {titles[pid]}" if pid in titles else pid
            fig.add_bar(y=part["y"], base=part["start"], x=ms(part["start"], part["monday_after"]), orientation="h",
                        width=part["height"], name=name, text=part["production_id"] + " " + part["phase_id"],
                        textposition="inside", insidetextanchor="middle", textangle=0,
                        marker=dict(color=BOOKING_COLORS[i % len(BOOKING_COLORS)],
                                    line=dict(color=np.where(part["clashes"], CLASH_RED, "white"),
                                              width=np.where(part["clashes"], 2, 1))),
                        customdata=np.stack([part["name"], part["phase_id"], part["start"].dt.strftime("%d %b %Y"),
                                             part["end"].dt.strftime("%d %b %Y"), part["state"]], axis=-1),
                        hovertemplate=f"%{{customdata[0]}}<br>{name}, %{{customdata[1]}}: %{{customdata[2]}} to "
                                      "%{customdata[3]}<br>%{customdata[4]}<extra></extra>")
    cl = clashes[clashes["resource_id"].isin(rows)]
    if len(cl):
        last = pd.to_datetime(cl["end"]) - pd.Timedelta(days=1)
        fig.add_bar(y=cl["resource_id"].map(rows), base=cl["start"], x=ms(cl["start"], cl["end"]), orientation="h",
                    width=0.96, name="clash", marker=dict(color="rgba(220, 38, 38, 0.3)",
                                                          line=dict(color=CLASH_RED, width=2)),
                    customdata=np.stack([cl["name"], pd.to_datetime(cl["start"]).dt.strftime("%d %b %Y"),
                                         last.dt.strftime("%d %b %Y")], axis=-1),
                    hovertemplate="%{customdata[0]}<br>clash: booked more than available, "
                                  "%{customdata[1]} to %{customdata[2]}<extra></extra>")
    h0 = pd.Timestamp(horizon_start)
    fig.update_xaxes(type="date", range=[h0, week_start(horizon_weeks, h0)], title=None)
    fig.update_yaxes(tickvals=list(rows.values()), ticktext=[f"{n} · {k}" for n, k in zip(who["name"], who["kind"])],
                     range=[len(rows) - 0.5, -0.5], title=None)
    fig.update_layout(title=title, barmode="overlay", height=max(260, 90 * len(rows) + 160),
                      margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.12),
                      uniformtext=dict(minsize=8, mode="show"))
    return fig


def version_moves_figure(changes: pd.DataFrame, title: str = "Weeks later (+) or earlier (−)") -> go.Figure:
    """Paired horizontal bars per production that moved between two slate versions
    (``planning.analysis.versions.production_changes``): its first phase's start and its delivery,
    in weeks later (positive) or earlier (negative)."""
    moved = changes[changes["change"] == "moved"]
    label = moved["production_id"].astype(str) + " · " + moved["title"].astype(str)
    fig = go.Figure()
    for col, name, color in (("start_weeks", "start", "#6baed6"), ("delivery_weeks", "delivery", "#e6550d")):
        weeks = moved[col].astype("float64")
        fig.add_bar(y=label, x=weeks, orientation="h", name=name, marker_color=color,
                    text=[f"{w:+.0f}" for w in weeks], textposition="auto",
                    hovertemplate="%{y}<br>" + name + ": %{x:+d} weeks<extra></extra>")
    fig.update_layout(title=title, barmode="group", height=max(220, 48 * len(moved) + 120), xaxis_title="weeks",
                      margin=dict(l=10, r=10, t=50, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1))
    fig.update_yaxes(autorange="reversed")
    return fig
