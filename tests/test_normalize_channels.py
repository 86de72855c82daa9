import pytest

from etl.normalize.channels import CHANNELS, is_earlier_round_source, normalize_channel
from etl.normalize.errors import NormalizeError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12345政务服务热线", "12345热线"),
        ("市12345热线交办", "12345热线"),
        ("12328交通运输服务监督电话", "12328热线"),
        ("12389", "12389举报"),
        ("来信来访", "信访"),
        ("微信公众号", "网络平台"),
        ("门户网站留言", "网络平台"),
        ("四不两直暗访", "暗访检查"),
        ("上级交办（省厅）", "上级交办"),
        ("自查", "自查自纠"),
        ("行政执法监督员反映", "执法监督员"),
        ("媒体曝光", "新闻媒体"),
        ("行政复议", "行政复议"),
        ("行政诉讼", "行政诉讼"),
        ("督查检查", "督查检查"),
        ("2021年专项整治回头看", "自查自纠"),
        ("前期常态查纠", "自查自纠"),
    ],
)
def test_normalize_channel(text, expected):
    assert normalize_channel(text) == expected


@pytest.mark.parametrize("channel", CHANNELS)
def test_channel_names_map_to_themselves(channel):
    assert normalize_channel(channel) == channel


@pytest.mark.parametrize("text", ["", None, "群众反映", "其他"])
def test_unknown_channel(text):
    with pytest.raises(NormalizeError):
        normalize_channel(text)


@pytest.mark.parametrize(
    "text, campaign_year, expected",
    [
        ("2021年专项整治回头看", None, True),
        ("前期常态查纠", None, True),
        ("2022年专项整治发现", 2023, True),
        ("2023年专项整治发现", 2023, False),
        ("自查自纠", None, False),
        ("12345热线", None, False),
        ("", None, False),
    ],
)
def test_is_earlier_round_source(text, campaign_year, expected):
    assert is_earlier_round_source(text, campaign_year) is expected
