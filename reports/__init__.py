"""会议材料与导出：工作简报（.docx/.xlsx）、按方案格式的合并台账、各单位填报模板、导出安全。

命令行入口（由 etl/__main__.py 一行分派）：``reports.cli.brief_main`` ``reports.cli.export_ledger_main``
``reports.cli.template_main``；总览页按钮：``reports.streamlit_ui.brief_download_button``。
"""
