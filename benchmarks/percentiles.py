"""The benchmarks' one way of reading a percentile."""

from __future__ import annotations


def percentile(ordered: list[float], percent: int) -> float:
    """The nearest-rank `percent`th percentile of values sorted in ascending order. A whole
    percent: int(0.99 * 100) is 98."""
    return ordered[max(-(-percent * len(ordered) // 100) - 1, 0)]
