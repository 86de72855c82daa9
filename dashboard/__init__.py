"""仪表盘：数据访问（db）、统计口径（metrics）、图表（charts）、筛选（filters）、界面助手（ui）。"""
