"""数据探索：即席 SQL 控制台（子进程里只读执行、禁止外部访问、限内存、限时、限行、限字节），数据库结构，保存的查询，Excel/CSV 下载。

逻辑在 dashboard/sql_console.py；本页只有界面。保存的查询中的 $参数 在执行时按侧栏筛选绑定
（$campaign_id、$as_of、$units、$categories、$channels、$survey_year），其余参数在页面上填写。
"""
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import audited_download, auth, db, filters, sql_console
from reports import downloads

K_SQL, K_SAVED, K_RESULT = "exp_sql", "exp_saved", "exp_result"
# 查询框是控件：换到别的页面时 streamlit 会清掉它的值，所以另存一份（K_KEEP）；链接里的 sql= 在会话里第一次
# 打开本页时读（复制的链接打开即是同一条查询，不自动执行）
K_KEEP, K_URL_READ, URL_KEY = "exp_sql_keep", "exp_sql_url_read", "sql"
URL_MAX_CHARS = 2000             # 更长的查询不写进链接（浏览器和服务器对链接长度有限制）
DEFAULT_SQL = "SELECT unit_id, status, count(*) AS 问题数\nFROM problems\nGROUP BY ALL\nORDER BY unit_id, status"

auth.require("console")  # 单位账号、领导没有 SQL 控制台：控制台读的是整个库，不受单位范围限制
st.title("数据探索（SQL）")
st.caption(f"对看板数据库执行只读 SQL：一次一条 SELECT / WITH / DESCRIBE / SHOW / SUMMARIZE / EXPLAIN 查询；"
           f"不能读写文件、连接其他数据库、安装扩展或修改设置；每次最长 {sql_console.TIME_LIMIT:g} 秒、"
           f"内存 {sql_console.MEMORY_MB:,} MB，最多显示和导出 {sql_console.ROW_CAP:,} 行、"
           f"{sql_console.BYTE_BUDGET >> 20} MB，单元格最多 {sql_console.CELL_CAP:,} 字。表的含义见 docs/data-model.md。")

if not db.db_exists():
    st.warning("还没有可用的数据库。请先到“数据管理”生成数据库。", icon=":material/database:")
    st.stop()

f = filters.current()
values = sql_console.filter_values(f)

if not st.session_state.get(K_URL_READ):
    st.session_state[K_URL_READ] = True
    if st.query_params.get(URL_KEY):
        st.session_state[K_KEEP] = st.query_params[URL_KEY]
        st.session_state.pop(K_SQL, None)
if K_SQL not in st.session_state:
    st.session_state[K_SQL] = st.session_state.get(K_KEEP, DEFAULT_SQL)


def _load_saved() -> None:
    name = st.session_state.get(K_SAVED)
    if name:
        st.session_state[K_SQL] = sql_console.saved_query(name)
        st.session_state.pop(K_RESULT, None)


def _scope(text: str, data: pd.DataFrame) -> str | None:
    """结果包含哪些专项整治的数据（查询未按专项整治筛选时，两个专项整治的数据会混在一起）。"""
    try:
        camp = db.run_query("campaigns")
        names = dict(zip(camp["campaign_id"], camp["short_name"].fillna(camp["campaign_id"]), strict=True))
        tables = set(sch.loc[sch["column_name"] == "campaign_id", "table_name"])
        return sql_console.campaign_scope(text, data, tables, names,
                                          lambda t: sql_console.campaigns_present(db.db_path(), t),
                                          values.get("campaign_id"))
    except Exception:  # noqa: BLE001 — the note is a help, never a reason for the page to fail
        return None


left, right = st.columns([1, 3], gap="medium")

# ------------------------------------------------------------------ schema browser
with left:
    st.subheader("数据库结构")
    try:
        sch = sql_console.schema(db.db_path())
    except Exception as e:  # noqa: BLE001 — shown in Chinese, never a traceback
        st.error("无法读取数据库结构：" + sql_console.hide_paths(sql_console.friendly_error(e), db.db_path()))
        sch = pd.DataFrame(columns=["table_name", "table_type", "column_name", "data_type"])
    kinds = {"BASE TABLE": "表", "VIEW": "视图"}
    about = {"campaigns": "专项整治", "stages": "方案阶段", "report_due_dates": "台账报送节点", "units": "单位",
             "categories": "问题方面与表现形式", "submissions": "报送记录", "ledger_snapshots": "整改台账（每期）",
             "problems": "问题最新一期", "leads": "问题线索", "survey_responses": "满意度测评", "survey_unit_scores": "满意度汇总表（按单位）",
             "load_errors": "导入问题记录", "build_info": "生成信息",
             "problem_periods": "问题各期有效期（预计算）", "repeat_complainant_keys": "重复投诉人候选（预计算）",
             "survey_response_scores": "问卷得分（每份一行，预计算）"}
    for (tname, ttype), g in sch.groupby(["table_name", "table_type"], sort=False):
        label = f"{tname} {about[tname]}" if tname in about else tname
        with st.expander(f"{label}（{kinds.get(ttype, ttype)}，{len(g)}列）"):
            st.dataframe(g[["column_name", "data_type"]].rename(columns={"column_name": "列名", "data_type": "类型"}),
                         hide_index=True, key=f"sch_{tname}")

