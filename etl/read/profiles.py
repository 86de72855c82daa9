"""Import profiles (导入方案): a user's mapping for a header layout the vocabulary does not know.

Saved as data/profiles/*.toml, keyed by the fingerprint of the header row; every later build
(CLI included) applies it to sheets whose header has the same fingerprint.
"""
from __future__ import annotations

import hashlib
import os
import re
import tomllib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from pathlib import Path

from .vocabulary import DIM_PREFIX, KINDS, load_vocabulary, norm_header

PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "profiles"
PROFILES_ENV = "DASHBOARD_PROFILES"  # another folder for a deployment or a test


def profiles_dir() -> Path:
    """Where import profiles live: $DASHBOARD_PROFILES, else data/profiles."""
    return Path(os.environ.get(PROFILES_ENV) or PROFILES_DIR)
NOT_IMPORTED = ""  # a column mapped to nothing: 不导入
SKIP = "skip"  # a profile's kind for a sheet the user chose not to import at all


@dataclass(frozen=True)
class ImportProfile:
    name: str
    kind: str
    fingerprint: str
    columns: dict[str, str]  # normalised header text → field, or "" for 不导入
    header_rows: int = 1  # 2: the header row is joined with the row above it
    header_row: int | None = None  # only for a one-off override of one sheet: the 1-based header row
    path: Path | None = field(default=None, compare=False)
    # the normalised texts of the header it was saved for, when known (they hash to fingerprint): the build
    # cache re-reads only files whose first rows hold them all (etl/fingerprint.py CacheSettings)
    header_texts: tuple[str, ...] | None = field(default=None, compare=False)


def normalised_header(cells: list) -> list[str]:
    """A header row's normalised texts in order, trailing blanks dropped."""
    texts = [norm_header(c) for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def header_fingerprint(cells: list) -> str:
    """Fingerprint of a header row: its normalised texts in order (trailing blanks dropped)."""
    return _fingerprint_of_texts(normalised_header(cells))


def _fingerprint_of_texts(texts: list[str]) -> str:
    return hashlib.sha1("|".join(texts).encode()).hexdigest()[:16]


def applied_by_fingerprint(profiles: list[ImportProfile]) -> dict[str, ImportProfile]:
    """The saved profile find_header applies to a header of each fingerprint. Trap: of two profiles with
    one fingerprint the LAST in the list wins (a dict keeps the last), so their order matters."""
    return {p.fingerprint: p for p in profiles if p.header_row is None}


# A compact set of texts (a 1,024-bit Bloom filter, one bit per text): the texts of a file's first rows,
# against which a profile's header texts are checked. A bit set by another text only costs a re-read.
TEXT_BITS = 1024
TEXT_BYTES = TEXT_BITS // 8
EVERY_TEXT = b"\xff" * TEXT_BYTES  # holds every text: any profile may apply


def text_bits(text: str) -> int:
    """The bits of one normalised text (none for a blank). Trap: a fingerprint hashes the texts joined by "|",
    so ["a|b"] and ["a", "b"] share one: a text counts as its "|"-separated parts."""
    if "|" in text:
        return reduce(or_, map(text_bits, text.split("|")), 0)
    return 1 << (zlib.crc32(text.encode()) % TEXT_BITS) if text else 0


def as_bitmap(bits: int) -> bytes:
    return bits.to_bytes(TEXT_BYTES, "little")


def texts_bitmap(texts: Iterable[str]) -> bytes:
    """The set of these normalised texts (blanks left out) as TEXT_BYTES bytes."""
    return as_bitmap(reduce(or_, map(text_bits, texts), 0))


_REPEAT = re.compile(r"^phone_\d$")


def _check(profile: ImportProfile, where: str) -> None:
    if profile.kind == SKIP:
        return
    if profile.kind not in KINDS:
        raise ValueError(f"{where}：类型“{profile.kind}”不对，应为 {'、'.join(KINDS)} 或 {SKIP} 之一")
    if profile.header_rows not in (1, 2):
        raise ValueError(f"{where}：header_rows 应为 1 或 2")
    known = set(load_vocabulary().field_choices(profile.kind))
    for header, name in profile.columns.items():
        ok = (not name or name in known or (profile.kind == "leads" and _REPEAT.match(name))
              or (profile.kind == "survey" and name.startswith(DIM_PREFIX) and len(name) > len(DIM_PREFIX)))
        if not ok:
            raise ValueError(f"{where}：列“{header}”对应的字段“{name}”不是{load_vocabulary().kinds[profile.kind].label}的字段")


def load_profile(path: Path) -> ImportProfile:
    try:
        with open(path, "rb") as f:
            d = tomllib.load(f)
        profile = ImportProfile(
            name=str(d.get("name") or path.stem), kind=d["kind"], fingerprint=d["fingerprint"],
            columns={norm_header(k): str(v) for k, v in d.get("columns", {}).items()},
            header_rows=int(d.get("header_rows", 1)), path=path,
            header_texts=_checked_header(d.get("header"), d["fingerprint"]))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"导入方案文件“{path.name}”无法读取：{exc}") from exc
    _check(profile, f"导入方案文件“{path.name}”")
    return profile


def _checked_header(header: object, fingerprint: str) -> tuple[str, ...] | None:
    """The saved header texts when they are the ones the fingerprint was made of (a hand-edited or older
    file may lack them or list others: then unknown)."""
    if not isinstance(header, list) or not all(isinstance(t, str) for t in header):
        return None
    return tuple(header) if _fingerprint_of_texts(header) == fingerprint else None


def load_profiles(folder: Path | None = None, extra: list[Path] | None = None,
                  problems: list[str] | None = None) -> list[ImportProfile]:
    """Every profile in data/profiles (sorted by file name), then the extra files given.
    A file that cannot be read raises ValueError, or with problems given is skipped and described there."""
    folder = folder or profiles_dir()
    paths = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    out = []
    for path in [*paths, *(extra or [])]:
        try:
            out.append(load_profile(path))
        except ValueError as exc:
            if problems is None:
                raise
            problems.append(f"{exc}；该导入方案未使用")
    return out


def _toml_str(s: str) -> str:
    """A TOML basic string: backslash, quote and every control character escaped."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_SAFE_NAME = re.compile(r"[^\w\u4e00-\u9fff-]+")


def save_profile(name: str, kind: str, header_cells: list, columns: dict[int, str | None],
                 header_rows: int = 1, folder: Path | None = None) -> ImportProfile:
    """Write a profile for this header: columns maps column index → field (None: 不导入)."""
    folder = folder or profiles_dir()
    fp = header_fingerprint(header_cells)
    mapping = {}
    for idx, cell in enumerate(header_cells):
        text = norm_header(cell)
        if text and idx in columns:
            mapping[text] = columns[idx] or NOT_IMPORTED
    profile = ImportProfile(name.strip() or fp, kind, fp, mapping, header_rows)
    _check(profile, "导入方案")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_SAFE_NAME.sub('_', profile.name)[:60]}-{fp}.toml"
    lines = [f"# 导入方案：{' '.join(profile.name.split())}（{date.today():%Y-%m-%d} 保存；按表头指纹自动套用）",
             f"name = {_toml_str(profile.name)}", f"kind = {_toml_str(kind)}",
             f"fingerprint = {_toml_str(fp)}", f"header_rows = {header_rows}",
             f"header = [{', '.join(_toml_str(t) for t in normalised_header(header_cells))}]", "", "[columns]"]
    lines += [f"{_toml_str(k)} = {_toml_str(v)}" for k, v in mapping.items()]
    tmp = path.with_suffix(".toml.part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return load_profile(path)
