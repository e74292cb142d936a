"""A small HTTP load generator: a few processes, each with a few threads, each sending GETs back to back.

Plain ``http.client`` (the lightest client the standard library has: the client must not be what limits
the figures). Each thread goes round the list of paths, so every server sees the same requests in the
same order. Returns the latencies after a warm-up, the errors, the client's own CPU time and the
machine's CPU use (``/proc/stat``) over the measured window, so a report can say whether the client or
the machine was the limit.
"""

from __future__ import annotations

import http.client
import multiprocessing
import resource
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    machine_busy: float = 0.0  # share of all CPUs busy during the window (0..1)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def _cpu_ticks() -> tuple[int, int]:
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _thread(port: int, paths: list[str], offset: int, start: float, stop: float, out: dict[str, Any]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    index = offset
    while True:
        now = time.perf_counter()
        if now >= stop:
            break
        path = paths[index % len(paths)]
        index += 1
        try:
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException):
            connection.close()
            status = 0
        ended = time.perf_counter()
        if now >= start:
            out["statuses"][status] = out["statuses"].get(status, 0) + 1
            if status == 200:
                out["latencies"].append(ended - now)
            else:
                out["errors"] += 1
    connection.close()


def _process(port: int, paths: list[str], threads: int, offset: int, start: float, stop: float, queue: Any) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    outs = [{"latencies": [], "errors": 0, "statuses": {}} for _ in range(threads)]
    workers = [
        threading.Thread(target=_thread, args=(port, paths, offset + i * 7, start, stop, outs[i]))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    statuses: dict[int, int] = {}
    for out in outs:
        for status, count in out["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    queue.put(
        {
            "latencies": [x for out in outs for x in out["latencies"]],
            "errors": sum(out["errors"] for out in outs),
            "statuses": statuses,
            "cpu": cpu,
        }
    )


def run_load(port: int, paths: list[str], seconds: float, warmup: float, processes: int, threads: int) -> LoadResult:
    """Send GETs for ``paths`` to 127.0.0.1:``port`` with processes × threads clients for ``seconds`` (after
    ``warmup`` seconds not counted)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    # perf_counter is CLOCK_MONOTONIC on Linux: the same clock in every process.
    start = time.perf_counter() + 0.2 + warmup
    stop = start + seconds
    children = [
        context.Process(target=_process, args=(port, paths, threads, i * threads * 7, start, stop, queue))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    time.sleep(max(0.0, start - time.perf_counter()))
    busy_before, total_before = _cpu_ticks()
    time.sleep(max(0.0, stop - time.perf_counter()))
    busy_after, total_after = _cpu_ticks()
    parts = [queue.get(timeout=seconds + warmup + 60) for _ in children]
    for child in children:
        child.join()
    result = LoadResult(seconds=seconds)
    for part in parts:
        result.latencies += part["latencies"]
        result.errors += part["errors"]
        result.client_cpu_seconds += part["cpu"]
        for status, count in part["statuses"].items():
            result.statuses[status] = result.statuses.get(status, 0) + count
    result.machine_busy = (busy_after - busy_before) / max(1, total_after - total_before)
    return result
