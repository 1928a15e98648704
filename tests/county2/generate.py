"""云溪县: an invented second county for the tests, written by its own generator.

Deterministic (seeded), standard library plus openpyxl only, and independent of pyhotline's code: it
writes what another county's platform would export, in that platform's own shape:

- ``云溪县工单导出.xlsx``: orders under two title rows ("云溪县12345热线工单导出", "导出时间：…"), the
  platform's own header names (mapped by the scheme's ``[input.header_aliases]``), text order numbers
  ("YX20240503-0012"), 受理时间 as Excel date cells, 办理时限 as "2024年1月20日 17:30", 办结时间 as
  "2024/1/19 16:05", and a 合计 row at the bottom;
- ``云溪县信件.csv``: letters, GBK, with their own headers and times written "2024.1.5 9:00";
- ``云溪县单位名录.xlsx``: the units registry with its own unit types (县直部门, 镇街) and headers;
- ``yunxi.toml`` and ``yunxi-requirements.md``: the county's own scheme and 工作要求 (copied from this folder).

Accepted 2023-12-01 … 2024-04-25 18:00 (the export's cut-off), so months 2024-01 … 2024-04 are whole
except April, which stops at the cut-off. Quirks on purpose: orders accepted the month before their
deadline, open orders not yet due at the cut-off, units outside the assessment with late orders, a unit
with orders accepted in April but none due (—), a unit with no order in February, a tie of two units
with equal figures in March (registry order decides), deadlines exactly on a month boundary, orders
closed exactly at the deadline.

``generate(folder)`` writes the files and returns the records as typed Python values (``County``), from
which the tests compute the expected figures themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SEED = 20240425
CUTOFF = dt.datetime(2024, 4, 25, 18, 0, 0)
FIRST_ACCEPTED = dt.datetime(2023, 12, 1)
MONTHS = ((2024, 1), (2024, 2), (2024, 3), (2024, 4))
DUE_MONTHS = ((2023, 12), *MONTHS, (2024, 5))

# registry order matters (ties); (name, type, aliases, assessed)
UNITS = (
    ("云溪县住房和城乡建设局", "县直部门", "住建局；县住建局", True),
    ("云溪县农业农村局", "县直部门", "农业农村局", True),
    ("云溪县交通运输局", "县直部门", "交通运输局；交通局", True),
    ("云溪县人力资源和社会保障局", "县直部门", "人社局", True),
    ("云溪县教育局", "县直部门", "教育局", True),
    ("云溪县卫生健康局", "县直部门", "卫健局", True),
    ("云溪县生态环境分局", "县直部门", "生态环境分局；环保分局", True),
    ("云溪县水利局", "县直部门", "水利局", True),
    ("云溪县供电公司", "县直部门", "供电公司", False),
    ("云溪县燃气公司", "县直部门", "燃气公司", False),
    ("云溪镇", "镇街", "", True),
    ("白沙镇", "镇街", "", True),
    ("青石乡", "镇街", "", True),
    ("东门街道", "镇街", "东门办事处", True),
    ("龙潭镇", "镇街", "", True),
    ("石门乡", "镇街", "", True),
)
TIE_UNITS = ("白沙镇", "青石乡")  # identical figures in 2024-03
TIE_MONTH = (2024, 3)
NO_ORDERS_IN = {"龙潭镇": (2024, 2)}  # nothing accepted or due in that month
ACCEPTED_ONLY = ("石门乡", (2024, 4))  # accepted in April, due in May only
CATEGORIES = ("城乡建设类", "农业农村类", "交通出行类", "社会保障类", "教育卫生类", "生态环境类", "水电气类", "其他事项")
CHANNELS = ("中国政府网", "省长信箱", "市长信箱", "县长信箱")
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"

ORDER_HEADER = ("序号", "工单流水号", "登记受理时间", "诉求类别", "处置方式", "责任部门", "办结时限", "实际办结时间",
                "申请延期次数", "单位回退次数", "重办次数", "上级退回", "回访满意度", "市民姓名", "联系号码", "诉求详情")
LETTER_HEADER = ("来信编号", "信件来源", "来信日期", "答复截止时间", "回复时间", "主办部门", "群众评价",
                 "写信人", "手机号", "信件内容")
UNIT_HEADER = ("单位全称", "单位类别", "其他名称", "是否考核")


@dataclass
class Order:
    order_id: str
    accepted: dt.datetime
    category: str
    mode: str  # 派单 | 直接办结
    unit: str  # registry name ("" for 直接办结)
    written_unit: str  # as the export writes it (name or an alias)
    deadline: dt.datetime | None
    closed: dt.datetime | None
    extensions: int
    send_backs: int
    reworks: int
    city_returned: bool
    visit: str  # 满意 基本满意 不满意 未回访 or ""
    caller: str
    phone: str
    request: str


@dataclass
class Letter:
    letter_id: str
    channel: str
    received: dt.datetime
    due: dt.datetime  # end of the day written
    replied: dt.datetime | None
    unit: str
    written_unit: str
    rating: str
    writer: str
    phone: str
    text: str


@dataclass
class County:
    folder: Path
    orders_file: Path
    letters_file: Path
    units_file: Path
    scheme_file: Path
    cutoff: dt.datetime
    units: tuple = UNITS
    orders: list[Order] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)

    @property
    def personal(self) -> list[str]:
        """Every personal value written (names, phones, request and letter texts)."""
        values = [v for o in self.orders for v in (o.caller, o.phone, o.request)]
        return values + [v for x in self.letters for v in (x.writer, x.phone, x.text)]


def _days_in(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.date(year, month, 1)).days


def _written(rng: random.Random, unit: str, aliases: str) -> str:
    names = [a for a in aliases.split("；") if a]
    return rng.choice(names) if names and rng.random() < 0.5 else unit


class _Ids:
    def __init__(self, prefix: str):
        self.prefix, self.seen = prefix, {}

    def next(self, when: dt.datetime) -> str:
        day = when.strftime("%Y%m%d")
        self.seen[day] = self.seen.get(day, 0) + 1
        return f"{self.prefix}{day}-{self.seen[day]:04d}"


def _person(rng: random.Random, n: int) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
    phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    return name, phone, f"云溪诉求第{n:05d}号：反映门前道路积水，请求尽快处理（联系人{name}）"


def _outcome(rng: random.Random) -> dict:
    """What happens to one dispatched order (before the cut-off trims it)."""
    late = rng.random() < 0.12
    return {
        "late": late, "exact": (not late) and rng.random() < 0.04, "open": rng.random() < 0.04,
        "reworks": 1 if rng.random() < 0.10 else (2 if rng.random() < 0.02 else 0),
        "extensions": 0 if rng.random() < 0.9 else rng.choice((1, 1, 2, 3)),
        "send_backs": 0 if rng.random() < 0.9 else rng.choice((1, 1, 2)),
        "city_returned": late and rng.random() < 0.35,
        "visit": rng.choices(("满意", "基本满意", "不满意", "未回访", ""), (60, 20, 9, 7, 4))[0],
        "due_day": rng.random(), "duration": rng.randint(4, 20), "hour": rng.randint(8, 17),
        "minute": rng.randint(0, 59), "spent": rng.random(), "delay_hours": rng.randint(1, 120),
        "category": rng.choice(CATEGORIES),
    }


def _dispatched(rng, ids, person, unit, aliases, year, month, out) -> Order | None:
    days = _days_in(year, month)
    deadline = dt.datetime(year, month, 1 + int(out["due_day"] * days), out["hour"], out["minute"])
    accepted = deadline - dt.timedelta(days=out["duration"], hours=rng.randint(0, 6), minutes=rng.randint(0, 59))
    if accepted < FIRST_ACCEPTED or accepted > CUTOFF:
        return None
    if out["open"]:
        closed = None
    elif out["exact"]:
        closed = deadline
    elif out["late"]:
        closed = deadline + dt.timedelta(hours=out["delay_hours"])
    else:
        span = (deadline - accepted).total_seconds()
        closed = accepted + dt.timedelta(seconds=int(60 + out["spent"] * (span - 120)) // 60 * 60)
    if closed is not None and closed > CUTOFF:
        closed = None  # still open in the export
    visit = out["visit"] if closed is not None else rng.choice(("", "未回访"))
    return Order(ids.next(accepted), accepted, out["category"], "派单", unit, _written(rng, unit, aliases),
                 deadline, closed, out["extensions"], out["send_backs"], out["reworks"],
                 out["city_returned"] and closed is not None, visit, *person())


def _orders(rng: random.Random) -> list[Order]:
    ids, counter = _Ids("YX"), [0]

    def person():
        counter[0] += 1
        return _person(rng, counter[0])

    orders: list[Order] = []
    for name, _type, aliases, assessed in UNITS:
        size = rng.randint(2, 5) if not assessed else rng.randint(4, 14)
        tie_outcomes = None
        for year, month in DUE_MONTHS:
            if name == ACCEPTED_ONLY[0] and (year, month) == ACCEPTED_ONLY[1]:
                continue
            n = size + rng.randint(-2, 3)
            if name in TIE_UNITS and (year, month) == TIE_MONTH:
                if tie_outcomes is None:  # the first of the two draws, the second copies
                    tie_outcomes = _TIE.setdefault("outcomes", [_outcome(rng) for _ in range(9)])
                outcomes = [{**o, "open": False} for o in tie_outcomes]
            else:
                outcomes = [_outcome(rng) for _ in range(max(n, 1))]
            for out in outcomes:
                order = _dispatched(rng, ids, person, name, aliases, year, month, out)
                if order is not None:
                    orders.append(order)
    # 石门乡: accepted in April, due in May only
    accepted = dt.datetime(2024, 4, 20, 9, 30)
    orders.append(Order(ids.next(accepted), accepted, "城乡建设类", "派单", "石门乡", "石门乡",
                        dt.datetime(2024, 5, 10, 17, 30), None, 0, 0, 0, False, "", *person()))
    # deadlines on a month's boundary (last second of January, first second of February), closed on time
    for deadline in (dt.datetime(2024, 1, 31, 23, 59, 59), dt.datetime(2024, 2, 1, 0, 0, 0)):
        accepted = deadline - dt.timedelta(days=10, hours=3)
        orders.append(Order(ids.next(accepted), accepted, "交通出行类", "派单", "云溪县交通运输局", "交通局",
                            deadline, deadline - dt.timedelta(hours=2), 0, 0, 0, False, "满意", *person()))
    # requests closed by the hotline itself; the last one at the cut-off
    day = FIRST_ACCEPTED
    while day < CUTOFF:
        for _ in range(rng.randint(0, 3)):
            accepted = day + dt.timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
            if accepted < CUTOFF:
                orders.append(Order(ids.next(accepted), accepted, rng.choice(CATEGORIES), "直接办结", "", "", None,
                                    accepted + dt.timedelta(minutes=rng.randint(5, 50)), 0, 0, 0, False,
                                    rng.choice(("满意", "基本满意", "未回访")), *person()))
        day += dt.timedelta(days=1)
    def _quiet(o: Order) -> bool:  # a unit with nothing accepted or due in a month
        month = NO_ORDERS_IN.get(o.unit)
        return month is not None and month in ((o.accepted.year, o.accepted.month),
                                               (o.deadline.year, o.deadline.month))
    orders = [o for o in orders if not _quiet(o)]
    orders.append(Order(ids.next(CUTOFF), CUTOFF - dt.timedelta(minutes=20), "其他事项", "直接办结", "", "", None,
                        CUTOFF, 0, 0, 0, False, "满意", *person()))
    return sorted(orders, key=lambda o: (o.accepted, o.order_id))


_TIE: dict = {}


def _letters(rng: random.Random) -> list[Letter]:
    units = [(u[0], u[2]) for u in UNITS]
    letters, ids, n = [], _Ids("XJ"), 0
    for year, month in MONTHS:
        for _ in range(rng.randint(10, 18)):
            n += 1
            received = dt.datetime(year, month, rng.randint(1, _days_in(year, month)), rng.randint(8, 20),
                                   rng.randint(0, 59))
            if received > CUTOFF:
                continue
            due_day = (received + dt.timedelta(days=rng.randint(5, 15))).date()
            due = dt.datetime.combine(due_day, dt.time(23, 59, 59))
            replied = received + dt.timedelta(days=rng.randint(1, 18), minutes=rng.randint(0, 600))
            if rng.random() < 0.06 or replied > CUTOFF:
                replied = None
            unit, aliases = rng.choice(units)
            rating = rng.choices(("非常满意", "满意", "基本满意", "不满意", "未评价"), (25, 35, 15, 10, 15))[0]
            writer, phone, _ = _person(rng, n)
            letters.append(Letter(ids.next(received), rng.choice(CHANNELS), received, due, replied, unit,
                                  _written(rng, unit, aliases), rating if replied else "未评价", writer, phone,
                                  f"云溪来信第{n:04d}号：建议增设公交站点（{writer}）"))
    return sorted(letters, key=lambda x: (x.received, x.letter_id))


def _deadline_text(t: dt.datetime) -> str:  # 2024年1月20日 17:30 (seconds only when there are any)
    s = f":{t.second:02d}" if t.second else ""
    return f"{t.year}年{t.month}月{t.day}日 {t.hour}:{t.minute:02d}{s}"


def _closed_text(t: dt.datetime | None) -> str:  # 2024/1/19 16:05
    return "" if t is None else f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}" + (
        f":{t.second:02d}" if t.second else "")


def _letter_time(t: dt.datetime | None) -> str:  # 2024.1.5 9:00
    return "" if t is None else f"{t.year}.{t.month}.{t.day} {t.hour}:{t.minute:02d}"


def _write_orders(path: Path, orders: list[Order]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "工单明细"
    ws.append(["云溪县12345热线工单导出"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ORDER_HEADER))
    ws.append([f"导出时间：{CUTOFF:%Y-%m-%d %H:%M}", None, "导出人：系统管理员"])
    ws.append(list(ORDER_HEADER))
    for i, o in enumerate(orders, 1):
        ws.append([i, o.order_id, o.accepted, o.category, o.mode, o.written_unit,
                   _deadline_text(o.deadline) if o.deadline else "", _closed_text(o.closed),
                   o.extensions, o.send_backs, o.reworks, "是" if o.city_returned else "否", o.visit,
                   o.caller, o.phone, o.request])
        ws.cell(row=ws.max_row, column=3).number_format = "yyyy-mm-dd hh:mm:ss"
    ws.append(["合计", f"共{len(orders)}件"])
    wb.save(path)


def _write_letters(path: Path, letters: list[Letter]) -> None:
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(LETTER_HEADER)
        for x in letters:
            out.writerow([x.letter_id, x.channel, _letter_time(x.received), f"{x.due:%Y.%m.%d}",
                          _letter_time(x.replied), x.written_unit, x.rating, x.writer, x.phone, x.text])


def _write_units(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "单位名录"
    ws.append(list(UNIT_HEADER))
    for name, kind, aliases, assessed in UNITS:
        ws.append([name, kind, aliases, "是" if assessed else "否"])
    wb.save(path)


def generate(folder: Path | str, seed: int = SEED) -> County:
    """Write 云溪县's exports, registry and scheme into ``folder``; return the records written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _TIE.clear()
    rng = random.Random(seed)
    orders = _orders(rng)
    letters = _letters(rng)
    county = County(folder, folder / "云溪县工单导出.xlsx", folder / "云溪县信件.csv", folder / "云溪县单位名录.xlsx",
                    folder / "yunxi.toml", max(max(o.accepted, o.closed or o.accepted) for o in orders),
                    orders=orders, letters=letters)
    _write_orders(county.orders_file, orders)
    _write_letters(county.letters_file, letters)
    _write_units(county.units_file)
    for name in ("yunxi.toml", "yunxi-requirements.md"):
        shutil.copyfile(HERE / name, folder / name)
    return county


if __name__ == "__main__":  # python tests/county2/generate.py /tmp/yunxi
    import sys

    made = generate(sys.argv[1] if len(sys.argv) > 1 else "yunxi")
    print(f"{len(made.orders)} orders, {len(made.letters)} letters -> {made.folder}")
