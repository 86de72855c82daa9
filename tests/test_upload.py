"""数据管理：文件名清洗、同名替换、删除只限上传目录；对应关系确认步骤（暂存 → 预览 → 导入方案 → 确认导入）。"""
import duckdb
import pandas as pd
import pytest

from dashboard import import_preview as ip
from dashboard import upload
from etl.config import load_campaign
from etl.read.profiles import load_profiles


@pytest.mark.parametrize("raw, clean", [
    ("临泉县_整改台账_20230525.xlsx", "临泉县_整改台账_20230525.xlsx"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("C:\\Users\\a\\太和 台账.XLSX", "太和 台账.xlsx"),
    ('a<b>:c"d|e?f*.xls', "a_b_c_d_e_f.xls"),
    ("~$临时.xlsm", "临时.xlsm"),
    (".xlsx", "上传文件.xlsx"),
])
def test_sanitize(raw, clean):
    assert upload.sanitize_filename(raw) == clean


@pytest.mark.parametrize("bad", ["a.exe", "a.xlsx.sh", "noext", "a.duckdb"])
def test_sanitize_rejects_other_types(bad):
    with pytest.raises(upload.UploadError, match="不是可导入的文件类型"):
        upload.sanitize_filename(bad)


def test_save_replace_list_delete(tmp_path):
    s1 = upload.save_upload("fuyang-2023", "临泉_台账.xlsx", b"one", root=tmp_path)
    assert not s1.replaced and s1.path.read_bytes() == b"one"
    s2 = upload.save_upload("fuyang-2023", "临泉_台账.xlsx", b"one", root=tmp_path)
    assert s2.replaced and s2.unchanged
    s3 = upload.save_upload("fuyang-2023", "临泉_台账.xlsx", b"two", root=tmp_path)
    assert s3.replaced and not s3.unchanged and s3.path.read_bytes() == b"two"
    lst = upload.list_uploads("fuyang-2023", root=tmp_path)
    assert lst["文件名"].tolist() == ["临泉_台账.xlsx"]
    with pytest.raises(upload.UploadError):
        upload.delete_upload("fuyang-2023", "../../x.xlsx", root=tmp_path)
    assert upload.delete_upload("fuyang-2023", "临泉_台账.xlsx", root=tmp_path)
    assert not upload.delete_upload("fuyang-2023", "临泉_台账.xlsx", root=tmp_path)
    with pytest.raises(upload.UploadError):
        upload.uploads_dir("../x", root=tmp_path)


# ------------------------------------------------------------------ mapping step: staging → preview → profile → commit
CAMPAIGN = "fuyang-2023"
# 12345 热线导出的样子；“来电摘录”（诉求内容）词表不认识，“办理单位X”按含义认作承办单位
HOTLINE = (
    "工单编号,受理时间,来源渠道,诉求人,联系电话,来电摘录,办理单位X,交办日期,办结日期,核查结论,回访日期\n"
    "GD20230601001,2023-06-01 09:12:00,12345热线,张三,13912345678,出租车拒载,临泉县交通运输局,2023-06-02,2023-06-08,属实,2023-06-09\n"
    "GD20230603002,2023-06-03 10:00:00,12345热线,李四,13812345678,货车超载执法态度差,太和县交通运输局,2023-06-04,2023-06-09,部分属实,2023-06-10\n"
    "GD20230605003,2023-06-05 15:30:00,12345热线,王五,13712345678,网约车乱收费,阜南县交通运输局,2023-06-06,,,\n"
    "GD20230607004,2023-06-07 08:00:00,12345热线,赵六,13612345678,渣土车抛洒,某某物流公司,2023-06-08,,,\n"
).encode()


def test_stage_commit_discard(tmp_path):
    stg, upl = tmp_path / "staging", tmp_path / "uploads"
    s = upload.stage_upload(CAMPAIGN, "热线工单_20230610.csv", HOTLINE, root=stg, uploads=upl)
    assert not s.replaced and s.path == stg / CAMPAIGN / "热线工单_20230610.csv"
    assert [p.name for p in upload.list_staged(CAMPAIGN, root=stg)] == ["热线工单_20230610.csv"]
    assert upload.list_uploads(CAMPAIGN, root=upl).empty          # 未确认：重建读不到
    done = upload.commit_staged(CAMPAIGN, "热线工单_20230610.csv", root=stg, uploads=upl)
    assert not done.replaced and (upl / CAMPAIGN / "热线工单_20230610.csv").read_bytes() == HOTLINE
    assert upload.list_staged(CAMPAIGN, root=stg) == []
    # 同名再上传：暂存时就说明确认后会替换；内容相同时 unchanged
    s2 = upload.stage_upload(CAMPAIGN, "热线工单_20230610.csv", HOTLINE, root=stg, uploads=upl)
    assert s2.replaced and s2.unchanged
    s3 = upload.stage_upload(CAMPAIGN, "热线工单_20230610.csv", HOTLINE + b"x", root=stg, uploads=upl)
    assert s3.replaced and not s3.unchanged
    assert upload.discard_staged(CAMPAIGN, "热线工单_20230610.csv", root=stg)
    assert not upload.discard_staged(CAMPAIGN, "热线工单_20230610.csv", root=stg)
    assert (upl / CAMPAIGN / "热线工单_20230610.csv").read_bytes() == HOTLINE   # 放弃不动已导入的文件
    with pytest.raises(upload.UploadError, match="已不存在"):
        upload.commit_staged(CAMPAIGN, "热线工单_20230610.csv", root=stg, uploads=upl)
    with pytest.raises(upload.UploadError):
        upload.discard_staged(CAMPAIGN, "../../uploads/fuyang-2023/热线工单_20230610.csv", root=stg)


def test_folders_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_UPLOADS", str(tmp_path / "u"))
    monkeypatch.setenv("DASHBOARD_STAGING", str(tmp_path / "s"))
    monkeypatch.setenv("DASHBOARD_PROFILES", str(tmp_path / "p"))
    assert upload.uploads_dir(CAMPAIGN) == tmp_path / "u" / CAMPAIGN
    assert upload.staging_dir(CAMPAIGN) == tmp_path / "s" / CAMPAIGN
    assert upload.profiles_dir() == tmp_path / "p"
    upload.stage_upload(CAMPAIGN, "a.csv", b"x")
    assert (tmp_path / "s" / CAMPAIGN / "a.csv").read_bytes() == b"x"


def test_preview_change_column_save_profile_applies_next_time(tmp_path):
    camp = load_campaign(CAMPAIGN)
    path = tmp_path / "热线工单_20230610.csv"
    path.write_bytes(HOTLINE)
    auto, = ip.run_preview(path, camp, {}, [])
    assert auto.kind == "leads" and auto.header_row == 1 and auto.profile is None
    assert ip.mapping_of(auto)[5] is None and ip.mapping_of(auto)[6] == "unit"
    options = ip.field_options("leads", camp)
    assert options["不导入"] is None and options["问题摘要"] == "summary" and options["联系电话2"] == "phone_2"
    table = ip.columns_frame(auto, options)
    assert table.loc[5].tolist() == ["F", "来电摘录", "不导入", "未识别"]
    assert table.loc[6].tolist() == ["G", "办理单位X", "承办单位", "表头含义"]
    assert ip.counts_line(auto) == "将导入 3 行，未导入 1 行（共读取 4 行）"
    bad = ip.problems_frame(auto)
    assert bad[["行号", "列", "原值"]].values.tolist() == [[5, "办理单位X", "某某物流公司"]]
    assert "本行未导入" in bad.loc[0, "原因"]

    # 用户把 F 列改为“问题摘要”（下拉框的中文标签 → 字段）
    labels = table["导入为"].tolist()
    labels[5] = "问题摘要"
    choice = ip.columns_choice(auto, ip.fields_from_labels(auto, labels, options))
    current, = ip.run_preview(path, camp, {auto.sheet_name: choice}, [])
    assert ip.changed(auto, current) and ip.applied_profile(current) is None
    assert [r["summary"] for r in current.records] == ["出租车拒载", "货车超载执法态度差", "网约车乱收费"]
    assert ip.columns_frame(current, options, auto).loc[5, "依据"] == "手工指定"
    assert ip.columns_frame(current, options, auto).loc[0, "依据"] == "表头与词表一致"
    recs = ip.records_frame(current, camp)
    assert recs.loc[0, ["行号", "单位", "问题摘要", "投诉人（脱敏）", "联系电话（脱敏）", "办理期限"]].tolist() == \
        [2, "临泉县交通运输局", "出租车拒载", "张**", "*******5678", "2023-06-09"]
    assert "张三" not in recs.to_string() and "13912345678" not in recs.to_string()

    # 保存为导入方案 → 下次同样表头的文件：不用任何选择，自动套用
    name = ip.default_profile_name(path.name, current.sheet_name, False)
    assert name == "热线工单"
    saved = ip.save_sheet_profile(name, current, tmp_path / "profiles")
    assert saved.path.parent == tmp_path / "profiles" and saved.columns["来电摘录"] == "summary"
    second = tmp_path / "热线工单_20230620.csv"
    second.write_bytes(HOTLINE.replace(b"GD2023", b"GX2023"))
    again, = ip.run_preview(second, camp, {}, load_profiles(tmp_path / "profiles"))
    assert ip.applied_profile(again) == "热线工单"
    assert ip.mapping_of(again) == ip.mapping_of(current)
    assert ip.columns_frame(again, options).loc[5, "依据"] == "导入方案“热线工单”"
    assert again.records[0]["summary"] == "出租车拒载"


def test_kind_and_header_choice_for_unknown_sheet(tmp_path):
    camp = load_campaign(CAMPAIGN)
    path = tmp_path / "说明.csv"
    path.write_text("本表为各单位线索汇总\n编号,日期\nA1,2023-06-01\n", encoding="utf-8")
    auto, = ip.run_preview(path, camp, {}, [])
    assert auto.kind is None and auto.header_row == 0 and auto.rows_rejected == 3
    choice = ip.kind_choice(auto, "leads")
    assert (choice.kind, choice.header_row, choice.columns) == ("leads", 1, None)
    choice = ip.header_choice(auto, "leads", 2, 1)
    sheet, = ip.run_preview(path, camp, {auto.sheet_name: choice}, [])
    assert sheet.kind == "leads" and sheet.header_row == 2
    assert [c.header for c in sheet.columns] == ["编号", "日期"]


def test_sheet_chosen_not_to_import_is_saved_as_a_skip_profile(tmp_path):
    camp = load_campaign(CAMPAIGN)
    path = tmp_path / "热线工单_20230610.csv"
    path.write_bytes(HOTLINE)
    auto, = ip.run_preview(path, camp, {}, [])
    skip = ip.kind_choice(auto, ip.SKIP)
    chosen, = ip.run_preview(path, camp, {auto.sheet_name: skip}, [])
    # nothing of it would load; the four rows are counted as not imported, as the user's choice (警告)
    assert (chosen.kind, chosen.rows_read, chosen.rows_loaded, chosen.rows_rejected) == (None, 4, 0, 4)
    assert [e.severity for e in chosen.errors] == ["警告"]
    saved = ip.save_sheet_profile("热线工单不导入", chosen, tmp_path / "profiles", ip.SKIP)
    assert saved.kind == "skip" and saved.columns == {}
    again, = ip.run_preview(path, camp, {}, load_profiles(tmp_path / "profiles"))
    assert (again.kind, again.rows_rejected, again.profile) == (None, 4, "热线工单不导入")


def test_rebuild_applies_profiles_folder_and_reports_not_imported_first(tmp_path):
    camp = load_campaign(CAMPAIGN)
    stg, upl, prof = tmp_path / "staging", tmp_path / "uploads", tmp_path / "profiles"
    upload.stage_upload(CAMPAIGN, "热线工单_20230610.csv", HOTLINE, root=stg, uploads=upl)
    auto, = ip.run_preview(upload.list_staged(CAMPAIGN, root=stg)[0], camp, {}, [])
    sheet, = ip.run_preview(upload.list_staged(CAMPAIGN, root=stg)[0], camp,
                            {"": ip.columns_choice(auto, {5: "summary"})}, [])
    ip.save_sheet_profile("热线工单", sheet, prof)
    upload.commit_staged(CAMPAIGN, "热线工单_20230610.csv", root=stg, uploads=upl)
    (upl / CAMPAIGN / "杂表.csv").write_text("名称,数量\n甲,1\n乙,2\n", encoding="utf-8")
    db = tmp_path / "d.duckdb"
    result = upload.rebuild(db, sample_root=tmp_path / "no-samples", uploads=upl, profiles=prof)
    assert ip.not_imported_lines(result) == [("杂表.csv", "工作表未导入：杂表.csv，3 行")]  # 认不出的表头行也算在内
    rej = ip.rejected_rows_frame(result, ("热线工单_20230610.csv",))
    assert rej["文件"].tolist() == ["热线工单_20230610.csv", "杂表.csv"]
    assert rej.loc[0, ["行号", "原值"]].tolist() == [5, "某某物流公司"]
    assert pd.isna(rej.loc[1, "行号"])      # 整张表未导入：没有行号
    assert ip.file_outcome(result, CAMPAIGN, "热线工单_20230610.csv") == \
        "“热线工单_20230610.csv”：导入 3 行，未导入 1 行（见下方红色清单）"
    assert ip.file_outcome(result, CAMPAIGN, "杂表.csv") == "“杂表.csv”：导入 0 行，未导入 3 行（见下方红色清单）"
    assert ip.not_imported_lines(result, "haixi-2023") == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT lead_id, summary, due_date::VARCHAR FROM leads ORDER BY lead_id").fetchall()
        profile, = con.execute("SELECT mapping_profile FROM submissions WHERE file_name LIKE '热线%'").fetchone()
    finally:
        con.close()
    assert rows == [("GD20230601001", "出租车拒载", "2023-06-09"), ("GD20230603002", "货车超载执法态度差", "2023-06-09"),
                    ("GD20230605003", "网约车乱收费", "2023-06-13")]
    assert profile == "热线工单"


def test_the_same_export_under_a_second_name_is_told_not_imported_and_why(tmp_path):
    """新用户走查：同一份导出换个文件名再传，预览说“将导入”，导入后却只说“没有可导入的数据”、清单为空。"""
    upl = tmp_path / "uploads"
    (upl / CAMPAIGN).mkdir(parents=True)
    (upl / CAMPAIGN / "热线工单_20230610.csv").write_bytes(HOTLINE)
    (upl / CAMPAIGN / "热线工单_副本.csv").write_bytes(HOTLINE)
    result = upload.rebuild(tmp_path / "d.duckdb", sample_root=tmp_path / "no-samples", uploads=upl,
                            profiles=tmp_path / "profiles")
    assert ip.file_outcome(result, CAMPAIGN, "热线工单_副本.csv") == (
        "“热线工单_副本.csv”未导入：与“热线工单_20230610.csv”内容完全相同，未导入（同样的数据只计一次）")
    assert ip.not_imported_lines(result) == [("热线工单_副本.csv",
        "文件未导入：热线工单_副本.csv（与“热线工单_20230610.csv”内容完全相同，未导入（同样的数据只计一次））")]
    assert ip.file_outcome(result, CAMPAIGN, "热线工单_20230610.csv").startswith("“热线工单_20230610.csv”：导入 3 行")


def test_an_upload_updates_the_database_in_place_while_the_pages_read_it(tmp_path):
    """The data page's rebuild runs in the app's process, which holds the database open read-only: the second
    upload is put into a copy of it (etl/db_increment.py), swapped in, and seen once the page reconnects."""
    upl, db = tmp_path / "uploads", tmp_path / "d.duckdb"
    (upl / CAMPAIGN).mkdir(parents=True)
    (upl / CAMPAIGN / "热线工单_20230610.csv").write_bytes(HOTLINE)
    first = upload.rebuild(db, sample_root=tmp_path / "no-samples", uploads=upl)
    assert not first.updated_in_place
    page = duckdb.connect(str(db), read_only=True)  # as analytics/queries.py opens it
    try:
        assert page.execute("SELECT count(*) FROM leads").fetchone()[0] == 3
        (upl / CAMPAIGN / "热线工单_20230710.csv").write_bytes(HOTLINE.replace(b"GD2023060", b"GD2023070"))
        result = upload.rebuild(db, sample_root=tmp_path / "no-samples", uploads=upl)
        assert page.execute("SELECT count(*) FROM leads").fetchone()[0] == 3  # (the file it opened)
    finally:
        page.close()
    assert (result.updated_in_place, result.files, result.files_from_cache) == (True, 2, 1)
    assert ip.file_outcome(result, CAMPAIGN, "热线工单_20230710.csv") == \
        "“热线工单_20230710.csv”：导入 3 行，未导入 1 行（见下方红色清单）"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM leads WHERE lead_id LIKE 'GD2023070%'").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == 6


def test_after_an_import_the_files_own_losses_come_apart_from_older_ones(tmp_path):
    """新用户走查：刚导入的文件“导入 3 行，没有未导入的行”，下面红框却写“未导入的行（错误）5 条”——都是别的文件原有的。"""
    upl = tmp_path / "uploads"
    (upl / CAMPAIGN).mkdir(parents=True)
    (upl / CAMPAIGN / "热线工单_旧.csv").write_bytes(HOTLINE)                  # 1 row rejected (某某物流公司)
    (upl / CAMPAIGN / "杂表.csv").write_text("名称,数量\n甲,1\n乙,2\n", encoding="utf-8")  # a sheet not loaded
    clean = b"\n".join(line for line in HOTLINE.splitlines() if "某某物流".encode() not in line).replace(b"GD2023", b"XX2023")
    (upl / CAMPAIGN / "热线工单_新.csv").write_bytes(clean)
    result = upload.rebuild(tmp_path / "d.duckdb", sample_root=tmp_path / "no-samples", uploads=upl,
                            profiles=tmp_path / "profiles")
    assert ip.file_outcome(result, CAMPAIGN, "热线工单_新.csv") == "“热线工单_新.csv”：导入 3 行，没有未导入的行"
    assert ip.not_imported_boxes(result, CAMPAIGN, ("热线工单_新.csv",)) == [
        ("info", "**其他已上传文件中原有的未导入内容**（不是这次上传的文件，以前就有；各条见下表和“导入问题记录”）"
                 "\n- 工作表未导入：杂表.csv，3 行\n- 未导入的行（错误）2 条，见下表")]
    # the old register uploaded again: its own row first, the other file's apart
    assert ip.not_imported_boxes(result, CAMPAIGN, ("热线工单_旧.csv",)) == [
        ("error", "**这次导入的文件中未导入的内容**\n- 未导入的行（错误）1 条，见下表"),
        ("info", "**其他已上传文件中原有的未导入内容**（不是这次上传的文件，以前就有；各条见下表和“导入问题记录”）"
                 "\n- 工作表未导入：杂表.csv，3 行\n- 未导入的行（错误）1 条，见下表")]
    # a rebuild without an upload: one box, as before
    assert ip.not_imported_boxes(result, CAMPAIGN) == [
        ("error", "**未导入的内容**\n- 工作表未导入：杂表.csv，3 行\n- 未导入的行（错误）2 条，见下表")]


def test_a_file_of_another_campaigns_unit_asks_whether_the_campaign_is_wrong():
    """新用户走查：登录后落在海西，上传颍上县的台账，每行都报“缺少可识别的填报单位”，而文件名明明写着颍上县。"""
    haixi, fuyang = load_campaign("haixi-2023"), load_campaign("fuyang-2023")
    hint = ip.other_campaign_hint("颍上县_整改台账_20231010.xlsx", haixi)
    assert hint.startswith(f"文件名中的单位“颍上县交通运输局”属于“{fuyang.short_name}”，不是当前所选的“{haixi.short_name}”")
    assert "是否选错了专项整治" in hint
    assert ip.other_campaign_hint("颍上县_整改台账_20231010.xlsx", fuyang) is None   # its own unit
    assert ip.other_campaign_hint("热线工单_20230610.csv", haixi) is None          # no unit in the name at all
