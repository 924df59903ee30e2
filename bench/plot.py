"""Run 6: requests per second over runs 1 and 5 against GHL's limit, from the sandbox's per-second counts
kept in bench/results/latest.json. `python -m bench.plot [results.json]` redraws them.
"""
from __future__ import annotations

import json
import os
import sys

from .harness import GHL_BURST, GHL_RATE, GHL_WINDOW_S

PLOTS = {"full_sync": "Run 1: full sync (source)", "destination": "Run 5: Rankr write (destination)"}


def _series(pacing: list) -> tuple[list, list, list]:
    """Per-second counts with the empty seconds filled in, and the requests in the trailing 10 s window."""
    counts = dict((int(s), n) for s, n in pacing)
    xs = list(range(0, max(counts) + 1)) if counts else []
    ys = [counts.get(x, 0) for x in xs]
    w = int(GHL_WINDOW_S)
    window = [sum(ys[max(0, i - w + 1):i + 1]) for i in range(len(ys))]
    return xs, ys, window


def draw(name: str, result: dict, out_dir: str) -> str | None:
    pacing = result.get("pacing")
    if not pacing:
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, ys, window = _series(pacing)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.8), sharex=True, dpi=80)
    top.bar(xs, ys, width=1.0, color="#4a78b5", label="requests in that second")
    top.axhline(GHL_RATE, color="#c0392b", linestyle="--", label=f"limit's average rate ({GHL_RATE:g}/s)")
    top.set_ylabel("requests / s")
    top.legend(loc="upper right", fontsize=8)
    bottom.plot(xs, window, color="#2c3e50", label=f"requests in the trailing {GHL_WINDOW_S:g} s")
    bottom.axhline(GHL_BURST, color="#c0392b", linestyle="--", label=f"limit ({GHL_BURST} per {GHL_WINDOW_S:g} s)")
    bottom.set_ylim(0, max(GHL_BURST, max(window, default=0)) * 1.15)
    bottom.set_ylabel(f"requests / {GHL_WINDOW_S:g} s")
    bottom.set_xlabel("seconds since the first request")
    bottom.legend(loc="lower right", fontsize=8)
    top.set_title(f"{PLOTS[name]}: {result['requests']:,} requests in {result['wall_s']:,.0f} s, floor "
                  f"{result['floor_s']:,.0f} s (x{result['time_over_floor']}), {result['rate_limited_429']} x 429",
                  fontsize=9)
    fig.tight_layout()
    path = os.path.join(out_dir, f"{name}_pacing.png")
    fig.savefig(path)
    plt.close(fig)
    return path


def draw_all(runs: dict, out_dir: str) -> list:
    return [p for name in PLOTS if isinstance(runs.get(name), dict) and "error" not in runs[name]
            for p in [draw(name, runs[name], out_dir)] if p]


def main(argv: list[str]) -> int:
    path = argv[0] if argv else os.path.join(os.path.dirname(__file__), "results", "latest.json")
    with open(path) as f:
        results = json.load(f)
    for p in draw_all(results["runs"], os.path.dirname(os.path.abspath(path))):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
