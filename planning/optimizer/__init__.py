"""The optimizer: the slate's plan as the data contract defines it.

Steps, each its own module: ``candidates`` (every start week each phase may take, and its load),
``starts`` (greedy, forward-backward improvement, production shifts: the start plan), ``stages``
(stage tiers and the exact placement of size bookings), ``model`` (the MIP, building only),
``search`` (large-neighbourhood search on the built model), ``solve`` (least shortfall, then least
money; status, bound and gap), ``results`` (the chosen starts, stages and changes), ``optimize`` (``plan``: all
of them within one time limit).
"""

from planning.optimizer.optimize import PlanResult, plan, verdict
from planning.optimizer.options import PlanOptions, Weights

__all__ = ["PlanOptions", "PlanResult", "Weights", "plan", "verdict"]
