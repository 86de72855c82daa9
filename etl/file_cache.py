"""The build's per-file cache: each input file's read-and-validated result (etl.build_result.FileResult),
stored under a key made of the file's content hash, its name and the fingerprint of everything else that
shapes the result (etl/fingerprint.py), so that a build re-reads only new or changed files.

One entry is one file <key>.arrows in a folder beside the database (data/db/cache/<database>/, or
$DASHBOARD_BUILD_CACHE): a magic line, an HMAC-SHA256 keyed by the complainant salt over the key and the
payload, then the payload — the day it was made and Arrow IPC streams for the submissions, the load
errors and each table's rows. Written to a temp file and renamed. A result that reported a 填报时间
later than the day it was made is used on that day only (see still_valid). An entry that is unreadable,
too large, not a regular file, or whose HMAC does not match (corrupt, truncated, written by someone
without the salt, or copied to another key) is ignored: the file is read again. Nothing in a cache
file is ever unpickled or executed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import os
import stat
import uuid
from datetime import date
from functools import cache
from pathlib import Path

import pyarrow as pa

from etl.build_result import FileResult
from etl.collected import RECORD_TABLES, arrow_schema
from etl.validate.context import LoadError, Submission

CACHE_ENV = "DASHBOARD_BUILD_CACHE"
MAGIC = b"dashboard-etl-file-cache 1\n"
SUFFIX = ".arrows"
MAX_ENTRY_BYTES = 1 << 30  # a larger file in the folder is not ours: not even read

_LENGTH = 8
_DAY = 4
# Uncompressed: a ledger's entry is ~14 KB either way, and decoding is 4× faster without lz4.
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression=None)


def cache_dir(db_path: Path) -> Path:
    """$DASHBOARD_BUILD_CACHE, else data/db/cache/<database name>/ beside the database."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(db_path).parent / "cache" / Path(db_path).stem


@cache
def _schema_of(cls: type, table: str) -> pa.Schema:
    """The dataclass's fields with the types of the database table (KeyError if the table lacks one)."""
    columns = arrow_schema(table)
    return pa.schema([(f.name, columns.field(f.name).type) for f in dataclasses.fields(cls)])


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_WRITE_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _sections(part: FileResult) -> list[pa.Table]:
    subs = pa.Table.from_pylist([dataclasses.asdict(s) for s in part.submissions],
                                schema=_schema_of(Submission, "submissions"))
    errors = pa.Table.from_pylist([dataclasses.asdict(e) for e in part.errors],
                                  schema=_schema_of(LoadError, "load_errors"))
    rows = [part.rows.get(t, arrow_schema(t).empty_table()) for t in RECORD_TABLES]
    return [subs, errors, *rows]


def _expected_schemas() -> list[pa.Schema]:
    return [_schema_of(Submission, "submissions"), _schema_of(LoadError, "load_errors"),
            *(arrow_schema(t) for t in RECORD_TABLES)]


def encode(part: FileResult, made_on: date) -> bytes:
    out = bytearray(made_on.toordinal().to_bytes(_DAY, "little"))
    for table in _sections(part):
        data = _ipc(table) if table.num_rows else b""  # most files fill one table or two: the rest cost nothing
        out += len(data).to_bytes(_LENGTH, "little") + data
    return bytes(out)


def decode(payload: memoryview) -> tuple[FileResult, date]:
    """(the result, the day it was made); raises on anything that is not exactly what encode() writes."""
    made_on = date.fromordinal(int.from_bytes(payload[:_DAY], "little"))
    tables, offset = [], _DAY
    for schema in _expected_schemas():
        size = int.from_bytes(payload[offset:offset + _LENGTH], "little")
        offset += _LENGTH
        if offset + size > len(payload):
            raise ValueError("truncated")
        if size == 0:
            tables.append(schema.empty_table())
            continue
        table = pa.ipc.open_stream(pa.py_buffer(payload[offset:offset + size])).read_all()
        offset += size
        if not table.schema.equals(schema, check_metadata=False):
            raise ValueError("schema")
        tables.append(table)
    if offset != len(payload):
        raise ValueError("trailing bytes")
    subs, errors, *rows = tables
    return FileResult([Submission(**r) for r in subs.to_pylist()], [LoadError(**r) for r in errors.to_pylist()],
                      {t: r for t, r in zip(RECORD_TABLES, rows, strict=True) if r.num_rows}), made_on