# ------------------------------------------------------------------ editor
with right:
    names = sql_console.saved_queries()
    st.selectbox("从保存的查询开始（queries/ 目录，看板各页面使用的查询）", names, index=None, key=K_SAVED,
                 placeholder="选择一个查询作为起点…", on_change=_load_saved,
                 format_func=lambda n: f"{n} — {sql_console.saved_query_title(n)[:40]}")
    sql = st.text_area("SQL", key=K_SQL, height=260,
                       help="可以用 `$campaign_id`、`$as_of`、`$units`、`$categories`、`$channels`、`$survey_year`，"
                            "执行时按侧栏筛选取值（`$survey_year` 取统计日所在年度）。")
    st.session_state[K_KEEP] = sql
    if sql and sql != DEFAULT_SQL and len(sql) <= URL_MAX_CHARS:
        if st.query_params.get(URL_KEY) != sql:
            st.query_params[URL_KEY] = sql
    elif URL_KEY in st.query_params:
        del st.query_params[URL_KEY]
    if sql and len(sql) > URL_MAX_CHARS:
        st.caption(f"查询超过 {URL_MAX_CHARS:,} 字，没有写进链接（本会话内换页面后仍保留）。")
    params = sql_console.sql_params(sql or "")
    extra: dict = {}
    if params:
        bound = [p for p in params if p in values]
        if bound:
            def _show(v):
                if isinstance(v, list | tuple):
                    return "[" + "、".join(map(str, v)) + "]" if v else "[]（全部）"
                return v.isoformat() if isinstance(v, date) else str(v)
            st.caption("参数按侧栏筛选取值：" + "；".join(f"`${p}` = {_show(values[p])}" for p in bound))
        for p in params:
            if p not in values:
                extra[p] = st.text_input(f"参数 `${p}` 的值", key=f"exp_param_{p}",
                                         help="这个参数不在侧栏筛选中，请填写（按文本传入）。")
    run = st.button("执行查询", type="primary", icon=":material/play_arrow:")
    if run:
        try:
            ctx = get_script_run_ctx()
            res = sql_console.run_console(sql, db.db_path(), params={**values, **extra},
                                          session=ctx.session_id if ctx else None)
            st.session_state[K_RESULT] = {"ok": True, "df": res.data, "notices": res.notices,
                                          "seconds": res.seconds, "scope": _scope(sql, res.data)}
        except sql_console.ConsoleError as e:
            st.session_state[K_RESULT] = {"ok": False, "error": str(e)}
        except Exception as e:  # noqa: BLE001 — any other failure: plain Chinese, no traceback
            st.session_state[K_RESULT] = {"ok": False, "error": sql_console.hide_paths(
                sql_console.friendly_error(e), db.db_path())}
        done = st.session_state[K_RESULT]
        auth.record("console_query", target=sql[:4000], ok=done["ok"],
                    detail={"行数": len(done["df"])} if done["ok"] else {"错误": done["error"][:500]})

    result = st.session_state.get(K_RESULT)
    if result:
        if not result["ok"]:
            st.error(result["error"].replace("$", "\\$"), icon=":material/error:")
        else:
            df = result["df"]
            for note in result.get("notices", []):
                st.warning(note, icon=":material/content_cut:")
            st.caption(f"共 {len(df):,} 行 × {len(df.columns)} 列，用时 {result['seconds']:.2f} 秒。")
            if result.get("scope"):
                st.info(result["scope"], icon=":material/filter_alt:")
            if df.empty:
                st.info("查询没有返回任何行。", icon=":material/info:")
            else:
                st.dataframe(df, hide_index=True, key="exp_table")
            stamp = date.today().strftime("%Y%m%d")
            c1, c2, _ = st.columns([1, 1, 2])
            try:
                audited_download.download_button("下载 Excel", downloads.xlsx_bytes(df), f"查询结果_{stamp}.xlsx",
                                                 what="数据探索查询结果（Excel）", container=c1,
                                                 mime=downloads.XLSX_MIME, icon=":material/download:",
                                                 key="exp_dl_xlsx")
            except Exception as e:  # noqa: BLE001
                c1.error(f"无法生成 Excel 文件：{type(e).__name__}")
            audited_download.download_button("下载 CSV", downloads.csv_bytes(df), f"查询结果_{stamp}.csv",
                                             what="数据探索查询结果（CSV）", container=c2, mime=downloads.CSV_MIME,
                                             icon=":material/download:", key="exp_dl_csv")
