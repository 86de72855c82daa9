import pytest

from etl.normalize.privacy import complainant_key, mask_name, mask_phone, scrub_phones


@pytest.mark.parametrize(
    "name, expected",
    [("张三", "张**"), ("欧阳娜娜", "欧**"), ("李", "李**"), (" 王五 ", "王**"), ("", ""), (None, "")],
)
def test_mask_name(name, expected):
    assert mask_name(name) == expected


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+8613812341234", "138****1234"),
        (13812341234, "138****1234"),
        (13812341234.0, "138****1234"),
        ("0558-2567371", "0558-****371"),
        ("055825673710", "0558-****710"),
        ("010-12345678", "010-****678"),
        ("12345", "12****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, expected):
    assert mask_phone(phone) == expected


def test_complainant_key_uses_phone_digits():
    key = complainant_key("张三", "138 1234 1234", "salt")
    assert key == complainant_key("张三丰", "13812341234", "salt")
    assert len(key) == 16 and int(key, 16) >= 0
    assert "13812341234" not in key


def test_complainant_key_falls_back_to_name():
    assert complainant_key("张三", "", "salt") == complainant_key(" 张三 ", None, "salt")
    assert complainant_key("张三", "", "salt") != complainant_key("李四", "", "salt")


def test_complainant_key_depends_on_salt_and_blank_is_none():
    assert complainant_key("张三", "13812341234", "a") != complainant_key("张三", "13812341234", "b")
    assert complainant_key("", "", "salt") is None
    assert complainant_key(None, None, "salt") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来电人13812341234反映超限检测站乱罚款", "来电人138****1234反映超限检测站乱罚款"),
        ("联系电话：0558-2567371，另 15900001111", "联系电话：0558-****371，另 159****1111"),
        ("罚款20000元，案号2023123456789", "罚款20000元，案号2023123456789"),
        ("", ""),
        (None, None),
    ],
)
def test_scrub_phones_masks_numbers_inside_free_text(text, expected):
    assert scrub_phones(text) == expected
