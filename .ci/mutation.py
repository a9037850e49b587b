"""Mutation testing of the modules whose bugs would hurt users most (``bash .ci/mutation``).

Each module is run on its own copy of the project in ``mutants/<module>/`` (git-ignored): mutmut
copies ``planning/`` into ``mutants/<module>/mutants/``, makes every one-token change it can (a
mutant) in the module's file and runs the module's fast tests (no browser, no heavy solve) against
each; a mutant that no test notices "survives". The score is the share of mutants killed (a
timeout counts as killed: the tests noticed). ``[tool.mutmut]`` in pyproject.toml holds the shared
settings; this file picks each module's files, mutants and tests.

    bash .ci/mutation                      # every module, one after another
    bash .ci/mutation access optimizer     # some of them
    bash .ci/mutation --max-children 1 validate
    bash .ci/mutation --sample 200 flows   # a seeded random sample of the module's mutants: a quicker estimate

Survivors are listed in ``mutants/<module>/survivors.txt``; ``cd mutants/<module> && mutmut show
NAME`` shows one's change. The README's engineer section gives the scores and the survivors left.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["planning", "tests", "data/sample", "dashboard", "benchmarks", ".streamlit/config.toml",
          ".streamlit/secrets.example.toml", "pyproject.toml"]
OPTIMIZER = "planning.optimizer.optimize"
SOLVE = "planning.optimizer.solve"
MODULES = {     # files mutated, the mutants that count (mutmut names), the fast tests that judge them
    "validate": (["planning/data/validate.py"], ["planning.data.validate.*"], ["tests/test_validate_edges.py"]),
    "access": (["planning/access.py"], ["planning.access.*"], ["tests/test_access.py"]),
    "optimizer": (["planning/optimizer/optimize.py", "planning/optimizer/solve.py"],
                  [f"{OPTIMIZER}.x_judge__*", f"{OPTIMIZER}.x__proven__*", f"{OPTIMIZER}.x__merge__*",
                   f"{OPTIMIZER}.x_verdict__*", f"{OPTIMIZER}.xǁPlanResultǁsummary__*",
                   f"{SOLVE}.x_least_shortfall__*", f"{SOLVE}.x_money_bound__*", f"{SOLVE}.x_within_gap__*",
                   f"{SOLVE}.x_cbc_bound__*"],
                  ["tests/test_bounds_status.py"]),
    "flows": (["planning/finance/flows.py"], ["planning.finance.flows.*"],
              ["tests/test_flows.py", "tests/test_cashflow.py", "tests/test_costreport.py", "-k",
               "not sample and not cli and not xlsx and not csv and not generated and not by_period and not fiscal "
               "and not months"]),    # hand-built slates only: not the sample, the files or the periods
}
KILLED = {1, 3, 36, 24, -24, 152, 255, -9, -11, 37}     # killed, timed out, crashed, caught by type check
SURVIVED, NO_TESTS = {0}, {5, 33}


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(name: str, work: Path) -> None:
    """A fresh copy of the project for one module, its ``[tool.mutmut]`` narrowed to the module."""
    files, _, tests = MODULES[name]
    tests = [t for t in tests if not t.startswith("tests/") or (ROOT / t).exists()]
    if work.exists():
        shutil.rmtree(work)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.duckdb", "*.duckdb.wal", "secrets.toml")
    for part in COPIED:
        source, target = ROOT / part, work / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target)
    text = (work / "pyproject.toml").read_text()
    head, found, tail = text.partition("[tool.mutmut]")
    assert found, "pyproject.toml has no [tool.mutmut] section"
    rest = tail.split("\n[", 1)
    lines = [line for line in rest[0].splitlines()[1:] if line.strip()]
    keep, skipping = [], False
    for line in lines:                       # drop only_mutate and the test selection (continued lines too)
        key = line.split("=", 1)[0].strip()
        if key in ("only_mutate", "pytest_add_cli_args_test_selection"):
            skipping = True
        elif "=" in line and not line.startswith(" "):
            skipping = False
        if not skipping:
            keep.append(line)
    section = "\n".join(["[tool.mutmut]", *keep, f"only_mutate = {toml_list(files)}",
                         f"pytest_add_cli_args_test_selection = {toml_list(tests)}"])
    (work / "pyproject.toml").write_text(head + section + "\n" + ("\n[" + rest[1] if len(rest) > 1 else ""))


def results(name: str, work: Path) -> dict:
    """Each mutant of the module that counts, with mutmut's exit code for it (None: not run)."""
    files, patterns, _ = MODULES[name]
    codes = {}
    for file in files:
        meta = json.loads((work / "mutants" / (file + ".meta")).read_text())
        codes.update({k: v for k, v in meta["exit_code_by_key"].items()
                      if any(fnmatch.fnmatch(k, p) for p in patterns)})
    return codes


