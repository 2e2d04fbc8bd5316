"""`python -m migrate.precise.child`: one parse job from stdin, its result on stdout
(the time-limited child where os.fork is missing)."""

from __future__ import annotations

import json
import sys

from migrate.precise.extract import _safe_run


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(_safe_run(job)))


if __name__ == "__main__":
    main()
