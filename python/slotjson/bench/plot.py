"""``--plot FILE.png``: throughput bars, one panel per operation. matplotlib is optional."""

from __future__ import annotations

from typing import Any

__all__ = ["draw", "missing_reason"]


def missing_reason() -> str | None:
    """Why no plot can be drawn here, or None if it can."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "--plot needs matplotlib, which is not installed (pip install matplotlib); no plot written"
    return None


def draw(results: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    rows = [r for r in results["rows"] if r["mb_per_s"]]
    operations = list(dict.fromkeys(r["operation"] for r in rows))
    if not operations:
        raise ValueError("nothing was timed, so there is nothing to plot")
    per_operation = [[r for r in rows if r["operation"] == operation] for operation in operations]
    # Panel heights follow their number of bars, so every bar has the same thickness.
    heights = [len(mine) + 2 for mine in per_operation]
    fig, axes = plt.subplots(
        len(operations), 1, figsize=(11, 1.0 + 0.24 * sum(heights)), squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for axis, operation, mine in zip(axes[:, 0], operations, per_operation):
        labels = [f"{r['workload']} / {r['library']}" for r in mine]
        values = [r["mb_per_s"] for r in mine]
        colors = ["tab:orange" if r["library"].startswith("slotjson") else "tab:blue" for r in mine]
        positions = range(len(mine))
        axis.barh(positions, values, color=colors)
        axis.set_yticks(list(positions), labels, fontsize=8)
        axis.invert_yaxis()  # first row on top, as in the printed table
        # Throughputs span several orders of magnitude (stdlib to sliced pages).
        axis.set_xscale("log")
        title = f"{operation}: MB/s of JSON (fastest sample, log scale, higher is faster)"
        axis.set_title(title, loc="left", fontsize=10)
        for position, value in zip(positions, values):
            axis.text(value, position, f" {value:,.0f}", va="center", fontsize=7)
    machine = results["machine"]
    fig.suptitle(f"slotjson {machine['slotjson']} - {machine['cpu']} - {machine['python']}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.99))
    fig.savefig(path, dpi=110)
    plt.close(fig)
