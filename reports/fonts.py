"""中文字体：图表（matplotlib）用的 CJK 字体文件。

优先用 PyPI 包 mplfonts 自带的 Noto Sans CJK SC（pip 安装即有，不依赖系统字体）；
其次系统的 Noto CJK / 文泉驿（如 apt 安装的 fonts-noto-cjk）；都没有时报中文错误。
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

SYSTEM_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)

MISSING_FONT = (
    "找不到可用的中文字体，图表中的汉字无法显示。请先安装依赖：.venv/bin/pip install -r requirements.txt"
    "（其中 mplfonts 自带 Noto Sans CJK 字体）；或安装系统字体：apt-get install -y fonts-noto-cjk；"
    "也可用环境变量 REPORTS_CJK_FONT 指定字体文件路径。"
)


class FontNotFound(RuntimeError):
    pass


def _mplfonts_font() -> Path | None:
    try:
        import importlib.util

        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NotoSansCJKsc-Regular.otf"
    return p if p.exists() else None


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """中文字体文件路径；找不到时抛出 FontNotFound（中文说明怎么安装）。"""
    env = os.environ.get("REPORTS_CJK_FONT")
    if env:
        if Path(env).exists():
            return Path(env)
        raise FontNotFound(f"环境变量 REPORTS_CJK_FONT 指定的字体文件不存在：{env}。" + MISSING_FONT)
    p = _mplfonts_font()
    if p is not None:
        return p
    for c in SYSTEM_CANDIDATES:
        if Path(c).exists():
            return Path(c)
    raise FontNotFound(MISSING_FONT)


@lru_cache(maxsize=1)
def matplotlib_font_family() -> str:
    """把中文字体注册到 matplotlib，返回字体族名（用于 rcParams['font.family']）。"""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
