"""单位账号的数据范围：在读数据的地方把账号所属单位绑定进每一次查询（唯一的一处）。

做法：对执行查询的 cursor 建同名的临时视图，遮住库里的表——临时对象先于库内对象解析，
库内的视图与口径宏（etl/sql/views.sql）里引用的表也换成只含本单位的行；单位编号用
``SET VARIABLE`` 绑定参数传入，不拼进 SQL。临时视图只属于这个 cursor，别的查询不受影响。

库里的每张表都必须在下面三组之一（tests/test_unit_scope.py 按 etl/schema.sql 检查），
新加的表不会悄悄漏出别的单位的数据。
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

SCOPE_VARIABLE = "dashboard_scope_unit"
CAMPAIGN_VARIABLE = "dashboard_scope_campaign"

# 有 unit_id 的表：只留本单位的行
# （problem_periods、repeat_complainant_keys、repeat_complainant_leads、survey_response_scores、
#   survey_unit_year_scores、survey_dimension_scores、lead_unit_periods、lead_overdue_spans 由 etl/sql/precompute.sql 预先算好，口径宏和查询读它们，同样要限定）
BY_UNIT = ("units", "submissions", "ledger_snapshots", "leads", "survey_responses", "survey_unit_scores",
           "problem_periods", "repeat_complainant_keys", "repeat_complainant_leads", "survey_response_scores",
           "survey_unit_year_scores", "survey_dimension_scores", "lead_unit_periods", "lead_overdue_spans")
# 没有 unit_id、按所属报送文件归属单位的表
BY_SUBMISSION = ("load_errors", "duplicate_rows")
# 不含任何单位的数据：方案、阶段、报送节点、问题类别、生成信息
UNIT_FREE = ("campaigns", "stages", "report_due_dates", "categories", "build_info")


class ScopeError(RuntimeError):
    """无法限定数据范围（中文信息）：宁可不查，也不返回全部单位的数据。"""


@dataclass(frozen=True)
class UnitScope:
    """单位账号的数据范围：一个单位；账号属于某个专项整治时只含该专项整治（各地的单位编号可能相同）。"""
    unit_id: str
    campaign_id: str | None = None


def as_scope(scope: UnitScope | str | None) -> UnitScope | None:
    return UnitScope(scope) if isinstance(scope, str) else scope


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def restrict_to_unit(cur: duckdb.DuckDBPyConnection, scope: UnitScope | str) -> None:
    """此后这个 cursor 上的查询只看得到这个单位（及其专项整治）的数据。"""
    scope = as_scope(scope)
    if not scope.unit_id:
        raise ScopeError("单位账号没有所属单位，不能查询数据")
    cur.execute(f"SET VARIABLE {SCOPE_VARIABLE} = ?", [scope.unit_id])
    cur.execute(f"SET VARIABLE {CAMPAIGN_VARIABLE} = ?", [scope.campaign_id])
    rows = cur.execute("SELECT current_database(), table_name FROM duckdb_tables() "
                       "WHERE database_name = current_database() AND NOT temporary").fetchall()
    database = _quoted(rows[0][0] if rows else "")
    present = {r[1] for r in rows}
    unknown = present - set(BY_UNIT) - set(BY_SUBMISSION) - set(UNIT_FREE)
    if unknown:
        raise ScopeError("数据库中有未划定单位范围的表：" + "、".join(sorted(unknown)))
    campaign = f"getvariable('{CAMPAIGN_VARIABLE}')"
    mine = f"unit_id = getvariable('{SCOPE_VARIABLE}') AND ({campaign} IS NULL OR campaign_id = {campaign})"
    views = [f"CREATE TEMP VIEW {t} AS SELECT * FROM {database}.main.{t} WHERE {mine}"
             for t in BY_UNIT if t in present]
    views += [f"CREATE TEMP VIEW {t} AS SELECT * FROM {database}.main.{t} WHERE submission_id IN "
              f"(SELECT submission_id FROM {database}.main.submissions WHERE {mine})" for t in BY_SUBMISSION if t in present]
    if "campaigns" in present:  # the other campaigns are not this account's business at all
        views.append(f"CREATE TEMP VIEW campaigns AS SELECT * FROM {database}.main.campaigns "
                     f"WHERE {campaign} IS NULL OR campaign_id = {campaign}")
    if views:
        cur.execute(";\n".join(views))  # one round trip: a scoped query costs a few ms, not one call per view
