"""A realistic sample slate, generated deterministically from a seed.

One studio lot (sound stages of three sizes and an LED volume), crew and equipment pools,
post facilities with hire-in rates, about twenty features and series over two years with budgets
on a standard film chart of accounts, and four incentive jurisdictions. The planned dates are
drawn so that a few resources are over-booked in some weeks, not everywhere. ``make_slate(n)``
also builds the larger slates the benchmarks use.

The bundled sample (``slate sample``: ``make_slate(as_of=SAMPLE_AS_OF)``) is the slate under way on
its report date: ``under_way`` gives it actual dates, a shoot that ran long, the ledger's actuals and
open purchase orders, and two estimates. ``make_slate`` without ``as_of`` plans from the horizon start,
as the benchmarks and most tests want.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd

from planning.data.inputs import PANDAS_TYPES, week_start
from planning.data.schema import CURVES, TABLES

HORIZON_START = pd.Timestamp("2027-01-04")  # a Monday
HORIZON_WEEKS = 104

# Largest lags (weeks) between phases: prep runs into the shoot (a crew does not prep and then
# wait), a series' post follows its block within three weeks, the shoot's post within two, and
# delivery follows the last post within two. A series' shoot blocks may pause two weeks.
PREP_TO_SHOOT = 1
POST_TO_DELIVERY = 2

STAGES = (  # (id, name, size sq ft)
    [(f"STG-{i:02d}", f"Stage {i}", 12_000) for i in range(1, 5)]
    + [(f"STG-{i:02d}", f"Stage {i}", 18_000) for i in range(5, 10)]
    + [(f"STG-{i:02d}", f"Stage {i}", 30_000) for i in range(10, 13)]
    + [("LED-01", "LED Volume", 22_000)]
)

POOLS = (  # (id, kind, name, hire cost a week, tightness)
    # Capacity is fitted to the planned peak: a tightness of 1 leaves headroom, below 1 makes the
    # pool short in its busiest weeks (a conflict), with hire-in covering about half the gap.
    ("CREW-CAM", "crew", "Camera crews", 42_000, 1.0),
    ("CREW-GE", "crew", "Grip & electric crews", 65_000, 0.8),
    ("CREW-CON", "crew", "Construction crews", 80_000, 0.85),
    ("CREW-ART", "crew", "Art department crews", 38_000, 1.0),
    ("CREW-HMU", "crew", "Hair & makeup crews", 18_000, 1.0),
    ("CREW-LOC", "crew", "Locations teams", 15_000, 1.0),
    ("EQ-CAM", "equipment", "Camera packages", 22_000, 1.0),
    ("EQ-LGT", "equipment", "Lighting packages", 30_000, 0.85),
    ("POST-EDIT", "facility", "Edit suites", 3_500, 1.0),
    ("POST-MIX", "facility", "Mix stages", 28_000, 0.75),
    ("POST-COLOR", "facility", "Color suites", 16_000, 1.0),
)

JURISDICTIONS = (  # (id, rate, cap, receipt lag weeks, discount)
    ("UK", 0.255, None, 30, 0.0),
    ("GA", 0.30, None, 10, 0.09),
    ("NM", 0.25, 12_000_000, 26, 0.0),
    ("ON", 0.215, None, 52, 0.03),
)

# (account, description, section, share of budget, phase kind, curve, payment lag, qualifying)
ACCOUNTS = (
    ("1100", "Story & Rights", "ATL", 0.04, "prep", "start", 0, False),
    ("1200", "Producers Unit", "ATL", 0.05, "prep", "flat", 2, False),
    ("1300", "Direction", "ATL", 0.05, "shoot", "flat", 2, False),
    ("1400", "Cast", "ATL", 0.14, "shoot", "front", 2, False),
    ("1900", "ATL Fringes", "ATL", 0.02, "shoot", "flat", 4, False),
    ("2000", "Production Staff", "BTL_PRODUCTION", 0.05, "prep", "flat", 1, True),
    ("2200", "Art Department", "BTL_PRODUCTION", 0.04, "prep", "back", 2, True),
    ("2300", "Set Construction", "BTL_PRODUCTION", 0.07, "prep", "bell", 4, True),
    ("2500", "Set Operations", "BTL_PRODUCTION", 0.06, "shoot", "flat", 2, True),
    ("2900", "Wardrobe", "BTL_PRODUCTION", 0.03, "shoot", "front", 2, True),
    ("3100", "Makeup & Hair", "BTL_PRODUCTION", 0.02, "shoot", "flat", 2, True),
    ("3200", "Electrical", "BTL_PRODUCTION", 0.04, "shoot", "flat", 3, True),
    ("3300", "Camera", "BTL_PRODUCTION", 0.04, "shoot", "flat", 3, True),
    ("3500", "Transportation", "BTL_PRODUCTION", 0.03, "shoot", "flat", 4, True),
    ("3600", "Location Expenses", "BTL_PRODUCTION", 0.04, "shoot", "bell", 4, True),
    ("3800", "Stage Rental", "BTL_PRODUCTION", 0.03, "shoot", "flat", 4, True),
    ("5000", "Editorial", "BTL_POST", 0.04, "post", "flat", 2, True),
    ("5100", "Music", "BTL_POST", 0.02, "post", "end", 6, False),
    ("5200", "Post Sound", "BTL_POST", 0.02, "post", "back", 4, True),
    ("5300", "Visual Effects", "BTL_POST", 0.10, "post", "bell", 6, True),
    ("5500", "Color & Deliverables", "BTL_POST", 0.02, "delivery", "flat", 4, True),
    ("6500", "Publicity", "OTHER", 0.01, "delivery", "end", 4, False),
    ("6700", "Insurance", "OTHER", 0.02, "prep", "start", 0, False),
    ("6800", "General Expense", "OTHER", 0.02, "prep", "flat", 2, False),
    ("7500", "Contingency", "OTHER", 0.04, "post", "flat", 8, False),
)

FEATURE_TITLES = [
    "Northern Lights", "The Long Con", "Saltwater", "Iron Orchard", "Glass Harbor", "Midnight Express Line",
    "The Cartographer", "Red Meridian", "Hollow Crown Road", "Paper Tigers", "Last Light at Dover",
    "The Understudy", "Silver Lake", "Ashfall", "Blue Hour", "The Quiet Coast", "Wildfire Season",
    "Copper Sky", "The Orchard Keeper", "Small Hours",
]
SERIES_TITLES = [
    "Harbor Street (S2)", "The Bureau (S1)", "Westward (S3)", "Night Shift (S1)", "Kingdom of Salt (S2)",
    "Lowlands (S1)", "The Firm (S4)", "Parallel (S2)",
]


def _monday(week: int) -> pd.Timestamp:
    return week_start(week, HORIZON_START)


def make_slate(n_productions: int = 20, seed: int = 7, series_share: float = 0.3,
               n_locked: int = 3, stages_scale: float = 1.0,
               as_of: pd.Timestamp | None = None) -> dict[str, pd.DataFrame]:
    """Generate a slate of ``n_productions`` as contract tables (name -> frame).

    Pools and stages scale with the slate (``n/20``) so that larger slates stay about as busy.
    The first ``n_locked`` productions are already shooting: dated before the horizon and locked.
    With ``as_of`` (a Monday inside the horizon) the slate is under way on that day (``under_way``).
    """
    rng = random.Random(seed)
    scale = max(1.0, n_productions / 20) * stages_scale
    productions, phases, links, demands, budget = [], [], [], [], []

    stages = [(sid, name, size) for sid, name, size in STAGES]
    extra = round(len(STAGES) * (scale - 1))
    for k in range(extra):
        _, _, size = STAGES[k % (len(STAGES) - 1)]
        stages.append((f"STG-{13 + k:02d}", f"Stage {13 + k}", size))
    resources = [(sid, "stage", name, 1, size, None, None) for sid, name, size in stages]
    resources += [(rid, kind, name, 1000, None, cost, 0) for rid, kind, name, cost, _ in POOLS]  # fitted below

    n_series = round(n_productions * series_share)
    kinds = ["series"] * n_series + ["feature"] * (n_productions - n_series)
    rng.shuffle(kinds)
    titles_f, titles_s = FEATURE_TITLES, SERIES_TITLES
    for i, fmt in enumerate(kinds):
        pid = f"P{i + 1:02d}" if n_productions < 100 else f"P{i + 1:03d}"
        pool = titles_s if fmt == "series" else titles_f
        k = kinds[:i].count(fmt)
        title = pool[k % len(pool)] + ("" if k < len(pool) else f" {k // len(pool) + 1}")
        locked = i < n_locked
        if fmt == "feature":
            prep, shoot, post = rng.randint(8, 20), rng.randint(6, 14), rng.randint(20, 40)
            plan = [("prep", "prep", prep), ("shoot", "shoot", shoot), ("post", "post", post),
                    ("delivery", "delivery", 2)]
            size = rng.choice([12_000, 18_000, 18_000, 30_000])
            budget_total = rng.choice([5, 12, 25, 40, 60, 90, 120, 150, 200]) * 1_000_000
        else:
            blocks = rng.randint(2, 4)
            prep, block, post = rng.randint(8, 14), rng.randint(4, 7), rng.randint(8, 14)
            plan = [("prep", "prep", prep)]
            plan += [(f"shoot_b{b}", "shoot", block) for b in range(1, blocks + 1)]
            plan += [(f"post_b{b}", "post", post) for b in range(1, blocks + 1)]
            plan += [("delivery", "delivery", 2)]
            size = rng.choice([12_000, 18_000])
            budget_total = rng.choice([30, 45, 60, 80, 110]) * 1_000_000
        led = fmt == "feature" and rng.random() < 0.3
        span = sum(d for _, k, d in plan if k != "post") + max(d for _, k, d in plan if k == "post") + 1
        # Start of the first phase, in weeks from the horizon start.
        first = -(prep + rng.randint(1, 4)) if locked else rng.randint(0, HORIZON_WEEKS - span - 4)

        # Planned starts: features in listed order; series shoot blocks back to back, each
        # block's post after it, delivery after the last post. The links keep the lags real
        # productions keep (see ``PREP_TO_SHOOT``).
        starts: dict[str, int] = {}
        if fmt == "feature":
            w = first
            for phase_id, _, dur in plan:
                starts[phase_id] = w
                w += dur
        else:
            starts["prep"] = first
            w = first + prep
            for b in range(1, blocks + 1):
                starts[f"shoot_b{b}"] = w
                starts[f"post_b{b}"] = w + block + 1
                w += block
            starts["delivery"] = max(starts[f"post_b{b}"] for b in range(1, blocks + 1)) + post
            links.append((pid, "prep", "shoot_b1", 0, PREP_TO_SHOOT))
            for b in range(1, blocks + 1):
                if b > 1:
                    links.append((pid, f"shoot_b{b - 1}", f"shoot_b{b}", 0, 2))
                links.append((pid, f"shoot_b{b}", f"post_b{b}", 1, 3))
                links.append((pid, f"post_b{b}", "delivery", 0, POST_TO_DELIVERY if b == blocks else None))
        if fmt == "feature":
            links += [(pid, "prep", "shoot", 0, PREP_TO_SHOOT), (pid, "shoot", "post", 0, 2),
                      (pid, "post", "delivery", 0, POST_TO_DELIVERY)]
        finish = max(starts[p] + d for p, _, d in plan)
        slack_before = 0 if locked else rng.randint(0, 4)
        earliest = _monday(first - slack_before)
        latest = None if locked else _monday(first + rng.choice([6, 8, 10]))
        target = _monday(finish + (0 if locked else rng.randint(0, 6)))
        jurisdiction = rng.choice(["UK", "GA", "GA", "NM", "ON", None])
        productions.append((pid, title, fmt, rng.randint(1, 5), earliest, latest, target,
                            float(rng.choice([50_000, 100_000, 150_000, 250_000])), jurisdiction, locked))
        for phase_id, kind, dur in plan:
            phases.append((pid, phase_id, kind, dur, _monday(starts[phase_id]), locked))

        # Demands.
        crews = 2 if budget_total >= 90_000_000 else 1
        demands.append((pid, "prep", "CREW-CON", None, None, crews, 0, 0))
        demands.append((pid, "prep", "CREW-ART", None, None, 1, 0, 0))
        demands.append((pid, "prep", "CREW-LOC", None, None, 1, 0, 0))
        for phase_id, kind, dur in plan:
            if kind == "shoot":
                build = rng.randint(3, 6) if phase_id in ("shoot", "shoot_b1") else 1
                if led and phase_id == "shoot":
                    demands.append((pid, phase_id, "LED-01", None, None, 1, 2, 1))
                demands.append((pid, phase_id, None, "stage", float(size), 2 if crews == 2 else 1, build, 1))
                demands.append((pid, phase_id, "CREW-CAM", None, None, crews, 0, 0))
                demands.append((pid, phase_id, "CREW-GE", None, None, crews, 0, 0))
                demands.append((pid, phase_id, "CREW-HMU", None, None, 1, 0, 0))
                demands.append((pid, phase_id, "CREW-LOC", None, None, 1, 0, 0))
                demands.append((pid, phase_id, "EQ-CAM", None, None, crews, 1, 1))
                demands.append((pid, phase_id, "EQ-LGT", None, None, crews, 1, 1))
            elif kind == "post":
                demands.append((pid, phase_id, "POST-EDIT", None, None, rng.randint(2, 4), 0, 0))
            elif kind == "delivery":
                demands.append((pid, phase_id, "POST-MIX", None, None, 1, 0, 0))
                demands.append((pid, phase_id, "POST-COLOR", None, None, 1, 0, 0))

        # Budget: shares of the chart of accounts with some noise, rounded to the cent; the last
        # line takes the rounding so the lines sum exactly to the budget.
        kinds_here = {kind: phase_id for phase_id, kind, _ in plan}
        last_shoot = [p for p, k, _ in plan if k == "shoot"][-1]
        last_post = [p for p, k, _ in plan if k == "post"][-1]
        weights = [share * rng.uniform(0.8, 1.2) for _, _, _, share, *_ in ACCOUNTS]
        total_w = sum(weights)
        cents_total = budget_total * 100
        cents = [int(cents_total * w / total_w) for w in weights]
        cents[-1] += cents_total - sum(cents)
        for (account, desc, section, _, kind, curve, lag, qual), c in zip(ACCOUNTS, cents):
            phase_id = kinds_here[kind]
            if kind == "shoot" and account in ("1400", "2500", "3600"):
                phase_id = "shoot" if fmt == "feature" else "shoot_b1"
            if kind == "shoot" and account in ("1900", "3500"):
                phase_id = last_shoot
            if kind == "post" and fmt == "series" and account in ("5100", "7500"):
                phase_id = last_post
            budget.append((pid, account, desc, section, c / 100, phase_id, curve, lag, qual))

    # Calendar: a stage out for maintenance, another let to an outside show, holiday shutdowns.
    calendar = [("STG-03", _monday(w), 0) for w in range(20, 26)]
    calendar += [("STG-10", _monday(w), 0) for w in range(40, 48)]
    for christmas in (51, 103):
        for rid, kind, name, cap, *_ in resources:
            if kind == "crew":
                calendar.append((rid, _monday(christmas), max(0, cap - 2)))

    frames = {
        "productions": pd.DataFrame(productions, columns=[
            "production_id", "title", "format", "priority", "earliest_start", "latest_start",
            "target_delivery", "lateness_cost_per_week", "jurisdiction", "locked"]),
        "phases": pd.DataFrame(phases, columns=["production_id", "phase_id", "kind", "duration_weeks",
                                                "planned_start", "locked"]).assign(window_start=pd.NaT,
                                                                                   window_end=pd.NaT),
        "phase_links": pd.DataFrame(links, columns=["production_id", "before_phase", "after_phase",
                                                    "min_lag_weeks", "max_lag_weeks"]),
        "resources": pd.DataFrame(resources, columns=["resource_id", "kind", "name", "capacity", "size",
                                                      "hire_cost_per_week", "hire_max_units"]),
        "resource_calendar": pd.DataFrame(calendar, columns=["resource_id", "week_start", "capacity"]),
        "demands": pd.DataFrame(demands, columns=["production_id", "phase_id", "resource_id", "resource_kind",
                                                  "min_size", "units", "lead_weeks", "tail_weeks"]),
        "budget_lines": pd.DataFrame(budget, columns=["production_id", "account", "description", "section",
                                                      "amount", "phase_id", "curve", "payment_lag_weeks",
                                                      "qualifying"]),
        "incentives": pd.DataFrame(JURISDICTIONS, columns=["jurisdiction", "rate", "cap", "receipt_lag_weeks",
                                                           "discount"]),
        "settings": pd.DataFrame([(HORIZON_START, HORIZON_WEEKS, "USD", 0.07)],
                                 columns=["horizon_start", "horizon_weeks", "currency", "financing_rate_annual"]),
    }
    frames["availability"] = pd.DataFrame(columns=["resource_id", "available_from", "available_to", "units"])
    frames = _fit_capacities(_typed(_risks_on_people_and_places(_people_and_places(_uncertain(frames, seed)))))
    return frames if as_of is None else under_way(frames, pd.Timestamp(as_of), seed)


DEVELOPMENT_ODDS = (0.3, 0.5, 0.7)   # the latest-starting productions are still in development
RISKS = (  # (name, kind, phase kind it hits, probability, delay low/high weeks, extra cost low/high)
    ("Weather on the coastal shoot", "weather", "shoot", 0.35, 1, 3, 150_000, 600_000),
    ("Lead actor's availability", "talent", "shoot", 0.2, 2, 6, 250_000, 1_200_000),
    ("Losing the harbour location", "location", "shoot", 0.15, 2, 5, 300_000, 900_000),
    ("VFX vendor over capacity", "other", "post", 0.3, 2, 8, 200_000, 1_500_000),
    ("Composer's late delivery", "talent", "post", 0.25, 1, 3, 50_000, 200_000),
)


def _uncertain(frames: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """What is uncertain in the slate (its own random stream, so the plan above stays as it was):
    the latest-starting unlocked productions are in development at ``DEVELOPMENT_ODDS``; shoots
    and post take three-point durations (low ``d - max(1, d//10)``, high ``d + max(1, d//5)`` for a
    shoot, ``d + max(2, d//4)`` for post); a handful of named ``RISKS`` hit productions' phases."""
    rng = random.Random(seed + 1_000)
    prods, phases = frames["productions"].copy(), frames["phases"].copy()
    latest = prods[~prods["locked"]].sort_values("earliest_start", ascending=False)["production_id"]
    odds = dict(zip(latest, DEVELOPMENT_ODDS))
    prods["status"] = [("development" if p in odds else "greenlit") for p in prods["production_id"]]
    prods["greenlight_probability"] = [odds.get(p) for p in prods["production_id"]]
    d = phases["duration_weeks"]
    shoot, post = phases["kind"] == "shoot", phases["kind"] == "post"
    phases["duration_low_weeks"] = (d - (d // 10).clip(lower=1)).clip(lower=1).where(shoot | post)
    phases["duration_high_weeks"] = (d + (d // 5).clip(lower=1)).where(shoot, (d + (d // 4).clip(lower=2)).where(post))
    rows, used = [], set()
    movable = prods.loc[~prods["locked"], "production_id"].tolist()
    for name, kind, hits, probability, dlo, dhi, clo, chi in RISKS:
        free = [p for p in movable if p not in used]
        if not free:                          # a small slate: as many risks as productions that can move
            break
        pid = rng.choice(free)
        used.add(pid)
        phase = phases[(phases["production_id"] == pid) & (phases["kind"] == hits)]["phase_id"].iloc[0]
        rows.append((pid, phase, name, kind, probability, dlo, dhi, float(clo), float(chi), None))
    frames = {**frames, "productions": prods, "phases": phases}
    frames["risks"] = pd.DataFrame(rows, columns=["production_id", "phase_id", "name", "kind", "probability",
                                                  "delay_low_weeks", "delay_high_weeks", "extra_cost_low",
                                                  "extra_cost_high", "resource_id"])
    return frames


PEOPLE = (  # (id, name, what they do, format of the two productions they are shared by)
    ("TAL-DIR", "Maya Okafor (director)", "feature"),
    ("TAL-STAR", "Leo Marsh (lead actor)", "feature"),
    ("TAL-SHOW", "Ines Duarte (showrunner)", "series"),
)
PLACES = (("LOC-HARBOUR", "Harbour Street (backlot)"), ("LOC-MILL", "The Old Mill (practical location)"))


def _people_and_places(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Shared people, places with permits and a season, chosen from the planned dates so that the
    plan must work around them and can without shortfall:

    - each person in ``PEOPLE`` works the (first) shoot of two unlocked productions of their format
      whose planned shoots overlap by the fewest weeks (1 to 6), available from 8 weeks before
      the first to 12 weeks after the last;
    - Harbour Street hosts the shoot of the next such pair of features, with two permit windows
      (around the pair, and a later one); the Old Mill the shoot of one more feature, with a
      permit from 4 weeks before to 6 weeks after its planned shoot;
    - one more feature's exterior shoot has a season: from 4 weeks before its planned start to
      3 weeks after its planned end.
    """
    ph, prods = frames["phases"].copy(), frames["productions"]
    movable = set(prods.loc[~prods["locked"].astype(bool), "production_id"])
    fmt = dict(zip(prods["production_id"], prods["format"]))
    first_shoot = ph[(ph["kind"] == "shoot") & ph["production_id"].isin(movable)].groupby("production_id").head(1)
    shoots = [(r.production_id, r.phase_id, r.planned_start, r.planned_start + pd.Timedelta(weeks=int(r.duration_weeks)))
              for r in first_shoot.sort_values("planned_start").itertuples(index=False)]
    used: set[str] = set()
    resources, demands, availability = [], [], []

    def pair(kind: str):
        options = [(a, b) for i, a in enumerate(shoots) for b in shoots[i + 1:]
                   if fmt[a[0]] == kind == fmt[b[0]] and not {a[0], b[0]} & used
                   and pd.Timedelta(weeks=1) <= a[3] - b[2] <= pd.Timedelta(weeks=6)]
        if not options:
            return None
        a, b = min(options, key=lambda ab: (ab[0][3] - ab[1][2], ab[0][2]))
        used.update({a[0], b[0]})
        return a, b

    def sunday(day: pd.Timestamp) -> pd.Timestamp:
        return day + pd.Timedelta(days=6 - day.day_of_week)

    for rid, name, kind in PEOPLE:
        found = pair(kind)
        if found is None:
            continue
        resources.append((rid, "talent", name, 1, None, None, None))
        demands += [(pid, phase_id, rid, None, None, 1, 0, 0) for pid, phase_id, _, _ in found]
        availability.append((rid, found[0][2] - pd.Timedelta(weeks=8), sunday(found[1][3] + pd.Timedelta(weeks=12)), None))
    harbour = pair("feature")
    if harbour is not None:
        rid, name = PLACES[0]
        resources.append((rid, "location", name, 1, None, None, None))
        demands += [(pid, phase_id, rid, None, None, 1, 0, 0) for pid, phase_id, _, _ in harbour]
        spring_end = sunday(harbour[1][3] + pd.Timedelta(weeks=8))
        availability += [(rid, harbour[0][2] - pd.Timedelta(weeks=6), spring_end, 1),
                         (rid, spring_end + pd.Timedelta(days=1, weeks=12), spring_end + pd.Timedelta(weeks=36), 1)]
    rest = [sh for sh in shoots if fmt[sh[0]] == "feature" and sh[0] not in used]
    if rest:
        pid, phase_id, start, end = rest[0]
        rid, name = PLACES[1]
        resources.append((rid, "location", name, 1, None, None, None))
        demands.append((pid, phase_id, rid, None, None, 1, 0, 0))
        availability.append((rid, start - pd.Timedelta(weeks=4), sunday(end + pd.Timedelta(weeks=6)), 1))
    if len(rest) > 1:
        pid, phase_id, start, end = rest[1]
        row = (ph["production_id"] == pid) & (ph["phase_id"] == phase_id)
        ph.loc[row, "window_start"] = start - pd.Timedelta(weeks=4)
        ph.loc[row, "window_end"] = sunday(end + pd.Timedelta(weeks=3))
    res_cols, dem_cols = frames["resources"].columns, frames["demands"].columns
    return {**frames, "phases": ph,
            "resources": pd.concat([frames["resources"], pd.DataFrame(resources, columns=res_cols)], ignore_index=True),
            "demands": pd.concat([frames["demands"], pd.DataFrame(demands, columns=dem_cols)], ignore_index=True),
            "availability": pd.DataFrame(availability, columns=frames["availability"].columns)}


RISK_TAKES = {"Lead actor's availability": "TAL-STAR", "Losing the harbour location": "LOC-HARBOUR"}


def _risks_on_people_and_places(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The risks in ``RISK_TAKES`` name the person or place they take away and hit a phase that needs
    it: the first (by production id) of the phases booking it whose production no other risk hits,
    else the first. A resource the slate does not have leaves its risk as drawn."""
    risks, dem = frames["risks"].copy(), frames["demands"]
    for i in risks.index:
        rid = RISK_TAKES.get(risks.at[i, "name"])
        booked = dem[dem["resource_id"] == rid].sort_values("production_id")
        if rid is None or booked.empty:
            continue
        others = set(risks.loc[risks.index != i, "production_id"])
        free = booked[~booked["production_id"].isin(others)]
        pick = (free if len(free) else booked).iloc[0]
        risks.loc[i, ["production_id", "phase_id", "resource_id"]] = [pick["production_id"], pick["phase_id"], rid]
    return {**frames, "risks": risks}


def _fit_capacities(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Set each pool's capacity from its planned weekly peak and its tightness (see ``POOLS``)."""
    from planning.analysis.capacity import occupancy
    from planning.data.inputs import planned_schedule
    from planning.data.validate import check

    data, problems = check(frames)
    if problems:  # a bug in the generator, not in user data
        raise ValueError("sample generator produced invalid data: " + "; ".join(map(str, problems)))
    load = occupancy(data, planned_schedule(data)).groupby(["resource_id", "week"])["units"].sum()
    peak = load.groupby(level="resource_id").max()
    tight = {rid: t for rid, _, _, _, t in POOLS}
    res = frames["resources"].copy()
    for i, rid in res["resource_id"].items():
        if rid not in tight:
            continue
        top = int(peak.get(rid, 1))
        cap = top + max(1, top // 10) if tight[rid] >= 1 else max(1, int(top * tight[rid]))
        res.at[i, "capacity"] = cap
        res.at[i, "hire_max_units"] = max(1, (top - cap) // 2) if tight[rid] < 1 else max(1, top // 5)
    frames["resources"] = res
    cal = frames["resource_calendar"].merge(res[["resource_id", "capacity"]], on="resource_id", suffixes=("", "_base"))
    cal["capacity"] = (cal["capacity_base"] - 2).clip(lower=0).where(cal["capacity_base"] > 1, cal["capacity"])
    stage_rows = cal["resource_id"].str.startswith("STG")
    cal.loc[stage_rows, "capacity"] = 0
    frames["resource_calendar"] = cal.drop(columns="capacity_base").astype(frames["resource_calendar"].dtypes)
    return frames


SAMPLE_AS_OF = pd.Timestamp("2027-04-05")   # the bundled sample's report date: a Monday, 13 weeks in

# Accounts paid by the week while their phase runs (crew wages, stage rent): a phase that runs long
# costs them more (``budget_lines.basis`` weekly). Every other line is a fixed amount.
WEEKLY_ACCOUNTS = ("2500", "3100", "3200", "3300", "3800")
LONG_SHOOT_WEEKS = 2
LATE_SHARE = 0.4                          # of the productions that have started, the latest are a week late
FIXED_FACTOR, WEEK_NOISE = (0.88, 0.97), (0.95, 1.05)
REFUND_ACCOUNT, REFUND_SHARE = "3600", 0.02          # a location deposit back after the shoot
COMMITTED = {"prep": ("1400", 0.5), "shoot": ("3600", 0.3), "post": ("5300", 0.4)}   # open POs by running phase
VFX_ACCOUNT, VFX_OVER, SAVED_ACCOUNT = "5300", 0.05, "2300"


def under_way(frames: dict[str, pd.DataFrame], as_of: pd.Timestamp, seed: int) -> dict[str, pd.DataFrame]:
    """The slate on its report date ``as_of`` (a Monday inside the horizon, in week ``now``), from
    its planned dates (its own random stream; weeks from the horizon start, ends exclusive):

    - **the long shoot**: a shoot planned to end the week before last (planned end ``e = now - 1``;
      the lowest production id) is still running on ``as_of``: it runs ``LONG_SHOOT_WEEKS`` (2)
      weeks longer than planned (the report week included); the phases of its production planned to
      start from ``e`` on are planned as many weeks later (its post and delivery: it delivers late;
      two weeks keep every link's max lag of the generator's productions);
    - every other phase planned to start before the report week has started, on its planned Monday,
      or a week later for the productions that started last (``LATE_SHARE`` of those that have
      started, never a locked one, nor one that a week would push into the report week): a
      production late is late in every started phase. A started phase whose ``duration_weeks`` end before the report
      week is done (``actual_end``: the Sunday of its last week), else it is running;
    - ``budget_lines.basis``: ``weekly`` for ``WEEKLY_ACCOUNTS``, ``fixed`` for the rest;
    - ``actuals`` of kind ``actual``: every line whose phase has started, for each week of it before
      the report week, posted on that week's Friday: the line's curve share of the week (split as the
      cash flow splits it) times a factor of the line (``FIXED_FACTOR``: lines come in a little under)
      and of the week (``WEEK_NOISE``; none on a line paid in one week). A weekly line's first ``k``
      weeks come to ``amount x k / duration_weeks`` rounded half up to the cent, past its duration too
      (the long shoot, over budget);
      one refund: ``REFUND_SHARE`` of the location line of the first production whose shoot ended
      before the report week, posted the Friday of the week after;
    - ``actuals`` of kind ``committed`` (open purchase orders, posted the Monday the phase started):
      for each phase kind running in a production, ``COMMITTED`` gives an account and a share of
      what is left of it (cast deals in prep, locations on the shoot, the VFX award in post), to $1,000;
    - ``estimates``: the first production in post expects its VFX to cost ``VFX_OVER`` of the line
      more than what is left (the vendor's overage); the first whose prep is done releases what its
      set construction did not spend (an estimate of 0; the first that spent less than its line).
    """
    from planning.finance.flows import spread, to_cents

    rng = random.Random(seed + 2_000)
    settings = frames["settings"].iloc[0]
    h0 = pd.Timestamp(settings["horizon_start"])
    now = (as_of - h0).days // 7
    prods, ph = frames["productions"], frames["phases"].copy()
    start = ((ph["planned_start"] - h0).dt.days // 7).astype(int)
    dur = ph["duration_weeks"].astype(int)

    end = start + dur
    shoots = ph[(ph["kind"] == "shoot") & (end == now + 1 - LONG_SHOOT_WEEKS)].sort_values("production_id")
    long_shoot = set()
    if len(shoots):
        pid, phase_id = shoots.iloc[0]["production_id"], shoots.iloc[0]["phase_id"]
        long_shoot.add((pid, phase_id))
        later = (ph["production_id"] == pid) & (start >= end[shoots.index[0]])
        start = start.where(~later, start + LONG_SHOOT_WEEKS)
        ph.loc[later, "planned_start"] = [_monday(w) for w in start[later]]

    started = start < now
    locked = dict(zip(prods["production_id"], prods["locked"].astype(bool)))
    can_be_late = [pid for pid in prods["production_id"] if not locked[pid] and (mine := started & (
        ph["production_id"] == pid)).any() and (start[mine] + 1 < now).all()]
    first = start.groupby(ph["production_id"]).min()
    late = set(sorted(can_be_late, key=lambda pid: (-first[pid], pid))[:round(LATE_SHARE * len(can_be_late))])
    actual = start + ph["production_id"].isin(late).astype(int)
    running_long = pd.Series([key in long_shoot for key in zip(ph["production_id"], ph["phase_id"])], index=ph.index)
    done = started & (actual + dur <= now) & ~running_long
    ph["actual_start"] = pd.Series([_monday(w) if s else pd.NaT for w, s in zip(actual, started)],
                                   index=ph.index, dtype="datetime64[us]")
    ph["actual_end"] = pd.Series([_monday(w) - pd.Timedelta(days=1) if d else pd.NaT
                                  for w, d in zip(actual + dur, done)], index=ph.index, dtype="datetime64[us]")

    budget = frames["budget_lines"].copy()
    budget["basis"] = budget["account"].isin(WEEKLY_ACCOUNTS).map({True: "weekly", False: "fixed"})
    status = ph.assign(first=actual, weeks=dur, started=started, done=done, running_long=running_long)
    lines = budget.merge(status[["production_id", "phase_id", "kind", "first", "weeks", "started", "done"]],
                         on=["production_id", "phase_id"])
    lines = lines[lines["started"]].reset_index(drop=True)
    cents = to_cents(lines["amount"])
    line, offset, share = spread(cents, lines["curve"].map(CURVES.index).to_numpy(), lines["weeks"].to_numpy())
    weekly = (lines["basis"] == "weekly").to_numpy()
    factor = [rng.uniform(*FIXED_FACTOR) for _ in range(len(lines))]
    rows = []
    for i, k, c in zip(line, offset, share):
        week = int(lines.at[i, "first"]) + int(k)
        if weekly[i] or week >= now or c == 0:
            continue
        noise = 1.0 if lines.at[i, "curve"] in ("start", "end") else rng.uniform(*WEEK_NOISE)
        rows.append((i, week, round(c * factor[i] * noise)))
    for i in np.flatnonzero(weekly):        # k weeks paid come to C x k / d, rounded half up to the cent
        c, d, first = int(cents[i]), int(lines.at[i, "weeks"]), int(lines.at[i, "first"])
        last = first + d if lines.at[i, "done"] else now
        paid = [(2 * c * k + d) // (2 * d) for k in range(last - first + 1)]
        rows += [(i, first + k, paid[k + 1] - paid[k]) for k in range(last - first)]
    actuals = [(lines.at[i, "production_id"], lines.at[i, "account"], _monday(w) + pd.Timedelta(days=4), c / 100,
                "actual") for i, w, c in sorted(rows)]
    spent = pd.DataFrame(actuals, columns=["production_id", "account", "posted", "amount", "kind"]) \
        .groupby(["production_id", "account"])["amount"].sum()

    shot = status[(status["kind"] == "shoot") & status["done"] & (status["first"] + status["weeks"] < now)]
    if len(shot):
        pid, end = shot.iloc[0]["production_id"], int(shot.iloc[0]["first"] + shot.iloc[0]["weeks"])
        refund = budget[(budget["production_id"] == pid) & (budget["account"] == REFUND_ACCOUNT)]["amount"]
        if len(refund):
            actuals.append((pid, REFUND_ACCOUNT, _monday(end) + pd.Timedelta(days=4),
                            -round(float(refund.iloc[0]) * REFUND_SHARE, 2), "actual"))
    amount = dict(zip(zip(budget["production_id"], budget["account"]), budget["amount"].astype(float)))
    running = status[status["started"] & ~status["done"]].drop_duplicates(["production_id", "kind"])
    committed = {}
    for r in running.itertuples(index=False):
        if r.kind not in COMMITTED or (r.production_id, COMMITTED[r.kind][0]) not in amount:
            continue
        account, share = COMMITTED[r.kind]
        left = amount[(r.production_id, account)] - spent.get((r.production_id, account), 0.0)
        committed[(r.production_id, account)] = round(left * share, -3)
        actuals.append((r.production_id, account, _monday(r.first), committed[(r.production_id, account)], "committed"))

    estimates = []
    in_post = [r.production_id for r in running.itertuples(index=False) if r.kind == "post"]
    if in_post and (in_post[0], VFX_ACCOUNT) in amount:
        key = (in_post[0], VFX_ACCOUNT)
        left = amount[key] - spent.get(key, 0.0) - committed.get(key, 0.0)
        estimates.append((*key, round(left + VFX_OVER * amount[key], -3)))
    prepped = [pid for pid in status.loc[(status["kind"] == "prep") & status["done"], "production_id"]
               if spent.get((pid, SAVED_ACCOUNT), float("inf")) < amount.get((pid, SAVED_ACCOUNT), 0.0)]
    if prepped:
        estimates.append((prepped[0], SAVED_ACCOUNT, 0.0))

    out = dict(frames)
    out["phases"], out["budget_lines"] = ph, budget
    out["settings"] = frames["settings"].assign(as_of=as_of)
    out["actuals"] = pd.DataFrame(actuals, columns=["production_id", "account", "posted", "amount", "kind"])
    out["estimates"] = pd.DataFrame(estimates, columns=["production_id", "account", "estimate_to_complete"])
    out = _typed(out)
    from planning.data.validate import check

    _, problems = check(out)
    if problems:  # a bug in the generator, not in user data
        raise ValueError("sample generator produced invalid data: " + "; ".join(map(str, problems)))
    return out


def _typed(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Give every column its contract type, so the Parquet files carry the right schema."""
    out = {}
    for name, frame in frames.items():
        table = TABLES[name]
        out[name] = frame.astype({c.name: PANDAS_TYPES[c.type] for c in table.columns if c.name in frame.columns})
    return out


def write_slate(frames: dict[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table as ``folder/<table>.parquet``; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        paths.append(path)
    return paths
