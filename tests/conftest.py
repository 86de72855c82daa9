import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures.fixture_db import build_fixture_db  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def throwaway_state_store(tmp_path_factory):
    """No test touches the installation's data/state/state.db: the default state store is a temp file
    (tests that need their own set DASHBOARD_STATE_URL themselves)."""
    import os

    os.environ.setdefault("DASHBOARD_STATE_URL", f"sqlite:///{tmp_path_factory.mktemp('state') / 'state.db'}")


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("db") / "fixture.duckdb")


@pytest.fixture(scope="module")
def q(fixture_db):
    """A query runner on the fixture database (the query tests' truth-checked DB)."""
    from dashboard.db import QueryRunner

    r = QueryRunner(fixture_db)
    yield r
    r.close()
