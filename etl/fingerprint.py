"""What shapes one file's read-and-validated result, besides its bytes and name: the code, the part of
the campaign configuration the validators use, the holiday schedule, the vocabulary, the import
profiles and the complainant salt. A build's per-file cache (etl/file_cache.py) keys entries by it."""
from __future__ import annotations

import hashlib
import hmac
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from etl.collected import RECORD_TABLES, arrow_schema
from etl.config import Campaign
from etl.read import vocabulary
from etl.read.profiles import ImportProfile

ETL_DIR = Path(__file__).resolve().parent
# Code whose change can change what a file yields: hashed whole (every .py below these folders).
CODE_FOLDERS = ("read", "normalize", "validate")
CODE_FILES = ("build.py", "read_one.py", "build_result.py", "collected.py", "config.py", "file_cache.py",
              "fingerprint.py")
# Not schema.sql itself: a new derived table there changes no file's result; the columns of the tables
# the cache holds do (their Arrow types are hashed, see code_fingerprint).
CACHED_TABLES = ("submissions", "load_errors", *RECORD_TABLES)
LIBRARIES = ("python-calamine", "chinese-calendar", "pyarrow")

# The campaign settings read while reading and validating a file (etl/read, etl/normalize, etl/validate,
# etl/read_one.py, etl/build.py). Trap: a validator that starts using another setting must add it here, or changing that
# setting would not re-read the files; tests/test_incremental_fingerprint.py checks the code against it.
CAMPAIGN_FIELDS = ("id", "short_name", "start_date", "end_date", "units", "categories", "lead_working_days",
                   "relapse_manifestation", "survey.dimensions", "survey.scale")


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


@cache
def code_fingerprint() -> str:
    """The ETL code as loaded by this process (hashed once: a running server keeps the code it loaded)
    and the versions of the libraries that read cells and count working days."""
    files = [p for folder in CODE_FOLDERS for p in sorted((ETL_DIR / folder).rglob("*.py"))]
    files += [ETL_DIR / name for name in CODE_FILES]
    parts: list[object] = [sys.version_info[:3]]
    for path in files:
        parts += [str(path.relative_to(ETL_DIR)), path.read_bytes() if path.is_file() else b""]
    parts += [(table, str(arrow_schema(table))) for table in CACHED_TABLES]
    for lib in LIBRARIES:
        try:
            parts.append((lib, metadata.version(lib)))
        except metadata.PackageNotFoundError:
            parts.append((lib, None))
    return _digest(*parts)


def _setting(campaign: Campaign, dotted: str) -> object:
    value: object = campaign
    for name in dotted.split("."):
        value = getattr(value, name)
    return value


def campaign_fingerprint(campaign: Campaign) -> str:
    """The settings in CAMPAIGN_FIELDS, plus the unit index the unit normalizer actually uses in this
    process (it is cached per campaign file; a stale index must not be stored under a new key)."""
    from etl.normalize.units import _lookup

    lookup = _lookup(campaign)
    return _digest(*[(name, _setting(campaign, name)) for name in CAMPAIGN_FIELDS],
                   sorted((k, sorted(v)) for k, v in lookup.exact.items()),
                   sorted((k, sorted(v)) for k, v in lookup.core.items()), sorted(lookup.names.items()))


def schedule_fingerprint() -> str:
    """The office's holiday schedule as this process uses it (data/calendar.toml and every campaign's
    [calendar], merged once per process)."""
    from etl.normalize.workdays import office_schedule

    return _digest(sorted((year, sorted(s.holidays), sorted(s.workdays)) for year, s in office_schedule().items()))


def vocabulary_fingerprint() -> str:
    path = vocabulary.VOCABULARY_FILE
    return _digest(path.read_bytes() if path.is_file() else b"")


def profiles_fingerprint(profiles: list[ImportProfile]) -> str:
    """Every profile in order (the first whose header fingerprint matches a sheet wins); not the file path."""
    return _digest([(p.name, p.kind, p.fingerprint, sorted(p.columns.items()), p.header_rows, p.header_row)
                    for p in profiles])


def salt_identity(salt: str) -> str:
    """Tells salts apart without revealing one (a keyed hash: no dictionary of salts can be run against it)."""
    return hmac.new(salt.encode(), b"etl-file-cache salt identity", hashlib.sha256).hexdigest()


def result_fingerprint(campaign: Campaign, profiles: list[ImportProfile], salt: str) -> str:
    """Everything besides a file's bytes and name that shapes its read-and-validated result."""
    return _digest(code_fingerprint(), campaign_fingerprint(campaign), schedule_fingerprint(),
                   vocabulary_fingerprint(), profiles_fingerprint(profiles), salt_identity(salt))


def entry_key(file_sha: str, file_name: str, fingerprint: str) -> str:
    """The cache key of one file: its content, its name (submissions, messages and the reporting unit
    read from the name depend on it) and the fingerprint."""
    return _digest(file_sha, file_name, fingerprint)

