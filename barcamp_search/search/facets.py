"""Facet counts of a result set: posts per value of each counted facet of the registry
(``barcamp_search.facets``), selected values flagged and always kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from barcamp_search.facets import Facet, counted_facets
from barcamp_search.search.tables import PostTable


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


def count_facets(
    table: PostTable,
    posts: Any,
    selected: Callable[[str], tuple[str, ...]],
    limit: int,
    facets: tuple[Facet, ...] | None = None,
) -> dict[str, tuple[FacetCount, ...]]:
    """Post counts of each facet's values over ``posts`` (a set or a post mask): the
    ``limit`` first (most posts, or newest for the facets shown newest first), then the
    selected ones, by facet name."""
    mask = table.post_mask(posts)
    result: dict[str, tuple[FacetCount, ...]] = {}
    for facet in counted_facets() if facets is None else facets:
        counts, names = table.count_array(facet.name, mask)
        rank = table.pairs(facet.name)[3]
        present = np.flatnonzero(counts)
        if facet.newest_first:  # by value, descending (years)
            order = np.argsort(-rank[present], kind="stable")
        else:  # most posts first, then the value in case-insensitive order
            order = np.lexsort((rank[present], -counts[present]))
        top = [(names[i], int(counts[i])) for i in present[order[:limit]].tolist()]
        chosen = selected(facet.name)
        chosen_keys = {value.lower() for value in chosen}
        shown_keys = {value.lower() for value, _ in top}
        numbers = {name: i for i, name in enumerate(names)} if chosen else {}
        top += [
            (value, int(counts[numbers[value]]) if value in numbers else 0)
            for value in chosen
            if value.lower() not in shown_keys
        ]
        result[facet.name] = tuple(FacetCount(v, c, v.lower() in chosen_keys) for v, c in top)
    return result
