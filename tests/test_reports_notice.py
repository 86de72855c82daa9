"""督办通知单：python -m reports notice --red 为每个红色单位生成一份 .docx（python-docx 读回），其中的逾期问题、
超期线索恰好是该单位的（与独立 SQL 对照），不出现其他单位的名称和事项，不含投诉人信息；下发记录在该单位未销号的
督办事项上（编号、历史）和审计日志中（命令行:<操作系统用户>），编号按年度顺排。"""
from __future__ import annotations

import getpass
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from docx import Document

from analytics.filters import Filters
from analytics.page_data.unit_progress import units_with_lagging
from analytics.queries import QueryRunner
from etl.config import load_campaign
from reports.__main__ import main as reports_main
from state import supervision as sv
from state.audit import list_events
from state.store import close_store, open_store
from tests._reports_common import build_sample_db

AS_OF = date(2023, 9, 21)
CAMPAIGNS = ("fuyang-2023", "haixi-2023")
ACTOR = f"命令行:{getpass.getuser()}"

OVERDUE_PROBLEMS = """
WITH snap AS (
    SELECT * FROM ledger_snapshots WHERE campaign_id = $c AND as_of_date <= CAST($d AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT case_text, CAST(deadline AS VARCHAR) FROM snap
WHERE unit_id = $u AND deadline_kind = 'date' AND deadline < CAST($d AS DATE) AND status IN ('未整改', '整改中')
"""
OVERDUE_LEADS = """
SELECT lead_id, complainant_masked, phone_masked FROM leads
WHERE campaign_id = $c AND unit_id = $u AND coalesce(received_date, assigned_date) <= CAST($d AS DATE)
  AND (concluded_date IS NULL OR concluded_date > CAST($d AS DATE)) AND due_date < CAST($d AS DATE)
"""


def _sql(db: Path, sql: str, **params) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _red(db: Path, cid: str) -> list[str]:
    r = QueryRunner(db)
    try:
        camps = r.run("campaigns")
        f = Filters(cid, AS_OF, None, campaign=camps[camps["campaign_id"] == cid].iloc[0].to_dict())
        u = units_with_lagging(r.run, f)
        return u.loc[u["lagging_state"] == "红", "unit_id"].tolist()
    finally:
        r.close()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """示例库；临时状态库里每个红色单位一个在办、一个已销号的督办事项，另有一个非红色单位的事项；然后 --red 下发。"""
    root = tmp_path_factory.mktemp("notice")
    db = build_sample_db(root)
    url = f"sqlite:///{root / 'state.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_STATE_URL", url)
    store = open_store(url)
    red = {cid: _red(db, cid) for cid in CAMPAIGNS}
    items = {}
    for cid in CAMPAIGNS:
        camp = load_campaign(cid)
        for unit in red[cid]:
            open_id = sv.create_item(store, campaign_id=cid, unit_id=unit, source="周例会", title=f"{unit}逾期问题清零",
                                     requirement="逾期问题全部整改到位", owner="主要负责人", deadline=date(2023, 9, 26),
                                     actor="专班")
            closed_id = sv.create_item(store, campaign_id=cid, unit_id=unit, source="约谈", title=f"{unit}已办结事项",
                                       requirement="报送整改方案", owner="", deadline=date(2023, 9, 1), actor="专班")
            sv.add_feedback(store, closed_id, "已报送", [], actor="单位")
            sv.verify(store, closed_id, "", actor="专班")
            sv.close(store, closed_id, "", actor="专班")
            items[unit] = (open_id, closed_id)
        other = next(u.id for u in camp.units if u.id not in red[cid])
        items[other] = (sv.create_item(store, campaign_id=cid, unit_id=other, source="专班交办", title="非红色单位的事项",
                                       requirement="按期办结", owner="", deadline=date(2023, 9, 22), actor="专班"), None)
    out = root / "out"
    for cid in CAMPAIGNS:
        assert reports_main(["notice", "--campaign", cid, "--as-of", AS_OF.isoformat(), "--red", "--out", str(out),
                             "--db", str(db)]) == 0
    yield db, store, red, items, out
    mp.undo()
    close_store(url)


def _no_number(value) -> bool:
    return not isinstance(value, str) or value == ""


def _doc_text(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] +
                     [c.text for t in doc.tables for row in t.rows for c in row.cells])


def _table(doc, second_header: str) -> list[list[str]]:
    t = next(t for t in doc.tables if t.rows[0].cells[1].text == second_header)
    return [[c.text for c in r.cells] for r in t.rows[1:]]


