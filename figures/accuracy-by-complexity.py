"""JSONExact per schema complexity tier, one bar group per tier and one bar per model."""

from papertools.render.figstyle import COLORS, figure_main
from papertools.render.results import COMPLEXITIES


def draw(results, ax):
    width = 0.8 / len(results)
    shades = {"zero-shot": 0, "lora": 0}
    for i, r in enumerate(results):
        # Alternate lightness within a colour family so models of one type stay apart.
        alpha = 1.0 - 0.35 * shades[r.method]
        shades[r.method] += 1
        xs = [t + (i - (len(results) - 1) / 2) * width for t in range(len(COMPLEXITIES))]
        ys = [100 * r.by_complexity[c].rate if c in r.by_complexity else 0 for c in COMPLEXITIES]
        ax.bar(xs, ys, width * 0.95, color=COLORS[r.method], alpha=alpha, label=r.name,
               hatch=None if r.method == "lora" else "//", edgecolor="white", lw=0.3)
    ax.set_xticks(range(len(COMPLEXITIES)), [c.capitalize() for c in COMPLEXITIES])
    ax.set_ylabel("JSONExact (%)")
    ax.set_ylim(0, 100)
    ax.legend(frameon=False, ncols=2, fontsize=7)


if __name__ == "__main__":
    figure_main("accuracy-by-complexity", draw, __doc__)
