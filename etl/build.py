"""Build the dashboard database from the units' files: read → validate → dedupe → load."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl import read_pool
from etl.build_result import BuildResult, FileResult
from etl.config import PROJECT_ROOT, Campaign, load_campaign
from etl.db_increment import Refused, files_in_place, increment_basis, update_in_place
from etl.file_cache import CacheDamaged, FileCache, cache_dir, sha256_of
from etl.fingerprint import CacheSettings, base_fingerprint, entry_key
from etl.installation_secret import installation_secret
from etl.load import BuildRefused, build_lock, existing_records, remove_stale_temp_files, write_database
from etl.normalize import workdays
from etl.read.profiles import ImportProfile, load_profiles
from etl.read_one import read_one
from etl.validate.context import WARNING, LoadError
from etl.validate.dedupe import drop_all_duplicates

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}
SKIPPED_PREFIXES = ("~$", ".")  # Excel lock files, hidden/system files: reported, not read

Progress = Callable[[int, int, str], None]
LOCK_WAIT_SECONDS = 600.0  # a second build waits this long for the running one, then is refused


@dataclass
class CampaignSources:
    campaign: Campaign
    source_dirs: list[Path]


def complainant_salt() -> str:
    """DASHBOARD_SALT, else this installation's secret file (created on first use). The sample build
    uses it too: no fixed secret exists; tests that need fixed keys pass salt= themselves."""
    return installation_secret()


def _input_paths(source_dirs: list[Path]) -> Iterator[Path]:
    for d in source_dirs:
        if d.is_dir():
            yield from (p for p in d.rglob("*") if p.suffix.lower() in INPUT_SUFFIXES and p.is_file())


def input_files(source_dirs: list[Path]) -> list[Path]:
    """Spreadsheet files under the folders, lock and hidden files included (the build reports them)."""
    return sorted(_input_paths(source_dirs), key=lambda p: (p.name, str(p)))


def _skip_reason(path: Path) -> str | None:
    if path.name.startswith("~$"):
        return "是 Excel 打开文件时生成的临时锁定文件（文件名以“~$”开头），未导入"
    if path.name.startswith("."):
        return ("文件名以“.”开头，是隐藏文件或系统生成的文件（如 macOS 的“._”文件），未导入；"
                "如确是报送文件，请去掉开头的“.”后重新上传")
    return None


def _count_loaded(result: BuildResult) -> None:
    loaded: dict[str, int] = {}
    for collected in result.tables():
        for sub_id, n in collected.loaded_per_submission().items():
            loaded[sub_id] = loaded.get(sub_id, 0) + n
    for sub in result.submissions:
        sub.rows_loaded = loaded.get(sub.submission_id, 0)
        sub.rows_rejected = sub.rows_read - sub.rows_loaded


def _screen(campaign: Campaign, path: Path, seen_sha: dict[tuple[str, str], str],
            file_sha_of: Callable[[Path], str] = sha256_of) -> tuple[str | None, LoadError | None]:
    """(content sha256, None) for a file to read; (…, the 警告) for a lock/hidden file or a file whose
    content equals an earlier one's (the first by name is read, as seen_sha records)."""
    reason = _skip_reason(path)
    if reason:
        return None, LoadError(campaign.id, None, path.name, "", None, None, None, reason, WARNING)
    file_sha = file_sha_of(path)
    first = seen_sha.setdefault((campaign.id, file_sha), path.name)
    if first != path.name:
        return file_sha, LoadError(campaign.id, None, path.name, "", None, None, None,
                                   f"与“{first}”内容完全相同，未导入（同样的数据只计一次）", WARNING)
    return file_sha, None


def collect_file(campaign: Campaign, path: Path, result: BuildResult, salt: str, memo: dict,
                 profiles: list[ImportProfile], seen_sha: dict[tuple[str, str], str],
                 overrides: dict[str, ImportProfile] | None = None, sheets: list | None = None) -> None:
    """Read and validate one file into result (its submissions, records and load errors).
    sheets: the file's sheets when the caller has read it already (the upload preview)."""
    result.files += 1
    file_sha, skipped = _screen(campaign, path, seen_sha)
    if skipped:
        result.errors.append(skipped)
        return
    result.add_file(read_one(campaign, path, file_sha, salt, profiles, memo, overrides, sheets))