def _notice(out: Path, unit_name: str) -> tuple[str, Document]:
    path = next(p for p in out.glob("*.docx") if p.stem.endswith("_" + unit_name))
    return re.search(r"督办〔\d{4}〕\d+号", path.name)[0], Document(str(path))


def test_one_notice_per_red_unit_numbered_in_order(setup):
    db, _, red, _, out = setup
    assert all(red.values()), "示例数据每个专项整治都应有红色单位"
    files = sorted(out.glob("*.docx"))
    assert len(files) == sum(len(v) for v in red.values())
    numbers = sorted(int(re.search(r"〕(\d+)号", p.name)[1]) for p in files)
    assert numbers == list(range(1, len(files) + 1))


@pytest.mark.parametrize("cid", CAMPAIGNS)
def test_notice_lists_exactly_the_units_overdue_problems_and_leads(setup, cid):
    db, store, red, items, out = setup
    camp = load_campaign(cid)
    for unit in red[cid]:
        name = camp.unit(unit).name
        number, doc = _notice(out, name)
        paras = [p.text for p in doc.paragraphs]
        assert paras[:4] == [camp.office, "督办通知单", number, f"{name}："]
        problems = _sql(db, OVERDUE_PROBLEMS, c=cid, d=AS_OF, u=unit)
        leads = _sql(db, OVERDUE_LEADS, c=cid, d=AS_OF, u=unit)
        assert sorted((r[2], r[3]) for r in _table(doc, "问题方面")) == sorted(problems)
        assert sorted(r[1] for r in _table(doc, "线索编号")) == sorted(r[0] for r in leads)
        assert f"逾期未整改问题{len(problems)}个、超期未办结线索{len(leads)}件、未销号的督办事项1项" in paras[4]
        # 只有本单位未销号的督办事项：编号、期限、剩余工作日（9-22、9-25、9-26 → 3）、蓝色
        assert _table(doc, "来源") == [[str(items[unit][0]), "周例会", f"{unit}逾期问题清零", "逾期问题全部整改到位",
                                        "2023-09-26", "3", "督办中", "蓝"]]
        text = _doc_text(doc)
        others = [u.name for u in camp.units if u.id != unit and u.name not in name]
        assert not [o for o in others if o in text]
        # 投诉人、电话：连脱敏后的也不出现
        assert not re.search(r"\*{3,}|1[3-9]\d{9}", text)
        assert not {c for _, c, _ in leads if c} & set(re.findall(r"\S\*+", text))


def test_notice_is_recorded_on_the_units_open_items_and_in_the_audit_log(setup):
    db, store, red, items, out = setup
    events = list_events(store, action="supervision_noticed", limit=None)
    assert len(events) == sum(len(v) for v in red.values())
    assert set(events["actor"]) == {ACTOR}
    listed = sv.list_items(store).set_index("id")
    for cid in CAMPAIGNS:
        camp = load_campaign(cid)
        for unit in red[cid]:
            number, _ = _notice(out, camp.unit(unit).name)
            open_id, closed_id = items[unit]
            assert listed.loc[open_id, "notice_number"] == number
            assert _no_number(listed.loc[closed_id, "notice_number"])
            last = sv.get_item(store, open_id)["events"][-1]
            assert (last["action"], last["actor"], last["note"]) == ("noticed", ACTOR, number)
            assert number in set(events["target"])
    others = [i for u, (i, _) in items.items() if not any(u in v for v in red.values())]
    assert all(_no_number(v) for v in listed.loc[others, "notice_number"])


def test_single_unit_notice_takes_the_next_number(setup, capsys):
    db, store, red, items, out = setup
    one = out.parent / "one"
    n = sum(len(v) for v in red.values())
    unit = next(u for u, (_, closed) in items.items() if closed is None and u in {x.id for x in
                load_campaign("fuyang-2023").units})
    assert reports_main(["notice", "--campaign", "fuyang-2023", "--as-of", AS_OF.isoformat(), "--unit", unit,
                         "--out", str(one), "--db", str(db)]) == 0
    name = load_campaign("fuyang-2023").unit(unit).name
    number, doc = _notice(one, name)
    assert number == f"督办〔2023〕{n + 1}号"
    assert _table(doc, "来源")[0][2] == "非红色单位的事项"
    assert sv.list_items(store).set_index("id").loc[items[unit][0], "notice_number"] == number
    assert f"督办通知单已生成：{one}" in capsys.readouterr().out


def test_unknown_unit_is_refused_in_chinese(setup):
    db, *_ , out = setup
    with pytest.raises(SystemExit, match="无法识别的单位"):
        reports_main(["notice", "--campaign", "fuyang-2023", "--as-of", "2023-09-21", "--unit", "不存在县",
                      "--out", str(out), "--db", str(db)])
