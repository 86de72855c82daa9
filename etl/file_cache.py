"""The build's per-file cache: each input file's read-and-validated result (etl.build_result.FileResult),
stored under a key made of the file's content hash, its name and the fingerprint of what shapes every file's
result (etl/fingerprint.py base_fingerprint), so that a build re-reads only new or changed files.

The other settings (a kind's own settings, import profiles) are checked per entry: a pack records the
settings its entries hold under (CacheSettings, section settings) and per entry the bitmap of the texts
find_header scanned in the file (entries.header_texts). An entry holds under the build's settings unless one
of its sheets is of a kind whose settings changed, or a profile that was added, removed, edited or reordered
has header texts its bitmap holds all of (or unknown ones). Every entry a build keeps thus holds under its
settings, which its new pack records.

All entries live in one pack, read in bulk (24,000 small entry files cost 20 s to open and decode one by
one): a folder pack-<id>/ beside the database (data/db/cache/<database>/, or $DASHBOARD_BUILD_CACHE)
holding one Arrow IPC file per section — entries (number, key, day made), submissions, load_errors and
each record table, every row tagged with its entry number — and a seal: per section its size and SHA-256,
under an HMAC keyed by the complainant salt. The file CURRENT names the pack in use. A build writes a new
pack (its fresh files as they are read, then the entries it took from the old pack), seals it and
switches CURRENT once the new database is in place; other packs and litter are then removed.

A pack whose seal or index sections (entries, submissions, file_stats: read with the seal) are unreadable,
too large, not regular files, or do not match the seal (corrupt, truncated, written by someone without the
salt, a section swapped) is ignored as a whole: every file is read again. The sections of rows are read
when first needed and checked against the seal then: a full build that finds one damaged reads every file
again (CacheDamaged); the next pack leaves out the entries it could not copy. Nothing in a cache file is
ever unpickled or executed. A result that reported a 填报时间 later than the day it was made is used on
that day only (see still_valid).

The pack also records each input file's size, times, inode and content hash (section file_stats), so that
the next build hashes only files whose stat changed (FileCache.file_sha), as git's index does.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import stat
import time
import uuid
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.build_result import FileResult
from etl.collected import CHUNK_ROWS, RECORD_TABLES, arrow_schema, records_table
from etl.fingerprint import CACHED_TABLES, CacheSettings
from etl.read.profiles import TEXT_BYTES
from etl.validate.context import LoadError, Submission

CACHE_ENV = "DASHBOARD_BUILD_CACHE"
MAGIC = b"dashboard-etl-file-cache 4\n"
CURRENT = "CURRENT"
PACK_PREFIX = "pack-"
MAX_SECTION_BYTES = 16 << 30  # a larger file in the folder is not ours: not even read
ENTRY = "cache_entry"  # the column tagging every row with its entry number
ENTRY_SECTIONS = ("entries", *CACHED_TABLES)  # every row tagged with its entry number
STATS = "file_stats"
SETTINGS = "settings"
PUT_BATCH = 256  # results stored in the pack being written at a time
SECTIONS = (*ENTRY_SECTIONS, STATS, SETTINGS)
INDEX_SECTIONS = ("entries", "submissions", STATS, SETTINGS)  # read with the seal; the others when first needed
# Trap (racy stat, as in git): a file changed again within the same clock tick as the stat taken before
# hashing it keeps its stat. Only files last changed this long before they were hashed are recorded.
RACY_NS = 2_000_000_000
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression=None)  # decoding is 4× faster without lz4


def cache_dir(db_path: Path) -> Path:
    """$DASHBOARD_BUILD_CACHE, else data/db/cache/<database name>/ beside the database."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(db_path).parent / "cache" / Path(db_path).stem


