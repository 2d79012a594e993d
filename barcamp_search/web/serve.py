"""Serving stage: the Flask app of ``app.create_app`` behind gunicorn (or Flask's dev server).

``run_server`` is what ``barcamp-search serve`` runs. Normally it starts
gunicorn in this process (``gunicorn.app.base.BaseApplication``) with N sync
workers, one per core by default. The app is not preloaded: each forked worker
builds its own app and, on its first request, opens its own ``SearchIndex``,
which reopens the index when a reindex job publishes a new generation. Only
``debug=True`` runs Flask's development server, with the debugger and the
reloader: never expose it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from barcamp_search.config import Settings, default_workers
from barcamp_search.indexer.store import live_generation
from barcamp_search.web.app import create_app

logger = logging.getLogger(__name__)


class GunicornServer(BaseApplication):
    """Gunicorn configured from our settings only (no command line, no gunicorn.conf.py)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # control_socket_disable: gunicorn >= 25.1 only
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.settings)


def server_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """The gunicorn settings we use (sync workers, logs on stderr)."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "sync",
        "preload_app": False,  # each worker opens its own index handle
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 2,
        "limit_request_line": 8190,  # facet values of real archives make long URLs
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "barcamp-search",
        # one shared $HOME/.gunicorn/gunicorn.ctl would clash between servers; we don't use it
        "control_socket_disable": True,
    }


def run_server(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    debug: bool = False,
) -> int:
    """Serve the app until stopped (SIGTERM or Ctrl-C); the exit status."""
    host = host or settings.host
    port = settings.port if port is None else port
    workers = workers or settings.web_workers or default_workers()
    if live_generation(settings.index) is None:
        print(
            f"No index in {settings.index}/ yet: the pages say how to build it "
            "(barcamp-search index PATH).",
            file=sys.stderr,
            flush=True,
        )
    if debug:
        print(
            f"Serving {settings.index} on {server_url(host, port)} with Flask's development "
            "server (debug: never expose it)",
            flush=True,
        )
        app = create_app(settings)
        # The reloader re-runs the command line; `python -c` cannot be re-run.
        app.run(host=host, port=port, debug=True, use_reloader=sys.argv[:1] != ["-c"])
        return 0
    print(
        f"Serving {settings.index} on {server_url(host, port)} with {workers} gunicorn "
        f"worker{'s' if workers > 1 else ''}",
        flush=True,
    )
    try:
        GunicornServer(settings, gunicorn_options(host, port, workers)).run()
    except SystemExit as stop:  # the arbiter exits when it halts
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
