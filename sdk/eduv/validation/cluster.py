"""Validating on a Dask cluster: the tasks of ``--jobs``, run by the cluster's workers.

The client plans the tasks as it does for local processes and sends only those: paths or
URLs, byte ranges of NDJSON files and the options. Every worker reads its input itself,
from a file system it shares with the client or through fsspec (``s3://``, ``gs://``,
``https://``, ...), and sends back a partial report. :func:`eduv.validation.parallel.run`
merges them in input order, so the report is the one ``--jobs`` gives.

Dask and fsspec are imported here only, and only when a cluster is asked for: the
``eduv[dask]`` extra brings them.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from eduv.findings import InputError
from eduv.validation import parallel
from eduv.validation._i18n import label
from eduv.validation.dispatch import Options
from eduv.validation.inputs import FOLDER_SUFFIXES, STDIN, Progress
from eduv.validation.parallel import Partial, Task
from eduv.validation.report import Report
from eduv.version import __version__

__all__ = ["CONNECT_TIMEOUT", "ClusterError", "plan", "run"]

# Seconds to reach the scheduler and to wait for a first worker.
CONNECT_TIMEOUT = 10.0
# Tasks in flight per worker thread, four times what --jobs keeps: a result crosses the
# network and the scheduler before the next task goes out, and a large school at the
# head of the input order must not leave the other workers idle. Over 400 one-message
# files on two workers, 2, 4, 8 and 16 a thread took 5.0, 3.6, 2.9 and 3.0 ms a task.
# Memory stays bounded: a partial report holds at most max_items messages.
WINDOW_PER_SLOT = 8
INSTALL_HINT = "install eduv[dask] (pip install 'eduv[dask]')"
# Paths the client's and the workers' file systems share; anything else is a URL.
_LOCAL_PROTOCOLS = ("file", "local")
_DATASET_HEADER = "dataset.json"


class ClusterError(RuntimeError):
    """The cluster cannot do the work: dask missing, no scheduler, no workers, a failed task."""


def run(
    paths: Sequence[str],
    options: Options,
    address: str,
    *,
    progress: Progress | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> Report:
    """Validate ``paths`` on the Dask cluster whose scheduler listens at ``address``.

    Relative paths are read from this process's working directory, which the workers
    must reach under the same name. Raises :class:`ClusterError` when the cluster cannot
    do the work; unreadable inputs are input errors in the report, as without a cluster.
    """
    if STDIN in paths:
        raise ClusterError(
            "standard input cannot go to a Dask cluster, whose workers read their input "
            "themselves: give files, folders or URLs"
        )
    with _connected(address, timeout) as client:
        slots = sum(client.nthreads().values())
        executor = _OnWorkers(client, os.getcwd())
        try:
            return parallel.run(
                paths,
                options,
                jobs=slots,
                progress=progress,
                executor=executor,
                planner=plan,
                window=slots * WINDOW_PER_SLOT,
            )
        except ClusterError:
            raise
        except Exception as exc:
            # A task that raised, a worker that died too often, a scheduler that went away:
            # the report would be incomplete, so there is none.
            raise ClusterError(
                f"validating on the Dask cluster at {address} failed: {_reason(exc)}"
            ) from exc


def _distributed() -> Any:
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise ClusterError(f"--dask needs Dask's distributed scheduler: {INSTALL_HINT}") from exc


def _fsspec() -> Any:
    try:
        return importlib.import_module("fsspec")
    except ImportError as exc:
        raise ClusterError(f"URLs need fsspec: {INSTALL_HINT}") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@contextmanager
def _connected(address: str, timeout: float) -> Iterator[Any]:
    distributed = _distributed()
    try:
        # Checked first: a Client refusing its address leaves a half-built object behind,
        # whose clean-up prints a traceback when the process ends.
        distributed.comm.get_address_host_port(address)
    except ValueError as exc:
        raise ClusterError(f"{address!r} is no Dask scheduler address: {exc}") from exc
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {_reason(exc)}") from exc
    try:
        _check_workers(client, address, timeout)
        yield client
    finally:
        client.close()


def _check_workers(client: Any, address: str, timeout: float) -> None:
    """At least one worker, and every worker runs this version of eduv."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"the Dask scheduler at {address} has no workers (waited {timeout:g} s)"
        ) from exc
    try:
        versions: dict[str, str] = client.run(_eduv_version)
    except Exception as exc:
        raise ClusterError(
            f"the workers of the Dask cluster at {address} cannot run eduv "
            f"({_reason(exc)}): {INSTALL_HINT} on every worker"
        ) from exc
    # Reports from two versions would not be one report: rules and texts differ.
    other = sorted((worker, found) for worker, found in versions.items() if found != __version__)
    if other:
        worker, found = other[0]
        raise ClusterError(
            f"worker {worker} runs eduv {found} and this is eduv {__version__}: "
            "install the same version everywhere"
        )


