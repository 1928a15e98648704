"""The ``pyhotline`` command: a thin layer that forwards to library functions.

    pyhotline import --orders 工单2024-05.xlsx --units 单位名录.xlsx
    pyhotline evaluate --month 2024-05 --out 评价表.xlsx
    pyhotline bulletin --month 2024-05
    pyhotline bulletin --months 2024-03:2024-06

Errors an analyst can fix are printed in Chinese with file, row and column, and
the command exits with status 2; nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import PyhotlineError, os_reason


class _Once(argparse.Action):
    """A one-off run's file option given twice (or with two files) is refused: argparse would keep the
    last one and drop the first without a word."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest) is not None:
            parser.error(f"{option_string} 只能给一个文件（给了两次）；多个导出请先用 pyhotline import 导入数据库，"
                         "再用 --store 生成通报")
        setattr(namespace, self.dest, values)


def _inputs(parser: argparse.ArgumentParser, *, letters: bool) -> None:
    parser.add_argument("--orders", type=Path, action=_Once, help="工单明细（CSV、XLSX 或 Parquet）；与 --units 一起给出，都不给则用内置示例数据")
    parser.add_argument("--units", type=Path, action=_Once, help="承办单位名录（CSV 或 XLSX）")
    if letters:
        parser.add_argument("--letters", type=Path, action=_Once, help="信件明细（CSV 或 XLSX）；可不给")
    parser.add_argument("--store", type=Path, default=None,
                        help="数据库文件（pyhotline import 导入的）；默认 $PYHOTLINE_STORE 或 data/store/pyhotline.duckdb，"
                             "给出 --orders 等文件时只用这些文件")
    parser.add_argument("--scheme", default=None, help="考评规则：内置名称（如 pingjiang）或 .toml 文件路径")
    parser.add_argument("--strict", action="store_true", help="严格模式：把“注意”类问题（如完全重复的行）也当作错误")


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse that speaks Chinese: help headings, and mistakes as ``错误：…`` with exit status 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "命令"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本说明后退出")

    _TRANSLATIONS = (
        (r"the following arguments are required: command", "请给出要做的事：import（导入数据）、evaluate（评价表）、bulletin（通报）或 check（检查数据）"),
        (r"the following arguments are required: (.*)", "缺少必需的选项 {0}"),
        (r"one of the arguments (.*) is required", "需要给出以下选项之一：{0}"),
        (r"argument (\S+): not allowed with argument (\S+)", "选项 {0} 和 {1} 不能同时使用"),
        (r"argument (\S+): expected one argument", "选项 {0} 后面缺少取值"),
        (r"argument (\S+): invalid int value: (.*)", "选项 {0} 应为整数，给出的是 {1}"),
        (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "没有 {1} 这一项；可用的有：{2}"),
        (r"unrecognized arguments: (.*)", "不认识的选项：{0}"),
        (r"argument (\S+): (.*)", "选项 {0}：{1}"),
    )

    def error(self, message: str):  # noqa: D401 - argparse API
        import re

        for pattern, chinese in self._TRANSLATIONS:
            match = re.fullmatch(pattern, message)
            if match:
                message = chinese.format(*match.groups())
                break
        hint = "（月份写成 YYYY-MM，例如 --month 2024-05）" if "--month" in message else ""
        self.exit(2, f"错误：{message}{hint}\n{self.format_usage().strip()}\n"
                     f"运行 {self.prog} -h 查看说明\n")


def _period_arg(wanted: str):
    """argparse type of --quarter (YYYYQn) and --year (YYYY), via pyhotline.period."""
    def parse(text: str) -> str:
        from .errors import MonthError
        from .period import kind, parse_period

        try:
            period = parse_period(text)
        except MonthError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if kind(period) != wanted:
            raise argparse.ArgumentTypeError(f"“{text}”不是{'季度（YYYYQn，例如 2024Q2）' if wanted == 'quarter' else '年度（YYYY，例如 2024）'}")
        return str(period)
    return parse


