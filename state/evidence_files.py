"""督办佐证材料的文件：检查（个数、大小、类型）、安全文件名、存放与读回。

存放在 DASHBOARD_EVIDENCE（默认 data/evidence/，不进 git，生成数据库时不读）下的
<item_id>/<sha256 前16位>-<安全文件名>；库里只记相对路径和 SHA-256，读回时逐字节核对。
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from etl.normalize.privacy import scrub_phones

ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "DASHBOARD_EVIDENCE"
DEFAULT_DIR = ROOT / "data" / "evidence"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 5
SUFFIXES = ("xlsx", "xls", "csv", "pdf", "docx", "doc", "jpg", "jpeg", "png")
_NAME_BYTES = 150  # file systems allow 255 bytes; a Chinese character takes 3
_FORBIDDEN = re.compile(r'[<>:"|?*]')

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
# Old-format office files often arrive as HTML/XML/RTF saved under .xls/.doc by other systems: accepted.
_OLD_OFFICE = (_OLE, _ZIP, b"<", b"{\\rtf")
_MAGIC = {"pdf": (b"%PDF-",), "png": _IMAGES, "jpg": _IMAGES, "jpeg": _IMAGES, "xlsx": (_ZIP,),
          "docx": (_ZIP,), "xls": _OLD_OFFICE, "doc": _OLD_OFFICE}


class EvidenceError(ValueError):
    """A file refused (Chinese message)."""


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str   # sanitized, phones masked
    data: bytes
    sha256: str

    @property
    def stored_name(self) -> str:
        """On disk: the phone mask's * would be refused by Windows file systems."""
        return f"{self.sha256[:16]}-{self.file_name.replace('*', '_')}"


def evidence_dir() -> Path:
    """DASHBOARD_EVIDENCE, else data/evidence/ of the project."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value) if value else DEFAULT_DIR


def _truncate_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def safe_file_name(name: str) -> str:
    """The last path part, without control/format characters or characters Windows forbids, no leading
    dots, phones masked (the mask's * kept here, see stored_name), at most 150 bytes with the extension
    kept; "附件" for a missing name."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name
                   if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = (scrub_phones(_FORBIDDEN.sub("_", re.sub(r" +", " ", name))) or "").rstrip(" .").lstrip(" ")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix):
        stem, suffix = name, ""
    ext = f".{suffix.lower()}" if suffix else ""
    stem = _truncate_utf8(stem, _NAME_BYTES - len(ext)).strip(" .") or "附件"
    return stem + ext


def _suffix(file_name: str) -> str:
    return file_name.rpartition(".")[2].lower() if "." in file_name else ""


def _content_matches(suffix: str, data: bytes) -> bool:
    if suffix == "csv":
        return b"\x00" not in data[:65536]
    head = data[:16].lstrip(b"\xef\xbb\xbf \t\r\n") if suffix in ("xls", "doc") else data[:16]
    return head.startswith(_MAGIC[suffix])


def check_files(files) -> list[EvidenceFile]:
    """Each (name, bytes) checked and named safely; EvidenceError for too many, empty, too big or the
    wrong type (by extension and by content)."""
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise EvidenceError(f"每次反馈最多附 {MAX_FILES} 个文件，本次 {len(files)} 个")
    out = []
    for raw_name, data in files:
        name = safe_file_name(raw_name)
        suffix = _suffix(name)
        if suffix not in SUFFIXES:
            raise EvidenceError(f"文件“{name}”的类型不允许：只收 {'、'.join(SUFFIXES)} 文件")
        if not isinstance(data, bytes | bytearray) or not data:
            raise EvidenceError(f"文件“{name}”是空文件")
        if len(data) > MAX_FILE_BYTES:
            raise EvidenceError(f"文件“{name}”大小 {len(data) / 1024 / 1024:.1f} MB，"
                                f"超过每个文件 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限")
        if not _content_matches(suffix, data):
            raise EvidenceError(f"文件“{name}”的内容不是 .{suffix} 文件，未保存")
        out.append(EvidenceFile(name, bytes(data), hashlib.sha256(data).hexdigest()))
    return out


def store_file(item_id: int, f: EvidenceFile) -> str:
    """Write f under the evidence folder (atomically; the same content is written once); returns the path
    relative to the folder, as kept in supervision_evidence.stored_as."""
    relative = f"{int(item_id)}/{f.stored_name}"
    target = evidence_dir() / relative
    if target.is_file() and target.stat().st_size == len(f.data):
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(f.data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return relative


def read_file(stored_as: str, sha256: str) -> bytes:
    """The stored bytes, checked against their SHA-256; EvidenceError if missing, outside the folder or changed."""
    root = evidence_dir().resolve()
    path = (root / stored_as).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise EvidenceError("佐证材料文件不存在（可能已被移走），请联系专班")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceError("佐证材料文件已被改动，与上传时的不一致，请联系专班")
    return data