def finish(result: BuildResult) -> None:
    """Cross-file steps once every file is in: duplicates, then rows loaded per submission."""
    drop_all_duplicates(result.ledger, result.leads, result.survey_scores, result.submissions, result.errors)
    _count_loaded(result)


@dataclass
class _Planned:
    campaign: Campaign
    path: Path
    file_sha: str | None = None
    skipped: LoadError | None = None  # a lock/hidden file or a duplicate: reported, not read
    key: str | None = None  # its cache entry
    cached: bool = False  # its result is taken from the cache


def _plan(jobs: list[tuple[Campaign, Path]], cache: FileCache | None, salt: str) -> list[_Planned]:
    """Every file in build order, screened; the duplicate check is made here, over the whole build
    (never inside the cache), so a cached build skips exactly the files a cold build skips."""
    seen_sha: dict[tuple[str, str], str] = {}
    fingerprints: dict[str, str] = {}
    plan = []
    for campaign, path in jobs:
        file_sha, skipped = _screen(campaign, path, seen_sha, cache.file_sha if cache is not None else sha256_of)
        item = _Planned(campaign, path, file_sha, skipped)
        if cache is not None and skipped is None:
            if campaign.id not in fingerprints:
                fingerprints[campaign.id] = base_fingerprint(campaign, salt)
            item.key = entry_key(file_sha, path.name, fingerprints[campaign.id])
            item.cached = cache.has(item.key)
        plan.append(item)
    return plan


def _worker_count(paths: list[Path], workers: int | None) -> int:
    """Processes to read these files in: 1 (here) unless they are worth processes; then workers, else
    read_pool.default_workers() (asked only then: it watches the cores for a moment)."""
    if workers == 1 or not read_pool.worth_processes(paths):
        return 1
    return workers or read_pool.default_workers()


def _read_files(items: list[_Planned], salt: str, profiles: list[ImportProfile],
                workers: int | None, started: list | None = None) -> Iterator[FileResult]:
    """The files' results in the given order: in worker processes when there are enough files, else here;
    whatever the processes could not deliver is read here. started: processes read_pool.start_workers
    started for these files (their number is the count decided then)."""
    done = 0
    workers = len(started) if started else _worker_count([i.path for i in items], workers)
    if workers > 1:
        try:
            for part in read_pool.read_in_processes([(i.campaign, i.path, i.file_sha) for i in items],
                                                    profiles, salt, workers, started):
                done += 1
                yield part
        except read_pool.PoolFailed:
            pass
    memo: dict = {}
    for item in items[done:]:
        yield read_one(item.campaign, item.path, item.file_sha, salt, profiles, memo)


@dataclass
class _Prepared:
    """The build's files, screened and looked up in the cache, and the import profiles they are read with."""
    plan: list[_Planned]
    profiles: list[ImportProfile]
    profile_errors: list[LoadError]  # import profiles that could not be read (警告)
    started: list = field(default_factory=list)  # reading processes started early (a full build; see _prepare)


def _prepare(sources: list[CampaignSources], progress: Progress | None, salt: str, profiles: list[ImportProfile] | None,
             profiles_folder: Path | None, cache: FileCache | None, workers: int | None = None,
             full: bool = False) -> _Prepared:
    """full: every file will be read (no database to update in place): the reading processes, if the files
    are worth them, are started before the files are hashed; the caller stops them (read_pool.stop_workers)."""
    try:
        workdays.reload_if_changed()  # before the settings are fingerprinted
    except ValueError as exc:  # a typo in data/calendar.toml or a campaign's [calendar]: no due date can be counted
        raise BuildRefused(f"节假日安排有误，数据库没有重新生成（原数据库保持不变）：{exc}") from exc
    profile_errors: list[LoadError] = []
    if profiles is None:
        problems: list[str] = []
        profiles = load_profiles(profiles_folder, problems=problems)
        first_campaign = sources[0].campaign.id if sources else ""
        profile_errors = [LoadError(first_campaign, None, "导入方案", "", None, None, None, msg, WARNING)
                          for msg in problems]
    jobs = [(cs.campaign, path) for cs in sources for path in input_files(cs.source_dirs)]
    if progress:
        progress(0, len(jobs), f"正在核对 {len(jobs)} 个文件是否改动过…")
    if cache is not None:
        cache.use_settings(CacheSettings.of([cs.campaign for cs in sources], profiles))
    count = _worker_count([path for _, path in jobs], workers) if full else 1
    started = read_pool.start_workers(count) if count > 1 else []
    try:
        return _Prepared(_plan(jobs, cache, salt), profiles, profile_errors, started)
    except BaseException:
        read_pool.stop_workers(started)
        raise