def _iso_date(text: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”不对，应写成 YYYY-MM-DD，例如 2024-07-10") from None


#: ``evaluate --encoding``: exactly these (docs/input-format.md, "Output files"); the names as codecs spells them.
CSV_ENCODINGS = {"utf_8": "utf-8", "utf_8_sig": "utf-8-sig", "gb18030": "gb18030"}


def _text_encoding(text: str) -> str:
    """``evaluate --encoding``: utf-8, utf-8-sig or gb18030 (any spelling Python knows, UTF8, GB18030 …).

    Others are refused, codecs that exist too (utf-16, gbk, latin-1, rot13): a CSV in UTF-16 opens in
    Excel as one column and pyhotline's own readers refuse it; GBK lacks characters some names use."""
    import codecs

    try:
        name = codecs.lookup(text).name.replace("-", "_")
    except LookupError:
        name = None
    if name not in CSV_ENCODINGS:
        raise argparse.ArgumentTypeError(
            f"不支持编码“{text}”；评价表 CSV 只能用 utf-8（默认）、utf-8-sig（Excel 直接打开）或 gb18030（GBK 的扩展）") from None
    return CSV_ENCODINGS[name]


def _as_of(text: str) -> str:
    """``import --as-of``: a date or date and time (pyhotline.store.parse_as_of), never later than now.

    One rule: the cut-off is never in the future, since a future cut-off would outrank every later real
    export (the latest cut-off wins). A date alone means the end of that day, or, for today, the moment
    the command runs (returned as that time); a date and time later than now, or a later date, is
    refused here, before any file is read. "Now" is the platform's wall time (its times are local to
    ``io.LOCAL_TIMEZONE``), as in the files."""
    import pandas as pd

    from .errors import PyhotlineError
    from .io.columns import LOCAL_TIMEZONE
    from .store import parse_as_of

    try:
        stamp = parse_as_of(text)
    except PyhotlineError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    now = pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None).floor("s")
    if len(text.strip()) == 10 and stamp.date() == now.date():  # today: until now, not until midnight
        return f"{now:%Y-%m-%d %H:%M:%S}"
    if stamp > now:
        raise argparse.ArgumentTypeError(
            f"导出时间“{text.strip()}”晚于现在（{now:%Y-%m-%d %H:%M}）：数据截至不能是将来的时间，"
            "否则它会压过以后每一次真实导出的数据；请写导出文件的实际时间（只写今天的日期即截至现在），"
            "或不给 --as-of（取文件中最晚的时间）")
    return text


def _span(text: str):
    """``import --span FIRST..LAST`` (pyhotline.store.cutoffs.parse_span)."""
    from .errors import PyhotlineError
    from .store.cutoffs import parse_span

    try:
        return parse_span(text)
    except PyhotlineError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"“{text}”不是正整数")
    return int(text)


