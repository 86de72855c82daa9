"""看板（dashboard/）与会议材料（reports/）共用、不依赖 streamlit 的部分：

- ``analytics.queries``：执行 queries/<name>.sql（只读、参数绑定、返回 DataFrame）；
- ``analytics.palette``：有含义的颜色（状态、红黄绿），看板图表与简报 PNG 图共用。
"""