def collect(sources: list[CampaignSources], progress: Progress | None = None, salt: str | None = None,
            profiles: list[ImportProfile] | None = None, profiles_folder: Path | None = None,
            cache: FileCache | None = None, workers: int | None = None) -> BuildResult:
    """profiles: import profiles to apply; default: every file in profiles_folder (default
    $DASHBOARD_PROFILES or data/profiles), a file that cannot be read reported as a 警告.
    cache: results of files unchanged since the last build are taken from it, new ones stored;
    workers: processes reading the files (default: one per idle core, see read_pool.default_workers; 1 reads here)."""
    salt = salt or complainant_salt()
    return _collect_planned(_prepare(sources, progress, salt, profiles, profiles_folder, cache), progress, salt,
                            cache, workers)


def _collect_planned(prepared: _Prepared, progress: Progress | None, salt: str, cache: FileCache | None,
                     workers: int | None, already_read: dict[int, FileResult] | None = None) -> BuildResult:
    """already_read: results of files read (and stored in the cache) by an in-place update that was refused."""
    started = time.perf_counter()
    plan, already_read = prepared.plan, already_read or {}
    result = BuildResult()
    result.errors += prepared.profile_errors
    cached = [i for i in plan if i.cached]
    if cached:
        try:
            result.add_file(cache.take([i.key for i in cached]))
        except CacheDamaged:  # a section of the pack does not match its seal: those files are read again
            for item in cached:
                item.cached = False
            cached = []
    if cached:
        result.files_from_cache = len(cached)
        if progress:
            progress(len(cached), len(plan), f"{len(cached)} 个文件自上次重建以来未改动，沿用上次的读取结果")
    to_read = [i for n, i in enumerate(plan) if i.skipped is None and not i.cached and n not in already_read]
    fresh = _read_files(to_read, salt, prepared.profiles, workers, prepared.started)
    done = len(cached)
    for n, item in enumerate(plan):
        if item.cached:
            continue
        result.files += 1
        done += 1
        part = None
        if item.skipped:
            result.errors.append(item.skipped)
        elif n in already_read:
            part = already_read[n]
            result.add_file(part)
        else:
            part = next(fresh)
            if cache is not None and part.cacheable:
                cache.put(item.key, part)
            result.add_file(part)
        if progress:
            progress(done, len(plan), f"{item.path.name}：{part.record_count() if part else 0} 条记录")
    result.files += len(cached)
    # the cached files' results came first: back to the files' order (as a cold build has them)
    result.submissions.sort(key=lambda sub: sub.file_name)
    result.errors.sort(key=lambda e: e.file_name)
    if progress:
        progress(len(plan), len(plan), "正在检查各文件之间的重复记录…")
    finish(result)
    result.seconds = time.perf_counter() - started
    return result


IN_PLACE_MIN_FILES = 20  # an in-place update reads at most this many files, or IN_PLACE_SHARE of them if more:
IN_PLACE_SHARE = 0.05  # beyond, the full build is as fast (it reads in parallel and writes in bulk)


