import pytest

from etl.normalize.errors import NormalizeError
from etl.normalize.status import lead_concluded, parse_status


@pytest.mark.parametrize(
    "text, expected",
    [
        ("尚未完成", "未整改"),
        ("未完成", "未整改"),
        ("没有完成", "未整改"),
        ("未整改", "未整改"),
        ("否", "未整改"),
        ("尚未完成，正在整改", "整改中"),
        ("未完成，推进中", "整改中"),
        ("正在整改", "整改中"),
        ("整改中", "整改中"),
        ("正在整改，已完成60%", "整改中"),
        ("已完成整改", "已整改"),
        ("已整改", "已整改"),
        ("已完成", "已整改"),
        ("完成", "已整改"),
        ("是", "已整改"),
        ("已完成整改。", "已整改"),
        ("未销号，已完成整改", "已整改"),
        ("已整改，申请销号", "已整改"),
        ("已销号", "已销号"),
        ("已完成整改，已销号", "已销号"),
        ("持续推进", "长期推进"),
        ("长期坚持", "长期推进"),
        (" 已 销 号 ", "已销号"),
    ],
)
def test_parse_status(text, expected):
    assert parse_status(text) == expected


@pytest.mark.parametrize("text", ["", "  ", None])
def test_blank_status(text):
    with pytest.raises(NormalizeError, match="整改进度为空"):
        parse_status(text)


def test_unrecognized_status():
    with pytest.raises(NormalizeError, match="无法识别的整改进度"):
        parse_status("见附件")


@pytest.mark.parametrize(
    "text, expected",
    [
        # 销号台账：单独的“未销号”只说明问题仍在清单上 → 整改中（见 parse_status 说明）
        ("未销号", "整改中"),
        ("尚未销号", "整改中"),
        ("未销号。", "整改中"),
        ("未销号，正在整改", "整改中"),
        ("未销号，尚未整改", "未整改"),
        ("待销号", "已整改"),
        ("已销号", "已销号"),
        # 隐患台账
        ("已消除", "已整改"),
        # 安全生产、督查台账常写“闭环”
        ("已闭环", "已整改"),
        ("未闭环", "未整改"),
        ("正在闭环", "整改中"),
        ("消除", "已整改"),
        ("未消除", "未整改"),
        ("尚未消除", "未整改"),
        # 矛盾纠纷台账
        ("已化解", "已整改"),
        ("正在化解", "整改中"),
        ("化解中", "整改中"),
        ("未化解", "未整改"),
        # 工单式台账
        ("办结", "已整改"),
        ("已办结", "已整改"),
        ("办理中", "整改中"),
        ("未办结", "未整改"),
        ("已办结，已销号", "已销号"),
    ],
)
def test_parse_status_real_world_progress_words(text, expected):
    assert parse_status(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("办结", True), ("已办结", True), ("已归档", True), ("已回访", True), ("待回访", True), ("已答复", True),
        ("办理中", False), ("待办", False), ("已签收", False), ("未办结", False), ("申请延期", False),
        ("超期", None), ("", None), (None, None),
    ],
)
def test_lead_concluded(text, expected):
    assert lead_concluded(text) is expected