def _eduv_version() -> str:
    return __version__


class _OnWorkers(Executor):
    """Runs each validation task on the cluster, reading relative paths from ``base``."""

    def __init__(self, client: Any, base: str) -> None:
        # pure=False: the same file named twice is validated twice, as it is locally.
        self._inner: Executor = client.get_executor(pure=False)
        self._base = base

    def submit(  # type: ignore[override]
        self, fn: Callable[[Task, Options], Partial], /, *args: Any, **kwargs: Any
    ) -> Future[Partial]:
        task, options = args
        return self._inner.submit(_on_worker, fn, self._base, task, options)


def _on_worker(
    fn: Callable[[Task, Options], Partial], base: str, task: Task, options: Options
) -> Partial:
    """On a worker: run ``fn`` on a path it can read, naming the input as the client did."""
    with _readable(task.source, base) as local:
        partial = fn(replace(task, source=local), options)
    _rename(partial, local, task.source)
    return partial


@contextmanager
def _readable(source: str, base: str) -> Iterator[str]:
    """A local path for ``source``: on a shared file system, or fetched into a temporary
    folder for as long as the task runs (only URLs that are no local files are fetched)."""
    protocol, _, rest = source.partition("://")
    if not rest:
        yield os.path.join(base, source)
        return
    if protocol in _LOCAL_PROTOCOLS:
        yield _local_path(source)
        return
    folder = tempfile.mkdtemp(prefix="eduv-")
    try:
        local = os.path.join(folder, os.path.basename(source.rstrip("/")) or "input")
        try:
            fs, root = _fsspec().core.url_to_fs(source)
            fs.get(root, local, recursive=True)
        except (OSError, ValueError, ImportError):
            pass  # validating the missing copy says it cannot be read, as for a local file
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _local_path(url: str) -> str:
    path: str = _fsspec().core.url_to_fs(url)[1]
    return path


def _rename(partial: Partial, local: str, shown: str) -> None:
    """Name the input, and the files inside it, as the client named them."""
    if local == shown:
        return

    def name(source: str) -> str:
        if source == local or source.startswith((local + os.sep, local + "/")):
            return shown + source[len(local) :]
        return source

    report = partial.report
    for item in report.items:
        if item.source is not None:
            item.source = name(item.source)
    report.input_errors = [replace(e, source=name(e.source)) for e in report.input_errors]
    for summary in report.sources:
        summary.source = name(summary.source)
    for school in partial.summaries:
        school.source = name(school.source)


def plan(paths: Sequence[str], jobs: int, report: Report) -> list[Task]:
    """Tasks as :func:`eduv.validation.parallel.plan` makes them, URLs included."""
    tasks: list[Task] = []
    for source in paths:
        if "://" in source:
            tasks.extend(_url_tasks(source, report))
        else:
            tasks.extend(parallel.plan([source], jobs, report))
    return tasks


def _url_tasks(source: str, report: Report) -> list[Task]:
    """A file or dataset folder at a URL is one task; a folder, one per file in it.

    Files at URLs are not cut into byte ranges: a worker fetches each one whole.
    """
    protocol = source.partition("://")[0]
    try:
        fs, root = _fsspec().core.url_to_fs(source)
        if fs.isdir(root):
            if fs.isfile(f"{root.rstrip('/')}/{_DATASET_HEADER}"):
                return [Task("path", source)]
            files = sorted(p for p in fs.find(root) if p.lower().endswith(FOLDER_SUFFIXES))
            if not files:
                _refuse(report, source, label(report.lang, "empty_folder"))
            return [Task("path", _url(protocol, p)) for p in files]
        if fs.isfile(root):
            return [Task("path", source)]
    except (OSError, ValueError, ImportError) as exc:
        reason = label(report.lang, "unreadable", reason=_reason(exc))
        _refuse(report, source, reason)
        return []
    _refuse(report, source, label(report.lang, "missing"))
    return []


def _url(protocol: str, path: str) -> str:
    # Local file systems list absolute paths, object stores bucket/key.
    return f"{protocol}://{path}"


def _refuse(report: Report, source: str, reason: str) -> None:
    report.add_input_error(InputError(source, reason), report.source(source))
