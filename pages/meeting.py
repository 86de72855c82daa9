"""会议模式：例会投影用，一屏一个议题（1366×768 不滚动、大字、少数字、短句），按钮或键盘（←/→、PageUp/PageDown）翻页，
页码在 URL（?topic=3）。数据在 analytics/page_data/meeting.py，各页版面在 dashboard/meeting_slides.py（“县区分布”
有地图，在 dashboard/meeting_map.py），外框（翻页、隐藏页眉和侧栏、筛选说明）在 dashboard/meeting_chrome.py。"""
from datetime import date

import streamlit as st

from analytics.page_data import meeting
from dashboard import auth, db, filters, meeting_chrome, meeting_map, meeting_slides, ui
from state import supervision

f = ui.require_filters()
for warning in filters.url_warnings(f):  # 链接里无效的统计日、单位等：说明改用了什么（其他页面写在标题下）
    st.toast(warning, icon=":material/error:")
topic = meeting_chrome.current_topic(len(meeting.TOPICS))
meeting_chrome.apply_css()
meeting_chrome.top_bar(topic, meeting.TOPICS, f)

name = meeting.TOPICS[topic - 1]
if name == "县区分布":
    meeting_map.show(meeting.map_slide(db.run_query, f))
else:
    if name == "整体进度":
        data = meeting.stage_slide(db.run_query, f)
    elif name == "滞后单位":
        data = meeting.lagging_slide(db.run_query, f)
    elif name == "逾期未办":
        data = meeting.overdue_slide(db.run_query, f)
    elif name == "反弹问题":
        data = meeting.relapse_slide(db.run_query, f)
    elif name == "满意度靠后":
        data = meeting.satisfaction_slide(db.run_query, f)
    else:
        me = auth.current()
        items = supervision.list_items(auth.store(), campaign_id=f.campaign_id, scope=me.scope if me else None)
        # 督办事项按今天算期限和颜色（与“督办”页一致）；即将到期的问题、线索按统计日
        data = meeting.supervision_slide(db.run_query, f, items, date.today())
    st.html(meeting_slides.RENDER[name](data))
meeting_chrome.keyboard()
