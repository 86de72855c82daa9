"""数据管理页的暂存文件面板（新用户走查发现的两处）。

读不出的文件：暂存区里有读不出的文件（0 字节的 .xlsx、改了扩展名的文本）时，页面照常显示，其余文件和各栏都在；
读不出的文件写明原因，只能“放弃”（没有“确认导入”），放弃后从暂存区移走。以前整页报英文的崩溃框，
下面的内容全部消失，每次打开都一样（新用户走查发现）。"""
from __future__ import annotations

from dashboard import upload
from tests.signed_in import app_as
from tests.test_build_safety import write_leads_csv

CAMPAIGN = "fuyang-2023"


def test_unreadable_staged_files_can_be_discarded_and_the_page_still_shows(tmp_path, monkeypatch):
    uploads, staging = tmp_path / "up", tmp_path / "st"
    (uploads / CAMPAIGN).mkdir(parents=True)
    write_leads_csv(uploads / CAMPAIGN / "线索登记表.csv")
    for name, value in {"DASHBOARD_DB": tmp_path / "d.duckdb", "DASHBOARD_UPLOADS": uploads,
                        "DASHBOARD_STAGING": staging, "DASHBOARD_PROFILES": tmp_path / "profiles",
                        "DASHBOARD_SALT": "test-salt"}.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr("etl.build.PROJECT_ROOT", tmp_path)  # no bundled sample: only the uploads
    upload.rebuild(tmp_path / "d.duckdb")
    upload.stage_upload(CAMPAIGN, "空文件.xlsx", b"", root=staging, uploads=uploads)
    upload.stage_upload(CAMPAIGN, "会议纪要.xlsx", "这是会议纪要，不是表格。\n".encode(), root=staging, uploads=uploads)
    write_leads_csv(tmp_path / "ok.csv")
    upload.stage_upload(CAMPAIGN, "热线工单.csv", (tmp_path / "ok.csv").read_bytes(), root=staging, uploads=uploads)

    at = app_as(monkeypatch, timeout=60)
    at.query_params["campaign"] = CAMPAIGN
    at.run()
    at.switch_page("pages/data_admin.py").run()
    assert not at.exception
    unreadable = [e.value for e in at.error if e.value.startswith("无法读取这个文件")]
    assert len(unreadable) == 2
    labels = sorted(b.label for b in at.button if b.label in ("放弃", "确认导入"))
    assert labels == ["放弃", "放弃", "放弃", "确认导入"]  # the readable file alone can be imported
    assert any("报送记录" in s.value for s in at.subheader)  # the rest of the page is there

    drop = next(b for b in at.button if b.label == "放弃" and b.key.startswith(_key_of("空文件.xlsx")))
    drop.click().run()
    assert not at.exception
    assert [p.name for p in upload.list_staged(CAMPAIGN, root=staging)] == ["会议纪要.xlsx", "热线工单.csv"]
    assert any("已放弃“空文件.xlsx”，文件未导入" in i.value for i in at.info)


def _key_of(name: str) -> str:
    import hashlib

    return "adm_stg_" + hashlib.sha1(name.encode()).hexdigest()[:10]


def test_a_file_of_another_campaigns_unit_is_flagged_in_its_preview(tmp_path, monkeypatch):
    uploads, staging = tmp_path / "up", tmp_path / "st"
    (uploads / "haixi-2023").mkdir(parents=True)
    for name, value in {"DASHBOARD_DB": tmp_path / "d.duckdb", "DASHBOARD_UPLOADS": uploads,
                        "DASHBOARD_STAGING": staging, "DASHBOARD_PROFILES": tmp_path / "profiles",
                        "DASHBOARD_SALT": "test-salt"}.items():
        monkeypatch.setenv(name, str(value))
    upload.rebuild(tmp_path / "d.duckdb")  # the bundled sample
    write_leads_csv(tmp_path / "ok.csv")
    upload.stage_upload("haixi-2023", "颍上县_问题线索登记表.csv", (tmp_path / "ok.csv").read_bytes(), root=staging,
                        uploads=uploads)
    at = app_as(monkeypatch, timeout=60)
    at.query_params["campaign"] = "haixi-2023"
    at.run()
    at.switch_page("pages/data_admin.py").run()
    assert not at.exception
    assert [w.value[:20] for w in at.warning if "是否选错了专项整治" in w.value] == ["文件名中的单位“颍上县交通运输局”属于“"]
