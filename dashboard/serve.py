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


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
