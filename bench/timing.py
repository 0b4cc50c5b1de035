"""The timing loop the in-process benchmarks share."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_mean_us(fn: Callable[[], object], n: int, rounds: int = 5, warmup: int = 100) -> float:
    """Best of ``rounds`` mean times of ``fn`` in µs (the minimum is the least disturbed by other load)."""
    for _ in range(min(n, warmup)):
        fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best
