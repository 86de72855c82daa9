"""python -m reports …: the meeting documents' command line, and reports/ importable without Streamlit."""
from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

from etl.__main__ import main as etl_main
from etl.config import PROJECT_ROOT
from reports.__main__ import main as reports_main


def test_reports_import_neither_streamlit_nor_dashboard():
    code = ("import sys, reports.__main__, reports.brief_data, reports.brief_docx, reports.brief_xlsx, "
            "reports.ledger_export, reports.templates, reports.charts_png, reports.downloads\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'dashboard'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert not [m for m in out if m.startswith("streamlit")]
    assert out == [], out


def test_template_command_writes_the_unit_and_date(tmp_path):
    out = tmp_path / "临泉台账.xlsx"
    rc = reports_main(["template", "--campaign", "fuyang-2023", "--unit", "临泉", "--kind", "ledger",
                       "--date", "2023-09-21", "--out", str(out)])
    assert rc == 0
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(2, 1).value == "填报单位：临泉县交通运输局        填报时间：2023年9月21日"


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        reports_main(["brief-x"])
    assert exc.value.code == 2


@pytest.mark.parametrize("command", ["brief", "export-ledger", "template"])
def test_etl_points_meeting_documents_to_reports(command, capsys):
    assert etl_main([command, "--campaign", "fuyang-2023"]) == 2
    assert f"python -m reports {command}" in capsys.readouterr().err
