"""Where a generated document goes: bytes for a download button, or a file for the command line."""
from __future__ import annotations

import io
from pathlib import Path


def save_document(doc, out: str | Path | None = None) -> bytes | Path:
    """doc is anything with .save(path_or_stream) — an openpyxl Workbook or a python-docx Document."""
    if out is None:
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out