def still_valid(part: FileResult, made_on: date, today: date) -> bool:
    """A 填报时间 later than the day of reading is reported as such (etl.validate.submission, with that day
    in the message): such an entry holds only on the day it was made. Any other is the same on any day."""
    if made_on == today:
        return True
    return all(s.as_of_date is None or s.as_of_date <= min(made_on, today) for s in part.submissions)


class FileCache:
    """get/put entries by key; used() keys are kept by prune(), every other entry is removed."""

    def __init__(self, folder: Path, salt: str, today: date | None = None):
        self.folder = Path(folder)
        self._started = date.today()
        self.today = today or self._started  # the build's day: its files' results are read on it
        self._mac_key = hmac.new(salt.encode(), b"etl-file-cache entries", hashlib.sha256).digest()
        self.used: set[str] = set()
        self.hits = self.writes = self.ignored = 0
        self.write_failed = False

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def _mac(self, key: str, payload: bytes | memoryview) -> bytes:
        h = hmac.new(self._mac_key, key.encode(), hashlib.sha256)
        h.update(payload)
        return h.digest()

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> FileResult | None:
        """The stored result, or None (missing, or ignored: anything wrong with it)."""
        data = self._read_bytes(self._path(key))
        if data is None:
            return None
        try:
            head = len(MAGIC) + hashlib.sha256().digest_size
            view = memoryview(data)
            if not data.startswith(MAGIC) or not hmac.compare_digest(bytes(view[len(MAGIC):head]),
                                                                      self._mac(key, view[head:])):
                raise ValueError("not a valid entry")
            part, made_on = decode(view[head:])
        except Exception:  # noqa: BLE001 — a bad entry only costs a re-read
            self.ignored += 1
            return None
        if not still_valid(part, made_on, self.today):
            return None
        self.hits += 1
        self.used.add(key)
        return part

    def _read_bytes(self, path: Path) -> bytes | None:
        try:
            # no symlinks, no blocking on a FIFO, regular files of bounded size only
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                self.ignored += 1
                return None
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(MAX_ENTRY_BYTES + 1)
            return data if len(data) <= MAX_ENTRY_BYTES else None
        except OSError:
            return None
        finally:
            os.close(fd)

    def put(self, key: str, part: FileResult) -> None:
        """Store one file's result; a folder that cannot be written only means no cache next time."""
        self.used.add(key)
        if self.write_failed or date.today() != self._started:
            return  # (a build that ran past midnight may have read files on either day: not stored)
        path = self._path(key)
        tmp = path.with_name(f".{key}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        try:
            payload = encode(part, self.today)
            self._ensure_folder(path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + self._mac(key, payload) + payload)
            os.replace(tmp, path)
            self.writes += 1
        except Exception:  # noqa: BLE001 — no cache next time, never a failed build
            self.write_failed = True
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def _ensure_folder(self, folder: Path) -> None:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# 重建缓存（可随时删除），不入库\n*\n", encoding="utf-8")

    def prune(self) -> int:
        """Remove every entry (and left-over temp file) the last build did not use; returns how many."""
        removed = 0
        keep = {f"{k}{SUFFIX}" for k in self.used}
        try:
            shards = [d for d in self.folder.iterdir() if d.is_dir() and not d.is_symlink() and len(d.name) == 2]
        except OSError:
            return 0
        for shard in shards:
            try:
                for entry in shard.iterdir():
                    if entry.name not in keep:
                        entry.unlink(missing_ok=True)
                        removed += 1
                if not any(shard.iterdir()):
                    shard.rmdir()
            except OSError:
                continue
        return removed
