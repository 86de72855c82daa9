"""Problem-lead registers (问题线索登记表)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from .common import DATE_STYLES_TEXT, DATE_STYLES_XLSX, fake_name, fake_phone, fmt_date, iso, loose_unit_name

# raw channel text as written → canonical channel (docs/design.md CHANNELS), with weights
CHANNELS_RAW = [
    ("12345政务服务热线", "12345热线", 18), ("12345热线", "12345热线", 12),
    ("12328交通运输服务监督电话", "12328热线", 11), ("12328热线", "12328热线", 7),
    ("12389举报平台", "12389举报", 2), ("信访", "信访", 6), ("信访件", "信访", 2),
    ("媒体", "新闻媒体", 2), ("新闻媒体", "新闻媒体", 2), ("微信公众号", "网络平台", 5),
    ("门户网站", "网络平台", 4), ("QQ", "网络平台", 1), ("四不两直暗访", "暗访检查", 5),
    ("明察暗访", "暗访检查", 3), ("上级交办", "上级交办", 7), ("行政执法监督员", "执法监督员", 5),
    ("行政复议", "行政复议", 3), ("行政诉讼", "行政诉讼", 2), ("督查检查", "督查检查", 2),
    ("自查自纠", "自查自纠", 1),
]
NO_COMPLAINANT = {"暗访检查", "上级交办", "执法监督员", "督查检查", "自查自纠"}
HEADER = ["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题类别", "问题摘要", "投诉人", "联系电话",
          "办结日期", "调查结论", "反馈日期"]
HEADER_VARIANTS = {"线索来源": ["线索来源", "线索来源", "来源渠道"], "受理日期": ["受理日期", "受理日期", "登记日期"],
                   "调查结论": ["调查结论", "核查结果"]}
SUMMARY_TAIL = ["", "", "，要求退还罚款", "，要求核实处理", "，对处理结果不满", "，要求公开道歉"]
PLACES = ["G105线", "S204线", "汽车客运站", "治超站", "高速出口", "物流园", "城区", "驾校训练场", "货运场站"]
# days just before 2023 holidays: due dates jump over the holiday and its 调休 weekend
HOLIDAY_EDGES = [date(2023, 4, 4), date(2023, 4, 27), date(2023, 4, 28), date(2023, 6, 20), date(2023, 6, 21),
                 date(2023, 9, 27), date(2023, 9, 28)]
UNKNOWN_UNIT = "某某县交通运输局"


def lead_id_format(campaign, total: int):
    width = max(3 if campaign.id.startswith("haixi") else 4, len(str(total + 10)))
    prefix = ("阜交专办" if campaign.id.startswith("fuyang") else "西交专" if campaign.id.startswith("haixi")
              else campaign.issuer[:1] + "交专办")
    return lambda n: f"{prefix}〔2023〕{n:0{width}d}号"


def _pick_channel(rng: random.Random):
    return rng.choices(CHANNELS_RAW, weights=[w for *_, w in CHANNELS_RAW])[0]


def gen_unit_leads(campaign, unit, n: int, rng: random.Random, cal, data_cut: date, cross_repeaters=()):
    """Leads of one unit (ids not yet assigned), sorted by received date."""
    cats = campaign.categories
    manifs = [m for m in campaign.manifestations if m.code != campaign.relapse_manifestation]
    repeaters = [(fake_name(rng), fake_phone(rng)) for _ in range(rng.randint(3, 6))] + list(cross_repeaters)
    first = campaign.start_date
    last = campaign.end_date - timedelta(days=2)
    span = (last - first).days
    edges = [d for d in HOLIDAY_EDGES if first <= d <= last]
    leads = []
    n_edge = min(2, n // 20) if edges else 0
    for i in range(n):
        if i < n_edge:
            received = rng.choice(edges)
            assigned = received
        else:
            received = first + timedelta(days=rng.randint(0, span))
            assigned = cal.on_or_after(received + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2])))
        raw, channel, _ = _pick_channel(rng)
        due = cal.add(assigned, campaign.lead_working_days)
        r = rng.random()
        concluded = None
        if r >= 0.06:
            k = rng.randint(1, 5) if r < 0.80 else rng.randint(6, 15)
            concluded = cal.add(assigned, k)
            if concluded > data_cut:
                concluded = None
        if channel in NO_COMPLAINANT:
            name = phone = None
        elif rng.random() < 0.14:
            name, phone = rng.choice(repeaters)
        else:
            name, phone = fake_name(rng), fake_phone(rng)
        feedback = None
        if concluded and name and rng.random() < 0.88:
            feedback = concluded + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3]))
        finding = None
        if concluded:
            finding = rng.choices(["属实", "部分属实", "不属实"], weights=[40, 25, 35])[0]
        m = rng.choice(manifs)
        cat = next(c for c in cats if c.name == m.category)
        cat_text = cat.name if (not cat.synonyms or rng.random() > 0.1) else rng.choice(cat.synonyms)
        short = rng.choice(m.synonyms) if m.synonyms else m.name.replace("“", "").replace("”", "")
        summary = f"反映{rng.choice(PLACES)}执法人员{short}{rng.choice(SUMMARY_TAIL)}"
        leads.append({"channel_raw": raw, "channel": channel, "received": received, "assigned": assigned,
                      "due": due, "concluded": concluded, "feedback": feedback, "finding": finding,
                      "category": cat_text, "summary": summary, "complainant": name, "phone": phone,
                      "unit_id": unit.id})
    leads.sort(key=lambda d: (d["received"], d["assigned"]))
    return leads


def lead_row(lead: dict, unit_text: str, rng: random.Random, text_only: bool) -> list[object]:
    styles = DATE_STYLES_TEXT if text_only else DATE_STYLES_XLSX

    def d(x):
        return fmt_date(x, rng.choice(styles)) if x else None

    return [lead["lead_id"], lead["channel_raw"], d(lead["received"]), d(lead["assigned"]), unit_text,
            lead["category"], lead["summary"], lead["complainant"], lead["phone"], d(lead["concluded"]),
            lead["finding"], d(lead["feedback"])]


def unit_header(rng: random.Random) -> list[str]:
    return [rng.choice(HEADER_VARIANTS[h]) if h in HEADER_VARIANTS else h for h in HEADER]


def unit_text_chooser(unit, rng: random.Random):
    variants = [loose_unit_name(unit, rng).replace("（盖章）", "") for _ in range(2)]
    return lambda: variants[0] if rng.random() < 0.8 else variants[1]


class LeadStats:
    def __init__(self, campaign, data_cut: date):
        self.campaign = campaign
        self.data_cut = data_cut
        self.valid = 0
        self.per_unit: dict[str, dict] = {}
        self.per_channel: dict[str, int] = {}
        self.per_channel_raw: dict[str, int] = {}
        self.findings = {"属实": 0, "部分属实": 0, "不属实": 0, "未办结": 0}
        self.phones: dict[str, int] = {}
        self.by_month: dict[str, int] = {}
        self.holiday_examples: list[dict] = []
        self.ids: set[str] = set()

    def add(self, lead: dict) -> None:
        self.valid += 1
        u = self.per_unit.setdefault(lead["unit_id"], {
            "leads": 0, "concluded": 0, "on_time": 0, "late": 0, "open": 0, "open_overdue_at_cut": 0,
            "with_complainant": 0, "feedback_given": 0, "feedback_missing": 0, "substantiated": 0})
        u["leads"] += 1
        self.per_channel[lead["channel"]] = self.per_channel.get(lead["channel"], 0) + 1
        self.per_channel_raw[lead["channel_raw"]] = self.per_channel_raw.get(lead["channel_raw"], 0) + 1
        m = lead["received"].strftime("%Y-%m")
        self.by_month[m] = self.by_month.get(m, 0) + 1
        if lead["concluded"]:
            u["concluded"] += 1
            if lead["concluded"] <= lead["due"]:
                u["on_time"] += 1
            else:
                u["late"] += 1
            self.findings[lead["finding"]] += 1
            if lead["finding"] in ("属实", "部分属实"):
                u["substantiated"] += 1
        else:
            u["open"] += 1
            self.findings["未办结"] += 1
            if lead["due"] < self.data_cut:
                u["open_overdue_at_cut"] += 1
        if lead["complainant"]:
            u["with_complainant"] += 1
            self.phones[lead["phone"]] = self.phones.get(lead["phone"], 0) + 1
            if lead["concluded"]:
                if lead["feedback"]:
                    u["feedback_given"] += 1
                else:
                    u["feedback_missing"] += 1
        if lead["assigned"] in HOLIDAY_EDGES and sum(
                e["assigned"] == iso(lead["assigned"]) for e in self.holiday_examples) < 2:
            self.holiday_examples.append({"lead_id": lead["lead_id"], "assigned": iso(lead["assigned"]),
                                          "due": iso(lead["due"]), "concluded": iso(lead["concluded"]),
                                          "on_time": (lead["concluded"] <= lead["due"]) if lead["concluded"] else None})

    def manifest(self) -> dict:
        tot = {k: sum(u[k] for u in self.per_unit.values()) for k in next(iter(self.per_unit.values()), {})}
        repeat = {p: c for p, c in self.phones.items() if c > 1}
        return {
            "valid_unique_leads": self.valid,
            "totals": tot,
            "on_time_rule": f"办结日期 ≤ 交办日期后第{self.campaign.lead_working_days}个工作日（chinese_calendar，含调休）",
            "data_cut_date": iso(self.data_cut),
            "per_channel": dict(sorted(self.per_channel.items(), key=lambda kv: (-kv[1], kv[0]))),
            "per_channel_raw": dict(sorted(self.per_channel_raw.items(), key=lambda kv: (-kv[1], kv[0]))),
            "findings": self.findings,
            "received_by_month": dict(sorted(self.by_month.items())),
            "repeat_complainant_phones": len(repeat),
            "leads_from_repeat_complainants": sum(repeat.values()),
            "holiday_due_examples": self.holiday_examples,
            "per_unit": self.per_unit,
        }
