"""The scheme file: bundled values, loading by path, validation errors, grades."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest

from pathlib import Path

from conftest import scheme_variant
from pyhotline.errors import SchemeError
from pyhotline.scheme import bundled_schemes, load_scheme

ROOT = Path(__file__).resolve().parents[1]

GRADES_BLOCK = '''[[grades]]
name = "A"
min = "90"
deduction = "0"

[[grades]]
name = "B"
min = "85"
deduction = "2"
'''


class TestBundled:
    def test_values(self, pj_scheme):
        s = pj_scheme
        assert (s.county, s.office, s.publication) == ("平江县", "平江县人民政府督查室", "平江政务督查")
        assert s.rounding == "half_up" and s.rounding_mode == ROUND_HALF_UP
        assert (s.rate_decimals, s.composite_decimals, s.share_decimals) == (2, 1, 2)
        assert s.weights == {
            "办结率": Decimal("0.3"), "按期办结率": Decimal("0.3"), "返工率": Decimal("0.2"), "回访不满意率": Decimal("0.2"),
        }
        assert all(isinstance(w, Decimal) for w in s.weights.values())
        assert s.visit_basis == "closed"
        assert [(g.name, g.min, g.deduction) for g in s.grades] == [
            ("A", Decimal("90"), Decimal("0")),
            ("B", Decimal("85"), Decimal("2")),
            ("C", Decimal("80"), Decimal("4")),
            ("D", Decimal("0"), Decimal("6")),
        ]
        assert [g.color for g in s.grades] == ["#3C7F5B", "#D9A21B", "#D9722B", "#B03A2E"]
        assert s.unjustified_overdue_points == Decimal("0.5")
        assert (s.max_extensions, s.max_send_backs, s.top_n, s.top_categories) == (1, 1, 3, 5)
        assert s.appendix_groups == ("县直单位", "乡镇(街道)")
        assert s.narrative_groups == ("乡镇(街道)", "县直单位")
        assert s.composite_ties == ("受理案件数",)
        assert s.unassessed_label == "无系统单位"
        assert s.path.name == "pingjiang.toml"
        assert s.requirements_text().startswith("1、进一步强化服务意识")

    def test_default_and_listing(self, pj_scheme):
        assert "pingjiang" in bundled_schemes()
        assert load_scheme() == pj_scheme
        assert load_scheme(None).county == "平江县"

    def test_deductions_by_grade(self, pj_scheme):
        assert [pj_scheme.deduction_for(g) for g in "ABCD"] == [Decimal(0), Decimal(2), Decimal(4), Decimal(6)]
        assert pj_scheme.deduction_for("Z") == Decimal(0)


class TestGrades:
    @pytest.mark.parametrize(
        "composite, grade",
        [
            ("100", "A"), ("90", "A"), ("90.0", "A"), ("89.9", "B"), ("85", "B"), ("84.9", "C"),
            ("80", "C"), ("80.0", "C"), ("79.9", "D"), ("0", "D"), ("97.4", "A"),
        ],
    )
    def test_thresholds(self, pj_scheme, composite, grade):
        assert pj_scheme.grade_for(Decimal(composite)).name == grade


class TestLoadByPath:
    def test_copy_by_path(self, tmp_path, pj_scheme):
        copy = tmp_path / "my-county.toml"
        shutil.copy(pj_scheme.path, copy)
        for arg in (copy, str(copy)):
            s = load_scheme(arg)
            assert s.path == copy
            assert s.weights == pj_scheme.weights and s.grades == pj_scheme.grades
        # the requirements file is looked up beside the scheme file
        with pytest.raises(SchemeError, match="工作要求"):
            load_scheme(copy).requirements_text()
        shutil.copy(pj_scheme.path.with_name("pingjiang-requirements.md"), tmp_path)
        assert load_scheme(copy).requirements_text() == pj_scheme.requirements_text()

    def test_variant(self, tmp_path):
        s = load_scheme(scheme_variant(
            tmp_path,
            ('visit_basis = "closed"', 'visit_basis = "due"'),
            ('mode = "half_up"', 'mode = "half_even"'),
            ('composite_ties = ["受理案件数"]', 'composite_ties = ["应办理数", "办理数"]'),
        ))
        assert s.visit_basis == "due"
        assert s.rounding_mode == ROUND_HALF_EVEN
        assert s.composite_ties == ("应办理数", "办理数")

    def test_float_weights(self, tmp_path):
        s = load_scheme(scheme_variant(tmp_path, ('"办结率" = "0.3"', '"办结率" = 0.3'), ('"返工率" = "0.2"', '"返工率" = 0.2')))
        assert s.weights["办结率"] == Decimal("0.3") and s.weights["返工率"] == Decimal("0.2")

    def test_minimal_scheme_defaults(self, tmp_path):
        path = tmp_path / "mini.toml"
        path.write_text(
            '[county]\nname = "某县"\n[composite.weights]\n"办结率" = "1"\n'
            '[[grades]]\nname = "合格"\nmin = "0"\n',
            encoding="utf-8",
        )
        s = load_scheme(path)
        assert s.county == "某县"
        assert s.weights == {"办结率": Decimal(1), "按期办结率": Decimal(0), "返工率": Decimal(0), "回访不满意率": Decimal(0)}
        assert (s.rounding, s.rate_decimals, s.composite_decimals, s.visit_basis) == ("half_up", 2, 1, "closed")
        assert s.requirements_file is None and s.requirements_text() == ""
        assert s.unassessed_label == "无系统单位"
        assert s.grade_for(Decimal("0")).name == "合格"
        assert s.grades[0].color is None  # colour is optional: the charts choose by rank


class TestGradeColors:
    def test_short_and_long_hex(self, tmp_path):
        s = load_scheme(scheme_variant(tmp_path, ('color = "#3C7F5B"', 'color = "#2e7d32"'), ('color = "#D9A21B"', 'color = " #abc "')))
        assert [g.color for g in s.grades[:2]] == ["#2e7d32", "#abc"]

    @pytest.mark.parametrize("bad", ['"green"', '"#12345"', '"2e7d32"', "3", '"#GGGGGG"'])
    def test_invalid(self, tmp_path, bad):
        path = scheme_variant(tmp_path, ('color = "#D9A21B"', f"color = {bad}"), name="bad.toml")
        with pytest.raises(SchemeError) as info:
            load_scheme(path)
        assert "等级 B 的 color" in str(info.value) and "十六进制颜色" in str(info.value)


class TestErrors:
    def test_unknown_name_lists_available(self):
        with pytest.raises(SchemeError) as info:
            load_scheme("no-such-county")
        assert "no-such-county" in str(info.value)
        assert "pingjiang" in str(info.value)

    def test_missing_file(self, tmp_path):
        with pytest.raises(SchemeError, match="文件不存在"):
            load_scheme(tmp_path / "missing.toml")

    def _error(self, tmp_path, *replacements) -> str:
        path = scheme_variant(tmp_path, *replacements, name="bad.toml")
        with pytest.raises(SchemeError) as info:
            load_scheme(path)
        text = str(info.value)
        assert text.startswith("考评规则文件 bad.toml：")
        return text

    def test_weights_not_summing_to_one(self, tmp_path):
        text = self._error(tmp_path, ('"办结率" = "0.3"', '"办结率" = "0.4"'))
        assert "权重之和应为 1" in text and "1.1" in text

    def test_negative_weight(self, tmp_path):
        # sums to 1, but one weight is negative
        text = self._error(tmp_path, ('"办结率" = "0.3"', '"办结率" = "0.7"'), ('"返工率" = "0.2"', '"返工率" = "-0.2"'))
        assert "不能为负数" in text

    def test_unknown_weight(self, tmp_path):
        text = self._error(tmp_path, ('"返工率" = "0.2"', '"返工率" = "0.1"\n"投诉率" = "0.1"'))
        assert "投诉率" in text

    def test_bad_weight_value(self, tmp_path):
        text = self._error(tmp_path, ('"返工率" = "0.2"', '"返工率" = "两成"'))
        assert "composite.weights.返工率" in text

    def test_thresholds_out_of_order(self, tmp_path):
        text = self._error(tmp_path, ('min = "85"', 'min = "95"'))
        assert "严格递减" in text and "B 95" in text

    def test_equal_thresholds(self, tmp_path):
        text = self._error(tmp_path, ('min = "85"', 'min = "90"'))
        assert "严格递减" in text

    def test_last_grade_min_not_zero(self, tmp_path):
        text = self._error(tmp_path, ('min = "0"', 'min = "60"'))
        assert "D" in text and "min 应为 0" in text

    def test_duplicate_grade_names(self, tmp_path):
        text = self._error(tmp_path, ('name = "B"', 'name = "A"'))
        assert "重名" in text

    def test_no_grades(self, tmp_path):
        path = scheme_variant(tmp_path, name="bad.toml")
        text = path.read_text(encoding="utf-8")
        start, end = text.index("[[grades]]"), text.index("[deductions]")
        path.write_text(text[:start] + text[end:], encoding="utf-8")
        with pytest.raises(SchemeError, match="grades"):
            load_scheme(path)

    def test_malformed_toml(self, tmp_path):
        path = tmp_path / "broken.toml"
        path.write_text('[county]\nname = "平江县\n', encoding="utf-8")
        with pytest.raises(SchemeError) as info:
            load_scheme(path)
        assert "broken.toml" in str(info.value) and "格式错误" in str(info.value)

    def test_not_utf8(self, tmp_path):
        path = tmp_path / "gbk.toml"
        path.write_bytes('[county]\nname = "平江县"\n'.encode("gb18030"))
        with pytest.raises(SchemeError, match="gbk.toml"):
            load_scheme(path)

    @pytest.mark.parametrize(
        "old, new, needle",
        [
            ('visit_basis = "closed"', 'visit_basis = "accepted"', "visit_basis"),
            ('mode = "half_up"', 'mode = "ceiling"', "rounding.mode"),
            ("rate_decimals = 2 ", "rate_decimals = -1 ", "rounding.rate_decimals"),
            ("top_n = 3 ", "top_n = 0 ", "ranking.top_n"),
            ("max_extensions = 1 ", 'max_extensions = "1" ', "rules.max_extensions"),
            ('composite_ties = ["受理案件数"]', 'composite_ties = ["综合指标值"]', "composite_ties"),
            ('appendix_groups = ["县直单位", "乡镇(街道)"]', 'appendix_groups = ["县直单位"]', "appendix_groups"),
            ('name = "平江县"', 'title = "平江县"', "[county] 中没有“title”这一设置项"),
        ],
    )
    def test_other_invalid_settings(self, tmp_path, old, new, needle):
        assert needle in self._error(tmp_path, (old, new))


@pytest.mark.parametrize("old, new, needle", [
    ('unjustified_overdue_per_order = ', 'unjustified_overdue_per_orders = ', "[deductions] 中没有“unjustified_overdue_per_orders”这一设置项（是否应为“unjustified_overdue_per_order”？）"),
    ('max_extensions = ', 'max_extension = ', "[rules] 中没有“max_extension”这一设置项（是否应为“max_extensions”？）"),
    ('top_n = ', 'topn = ', "[ranking] 中没有“topn”这一设置项（是否应为“top_n”？）"),
    ('[deductions]', '[deduction]', "规则文件中没有“deduction”这一张表（是否应为“deductions”？）"),
    ('name = "A"\n', 'name = "A"\ncolour = "#ff0000"\n', "第 1 个等级（[[grades]]）中没有“colour”这一设置项（是否应为“color”？）"),
    ('[wording]\n', '[wording]\ntitel = "x"\n', "wording 中有未知的设置项 titel（是否应为“title”？）"),
    ('[series_wording]\n', '[series_wording]\ngrade_chnges = "x"\n', "series_wording 中有未知的名称 grade_chnges（是否应为“grade_changes”？）"),
    ('narrative_groups = ["乡镇(街道)", "县直单位"]', 'narrative_groups = ["乡镇(街道)", "县直部门"]',
     "应列出同样的单位类型（顺序可以不同）；只在 appendix_groups 中：县直单位；只在 narrative_groups 中：县直部门"),
    ('unjustified_overdue_per_order = "0.5"', 'unjustified_overdue_per_order = "0,5"',
     'deductions.unjustified_overdue_per_order 应为数字（值为 "0,5"）'),
])
def test_a_misspelt_setting_is_named_not_ignored(tmp_path, old, new, needle):
    """Stranger finding 2: misspelt keys outside [wording] loaded as defaults (a deduction of 0) and check passed."""
    from conftest import scheme_variant
    from pyhotline.check import check_files

    path = scheme_variant(tmp_path, (old, new))
    with pytest.raises(SchemeError) as exc:
        load_scheme(path)
    assert needle in str(exc.value) and path.name in str(exc.value)
    assert any(needle in str(p) for p in check_files(scheme=path).problems)


def test_every_setting_of_the_bundled_and_second_county_schemes_is_known():
    from pyhotline.scheme_keys import FIXED, check_names
    import tomllib

    for path in (ROOT / "pyhotline" / "schemes" / "pingjiang.toml", ROOT / "tests" / "county2" / "yunxi.toml"):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        check_names(raw, path)
    # the commented-out series tables of the bundled scheme name only known settings
    text = (ROOT / "pyhotline" / "schemes" / "pingjiang.toml").read_text(encoding="utf-8")
    for table in ("continuity", "year_over_year"):
        block = text.split(f"# [{table}]\n", 1)[1].split("\n\n", 1)[0]
        names = {line[2:].split("=")[0].strip() for line in block.splitlines() if "=" in line}
        assert names and names <= FIXED[table]
