"""CSV file → rows of text cells: BOM / encoding detection, tab or comma, formula error texts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .formula_errors import ERROR_MEANING, formula_error
from .model import ReadError

CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as exc:
                raise ReadError(f"CSV 文件按 {enc} 解码失败：{exc}") from exc
    for enc in CSV_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ReadError("CSV 文件编码无法识别，请另存为 UTF-8 或 GB18030（GBK）编码")


def delimiter(text: str) -> str:
    """Tab for Excel's "Unicode 文本"/"文本文件(制表符分隔)": tabs and no commas in the first line."""
    first = text[: text.find("\n")] if "\n" in text else text
    return "\t" if "\t" in first and "," not in first else ","


def read_csv_rows(path: Path) -> tuple[list[list[object]], list[int]]:
    """The file's records and the 1-based line each record starts on."""
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise ReadError(f"无法打开文件：{exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    rows: list[list[object]] = []
    line_no: list[int] = []
    start = 1
    try:
        for record in reader:
            rows.append(record)
            line_no.append(start)  # a quoted cell may span lines: report the record's first line
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(f"CSV 格式错误（第 {reader.line_num} 行）：{exc}") from exc
    if any(code in text for code in ERROR_MEANING):
        _mark_errors(rows)
    return rows, line_no


def _mark_errors(rows: list[list[object]]) -> None:
    """A CSV saved from Excel holds a formula error as its text (#DIV/0!)."""
    for row in rows:
        for i, v in enumerate(row):
            if v[:1] == "#" and v.strip() in ERROR_MEANING:
                row[i] = formula_error(v.strip())
