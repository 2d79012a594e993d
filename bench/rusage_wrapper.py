"""Run a command and write its wall time, exit status and peak RSS as JSON.

Usage: python bench/rusage_wrapper.py REPORT.json -- COMMAND...

``resource.getrusage(RUSAGE_CHILDREN)`` here covers the command and every
descendant it waited for (the parse workers of ``barcamp-search index``), so
``maxrss_kb`` is the resident peak of the largest process of the tree. The
wrapper is a process of its own because the harness's RUSAGE_CHILDREN also
counts every earlier child. Standard output and error pass through.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    report, command = sys.argv[1], sys.argv[3:]
    started = time.perf_counter()
    returncode = subprocess.call(command)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(report, "w") as handle:
        json.dump(
            {
                "returncode": returncode,
                "wall": wall,
                "maxrss_kb": usage.ru_maxrss,
                "user": usage.ru_utime,
                "system": usage.ru_stime,
            },
            handle,
        )
    return returncode


if __name__ == "__main__":
    sys.exit(main())
