"""JSONExact per schema complexity tier with 95% Wilson intervals: one bar group per tier,
one bar per model (hatched: zero-shot; orange: measured in this repository)."""

from maaza_core.datastats import COMPLEXITIES
from papertools.render.figstyle import PALETTE, figure_main, group, interval_errors, legend_above
from papertools.render.measured import main_protocol


def draw(results, ax):
    """JSONExact per complexity tier, one bar group per model, with the stored intervals."""
    results = main_protocol(results)  # the measured-runs figure has the others
    width = 0.84 / len(results)
    for i, r in enumerate(results):
        tiers = [c for c in COMPLEXITIES if c in r.metrics.by_complexity]
        xs = [COMPLEXITIES.index(c) + (i - (len(results) - 1) / 2) * width for c in tiers]
        counts = [r.metrics.by_complexity[c].json_exact for c in tiers]
        ax.bar(xs, [100 * c.rate for c in counts], width * 0.92, color=PALETTE[group(r)],
               yerr=interval_errors(counts), error_kw={"lw": 0.5, "capsize": 1.2},
               label=r.model.name + (" (measured)" if r.provenance == "measured" else ""),
               hatch=None if r.model.method == "lora" else "////", edgecolor="white", lw=0.3)
    ax.set_xticks(range(len(COMPLEXITIES)), [c.capitalize() for c in COMPLEXITIES])
    ax.set_ylabel("JSONExact (%)")
    ax.set_ylim(0, 100)
    legend_above(ax, ncols=3)


if __name__ == "__main__":
    figure_main("accuracy-by-complexity", draw, __doc__)
