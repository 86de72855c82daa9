"""What shapes one file's read-and-validated result, besides its bytes and name: the code, the part of
the campaign configuration the validators use, the holiday schedule, the vocabulary, the import
profiles and the complainant salt.

A build's per-file cache (etl/file_cache.py) keys entries by the part every file depends on (base_fingerprint);
the rest is checked per entry against the settings its pack was made under (CacheSettings): settings only one
kind's validator reads (KIND_SETTINGS) against the kinds of the entry's sheets, import profiles against the
texts of the rows find_header scanned in the file."""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
from dataclasses import asdict, dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from etl.collected import RECORD_TABLES, arrow_schema
from etl.config import Campaign
from etl.read import vocabulary
from etl.read.profiles import ImportProfile, applied_by_fingerprint, texts_bitmap

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
# etl/read_one.py, etl/build.py): CAMPAIGN_FIELDS shape every file's result, KIND_SETTINGS only the sheets of
# one kind (read by that kind's validator alone; SCHEDULE: the office's holiday schedule). Trap: code that
# starts using another setting must add it here, or changing that setting would not re-read the files;
# tests/test_incremental_fingerprint.py checks the code against both.
CAMPAIGN_FIELDS = ("id", "short_name", "start_date", "end_date", "units", "categories", "survey.dimensions",
                   "survey.scale")
SCHEDULE = "holiday schedule"
KIND_SETTINGS = {"ledger": ("relapse_manifestation",), "leads": ("lead_working_days", SCHEDULE)}


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


def kind_settings(campaign: Campaign) -> dict[str, str]:
    """Per kind in KIND_SETTINGS: the digest of the settings its validator reads."""
    return {kind: _digest(*[schedule_fingerprint() if name == SCHEDULE else (name, _setting(campaign, name))
                            for name in names]) for kind, names in KIND_SETTINGS.items()}


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


def _profile_parts(p: ImportProfile) -> tuple:
    return p.name, p.kind, p.fingerprint, sorted(p.columns.items()), p.header_rows, p.header_row


def profiles_fingerprint(profiles: list[ImportProfile]) -> str:
    """Every profile in order (of two with one header fingerprint the last wins); not the file path."""
    return _digest([_profile_parts(p) for p in profiles])


def salt_identity(salt: str) -> str:
    """Tells salts apart without revealing one (a keyed hash: no dictionary of salts can be run against it)."""
    return hmac.new(salt.encode(), b"etl-file-cache salt identity", hashlib.sha256).hexdigest()


def base_fingerprint(campaign: Campaign, salt: str) -> str:
    """What shapes every file's result: the code, CAMPAIGN_FIELDS, the vocabulary and the salt (a cache entry's key)."""
    return _digest(code_fingerprint(), campaign_fingerprint(campaign), vocabulary_fingerprint(), salt_identity(salt))


def result_fingerprint(campaign: Campaign, profiles: list[ImportProfile], salt: str,
                       kinds: dict[str, str] | None = None) -> str:
    """Everything besides a file's bytes and name that shapes its read-and-validated result.
    kinds: the digests of the kinds' own settings (kind_settings) to take instead of this process's."""
    return _digest(base_fingerprint(campaign, salt), sorted((kind_settings(campaign) if kinds is None else kinds).items()),
                   profiles_fingerprint(profiles))


@dataclass(frozen=True)
class CacheSettings:
    """What a pack's entries were made under besides their key: per campaign, the digest of each kind's
    settings; the import profiles, in order."""
    kinds: dict[str, dict[str, str]]  # campaign id → kind → digest (kind_settings)
    profiles: tuple[ImportProfile, ...] = ()

    @classmethod
    def of(cls, campaigns: list[Campaign], profiles: list[ImportProfile]) -> CacheSettings:
        return cls({c.id: kind_settings(c) for c in campaigns}, tuple(profiles))

    def changed_kinds(self, now: CacheSettings) -> set[tuple[str, str]]:
        """(campaign id, kind) whose settings differ (a campaign one of them lacks: all its kinds)."""
        return {(cid, kind) for cid in self.kinds.keys() | now.kinds.keys() for kind in KIND_SETTINGS
                if self.kinds.get(cid, {}).get(kind) != now.kinds.get(cid, {}).get(kind)}

    def changed_profiles(self, now: CacheSettings) -> list[bytes | None]:
        """Per header fingerprint whose applied profile is not the same (added, removed, edited, another one
        now wins): its header texts as a bitmap (profiles.texts_bitmap), None when they are unknown. Only files
        whose scanned rows hold all of them can read differently (see etl/read/header.py find_header)."""
        before, after = applied_by_fingerprint(list(self.profiles)), applied_by_fingerprint(list(now.profiles))
        out = []
        for fp in sorted(before.keys() | after.keys()):
            old, new = before.get(fp), after.get(fp)
            if old is None or new is None or _profile_parts(old) != _profile_parts(new):
                texts = next((p.header_texts for p in (old, new) if p is not None and p.header_texts is not None), None)
                out.append(texts_bitmap(texts) if texts is not None else None)
        return out

    def to_json(self) -> str:
        return json.dumps({"kinds": self.kinds, "profiles": [_profile_record(p) for p in self.profiles]},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CacheSettings:
        """ValueError (KeyError, TypeError) when text is not what to_json wrote."""
        data = json.loads(text)
        profiles = tuple(ImportProfile(**{**r, "header_texts": tuple(r["header_texts"])
                                          if r["header_texts"] is not None else None}) for r in data["profiles"])
        return cls({str(cid): {str(k): str(d) for k, d in kinds.items()} for cid, kinds in data["kinds"].items()},
                   profiles)


def _profile_record(p: ImportProfile) -> dict:
    record = asdict(p)
    record.pop("path")
    record["header_texts"] = list(p.header_texts) if p.header_texts is not None else None
    return record


def entry_key(file_sha: str, file_name: str, fingerprint: str) -> str:
    """The cache key of one file: its content, its name (submissions, messages and the reporting unit
    read from the name depend on it) and the fingerprint."""
    return _digest(file_sha, file_name, fingerprint)

