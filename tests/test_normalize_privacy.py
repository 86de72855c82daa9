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
        ("13812341234", "*******1234"),
        ("138 1234 1234", "*******1234"),
        ("138-1234-1234", "*******1234"),
        ("+8613812341234", "*******1234"),
        ("+86 138 1234 1234", "*******1234"),
        ("86-13812341234", "*******1234"),
        ("１３８１２３４１２３４", "*******1234"),
        (13812341234, "*******1234"),
        (13812341234.0, "*******1234"),
        ("138****1234", "*******1234"),  # masked by the sender the old way: 7 digits shown → 4
        ("0558-2567371", "0558-*****71"),
        ("(0558)2567371", "0558-*****71"),
        ("0558 2567371", "0558-*****71"),
        ("055825673710", "0558-******10"),
        ("010-12345678", "010-******78"),
        ("2567371", "*****71"),  # local number without area code
        ("13812341234/0558-2567371", "*******1234、0558-*****71"),
        ("12345", "****"),
        ("张三", ""),  # a name typed into the phone column is not shown
        ("无", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, expected):
    assert mask_phone(phone) == expected


def test_complainant_key_uses_the_number_whatever_way_it_is_written():
    key = complainant_key("张三", "138 1234 1234", "salt")
    for written in ("13812341234", "+86 138-1234-1234", "86-13812341234", "１３８１２３４１２３４", 13812341234.0):
        assert complainant_key("张三丰", written, "salt") == key
    assert len(key) == 16 and int(key, 16) >= 0
    assert complainant_key("张三", "13812341235", "salt") != key
    assert complainant_key("张三", "0558-2567371", "salt") == complainant_key("李四", "(0558)2567371", "salt")


def test_complainant_key_falls_back_to_name():
    assert complainant_key("张三", "", "salt") == complainant_key(" 张三 ", None, "salt")
    assert complainant_key("张三", "", "salt") != complainant_key("李四", "", "salt")


def test_complainant_key_depends_on_salt_and_blank_is_none():
    assert complainant_key("张三", "13812341234", "a") != complainant_key("张三", "13812341234", "b")
    assert complainant_key("", "", "salt") is None
    assert complainant_key(None, None, "salt") is None


PHONE_FORMS = [
    ("13812345678", "*******5678"),
    ("138-1234-5678", "*******5678"),
    ("138 1234 5678", "*******5678"),
    ("138—1234—5678", "*******5678"),
    ("+86 138 1234 5678", "*******5678"),
    ("+8613712345678", "*******5678"),
    ("86-13712345678", "*******5678"),
    ("008613712345678", "*******5678"),
    ("１３８１２３４５６７８", "*******5678"),
    ("138****5678", "*******5678"),
    ("0558-1234567", "0558-*****67"),
    ("(0558)1234567", "0558-*****67"),
    ("（0558）1234567", "0558-*****67"),
    ("0558 1234567", "0558-*****67"),
    ("010-12345678", "010-******78"),
]


@pytest.mark.parametrize(("written", "masked"), PHONE_FORMS)
def test_scrub_phones_masks_every_form_inside_free_text(written, masked):
    assert scrub_phones(f"来电人{written}反映乱罚款") == f"来电人{masked}反映乱罚款"
    assert scrub_phones(f"{written}，请回电") == f"{masked}，请回电"
    assert mask_phone(written) == masked  # the column mask and the free-text mask are the same


@pytest.mark.parametrize(
    "text",
    [
        "罚款13800元",
        "罚款138000元，没收13812元",
        "2023年10月12日",
        "2023-10-12 13:45:00",
        "皖K12345",
        "GD20230601001",
        "案号2023123456789",
        "阜交执罚〔2023〕1381号",
        "编号2023-0601-0012345",
        "共13 14 15 16 17 18 19人次",
        "金额1,380,000元",
    ],
)
def test_scrub_phones_leaves_case_numbers_amounts_and_dates(text):
    assert scrub_phones(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("联系电话：0558-2567371，另 15900001111", "联系电话：0558-*****71，另 *******1111"),
        ("电话0558-2567371-801转", "电话0558-*****71-801转"),
        ("", ""),
        (None, None),
    ],
)
def test_scrub_phones_keeps_the_rest_of_the_text(text, expected):
    assert scrub_phones(text) == expected


# A plainly typed mobile skips the clean-up and the phone regex; it must give the mask and key the regex gives.
_PLAIN_OR_NEARLY = ["13812345678", 13812345678, "19900001111", "12812345678", "1381234567", "138123456789",
                    "１３８１２３４５６７８", " 13812345678", "138 1234 5678", "+8613812345678", "13812345678.0",
                    13812345678.0, "23812345678", "1381234567x", "¹3812345678"]


@pytest.mark.parametrize("phone", _PLAIN_OR_NEARLY)
def test_a_plain_mobile_is_masked_and_keyed_as_the_phone_regex_does(phone, monkeypatch):
    import etl.normalize.privacy as privacy

    fast = (mask_phone(phone), complainant_key("张三", phone, "s"))
    monkeypatch.setattr(privacy, "_plain_mobile", lambda _phone: None)
    assert fast == (mask_phone(phone), complainant_key("张三", phone, "s"))


def test_a_plain_mobile_shows_its_last_four_digits_and_keys_as_its_written_forms():
    assert mask_phone("13812345678") == mask_phone(13812345678) == "*******5678"
    assert complainant_key(None, "13812345678", "s") == complainant_key(None, "+86 138-1234-5678", "s")
    assert mask_phone("12812345678") == "****"  # no mobile starts 12: not a phone number
