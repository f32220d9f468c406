"""JSONExact against parameter count: the paper's headline figure (fine-tuned micro models
above larger zero-shot ones), with runs measured here drawn apart from reported ones."""

from matplotlib.ticker import NullLocator

from papertools.render.figstyle import (
    GROUP_LABELS,
    MARKERS,
    PALETTE,
    ci_errors,
    figure_main,
    group,
    legend_above,
)
from papertools.render.measured import main_protocol


def _crowded_right(r, results):
    """Another point within 1.6x to the right and 8 points up or down: its label's space."""
    x, y = r.model.parameters, 100 * r.json_exact.rate
    return any(o is not r and x < o.model.parameters < 1.6 * x
               and abs(100 * o.json_exact.rate - y) < 8 for o in results)


def _label(ax, r, results, x, y, placed):
    """Measured runs are named on the left of their point and reported ones on the right,
    so two runs of one size never collide; a reported label moves left when a neighbour
    takes its space, a label near the x-axis rises above it instead of crossing it, and
    labels on the same side of nearby points stack instead of overprinting."""
    left = r.provenance == "measured" or _crowded_right(r, results)
    low = y < 6
    side = [py for (pl, px, py) in placed if pl == left and 0.8 < px / x < 1.25
            and abs(py - y) < 6]
    placed.append((left, x, y))
    ax.annotate(r.model.name, (x, y), xytext=(-6 if left else 6, (3 if low else 0) + 9 * len(side)),
                textcoords="offset points", ha="right" if left else "left",
                va="bottom" if low else "center", fontsize=7)


def draw(results, ax):
    """JSONExact against parameter count (log scale), zero-shot and fine-tuned models marked
    apart."""
    results = main_protocol(results)  # the measured-runs figure has the others
    placed = []  # (left?, x, y) of labels drawn so far
    for key in PALETTE:
        runs = [r for r in results if group(r) == key]
        if not runs:
            continue
        x = [r.model.parameters / 1e6 for r in runs]
        y = [100 * r.json_exact.rate for r in runs]
        hollow = key[1] == "zero-shot"
        ax.errorbar(x, y, yerr=ci_errors(runs), fmt=MARKERS[key], color=PALETTE[key],
                    mfc="white" if hollow else PALETTE[key], ms=5, capsize=2, lw=0.8,
                    label=GROUP_LABELS[key])
        for r, xi, yi in zip(runs, x, y, strict=True):
            _label(ax, r, results, xi, yi, placed)
    ax.set_xscale("log")
    # Plain numbers at round sizes instead of 2x10^2-style log ticks; the left margin
    # leaves room for the labels of measured runs.
    ax.set_xticks([50, 100, 200, 500], ["50", "100", "200", "500"])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(40, 900)
    ax.set_xlabel("parameters (millions, log scale)")
    ax.set_ylabel("JSONExact (%)")
    ax.set_ylim(0, 100)
    legend_above(ax)


if __name__ == "__main__":
    figure_main("accuracy-vs-params", draw, __doc__)
