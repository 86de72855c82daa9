"""数据管理：文件名清洗、同名替换、删除只限上传目录。"""
import pytest

from dashboard import upload


@pytest.mark.parametrize("raw, clean", [
    ("临泉县_整改台账_20230525.xlsx", "临泉县_整改台账_20230525.xlsx"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("C:\\Users\\a\\太和 台账.XLSX", "太和 台账.xlsx"),
    ('a<b>:c"d|e?f*.xls', "a_b_c_d_e_f.xls"),
    ("~$临时.xlsm", "临时.xlsm"),
    (".xlsx", "上传文件.xlsx"),
])
def test_sanitize(raw, clean):
    assert upload.sanitize_filename(raw) == clean


@pytest.mark.parametrize("bad", ["a.exe", "a.xlsx.sh", "noext", "a.duckdb"])
def test_sanitize_rejects_other_types(bad):
    with pytest.raises(upload.UploadError, match="不是可导入的文件类型"):
        upload.sanitize_filename(bad)


def test_save_replace_list_delete(tmp_path):
    s1 = upload.save_upload("fuyang-2023", "临泉_台账.xlsx", b"one", root=tmp_path)
    assert not s1.replaced and s1.path.read_bytes() == b"one"
    s2 = upload.save_upload("fuyang-2023", "临泉_台账.xlsx", b"one", root=tmp_path)
    assert s2.replaced and s2.unchanged
    s3 = upload.save_upload("fuyang-2023", "临泉_台账.xlsx", b"two", root=tmp_path)
    assert s3.replaced and not s3.unchanged and s3.path.read_bytes() == b"two"
    lst = upload.list_uploads("fuyang-2023", root=tmp_path)
    assert lst["文件名"].tolist() == ["临泉_台账.xlsx"]
    with pytest.raises(upload.UploadError):
        upload.delete_upload("fuyang-2023", "../../x.xlsx", root=tmp_path)
    assert upload.delete_upload("fuyang-2023", "临泉_台账.xlsx", root=tmp_path)
    assert not upload.delete_upload("fuyang-2023", "临泉_台账.xlsx", root=tmp_path)
    with pytest.raises(upload.UploadError):
        upload.uploads_dir("../x", root=tmp_path)
