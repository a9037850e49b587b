"""Benchmark (not a test): how long a person waits on the What-if page, from clicking Apply to the
updated comparison being drawn, in headless Chromium against a real server.

The server runs as deployed: its own temp stores and SLATE_PRECOMPUTE unset, so the baseline plans
start computing in the background when the first page is shown. Measured:

* cold: the first Apply, right after opening the app and the What-if page;
* new: new settings each time (the baseline is cached by then, the what-if is solved);
* repeat: settings already applied once (the plan comes from the shared result cache).

    .venv/bin/python benchmarks/bench_whatif_browser.py [--new 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import browser_app as ba  # noqa: E402

COLD = {"wi_stage_30000": 1}
NEW = [  # slider positions (every other what-if slider at 0); each a different scenario
    {"wi_pool_CREW-GE": -2},
    {"wi_pool_CREW-CAM": 2},
    {"wi_stage_18000": -1},
    {"wi_pool_EQ-LGT": -3, "wi_stage_12000": 1},
    {"wi_overage": 10},
    {"wi_pool_CREW-CON": 2, "wi_pool_CREW-ART": -1},
    {"wi_stage_22000": 1},
]


def set_sliders(page, settings: dict[str, int], shown: dict[str, int]) -> None:
    """Move the sliders (by keyboard) from ``shown`` to ``settings``; the rest back to 0."""
    for key in sorted(set(settings) | set(shown)):
        target, now = settings.get(key, 0), shown.get(key, 0)
        if target != now:
            got = ba.move_slider(page, key, target - now)
            assert got == target, f"{key}: slider at {got}, wanted {target}"
    shown.clear()
    shown.update({k: v for k, v in settings.items() if v})


def label(settings: dict[str, int]) -> str:
    return ", ".join(f"{k.removeprefix('wi_')} {v:+d}" for k, v in settings.items())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new", type=int, default=5, help="how many new settings (at most %d)" % len(NEW))
    ap.add_argument("--repeat", type=int, default=3, help="how many settings to apply again")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"What-if in the browser: Apply -> comparison drawn · {time.strftime('%Y-%m-%d %H:%M %Z')} · "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start (shared machine: other jobs ran "
          f"at the same time, so timings are noisy)")
    server = ba.start_server(precompute=True)
    figures: dict[str, list[float]] = {"cold": [], "new": [], "repeat": []}
    try:
        with sync_playwright() as p:
            browser = ba.launch(p)
            page = ba.new_page(browser)
            t0 = time.perf_counter()
            ba.open_app(page, server.url)
            ba.go_to(page, "What-if")
            print(f"app and What-if page open in {time.perf_counter() - t0:.1f} s (background baseline started)")
            shown: dict[str, int] = {}

            def run(kind: str, settings: dict[str, int]) -> None:
                set_sliders(page, settings, shown)
                seconds = ba.apply_whatif(page)
                problems = ba.errors(page)
                figures[kind].append(seconds)
                kpis = ba.comparison(page)
                left = next(iter(list(kpis.values())[1:2]), "?")
                print(f"  {kind:6s} {seconds:6.2f} s  [{label(settings)}]  conflicts left {left}"
                      + (f"  ERRORS: {problems}" if problems else ""))

            run("cold", COLD)
            seen = [COLD]
            for settings in NEW[:args.new]:
                run("new", settings)
                seen.append(settings)
            for settings in (seen[:1] + seen[2:])[:args.repeat]:  # never the one on screen now
                run("repeat", settings)
            browser.close()
    finally:
        server.stop()
    print("medians:", "  ".join(f"{k} {statistics.median(v):.2f} s (n={len(v)})" for k, v in figures.items() if v))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
