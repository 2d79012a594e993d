"""Facet counts of a result set: posts per value of each counted facet of the registry
(``barcamp_search.facets``), selected values flagged and always kept."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass

from barcamp_search.facets import Facet, counted_facets
from barcamp_search.search.tables import PostTable


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


def count_facets(
    table: PostTable,
    posts: set[int],
    selected: Callable[[str], tuple[str, ...]],
    limit: int,
    facets: tuple[Facet, ...] | None = None,
) -> dict[str, tuple[FacetCount, ...]]:
    """Post counts of each facet's values over ``posts`` (the ``limit`` first, then the
    selected ones), by facet name."""
    result: dict[str, tuple[FacetCount, ...]] = {}
    for facet in counted_facets() if facets is None else facets:
        counter = table.count(facet.name, posts)
        chosen = selected(facet.name)
        chosen_keys = {value.lower() for value in chosen}
        # the ``limit`` first only (a heap: no full sort of a few thousand speakers)
        if facet.newest_first:
            top = heapq.nlargest(limit, counter.items(), key=lambda item: item[0])
        else:
            top = heapq.nsmallest(
                limit, counter.items(), key=lambda item: (-item[1], item[0].casefold())
            )
        shown_keys = {value.lower() for value, _ in top}
        top += [
            (value, counter.get(value, 0)) for value in chosen if value.lower() not in shown_keys
        ]
        result[facet.name] = tuple(FacetCount(v, c, v.lower() in chosen_keys) for v, c in top)
    return result
