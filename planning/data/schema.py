"""The data contract: every table, column, type, key, range and reference, in one place.

Validation, loading, the sample generator, the template download and the README's data
reference are all driven from ``TABLES``. Change a column here and every one of them follows.

Types: ``str``, ``int``, ``float`` (money and rates), ``bool`` and ``date`` (an ISO date,
``YYYY-MM-DD``). The model's time unit is the week, starting on Monday.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PHASE_KINDS = ("development", "prep", "shoot", "post", "delivery", "other")
RESOURCE_KINDS = ("stage", "crew", "equipment", "facility", "talent", "location")
NEVER_HIRED = ("stage", "talent", "location")   # no outside unit can stand in for one of these
STATUSES = ("greenlit", "development")
RISK_KINDS = ("weather", "talent", "location", "other")
SECTIONS = ("ATL", "BTL_PRODUCTION", "BTL_POST", "OTHER")
CURVES = ("flat", "front", "back", "bell", "start", "end")
BASES = ("fixed", "weekly")
ACTUAL_KINDS = ("actual", "committed")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``nullable`` says a cell may be empty; ``optional`` that the column may be left out of the file
    (then every cell is empty); ``minimum``/``maximum`` bound numbers (inclusive); ``choices``
    lists the allowed values of an enum column.
    """

    name: str
    type: str
    description: str
    unit: str = ""
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    optional: bool = False


