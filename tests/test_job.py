"""The reindex job with real processes: the loop, git pull, locks, exit statuses,
kill -9 at random moments, a full disk."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from barcamp_search.search import SearchIndex, SearchQuery

from .conftest import ROOT, SAMPLE


def command(*args):
    return [sys.executable, "-m", "barcamp_search", *map(str, args)]


def cli(*args, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARCAMP_SEARCH_")}
    return subprocess.run(
        command(*args), capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
    )


def totals(index_dir, queries=("", "python", "pyramid", "sprint")):
    with SearchIndex(index_dir) as engine:
        return [engine.search(SearchQuery(text=q)).total for q in queries]


def write_posts(folder: Path, count: int, word: str = "motrare", start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        body = " ".join(f"{word}{number % 7} phrase numéro {number} sur python" for _ in range(40))
        (folder / f"post-{number:04d}.rst").write_text(
            f"Billet {number}\n{'#' * (7 + len(str(number)))}\n\n:date: 2020-01-01\n"
            f":tags: t{number % 5}, python\n\n{body}\n\nSection {number}\n"
            f"{'=' * (8 + len(str(number)))}\n\nIntervenant : Jean Dupont\n\n{body}\n"
        )


def test_every_loop_reindexes_and_stops_cleanly_on_sigterm(tmp_path, sample_dir):
    index_dir = tmp_path / "index"
    process = subprocess.Popen(
        command("index", sample_dir, "--index", index_dir, "--every", "1s", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while not (index_dir / "CURRENT").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        (sample_dir / "new.rst").write_text("Nouveau\n#######\n\nUn mot : zygomatix.\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (index_dir / "CURRENT").exists() and totals(index_dir, ("zygomatix",)) == [1]:
                break
            time.sleep(0.2)
        assert totals(index_dir, ("zygomatix",)) == [1]
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    runs = [json.loads(line) for line in stdout.splitlines()]
    assert len(runs) >= 2 and any(run["added"] == 1 for run in runs[1:])
    assert "SIGTERM: stopping after the current run" in stderr
    assert stderr.strip().splitlines()[-1].startswith("stopped after")


def test_git_pull_before_indexing(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin, clone, index_dir = tmp_path / "origin", tmp_path / "clone", tmp_path / "index"
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "init.defaultBranch=main",
    ]
    shutil.copytree(SAMPLE, origin)
    subprocess.run([*git, "init", "-q", str(origin)], check=True)
    subprocess.run([*git, "-C", str(origin), "add", "."], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-qm", "posts"], check=True)
    subprocess.run([*git, "clone", "-q", str(origin), str(clone)], check=True)
    assert cli("index", clone, "--index", index_dir).returncode == 0
    (origin / "pushed.rst").write_text("Poussé\n######\n\nLe mot xylomorphe.\n")
    subprocess.run([*git, "-C", str(origin), "add", "."], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-qm", "new"], check=True)
    result = cli("index", "--index", index_dir, "--git-pull", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 1
    assert totals(index_dir, ("xylomorphe",)) == [1]
    shutil.rmtree(origin)  # the remote is gone: the pull fails, the index keeps its state
    result = cli("index", "--index", index_dir, "--git-pull", "--json")
    assert result.returncode == 0
    assert "git pull failed in" in result.stderr
    assert json.loads(result.stdout)["unchanged"] == 12


def test_second_writer_exits_75_after_the_lock_timeout(tmp_path, sample_dir):
    index_dir = tmp_path / "index"
    assert cli("index", sample_dir, "--index", index_dir).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from barcamp_search.indexer import store\n"
            f"with store.writer_lock(Path({str(index_dir)!r}), 5):\n"
            "    print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = cli("index", sample_dir, "--index", index_dir, "--lock-timeout", "2")
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert result.returncode == 75
    assert "being updated by another barcamp-search index run; gave up after 2 s" in result.stderr
    assert 2 <= waited < 15
    # the holder was killed with SIGKILL: no stale lock
    assert cli("index", sample_dir, "--index", index_dir, "--lock-timeout", "2").returncode == 0


def test_exit_statuses_and_status_file(tmp_path, sample_dir):
    index_dir = tmp_path / "index"
    assert cli("index", tmp_path / "missing", "--index", index_dir).returncode == 2
    assert cli("index", sample_dir, "--index", index_dir).returncode == 0
    meta = index_dir / "gen-000001" / "barcamp-search.json"
    meta.write_text('{"schema": 0}')
    result = cli("index", sample_dir, "--index", index_dir)
    assert result.returncode == 65 and "Run: barcamp-search index --rebuild" in result.stderr
    status = json.loads((index_dir / "status.json").read_text())
    assert status["result"] == "failed" and "schema 0" in status["error"]
    assert status["last_success"]
    assert cli("index", sample_dir, "--index", index_dir, "--rebuild").returncode == 0
    (sample_dir / "bad.rst").write_text("Titre\n#####\n\n:date: 2019-02-30\n\nTexte.\n")
    before = totals(index_dir)
    result = cli("index", sample_dir, "--index", index_dir, "--strict")
    assert result.returncode == 1 and "with --strict: nothing was committed" in result.stderr
    assert totals(index_dir) == before
    stats = cli("stats", "--index", index_dir).stdout
    assert "last run:" in stats and "failed" in stats


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return result.returncode == 0


def test_disk_full_exits_74_and_keeps_the_old_index(tmp_path, sample_dir):
    mount = tmp_path / "small"
    if not _mount_tmpfs(mount, "1500k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        index_dir = mount / "index"
        assert cli("index", sample_dir, "--index", index_dir).returncode == 0
        before = totals(index_dir)
        write_posts(sample_dir / "flood", 400, word="inondation")
        result = cli("index", sample_dir, "--index", index_dir)
        assert result.returncode == 74, result.stderr
        assert "could not be written" in result.stderr and "Traceback" not in result.stderr
        assert totals(index_dir) == before
        shutil.rmtree(sample_dir / "flood")
        result = cli("index", sample_dir, "--index", index_dir, "--json")
        assert result.returncode == 0, result.stderr
        assert totals(index_dir) == before
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_read_only_index_folder_exits_74(tmp_path, sample_dir):
    mount = tmp_path / "ro"
    if not _mount_tmpfs(mount, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        index_dir = mount / "index"
        assert cli("index", sample_dir, "--index", index_dir).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        (sample_dir / "new.rst").write_text("Nouveau\n#######\n\nTexte.\n")
        result = cli("index", sample_dir, "--index", index_dir)
        assert result.returncode == 74, result.stderr
        assert "Traceback" not in result.stderr
        assert totals(index_dir)[0] == 11  # still answers, read-only
    finally:
        subprocess.run(["umount", str(mount)], check=False)
