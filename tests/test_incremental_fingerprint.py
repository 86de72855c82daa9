"""Issue 13: the fingerprint a cache entry is keyed by changes with exactly what shapes a file's result —
the reading/validating code, the campaign settings the validators use, the holiday schedule, the
vocabulary, the import profiles, the salt — and not with the rest (page thresholds, load/query code)."""
from __future__ import annotations

import ast
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


# The validator of each kind: a module reached from the reading code only through some of them serves only
# those kinds' sheets (read_one validates a sheet with its kind's validator alone).
KIND_VALIDATORS = {"etl.validate.ledger": "ledger", "etl.validate.leads": "leads", "etl.validate.survey": "survey",
                   "etl.validate.survey_scores": "survey_scores",
                   "etl.validate.lead_columns": "leads"}  # (a register's plain rows a column at a time)
DERIVED = {"manifestations", "manifestation", "unit", "source"}  # from categories / units; the file path
NOT_READING = {"etl.fingerprint"}  # hashes every setting to key the cache; shapes no result


def _module_of(path: Path, etl_dir: Path) -> str:
    parts = path.relative_to(etl_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The etl modules this file imports (a package's submodules named in a from-import included)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            out |= {m for m in [base, *(f"{base}.{a.name}" for a in node.names)] if m in known}
    return out - {module}


def _settings_used(text: str) -> set[str]:
    used = set(re.findall(r"campaign\.([a-z_]+(?:\.[a-z_]+)?)", text))
    schedule = re.findall(r"\bworkdays\.([a-z_]+)\(", text) + \
        [n.strip() for names in re.findall(r"from etl\.normalize\.workdays import ([\w, ]+)", text) for n in names.split(",")]
    # (parsing a [calendar] section, naming the files or noticing they changed consults no schedule)
    if set(schedule) - {"parse_schedule", "use_schedule_files", "schedule_files", "reload_if_changed"}:
        used.add(fingerprint.SCHEDULE)
    return used


def undeclared_settings(etl_dir: Path) -> set[tuple[str, str]]:
    """(module, setting) for every setting the reading code uses that is neither in CAMPAIGN_FIELDS nor declared
    in KIND_SETTINGS for every kind whose validator alone reaches that module."""
    paths = [p for d in fingerprint.CODE_FOLDERS for p in sorted((etl_dir / d).rglob("*.py"))] + \
        [etl_dir / f for f in fingerprint.CODE_FILES]
    modules = {_module_of(p, etl_dir): p for p in paths} | {"etl.normalize": etl_dir / "normalize" / "__init__.py"}
    graph = {m: _imports(p, m, set(modules)) for m, p in modules.items() if p.is_file()}
    base = _reached([m for m in graph if m not in KIND_VALIDATORS], graph, stop=set(KIND_VALIDATORS))
    kinds_of = {m: {kind for root, kind in KIND_VALIDATORS.items() if m in _reached([root], graph, set())}
                for m in graph}
    missing = set()
    for module, path in modules.items():
        if module in NOT_READING or module == "etl.normalize.workdays" or not path.is_file():
            continue
        for setting in _settings_used(path.read_text(encoding="utf-8")):
            if setting in fingerprint.CAMPAIGN_FIELDS or setting.split(".")[0] in set(fingerprint.CAMPAIGN_FIELDS) | DERIVED:
                continue
            kinds = set() if module in base and module not in KIND_VALIDATORS else kinds_of[module]
            if not kinds or any(setting not in fingerprint.KIND_SETTINGS.get(kind, ()) for kind in kinds):
                missing.add((module, setting))
    return missing


def _reached(roots: list[str], graph: dict[str, set[str]], stop: set[str]) -> set[str]:
    seen, todo = set(roots), list(roots)
    while todo:
        for m in graph.get(todo.pop(), ()):
            if m not in seen and m not in stop:
                seen.add(m)
                todo.append(m)
    return seen


def test_every_campaign_setting_the_validators_read_is_fingerprinted():
    """A setting the reading code uses shapes every file's result (CAMPAIGN_FIELDS) unless only one kind's
    validator reaches the code using it: then it must be declared for that kind (KIND_SETTINGS), else changing
    it would not re-read the files."""
    assert {s for p in (ETL / "validate").glob("*.py") for s in _settings_used(p.read_text(encoding="utf-8"))} >= \
        {"lead_working_days", "relapse_manifestation", fingerprint.SCHEDULE}, "the patterns find the settings in use"
    assert undeclared_settings(ETL) == set()
    from etl.read_one import TABLE_OF_KIND

    assert set(KIND_VALIDATORS.values()) == set(TABLE_OF_KIND)  # one validator per kind a sheet can be read as
    assert set(fingerprint.KIND_SETTINGS) <= set(TABLE_OF_KIND)


@pytest.mark.parametrize(("module", "line", "found"), [
    ("validate/ledger.py", "x = ctx.campaign.lead_working_days", ("etl.validate.ledger", "lead_working_days")),
    ("validate/ledger.py", "x = workdays.add_working_days(None, 1)", ("etl.validate.ledger", fingerprint.SCHEDULE)),
    ("validate/context.py", "x = ctx.campaign.lead_working_days", ("etl.validate.context", "lead_working_days")),
    ("read/header.py", "x = campaign.relapse_manifestation", ("etl.read.header", "relapse_manifestation")),
    ("read_one.py", "x = campaign.new_setting", ("etl.read_one", "new_setting")),
])
def test_a_setting_used_where_it_is_not_declared_is_found(tmp_path, module, line, found):
    copy = tmp_path / "etl"
    shutil.copytree(ETL, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / module).open("a", encoding="utf-8") as f:
        f.write(f"\n\ndef _added(ctx, campaign):\n    {line}\n")
    assert undeclared_settings(copy) == {found}


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
    saved = workdays.schedule_files()
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


def test_the_key_leaves_out_the_settings_checked_per_entry(campaign):
    """An entry's key (base_fingerprint) follows what every file depends on; a kind's own settings and the
    profiles are checked per entry (CacheSettings), yet still in result_fingerprint (workers, database basis)."""
    base, full = fingerprint.base_fingerprint(campaign, SALT), fingerprint.result_fingerprint(campaign, [], SALT)
    longer = dataclasses.replace(campaign, lead_working_days=campaign.lead_working_days + 5)
    assert fingerprint.base_fingerprint(longer, SALT) == base
    assert fingerprint.result_fingerprint(longer, [], SALT) != full
    assert fingerprint.kind_settings(longer)["leads"] != fingerprint.kind_settings(campaign)["leads"]
    assert fingerprint.kind_settings(longer)["ledger"] == fingerprint.kind_settings(campaign)["ledger"]
    fewer = dataclasses.replace(campaign, units=campaign.units[1:])
    assert fingerprint.base_fingerprint(fewer, SALT) != base


def test_cache_settings_round_trip_and_name_the_changed_profiles(campaign):
    from etl.read.profiles import texts_bitmap

    a = ImportProfile("甲", "ledger", "f1", {"序号": "serial_no"}, header_texts=("序号", "措施"))
    b = ImportProfile("乙", "ledger", "f1", {"序号": "serial_no"})  # same header, texts unknown
    c = ImportProfile("丙", "leads", "f2", {"编号": "lead_id"}, header_texts=("编号",))
    settings = fingerprint.CacheSettings.of([campaign], [a, b, c])
    again = fingerprint.CacheSettings.from_json(settings.to_json())
    assert again == settings and [p.header_texts for p in again.profiles] == [("序号", "措施"), None, ("编号",)]
    assert settings.changed_profiles(settings) == [] and settings.changed_kinds(settings) == set()
    # b wins f1 (the last); swapping a and b makes a win: f1 changed, known by a's texts; c untouched
    swapped = fingerprint.CacheSettings.of([campaign], [b, a, c])
    assert settings.changed_profiles(swapped) == [texts_bitmap(["序号", "措施"])]
    # a profile of unknown texts added: None (every entry)
    assert fingerprint.CacheSettings.of([campaign], [c]).changed_profiles(
        fingerprint.CacheSettings.of([campaign], [b, c])) == [None]
    longer = dataclasses.replace(campaign, lead_working_days=campaign.lead_working_days + 5)
    assert settings.changed_kinds(fingerprint.CacheSettings.of([longer], [a, b, c])) == {(campaign.id, "leads")}
