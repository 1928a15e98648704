"""Ranking rules (docs/metrics.md, 排名规则): now in :mod:`pyhotline.ranking`, which applies them to
any evaluation table (:func:`pyhotline.ranking.rank`); the names stay importable from here."""

from ..ranking import (  # noqa: F401
    RANK_COLUMNS, black_list, costliest, rank, ranked, red_list, too_few, with_costliest,
)
