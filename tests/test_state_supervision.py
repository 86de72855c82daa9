"""督办事项（state/supervision.py）：交办 → 反馈（带佐证材料）→ 退回 → 再反馈 → 核查 → 销号，每步的历史和审计；
错误的状态转换被拒；单位只看得到、只能处理本单位的事项；佐证文件按 SHA-256 存取、文件名消毒、超大或类型不对
的拒收；反馈里的电话号码不落库；重建看板数据库不动督办事项。SQLite 和真实 PostgreSQL 上各跑一遍。
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import func, select

from analytics.scope import UnitScope
from etl.normalize.privacy import scrub_phones
from state import accounts, passwords
from state import supervision as sv
from state.evidence_files import MAX_FILE_BYTES, safe_file_name
from state.schema import audit_log, supervision_events, supervision_evidence, supervision_items
from state.store import StateStore
from tests import pg_server

postgres_url = pg_server.postgres_url
state_db_url = pg_server.state_db_url

T0 = datetime(2023, 9, 27, 1, 0, tzinfo=UTC)  # 09:00 北京时间
CAMPAIGN = "fuyang-2023"
PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50
XLSX = b"PK\x03\x04" + b"\x00" * 60


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture()
def evidence(tmp_path, monkeypatch):
    folder = tmp_path / "evidence"
    monkeypatch.setenv("DASHBOARD_EVIDENCE", str(folder))
    return folder


@pytest.fixture()
def store(state_db_url, evidence):
    s = StateStore(state_db_url)
    s.migrate()
    accounts.add_account(s, "zhuanban", "office", password="Supervise-2023", actor="系统")
    accounts.add_account(s, "linquan1", "unit", unit_id="linquan", campaign_id=CAMPAIGN, password="Supervise-2023",
                         actor="zhuanban")
    yield s
    s.dispose()


def new_item(store, unit_id="linquan", **kw) -> int:
    args = dict(campaign_id=CAMPAIGN, unit_id=unit_id, source="周例会", title="逾期问题整改",
                requirement="9月底前完成3个逾期问题的整改并报送佐证材料", owner="王科长",
                deadline=date(2023, 10, 10), deadline_rule="交办后5个工作日",
                links=[("problem", "F03-0012", "执法程序不规范"), ("unit", unit_id, "本单位")], actor="zhuanban",
                now=T0)
    return sv.create_item(store, **(args | kw))


def audit_rows(store) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(audit_log.c.actor, audit_log.c.role, audit_log.c.action, audit_log.c.target, audit_log.c.detail)
            .where(audit_log.c.action.like("supervision_%")).order_by(audit_log.c.id))]


def counts(store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar()
                     for t in (supervision_events, supervision_evidence, audit_log))


def test_create_keeps_links_and_writes_history_and_audit(store):
    item_id = new_item(store)
    item = sv.get_item(store, item_id)
    assert {k: item[k] for k in ("campaign_id", "unit_id", "source", "title", "owner", "deadline", "deadline_rule",
                                 "status", "created_by", "closed_at", "notice_number")} == {
        "campaign_id": CAMPAIGN, "unit_id": "linquan", "source": "周例会", "title": "逾期问题整改", "owner": "王科长",
        "deadline": date(2023, 10, 10), "deadline_rule": "交办后5个工作日", "status": "督办中",
        "created_by": "zhuanban", "closed_at": None, "notice_number": None}
    assert item["created_at"] == item["updated_at"] == T0
    assert item["links"] == [{"kind": "problem", "ref": "F03-0012", "label": "执法程序不规范"},
                             {"kind": "unit", "ref": "linquan", "label": "本单位"}]
    assert [(e["action"], e["actor"], e["at"], e["from_status"], e["to_status"]) for e in item["events"]] == \
        [("created", "zhuanban", T0, None, "督办中")]
    (row,) = audit_rows(store)
    assert row[:4] == ("zhuanban", "office", "supervision_created", f"督办事项 {item_id}")
    assert json.loads(row[4]) == {"campaign_id": CAMPAIGN, "unit_id": "linquan", "source": "周例会",
                                  "deadline": "2023-10-10", "links": 2}


def test_walk_from_feedback_through_return_to_closing(store, evidence):
    item_id = new_item(store)
    t = [T0 + timedelta(days=n) for n in range(1, 6)]
    assert sv.add_feedback(store, item_id, "已整改2个，附整改报告", [("整改报告.pdf", PDF)], "linquan1", "linquan",
                           now=t[0]) == "已反馈"
    assert sv.return_item(store, item_id, "第3个问题未整改", "zhuanban", now=t[1]) == "督办中"
    assert sv.add_feedback(store, item_id, "3个问题均已整改", [("台账.xlsx", XLSX), ("现场.png", PNG)], "linquan1",
                           "linquan", now=t[2]) == "已反馈"
    assert sv.verify(store, item_id, "现场核查属实", "zhuanban", now=t[3]) == "已核查"
    assert sv.close(store, item_id, "", "zhuanban", now=t[4]) == "已销号"

    item = sv.get_item(store, item_id, scope="linquan")
    assert [(e["action"], e["actor"], e["at"], e["from_status"], e["to_status"], e["note"]) for e in item["events"]] == [
        ("created", "zhuanban", T0, None, "督办中", None),
        ("feedback", "linquan1", t[0], "督办中", "已反馈", "已整改2个，附整改报告"),
        ("returned", "zhuanban", t[1], "已反馈", "督办中", "第3个问题未整改"),
        ("feedback", "linquan1", t[2], "督办中", "已反馈", "3个问题均已整改"),
        ("verified", "zhuanban", t[3], "已反馈", "已核查", "现场核查属实"),
        ("closed", "zhuanban", t[4], "已核查", "已销号", None),
    ]
    assert (item["status"], item["closed_at"], item["updated_at"]) == ("已销号", t[4], t[4])
    events = {e["id"]: e["action"] for e in item["events"]}
    assert [(events[e["event_id"]], e["file_name"], e["actor"], e["at"]) for e in item["evidence"]] == [
        ("feedback", "整改报告.pdf", "linquan1", t[0]), ("feedback", "台账.xlsx", "linquan1", t[2]),
        ("feedback", "现场.png", "linquan1", t[2])]
    assert item["evidence"][1]["event_id"] == item["evidence"][2]["event_id"] != item["evidence"][0]["event_id"]

    assert [r[:4] for r in audit_rows(store)] == [
        ("zhuanban", "office", "supervision_created", f"督办事项 {item_id}"),
        ("linquan1", "unit", "supervision_feedback", f"督办事项 {item_id}"),
        ("zhuanban", "office", "supervision_returned", f"督办事项 {item_id}"),
        ("linquan1", "unit", "supervision_feedback", f"督办事项 {item_id}"),
        ("zhuanban", "office", "supervision_verified", f"督办事项 {item_id}"),
        ("zhuanban", "office", "supervision_closed", f"督办事项 {item_id}"),
    ]
    assert json.loads(audit_rows(store)[3][4]) == {"from": "督办中", "to": "已反馈", "unit_id": "linquan",
                                                  "files": ["台账.xlsx", "现场.png"]}
    listed = sv.list_items(store, campaign_id=CAMPAIGN)
    assert listed[["id", "status", "last_feedback"]].values.tolist() == [[item_id, "已销号", "3个问题均已整改"]]
    assert listed.loc[0, "closed_at"].isoformat() == "2023-10-02T09:00:00+08:00"  # 显示时区：北京时间


@pytest.mark.parametrize(("steps", "call", "message"), [
    ([], lambda s, i: sv.close(s, i, "", "zhuanban"), "当前为“督办中”，只有“已核查”的事项才能销号"),
    ([], lambda s, i: sv.verify(s, i, "", "zhuanban"), "当前为“督办中”，只有“已反馈”的事项才能核查"),
    ([], lambda s, i: sv.return_item(s, i, "不行", "zhuanban"), "当前为“督办中”，只有“已反馈”的事项才能退回"),
    (["feedback"], lambda s, i: sv.add_feedback(s, i, "再报", [], "linquan1", "linquan"),
     "当前为“已反馈”，只有“督办中”的事项才能反馈"),
    (["feedback"], lambda s, i: sv.close(s, i, "", "zhuanban"), "当前为“已反馈”，只有“已核查”的事项才能销号"),
    (["feedback"], lambda s, i: sv.return_item(s, i, "  ", "zhuanban"), "请填写退回理由"),
    (["feedback", "verify"], lambda s, i: sv.return_item(s, i, "不行", "zhuanban"),
     "当前为“已核查”，只有“已反馈”的事项才能退回"),
    (["feedback", "verify", "close"], lambda s, i: sv.verify(s, i, "", "zhuanban"),
     "当前为“已销号”，只有“已反馈”的事项才能核查"),
    (["feedback", "verify", "close"], lambda s, i: sv.edit_item(s, i, actor="zhuanban", owner="李四"),
     "已销号，不能再修改"),
    ([], lambda s, i: sv.add_feedback(s, i, " \n", [("a.pdf", PDF)], "linquan1", "linquan"), "请填写反馈内容"),
    ([], lambda s, i: sv.verify(s, 999, "", "zhuanban"), "没有编号为 999 的督办事项"),
])
def test_wrong_steps_are_refused_and_change_nothing(store, steps, call, message):
    item_id = new_item(store)
    do = {"feedback": lambda: sv.add_feedback(store, item_id, "已整改", [], "linquan1", "linquan"),
          "verify": lambda: sv.verify(store, item_id, "", "zhuanban"),
          "close": lambda: sv.close(store, item_id, "", "zhuanban")}
    for step in steps:
        do[step]()
    before = (counts(store), sv.get_item(store, item_id)["status"])
    with pytest.raises(sv.SupervisionError, match=message):
        call(store, item_id)
    assert (counts(store), sv.get_item(store, item_id)["status"]) == before


def test_a_unit_sees_and_answers_only_its_own_items(store):
    mine = new_item(store, "linquan")
    theirs = new_item(store, "taihe", title="太和县约谈事项", source="约谈")
    sv.add_feedback(store, theirs, "太和已整改", [("太和.pdf", PDF)], "taihe1", "taihe")
    (evidence_id,) = [e["id"] for e in sv.get_item(store, theirs)["evidence"]]

    assert sv.list_items(store, scope="linquan")["id"].tolist() == [mine]
    assert sv.list_items(store, scope=UnitScope("linquan", CAMPAIGN))["id"].tolist() == [mine]
    assert sv.list_items(store, scope=UnitScope("linquan", "haixi-2023")).empty  # 同名单位，另一个专项整治
    assert sv.list_items(store, scope="").empty  # 没有所属单位的单位账号：什么也看不到
    assert sorted(sv.list_items(store)["id"]) == [mine, theirs]
    # 单位范围和单位筛选同时给出：取交集，不会扩大范围
    assert sv.list_items(store, scope="linquan", unit_ids=["taihe"]).empty

    before = (counts(store), sv.get_item(store, theirs)["status"])
    for call in (lambda: sv.get_item(store, theirs, scope="linquan"),
                 lambda: sv.get_item(store, mine, scope=UnitScope("linquan", "haixi-2023")),
                 lambda: sv.add_feedback(store, theirs, "替别人反馈", [("x.pdf", PDF)], "linquan1", "linquan"),
                 lambda: sv.evidence_bytes(store, evidence_id, scope="linquan")):
        with pytest.raises(sv.SupervisionError, match="^无权查看或处理其他单位的督办事项$"):
            call()
    assert (counts(store), sv.get_item(store, theirs)["status"]) == before
    assert sv.get_item(store, mine, scope="linquan")["title"] == "逾期问题整改"
    assert sv.evidence_bytes(store, evidence_id, scope="taihe") == ("太和.pdf", PDF)


def test_evidence_is_stored_by_sha256_and_read_back(store, evidence):
    item_id = new_item(store)
    sv.add_feedback(store, item_id, "见附件", [("整改报告.pdf", PDF), ("现场照片.png", PNG)], "linquan1", "linquan")
    rows = sv.get_item(store, item_id)["evidence"]
    sha = hashlib.sha256(PDF).hexdigest()
    assert [(r["file_name"], r["size"], r["sha256"], r["stored_as"]) for r in rows] == [
        ("整改报告.pdf", len(PDF), sha, f"{item_id}/{sha[:16]}-整改报告.pdf"),
        ("现场照片.png", len(PNG), hashlib.sha256(PNG).hexdigest(),
         f"{item_id}/{hashlib.sha256(PNG).hexdigest()[:16]}-现场照片.png")]
    assert (evidence / rows[0]["stored_as"]).read_bytes() == PDF
    assert sorted(p.name for p in (evidence / str(item_id)).iterdir()) == sorted(
        r["stored_as"].split("/")[1] for r in rows)
    assert sv.evidence_bytes(store, rows[0]["id"], scope="linquan") == ("整改报告.pdf", PDF)

    (evidence / rows[1]["stored_as"]).write_bytes(PNG + b"x")
    with pytest.raises(sv.SupervisionError, match="已被改动"):
        sv.evidence_bytes(store, rows[1]["id"])
    (evidence / rows[0]["stored_as"]).unlink()
    with pytest.raises(sv.SupervisionError, match="文件不存在"):
        sv.evidence_bytes(store, rows[0]["id"])


@pytest.mark.parametrize(("given", "safe"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\system.ini.png", "system.ini.png"),
    ("a\x00b\x1b[31m\x7f.pdf", "ab[31m.pdf"),                # control characters dropped
    ("报告\n第二行\t.docx", "报告 第二行.docx"),
    ("\u202egpj.exe.pdf", "gpj.exe.pdf"),                 # right-to-left override dropped
    (".hidden.pdf", "hidden.pdf"),
    (".pdf", "附件.pdf"),
    ("a<b>:c|d?.csv", "a_b__c_d_.csv"),
    ("整改.PDF. . ", "整改.pdf"),
    ("张三13812345678回访.jpg", "张三*******5678回访.jpg"),
])
def test_hostile_file_names_are_made_safe(given, safe):
    assert safe_file_name(given) == safe


def test_a_very_long_name_keeps_its_extension_within_150_bytes(store, evidence):
    name = safe_file_name("很" * 300 + ".pdf")
    assert name == "很" * 48 + ".pdf" and len(name.encode()) == 148
    item_id = new_item(store)
    sv.add_feedback(store, item_id, "见附件", [("../../" + "很" * 300 + ".pdf", PDF),
                                             ("张三13812345678.jpg", b"\xff\xd8\xff\xe0" + b"1" * 20)],
                    "linquan1", "linquan")
    stored = [r["stored_as"] for r in sv.get_item(store, item_id)["evidence"]]
    assert all(".." not in s and s.startswith(f"{item_id}/") for s in stored)
    assert stored[1].endswith("-张三_______5678.jpg")  # the mask's * is not used on disk
    assert sorted(p.relative_to(evidence).as_posix() for p in evidence.rglob("*") if p.is_file()) == sorted(stored)


@pytest.mark.parametrize(("files", "message"), [
    ([("big.pdf", PDF + b"0" * (MAX_FILE_BYTES - len(PDF) + 1))], "大小 20.0 MB，超过每个文件 20 MB 的上限"),
    ([("tool.exe", b"MZ" + b"0" * 10)], "类型不允许：只收 xlsx、xls、csv、pdf、docx、doc、jpg、jpeg、png 文件"),
    ([("报告", PDF)], "“报告”的类型不允许"),
    ([("tool.pdf", b"MZ" + b"0" * 10)], "“tool.pdf”的内容不是 .pdf 文件"),
    ([("a.docx", PDF)], "内容不是 .docx 文件"),
    ([("a.csv", b"a,b\x00c")], "内容不是 .csv 文件"),
    ([("空.pdf", b"")], "“空.pdf”是空文件"),
    ([(f"{n}.pdf", PDF) for n in range(6)], "每次反馈最多附 5 个文件，本次 6 个"),
])
def test_bad_files_are_refused_and_nothing_is_kept(store, evidence, files, message):
    item_id = new_item(store)
    before = counts(store)
    with pytest.raises(sv.SupervisionError, match=message):
        sv.add_feedback(store, item_id, "见附件", files, "linquan1", "linquan")
    assert counts(store) == before and sv.get_item(store, item_id)["status"] == "督办中"
    assert not evidence.exists() or not any(evidence.rglob("*.*"))


def test_accepted_sizes_and_old_office_formats(store, evidence):
    item_id = new_item(store)
    files = [("最大.pdf", PDF + b"0" * (MAX_FILE_BYTES - len(PDF))), ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
             ("网页导出.xls", b"\xef\xbb\xbf<html><table>"), ("数据.csv", "单位,整改率\n临泉,0.9\n".encode()),
             ("说明.doc", b"{\\rtf1 ...}")]
    sv.add_feedback(store, item_id, "见附件", files, "linquan1", "linquan")
    assert [(r["file_name"], r["size"]) for r in sv.get_item(store, item_id)["evidence"]] == \
        [(n, len(b)) for n, b in files]
    assert (evidence / sv.get_item(store, item_id)["evidence"][0]["stored_as"]).stat().st_size == 20 * 1024 * 1024


def test_phone_numbers_never_reach_the_store(store):
    text = "已电话联系投诉人13812345678，并回访0558-1234567，群众满意"
    item_id = new_item(store, title="回访13900001111反映的问题", requirement="联系18655556666核实")
    sv.add_feedback(store, item_id, text, [], "linquan1", "linquan")
    item = sv.get_item(store, item_id)
    assert item["events"][1]["note"] == scrub_phones(text) == "已电话联系投诉人*******5678，并回访0558-*****67，群众满意"
    assert (item["title"], item["requirement"]) == ("回访*******1111反映的问题", "联系*******6666核实")
    assert sv.list_items(store)["last_feedback"].tolist() == [scrub_phones(text)]
    with store.engine.connect() as conn:
        everything = " ".join(str(v) for t in (supervision_items, supervision_events, audit_log)
                              for row in conn.execute(select(t)) for v in row)
    for phone in ("13812345678", "1234567", "13900001111", "18655556666"):
        assert phone not in everything


def test_creation_is_checked(store):
    for kw, message in (({"source": "电话"}, "督办来源须为 周例会、约谈、挂牌督办、领导批示、专班交办 之一"),
                        ({"unit_id": "nowhere"}, "专项整治 fuyang-2023 中没有单位 nowhere"),
                        ({"campaign_id": "x-2023"}, "未知专项整治：x-2023"),
                        ({"title": " "}, "请填写督办事项标题"),
                        ({"title": "长" * 201}, "督办事项标题不能超过 200 个字，现有 201 个字"),
                        ({"links": [("case", "1", "")]}, "关联对象类型须为 problem、lead、unit（问题、线索、单位）"),
                        ({"deadline": "2023-10-10"}, "期限须为日期")):
        with pytest.raises(sv.SupervisionError, match=message):
            new_item(store, **kw)
    assert counts(store)[0] == 0


def test_edit_records_old_and_new_values(store):
    item_id = new_item(store)
    sv.edit_item(store, item_id, actor="zhuanban", owner="李科长", deadline=date(2023, 10, 12),
                 now=T0 + timedelta(hours=2))
    sv.edit_item(store, item_id, actor="zhuanban", owner="李科长")  # no change: no event
    item = sv.get_item(store, item_id)
    assert (item["owner"], item["deadline"], item["deadline_rule"]) == ("李科长", date(2023, 10, 12), None)
    assert [(e["action"], e["from_status"], e["to_status"], e["note"]) for e in item["events"]][1:] == [
        ("edited", "督办中", "督办中", "责任人：王科长 → 李科长；期限：2023-10-10 → 2023-10-12")]
    assert [(r[2], json.loads(r[4])) for r in audit_rows(store)][1:] == [
        ("supervision_edited", {"fields": ["owner", "deadline"]})]


def test_notice_is_recorded_on_each_item_and_once_in_the_log(store):
    a, b = new_item(store), new_item(store, title="第二件")
    other = new_item(store, "taihe")
    sv.record_notice(store, [b, a, a], "督办〔2023〕3号", "命令行:office", now=T0 + timedelta(days=1))
    listed = sv.list_items(store).set_index("id")["notice_number"].to_dict()
    assert listed == {a: "督办〔2023〕3号", b: "督办〔2023〕3号", other: ""}
    assert [(e["action"], e["actor"], e["note"]) for e in sv.get_item(store, a)["events"]][1:] == [
        ("noticed", "命令行:office", "督办〔2023〕3号")]
    (row,) = [r for r in audit_rows(store) if r[2] == "supervision_noticed"]
    assert row[:4] == ("命令行:office", None, "supervision_noticed", "督办〔2023〕3号")
    assert json.loads(row[4]) == {"items": [a, b], "unit_ids": ["linquan"]}


def test_list_filters_and_order(store):
    late = new_item(store, deadline=date(2023, 10, 20))
    early = new_item(store, deadline=date(2023, 10, 9))
    taihe = new_item(store, "taihe", deadline=date(2023, 10, 15))
    sv.add_feedback(store, early, "已整改", [], "linquan1", "linquan")
    df = sv.list_items(store, campaign_id=CAMPAIGN)
    assert list(df.columns) == sv.LIST_COLUMNS
    assert df["id"].tolist() == [early, taihe, late]  # by deadline
    assert df["deadline"].tolist() == [date(2023, 10, 9), date(2023, 10, 15), date(2023, 10, 20)]
    assert sv.list_items(store, statuses=["督办中"])["id"].tolist() == [taihe, late]
    assert sv.list_items(store, unit_ids=["taihe"])["id"].tolist() == [taihe]
    assert sv.list_items(store, campaign_id="haixi-2023").empty
    assert df["last_feedback"].tolist() == ["已整改", "", ""]


def _snapshot(store) -> tuple:
    listed = sv.list_items(store)
    return listed.to_dict("records"), [sv.get_item(store, i) for i in listed["id"]]


def test_rebuilding_the_dashboard_database_keeps_every_item(tmp_path, evidence, monkeypatch):
    """upload.rebuild (the upload page's 重建) writes only the analytics DuckDB file."""
    from dashboard import upload
    from state.store import close_store, open_store

    url = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
    monkeypatch.setenv("DASHBOARD_STATE_URL", url)
    store = open_store(url)
    first = new_item(store)
    new_item(store, "taihe", source="挂牌督办", title="挂牌督办：线索超期")
    sv.add_feedback(store, first, "已整改", [("整改报告.pdf", PDF)], "linquan1", "linquan")
    sv.verify(store, first, "属实", "zhuanban")
    before = _snapshot(store)
    files_before = {p: p.read_bytes() for p in evidence.rglob("*") if p.is_file()}

    db = tmp_path / "db" / "dashboard.duckdb"
    result = upload.rebuild(db, uploads=tmp_path / "uploads")
    assert db.is_file() and result.summary_rows()  # a real build happened (the bundled sample)

    close_store(url)  # read back through a new engine
    after = _snapshot(open_store(url))
    assert len(after[0]) == 2 and after == before
    assert [e["action"] for e in after[1][0]["events"]] == ["created", "feedback", "verified"]
    assert {p: p.read_bytes() for p in evidence.rglob("*") if p.is_file()} == files_before
    close_store(url)
