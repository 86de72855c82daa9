"""Plotly 图表，按主题分模块：base（字体字号、数字日期的显示文字、通用图）、progress、hotspots、relapse、satisfaction、leads、
submissions。颜色在 analytics/palette.py（与简报 PNG 共用）。

约定：每个函数只接收 DataFrame（queries/*.sql 的结果）返回 go.Figure，不调用 streamlit；中文标题和坐标轴，
悬停显示确切数字；字号由 base.style(fig, big) 统一设置（ui.chart 会调用）。页面按主题导入：
``from dashboard.charts import leads as lead_charts``。
"""
