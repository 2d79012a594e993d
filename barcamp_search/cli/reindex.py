"""The periodic reindex job: ``barcamp-search index --every 10m [--git-pull]``.

``run_periodically`` calls one indexing run, then sleeps for the interval
(with a small random jitter so several machines do not hit the same archive
host at once) until asked to stop. A stop request (SIGTERM/SIGINT, wired by
the CLI) is honoured between runs, or after the current run has committed:
a run is never interrupted half-way by a polite stop. A failing run is
logged and the loop goes on; the index keeps its last good state.

``git_pull`` runs ``git pull --ff-only`` in an archive that is a git checkout.
"""

from __future__ import annotations

import logging
import os
import random
import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
GIT_TIMEOUT = 120


def parse_duration(text: str) -> float:
    """``90``, ``30s``, ``10m``, ``1h``, ``1d`` -> seconds. Raises ValueError."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration (examples: 30s, 10m, 1h)")
    seconds = float(match.group(1)) * _UNITS[(match.group(2) or "").lower()]
    if seconds < 1:
        raise ValueError(f"{text!r} is shorter than one second")
    return seconds


def run_periodically(
    run_once: Callable[[], object], interval: float, stop: threading.Event, jitter: float = 0.05
) -> int:
    """Run ``run_once`` every ``interval`` seconds until ``stop`` is set. Returns the
    number of runs. ``run_once`` handles (logs) its own failures."""
    runs = 0
    while not stop.is_set():
        run_once()
        runs += 1
        pause = interval * (1 + random.uniform(-jitter, jitter))
        stop.wait(pause)
    return runs


def is_git_checkout(path: Path) -> bool:
    return any((folder / ".git").exists() for folder in [path, *path.resolve().parents])


def git_pull(path: Path) -> str | None:
    """``git pull --ff-only`` in ``path``; None when it worked, else what went wrong."""
    try:
        result = subprocess.run(
            ["git", "-C", str(path), "pull", "--ff-only", "--quiet"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except FileNotFoundError:
        return "git is not installed"
    except subprocess.TimeoutExpired:
        return f"git pull took longer than {GIT_TIMEOUT} s"
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return lines[-1] if lines else f"git pull exited with status {result.returncode}"
    return None
