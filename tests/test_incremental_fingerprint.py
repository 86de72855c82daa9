"""Issue 13: the fingerprint a cache entry is keyed by changes with exactly what shapes a file's result —
the reading/validating code, the campaign settings the validators use, the holiday schedule, the
vocabulary, the import profiles, the salt — and not with the rest (page thresholds, load/query code)."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from etl import fingerprint
from etl.config import PROJECT_ROOT, load_campaign
from etl.normalize import workdays
from etl.read import vocabulary
from etl.read.profiles import ImportProfile

ETL = PROJECT_ROOT / "etl"
SALT = "fingerprint-test-salt"


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("fuyang-2023")


def test_every_campaign_setting_the_validators_read_is_fingerprinted():
    """A validator that starts reading another setting must add it to CAMPAIGN_FIELDS (else changing
    that setting would not re-read the files)."""
    code = [p for d in fingerprint.CODE_FOLDERS for p in (ETL / d).rglob("*.py")] + [ETL / f for f in fingerprint.CODE_FILES]
    used = set()
    for path in code:
        used |= set(re.findall(r"campaign\.([a-z_]+(?:\.[a-z_]+)?)", path.read_text(encoding="utf-8")))
    assert used, "the pattern finds the settings in use"
    covered = set(fingerprint.CAMPAIGN_FIELDS)
    derived = {"manifestations", "manifestation", "unit", "source"}  # from categories / units; the file path
    unaccounted = {u for u in used if u not in covered and u.split(".")[0] not in covered | derived}
    assert unaccounted == set()


def test_code_fingerprint_follows_the_reading_code_only(tmp_path, monkeypatch):
    copy = tmp_path / "etl"
    shutil.copytree(ETL, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "ETL_DIR", copy)
    compute = fingerprint.code_fingerprint.__wrapped__
    base = compute()
    (copy / "sql" / "views.sql").write_text("-- 口径 changed at load time\n", encoding="utf-8")
    (copy / "load.py").write_text("# loading the whole\n", encoding="utf-8")
    assert compute() == base  # run on the whole after the cache, never inside a file's result
    with (copy / "validate" / "leads.py").open("a", encoding="utf-8") as f:
        f.write("\n# a changed validator\n")
    changed = compute()
    assert changed != base
    (copy / "read" / "new_reader.py").write_text("X = 1\n", encoding="utf-8")
    assert compute() != changed
    changed = compute()
    with (copy / "read_one.py").open("a", encoding="utf-8") as f:
        f.write("\n# how one file's sheets are validated\n")
    assert compute() != changed


def test_every_etl_module_the_reading_code_imports_is_fingerprinted():
    """A file's result is shaped by the code that reads it and by every etl module that code imports
    (etl.read_one was split out of etl.build: a module left out would keep stale results in the cache)."""
    code = [p for d in fingerprint.CODE_FOLDERS for p in (ETL / d).rglob("*.py")] + \
        [ETL / f for f in fingerprint.CODE_FILES]
    imported = set()
    for path in code:
        imported |= set(re.findall(r"^\s*(?:from|import) etl\.([a-z_]+)", path.read_text(encoding="utf-8"), re.M))
    assert {"read_one", "config", "build_result"} <= imported  # the pattern finds them
    # build-time steps, never inside a result; lagging_config parses [lagging], a setting no reader uses
    kept_out = {"load", "db_increment", "installation_secret", "read_pool", "lagging_config"}
    missing = {m for m in imported - kept_out
               if m not in fingerprint.CODE_FOLDERS and f"{m}.py" not in fingerprint.CODE_FILES}
    assert missing == set()


def test_result_fingerprint_parts(campaign, tmp_path, monkeypatch):
    base = fingerprint.result_fingerprint(campaign, [], SALT)
    assert fingerprint.result_fingerprint(campaign, [], SALT) == base
    assert fingerprint.result_fingerprint(campaign, [], "another salt") != base
    profile = ImportProfile("某县台账", "ledger", "0123456789abcdef", {"序号": "serial_no"})
    assert fingerprint.result_fingerprint(campaign, [profile], SALT) != base
    # a profile's file path is not part of it
    moved = dataclasses.replace(profile, path=tmp_path / "x.toml")
    assert fingerprint.result_fingerprint(campaign, [moved], SALT) == fingerprint.result_fingerprint(
        campaign, [profile], SALT)
    lagging = dataclasses.replace(campaign, lagging=dataclasses.replace(campaign.lagging, red=99))
    assert fingerprint.result_fingerprint(lagging, [], SALT) == base
    later = dataclasses.replace(campaign, end_date=campaign.end_date.replace(year=campaign.end_date.year + 1))
    assert fingerprint.result_fingerprint(later, [], SALT) != base
    words = tmp_path / "vocabulary.toml"
    words.write_bytes(vocabulary.VOCABULARY_FILE.read_bytes() + "\n# 新增同义词\n".encode())
    monkeypatch.setattr(vocabulary, "VOCABULARY_FILE", words)
    assert fingerprint.result_fingerprint(campaign, [], SALT) != base


def test_holiday_schedule_is_part_of_it(campaign, tmp_path):
    base = fingerprint.schedule_fingerprint()
    saved = dict(workdays._files)
    calendar = tmp_path / "calendar.toml"
    calendar.write_text("[2031]\nholidays = [2031-01-01]\nworkdays = []\n", encoding="utf-8")
    try:
        workdays.use_schedule_files(calendar, saved["campaigns_dir"])
        assert fingerprint.schedule_fingerprint() != base
    finally:
        workdays.use_schedule_files(saved["calendar_file"], saved["campaigns_dir"])
    assert fingerprint.schedule_fingerprint() == base


def test_salt_identity_reveals_nothing():
    ident = fingerprint.salt_identity(SALT)
    assert SALT not in ident
    assert ident != fingerprint.salt_identity(SALT + "x")
    import hashlib

    assert ident != hashlib.sha256(SALT.encode()).hexdigest()


def test_the_key_follows_name_content_and_fingerprint():
    key = fingerprint.entry_key("ab" * 32, "临泉县_整改台账_20230522.xlsx", "f" * 64)
    assert fingerprint.entry_key("ab" * 32, "临泉县_整改台账_20230523.xlsx", "f" * 64) != key
    assert fingerprint.entry_key("ac" * 32, "临泉县_整改台账_20230522.xlsx", "f" * 64) != key
    assert fingerprint.entry_key("ab" * 32, "临泉县_整改台账_20230522.xlsx", "e" * 64) != key
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert Path(key).name == key  # a plain file name


def test_a_new_derived_table_keeps_the_fingerprint_a_new_cached_column_does_not(tmp_path, monkeypatch):
    from etl import collected

    compute = fingerprint.code_fingerprint.__wrapped__
    base = compute()
    schema = collected.SCHEMA.read_text(encoding="utf-8")
    derived = schema + "\nCREATE TABLE lead_unit_weeks (campaign_id VARCHAR, unit_id VARCHAR, n BIGINT);\n"
    wider = schema.replace("CREATE TABLE leads (", "CREATE TABLE leads (\n    extra_column VARCHAR,", 1)
    assert wider != schema
    for text, same in ((derived, True), (wider, False)):
        edited = tmp_path / "schema.sql"
        edited.write_text(text, encoding="utf-8")
        monkeypatch.setattr(collected, "SCHEMA", edited)
        collected.arrow_schema.cache_clear()
        collected._columns.cache_clear()  # (schema.sql is read once for every table)
        try:
            assert (compute() == base) is same
        finally:
            monkeypatch.undo()
            collected.arrow_schema.cache_clear()
            collected._columns.cache_clear()