def score(name: str, work: Path, only: list[str] | None = None) -> dict:
    codes = results(name, work)
    if only is not None:
        codes = {k: codes[k] for k in only}
    killed = sorted(k for k, v in codes.items() if v in KILLED)
    survived = sorted(k for k, v in codes.items() if v in SURVIVED)
    no_tests = sorted(k for k, v in codes.items() if v in NO_TESTS)
    other = sorted(k for k, v in codes.items() if k not in killed + survived + no_tests)
    (work / "survivors.txt").write_text("\n".join(survived + [f"{k} (no test reaches it)" for k in no_tests]
                                                  + [f"{k} (not run: {codes[k]})" for k in other]) + "\n")
    return {"mutants": len(codes), "killed": len(killed), "survived": len(survived), "no tests": len(no_tests),
            "not run": len(other), "score": len(killed) / len(codes) if codes else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--sample", type=int, default=0, help="run only this many of each module's mutants, "
                        "drawn at random (seeded: the same draw each time)")
    parser.add_argument("--seed", type=int, default=24)
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}: use {', '.join(MODULES)}")
    mutmut = Path(sys.executable).with_name("mutmut")
    scores = {}
    for name in args.modules or list(MODULES):
        work = ROOT / "mutants" / name
        prepare(name, work)
        started = time.monotonic()
        print(f"{name}: mutating {', '.join(MODULES[name][0])} against {' '.join(MODULES[name][2])} "
              f"(log: {work.relative_to(ROOT)}/mutmut.log)", flush=True)
        command = [str(mutmut), "run", "--max-children", str(args.max_children)]
        only = None
        with open(work / "mutmut.log", "w") as log:
            if args.sample:        # makes the mutants and the tests' coverage, then stops: nothing matches
                subprocess.run([*command, "no-such-mutant"], cwd=work, stdout=log, stderr=subprocess.STDOUT)
                names = sorted(results(name, work))
                only = random.Random(args.seed).sample(names, min(args.sample, len(names)))
                stats = json.loads((work / "mutants" / "mutmut-stats.json").read_text())
                tested = [m for m in only if stats["tests_by_mangled_function_name"].get(m.partition("__mutmut_")[0])]
                if not tested:
                    print(f"{name}: no test reaches the {len(only)} mutants drawn")
                    return 1
            run = subprocess.run([*command, *(tested if only is not None else MODULES[name][1])], cwd=work,
                                 stdout=log, stderr=subprocess.STDOUT)     # (mutants no test reaches: not run)
        if run.returncode != 0:
            print(f"{name}: mutmut failed (exit {run.returncode}); see {work / 'mutmut.log'}")
            return 1
        scores[name] = r = score(name, work, only)
        drawn = f" (a sample of {len(only)})" if only is not None else ""
        print(f"{name}: {r['score']:.1%} killed{drawn} ({r['killed']} of {r['mutants']}; {r['survived']} survived, "
              f"{r['no tests']} reached by no test) in {time.monotonic() - started:.0f} s; survivors: "
              f"{work.relative_to(ROOT)}/survivors.txt", flush=True)
    print("\nmodule      mutants  killed  score")
    for name, r in scores.items():
        print(f"{name:<11} {r['mutants']:>7} {r['killed']:>7} {r['score']:>6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
