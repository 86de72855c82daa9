"""数据管理的非界面逻辑：上传文件先暂存到 data/staging/<campaign_id>/（预览、调整对应关系），
确认后移到 data/uploads/<campaign_id>/；列出、删除；重建数据库（套用 data/profiles 的导入方案）。

文件名清洗：只保留基本名，去掉路径、控制字符和 Windows 不允许的字符，过长时截短（按 UTF-8 字节计，保留扩展名）；
同名文件覆盖（调用方告诉用户）。容量上限：单个文件 MAX_FILE_BYTES，每个专项整治已上传加暂存的文件合计 MAX_CAMPAIGN_BYTES。
etl.build.sample_sources() 读取 data/sample/<id>/ 和 data/uploads/<id>/，重建时两处文件都导入；
暂存目录不在其中，未确认的文件不会进入数据库。
三个目录可由环境变量改到别处（测试、部署）：DASHBOARD_UPLOADS、DASHBOARD_STAGING、DASHBOARD_PROFILES。
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from dashboard.db import PROJECT_ROOT

UPLOADS_ROOT = PROJECT_ROOT / "data" / "uploads"
STAGING_ROOT = PROJECT_ROOT / "data" / "staging"
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".csv")
MAX_NAME = 120
# Trap: Linux allows 255 bytes per file name and a Chinese character is 3 bytes in UTF-8; the
# temp copy ".<name>.part-<pid>" needs room too.
MAX_NAME_BYTES = 200
MAX_FILE_BYTES = 50 * 2**20  # keep equal to server.maxUploadSize in .streamlit/config.toml
MAX_CAMPAIGN_BYTES = 2**30
_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_CAMPAIGN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class UploadError(ValueError):
    """中文说明的上传错误。"""


@dataclass
class SavedFile:
    name: str
    path: Path
    replaced: bool       # 已有同名文件，被新文件替换
    unchanged: bool      # 同名且内容完全相同
    renamed: bool        # 文件名经过清洗，与上传时不同


def sanitize_filename(name: str) -> str:
    """上传文件名 → 安全的文件名；后缀不是 xlsx/xls/xlsm/csv 时报错。"""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = _BAD.sub("_", base).strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower() if suffix else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(f"“{name}”不是可导入的文件类型（只接受 .xlsx、.xls、.xlsm、.csv）。")
    stem = re.sub(r"\s+", " ", stem).strip(" ._") or "上传文件"
    if stem.startswith("~$"):
        stem = stem[2:] or "上传文件"
    stem = stem[: MAX_NAME - len(suffix)]
    room = MAX_NAME_BYTES - len(suffix.encode())
    if len(stem.encode()) > room:
        stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" ._")  # cut at a character boundary
    return stem + suffix


def size_text(n: int) -> str:
    unit, scale = ("GB", 2**30) if n >= 2**30 else ("MB", 2**20) if n >= 2**20 else ("KB", 1024)
    return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"


def _campaign_bytes(campaign_id: str, staging: Path | None, uploads: Path | None, replacing: str) -> int:
    """Bytes the campaign holds on disk after `replacing` is (re)staged: uploads a staged file will
    replace, and the staged file of that name itself, are not counted."""
    staged = {p.name: p.stat().st_size for p in list_staged(campaign_id, staging)}
    folder = uploads_dir(campaign_id, uploads)
    uploaded = {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()} \
        if folder.is_dir() else {}
    staged.pop(replacing, None)
    return sum(staged.values()) + sum(n for name, n in uploaded.items() if name not in staged and name != replacing)


def check_quota(campaign_id: str, name: str, size: int, staging: Path | None = None,
                uploads: Path | None = None) -> None:
    """Refuses (UploadError) a file over MAX_FILE_BYTES, or one that takes the campaign over MAX_CAMPAIGN_BYTES."""
    if size > MAX_FILE_BYTES:
        raise UploadError(f"“{name}”有 {size_text(size)}，超过单个文件 {size_text(MAX_FILE_BYTES)} 的上限，未上传。"
                          "请删除多余的工作表、图片或空行后另存，或拆成几个文件分别上传。")
    held = _campaign_bytes(campaign_id, staging, uploads, sanitize_filename(name))
    if held + size > MAX_CAMPAIGN_BYTES:
        raise UploadError(f"“{name}”未上传：本专项整治已上传和暂存的文件共 {size_text(held)}，再加这个文件（{size_text(size)}）"
                          f"超过上限 {size_text(MAX_CAMPAIGN_BYTES)}。请先在“已上传的文件”中删除不再需要的文件。")


def uploads_root() -> Path:
    """重建时读取的上传目录（环境变量 DASHBOARD_UPLOADS，默认 data/uploads）。"""
    return Path(os.environ.get("DASHBOARD_UPLOADS") or UPLOADS_ROOT)


def staging_root() -> Path:
    """暂存目录（环境变量 DASHBOARD_STAGING，默认 data/staging）：预览中、尚未确认导入的文件。"""
    return Path(os.environ.get("DASHBOARD_STAGING") or STAGING_ROOT)


def profiles_dir() -> Path:
    """导入方案目录（环境变量 DASHBOARD_PROFILES，默认 data/profiles；与命令行重建用同一个）。"""
    from etl.read.profiles import profiles_dir as etl_profiles_dir

    return etl_profiles_dir()


def uploads_dir(campaign_id: str, root: Path | None = None) -> Path:
    if not _CAMPAIGN_RE.match(campaign_id or ""):
        raise UploadError(f"专项整治编号不合法：{campaign_id}")
    return (root or uploads_root()) / campaign_id


def staging_dir(campaign_id: str, root: Path | None = None) -> Path:
    return uploads_dir(campaign_id, root or staging_root())


UNIT_STAGING = "_单位"  # 单位账号各自的暂存区：data/staging/_单位/<unit_id>/<campaign_id>/


def unit_folder(campaign_id: str, unit_id: str, root: Path | None = None) -> Path:
    """单位账号确认导入的文件放在 uploads/<campaign_id>/<unit_id>/：只能替换、删除本单位的文件。"""
    if not _CAMPAIGN_RE.match(unit_id or ""):
        raise UploadError(f"单位编号不合法：{unit_id}")
    return uploads_dir(campaign_id, root) / unit_id


def unit_staging_root(unit_id: str) -> Path:
    if not _CAMPAIGN_RE.match(unit_id or ""):
        raise UploadError(f"单位编号不合法：{unit_id}")
    return staging_root() / UNIT_STAGING / unit_id


def save_upload(campaign_id: str, name: str, data: bytes, root: Path | None = None) -> SavedFile:
    """把上传内容写到 uploads/<campaign_id>/<清洗后的文件名>（先写临时文件再替换）。"""
    clean = sanitize_filename(name)
    folder = uploads_dir(campaign_id, root)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / clean
    replaced = target.exists()
    unchanged = replaced and target.read_bytes() == data
    if not unchanged:
        tmp = folder / f".{clean}.part-{os.getpid()}"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return SavedFile(clean, target, replaced, unchanged, clean != Path(str(name).replace("\\", "/")).name)


def list_uploads(campaign_id: str, root: Path | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """已上传的文件：文件名（单位上传的带“<单位编号>/”）、大小（KB）、上传时间；unit_id 给出时只列该单位上传的。"""
    folder = unit_folder(campaign_id, unit_id, root) if unit_id else uploads_dir(campaign_id, root)
    rows = []
    if folder.is_dir():
        for p in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
            if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES and not p.name.startswith("."):
                s = p.stat()
                rows.append({"文件名": p.relative_to(folder).as_posix(), "大小（KB）": round(s.st_size / 1024, 1),
                             "上传时间": datetime.fromtimestamp(s.st_mtime).strftime("%Y-%m-%d %H:%M:%S")})
    return pd.DataFrame(rows, columns=["文件名", "大小（KB）", "上传时间"])


READ_FAILED = "无法读取文件"  # etl.build: the message of a file not read at all starts with this


def with_read_problems(listing: pd.DataFrame, load_errors: pd.DataFrame) -> pd.DataFrame:
    """list_uploads() plus a column 读取问题: why a file could not be read at the last rebuild
    (load_errors_list rows without a sheet); blank for files that were read."""
    out = listing.copy()
    whole = load_errors[load_errors["message"].astype(str).str.startswith(READ_FAILED)] \
        if not load_errors.empty else load_errors
    reasons = dict(zip(whole.get("file_name", []), whole.get("message", []), strict=True))
    out["读取问题"] = [reasons.get(Path(name).name, "") for name in out["文件名"]]
    return out


def delete_upload(campaign_id: str, name: str, root: Path | None = None, unit_id: str | None = None) -> bool:
    """删除一个已上传的文件（只限该专项整治的上传目录内；unit_id 给出时只限该单位的目录）；文件不存在时返回 False。"""
    folder = (unit_folder(campaign_id, unit_id, root) if unit_id else uploads_dir(campaign_id, root)).resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder) or target == folder:
        raise UploadError(f"不能删除上传目录以外的文件：{name}")
    if not target.is_file():
        return False
    target.unlink()
    return True


def _inside(folder: Path, name: str) -> Path:
    folder = folder.resolve()
    target = (folder / name).resolve()
    if target.parent != folder:
        raise UploadError(f"不能操作该目录以外的文件：{name}")
    return target


def stage_upload(campaign_id: str, name: str, data: bytes, root: Path | None = None,
                 uploads: Path | None = None, unit_id: str | None = None) -> SavedFile:
    """上传内容先写到暂存目录；replaced 表示确认导入时会替换已上传的同名文件。超过容量上限时报 UploadError。"""
    check_quota(campaign_id, name, len(data), root or staging_root(), uploads)
    saved = save_upload(campaign_id, name, data, root or staging_root())
    target = (unit_folder(campaign_id, unit_id, uploads) if unit_id else uploads_dir(campaign_id, uploads)) / saved.name
    saved.replaced = target.is_file()
    saved.unchanged = saved.replaced and target.read_bytes() == data
    return saved


def list_staged(campaign_id: str, root: Path | None = None) -> list[Path]:
    """暂存中的文件（按文件名排序）。"""
    folder = staging_dir(campaign_id, root)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES
                   and not p.name.startswith(".")), key=lambda p: p.name)


def discard_staged(campaign_id: str, name: str, root: Path | None = None) -> bool:
    """放弃一个暂存文件；文件不存在时返回 False。"""
    target = _inside(staging_dir(campaign_id, root), name)
    if not target.is_file():
        return False
    target.unlink()
    return True


def commit_staged(campaign_id: str, name: str, root: Path | None = None, uploads: Path | None = None,
                  unit_id: str | None = None) -> SavedFile:
    """确认导入：暂存文件移到上传目录（unit_id 给出时为该单位的目录；同名文件被替换），此后重建数据库时读取它。"""
    source = _inside(staging_dir(campaign_id, root), name)
    if not source.is_file():
        raise UploadError(f"暂存文件“{name}”已不存在，请重新上传。")
    folder = unit_folder(campaign_id, unit_id, uploads) if unit_id else uploads_dir(campaign_id, uploads)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    replaced = target.exists()
    unchanged = replaced and target.read_bytes() == source.read_bytes()
    tmp = folder / f".{source.name}.part-{os.getpid()}"
    shutil.copyfile(source, tmp)  # copy + replace: the uploads folder never holds a half-written file
    os.replace(tmp, target)
    source.unlink()
    return SavedFile(source.name, target, replaced, unchanged, False)


def rebuild(db_file: Path, progress: Callable[[int, int, str], None] | None = None,
            sample_root: Path | None = None, uploads: Path | None = None, profiles: Path | None = None,
            allow_empty: bool = False, lock_timeout: float | None = None):
    """用全部专项整治的示例文件和上传文件重建看板数据库（etl.build.build，原子替换），套用导入方案；
    没变的文件取自逐文件缓存（etl/file_cache.py），只重读新增或改动的文件；只有少数文件改动时不重写整库，在现有库的
    副本上移出、加入这些文件的数据（etl/db_increment.py）；新库换上即返回，缓存由后台线程写完
    （期间它占着重建锁，下一次重建等它写完）。
    没有可导入的文件、或一条记录也没读到而现有库有数据时报 etl.build.BuildRefused（中文），除非 allow_empty
    （删除文件后的重建：用户有意清空）；另一个重建正在进行时等它（最多 lock_timeout 秒）。"""
    from etl.build import LOCK_WAIT_SECONDS, build, sample_sources

    # build 自己读取方案目录：读不了的方案文件记为警告写进导入问题记录
    return build(sample_sources(sample_root, uploads or uploads_root()), Path(db_file), progress=progress,
                 profiles_folder=Path(profiles) if profiles else None, allow_empty=allow_empty, cache=True,
                 pack_in_background=True,  # the page shows the new figures while the cache is written
                 lock_timeout=LOCK_WAIT_SECONDS if lock_timeout is None else lock_timeout)
