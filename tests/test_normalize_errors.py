from etl.normalize.errors import NormalizeError


def test_normalize_error_is_value_error_with_plain_message():
    err = NormalizeError("未知单位“某某县交通运输局”")
    assert isinstance(err, ValueError)
    assert str(err) == "未知单位“某某县交通运输局”"