def _pack_basis(campaigns: list[Campaign], cache: FileCache, salt: str, basis: str) -> str:
    """The basis of a database built with the settings of the pack in use (its kinds' settings, the holiday
    schedule among them, and import profiles; else this build's): its files' rows are then what the pack's
    entries hold, and an entry the cache still has holds under this build's settings too (the files of a kind
    whose settings changed are read again, and every table derived from their rows computed again)."""
    pack = cache.pack_settings()
    if pack is None or any(c.id not in pack.kinds for c in campaigns):
        return basis
    return increment_basis(campaigns, list(pack.profiles), salt, pack.kinds)


def _update_in_place(db_path: Path, sources: list[CampaignSources], prepared: _Prepared, cache: FileCache,
                     salt: str, basis: str, allow_empty: bool, progress: Progress | None,
                     workers: int | None) -> tuple[BuildResult | None, dict[int, FileResult], str | None]:
    """The database in place updated with only the files changed since it was built (etl/db_increment.py);
    (None, the files read so far, why) when that is refused: the caller builds in full."""
    plan = prepared.plan
    try:
        in_place = files_in_place(db_path, _pack_basis([cs.campaign for cs in sources], cache, salt, basis))
    except Refused as exc:
        return None, {}, str(exc)
    names = [(i.campaign.id, i.path.name) for i in plan]  # (messages about a file are matched by its name)
    if len(set(names)) != len(names):
        return None, {}, "两个文件同名"
    unchanged = {n for n, i in enumerate(plan) if i.cached and in_place.get((i.campaign.id, i.path.name)) == i.file_sha}
    to_read = {n: i for n, i in enumerate(plan) if i.skipped is None and n not in unchanged}
    if len(to_read) > max(IN_PLACE_MIN_FILES, IN_PLACE_SHARE * len(plan)):
        return None, {}, f"{len(plan)} 个文件中有 {len(to_read)} 个要读"
    if progress:
        progress(len(unchanged), len(plan), f"{len(unchanged)} 个文件自上次重建以来未改动，数据库中它们的数据原样保留")
    fresh: dict[int, FileResult] = {}
    added = BuildResult(errors=list(prepared.profile_errors))
    parts = _read_files(list(to_read.values()), salt, prepared.profiles, workers)
    for n, item in enumerate(plan):
        if item.skipped:
            added.errors.append(item.skipped)
        elif n in to_read:
            fresh[n] = part = next(parts)
            if part.cacheable and not item.cached:  # (a cached one goes into the next pack as stored)
                cache.put(item.key, part)
            added.add_file(part)
            if progress:
                progress(len(unchanged) + len(fresh), len(plan), f"{item.path.name}：{part.record_count()} 条记录")
    finish(added)
    kept = {(plan[n].campaign.id, plan[n].path.name) for n in unchanged}
    phase = (lambda text: progress(len(plan), len(plan), text)) if progress else (lambda text: None)
    try:
        result = update_in_place(db_path, [cs.campaign for cs in sources], basis, kept, len(in_place.keys() - kept),
                                 added, len(plan), allow_empty, phase)
    except Refused as exc:
        return None, fresh, str(exc)
    cache.keep([i.key for i in plan if i.cached])
    return result, fresh, None


def check_sources(sources: list[CampaignSources], allow_empty: bool) -> None:
    """Every named folder must exist and be a folder; with none of them holding a file to read,
    the build is refused unless allow_empty."""
    for cs in sources:
        for d in cs.source_dirs:
            if d.is_file():
                raise BuildRefused(f"“{d}”是文件，不是文件夹：请给出存放报送文件的文件夹。本次未重建，原数据库未改动")
            if not d.is_dir():
                raise BuildRefused(f"源文件夹“{d}”不存在，请检查路径是否写错。本次未重建，原数据库未改动")
    dirs = [d for cs in sources for d in cs.source_dirs]
    if not allow_empty and next(_input_paths(dirs), None) is None:  # (stops at the first file)
        where = "、".join(f"“{d}”" for d in dirs) or "（未指定）"
        raise BuildRefused(f"源文件夹{where}中没有可导入的文件（.xlsx、.xls、.xlsm、.csv）。本次未重建，原数据库未改动；"
                           "确要生成空数据库时请加 --allow-empty")


