import pytest

from etl.normalize.errors import NormalizeError
from etl.normalize.status import parse_status


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
