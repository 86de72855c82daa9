"""Benchmarks, outside the pipeline and the dashboard.

    python -m bench.import_speed   读取/导入大规模生成数据，与 pandas 对比（也可 python -m etl bench）
    python -m bench.page_speed     每个页面的查询与图表构建耗时
"""
