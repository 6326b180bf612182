"""Record the survival SVM's paths from one evaluation job, then replay them with a checkout's solver.

    .venv/bin/python scripts/benchmarks/solver_replay.py record ../paths.pkl --every 10 -- \\
        HNSC netnorm --config config/paper_protocol.yaml --results RUN/results
    .venv/bin/python scripts/benchmarks/solver_replay.py replay ../paths.pkl [--src OTHER/src] [--repeat 3] \\
        [--objectives ../objectives.npy]

`record` runs `evaluation_job.py` with the arguments after `--` and keeps every
`--every`-th call of `solve_path`: the problem's matrix and pairs, the penalties, the
warm-start guesses (about 1.5 MB per NetNorM path). `replay` solves them again with the
package under `--src` (default this checkout's) in one process, one BLAS thread: the
fastest of `--repeat` CPU times, working-set rounds, working-set solves and Newton steps
per solve, how many solves converged; `--objectives` saves every solve's objective (.npy)
to compare two versions. The solver alone, without the job's transforms and scoring, and
the same inputs for both versions: run two versions' replays in turn (old, new, old, new)
to see the machine's drift.
"""

from __future__ import annotations

import argparse
import os
import pickle
import runpy
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def record(out: Path, every: int, job_arguments: list[str]) -> None:
    sys.path.insert(0, str(REPO / "src"))
    import pancan.models.survival_svm as survival_svm

    original, calls, kept = survival_svm.solve_path, [0], []

    def recording(problem, alphas, **options):
        calls[0] += 1
        if calls[0] % every == 0:
            guesses = options.get("guesses")
            kept.append((problem.X, problem.earlier, problem.later, [float(a) for a in alphas], guesses, options))
        return original(problem, alphas, **options)

    survival_svm.solve_path, argv = recording, sys.argv
    sys.argv = ["evaluation_job.py", *job_arguments]
    try:
        runpy.run_path(str(REPO / "scripts" / "benchmarks" / "evaluation_job.py"), run_name="__main__")
    finally:
        survival_svm.solve_path, sys.argv = original, argv
    out.write_bytes(pickle.dumps(kept, protocol=5))
    print(f"{len(kept)} of {calls[0]} paths recorded in {out}")


def replay(paths_file: Path, src: Path, repeat: int, objectives_file: Path | None) -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.path.insert(0, str(src.resolve()))
    import pancan.models.ranking_svm_solver as solver

    counts = {"working_sets": 0, "steps": 0}

    def counted(function, key):
        def wrapper(*args, **kwargs):
            counts[key] += 1
            return function(*args, **kwargs)

        return wrapper

    originals = solver._newton_on_working_set, solver.lasso_qp
    solver._newton_on_working_set = counted(solver._newton_on_working_set, "working_sets")
    solver.lasso_qp = counted(solver.lasso_qp, "steps")  # one model solved per Newton step
    try:
        solve_all(solver, pickle.loads(paths_file.read_bytes()), counts, src, repeat, objectives_file)
    finally:
        solver._newton_on_working_set, solver.lasso_qp = originals


def solve_all(solver, paths: list, counts: dict, src: Path, repeat: int, objectives_file: Path | None) -> None:
    """Solve every recorded path `repeat` times; print the fastest CPU time and the counts, save the objectives."""
    import numpy as np

    fastest = float("inf")
    for _ in range(repeat):
        counts.update(working_sets=0, steps=0)
        objectives, rounds, converged = [], 0, 0
        started = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings: counted below instead
            for X, earlier, later, alphas, guesses, options in paths:
                problem = solver.PairProblem(X, earlier, later)
                solver_options = {k: v for k, v in options.items() if k != "guesses"}
                _, infos = solver.solve_path(problem, alphas, guesses=guesses, **solver_options)
                objectives += [info.objective for info in infos]
                rounds += sum(info.rounds for info in infos)
                converged += sum(info.converged for info in infos)
        fastest = min(fastest, time.process_time() - started)
    solves = len(objectives)
    print(
        f"{src}: {fastest:.2f} CPU s (fastest of {repeat}); {len(paths)} paths, {solves} solves; per solve "
        f"{rounds / solves:.2f} rounds, {counts['working_sets'] / solves:.2f} working-set solves, "
        f"{counts['steps'] / solves:.2f} Newton steps; converged {converged} of {solves}"
    )
    if objectives_file is not None:
        np.save(objectives_file, np.asarray(objectives))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    recording = commands.add_parser("record", help="run evaluation_job.py and keep every N-th path")
    recording.add_argument("out", type=Path)
    recording.add_argument("--every", type=int, default=10)
    replaying = commands.add_parser("replay", help="solve recorded paths again")
    replaying.add_argument("paths", type=Path)
    replaying.add_argument("--src", type=Path, default=REPO / "src", help="package source to time")
    replaying.add_argument("--repeat", type=int, default=3)
    replaying.add_argument("--objectives", type=Path, help="save every solve's objective here (.npy)")
    arguments, job = sys.argv[1:], []
    if "--" in arguments:  # evaluation_job.py's arguments
        arguments, job = arguments[: arguments.index("--")], arguments[arguments.index("--") + 1 :]
    args = parser.parse_args(arguments)
    if args.command == "record":
        if args.every < 1 or not job:
            parser.error("record needs --every >= 1 and evaluation_job.py's arguments after --")
        record(args.out, args.every, job)
    else:
        replay(args.paths, args.src, args.repeat, args.objectives)


if __name__ == "__main__":
    main()
