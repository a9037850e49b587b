"""Load test (not a test of the suite): ten people at once on one server, each applying a different
what-if on the What-if page and saving it under their own name.

One Streamlit server (own temp stores, SLATE_PRECOMPUTE as in the environment, unset = on), one
headless Chromium, ten browser contexts (separate sessions) driven concurrently from one asyncio
loop. Reports per session the seconds to apply and to save, any Streamlit exception or error alert,
and finally opens the server's scenario store and checks that all ten names are there.

    .venv/bin/python benchmarks/load_scenarios.py [--sessions 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import browser_app as ba  # noqa: E402

# a different what-if for each session: {slider key: steps from 0}
WHATIFS = [
    {"wi_stage_30000": 1},
    {"wi_pool_CREW-GE": -2},
    {"wi_pool_CREW-CAM": 2},
    {"wi_stage_18000": -1},
    {"wi_pool_EQ-LGT": -3},
    {"wi_overage": 10},
    {"wi_pool_CREW-CON": 2},
    {"wi_stage_22000": 1},
    {"wi_pool_CREW-HMU": -2, "wi_stage_12000": 1},
    {"wi_pool_POST-MIX": 1},
    {"wi_pool_CREW-ART": -2},
    {"wi_pool_EQ-CAM": 3},
]
TIMEOUT_MS = 600_000  # ten solves share two cores (--timeout)


async def session(browser, url: str, i: int, settings: dict[str, int], stamp: str) -> dict:
    out = {"session": i, "name": f"load {stamp} #{i:02d}", "what-if": settings, "apply": None, "save": None,
           "errors": []}
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        await ba.a_open_app(page, url, TIMEOUT_MS)
        await ba.a_go_to(page, "What-if", TIMEOUT_MS)
        for key, steps in settings.items():
            got = await ba.a_move_slider(page, key, steps)
            if got != steps:
                out["errors"].append(f"{key} at {got}, wanted {steps}")
        out["apply"] = await ba.a_apply_whatif(page, TIMEOUT_MS)
        out["errors"] += await ba.a_errors(page)
        out["save"] = await ba.a_save_scenario(page, out["name"], note=f"load test session {i}", timeout=TIMEOUT_MS)
        out["errors"] += await ba.a_errors(page)
    except Exception as exc:  # noqa: BLE001 - a failed session is a result to report
        out["errors"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        out["errors"] += await ba.a_errors(page)
    finally:
        await context.close()
    return out


async def run(n: int) -> int:
    from playwright.async_api import async_playwright

    from planning.scenarios.store import ScenarioStore

    server = ba.start_server()
    stamp = time.strftime("%H%M%S")
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=ba.CHROMIUM, args=ba.CHROMIUM_ARGS)
            t0 = time.perf_counter()
            results = await asyncio.gather(*(session(browser, server.url, i, WHATIFS[i % len(WHATIFS)], stamp)
                                             for i in range(n)))
            wall = time.perf_counter() - t0
            await browser.close()
    finally:
        server.stop()

    def fmt(x):
        return f"{x:7.2f}" if x is not None else "      -"

    print(f"{'session':>7}  {'apply s':>7}  {'save s':>7}  errors  what-if")
    for r in results:
        what = ", ".join(f"{k.removeprefix('wi_')} {v:+d}" for k, v in r["what-if"].items())
        print(f"{r['session']:>7}  {fmt(r['apply'])}  {fmt(r['save'])}  {len(r['errors']):>6}  {what}")
        for e in r["errors"]:
            print(f"         error: {e[:300]}")
    applies = [r["apply"] for r in results if r["apply"] is not None]
    saves = [r["save"] for r in results if r["save"] is not None]
    if applies:
        print(f"apply: median {statistics.median(applies):.2f} s, min {min(applies):.2f}, max {max(applies):.2f}")
    if saves:
        print(f"save:  median {statistics.median(saves):.2f} s, min {min(saves):.2f}, max {max(saves):.2f}")
    print(f"all {n} sessions done in {wall:.1f} s wall")

    names = set(ScenarioStore(server.scenarios).list()["name"])
    wanted = {r["name"] for r in results}
    missing = sorted(wanted - names)
    errors = sum(len(r["errors"]) for r in results)
    print(f"scenario store {server.scenarios}: {len(wanted & names)} of {n} names saved"
          + (f"; missing {missing}" if missing else ""))
    ok = not missing and errors == 0 and len(applies) == n and len(saves) == n
    print(f"{'PASS' if ok else 'FAIL'}: {n} sessions, {errors} errors, {len(wanted & names)}/{n} saved")
    return 0 if ok else 1


def main() -> int:
    global TIMEOUT_MS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10, help=f"at most {len(WHATIFS)} distinct what-ifs")
    ap.add_argument("--timeout", type=float, default=600, help="seconds a session may wait for a step")
    args = ap.parse_args()
    TIMEOUT_MS = args.timeout * 1000
    print(f"Load: {args.sessions} browser sessions apply and save a different what-if at once · "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')} · {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
          f"at start (shared machine: other jobs ran at the same time, so timings are noisy)")
    return asyncio.run(run(args.sessions))


if __name__ == "__main__":
    raise SystemExit(main())
