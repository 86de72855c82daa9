"""数据管理的非界面逻辑：上传文件保存到 data/uploads/<campaign_id>/、列出、删除；重建数据库。

文件名清洗：只保留基本名，去掉路径、控制字符和 Windows 不允许的字符；同名文件覆盖（调用方告诉用户）。
etl.build.sample_sources() 读取 data/sample/<id>/ 和 data/uploads/<id>/，重建时两处文件都导入。
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from dashboard.db import PROJECT_ROOT

UPLOADS_ROOT = PROJECT_ROOT / "data" / "uploads"
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".csv")
MAX_NAME = 120
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
    return stem + suffix


def uploads_dir(campaign_id: str, root: Path | None = None) -> Path:
    if not _CAMPAIGN_RE.match(campaign_id or ""):
        raise UploadError(f"专项整治编号不合法：{campaign_id}")
    return (root or UPLOADS_ROOT) / campaign_id


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


def list_uploads(campaign_id: str, root: Path | None = None) -> pd.DataFrame:
    """已上传的文件：文件名、大小（KB）、上传时间。"""
    folder = uploads_dir(campaign_id, root)
    rows = []
    if folder.is_dir():
        for p in sorted(folder.iterdir(), key=lambda p: p.name):
            if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES and not p.name.startswith("."):
                s = p.stat()
                rows.append({"文件名": p.name, "大小（KB）": round(s.st_size / 1024, 1),
                             "上传时间": datetime.fromtimestamp(s.st_mtime).strftime("%Y-%m-%d %H:%M:%S")})
    return pd.DataFrame(rows, columns=["文件名", "大小（KB）", "上传时间"])


def delete_upload(campaign_id: str, name: str, root: Path | None = None) -> bool:
    """删除一个已上传的文件（只限该专项整治的上传目录内）；文件不存在时返回 False。"""
    folder = uploads_dir(campaign_id, root).resolve()
    target = (folder / name).resolve()
    if target.parent != folder:
        raise UploadError(f"不能删除上传目录以外的文件：{name}")
    if not target.is_file():
        return False
    target.unlink()
    return True


def rebuild(db_file: Path, progress: Callable[[int, int, str], None] | None = None,
            sample_root: Path | None = None, uploads_root: Path | None = None):
    """用全部专项整治的示例文件和上传文件重建看板数据库（etl.build.build，原子替换）。"""
    from etl.build import build, sample_sources

    return build(sample_sources(sample_root, uploads_root or UPLOADS_ROOT), Path(db_file), progress=progress)
