"""The app's page list, read from app.py's st.navigation (so a new page is tested without editing tests)."""
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
APP_PAGES = re.findall(r'st\.Page\("(pages/[^"]+\.py)"', APP.read_text(encoding="utf-8"))
