"""Reading and validating files in worker processes, one per core (a cold build's long part).

Files go out in chunks and come back in the order given, so the merged result is the serial one.
Workers are separate interpreters running this module (`python -m etl.read_pool`), talking over their
stdin/stdout: never forked (the data page's rebuild runs inside a threaded server) and never re-running
the caller's main script (multiprocessing's spawn would). A worker first checks that it would read files
exactly as this process does (the same etl/fingerprint.py fingerprint: code, campaign settings, holiday
schedule, vocabulary, import profiles, salt); if not, or if a worker dies, PoolFailed is raised and the
caller reads the remaining files itself.
"""
from __future__ import annotations

import dataclasses
import math
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from etl.build_result import FileResult
from etl.collected import Collected, joined_tables
from etl.config import PROJECT_ROOT, Campaign
from etl.fingerprint import result_fingerprint
from etl.normalize import workdays
from etl.read.profiles import ImportProfile
from etl.read_one import read_one

PARALLEL_MIN_FILES = 200  # fewer files are read faster here than the workers take to start
# ... unless two of them are this large: two lead registers of 40,000+ rows take seconds each, the workers ~1 s to
# start (an in-place update after a change of the lead time limit re-reads every register: 45 s in one process).
PARALLEL_BIG_BYTES = 8 << 20


def worth_processes(paths: list[Path]) -> bool:
    """Whether these files are read sooner in worker processes than here."""
    return len(paths) >= PARALLEL_MIN_FILES or sum(_file_bytes(p) >= PARALLEL_BIG_BYTES for p in paths) >= 2


SAMPLE_SECONDS = 0.15  # how long the cores are watched to tell how busy they are now


def default_workers() -> int:
    """One per core, when the cores are idle now. Trap: on a machine already busy extra processes get no extra
    CPU and only add their start-up, pickling and memory: measured on a shared 2-core machine, a cold build took
    36 s in two workers against 26 s here. Trap: not the 1-minute load average: for a minute after a cold build it
    still counts that build's own two processes, and the in-place update that followed (every lead register read
    again) ran in one process, 64 s instead of 32 s."""
    cores = os.cpu_count() or 1
    return workers_for(cores, busy_cores(cores))


def workers_for(cores: int, busy: float) -> int:
    """One process per core while more than half a core is free (busy: cores in use), else 1 (read here)."""
    return cores if busy < cores - 0.5 else 1


def busy_cores(cores: int) -> float:
    """The cores in use now: the busy share of the CPU time over SAMPLE_SECONDS (/proc/stat, Linux); elsewhere
    the 1-minute load average."""
    try:
        before = _cpu_times()
        time.sleep(SAMPLE_SECONDS)
        after = _cpu_times()
    except (OSError, ValueError):
        try:
            return os.getloadavg()[0]
        except OSError:
            return 0.0
    return busy_between(before, after, cores)


def _cpu_times(stat: Path = Path("/proc/stat")) -> tuple[int, int]:
    """(all, idle) CPU time of every core since boot, in clock ticks (stat's first line; idle includes waiting
    for the disk, busy includes what the hypervisor took: steal)."""
    with stat.open("rb") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return user + nice + system + idle + iowait + irq + softirq + steal, idle + iowait


def busy_between(before: tuple[int, int], after: tuple[int, int], cores: int) -> float:
    """Cores in use between two _cpu_times readings."""
    total, idle = after[0] - before[0], after[1] - before[1]
    return cores * (total - idle) / total if total > 0 else 0.0


CHUNKS_PER_WORKER = 8  # enough chunks to even out large and small files
MAX_CHUNK_FILES = 64
# A file this large (a register of 100,000s of leads, a year's questionnaires: 5–20 s each) is a chunk of its own.
# In name order the big registers came last, in one chunk: one worker read them all (60 s nationally) while the
# other had nothing left to do. Now one worker at a time takes the big files, largest first, while the others
# go through the small files in order (so the progress bar moves from the start); the last to finish takes the rest.
BIG_FILE_BYTES = 1 << 20
_LENGTH = 8


class PoolFailed(RuntimeError):
    """The workers could not deliver every result (the caller reads the remaining files itself)."""


def _send(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_LENGTH, "little") + data)
    stream.flush()


