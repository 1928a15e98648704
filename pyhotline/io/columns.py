"""The documented columns of each file, the header variants mapped to them, and finding the header row."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from .cleaning import remove_invisible


@dataclass(frozen=True)
class Column:
    header: str  # documented Chinese header
    name: str  # internal English name
    kind: str  # text | label | id | datetime | count | enum | flag | unit | aliases
    required: bool = True  # the column must be in the header
    values: tuple[str, ...] = ()  # for enum
    nullable: bool = False  # for datetime: an empty cell is allowed
    end_of_day: bool = False  # for datetime: a date without a time means the end of that day (deadlines)


ORDER_COLUMNS = (
    Column("工单编号", "order_id", "id"),
    Column("受理时间", "accepted_at", "datetime"),
    Column("事件分类", "category", "text"),
    Column("办理方式", "mode", "enum", values=("派单", "直接办结")),
    Column("承办单位", "unit", "unit"),
    Column("办理时限", "deadline", "datetime", nullable=True, end_of_day=True),
    Column("办结时间", "closed_at", "datetime", nullable=True),
    Column("延期次数", "extensions", "count"),
    Column("回退次数", "send_backs", "count"),
    Column("返工次数", "reworks", "count"),
    Column("市热线办退回", "city_returned", "flag"),
    Column("回访结果", "visit", "enum", values=("满意", "基本满意", "不满意", "未回访", "")),
)


#: 回访结果 values that mean the caller was reached (a visit took place).
VISITED = ("满意", "基本满意", "不满意")


#: Local time of the platform: time-zoned timestamps are converted to it, then used as wall time.
LOCAL_TIMEZONE = "Asia/Shanghai"


LETTER_COLUMNS = (
    Column("信件编号", "letter_id", "id"),
    Column("来信渠道", "channel", "text"),
    Column("收信时间", "received_at", "datetime"),
    Column("答复期限", "reply_due", "datetime", end_of_day=True),
    Column("答复时间", "replied_at", "datetime", nullable=True),
    Column("承办单位", "unit", "unit"),
    Column("评价", "rating", "enum", values=("非常满意", "满意", "基本满意", "不满意", "未评价", "")),
)


UNIT_COLUMNS = (
    Column("单位名称", "name", "label"),
    Column("单位类型", "group", "text"),  # checked against the scheme's unit types (report.check_groups)
    Column("简称", "aliases", "aliases", required=False),
    Column("参与考核", "assessed", "flag", required=False),
)


#: Personal columns: recognised so that they are dropped on purpose, never read.
PERSONAL_HEADERS = ("来电人", "联系电话", "诉求内容", "来信人", "来信内容", "身份证号", "地址")


#: Header variants seen in platform exports -> documented header. Extend per call
#: with ``header_aliases=``.
HEADER_ALIASES = {
    "工单号": "工单编号",
    "工单编码": "工单编号",
    "受理日期": "受理时间",
    "登记时间": "受理时间",
    "事件类型": "事件分类",
    "诉求分类": "事件分类",
    "处理方式": "办理方式",
    "承办部门": "承办单位",
    "责任单位": "承办单位",
    "办理期限": "办理时限",
    "截止时间": "办理时限",
    "办结日期": "办结时间",
    "延期数": "延期次数",
    "回退数": "回退次数",
    "退单次数": "回退次数",
    "返工数": "返工次数",
    "退回重办次数": "返工次数",
    "回访情况": "回访结果",
    "满意度": "回访结果",
    "信件号": "信件编号",
    "渠道": "来信渠道",
    "来信时间": "收信时间",
    "办理单位": "承办单位",
    "满意度评价": "评价",
    "单位": "单位名称",
    "类型": "单位类型",
    "别名": "简称",
    "是否参与考核": "参与考核",
}


_SPACES = re.compile(r"\s+")
_YES = {"是", "y", "yes", "true", "1"}
_NO = {"否", "n", "no", "false", "0", ""}
FLAG_VALUES = frozenset(_YES | _NO)  # what a 是/否 column may hold (normalised, lower case)


def normalize_text(value: str) -> str:
    """Full-width forms to half-width (（）-> ()), no spaces and no invisible characters: the form names
    are compared in."""
    return _SPACES.sub("", remove_invisible(unicodedata.normalize("NFKC", value)))


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):  # an Excel date cell: date-only when it has no time of day
        if getattr(value, "hour", 0) == getattr(value, "minute", 0) == getattr(value, "second", 0) == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
