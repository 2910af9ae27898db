"""Per-workbook steps for tests that run in worker processes (importable by name there)."""
from __future__ import annotations

import os
import time
from pathlib import Path


def hang_noting_pid(job):
    """Note this worker's process id, then hang (until the test kills the run)."""
    (Path(os.environ["DOCGEN_TEST_PIDS"]) / str(os.getpid())).touch()
    time.sleep(120)
