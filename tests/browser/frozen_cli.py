"""`appraisal` with the suite's frozen clock, for the browser tests' own server.

The server runs in a process of its own, which the `clock` fixture cannot
reach; this starts the same CLI with the clock moved to the same moment, so
the demo months, the month closed and the pages are the same on any date.
"""

from __future__ import annotations

import sys

import time_machine

from tests.conftest import FROZEN_AT

if __name__ == "__main__":
    with time_machine.travel(FROZEN_AT, tick=True):
        from appraisal.cli import main

        sys.exit(main(sys.argv[1:]))