def _receive(stream: BinaryIO) -> object:
    """One message from our own worker or parent (a pipe between processes of this build, not a file)."""
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        raise EOFError("the other side has ended")
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("message cut short")
    return pickle.loads(data)  # noqa: S301 — written by the process at the other end of our own pipe


def chunk_size(files: int, workers: int) -> int:
    return max(1, min(MAX_CHUNK_FILES, math.ceil(files / (workers * CHUNKS_PER_WORKER))))


def plan_chunks(sizes: list[int], workers: int) -> tuple[list[list[int]], list[int]]:
    """(chunks of job indices in job order, the chunks holding one big file each, largest first): each big
    file alone, small files in runs of chunk_size."""
    size = chunk_size(sum(1 for s in sizes if s < BIG_FILE_BYTES), workers)
    chunks: list[list[int]] = []
    run: list[int] = []
    for i, file_bytes in enumerate(sizes):
        if file_bytes >= BIG_FILE_BYTES:
            if run:
                chunks.append(run)
                run = []
            chunks.append([i])
            continue
        run.append(i)
        if len(run) == size:
            chunks.append(run)
            run = []
    if run:
        chunks.append(run)
    big = sorted((c for c in range(len(chunks)) if sizes[chunks[c][0]] >= BIG_FILE_BYTES),
                 key=lambda c: -sizes[chunks[c][0]])
    return chunks, big


class _Turns:
    """Which chunk a free worker takes next: a big one if no more than workers − 1 others are on big ones
    (with 2 workers: one on the big files, one on the small), else the next small one in order; when one
    kind runs out, the other."""

    def __init__(self, chunks: int, big: list[int], workers: int):
        self.big = list(big)
        self.small = sorted(set(range(chunks)) - set(big))
        self.limit = max(1, workers - 1)
        self.on_big = 0

    def take(self) -> tuple[int, bool] | None:
        """(chunk, is big) or None when all are taken; the caller calls done(is big) when it is read."""
        if self.big and (self.on_big < self.limit or not self.small):
            self.on_big += 1
            return self.big.pop(0), True
        if self.small:
            return self.small.pop(0), False
        return None

    def done(self, big: bool) -> None:
        self.on_big -= big


def _file_bytes(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # gone since it was listed: the worker reports it


class _Worker:
    def __init__(self):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                                          os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "etl.read_pool"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env)

    def setup(self, setup: tuple) -> None:
        _send(self.proc.stdin, setup)

    def run(self, chunk: list) -> list[FileResult]:
        _send(self.proc.stdin, chunk)
        ok, out = _receive(self.proc.stdout)
        if not ok:
            raise PoolFailed(out)
        return split_rows(*out)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


# Trap: a pickled Arrow table carries its schema and buffers' set-up, 8 KB and 0.6 ms to pickle + 0.4 ms to unpickle
# for a ledger's dozen rows: 24,000 ledgers cost 25 s of CPU that way. A chunk's rows travel as one table per
# database table, cut back into each file's rows here (slices share the buffers: no copy).
def joined_rows(results: list[FileResult]) -> tuple[list[FileResult], dict[str, tuple[pa.Table, list[int]]]]:
    """(the results without their rows, table → (every file's rows one after the other, rows per file or -1
    for a file without that table)); rows are taken from FileResult.rows or, unconverted, .collected."""
    def part(r: FileResult, name: str) -> Collected | None:
        if name in r.collected:
            return r.collected[name]
        return Collected(name, [r.rows[name]], rows_added=r.rows[name].num_rows) if name in r.rows else None

    names = sorted({name for r in results for name in (*r.rows, *r.collected)})
    joined = {name: joined_tables([part(r, name) for r in results], name) for name in names}
    return [dataclasses.replace(r, rows={}, collected={}) for r in results], joined


def split_rows(results: list[FileResult], joined: dict[str, tuple[pa.Table, list[int]]]) -> list[FileResult]:
    for name, (table, counts) in joined.items():
        start = 0
        for result, count in zip(results, counts, strict=True):
            if count >= 0:
                result.rows[name] = table.slice(start, count)
                start += count
    return results