def _output_parent(path: Path, what: str) -> None:
    """The one rule for where commands write (docs/input-format.md, "Output files"): the file or folder
    named (``--out``, ``--out-dir``, ``import --store``) is created when missing, the folder holding it
    must already exist, so a mistyped folder name stops the command before anything is read or made."""
    parent = path.expanduser().parent
    if parent.is_dir():
        return
    shown = str(parent) if str(parent) != "" else "."
    if parent.exists():
        raise PyhotlineError(f"{what} {path} 所在的 {shown} 不是文件夹；请检查路径是否写错")
    missing = parent
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    first = f"（最上面缺少的是 {missing}）" if missing != parent else ""
    raise PyhotlineError(
        f"{what} {path} 所在的文件夹 {shown} 不存在{first}：请检查路径是否写错，或先建好这个文件夹；"
        f"pyhotline 只新建{what}本身，不新建它上面的文件夹")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pyhotline", description="12345 热线和市、县长信箱月度督查通报")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                metavar="{import,drop,evaluate,bulletin,check}")

    im = sub.add_parser("import", help="把平台导出的文件导入数据库（每月导入，重叠的导出自动合并）")
    im.add_argument("--orders", type=Path, nargs="+", action="extend", default=[], help="工单明细文件（可多个）")
    im.add_argument("--letters", type=Path, nargs="+", action="extend", default=[], help="信件明细文件（可多个）")
    im.add_argument("--units", type=Path, nargs="+", action="extend", default=[], help="承办单位名录文件")
    im.add_argument("--store", type=Path, default=None,
                    help="数据库文件；默认 $PYHOTLINE_STORE 或 data/store/pyhotline.duckdb")
    im.add_argument("--as-of", type=_as_of, default=None,
                    help="导出时间（数据截至），YYYY-MM-DD HH:MM 或 YYYY-MM-DD（当天结束时；今天则为现在），不能晚于现在；默认取文件中最晚的时间")
    im.add_argument("--span", type=_span, default=None,
                    help="导出时选的受理（收信）时间范围，YYYY-MM-DD..YYYY-MM-DD，如 2024-01-01..2024-02-29；"
                         "默认取文件中最早到最晚的记录（首尾几天恰好没有记录时会被当作未导入）")
    im.add_argument("--scheme", default=None, help="考评规则（其中的表头别名用于读文件）")
    im.add_argument("--strict", action="store_true", help="严格模式：把“注意”类问题也当作错误，不导入")
    im.set_defaults(func=_import)

    dr = sub.add_parser("drop", help="从数据库中去掉平台上已作废、删除的工单（可恢复）")
    dr.add_argument("orders", nargs="*", default=[], metavar="工单编号", help="要去掉的工单编号（可多个）")
    dr.add_argument("--missing", action="store_true", help="去掉较新的导出中没有的全部工单（导入时“注意”中列出的）")
    dr.add_argument("--restore", action="store_true", help="恢复给出的已去掉的工单")
    dr.add_argument("--store", type=Path, default=None,
                    help="数据库文件；默认 $PYHOTLINE_STORE 或 data/store/pyhotline.duckdb")
    dr.set_defaults(func=_drop)

    ev = sub.add_parser("evaluate", help="计算某月综合评价表（附件），写成 CSV 或 XLSX")
    span = ev.add_mutually_exclusive_group(required=True)
    span.add_argument("--month", help="月份，YYYY-MM，例如 2024-05")
    span.add_argument("--quarter", type=_period_arg("quarter"), help="季度，YYYYQn，例如 2024Q2：季度的综合评价表")
    span.add_argument("--year", type=_period_arg("year"), help="年度，YYYY，例如 2024：全年的综合评价表")
    _inputs(ev, letters=False)
    ev.add_argument("--out", required=True, type=Path, help="输出文件，.csv、.xlsx 或 .json")
    ev.add_argument("--encoding", type=_text_encoding, default=None,
                    help="CSV 编码：utf-8（默认）、utf-8-sig 或 gb18030（Excel 直接打开用后两种）；只用于 .csv")
    ev.add_argument("--engine", choices=("pandas", "duckdb"), default=None, help=argparse.SUPPRESS)  # retired: no effect
    ev.set_defaults(func=_evaluate)

    bu = sub.add_parser("bulletin", help="生成月度督查通报（HTML、PDF、评价表 XLSX、图表）")
    when = bu.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help="月份，YYYY-MM")
    when.add_argument("--months", help="月份范围，YYYY-MM:YYYY-MM，每月一份通报，并行生成")
    when.add_argument("--quarter", type=_period_arg("quarter"), help="季度，YYYYQn，例如 2024Q2：季报，写到 outputs/2024Q2/")
    when.add_argument("--year", type=_period_arg("year"), help="年度，YYYY，例如 2024：年报，写到 outputs/2024/")
    _inputs(bu, letters=True)
    bu.add_argument("--out-dir", type=Path, default=Path("outputs"), help="输出文件夹（默认 outputs/）")
    bu.add_argument("--issue", type=_positive_int, default=None, help="期号（第 N 期）；不给则不印期号")
    bu.add_argument("--date", type=_iso_date, default=None, help="发文日期，YYYY-MM-DD；默认今天")
    bu.add_argument("--notes", type=Path, default=None,
                    help="通报备注（办公室自己的文字，docs/layout.md）：文件，或按月份存放 YYYY-MM.md 的文件夹")
    bu.add_argument("--jobs", type=_positive_int, default=None, help="并行进程数（默认为 CPU 核数）")
    bu.set_defaults(func=_bulletin)

    ch = sub.add_parser("check", help="检查数据文件，列出发现的所有问题（不生成通报）")
    _inputs(ch, letters=True)
    ch.set_defaults(func=_check)
    return parser


