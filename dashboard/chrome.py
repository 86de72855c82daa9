"""Streamlit 自带界面（“外框”）的中文化：隐藏或换成中文的英文菜单、工具栏、上传框说明与提示。

Streamlit 1.67 的这些文字写死为英文、不能本地化：
- 表格工具栏（Show/hide columns、Download as CSV、Search、Fullscreen）：隐藏。其“Download as CSV”绕过了
  审计过的下载（dashboard/audited_download.py），每张表下面已有中文的“下载数据（CSV）”按钮；
- plotly 图表工具栏（Download plot as a PNG、Zoom、Pan…）：dashboard/charts/base.PLOTLY_CONFIG 关掉，这里再用 CSS 隐藏；
- 右上角主菜单（Print、Record screen、System/Light/Dark）：.streamlit/config.toml 的 client.toolbarMode =
  "minimal" 不显示，这里再用 CSS 隐藏（不经 make run 启动时也不出现）；
- 上传框（Drag and drop files here、Upload、200MB per file、File must be 50.0MB or smaller.）：说明隐藏、按钮
  写“选择文件”、拒收文件的提示换成中文（PATTERNS），上限由页面在上传框旁用中文写明（upload_limits_text）；
- 屏幕阅读器读的英文标签（aria-label 如 “Help for 统计日”“Open”“Choose date”）、空下拉框的占位文字
  （“Choose an option”）、“Skip to main content”、运行中的“Running…/Stop”、表格列菜单（Sort ascending…）：
  由一小段脚本按 TRANSLATIONS 换成中文（CSS 改不了属性和文字）。
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit
import streamlit as st

# 英文原文（完全相同，或以它开头）→ 中文。前缀项以空格或逗号结尾，后面跟着页面自己的中文标签。
TRANSLATIONS = {
    "Skip to main content": "跳到正文",
    "Choose an option": "请选择",
    "Choose options": "请选择（可多选）",
    "No results": "没有匹配的选项",
    "Open": "展开",
    "Close": "关闭",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Delete": "删除",
    "Remove": "移除",
    "Sidebar": "侧栏",
    "App pages": "页面导航",
    "Main menu": "主菜单",
    "Map": "地图",              # 县区地图：MapLibre 画布的 aria-label
    "Notifications": "通知",    # st.toast 的容器（打开清单时的提示）
    "Link to heading": "本节链接",
    "Choose date": "选择日期",
    "Choose date range": "选择日期范围",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "file upload": "上传文件",
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "Running...": "运行中…",
    "Running": "运行中",
    "Stop": "停止",
    "Connecting": "正在连接",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Format": "格式",
    "Autosize": "自动列宽",
    "Pin column": "固定此列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏此列",
    "Error:": "",            # 上传框把“Error:”和错误原文分成两段文字；原文由 PATTERNS 译成“错误：…”
    "Add files": "添加文件",
    "add icon": "添加",
    "Remove ": "移除 ",
    "Help for ": "说明：",
    "year, ": "年，",
    "month, ": "月，",
    "day, ": "日，",
    "Selected date": "所选日期",
}
SUFFIXES = {" start date": "（开始日期）", " end date": "（结束日期）"}
# 带变量的整句（上传框拒收文件时的提示等）：正则 → 中文（$1 为第一组）
PATTERNS = [
    (r"^(?:Error: )?(.+) files are not allowed\.?$", "错误：不接受这种类型的文件，请上传上传框旁说明的类型。"),
    (r"^(?:Error: )?File must be (.+) or smaller\.?$", "错误：文件超过上限（$1），未上传。"),
    (r"^(?:Error: )?File size is too small\.?$", "错误：文件太小，未上传。"),
    (r"^(?:Error: )?Too many files\.?$", "错误：文件太多，未上传。"),
    (r"^Error: (.+)$", "错误：$1"),
]

CHROME_CSS = """<style>
/* 表格、图表上方的英文工具栏（含绕过审计的 Download as CSV）：每张表/图下面有中文下载按钮 */
[data-testid='stElementToolbar']{display:none !important;}
.stPlotlyChart .modebar-container,.js-plotly-plot .modebar{display:none !important;}
/* 右上角英文主菜单（Print、Record screen、主题切换）与 Deploy 按钮 */
[data-testid='stMainMenu'],[data-testid='stAppDeployButton']{display:none !important;}
/* 上传框：英文说明（Drag and drop… / 200MB per file • XLSX）隐藏，“Upload”按钮写“选择文件”
   （只改这个按钮：已选文件旁的删除、添加按钮不动） */