@dataclass(frozen=True)
class Reference:
    """Rows of ``table`` whose ``columns`` must match a row of ``target`` on ``target_columns``."""

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    references: tuple[Reference, ...] = field(default=())
    rules: tuple[str, ...] = ()      # rules between cells and rows, as documented (``validate`` checks them)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "productions",
            "One row per feature or series on the slate.",
            (
                Column("production_id", "str", "Unique id, e.g. `P01`."),
                Column("title", "str", "Working title."),
                Column("format", "str", "feature, series, pilot, special, ..."),
                Column("priority", "int", "1 low .. 5 high; weights lateness.", minimum=1, maximum=5),
                Column("earliest_start", "date", "No phase starts before this date."),
                Column("latest_start", "date", "Latest week the first phase may start.", nullable=True),
                Column("target_delivery", "date", "Due date; finishing later is late."),
                Column("lateness_cost_per_week", "float", "Cost of each week late.", "money/week", minimum=0),
                Column("jurisdiction", "str", "Incentive jurisdiction (incentives table).", nullable=True),
                Column("locked", "bool", "Every phase stays at its planned start."),
                Column("status", "str", "`development`: not greenlit yet (empty: greenlit).", nullable=True,
                       choices=STATUSES, optional=True),
                Column("greenlight_probability", "float", "Chance a development production goes ahead (empty: 1).",
                       "0..1", nullable=True, minimum=0, maximum=1, optional=True),
            ),
            key=("production_id",),
            references=(Reference(("jurisdiction",), "incentives", ("jurisdiction",)),),
            rules=(
                "`latest_start`, when given, is not before `earliest_start`.",
                "`target_delivery` is not before `earliest_start`: a production cannot be due before it may start.",
                "Every production has at least one row in `phases`.",
                "The phases of a production that is not locked fit, one after another as linked, between "
                "`earliest_start` and the end of the horizon.",
                "`greenlight_probability` of a greenlit production is empty or 1.",
            ),
        ),
        Table(
            "phases",
            "The phases of each production, in running order.",
            (
                Column("production_id", "str", "The production."),
                Column("phase_id", "str", "Unique within the production, e.g. `shoot`."),
                Column("kind", "str", "Phase kind.", choices=PHASE_KINDS),
                Column("duration_weeks", "int", "Length of the phase.", "weeks", minimum=1),
                Column("planned_start", "date", "Current plan (empty: not yet dated; placed freely, no move cost).",
                       nullable=True),
                Column("locked", "bool", "The phase stays at its planned start."),
                Column("duration_low_weeks", "int", "Shortest it may take (empty: duration_weeks).", "weeks",
                       nullable=True, minimum=1, optional=True),
                Column("duration_high_weeks", "int", "Longest it may take (empty: duration_weeks).", "weeks",
                       nullable=True, minimum=1, optional=True),
                Column("window_start", "date", "The phase starts on or after this day (a season, a permit).",
                       nullable=True, optional=True),
                Column("window_end", "date", "The phase ends on or before this day (last day, inclusive).",
                       nullable=True, optional=True),
                Column("actual_start", "date", "The day it really started (empty: not started by `as_of`).",
                       nullable=True, optional=True),
                Column("actual_end", "date", "The day it really finished, its last day (empty: not finished).",
                       nullable=True, optional=True),
                Column("expected_end", "date", "A running phase's expected last day, where it is known better than "
                       "`duration_weeks` after its start (a shoot known to run long or to wrap early).",
                       nullable=True, optional=True),
            ),
            key=("production_id", "phase_id"),
            references=(Reference(("production_id",), "productions", ("production_id",)),),
            rules=(
                "`duration_low_weeks` <= `duration_weeks` <= `duration_high_weeks` (where given).",
                "A locked phase, and every phase of a locked production, has a `planned_start`.",
                "A locked phase does not start before the week of its production's `earliest_start` (a date "
                "inside a week counts from the next Monday); a locked first phase (no phase before it) does not "
                "start after the week of `latest_start`.",
                "In a production without `phase_links`, a locked phase does not start before the locked phase "
                "listed before it ends.",
                "In a production with locked phases, every other phase keeps at least one start week that its "
                "production's window, its links and the locked phases allow (else `duration_weeks` is named).",
                "`window_start` and `window_end` leave the phase at least one start week: the weeks from the "
                "Monday on or after `window_start` to the Sunday on or before `window_end` hold its "
                "`duration_weeks` (else `window_end` is named). The window overlaps the production's own: "
                "not ending before its `earliest_start` allows the phase to end, a first phase not starting "
                "after its `latest_start`, and no later than the horizon allows (else `window_start` or "
                "`window_end` is named). A locked phase runs inside its window (else `planned_start`).",
                "Every phase of a production keeps a start week that the windows, links (min and max lags) "
                "and locks of all its phases allow together (else the first phase left without one is named, "
                "column `window_start` where it has a window, else `duration_weeks`).",
                "`actual_start` and `actual_end` are not after `settings.as_of`; `actual_end` needs an "
                "`actual_start` and is not before it. A phase with `actual_end` is done; with `actual_start` "
                "only it is running and expected to end `duration_weeks` after its start, or in the week of "
                "`as_of` if that is later. A phase does not start before a phase linked before it has started "
                "(else its `actual_start` is named). A locked phase that has not started is not planned to "
                "start before the week of `as_of`. `expected_end` is given only for a running phase "
                "(an `actual_start` and no `actual_end`) and is not before `as_of`.",
                "A slate under way (an `as_of` or any `actual_start`) is planned from the week of `as_of`: a "
                "phase that has started stays at its actual weeks (a running one to its expected end), nothing "
                "else starts before that week, and a link between two started phases no longer binds. Every "
                "phase keeps a start week there that the windows, links, locks and the horizon allow (else, per "
                "production: `window_end` of a phase not started whose window ends too soon; "
                "`productions.latest_start` when its first phase has not started by then; the `planned_start` "
                "of a locked phase, or `window_end`, or `duration_weeks` of the phase left without one).",
            ),
        ),
        Table(
            "phase_links",
            "Finish-to-start links: before.end + min_lag <= after.start <= before.end + max_lag. A "
            "production with rows here has exactly these links; one without runs its phases in their "
            "listed order with no largest gap. An empty `max_lag_weeks` lets the optimizer leave any "
            "number of idle weeks between the two phases (inside the production's window): a crew "
            "that preps and then waits. Give a value wherever the work must run on (the sample keeps "
            "prep to shoot within 1 week, a shoot to its post within 2 or 3, the last post to "
            "delivery within 2). The Plan page points out a plan that leaves a production idle for "
            "more weeks than its planned dates do.",
            (
                Column("production_id", "str", "The production."),
                Column("before_phase", "str", "The phase that finishes first."),
                Column("after_phase", "str", "The phase that starts after it."),
                Column("min_lag_weeks", "int", "Least gap between them.", "weeks", minimum=0),
                Column("max_lag_weeks", "int", "Largest gap allowed (empty: no limit).", "weeks",
                       nullable=True, minimum=0),
            ),
            key=("production_id", "before_phase", "after_phase"),
            required=False,
            rules=(
                "`max_lag_weeks`, when given, is not less than `min_lag_weeks`; a phase does not follow itself; "
                "the links of a production form no cycle. Both phases are the row's production's.",
                "Between two locked phases, the weeks from the end of `before_phase` to the start of `after_phase` "
                "are at least `min_lag_weeks` and at most `max_lag_weeks`.",
            ),
            references=(
                Reference(("production_id", "before_phase"), "phases", ("production_id", "phase_id")),
                Reference(("production_id", "after_phase"), "phases", ("production_id", "phase_id")),
            ),
        ),
        Table(
            "resources",
            "Stages, crew pools, equipment pools, post facilities, and the people (`talent`: cast, a director, "
            "a showrunner, a composer) and places (`location`: a backlot street, a practical location) "
            "productions share.",
            (
                Column("resource_id", "str", "Unique id, e.g. `STG-07`, `CREW-GE`."),
                Column("kind", "str", "Resource kind.", choices=RESOURCE_KINDS),
                Column("name", "str", "Display name."),
                Column("capacity", "int", "Units available a week (a stage is one row of capacity 1).",
                       "units", minimum=0),
                Column("size", "float", "Stage floor area, for size-based stage demands.", "sq ft",
                       nullable=True, minimum=0),
                Column("hire_cost_per_week", "float", "Cost of one hired-in unit a week (empty: cannot hire).",
                       "money/unit/week", nullable=True, minimum=0),
                Column("hire_max_units", "int", "Most units that can be hired in a week.", "units",
                       nullable=True, minimum=0),
            ),
            key=("resource_id",),
            rules=(
                "A stage is one row of `capacity` 1 (or 0) and cannot be hired in: its `hire_cost_per_week` is "
                "empty and its `hire_max_units` empty or 0.",
                "Crew, equipment and facilities: `hire_cost_per_week` and `hire_max_units` go together. A "
                "`hire_max_units` above 0 needs a cost; a cost needs `hire_max_units` (0: none for now).",
                "Only a stage has a `size`.",
                "A `talent` or `location` cannot be hired in (`hire_cost_per_week` empty, `hire_max_units` empty "
                "or 0); a `talent` is one person (`capacity` 0 or 1).",
            ),
        ),
        Table(
            "resource_calendar",
            "Capacity overrides for single weeks: maintenance, holidays, a stage let out.",
            (
                Column("resource_id", "str", "The resource."),
                Column("week_start", "date", "The Monday of the week."),
                Column("capacity", "int", "Capacity that week, replacing the base.", "units", minimum=0),
            ),
            key=("resource_id", "week_start"),
            required=False,
            references=(Reference(("resource_id",), "resources", ("resource_id",)),),
            rules=("`week_start` is a Monday; a stage's `capacity` is 0 or 1.",),
        ),
        Table(
            "availability",
            "Dated windows in which a resource is available (a person between other work, a location's "
            "permit). A resource with rows here has, each week, the units of the window that covers the "
            "whole week (Monday to Sunday) and none in other weeks; a resource without rows keeps its "
            "capacity and its `resource_calendar`.",
            (
                Column("resource_id", "str", "The resource."),
                Column("available_from", "date", "First day available."),
                Column("available_to", "date", "Last day available (inclusive)."),
                Column("units", "int", "Units available in the window (empty: the resource's capacity).", "units",
                       nullable=True, minimum=0, optional=True),
            ),
            key=("resource_id", "available_from"),
            required=False,
            references=(Reference(("resource_id",), "resources", ("resource_id",)),),
            rules=(
                "`available_to` is not before `available_from`, and the window covers at least one whole "
                "week, Monday to Sunday.",
                "The windows of one resource do not overlap (the later one's `available_from` is named).",
                "A resource has rows here or in `resource_calendar`, not both (`resource_id` is named).",
                "A talent's `units` is 0 or 1; a stage's 0 or 1.",
            ),
        ),
        Table(
            "demands",
            "What each phase needs each week it runs: a named resource, or any stage of at least a size.",
            (
                Column("production_id", "str", "The production."),
                Column("phase_id", "str", "The phase."),
                Column("resource_id", "str", "A named resource (or leave empty and give resource_kind).",
                       nullable=True),
                Column("resource_kind", "str", "`stage`: the planner picks a stage of at least min_size.",
                       nullable=True, choices=("stage",)),
                Column("min_size", "float", "Smallest stage that will do (with resource_kind).", "sq ft",
                       nullable=True, minimum=0),
                Column("units", "int", "Units a week while the phase runs.", "units", minimum=1),
                Column("lead_weeks", "int", "Weeks held before the phase (set build, prep).", "weeks",
                       minimum=0),
                Column("tail_weeks", "int", "Weeks held after the phase (strike, return).", "weeks",
                       minimum=0),
            ),
            references=(
                Reference(("production_id", "phase_id"), "phases", ("production_id", "phase_id")),
                Reference(("resource_id",), "resources", ("resource_id",)),
            ),
            rules=(
                "Each row gives either `resource_id` or `resource_kind` (`stage`), not both; `min_size` only "
                "with `resource_kind`.",
                "A phase asks for a named resource in one row only (`units` is the total).",
                "Some resource can serve it: enough stages of at least `min_size`, or `units` within the "
                "resource's largest capacity plus what can be hired in.",
            ),
        ),
        Table(
            "budget_lines",
            "Each production's budget on a film chart of accounts.",
            (
                Column("production_id", "str", "The production."),
                Column("account", "str", "Account number, e.g. `1400` (ATL 1100-1900, production "
                       "2000-4900, post 5000-5900, other 6000-7900)."),
                Column("description", "str", "Account name."),
                Column("section", "str", "Budget section.", choices=SECTIONS),
                Column("amount", "float", "Budgeted amount.", "money", minimum=0),
                Column("phase_id", "str", "Spend is spread over this phase as scheduled."),
                Column("curve", "str", "Shape of the spend over the phase.", choices=CURVES),
                Column("payment_lag_weeks", "int", "Weeks from spend to payment.", "weeks", minimum=0),
                Column("qualifying", "bool", "Counts toward the incentive."),
                Column("basis", "str", "`fixed`: the amount whatever the weeks (empty: fixed); `weekly`: "
                       "`amount / duration_weeks` for every week its phase runs (stage rent, crew wages).",
                       nullable=True, choices=BASES, optional=True),
            ),
            key=("production_id", "account"),
            references=(
                Reference(("production_id",), "productions", ("production_id",)),
                Reference(("production_id", "phase_id"), "phases", ("production_id", "phase_id")),
            ),
        ),
        Table(
            "incentives",
            "Tax-incentive rules per jurisdiction.",
            (
                Column("jurisdiction", "str", "Id used by productions.jurisdiction."),
                Column("rate", "float", "Share of qualifying spend.", "0..1", minimum=0, maximum=1),
                Column("cap", "float", "Most a production can receive (empty: no cap).", "money",
                       nullable=True, minimum=0),
                Column("receipt_lag_weeks", "int", "Weeks after delivery until the money arrives.",
                       "weeks", minimum=0),
                Column("discount", "float", "Share lost when the credit is sold or borrowed against.",
                       "0..1", minimum=0, maximum=1),
            ),
            key=("jurisdiction",),
            required=False,
        ),
        Table(
            "actuals",
            "The money of a slate under way, to the report date `settings.as_of`: cost incurred and paid "
            "(`actual`, from the ledger) and open purchase orders (`committed`), by production and account.",
            (
                Column("production_id", "str", "The production."),
                Column("account", "str", "The budget account (a row of `budget_lines`)."),
                Column("posted", "date", "The day it was paid (`actual`) or ordered (`committed`)."),
                Column("amount", "float", "Money; a refund or credit is negative.", "money"),
                Column("kind", "str", "`actual`: incurred and paid on `posted`; `committed`: an open purchase "
                       "order as of `as_of`, paid over the rest of the line's phase.", choices=ACTUAL_KINDS),
            ),
            required=False,
            references=(
                Reference(("production_id",), "productions", ("production_id",)),
                Reference(("production_id", "account"), "budget_lines", ("production_id", "account")),
            ),
            rules=(
                "`posted` is not after `settings.as_of` (what has not happened yet is the plan's).",
                "A `committed` amount is not negative.",
            ),
        ),
        Table(
            "estimates",
            "A production accountant's own estimate to complete of an account, which wins over the computed one.",
            (
                Column("production_id", "str", "The production."),
                Column("account", "str", "The budget account (a row of `budget_lines`)."),
                Column("estimate_to_complete", "float", "Money still to be spent on it after `as_of`, beyond "
                       "what is committed.", "money", minimum=0),
            ),
            key=("production_id", "account"),
            required=False,
            references=(
                Reference(("production_id",), "productions", ("production_id",)),
                Reference(("production_id", "account"), "budget_lines", ("production_id", "account")),
            ),
        ),
        Table(
            "risks",
            "Named things that may go wrong: each happens with its probability and then delays a phase "
            "(or the production's first phase) and costs extra, within a low..high range. A risk that names "
            "a `resource_id` (a person or a place lost for a while; any resource may be named) takes that "
            "resource away for its delay instead, from the week the phase it hits is planned to start: every "
            "phase that needs the resource and would start in the lost weeks waits until they are over, one "
            "running when it is lost stops for them, and what follows is pushed (re-planned, when samples "
            "are re-planned, around the lost weeks).",
            (
                Column("production_id", "str", "The production."),
                Column("phase_id", "str", "The phase it hits (empty: the production's first phase).", nullable=True),
                Column("name", "str", "What it is, e.g. `Weather on the coast shoot`."),
                Column("kind", "str", "Kind of risk.", choices=RISK_KINDS),
                Column("probability", "float", "Chance it happens.", "0..1", minimum=0, maximum=1),
                Column("delay_low_weeks", "int", "Least delay if it happens.", "weeks", minimum=0),
                Column("delay_high_weeks", "int", "Most delay if it happens.", "weeks", minimum=0),
                Column("extra_cost_low", "float", "Least extra cost if it happens.", "money", minimum=0),
                Column("extra_cost_high", "float", "Most extra cost if it happens.", "money", minimum=0),
                Column("resource_id", "str", "The person or place it takes away for its delay (empty: it delays "
                       "its phase).", nullable=True, optional=True),
            ),
            key=("production_id", "name"),
            required=False,
            references=(
                Reference(("production_id",), "productions", ("production_id",)),
                Reference(("production_id", "phase_id"), "phases", ("production_id", "phase_id")),
                Reference(("resource_id",), "resources", ("resource_id",)),
            ),
            rules=("`delay_low_weeks` <= `delay_high_weeks`; `extra_cost_low` <= `extra_cost_high`.",),
        ),
        Table(
            "settings",
            "One row. Missing table: the horizon starts on the Monday of the earliest start, 104 weeks, "
            "USD, no financing cost.",
            (
                Column("horizon_start", "date", "The Monday of week 0."),
                Column("horizon_weeks", "int", "Length of the planning horizon.", "weeks", minimum=1,
                       maximum=520),
                Column("currency", "str", "Currency of every amount, e.g. USD."),
                Column("financing_rate_annual", "float", "Cost of funding a deficit.", "per year",
                       minimum=0, maximum=1),
                Column("as_of", "date", "The report date, a Monday: actuals run to it and the plan runs from "
                       "its week (empty: `horizon_start`).", nullable=True, optional=True),
            ),
            required=False,
            rules=("One row; `horizon_start` is a Monday; `as_of`, when given, is a Monday inside the horizon.",),
        ),
    )
}



