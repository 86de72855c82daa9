"""Start the dashboard: ``python -m dashboard.serve [streamlit run options]``.

Trap: Streamlit decides once per server whether the app is a legacy multipage app, by the mere
existence of ``pages/`` beside app.py, and keeps thinking so until some session has run app.py's
``st.navigation``. A copied link such as ``/satisfaction`` opened as the first session of a fresh
server would then run the page file alone, without app.py's frame and filters. This launcher
declares up front that the app uses ``st.navigation``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def first_admin_message() -> str | None:
    """状态库里还没有账号时建首个专班账号 admin，返回要在终端显示一次的说明（含初始密码）。"""
    from state.accounts import ensure_first_admin
    from state.store import open_store, state_url

    created = ensure_first_admin(open_store())
    if created is None:
        return None
    name, password = created
    return (f"\n已创建首个专班账号（状态库 {state_url().split('://')[0]}）：\n"
            f"    用户名：{name}\n    初始密码：{password}\n"
            "密码只显示这一次；首次登录后须修改。更多账号：在看板“用户管理”页，或\n"
            "    .venv/bin/python -m dashboard.users add 用户名 --role 专班|领导|单位|分析员 [--unit 单位]\n")


def main(argv: list[str]) -> int:
    message = first_admin_message()
    if message:
        print(message, flush=True)
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
