"""会议材料与导出：工作简报（.docx/.xlsx）、按方案格式的合并台账、各单位填报模板、导出安全。

不依赖 streamlit：查询经 analytics.queries，图表配色用 analytics.palette。命令行 ``python -m reports
brief|export-ledger|template …``（reports/__main__.py）；页面上的按钮在 dashboard/report_buttons.py。
"""