[data-testid='stFileUploaderDropzoneInstructions']{display:none !important;}
[data-testid='stFileUploaderDropzone'] [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer'],
[data-testid='stFileUploaderDropzone'] [data-testid='stBaseButton-secondary'] p{display:none !important;}
[data-testid='stFileUploaderDropzone'] [data-testid='stBaseButton-secondary']::after{content:'选择文件';
margin-left:0.4rem;}
/* 本段 CSS 与脚本所在的元素不占位置（否则页面标题上方多出一行间距） */
.stElementContainer:has(#zh-chrome),[data-testid='stElementContainer']:has(#zh-chrome){display:none !important;}
</style><span id="zh-chrome"></span>"""

_SCRIPT = """<script>
(() => {
  if (window.__zhChrome) return;
  window.__zhChrome = true;
  __PRELOAD__
  const exact = __EXACT__, suffixes = __SUFFIXES__;
  const prefixes = Object.keys(exact).filter(k => / $|, $/.test(k));
  const patterns = __PATTERNS__.map(([re, cn]) => [new RegExp(re), cn]);
  const zh = (s) => {
    if (!s || !/[A-Za-z]/.test(s)) return null;
    const t = s.trim();
    for (const [re, cn] of patterns) if (re.test(t)) return t.replace(re, cn);
    if (exact[t] !== undefined && !prefixes.includes(t)) return s.replace(t, exact[t]);
    let out = null;
    for (const p of prefixes) if (t.startsWith(p)) { out = exact[p] + t.slice(p.length); break; }
    let r = out ?? t, changed = out !== null;
    for (const [en, cn] of Object.entries(suffixes)) if (r.endsWith(en)) { r = r.slice(0, -en.length) + cn; changed = true; }
    if (!changed) return null;
    for (const p of prefixes) if (r.startsWith(p)) r = exact[p] + r.slice(p.length);
    return r;
  };
  const ATTRS = ['aria-label', 'placeholder', 'title'];
  const fix = (root) => {
    const doc = root.ownerDocument || root;
    if (root.nodeType === 3) {
      const v = zh(root.nodeValue); if (v !== null && v !== root.nodeValue) root.nodeValue = v; return;
    }
    if (root.nodeType !== 1 && root.nodeType !== 9) return;
    if (root.nodeType === 1 && root.closest('.main-svg,textarea,[data-testid="stCode"]')) return;
    const els = root.nodeType === 1 ? [root, ...root.querySelectorAll('*')] : [...root.querySelectorAll('*')];
    for (const el of els) {
      for (const a of ATTRS) {
        const v = el.getAttribute(a); const z = zh(v);
        if (z !== null && z !== v) el.setAttribute(a, z);
      }
    }
    const w = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const p = n.parentElement;
      if (!p || p.closest('.main-svg,textarea,script,style,[data-testid="stCode"]')) continue;
      const v = zh(n.nodeValue); if (v === null || v === n.nodeValue) continue;
      // getComputedStyle forces a style recalculation: only for the few texts that would be translated
      if (/Material/.test(getComputedStyle(p).fontFamily)) continue;
      n.nodeValue = v;
    }
  };
  const doc = window.parent && window.parent !== window ? window.parent.document : document;
  fix(doc.body);
  new MutationObserver((muts) => {
    for (const m of muts) {
      if (m.type === 'characterData') fix(m.target);
      else if (m.type === 'attributes') fix(m.target);
      else m.addedNodes.forEach(fix);
    }
  }).observe(doc.body, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeFilter: ATTRS});
})();
</script>""".replace("__EXACT__", json.dumps(TRANSLATIONS, ensure_ascii=False)) \
    .replace("__SUFFIXES__", json.dumps(SUFFIXES, ensure_ascii=False)) \
    .replace("__PATTERNS__", json.dumps(PATTERNS, ensure_ascii=False))


def _chart_module() -> str:
    """Streamlit 按需加载的 plotly 模块文件名（带构建哈希，如 PlotlyChart.D9Z0_fxz.js）；找不到时为空。"""
    found = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else ""


# Trap: Streamlit loads its 4.7 MB plotly module only when the first chart arrives; every chart that arrives
# while it loads then mounts in the same task, and the first one shows only when all are drawn. Importing
# it as soon as the page starts (same URL as Streamlit's own lazy import: one module) lets each chart draw
# on arrival. Not on pages without charts: the import costs the browser some 150 ms.
_CHART_MODULE = _chart_module()
_PRELOAD_CHARTS = """const idx = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (idx) import(new URL(__MODULE__, idx.src).href).catch(() => {});""".replace(
    "__MODULE__", json.dumps(_CHART_MODULE))


def apply(extra_css: str = "", preload_charts: bool = True) -> None:
    """每次运行调用一次（app.py，页面内容之前）：CSS 与翻译脚本，连同看板自己的 extra_css，放在同一个元素里
    （页面打开时浏览器每多一个元素就多一次重绘）；preload_charts：页面一打开就加载图表模块（有图表的页面）。"""
    script = _SCRIPT.replace("__PRELOAD__", _PRELOAD_CHARTS if preload_charts and _CHART_MODULE else "")
    st.html(CHROME_CSS + extra_css + script, unsafe_allow_javascript=True)


def upload_limits_text(max_file_bytes: int, types: list[str] | tuple[str, ...] = ()) -> str:
    """上传框旁的中文说明：单个文件上限与可接受的类型（替代隐藏了的英文“200MB per file • XLSX”）。"""
    kinds = "、".join(t.lstrip(".").lower() for t in types)
    return (f"单个文件不超过 {max_file_bytes / 2**20:g} MB" + (f"；可上传 {kinds} 文件" if kinds else "")
            + "。超过上限或类型不符的文件不会上传。")