@cache
def section_schema(section: str) -> pa.Schema:
    if section == "entries":
        return pa.schema([(ENTRY, pa.int32()), ("key", pa.string()), ("made_on", pa.date32()),
                          ("header_texts", pa.binary(TEXT_BYTES))])
    if section == SETTINGS:
        return pa.schema([("settings", pa.string())])
    if section == STATS:
        return pa.schema([("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                          ("ctime_ns", pa.int64()), ("inode", pa.int64()), ("device", pa.int64()),
                          ("sha256", pa.string())])
    return arrow_schema(section).append(pa.field(ENTRY, pa.int32()))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _signature(info: os.stat_result) -> tuple[int, int, int, int, int]:
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev


def batch_sections(parts: list[FileResult]) -> dict[str, tuple[pa.Table, list[int]]]:
    """Several files' results as section tables (without the entry column), one file after the other, with each
    file's number of rows in each: submissions and load_errors always, a record table when a file has its rows."""
    out = {"submissions": (records_table([s for p in parts for s in p.submissions], "submissions"),
                           [len(p.submissions) for p in parts]),
           "load_errors": (records_table([e for p in parts for e in p.errors], "load_errors"),
                           [len(p.errors) for p in parts])}
    for name in RECORD_TABLES:
        tables = [p.rows[name] for p in parts if name in p.rows]
        if tables:
            out[name] = (pa.concat_tables(tables), [p.rows[name].num_rows if name in p.rows else 0 for p in parts])
    return out


def sections_part(sections: dict[str, pa.Table]) -> FileResult:
    """The inverse of batch_sections for one file (extra columns such as the entry number are dropped)."""
    def plain(name: str) -> pa.Table:
        table = sections.get(name)
        return table.drop_columns([ENTRY]) if table is not None and ENTRY in table.column_names else table

    subs, errors = plain("submissions"), plain("load_errors")
    return FileResult([Submission(**r) for r in subs.to_pylist()] if subs is not None else [],
                      [LoadError(**r) for r in errors.to_pylist()] if errors is not None else [],
                      {t: plain(t) for t in RECORD_TABLES if sections.get(t) is not None and sections[t].num_rows})


def still_valid(submissions_as_of: list[date | None], made_on: date, today: date) -> bool:
    """A 填报时间 later than the day of reading is reported as such (etl.validate.submission, with that day
    in the message): such an entry holds only on the day it was made. Any other is the same on any day."""
    if made_on == today:
        return True
    return all(d is None or d <= min(made_on, today) for d in submissions_as_of)


class _HashingFile:
    """A write-only file that keeps the SHA-256 and size of what went through it (for the seal)."""

    def __init__(self, path: Path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        self._f = os.fdopen(fd, "wb")
        self.sha = hashlib.sha256()
        self.size = 0
        self.closed = False

    def write(self, data) -> int:
        view = memoryview(data)
        self.sha.update(view)
        self.size += view.nbytes
        return self._f.write(view)

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        if not self.closed:
            self._f.close()
            self.closed = True


class _Section:
    """One section file being written: rows gathered into batches of CHUNK_ROWS."""

    def __init__(self, folder: Path, name: str):
        self.file = _HashingFile(folder / f"{name}.arrow")
        self.schema = section_schema(name)
        # buffered on the Arrow side: the writer's many small writes reach Python (and the hash) in 1 MB pieces
        self.sink = pa.BufferedOutputStream(pa.PythonFile(self.file, mode="w"), buffer_size=1 << 20)
        self.writer = pa.ipc.new_file(self.sink, self.schema, options=_WRITE_OPTIONS)
        self.pending: list[pa.Table] = []
        self.pending_rows = 0

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table.select(self.schema.names))
            self.pending_rows += table.num_rows
            if self.pending_rows >= CHUNK_ROWS:
                self.flush()

    def flush(self) -> None:
        if self.pending:
            table = pa.concat_tables(self.pending)
            # batches of CHUNK_ROWS rows: a batch per file (24,000 tiny chunks) made every later step 10× slower;
            # rows taken from the old pack are batched already (a few runs cut out of them at most): not copied again
            if table.column(0).num_chunks > 4 * (table.num_rows // CHUNK_ROWS + 1):
                table = table.combine_chunks()
            self.writer.write_table(table, max_chunksize=CHUNK_ROWS)
            self.pending, self.pending_rows = [], 0

    def close(self) -> tuple[int, bytes]:
        self.flush()
        self.writer.close()
        self.sink.close()  # flushes, then closes the file
        return self.file.size, self.file.sha.digest()


class CacheDamaged(RuntimeError):
    """A section of the pack in use, read when first needed, did not match the seal."""


class FileCache:
    """has/take/put entries by key; commit() writes the new pack with every entry this build used.
    settings: what this build reads files under besides the key (use_settings; at first none of them)."""

    def __init__(self, folder: Path, salt: str, today: date | None = None):
        self.folder = Path(folder)
        self.settings = CacheSettings({})
        self._started = date.today()
        self.today = today or self._started  # the build's day: its files' results are read on it
        self._mac_key = hmac.new(salt.encode(), b"etl-file-cache pack", hashlib.sha256).digest()
        self._old: dict[str, pa.Table] | None = None  # the pack in use: its sections read so far
        self._pack: Path | None = None
        self._listed: dict[str, tuple[int, bytes]] = {}  # per section: size and SHA-256, from the seal
        self._old_keys: dict[str, int] = {}  # entries that hold today
        self._held: dict[str, int] | None = None  # of those, the ones that hold under self.settings
        self._old_settings: CacheSettings | None = None
        self._taken: dict[str, pa.Table] = {}  # the old entries this build used, per section
        self._kept = np.array([], dtype=np.int32)  # old entries to carry into the next pack, not yet taken
        self._new: dict[str, _Section] | None = None
        self._new_dir: Path | None = None
        self._next_entry = 0
        self._puts: list[tuple[str, FileResult]] = []  # results put, not yet stored
        self._old_stats: dict[str, tuple[tuple, str]] = {}  # path → (stat signature, sha256), last build's
        self._stats: dict[str, tuple[tuple, str]] = {}  # this build's, for the next pack
        self.write_failed = False

    # ---------------------------------------------------------------- reading the pack in use
    def _seal_text(self, sizes: dict[str, tuple[int, bytes]]) -> bytes:
        listing = "".join(f"{name} {size} {digest.hex()}\n" for name, (size, digest) in sizes.items()).encode()
        return MAGIC + listing + hmac.new(self._mac_key, listing, hashlib.sha256).hexdigest().encode() + b"\n"

    def _current_pack(self) -> Path | None:
        data = _read_regular(self.folder / CURRENT, 200)
        name = data.decode("ascii", "replace").strip() if data else ""
        if not (name.startswith(PACK_PREFIX) and name[len(PACK_PREFIX):].isalnum()):
            return None
        return self.folder / name

    def _load(self) -> None:
        """The pack's seal and its index sections (entries, submissions, file_stats); the large sections are
        read when first needed (an in-place update of the database needs none of them before its swap)."""
        if self._old is not None:
            return
        self._old = {}
        pack = self._current_pack()
        listing = self._listing(pack) if pack is not None else None
        if listing is None:
            return
        self._pack, self._listed = pack, listing
        try:
            tables = {name: self._section(name) for name in INDEX_SECTIONS}
        except ValueError:
            self._old = {}
            return
        entries = tables["entries"]
        made = dict(zip(entries.column(ENTRY).to_pylist(), entries.column("made_on").to_pylist(), strict=True))
        as_of: dict[int, list] = {}
        for entry, day in zip(tables["submissions"].column(ENTRY).to_pylist(),
                              tables["submissions"].column("as_of_date").to_pylist(), strict=True):
            as_of.setdefault(entry, []).append(day)
        self._old_keys = {key: entry for entry, key in zip(entries.column(ENTRY).to_pylist(),
                                                           entries.column("key").to_pylist(), strict=True)
                          if still_valid(as_of.get(entry, []), made[entry], self.today)}
        self._old_settings = _settings_of(tables[SETTINGS])
        self._next_entry = max(made, default=-1) + 1
        stats = tables[STATS]
        self._old_stats = {path: (tuple(sig), sha) for path, *sig, sha in zip(
            *(stats.column(name).to_pylist() for name in section_schema(STATS).names), strict=True)}

    def _listing(self, pack: Path) -> dict[str, tuple[int, bytes]] | None:
        """Per section its size and SHA-256 as the seal lists them, once the seal's HMAC holds; else None."""
        seal = _read_regular(pack / "seal", 1 << 16)
        if seal is None or not seal.startswith(MAGIC):
            return None
        listing, _, mac = seal[len(MAGIC):].rstrip(b"\n").rpartition(b"\n")
        listing += b"\n"
        if not hmac.compare_digest(mac, hmac.new(self._mac_key, listing, hashlib.sha256).hexdigest().encode()):
            return None
        try:
            sizes = {name: (int(size), bytes.fromhex(digest)) for name, size, digest in
                     (line.decode("ascii").split(" ") for line in listing.splitlines())}
        except ValueError:
            return None
        return sizes if list(sizes) == list(SECTIONS) else None

    def _section(self, name: str) -> pa.Table:
        """One section of the pack in use, its bytes checked against the seal before any is parsed as Arrow;
        ValueError when they do not match (the whole pack is then ignored)."""
        if name not in self._old:
            data = _read_regular(self._pack / f"{name}.arrow", MAX_SECTION_BYTES)
            if data is None or (len(data), hashlib.sha256(data).digest()) != self._listed[name]:
                raise ValueError(name)
            try:
                table = pa.ipc.open_file(pa.py_buffer(data)).read_all()
            except pa.ArrowException as exc:
                raise ValueError(name) from exc
            if not table.schema.equals(section_schema(name), check_metadata=False):
                raise ValueError(name)
            self._old[name] = table
        return self._old[name]

    def file_sha(self, path: Path) -> str:
        """The SHA-256 of the file's content: the last build's when the file's size, modification and change
        times, inode and device are those it had then; else read and hashed (and recorded unless racy)."""
        self._load()
        where = os.path.abspath(path)
        info = os.stat(path)
        known = self._old_stats.get(where)
        if known is not None and known[0] == _signature(info):
            self._stats[where] = known
            return known[1]
        hashed_at = time.time_ns()
        sha = sha256_of(path)
        if max(info.st_mtime_ns, info.st_ctime_ns) < hashed_at - RACY_NS:
            self._stats[where] = (_signature(info), sha)
        return sha

    def use_settings(self, settings: CacheSettings) -> None:
        """What this build reads files under besides the key: has/take/keep answer for these."""
        self.settings, self._held = settings, None

    def stored_keys(self) -> set[str]:
        """The keys of the pack in use that hold today (under whatever settings)."""
        self._load()
        return set(self._old_keys)

    def pack_settings(self) -> CacheSettings | None:
        """The settings the entries of the pack in use hold under (None: no pack)."""
        self._load()
        return self._old_settings

    def has(self, key: str) -> bool:
        """Whether the pack holds the key's result as this build's settings give it."""
        return key in self._held_keys()

    def _held_keys(self) -> dict[str, int]:
        self._load()
        if self._held is None:
            gone = self._affected_entries()
            self._held = {key: entry for key, entry in self._old_keys.items() if entry not in gone}
        return self._held

    def _affected_entries(self) -> set[int]:
        """The entries whose result may differ under self.settings from the pack's (see the module's docstring)."""
        if not self._old_keys:
            return set()
        if self._old_settings is None:
            return set(self._old_keys.values())
        kinds = self._old_settings.changed_kinds(self.settings)
        subs = self._old["submissions"]
        gone = {entry for cid, kind, entry in zip(subs.column("campaign_id").to_pylist(), subs.column("kind").to_pylist(),
                                                  subs.column(ENTRY).to_pylist(), strict=True)
                if (cid, kind) in kinds} if kinds else set()
        masks = self._old_settings.changed_profiles(self.settings)
        if None in masks:
            return set(self._old_keys.values())
        if masks:
            entries = self._old["entries"]
            held = _bitmaps(entries.column("header_texts"))
            numbers = entries.column(ENTRY).to_numpy()
            for mask in masks:
                want = np.frombuffer(mask, dtype=np.uint64)
                gone |= set(numbers[((held & want) == want).all(axis=1)].tolist())
        return gone

    def take(self, keys: list[str]) -> FileResult:
        """The stored results of these keys (each has() = True), together: every file's submissions, errors
        and rows. They go into the next pack as they are. CacheDamaged when a section read now does not
        match the seal (the caller reads those files again)."""
        self.keep(keys)
        self._take_kept()
        return sections_part({n: t for n, t in self._taken.items() if n != "entries"})

    def keep(self, keys: list[str]) -> None:
        """These entries (each has() = True) go into the next pack as they are, without being read now
        (their rows are already in the database, see etl/db_increment.py)."""
        held = self._held_keys()
        self._kept = np.array([held[k] for k in keys], dtype=np.int32)

    def _take_kept(self) -> None:
        if not len(self._kept):
            return
        try:
            for name in ENTRY_SECTIONS:
                self._taken[name] = _rows_of(self._section(name), self._kept)
        except ValueError as exc:
            self._taken = {}
            raise CacheDamaged(str(exc)) from exc
        self._kept = np.array([], dtype=np.int32)

    # ---------------------------------------------------------------- writing the next pack
    def put(self, key: str, part: FileResult) -> None:
        """Store one file's result in the pack being written; a folder that cannot be written only means
        no cache next time. Results are gathered and stored PUT_BATCH at a time (see _store_puts)."""
        if self.write_failed or date.today() != self._started:
            return  # (a build that ran past midnight may have read files on either day: not stored)
        self._puts.append((key, part))
        if len(self._puts) >= PUT_BATCH:
            self._store_puts()

    def _store_puts(self) -> None:
        """The gathered results as one table per section. Trap: one small table per file and section cost
        0.75 ms a file in the build's own process (18 s for 24,000 ledgers)."""
        puts, self._puts = self._puts, []
        if not puts or self.write_failed:
            return
        try:
            self._load()
            if self._new is None:
                self._open_new()
            entries = np.arange(self._next_entry, self._next_entry + len(puts), dtype=np.int32)
            self._next_entry += len(puts)
            self._new["entries"].add(pa.table({
                ENTRY: pa.array(entries), "key": [key for key, _ in puts],
                "made_on": pa.array([self.today] * len(puts), pa.date32()),
                "header_texts": pa.array([part.header_texts for _, part in puts], pa.binary(TEXT_BYTES))}))
            for name, (table, counts) in batch_sections([part for _, part in puts]).items():
                self._new[name].add(table.append_column(ENTRY, pa.array(np.repeat(entries, counts))))
        except Exception:  # noqa: BLE001 — no cache next time, never a failed build
            self._abandon()

    def _open_new(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# 重建缓存（可随时删除），不入库\n*\n", encoding="utf-8")
        self._new_dir = self.folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._new_dir.mkdir(mode=0o700)
        self._new = {name: _Section(self._new_dir, name) for name in SECTIONS}

    def _abandon(self) -> None:
        self.write_failed = True
        for section in (self._new or {}).values():
            with contextlib.suppress(Exception):
                section.file.close()
        self._new = None
        if self._new_dir is not None:
            shutil.rmtree(self._new_dir, ignore_errors=True)

    def commit(self) -> None:
        """After the new database is in place: the new pack gets the old entries this build used, is sealed
        and becomes CURRENT; every other pack and left-over temp folder is removed."""
        self._store_puts()
        if self.write_failed:
            return
        if self._new is None and not self._taken and not len(self._kept) and self._current_pack() is None:
            self.prune()
            return
        try:
            try:
                self._take_kept()
            except CacheDamaged:  # those entries are left out: the next build reads their files again
                self._kept = np.array([], dtype=np.int32)
            if self._new is None:
                self._open_new()
            for name, table in self._taken.items():
                self._new[name].add(table)
            self._new[STATS].add(self._stats_table())
            self._new[SETTINGS].add(pa.table({"settings": [self.settings.to_json()]}))
            sizes = {name: section.close() for name, section in self._new.items()}
            (self._new_dir / "seal").write_bytes(self._seal_text(sizes))
            pack = self.folder / f"{PACK_PREFIX}{uuid.uuid4().hex[:16]}"
            os.rename(self._new_dir, pack)
            pointer = self.folder / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
            pointer.write_text(pack.name + "\n", encoding="ascii")
            os.replace(pointer, self.folder / CURRENT)
            self._new = None
        except Exception:  # noqa: BLE001
            self._abandon()
            return
        self.prune()

    def _stats_table(self) -> pa.Table:
        schema = section_schema(STATS)
        return pa.Table.from_pylist([dict(zip(schema.names, (path, *sig, sha), strict=True))
                                     for path, (sig, sha) in sorted(self._stats.items())], schema=schema)

    def prune(self) -> int:
        """Remove every pack but CURRENT's, temp folders of builds no longer running, and stray files;
        returns how many were removed."""
        current = self._current_pack()
        removed = 0
        try:
            children = list(self.folder.iterdir())
        except OSError:
            return 0
        for child in children:
            if child.name in (CURRENT, ".gitignore") or (current is not None and child == current):
                continue
            if child.name.startswith(".tmp-") and _pid_alive(child.name.split("-")[1]):
                continue  # another build's pack being written
            with contextlib.suppress(OSError):
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
                removed += 1
        return removed


def _settings_of(table: pa.Table) -> CacheSettings | None:
    try:
        (text,) = table.column("settings").to_pylist()
        return CacheSettings.from_json(text)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _bitmaps(column: pa.ChunkedArray) -> np.ndarray:
    """A fixed-size binary column of TEXT_BYTES as one row of 64-bit words per entry (no copy)."""
    array = column.combine_chunks()
    data = np.frombuffer(array.buffers()[1], dtype=np.uint8)
    start = array.offset * TEXT_BYTES
    return data[start:start + len(array) * TEXT_BYTES].view(np.uint64).reshape(len(array), TEXT_BYTES // 8)


def _rows_of(table: pa.Table, entries: np.ndarray) -> pa.Table:
    """The rows of these entries, as zero-copy slices: an entry's rows are contiguous, so dropping a few
    entries leaves a few runs (filtering a million rows would copy them all)."""
    if not table.num_rows:
        return table
    mask = np.isin(table.column(ENTRY).to_numpy(), entries)
    if mask.all():
        return table
    edges = np.flatnonzero(np.diff(np.concatenate(([False], mask, [False])).astype(np.int8)))
    runs = [table.slice(start, stop - start) for start, stop in zip(edges[::2], edges[1::2], strict=True)]
    return pa.concat_tables(runs) if runs else table.slice(0, 0)


def _pid_alive(text: str) -> bool:
    if not text.isdigit() or int(text) == os.getpid():
        return False
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file (no symlink, no FIFO, at most limit bytes), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)