def _import(args: argparse.Namespace) -> int:
    from .store import default_store_path, import_files

    if args.store is not None:  # the default store's folder (data/store/) is pyhotline's own: made as needed
        _output_parent(args.store, "数据库文件")
    from .store.scheme_memory import remember

    if args.span is not None and not (args.orders or args.letters):
        print("错误：--span 是工单或信件导出所覆盖的受理（收信）日期范围，只能与 --orders 或 --letters 一起使用；"
              "只导入单位名录时不要加 --span", file=sys.stderr)
        return 2
    store = args.store or default_store_path()
    scheme = _store_scheme(args, store)
    summary = import_files(store, orders=args.orders, letters=args.letters, units=args.units, as_of=args.as_of,
                           span=args.span, scheme=scheme, strict=args.strict)
    if args.scheme is not None and _fits(summary, store, scheme):
        remember(store, args.scheme)  # later commands on this store without --scheme use it
    for line in summary.lines():
        print(line)
    for line in _vanished_lines(summary.store, [f.file for f in summary.files]):
        print(f"注意：{line}", file=sys.stderr)
    _print_warnings(summary.quality)
    print(f"已导入数据库：{summary.store}")
    return 0


def _drop(args: argparse.Namespace) -> int:
    from .store import default_store_path
    from .store.drops import drop_orders, restore_orders

    store = args.store or default_store_path()
    if args.restore and args.missing:
        print("错误：--restore 与 --missing 不能同时使用：恢复时请给出工单编号", file=sys.stderr)
        return 2
    summary = restore_orders(store, args.orders) if args.restore else drop_orders(store, args.orders, missing=args.missing)
    for line in summary.lines():
        print(line)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .export import write_appendix
    from .report import evaluation_table
    from .scheme import load_scheme
    from .store import load_month

    if args.engine is not None:
        print("注意：--engine 已停用，不再起作用（所有数据都经数据库计算）", file=sys.stderr)
    _output_parent(args.out, "输出文件")
    scheme = load_scheme(_store_scheme(args))
    if args.month is None:  # a quarter's or a year's table: from the period's summed counts, as its bulletin
        from .period import period_report
        from .period_load import load_period

        period = args.quarter or args.year
        data = load_period(period, store=args.store, orders=args.orders, units=args.units, scheme=scheme,
                           strict=args.strict)
        report = period_report(period, data, scheme)
    else:
        data = load_month(args.month, store=args.store, orders=args.orders, units=args.units, scheme=scheme,
                          strict=args.strict, table_only=True)
        report = evaluation_table(args.month, data, scheme)  # the table only, not the whole bulletin's figures
    if args.out.suffix.lower() == ".json":
        from .figures import write_table_json

        path = write_table_json(report, args.out)
    else:
        path = write_appendix(report, args.out, encoding=args.encoding or "utf-8")
    if args.encoding is not None and args.out.suffix.lower() != ".csv":
        print(f"注意：--encoding 只用于 .csv 文件，写 {args.out.suffix} 时不起作用", file=sys.stderr)
    _print_warnings(data.quality)
    label = report.month if args.month is not None else args.quarter or args.year
    print(f"已写出 {label} 综合评价表：{path}（{len(report.evaluation)} 个单位）")
    return 0


def _fits(summary, store, scheme) -> bool:
    """Whether ``import --scheme`` becomes the store's scheme: only when the store's registry is one the scheme
    ranks (a --scheme given once for another county's rules must not rebind the store)."""
    from .check import check_store

    return not check_store(store, scheme)