def start_workers(count: int) -> list[_Worker]:
    """count worker processes started now, for read_in_processes: their interpreters start while the caller
    is still hashing its files (a cold national build: the first results came 0.8 s after the hashing). The
    caller stops those it does not hand on (stop_workers); fewer or none when no process can be started."""
    started: list[_Worker] = []
    try:
        for _ in range(count):
            started.append(_Worker())
    except OSError:
        pass  # read_in_processes starts the rest, or fails over to reading here
    return started


def stop_workers(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.stop()


def read_in_processes(jobs: list[tuple[Campaign, Path, str]], profiles: list[ImportProfile], salt: str,
                      workers: int, started: list[_Worker] | None = None) -> Iterator[FileResult]:
    """Each (campaign, path, content sha256)'s result, in order; PoolFailed when the workers fail.
    started: processes from start_workers to use first (those not needed are stopped)."""
    started = list(started or [])
    campaigns: list[Campaign] = []
    for campaign, _, _ in jobs:
        if all(c is not campaign for c in campaigns):
            campaigns.append(campaign)
    index = {id(c): i for i, c in enumerate(campaigns)}
    # the workers count working days from the holiday schedule files this process does
    setup = (campaigns, [result_fingerprint(c, profiles, salt) for c in campaigns], profiles, salt, workdays.schedule_files())
    planned, big = plan_chunks([_file_bytes(p) for _, p, _ in jobs], workers)
    chunks = [[(index[id(jobs[j][0])], str(jobs[j][1]), jobs[j][2]) for j in chunk] for chunk in planned]
    done: dict[int, list[FileResult]] = {}
    failures: list[BaseException] = []
    turns = _Turns(len(chunks), big, min(workers, len(chunks)))
    turn = threading.Condition()

    def feed(worker: _Worker) -> None:
        try:
            worker.setup(setup)
            while True:
                with turn:
                    taken = turns.take()
                if taken is None:
                    return
                i, big_one = taken
                out = worker.run(chunks[i])
                with turn:
                    turns.done(big_one)
                    done[i] = out
                    turn.notify_all()
        except Exception as exc:  # noqa: BLE001 — reported to the reader below
            with turn:
                failures.append(exc)
                turn.notify_all()

    pool: list[_Worker] = []
    threads: list[threading.Thread] = []
    try:
        for _ in range(min(workers, len(chunks))):
            pool.append(started.pop(0) if started else _Worker())
            threads.append(threading.Thread(target=feed, args=(pool[-1],), daemon=True))
            threads[-1].start()
        for i in range(len(chunks)):
            with turn:
                turn.wait_for(lambda i=i: i in done or failures)
                if i not in done:
                    raise PoolFailed(repr(failures[0]))
                out = done.pop(i)
            yield from out
    except OSError as exc:  # no processes to be had: the caller reads serially
        raise PoolFailed(repr(exc)) from exc
    finally:
        stop_workers(pool + started)
        for thread in threads:
            thread.join()


def _serve(inp: BinaryIO, out: BinaryIO) -> None:
    """The worker: check the setup, then read chunk after chunk until the parent closes the pipe."""
    campaigns, fingerprints, profiles, salt, schedule_files = _receive(inp)
    workdays.use_schedule_files(**schedule_files)
    mismatch = [c.id for c, expected in zip(campaigns, fingerprints, strict=True)
                if result_fingerprint(c, profiles, salt) != expected]
    while True:
        try:
            chunk = _receive(inp)
        except EOFError:
            return
        if mismatch:
            _send(out, (False, f"this worker would read {', '.join(mismatch)} differently"))
            continue
        memo: dict = {}  # per chunk: it also keeps one entry per row read (etl/validate/row_identity.py)
        try:
            results = [read_one(campaigns[c], Path(path), sha, salt, profiles, memo, convert=False)
                       for c, path, sha in chunk]
        except Exception as exc:  # noqa: BLE001 — the parent reads the files itself and shows the error
            _send(out, (False, repr(exc)))
            continue
        _send(out, (True, joined_rows(results)))


if __name__ == "__main__":
    pa.array([0])  # pyarrow imports pandas at its first conversion (0.25 s): now, while the parent hashes its files
    # The pipe to the parent gets its own descriptor; anything else printed goes to stderr.
    to_parent = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, to_parent)