def _refuse_losing_everything(db_path: Path, result: BuildResult) -> None:
    before = existing_records(db_path)
    if result.record_count() == 0 and before:
        had = "、".join(f"{label} {n} 条" for label, n in before.items())
        raise BuildRefused(f"本次读取了 {result.files} 个文件，一条记录也没有读到，不能用它替换现有数据：原数据库（{had}）未改动。"
                           "请检查文件夹和文件是否选对；确要清空数据时请加 --allow-empty")


def build(sources: list[CampaignSources], db_path: Path, progress: Progress | None = None,
          salt: str | None = None, profiles: list[ImportProfile] | None = None,
          profiles_folder: Path | None = None, allow_empty: bool = False,
          lock_timeout: float = LOCK_WAIT_SECONDS, cache: bool | Path = False,
          workers: int | None = None, pack_in_background: bool = False) -> BuildResult:
    """Collect every file, then write a new database and swap it in; on failure the old file stays.
    Refused (BuildRefused, nothing written) when a folder is missing, or when nothing would be read
    or loaded while the database in place has records, unless allow_empty; one build at a time.
    cache: True keeps each file's result in etl.file_cache.cache_dir(db_path) (a folder: there) and
    reads only files new or changed since the last build; once the new database is in place the cache
    holds exactly the entries this build used. workers: see collect().
    pack_in_background: return once the new database is in place (the data page shows it); the cache's new
    pack is written by a thread that holds the build lock until it is done (a next build waits for it)."""
    started = time.perf_counter()
    db_path = Path(db_path)
    check_sources(sources, allow_empty)
    salt = salt or complainant_salt()
    file_cache = None
    if cache:
        file_cache = FileCache(cache_dir(db_path) if cache is True else Path(cache), salt)
    with build_lock(db_path, lock_timeout) as held:
        remove_stale_temp_files(db_path)
        prepared = _prepare(sources, progress, salt, profiles, profiles_folder, file_cache, workers,
                            full=file_cache is None or not db_path.is_file())
        try:
            campaigns = [cs.campaign for cs in sources]
            basis = increment_basis(campaigns, prepared.profiles, salt)
            result, already_read, refused = None, {}, None
            if file_cache is not None and db_path.is_file():
                result, already_read, refused = _update_in_place(db_path, sources, prepared, file_cache, salt, basis,
                                                                 allow_empty, progress, workers)
                if refused:
                    logging.getLogger(__name__).info("not updated in place: %s", refused)
            if result is None:
                result = _collect_planned(prepared, progress, salt, file_cache, workers, already_read)
                result.not_in_place = refused
                if not allow_empty:
                    _refuse_losing_everything(db_path, result)
                write_database(db_path, campaigns, result,
                               (lambda text: progress(result.files, result.files, text)) if progress
                               else lambda text: None, basis)
        finally:
            read_pool.stop_workers(prepared.started)  # (stopped already when the files were read)
        if file_cache is not None and pack_in_background:
            threading.Thread(target=_commit_then_release, args=(file_cache, held.hand_over()),
                             name="build-cache-pack").start()
        elif file_cache is not None:
            file_cache.commit()
    result.seconds = time.perf_counter() - started
    return result


def _commit_then_release(file_cache: FileCache, release: Callable[[], None]) -> None:
    try:
        file_cache.commit()
    except Exception:  # noqa: BLE001 — only costs the next build a re-read of this build's new files
        logging.getLogger(__name__).exception("build cache pack not written")
    finally:
        release()


def sample_sources(sample_root: Path | None = None, uploads_root: Path | None = None) -> list[CampaignSources]:
    """Every configured campaign with those of its bundled sample folder and its uploads folder that
    exist (a campaign without uploads yet, or without a sample, is not a mistyped folder)."""
    from etl.config import list_campaigns

    sample_root = sample_root or PROJECT_ROOT / "data" / "sample"
    uploads_root = uploads_root or PROJECT_ROOT / "data" / "uploads"
    return [CampaignSources(load_campaign(cid), [d for d in (sample_root / cid, uploads_root / cid) if d.is_dir()])
            for cid in list_campaigns()]
