"""A Dask cluster of separate processes on this machine, to try ``eduv validate --dask``.

One scheduler and a few single-threaded workers, on the loopback interface only and
without dashboards, each in a process of its own as on real machines: the tests and the
benchmark of ``--dask`` use it. The workers run in a folder of their own, so that a
relative path only resolves against the client's working directory. Needs
``eduv[dask]``::

    with LocalCluster(folder, workers=2) as cluster:
        subprocess.run(["eduv", "validate", "data", "--dask", cluster.address])
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["LocalCluster"]

START_TIMEOUT = 60.0  # seconds; two cores shared with other work start slowly


class LocalCluster:
    """A scheduler and ``workers`` worker processes of ``threads`` threads each."""

    def __init__(
        self, folder: str | Path, *, workers: int = 2, threads: int = 1, nanny: bool = False
    ) -> None:
        self.folder = Path(folder)
        self.workers = workers
        self.threads = threads
        # Without a nanny a worker is one process instead of two: quicker to start, but
        # one that dies stays dead.
        self.nanny = nanny
        self.address = ""
        self._processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    @property
    def pids(self) -> list[int]:
        """The scheduler's process id, then the workers'."""
        return [process.pid for process in self._processes]

    def __enter__(self) -> LocalCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        place = self.folder / "scheduler.json"
        place.unlink(missing_ok=True)
        self._spawn(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
            ["--scheduler-file", str(place)],
        )
        self.address = self._wait_for_address(place)
        for index in range(self.workers):
            self._spawn(
                f"worker-{index}",
                ["worker", self.address, "--host", "127.0.0.1", "--no-dashboard"],
                [
                    "--nworkers",
                    "1",
                    "--nthreads",
                    str(self.threads),
                    "--nanny" if self.nanny else "--no-nanny",
                    "--local-directory",
                    str(self.folder / f"worker-{index}"),
                    # A worker whose scheduler is gone ends by itself.
                    "--death-timeout",
                    "30",
                ],
            )
        self._wait_for_workers()

    def _spawn(self, name: str, command: list[str], extra: list[str]) -> None:
        home = self.folder / name
        home.mkdir(exist_ok=True)
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "dask", *command, *extra],
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._processes.append(process)

    def _wait_for_address(self, place: Path) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                address: str = json.loads(place.read_text())["address"]
                return address
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        raise TimeoutError(f"the scheduler did not start in {START_TIMEOUT:g} s")

    def _wait_for_workers(self) -> None:
        distributed = importlib.import_module("distributed")
        with distributed.Client(self.address, timeout=START_TIMEOUT) as client:
            client.wait_for_workers(self.workers, timeout=START_TIMEOUT)

    def _check_alive(self) -> None:
        for process in self._processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"a cluster process ended with exit code {process.returncode}; "
                    f"see the logs in {self.folder}"
                )

    def stop(self) -> None:
        """End the workers, then the scheduler (the processes this object started)."""
        for process in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self._processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
