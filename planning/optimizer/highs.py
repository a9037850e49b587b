"""Every HiGHS call of the product goes through here: one thread setting for the process, and a
status check on every run.

HiGHS keeps one thread pool per process; the first solve fixes its size, and a later solve asking
for another size fails (``run()`` returns an error and an all-zero solution). So every model gets
``THREADS`` (``SLATE_SOLVER_THREADS``, default 1: the dashboard runs several users' solves side
by side), and every run is checked: a run that ends without a usable solution raises
``SolverError`` instead of handing back zeros. Every model can be interrupted when the process
shuts down (``stopping``): ``configure`` sets an interrupt callback, and ``run`` raises
``Stopped`` rather than start, or hand back, a run once the process is stopping.
"""

from __future__ import annotations

import highspy

from planning.config import SOLVER_THREADS as THREADS
import planning.optimizer.stopping as stopping


class SolverError(RuntimeError):
    """The solver ended without a usable answer."""


def stop_on_shutdown(kind, message, out, into, user) -> None:
    """The HiGHS interrupt callback of every model: stop once the process is stopping."""
    if stopping.stopping():
        into.user_interrupt = True


def configure(h: highspy.Highs, time_limit: float | None = None, gap: float | None = None) -> highspy.Highs:
    """Quiet output, the process's thread count, the given limits, and the interrupt on shutdown
    (a model that sets its own callback must check ``stopping.stopping()`` there too)."""
    h.setCallback(stop_on_shutdown, None)
    h.startCallback(highspy.cb.kCallbackMipInterrupt)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", THREADS)
    h.setOptionValue("mip_allow_restart", False)   # measured: restarts cost the sample slate 2x
    h.setOptionValue("mip_lp_solver", "ipm")       # measured: least shortfall at 40 productions 22.6 s -> 3.6 s
    if time_limit is not None:
        h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    if gap is not None:
        h.setOptionValue("mip_rel_gap", float(gap))
    return h


def new_highs(time_limit: float | None = None, gap: float | None = None) -> highspy.Highs:
    return configure(highspy.Highs(), time_limit, gap)


_S = highspy.HighsModelStatus
_STOPPED = {_S.kTimeLimit, _S.kInterrupt, _S.kIterationLimit, _S.kSolutionLimit, _S.kObjectiveBound,
            _S.kObjectiveTarget}


def run(h: highspy.Highs, what: str) -> bool:
    """Run and check. Returns True when the run proved its answer optimal (within the gap), False
    when it stopped early with a feasible solution; raises ``SolverError`` otherwise, and
    ``stopping.Stopped`` when the process is shutting down (before or after the run)."""
    stopping.check()
    status = h.run()
    stopping.check()
    model_status = h.getModelStatus()
    if model_status == _S.kModelEmpty:
        return True
    usable = model_status == _S.kOptimal or model_status in _STOPPED
    if status == highspy.HighsStatus.kError or not usable or h.getInfo().primal_solution_status != 2:
        raise SolverError(f"HiGHS could not solve the {what}: {h.modelStatusToString(model_status)}")
    return model_status == _S.kOptimal
