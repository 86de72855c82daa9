"""Complainant keys are keyed with a per-installation secret: keys and masks give no number back."""
from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import stat

import pytest

from etl.build import complainant_salt
from etl.installation_secret import SecretFileError, read_or_create
from etl.normalize.privacy import complainant_key, mask_phone

PHONE = "13812341234"
# Salts anyone could guess: the constant the source code used to hold, blanks, test and campaign names.
PUBLIC_SALTS = ["dev-sample-salt-请在部署时设置DASHBOARD_SALT", "", "DASHBOARD_SALT", "salt", "dev", "sample",
                "dev-sample-salt", "secret", "test", "t", "s", "roundtrip", "test-salt", "fuyang-2023", "haixi-2023"]


@pytest.fixture
def no_env_salt(monkeypatch):
    monkeypatch.delenv("DASHBOARD_SALT", raising=False)


def _key_of_installation(monkeypatch, secret_file) -> str:
    monkeypatch.setenv("DASHBOARD_SECRET_FILE", str(secret_file))
    return complainant_key("张三", PHONE, complainant_salt())


def test_two_installations_give_different_keys_for_the_same_phone(tmp_path, monkeypatch, no_env_salt):
    first = _key_of_installation(monkeypatch, tmp_path / "a" / "complainant.key")
    second = _key_of_installation(monkeypatch, tmp_path / "b" / "complainant.key")
    assert first != second
    # each installation keeps its own secret: the same key on the next build
    assert _key_of_installation(monkeypatch, tmp_path / "a" / "complainant.key") == first


def test_secret_file_is_private_and_random(tmp_path, monkeypatch, no_env_salt):
    path = tmp_path / "secret" / "complainant.key"
    monkeypatch.setenv("DASHBOARD_SECRET_FILE", str(path))
    secret = complainant_salt()
    assert path.read_text().strip() == secret and len(secret) == 64 and int(secret, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["complainant.key"]  # no temp file left


def test_dashboard_salt_wins_and_no_file_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SECRET_FILE", str(tmp_path / "complainant.key"))
    monkeypatch.setenv("DASHBOARD_SALT", "部署时设定的密钥")
    assert complainant_salt() == "部署时设定的密钥"
    assert not (tmp_path / "complainant.key").exists()


def test_an_empty_secret_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "complainant.key"
    path.write_text("")
    with pytest.raises(SecretFileError, match="为空"):
        read_or_create(path)
    assert path.read_text() == ""


def _first_use(path, barrier, results):
    barrier.wait()
    results.put(read_or_create(path))


def test_concurrent_first_use_creates_one_secret(tmp_path):
    ctx = multiprocessing.get_context("fork")
    path = tmp_path / "secret" / "complainant.key"
    n = 12
    barrier, results = ctx.Barrier(n), ctx.Queue()
    workers = [ctx.Process(target=_first_use, args=(path, barrier, results)) for _ in range(n)]
    for w in workers:
        w.start()
    secrets = [results.get(timeout=20) for _ in range(n)]
    for w in workers:
        w.join(timeout=20)
    assert len(set(secrets)) == 1
    assert path.read_text().strip() == secrets[0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["complainant.key"]


def _old_mask_candidates(phone: str) -> list[str]:
    """The numbers the former mask 138****1234 left open: the 10^4 middles."""
    return [f"{phone[:3]}{middle:04d}{phone[-4:]}" for middle in range(10_000)]


def _keys_anyone_can_compute(candidate: str) -> set[str]:
    keys = set()
    for salt in PUBLIC_SALTS:
        keys.add(hashlib.sha256(f"{salt}{candidate}".encode()).hexdigest()[:16])  # the former key
        keys.add(hmac.new(salt.encode(), candidate.encode(), hashlib.sha256).hexdigest()[:16])
    return keys


def test_brute_force_over_the_masked_digits_finds_no_match_without_the_secret(tmp_path, monkeypatch,
                                                                              no_env_salt):
    stored = _key_of_installation(monkeypatch, tmp_path / "complainant.key")
    candidates = _old_mask_candidates(PHONE)
    assert PHONE in candidates and len(candidates) == 10_000
    assert [c for c in candidates if stored in _keys_anyone_can_compute(c)] == []
    # the same search with the installation's secret does find it: the search itself works
    secret = complainant_salt()
    assert [c for c in candidates if complainant_key(None, c, secret) == stored] == [PHONE]


@pytest.mark.parametrize("phone", ["13812341234", "15900001111", "+86 177-0000-9999", "１９９１２３４５６７８"])
def test_the_mask_shows_at_most_the_last_four_digits(phone):
    masked = mask_phone(phone)
    assert masked.startswith("*******") and len(masked) == 11
    assert sum(ch.isdigit() for ch in masked) == 4
