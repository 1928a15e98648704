#!/usr/bin/env python3
"""Generate the bundled sample data: a Pingjiang-like county, 2024-03 to 2024-06.

    python data/sample/generate.py            # rewrites units.csv, orders.csv, letters.csv here

Deterministic: the same seed always gives the same bytes (a test checks it).
2024-05 is built to reproduce every figure of the reference bulletin, whose
facts are kept in ``data/reference/`` (appendix table, figures); the other
months are drawn at random around it, so each month's bulletin differs.
Every name, phone number and request text is synthetic.

Files written (the documented input format, docs/input-format.md):

* ``units.csv``   承办单位名录, UTF-8
* ``orders.csv``  工单明细, UTF-8 with BOM (as Excel saves it)
* ``letters.csv`` 信件明细, GB18030 (as many platforms export it)
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent / "reference"
SEED = 20240531
TARGET = (2024, 5)
MONTHS = [(2024, 2), (2024, 3), (2024, 4), (2024, 5), (2024, 6), (2024, 7)]  # Feb/Jul: carry-over only
EXPORTED_AT = datetime(2024, 7, 1, 9, 0)
DAY = timedelta(days=1)

# Registry order matters: it breaks ties wherever the bulletin lists units.
DEPARTMENTS = [
    ("平江县自然资源局", "自然资源局"),
    ("平江县公安局", "公安局"),
    ("平江县交警大队", "交警大队"),
    ("平江县教育局", "教育局"),
    ("平江县电信公司", "电信公司"),
    ("平江县交通运输局", "交通运输局；交通局"),
    ("平江县市场监督管理局", "市场监督管理局；市场监管局"),
    ("平江县住建局", "住建局；住房和城乡建设局"),
    ("平江县城管局", "城管局"),
    ("平江县人力资源和社会保障局", "人社局"),
    ("平江县医保局", "医保局"),
    ("平江县卫生健康局", "卫健局"),
    ("平江县民政局", "民政局"),
    ("平江县税务局", "税务局"),
    ("平江县发改局", "发改局"),
    ("平江县残疾人联合会", "残联"),
    ("平江县消防大队", "消防大队"),
    ("平江县润恒自来水有限公司", "润恒自来水公司；自来水公司"),
    ("平江县高新区", "高新区"),
    ("岳阳市生态环境局平江分局", "生态环境分局；环保局"),
    ("平江县文旅广体局", "文旅广体局"),
    ("平江县商务粮食局", "商务粮食局"),
    ("平江华润燃气公司", "华润燃气公司"),
    ("平江人民医院", "平江县第一人民医院；人民医院"),
]
TOWNS = [
    "汉昌街道", "天岳街道", "三市镇", "石牛寨镇", "板江乡", "木金乡", "加义镇", "南江镇", "三阳乡",
    "安定镇", "三墩乡", "浯口镇", "梅仙镇", "伍市镇", "向家镇", "大洲乡", "童市镇", "龙门镇",
    "虹桥镇", "余坪镇", "上塔市镇", "岑川镇", "福寿山镇", "瓮江镇", "长寿镇",
]
# Units without an account on the platform (not assessed): reported as 无系统单位.
UNASSESSED = [
    ("国网平江县供电公司", "供电公司", 30, 28, 1),  # name, alias, accepted, due, overdue in May
    ("中国移动平江分公司", "移动公司", 19, 20, 1),
    ("平江县邮政分公司", "邮政公司", 12, 11, 0),
]

CATEGORIES_MAY = {  # all 2040 requests of May; the top five are the reference's
    "市场管理类": 426, "住房与城乡建设类": 223, "社情民意类": 218, "公共服务类": 188, "环境保护类": 158,
    "交通运输类": 142, "城市管理类": 131, "劳动和社会保障类": 118, "医疗卫生类": 97, "教育文体类": 92,
    "公安政法类": 81, "农业农村类": 64, "自然资源类": 47, "民政事务类": 33, "其他类": 22,
}
AFFINITY = {
    "市场监督管理局": "市场管理类", "住建局": "住房与城乡建设类", "城管局": "城市管理类",
    "交通运输局": "交通运输类", "交警大队": "交通运输类", "人社局": "劳动和社会保障类",
    "卫健局": "医疗卫生类", "平江县第一人民医院": "医疗卫生类", "医保局": "医疗卫生类",
    "教育局": "教育文体类", "文旅广体局": "教育文体类", "公安局": "公安政法类",
    "自然资源局": "自然资源类", "民政局": "民政事务类", "残联": "民政事务类",
    "生态环境分局": "环境保护类", "润恒自来水公司": "公共服务类", "华润燃气公司": "公共服务类",
    "电信公司": "公共服务类", "供电公司": "公共服务类", "移动公司": "公共服务类", "邮政公司": "公共服务类",
}
TOWN_CATEGORIES = ["社情民意类", "农业农村类", "环境保护类", "住房与城乡建设类", "公共服务类"]
CHANNELS_MAY = {"中国政府网": 7, "省长信箱": 8, "市长信箱": 93, "县长信箱": 38}

# Orders the reference names (工单编号 -> how they must look).
UNJUSTIFIED = {"梅仙镇": ["242019", "233459"], "南江镇": ["219337"], "三阳乡": ["217784"],
               "平江县住建局": ["209525", "203468"]}
SENT_BACK = ("234376", "平江县自然资源局", 3)
EXTENDED = ("206794", "龙门镇", 2)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程魏苏吕丁任沈姚卢"
ISSUES = {
    "市场管理类": ["购买的商品存在质量问题，商家拒绝退换", "商家虚假宣传", "预付卡消费纠纷", "食品过期仍在销售"],
    "住房与城乡建设类": ["小区物业服务不到位", "房屋漏水维修无人处理", "工地夜间施工噪音扰民", "购房后迟迟不能办证"],
    "社情民意类": ["邻里纠纷需要调解", "对村务公开有疑问", "建议增设公交站点"],
    "公共服务类": ["家中停水未提前通知", "燃气报装进度缓慢", "宽带故障多日未修复", "频繁停电"],
    "环境保护类": ["养殖场气味扰民", "河道有人倾倒垃圾", "企业夜间排放烟尘"],
    "交通运输类": ["出租车拒载", "道路坑洼影响通行", "班车不按时发车"],
    "城市管理类": ["占道经营", "路灯不亮", "垃圾清运不及时"],
    "劳动和社会保障类": ["被拖欠工资", "社保转移接续问题", "养老金领取咨询"],
    "医疗卫生类": ["医保报销问题", "就医排队时间过长", "诊所无证行医"],
    "教育文体类": ["学校收费问题", "校外培训退费", "入学政策咨询"],
    "公安政法类": ["户口迁移办理", "电信诈骗求助", "噪音扰民报警后未处理"],
    "农业农村类": ["农田灌溉渠道堵塞", "惠农补贴未发放", "村道硬化"],
    "自然资源类": ["宅基地审批", "违规占用耕地", "不动产登记"],
    "民政事务类": ["低保申请", "残疾人补贴", "养老服务"],
    "其他类": ["咨询办事流程", "意见建议"],
}


def month_start(ym: tuple[int, int]) -> datetime:
    return datetime(ym[0], ym[1], 1)


def next_month(ym: tuple[int, int]) -> tuple[int, int]:
    return (ym[0] + ym[1] // 12, ym[1] % 12 + 1)


def prev_month(ym: tuple[int, int]) -> tuple[int, int]:
    return (ym[0] - (ym[1] == 1), (ym[1] - 2) % 12 + 1)


def percent(num: int, den: int) -> Decimal:
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ---------------------------------------------------------------- order ids
ID_ANCHOR = datetime(2024, 5, 1)
ID_PER_DAY = 45000 / 31  # city-wide numbering: the county sees a few percent of it


def id_for(t: datetime) -> int:
    return 200000 + int((t - ID_ANCHOR).total_seconds() / 86400 * ID_PER_DAY)


def time_for(order_id: int) -> datetime:
    return ID_ANCHOR + timedelta(days=(order_id - 200000 + 0.5) / ID_PER_DAY)


class Generator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.appendix = self._read_appendix()
        self.figures = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))
        self.units = [(n, a, "县直单位", "是") for n, a in DEPARTMENTS]
        self.units += [(t, "", "乡镇(街道)", "是") for t in TOWNS]
        self.units += [(n, a, "县直单位", "否") for n, a, *_ in UNASSESSED]
        self.short = {n: (a.split("；")[0] if a else n) for n, a, _, _ in self.units}
        self.aliases = {n: [x for x in a.split("；") if x] for n, a, _, _ in self.units}
        self.orders: list[dict] = []
        self.reserved = {int(i) for ids in UNJUSTIFIED.values() for i in ids} | {int(SENT_BACK[0]), int(EXTENDED[0])}
        self.used: set[int] = set(self.reserved)

    # ---- targets
    @staticmethod
    def _read_appendix() -> dict[str, dict]:
        with open(REFERENCE / "pingjiang-2024-05-appendix.csv", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        out = {}
        for r in rows:
            k = int(r["回访不满意数"])
            rate = Decimal(r["回访不满意率"].rstrip("%"))
            due = int(r["应办理数"])
            if k:
                visited = min((n for n in range(k, 1000) if percent(k, n) == rate), key=lambda n: abs(n - due))
            else:
                visited = None
            out[r["部门名称"]] = {
                "accepted": int(r["受理案件数"]), "due": due, "handled": int(r["办理数"]),
                "on_time": int(r["按期办理数"]), "reworked": int(r["返工数"]),
                "dissatisfied": k, "visited": visited,
            }
        return out

    def may_target(self, unit: str) -> dict:
        if unit in self.appendix:
            return dict(self.appendix[unit])
        for name, _, accepted, due, late in UNASSESSED:
            if name == unit:
                return {"accepted": accepted, "due": due, "handled": due, "on_time": due - late,
                        "reworked": self.rng.randint(0, 2), "dissatisfied": 0, "visited": None}
        raise KeyError(unit)

    # ---- time helpers
    def daytime(self, day: datetime) -> datetime:
        return day.replace(hour=0, minute=0, second=0) + timedelta(minutes=self.rng.randint(8 * 60, 20 * 60 + 30))

    def limit_days(self) -> int:
        return self.rng.choice([3, 5, 5, 7, 7, 10, 15])

    # ---- plan
    def plan(self) -> None:
        for unit, _, group, assessed in self.units:
            may = self.may_target(unit)
            a5, d5 = may["accepted"], may["due"]
            visited = may["visited"] if may["visited"] is not None else max(0, round(d5 * self.rng.uniform(0.8, 0.95)))
            may["visited"] = visited
            low = max(a5 - d5, visited - d5, 0)
            c5 = min(a5, low + self.rng.randint(0, max(1, a5 // 8)))
            o5 = a5 - c5
            c4 = d5 - o5
            accepted = {TARGET: a5}
            carry = {TARGET: c5, prev_month(TARGET): c4}
            for ym in [(2024, 3), (2024, 4), (2024, 6)]:
                base = max(a5 * self.rng.uniform(0.75, 1.25), 0)
                accepted[ym] = max(round(base), carry.get(ym, 0))
            for ym in [(2024, 2), (2024, 3), (2024, 6)]:
                if ym not in carry:
                    ref = accepted.get(ym, a5)
                    carry[ym] = min(ref, round(ref * self.rng.uniform(0.05, 0.2)))
            accepted[(2024, 2)] = carry[(2024, 2)]
            # April must carry c4 into May: accepted in April >= c4
            accepted[(2024, 4)] = max(accepted[(2024, 4)], c4)
            for ym in MONTHS[:-1]:
                c = carry[ym]
                same = accepted[ym] - c
                for _ in range(same):
                    self.orders.append(self.blank(unit, ym, ym))
                for _ in range(c):
                    self.orders.append(self.blank(unit, ym, next_month(ym)))
            self.shape_may(unit, may, early_needed=max(0, visited - d5))

    def blank(self, unit: str, accepted_in: tuple, due_in: tuple) -> dict:
        return {"unit": unit, "acc_m": accepted_in, "due_m": due_in, "mode": "派单", "late": False,
                "justified": True, "reworks": 0, "extensions": 0, "send_backs": 0, "visit": None,
                "early": False, "open": False, "id": None, "fixed": False}

    def shape_may(self, unit: str, may: dict, early_needed: int) -> None:
        rng = self.rng
        due = [o for o in self.orders if o["unit"] == unit and o["due_m"] == TARGET]
        assert len(due) == may["due"], (unit, len(due), may["due"])
        rng.shuffle(due)
        # special orders first (they are accepted in May)
        specials = [(i, True) for i in UNJUSTIFIED.get(unit, [])]
        if SENT_BACK[1] == unit:
            specials.append((SENT_BACK[0], False))
        if EXTENDED[1] == unit:
            specials.append((EXTENDED[0], False))
        same_month = [o for o in due if o["acc_m"] == TARGET]
        for (order_id, late), order in zip(specials, same_month):
            order.update(id=int(order_id), fixed=True, late=late, justified=not late)
            if order_id == SENT_BACK[0]:
                order.update(send_backs=SENT_BACK[2], extensions=1)
            if order_id == EXTENDED[0]:
                order.update(extensions=EXTENDED[2])
        n_late = may["due"] - may["on_time"]
        already = sum(o["late"] for o in due)
        free = [o for o in due if not o["fixed"]]
        for order in free[: n_late - already]:
            order.update(late=True, justified=True)
        for order in due:
            if order["id"] is None and rng.random() < 0.05:
                order["extensions"] = 1
            if order["id"] is None and rng.random() < 0.04:
                order["send_backs"] = 1
        for order in rng.sample(due, may["reworked"]):
            order["reworks"] = rng.choice([1, 1, 1, 2])
        # closed in May: every due order, plus carry-outs closed early
        outs = [o for o in self.orders if o["unit"] == unit and o["acc_m"] == TARGET and o["due_m"] == next_month(TARGET)]
        extra = rng.randint(0, max(0, len(outs) - early_needed) // 2)
        for order in outs[: early_needed + extra]:
            order["early"] = True
        closed = due + [o for o in outs if o["early"]]
        visited = rng.sample(closed, may["visited"])
        for order in closed:
            order["visit"] = rng.choice(["未回访", "未回访", ""])
        for i, order in enumerate(visited):
            order["visit"] = "不满意" if i < may["dissatisfied"] else rng.choice(["满意", "满意", "满意", "基本满意"])

    def shape_other_months(self) -> None:
        rng = self.rng
        for order in self.orders:
            if order["due_m"] == TARGET or order["mode"] != "派单":
                continue
            # (carry-outs of May closed early were shaped with May: they stay on time)
            order["late"] = rng.random() < 0.03 and order["due_m"] != (2024, 7) and not order["early"]
            order["justified"] = rng.random() < 0.75
            order["reworks"] = rng.choice([1, 1, 2]) if rng.random() < 0.1 else 0
            order["extensions"] = 1 if rng.random() < 0.06 else 0
            order["send_backs"] = 1 if rng.random() < 0.04 else 0
            if order["acc_m"] != TARGET and order["acc_m"] != order["due_m"] and rng.random() < 0.3:
                order["early"] = True
            if order["due_m"] == (2024, 7) and not order["early"]:
                order["open"] = True
            if order["due_m"] == (2024, 6) and order["late"] and rng.random() < 0.3:
                order["open"] = True  # still open past its deadline at export time
            if order["visit"] is None:
                if order["open"]:
                    order["visit"] = ""
                elif rng.random() < 0.85:
                    order["visit"] = "不满意" if rng.random() < 0.08 else rng.choice(["满意", "满意", "基本满意"])
                else:
                    order["visit"] = rng.choice(["未回访", ""])
        # a few rule breakers in the other months, so their bulletins have them too
        for ym in [(2024, 3), (2024, 4), (2024, 6)]:
            pool = [o for o in self.orders if o["due_m"] == ym and o["mode"] == "派单" and not o["open"]]
            for order in rng.sample(pool, rng.randint(0, 2)):
                order["extensions"] = 2
            for order in rng.sample(pool, rng.randint(1, 2)):
                order["send_backs"] = rng.choice([2, 3])

    # ---- times
    def place_times(self, order: dict) -> None:
        rng = self.rng
        acc_start, due_start = month_start(order["acc_m"]), month_start(order["due_m"])
        due_end = month_start(next_month(order["due_m"]))
        ext_days = 5 * order["extensions"]
        if order["id"] is not None:  # fixed id: its acceptance time follows from the number
            accepted = time_for(order["id"])
            span = (due_end - accepted) / DAY
            limit = min(self.limit_days() + ext_days, max(span - (2.5 if order["late"] else 0.3), 0.5))
            deadline = accepted + timedelta(days=limit)
        elif order["acc_m"] == order["due_m"]:
            limit = self.limit_days() + ext_days
            room = (due_end - acc_start) / DAY - limit - (4 if order["late"] else 1)
            if room < 1:
                limit, room = 3, (due_end - acc_start) / DAY - 3 - (4 if order["late"] else 1)
            accepted = self.daytime(acc_start + timedelta(days=rng.uniform(0, room)))
            deadline = accepted + timedelta(days=limit)
        else:  # accepted in one month, due in the next
            latest = 23 if order["late"] else 14
            accepted = self.daytime(due_start - timedelta(days=rng.randint(1, 12)))
            accepted = max(accepted, acc_start + timedelta(hours=9))
            days_left = (due_start - accepted) / DAY
            deadline = accepted + timedelta(days=int(days_left + rng.uniform(0.3, latest)) + 1)
        order["accepted"] = accepted
        order["deadline"] = deadline
        if order["open"]:
            order["closed"] = None
        elif order["late"]:
            room = min((due_end - deadline).total_seconds() / 3600 - 1, 72)
            order["closed"] = deadline + timedelta(hours=rng.uniform(min(2, room / 2), max(room, 1)))
        elif order["early"]:  # closed before its month of deadline starts
            end = min(deadline, due_start) - timedelta(minutes=5)
            order["closed"] = accepted + (end - accepted) * rng.uniform(0.2, 0.95)
        else:
            start = max(accepted, due_start)
            order["closed"] = start + (deadline - start) * rng.uniform(0.05, 0.98)
        if order["closed"] is not None and order["closed"] < accepted:
            order["closed"] = accepted + timedelta(minutes=30)

    # ---- direct closures (直接办结), categories, ids
    def add_direct(self) -> None:
        rng = self.rng
        totals = {(2024, 3): rng.randint(700, 820), (2024, 4): rng.randint(720, 860),
                  (2024, 5): sum(CATEGORIES_MAY.values()) - 1263, (2024, 6): rng.randint(700, 840)}
        for ym, n in totals.items():
            start = month_start(ym)
            days = (month_start(next_month(ym)) - start).days
            for _ in range(n):
                accepted = self.daytime(start + timedelta(days=rng.randrange(days)))
                closed = accepted + timedelta(minutes=rng.randint(3, 90))
                visit = rng.choice(["满意", "满意", "基本满意", "未回访", ""])
                self.orders.append({"unit": "", "acc_m": ym, "due_m": None, "mode": "直接办结", "accepted": accepted,
                                    "deadline": None, "closed": closed, "late": False, "justified": True,
                                    "reworks": 0, "extensions": 0, "send_backs": 0, "visit": visit, "id": None})

    def assign_categories(self) -> None:
        rng = self.rng
        weights = list(CATEGORIES_MAY.items())
        may = [o for o in self.orders if o["accepted"].year == 2024 and o["accepted"].month == 5]
        assert len(may) == sum(CATEGORIES_MAY.values()), len(may)
        pool = {k: v for k, v in CATEGORIES_MAY.items()}
        rng.shuffle(may)
        for order in may:  # affinity first, while the month's pool allows it
            pref = self.preferred(order)
            if pref and pool[pref] > 0 and rng.random() < 0.7:
                order["category"] = pref
                pool[pref] -= 1
        rest = [c for c, n in pool.items() for _ in range(n)]
        rng.shuffle(rest)
        for order in may:
            if "category" not in order:
                order["category"] = rest.pop()
        assert not rest
        names, counts = zip(*weights)
        for order in self.orders:
            if "category" in order:
                continue
            pref = self.preferred(order)
            if pref and rng.random() < 0.6:
                order["category"] = pref
            else:
                order["category"] = rng.choices(names, weights=[c * rng.uniform(0.7, 1.3) for c in counts])[0]

    def preferred(self, order: dict) -> str | None:
        if not order["unit"]:
            return None
        short = self.short[order["unit"]]
        if short in AFFINITY:
            return AFFINITY[short]
        if order["unit"] in TOWNS:
            return self.rng.choice(TOWN_CATEGORIES)
        return None

    def assign_ids(self) -> None:
        for order in sorted(self.orders, key=lambda o: o["accepted"]):
            if order["id"] is not None:
                continue
            candidate = id_for(order["accepted"])
            while candidate in self.used:
                candidate += 1
            self.used.add(candidate)
            order["id"] = candidate

    # ---- letters
    def letters(self) -> list[dict]:
        rng = self.rng
        assessed = [n for n, _, _, a in self.units if a == "是"]
        weights = [max(self.may_target(n)["accepted"], 1) for n in assessed]
        out = []
        for ym in [(2024, 3), (2024, 4), (2024, 5), (2024, 6)]:
            start = month_start(ym)
            days = (month_start(next_month(ym)) - start).days
            if ym == TARGET:
                channels = [c for c, n in CHANNELS_MAY.items() for _ in range(n)]
            else:
                channels = [c for c, n in CHANNELS_MAY.items() for _ in range(max(1, round(n * rng.uniform(0.7, 1.3))))]
            rng.shuffle(channels)
            ratings = self.may_ratings(channels) if ym == TARGET else [self.random_rating() for _ in channels]
            for seq, (channel, (rating, unit)) in enumerate(zip(channels, ratings), start=1):
                received = self.daytime(start + timedelta(days=rng.randrange(days)))
                due = received + timedelta(days=15)
                late = ym != TARGET and rng.random() < 0.02
                replied = due + timedelta(hours=rng.uniform(5, 60)) if late else received + timedelta(days=rng.uniform(1, 13))
                unit = unit or rng.choices(assessed, weights=weights)[0]
                out.append({"id": f"XJ{ym[0]}{ym[1]:02d}{seq:04d}", "channel": channel, "received": received,
                            "due": due, "replied": replied, "unit": unit, "rating": rating})
        return out

    def random_rating(self) -> tuple[str, str | None]:
        r = self.rng.random()
        rating = "非常满意" if r < 0.03 else "不满意" if r < 0.09 else "未评价" if r < 0.2 else self.rng.choice(["满意", "满意", "基本满意"])
        return rating, None

    def may_ratings(self, channels: list[str]) -> list[tuple[str, str | None]]:
        """May: 市长信箱 88 of 93 evaluated letters satisfied (94.62%); 非常满意: 三阳乡 2, 教育局 1, 交通局 1."""
        rng = self.rng
        very = {"市长信箱": ["三阳乡", "三阳乡", "平江县教育局"], "县长信箱": ["平江县交通运输局"]}
        per_channel: dict[str, list] = {}
        for channel in CHANNELS_MAY:
            n = CHANNELS_MAY[channel]
            specials = [("非常满意", u) for u in very.get(channel, [])]
            if channel == "市长信箱":
                rest = [("不满意", None)] * 5 + [(rng.choice(["满意", "满意", "基本满意"]), None) for _ in range(n - 5 - len(specials))]
            else:
                rest = [(rng.choice(["满意", "满意", "基本满意", "未评价", "不满意"]), None) for _ in range(n - len(specials))]
            items = specials + rest
            rng.shuffle(items)
            per_channel[channel] = items
        return [per_channel[c].pop() for c in channels]

    # ---- personal data (synthetic)
    def person(self) -> tuple[str, str]:
        name = self.rng.choice(SURNAMES) + self.rng.choice(["先生", "女士"])
        phone = "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))
        return name, phone

    def request_text(self, order: dict) -> str:
        place = self.rng.choice(TOWNS)
        issue = self.rng.choice(ISSUES[order["category"]])
        return f"来电人反映{place}{issue}，请求相关部门核实处理。"

    def unit_as_written(self, unit: str) -> str:
        aliases = self.aliases[unit]
        if aliases and self.rng.random() < 0.15:
            return self.rng.choice(aliases)
        return unit

    # ---- output
    def build(self) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
        self.plan()
        self.shape_other_months()
        for order in self.orders:
            self.place_times(order)
        self.add_direct()
        self.assign_categories()
        self.assign_ids()
        fmt = "%Y-%m-%d %H:%M:%S"
        rows = [["工单编号", "受理时间", "事件分类", "办理方式", "承办单位", "办理时限", "办结时间", "延期次数",
                 "回退次数", "返工次数", "市热线办退回", "回访结果", "来电人", "联系电话", "诉求内容"]]
        for o in sorted(self.orders, key=lambda o: o["id"]):
            name, phone = self.person()
            rows.append([
                str(o["id"]), o["accepted"].strftime(fmt), o["category"], o["mode"],
                self.unit_as_written(o["unit"]) if o["unit"] else "",
                o["deadline"].strftime(fmt) if o["deadline"] else "",
                o["closed"].strftime(fmt) if o["closed"] else "",
                str(o["extensions"]), str(o["send_backs"]), str(o["reworks"]),
                "是" if (o["late"] and o["justified"]) else "否",
                o["visit"] or "", name, phone, self.request_text(o),
            ])
        letter_rows = [["信件编号", "来信渠道", "收信时间", "答复期限", "答复时间", "承办单位", "评价", "来信人", "联系电话", "来信内容"]]
        for letter in self.letters():
            name, phone = self.person()
            letter_rows.append([
                letter["id"], letter["channel"], letter["received"].strftime(fmt), letter["due"].strftime(fmt),
                letter["replied"].strftime(fmt), self.unit_as_written(letter["unit"]), letter["rating"],
                name, phone, f"来信反映{self.rng.choice(TOWNS)}{self.rng.choice(ISSUES[self.rng.choice(list(ISSUES))])}。",
            ])
        unit_rows = [["单位名称", "单位类型", "简称", "参与考核"]]
        unit_rows += [[n, g, a, s] for n, a, g, s in self.units]
        return unit_rows, rows, letter_rows


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def generate(out_dir: Path = HERE, seed: int = SEED) -> dict[str, Path]:
    units, orders, letters = Generator(seed).build()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"units": out_dir / "units.csv", "orders": out_dir / "orders.csv", "letters": out_dir / "letters.csv"}
    write_csv(paths["units"], units, "utf-8")
    write_csv(paths["orders"], orders, "utf-8-sig")
    write_csv(paths["letters"], letters, "gb18030")
    return paths


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for kind, path in generate(target).items():
        print(f"{kind:8s} {path}")
