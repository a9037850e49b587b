"""Pricing for column generation: the cheapest complete schedule of each production when every
unit-week of every capacity row has a price.

A *column* is one production's whole schedule: a start week (combo) for each of its phases and,
for each size booking, the stage tiers it takes. Under row prices ``nu >= 0`` (the master's
capacity duals) a schedule ``s`` of production ``p`` costs

    cost(s) = sum_u w[c_u] + late_p * max(0, finish(s) - target_p)
    w[c]    = move[c] + sum_{(r,t) held by c} nu[r,t] * units + sum_b fill_b(c)

where ``fill_b(c)`` puts booking ``b``'s ``units`` stages on its cheapest tiers (each tier's price
the sum of ``nu`` over the booking's block, at most ``ub`` stages a tier): an exact choice, since
the tiers enter the cost linearly and separately. What is left is a project-scheduling problem with
start-dependent costs and min/max time lags, solved exactly:

- a *chain* (each phase linked only to the next, the usual prep-shoot-post-delivery): dynamic
  programming over start weeks, ``f_{i+1}(t) = w_{i+1}(t) + min { f_i(t') : t - reach_i <= t' <=
  t - shift_i }``, lateness on the last phase (in a chain it ends last);
- any other network (second units, parallel post): the time-indexed LP on step variables
  ``z[u,t] = [start_u <= t]`` (Möhring, Schulz, Stork and Uetz, 2003): ``z[u,t] <= z[u,t+1]``,
  ``z[b,t] <= z[a,t - shift]`` for a min lag, ``z[a,t] <= z[b,t + reach]`` for a max lag, and a
  finish node ``F`` with ``z[F,t] <= z[u,t - d_u]`` carrying the lateness cost. Every row is a
  difference of two variables, so the matrix is totally unimodular and a basic optimum is a
  schedule (the minimum-cut result of that paper, solved by simplex). All such productions sit in
  one block-diagonal LP, built once; each round only changes its costs.

*Blocks*: productions that name the same stage of capacity one (an LED volume) are priced as one
block, whose columns are joint schedules of all of them: the same step LP with the stage's weekly
rows ``sum_h units_h (z[u_h, t + lead_h] - z[u_h, t - hold_h]) - e_t <= cap_t`` and integer
steps (a small MIP). The overbooking ``e_t`` is the block's own shortfall: it is priced at the
shortfall's price ``rho`` (1 in the shortfall phase, the dual ``sigma`` of the shortfall budget in
the money phase) and only ``min(cap_t, load_t)`` is left on the master's stage row, so the master
counts every unit-week short exactly once; the master's columns of a block are then schedules that
overbook the stage only where that pays, which is what makes its bound strong. The MIP's dual
bound (not its plan) enters the Lagrangian bound, so a block may stop short of its optimum.

``Pricing.price`` returns each block's best column and its cost; the master subtracts the block's
convexity dual to get the reduced cost, and the sum of the negative ones gives the Lagrangian
bound (``planning.optimizer.columns``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from planning.optimizer.candidates import Candidates, combo_ranges
from planning.optimizer.highs import SolverError, new_highs, run
from planning.optimizer.stages import tier_options

INF = float("inf")


@dataclass(frozen=True)
class Rows:
    """The master's capacity rows: one per pool or explicit-stage cell (``cell_row[cell]``) and one
    per plain stage tier and week (``tier_row[tier, week]``); -1 where there is none. ``cap``,
    ``hire_max`` and ``hire_cost`` per row; ``kind`` ('pool', 'stage', 'tier') and ``label``
    (resource or tier, week) per row."""

    cell_row: np.ndarray
    tier_row: np.ndarray        # tiers x weeks (plain tiers only; explicit tiers use cell_row)
    cap: np.ndarray
    hire_max: np.ndarray
    hire_cost: np.ndarray
    kind: list
    label: list

    def __len__(self) -> int:
        return len(self.cap)


BLOCK_MAX = 16         # productions in one block at most (a larger group is priced one by one)
BLOCK_SECONDS = 2.0    # time limit of one block's MIP in one round


@dataclass
class Column:
    """One block's schedule: ``combos`` (one per unit of its productions, in ``Pricing``'s unit
    order), the stages each size booking takes (``take``: (combo, booking, tier index, n)), its
    money (moves and lateness), its load on the master rows (``rows``, ``units``) and the
    unit-weeks it overbooks its shared stages (``excess``, counted as shortfall)."""

    block: int
    combos: tuple
    take: tuple
    money: float
    rows: np.ndarray
    units: np.ndarray
    excess: int = 0

    @property
    def key(self) -> tuple:
        return self.block, self.combos, self.take


class Pricing:
    """Everything static about pricing a slate's productions (built once per candidates and tiers)."""

    def __init__(self, cands: Candidates, tiers: pd.DataFrame, block_max: int = BLOCK_MAX):
        self.cands, self.tiers = cands, tiers
        self.first, self.last = combo_ranges(cands)
        co = cands.combos
        self.start = co["start_week"].to_numpy()
        self.end = co["end_week"].to_numpy()
        self.move = co["move_cost"].to_numpy(float)
        self.late = co["late_cost"].to_numpy(float)
        self.pids = list(cands.productions["production_id"])
        prods = cands.productions.set_index("production_id")
        self.late_cost = prods["late_cost"].reindex(self.pids).to_numpy(float)
        self.target = prods["target_week"].reindex(self.pids).to_numpy(np.int64)
        by_prod = {pid: g.to_numpy(np.int64) for pid, g in cands.units.groupby("production_id")["unit"]}
        self.prod_units = [by_prod[p] for p in self.pids]
        self.rows = self._rows()
        self._held()
        self._bookings()
        self._networks(block_max)
        self._take = self.combo_weights(np.zeros(len(self.rows)), False)[1]

    # --- static structure -------------------------------------------------------------------
    def _rows(self) -> Rows:
        c, weeks = self.cands, self.cands.weeks
        kinds = c.rows["kind"].to_numpy()
        explicit_rows = set(self.tiers.loc[self.tiers["row"] >= 0, "row"].astype(int))
        touched = np.zeros(c.capacity.size, bool)
        real = np.isin(kinds[c.cover_cell // weeks], ["pool", "stage"])
        touched[c.cover_cell[real]] = True
        for r in explicit_rows:
            touched[r * weeks:(r + 1) * weeks] = True
        cell_row = np.full(c.capacity.size, -1, np.int64)
        cells = np.flatnonzero(touched)
        cell_row[cells] = np.arange(len(cells))
        cap = list(c.capacity.ravel()[cells])
        hmax = np.repeat(c.rows["hire_max"].to_numpy(np.int64), weeks)[cells]
        hcost = np.repeat(c.rows["hire_cost"].to_numpy(float), weeks)[cells]
        kind = [kinds[x // weeks] for x in cells]
        label = [c.cell_label(int(x)) for x in cells]
        plain = self.tiers[self.tiers["row"] < 0]
        tier_row = np.full((len(self.tiers), weeks), -1, np.int64)
        n = len(cells)
        for k, t in zip(plain.index, plain.itertuples(index=False)):
            tier_row[k] = np.arange(n, n + weeks)
            n += weeks
            cap += [int(t.capacity)] * weeks
            kind += ["tier"] * weeks
            label += [(t.tier, w) for w in range(weeks)]
        for k, t in zip(self.tiers.index, self.tiers.itertuples(index=False)):
            if t.row >= 0:
                tier_row[k] = cell_row[int(t.row) * weeks:(int(t.row) + 1) * weeks]
        extra = n - len(cells)
        return Rows(cell_row=cell_row, tier_row=tier_row, cap=np.array(cap, np.int64),
                    hire_max=np.concatenate([hmax, np.zeros(extra, np.int64)]),
                    hire_cost=np.concatenate([hcost, np.zeros(extra)]), kind=kind, label=label)

    def _held(self) -> None:
        """Named demands' load of every combo on master rows, sorted by combo."""
        c = self.cands
        row = self.rows.cell_row[c.cover_cell]
        kinds = c.rows["kind"].to_numpy()[c.cover_cell // c.weeks]
        keep = (row >= 0) & (kinds != "class")
        self.held_combo, self.held_row, self.held_units = c.cover_combo[keep], row[keep], c.cover_units[keep]
        self.held_start = np.searchsorted(self.held_combo, np.arange(len(c.combos) + 1))

    def _bookings(self) -> None:
        """Each combo's size bookings (``bk_*``) and the tiers each may take (``opt_*``)."""
        c, weeks = self.cands, self.cands.weeks
        b = c.bookings
        lo = np.maximum(0, b["first_week"].to_numpy(np.int64))
        hi = np.minimum(weeks, b["end_week"].to_numpy(np.int64))
        keep = lo < hi
        self.bk_combo = b["combo"].to_numpy(np.int64)[keep]
        self.bk_booking = b["booking"].to_numpy(np.int64)[keep]
        self.bk_units = b["units"].to_numpy(np.int64)[keep]
        self.bk_lo, self.bk_hi = lo[keep], hi[keep]
        min_size = b["min_size"].to_numpy(float)[keep]
        tier_rows = list(self.tiers.itertuples(index=False))
        tier_index = {t.tier: k for k, t in zip(self.tiers.index, tier_rows)}
        cap = c.capacity.ravel()
        opt_bk, opt_tier, opt_ub = [], [], []
        cache = {}
        for i in range(len(self.bk_combo)):
            key = (min_size[i], int(self.bk_units[i]), int(self.bk_lo[i]), int(self.bk_hi[i]))
            if key not in cache:
                cache[key] = [(tier_index[t], ub) for t, ub, _ in
                              tier_options(tier_rows, cap, weeks, key[0], key[1], key[2], key[3])]
            for k, ub in cache[key]:
                opt_bk.append(i)
                opt_tier.append(k)
                opt_ub.append(ub)
        self.opt_bk = np.array(opt_bk, np.int64)
        self.opt_tier = np.array(opt_tier, np.int64)
        self.opt_ub = np.array(opt_ub, np.int64)

    def _shared(self, block_max: int) -> list[tuple[list[int], list[int]]]:
        """Groups of productions that name the same stage of capacity one: ``(productions,
        stage rows)``, each group at most ``block_max`` productions."""
        c = self.cands
        stage_rows = c.rows.loc[c.rows["kind"] == "stage", "row"].to_numpy()
        unit_prod = np.empty(len(c.units), np.int64)
        for p, us in enumerate(self.prod_units):
            unit_prod[us] = p
        h = c.holds[c.holds["row"].isin(stage_rows)]
        parent = list(range(len(self.pids)))

        def root(p: int) -> int:
            while parent[p] != p:
                parent[p] = parent[parent[p]]
                p = parent[p]
            return p
        rows_of: dict[int, set] = {}
        for row, g in h.groupby("row"):
            prods = sorted(set(unit_prod[g["unit"].to_numpy()].tolist()))
            if len(prods) < 2 or c.capacity[row].max() > 1:
                continue
            for p in prods[1:]:
                parent[root(p)] = root(prods[0])
            rows_of.setdefault(prods[0], set()).add(int(row))
        groups: dict[int, list[int]] = {}
        for p in range(len(self.pids)):
            groups.setdefault(root(p), []).append(p)
        out = []
        for members in groups.values():
            if 2 <= len(members) <= block_max:
                rows = sorted(set().union(*(rows_of.get(p, set()) for p in members)))
                out.append((members, rows))
        return out

    def _networks(self, block_max: int) -> None:
        """Blocks: a shared-stage group (its own MIP), else one production, priced by chain DP
        (``chain[b]``: link shifts and reaches in unit order) or in the one LP of the others."""
        links = self.cands.links
        self.links_by_prod = {pid: g for pid, g in links.groupby("production_id")}
        shared = self._shared(block_max)
        grouped = {p for members, _ in shared for p in members}
        self.blocks: list[list[int]] = [members for members, _ in shared]
        self.block_lp = [NetworkLP(self, members, rows) for members, rows in shared]
        self.chain: dict[int, list] = {}
        others = []
        for p, pid in enumerate(self.pids):
            if p in grouped:
                continue
            b = len(self.blocks)
            self.blocks.append([p])
            steps = self._chain_steps(p)
            if steps is None:
                others.append(b)
            else:
                self.chain[b] = steps
        self.block_units = [np.concatenate([self.prod_units[p] for p in members]) for members in self.blocks]
        self.lp = NetworkLP(self, [self.blocks[b][0] for b in others]) if others else None
        self.lp_blocks = others
        self.shared_blocks = list(range(len(shared)))

    def _chain_steps(self, p: int) -> list | None:
        """``[(shift, reach)]`` of a production whose phases form a chain in unit order, else None."""
        us = self.prod_units[p]
        if len(us) == 1:
            return []
        lk = self.links_by_prod.get(self.pids[p])
        if lk is None or len(lk) != len(us) - 1:
            return None
        pairs = {(int(r.before_unit), int(r.after_unit)): r for r in lk.itertuples(index=False)}
        steps = []
        for a, b in zip(us[:-1], us[1:]):
            r = pairs.get((int(a), int(b)))
            if r is None:
                return None
            reach = None if pd.isna(r.max_lag) else int(r.before_duration + r.max_lag)
            steps.append((int(r.before_duration + r.min_lag), reach))
        return steps

    # --- one round --------------------------------------------------------------------------
    def combo_weights(self, nu: np.ndarray, money: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``w[c]`` for every combo (moves when ``money``, held load and booking fills at prices
        ``nu``), and the fills: per option, the stages it takes (``take``) and its price."""
        n = len(self.start)
        w = self.move.copy() if money else np.zeros(n)
        w += np.bincount(self.held_combo, weights=nu[self.held_row] * self.held_units, minlength=n)
        if len(self.opt_bk) == 0:
            return w, np.zeros(0, np.int64), np.zeros(0)
        priced = np.where(self.rows.tier_row >= 0, nu[self.rows.tier_row], 0.0)
        cum = np.concatenate([np.zeros((len(priced), 1)), np.cumsum(priced, axis=1)], axis=1)
        price = cum[self.opt_tier, self.bk_hi[self.opt_bk]] - cum[self.opt_tier, self.bk_lo[self.opt_bk]]
        order = np.lexsort((self.opt_tier, price, self.opt_bk))
        bk, ub = self.opt_bk[order], self.opt_ub[order]
        before = np.cumsum(ub) - ub
        group_start = np.searchsorted(bk, bk)           # first option of each booking in the order
        taken_before = before - before[group_start]
        take = np.empty(len(order), np.int64)
        take[order] = np.clip(self.bk_units[bk] - taken_before, 0, ub)
        fill = np.bincount(self.opt_bk, weights=take * price, minlength=len(self.bk_combo))
        w += np.bincount(self.bk_combo, weights=fill, minlength=n)
        return w, take, price

    def price(self, nu: np.ndarray, money: bool, rho: float, only: np.ndarray | None = None,
              deadline: float = INF) -> tuple[list[tuple], np.ndarray, np.ndarray]:
        """The cheapest schedule of every block (of ``only``, when given) at prices ``nu`` (and
        ``rho`` a unit-week short): ``(choices, costs, lower)``: a tuple of combos (one per unit,
        in ``block_units`` order), its cost (module docstring; lateness and moves only when
        ``money``) and a lower bound of the least cost (the cost itself where the block is solved
        exactly). Blocks left out cost +inf. A block's MIP stops at ``deadline`` (a
        ``time.perf_counter()`` value) at the latest."""
        w, self._take, _ = self.combo_weights(nu, money)
        choices: list = [None] * len(self.blocks)
        costs = np.full(len(self.blocks), INF)
        lower = np.full(len(self.blocks), INF)
        wanted = set(range(len(self.blocks)) if only is None else np.asarray(only).tolist())
        for b, steps in self.chain.items():
            if b in wanted:
                choices[b], costs[b] = self._chain(self.blocks[b][0], steps, w, money)
        if self.lp is not None and wanted & set(self.lp_blocks):
            for b, (combos, _) in zip(self.lp_blocks, self.lp.solve(w, money, nu, rho)):
                choices[b] = combos
                costs[b] = self.schedule_cost(b, combos, w, money, nu, rho)
        lower[:] = costs
        for b, lp in zip(self.shared_blocks, self.block_lp):
            if b not in wanted:
                continue
            lp.h.setOptionValue("time_limit", max(0.05, min(BLOCK_SECONDS, deadline - time.perf_counter())))
            (combos, bound), = lp.solve(w, money, nu, rho)
            choices[b] = combos
            costs[b] = INF if combos is None else self.schedule_cost(b, combos, w, money, nu, rho)
            lower[b] = min(costs[b], bound)
        return choices, costs, lower

    def _chain(self, p: int, steps: list, w: np.ndarray, money: bool) -> tuple[tuple, float]:
        us = self.prod_units[p]
        f = w[self.first[us[0]]:self.last[us[0]]].copy()
        back = []
        for i, (shift, reach) in enumerate(steps):
            a, b = us[i], us[i + 1]
            ta = self.start[self.first[a]:self.last[a]]
            tb = self.start[self.first[b]:self.last[b]]
            ok = ta[None, :] <= tb[:, None] - shift
            if reach is not None:
                ok &= ta[None, :] >= tb[:, None] - reach
            m = np.where(ok, f[None, :], INF)
            arg = m.argmin(axis=1)
            f = w[self.first[b]:self.last[b]] + m[np.arange(len(tb)), arg]
            back.append(arg)
        last = us[-1]
        if money and self.late_cost[p] > 0:
            f = f + self.late[self.first[last]:self.last[last]]
        k = int(np.argmin(f))
        cost = float(f[k])
        picks = [k]
        for arg in reversed(back):
            k = int(arg[k])
            picks.append(k)
        picks.reverse()
        return tuple(int(self.first[u] + k) for u, k in zip(us, picks)), cost

    def overbooked(self, b: int, combos) -> dict[int, np.ndarray]:
        """Per shared stage row of block ``b``: units held per week beyond its capacity."""
        c, weeks = self.cands, self.cands.weeks
        out = {}
        if b >= len(self.block_lp):
            return out
        combos = np.asarray(combos, np.int64)
        for row in self.block_lp[b].shared:
            load = np.zeros(weeks, np.int64)
            m = np.isin(c.cover_combo, combos) & (c.cover_cell // weeks == row)
            np.add.at(load, c.cover_cell[m] % weeks, c.cover_units[m])
            out[row] = np.maximum(0, load - c.capacity[row])
        return out

    def lateness(self, b: int, combos: np.ndarray) -> float:
        """What the productions of block ``b`` pay for finishing late under ``combos`` (in
        ``block_units`` order: each production's units in turn)."""
        cost, at = 0.0, 0
        for p in self.blocks[b]:
            mine = combos[at:at + len(self.prod_units[p])]
            at += len(mine)
            cost += self.late_cost[p] * max(0, int(self.end[mine].max()) - int(self.target[p]))
        return float(cost)

    def schedule_cost(self, b: int, combos, w: np.ndarray, money: bool, nu: np.ndarray, rho: float) -> float:
        """``sum w`` over the schedule's combos, its lateness (when ``money``) and its overbooking
        of shared stages at ``rho - nu``."""
        combos = np.asarray(combos, np.int64)
        cost = float(w[combos].sum())
        if money:
            cost += self.lateness(b, combos)
        weeks = self.cands.weeks
        for row, over in self.overbooked(b, combos).items():
            r = self.rows.cell_row[row * weeks:(row + 1) * weeks]
            cost += float((over * (rho - np.where(r >= 0, nu[r], 0.0))).sum())
        return cost

    def column(self, b: int, combos, take: dict | None = None) -> Column:
        """The column of schedule ``combos`` of block ``b``. Its bookings take the tiers cheapest
        at the last round's prices, or ``take[(combo, booking, tier name)]`` stages of each tier
        when given (``planning.optimizer.stages.tier_fit``)."""
        combos = tuple(int(c) for c in combos)
        mine = np.flatnonzero(np.isin(self.bk_combo[self.opt_bk], combos))
        if take is None:
            n_take = self._take[mine]
        else:
            names = self.tiers["tier"].to_numpy()
            n_take = np.array([take.get((int(self.bk_combo[self.opt_bk[j]]), int(self.bk_booking[self.opt_bk[j]]),
                                         names[self.opt_tier[j]]), 0) for j in mine], np.int64)
        mine, n_take = mine[n_take > 0], n_take[n_take > 0]
        taken = tuple((int(self.bk_combo[self.opt_bk[j]]), int(self.bk_booking[self.opt_bk[j]]),
                       int(self.opt_tier[j]), int(n)) for j, n in zip(mine, n_take))
        rows, units = [], []
        for c in combos:
            a, z = self.held_start[c], self.held_start[c + 1]
            rows.append(self.held_row[a:z])
            units.append(self.held_units[a:z])
        for j, n in zip(mine, n_take):
            i = self.opt_bk[j]
            r = self.rows.tier_row[self.opt_tier[j], self.bk_lo[i]:self.bk_hi[i]]
            r = r[r >= 0]
            rows.append(r)
            units.append(np.full(len(r), n, np.int64))
        weeks = self.cands.weeks
        excess = 0
        for row, over in self.overbooked(b, combos).items():      # only min(cap, load) stays on the row
            r = self.rows.cell_row[row * weeks:(row + 1) * weeks]
            rows.append(r[over > 0])
            units.append(-over[over > 0])
            excess += int(over.sum())
        rows_a = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        units_a = np.concatenate(units) if units else np.zeros(0, np.int64)
        uniq, inv = np.unique(rows_a, return_inverse=True)
        summed = np.bincount(inv, weights=units_a).astype(np.int64) if len(uniq) else np.zeros(0, np.int64)
        arr = np.asarray(combos, np.int64)
        cost = float(self.move[arr].sum()) + self.lateness(b, arr)
        return Column(block=b, combos=combos, take=taken, money=cost, rows=uniq[summed > 0],
                      units=summed[summed > 0], excess=excess)


class NetworkLP:
    """The step-variable model (module docstring) of several productions in one HiGHS model: an LP
    of independent productions, or, with ``shared`` stage rows, the MIP of one block.

    Columns: ``z[u,t]`` for ``t`` in ``lo_u .. hi_u - 1`` of every unit (``z[u,hi_u] = 1``), and of
    each production's finish node ``F``; with shared rows, ``e[row, t] >= 0``. The cost of
    ``z[u,t]`` is ``w_u(t) - w_u(t+1)`` and the offset ``sum_u w_u(hi_u)``, so the objective is
    the schedule's cost."""

    def __init__(self, pricing: Pricing, prods: list[int], shared: list[int] | None = None):
        self.pr = pricing
        self.prods = prods
        self.shared = shared or []
        self.var: dict = {}             # (node, t) -> column; node = unit, or ('F', p)
        self.ones: list[int] = []       # columns held at 1 (a max lag from a phase's last start)
        self.span: dict = {}            # node -> (lo, hi) start weeks
        rows: list[tuple[int, int]] = []   # (i, j): z_i - z_j <= 0; j = -1: z_i <= 0
        pr = pricing
        for p in prods:
            for u in pr.prod_units[p]:
                self._node(u, int(pr.start[pr.first[u]]), int(pr.start[pr.last[u] - 1]), rows)
            ends = [(int(pr.end[pr.first[u]]), int(pr.end[pr.last[u] - 1])) for u in pr.prod_units[p]]
            self._node(("F", p), max(e[0] for e in ends), max(e[1] for e in ends), rows)
            for u in pr.prod_units[p]:
                self._before(u, ("F", p), int(pr.end[pr.first[u]] - pr.start[pr.first[u]]), rows)
            lk = pr.links_by_prod.get(pr.pids[p])
            for r in ([] if lk is None else lk.itertuples(index=False)):
                a, b = int(r.before_unit), int(r.after_unit)
                self._before(a, b, int(r.before_duration + r.min_lag), rows)
                if not pd.isna(r.max_lag):
                    self._after(a, b, int(r.before_duration + r.max_lag), rows)
        n = self.n = len(self.var)
        self.h = new_highs()
        lower = np.zeros(n)
        lower[self.ones] = 1.0
        self.h.addCols(n, np.zeros(n), lower, np.ones(n), 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
                       np.zeros(0))
        starts, index, value = [], [], []
        for i, j in rows:
            starts.append(len(index))
            index += [i] if j < 0 else [i, j]
            value += [1.0] if j < 0 else [1.0, -1.0]
        if rows:
            self.h.addRows(len(rows), np.full(len(rows), -highspy.kHighsInf), np.zeros(len(rows)), len(index),
                           np.array(starts, np.int32), np.array(index, np.int32), np.array(value, float))
        self.e: dict = {}
        if self.shared:
            self._stage_rows()
            self.h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
            self.h.setOptionValue("mip_rel_gap", 1e-4)

    def _stage_rows(self) -> None:
        """``sum_h units_h (z[u_h, t + lead_h] - z[u_h, t - hold_h]) - e[row, t] <= cap[row, t]``."""
        c, pr = self.pr.cands, self.pr
        mine = np.concatenate([pr.prod_units[p] for p in self.prods])
        holds = c.holds[c.holds["unit"].isin(mine) & c.holds["row"].isin(self.shared)]
        for row, g in holds.groupby("row"):
            for t in range(c.weeks):
                coef: dict = {}
                const = 0
                for h in g.itertuples(index=False):
                    for x, sign in ((self._z(h.unit, t + h.before), 1), (self._z(h.unit, t - h.after), -1)):
                        if isinstance(x, tuple):
                            coef[x[0]] = coef.get(x[0], 0) + sign * h.units
                        else:
                            const += sign * h.units * x
                coef = {k: v for k, v in coef.items() if v}
                if not coef and const <= c.capacity[row, t]:
                    continue
                col = self.h.getNumCol()
                self.h.addCol(0.0, 0.0, highspy.kHighsInf, 0, np.zeros(0, np.int32), np.zeros(0))
                self.e[(int(row), t)] = col
                idx = np.array(list(coef) + [col], np.int32)
                val = np.array(list(coef.values()) + [-1.0], float)
                self.h.addRow(-highspy.kHighsInf, float(c.capacity[row, t] - const), len(idx), idx, val)

    def _node(self, node, lo: int, hi: int, rows: list) -> None:
        self.span[node] = (lo, hi)
        previous = None
        for t in range(lo, hi):
            self.var[(node, t)] = col = len(self.var)
            if previous is not None:
                rows.append((previous, col))
            previous = col

    def _z(self, node, t: int):
        """``z[node, t]``: ``(column,)``, or the constant 0 / 1 outside the node's span."""
        lo, hi = self.span[node]
        return 0 if t < lo else 1 if t >= hi else (self.var[(node, t)],)

    def _before(self, a, b, shift: int, rows: list) -> None:
        """``start_b >= start_a + shift``: ``z[b,t] <= z[a,t - shift]``."""
        lo, hi = self.span[b]
        for t in range(lo, hi):
            rhs = self._z(a, t - shift)
            if rhs != 1:
                rows.append((self.var[(b, t)], -1 if rhs == 0 else rhs[0]))

    def _after(self, a, b, reach: int, rows: list) -> None:
        """``start_b <= start_a + reach``: ``z[a,t] <= z[b,t + reach]``, up to ``t = hi_a`` where
        ``z[a,t] = 1``: there ``z[b, hi_a + reach] = 1`` (a lower bound, ``self.ones``)."""
        lo, hi = self.span[a]
        for t in range(lo, hi + 1):
            rhs = self._z(b, t + reach)
            if rhs == 1:
                break
            if t == hi:
                if rhs != 0:
                    self.ones.append(rhs[0])
            else:
                rows.append((self.var[(a, t)], -1 if rhs == 0 else rhs[0]))

    def solve(self, w: np.ndarray, money: bool, nu: np.ndarray, rho: float) -> list[tuple[tuple, float]]:
        """Per production (LP) or for the block (MIP): the optimal schedule at combo weights ``w``
        and its cost's lower bound (the MIP's dual bound; the LP is exact)."""
        pr = self.pr
        n = self.h.getNumCol()
        cost = np.zeros(n)
        offset = 0.0
        for p in self.prods:
            nodes = [(u, w[pr.first[u]:pr.last[u]]) for u in pr.prod_units[p]]
            if money and pr.late_cost[p] > 0:
                lo, hi = self.span[("F", p)]
                nodes.append((("F", p), pr.late_cost[p] * np.maximum(0, np.arange(lo, hi + 1) - pr.target[p])))
            for node, wu in nodes:
                lo, hi = self.span[node]
                offset += float(wu[-1])
                for t in range(lo, hi):
                    cost[self.var[(node, t)]] = wu[t - lo] - wu[t - lo + 1]
        weeks = self.pr.cands.weeks
        for (row, t), col in self.e.items():
            r = self.pr.rows.cell_row[row * weeks + t]
            cost[col] = rho - (nu[r] if r >= 0 else 0.0)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        self.h.changeObjectiveOffset(offset)
        try:
            run(self.h, "pricing")
        except SolverError:              # a block's MIP with no plan in its time: no column, no bound
            return [(None, -INF)]
        z = np.asarray(self.h.getSolution().col_value)
        info = self.h.getInfo()
        bound = info.mip_dual_bound if self.shared else info.objective_function_value
        bound = bound if np.isfinite(bound) else -INF
        schedules = []
        for p in self.prods:
            combos = []
            for u in pr.prod_units[p]:
                lo, hi = self.span[u]
                t = next((t for t in range(lo, hi) if z[self.var[(u, t)]] > 0.5), hi)
                combos.append(int(pr.first[u] + t - lo))
            schedules.append(tuple(combos))
        if self.shared:
            return [(tuple(c for s in schedules for c in s), bound)]
        return [(s, bound) for s in schedules]