def _vanished_lines(store, files) -> list[str]:
    """Earlier orders that the orders exports just imported lack although they cover their 受理时间."""
    from .store import connect
    from .store.month import imports_table
    from .store.vanished import export_lines

    with connect(store) as con:
        return export_lines(imports_table(con), files)


def _store_scheme(args: argparse.Namespace, store=None):
    """The scheme a command uses (:func:`~pyhotline.store.scheme_memory.scheme_choice`, docs/store.md, 规则文件):
    --scheme, else the one the store was imported with; a one-off run on files uses a store's only when one is
    named. The note saying which is printed."""
    from .store.scheme_memory import scheme_choice

    files = store is None and any(getattr(args, n, None) is not None for n in ("orders", "units", "letters"))
    scheme, note = scheme_choice(args.scheme, store or args.store, files=files)
    if note:
        print(f"注意：{note}", file=sys.stderr)
    return scheme


def _print_warnings(quality) -> None:
    for record in quality:
        for warning in record.warnings:
            print(f"注意：{warning}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from .check import check_files
    from .store import describe_store, resolve_store

    files = (args.orders, args.units, args.letters)
    if all(f is None for f in files) and resolve_store(args.store) is not None:
        from .check import check_store

        scheme = _store_scheme(args)
        lines, gaps = describe_store(resolve_store(args.store), scheme=scheme)
        for line in lines:
            print(line)
        from .scheme import load_scheme, validate_scheme

        rules = load_scheme(scheme)
        problems = [*validate_scheme(rules), *check_store(resolve_store(args.store), rules)]  # as bulletin checks
        for problem in problems:
            print(f"错误：{problem}", file=sys.stderr)
        if problems:
            return 2
        for gap in gaps:
            print(f"{'错误' if args.strict else '注意'}：{gap}", file=sys.stderr)
        if gaps and args.strict:
            return 2
        print("检查完毕：数据库可用。")
        return 0
    result = check_files(args.orders, args.units, args.letters, scheme=_store_scheme(args), strict=args.strict)
    for record in result.quality:
        print(record.summary())
    _print_warnings(result.quality)
    for problem in result.problems:
        print(f"错误：{problem}", file=sys.stderr)
    if result.problems:
        print(f"共发现 {len(result.problems)} 个问题，请修改后再生成通报。", file=sys.stderr)
        return 2
    print("检查通过：可以生成通报。")
    return 0


def _bulletin(args: argparse.Namespace) -> int:
    from .runner import run_bulletins

    _output_parent(args.out_dir, "输出文件夹")
    return run_bulletins(
        month=args.month or args.quarter or args.year,
        months=args.months,
        orders=args.orders,
        units=args.units,
        letters=args.letters,
        store=args.store,
        scheme=_store_scheme(args),
        strict=args.strict,
        out_dir=args.out_dir,
        issue=args.issue,
        date=args.date,
        notes=args.notes,
        jobs=args.jobs,
    )


def _plain_warnings() -> None:
    """Warnings reach the analyst as one line ("注意：…"), without source paths or code lines; pandas'
    note that a frame's attrs cannot be cached is ours to ignore (PYHOTLINE_DEBUG=1 shows everything)."""
    import os
    import warnings

    if os.environ.get("PYHOTLINE_DEBUG"):
        return
    warnings.filterwarnings("ignore", message="Could not serialize pd.DataFrame.attrs")
    warnings.showwarning = lambda message, *_args, **_kw: print(f"注意：{message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from .runner import skip_slow_iri_checker

    skip_slow_iri_checker()
    _plain_warnings()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed its (Chinese) message or the help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except PyhotlineError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be written, a disk that is full ...
        where = f"{exc.filename}：" if exc.filename else ""
        print(f"错误：{where}无法读写文件（{os_reason(exc)}）", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: one line for the analyst, the traceback on request
        import os

        if os.environ.get("PYHOTLINE_DEBUG"):
            raise
        print(f"错误：内部错误（{type(exc).__name__}: {exc}）；设置环境变量 PYHOTLINE_DEBUG=1 后重试可看到详细信息，"
              "请连同输入文件的情况一并报告", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