def to_markdown() -> str:
    """The data contract as Markdown (``docs/data.md`` is this text; a test keeps them equal)."""
    lines = [
        "# The slate data format",
        "",
        "One folder of Parquet files, one file per table (`productions.parquet`, ...). CSV files with the",
        "same names and columns are accepted too. Dates are ISO dates (`2027-03-01`); the planner's unit of",
        "time is the week, starting on Monday. Money is in the slate's one currency (`settings.currency`).",
        "Extra columns are ignored; the columns below are required in each file that is given",
        "(a column marked *may be empty* must exist, but its cells may be blank).",
        "",
        "Generated from `planning/data/schema.py` by `slate schema`.",
        "",
    ]
    for table in TABLES.values():
        need = "required" if table.required else "optional"
        key = f"; key: {', '.join(table.key)}" if table.key else ""
        lines += [f"## `{table.name}` ({need}{key})", "", table.description, "",
                  "| column | type | unit | rule | meaning |", "| --- | --- | --- | --- | --- |"]
        for c in table.columns:
            rule = ["may be left out"] if c.optional else []
            if c.nullable:
                rule.append("may be empty")
            if c.minimum is not None:
                rule.append(f">= {c.minimum:g}")
            if c.maximum is not None:
                rule.append(f"<= {c.maximum:g}")
            if c.choices:
                rule.append("one of " + ", ".join(f"`{v}`" for v in c.choices))
            lines.append(f"| `{c.name}` | {c.type} | {c.unit} | {'; '.join(rule)} | {c.description} |")
        for ref in table.references:
            lines.append("")
            lines.append(f"`{', '.join(ref.columns)}` must name a row of `{ref.target}`.")
        if table.rules:
            lines += ["", "Rules between cells and rows (a row that breaks one is refused, naming its table, row "
                      "and column):", ""] + [f"- {rule}" for rule in table.rules]
        lines.append("")
    return "\n".join(lines)
