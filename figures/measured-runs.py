"""Every run measured with the project's harness: JSONExact and the share of schema-valid
outputs, each with its 95% Wilson interval, one row per run in the order of the measured
table. Black only, two marker shapes (filled, open), so it reads in grey scale."""

from papertools.render.figstyle import figure_main, interval_errors, legend_above
from papertools.render.measured import measured_runs, run_label

# The figure's width (the tick labels come on top: about 6.4 in in all, inside the 6.5 in
# text block), and its height per run plus the axis and legend (inches): 10 runs
# give 0.9 + 10 * 0.27 = 3.6 in, a third of the text block's height.
WIDTH_IN, ROW_IN, BASE_IN = 4.8, 0.27, 0.9
# What the drawing may take in all, tick labels included: the 6.5 in text block less a
# margin, so long run labels narrow the plot instead of running into the page margin.
MAX_TOTAL_IN = 6.4
# The two measures: name in the legend, metrics key, marker, fill, vertical offset.
SERIES = (("JSONExact", "json_exact", "o", "black", -0.13),
          ("valid against the schema", "schema_compliant", "s", "white", 0.13))


def draw(results, ax):
    """One row per measured run (top to bottom as in the table), the fine-tuned runs below
    a rule; the intervals are the stored Wilson intervals."""
    runs = measured_runs(results)
    ax.figure.set_size_inches(WIDTH_IN, BASE_IN + ROW_IN * len(runs))
    rows = range(len(runs))
    for name, key, marker, fill, dy in SERIES:
        counts = [getattr(r.metrics.overall, key) for r in runs]
        shown = [(i, c) for i, c in zip(rows, counts, strict=True) if c is not None]
        ax.errorbar([100 * c.rate for _, c in shown], [i + dy for i, _ in shown],
                    xerr=interval_errors([c for _, c in shown]), fmt=marker, color="black",
                    mfc=fill, ms=4.5, capsize=2, lw=0.8, label=name)
    for i in rows[1:]:  # a rule where the group changes (not fine-tuned -> LoRA)
        if runs[i].model.method != runs[i - 1].model.method:
            ax.axhline(i - 0.5, color="0.5", lw=0.6, ls="--")
    ax.set_yticks(list(rows), [_tick(r) for r in runs], fontsize=8)
    ax.set_ylim(len(runs) - 0.5, -0.5)  # first run at the top, as in the table
    ax.set_xlim(-2, 100)  # room for a marker at 0 left of the axis line
    ax.set_xlabel("share of the test examples (%)")
    ax.grid(axis="x", color="0.85", lw=0.5)
    ax.set_axisbelow(True)
    legend_above(ax)
    _fit_width(ax.figure)


def _fit_width(fig):
    """Narrow the figure until the saved (tight) drawing is at most MAX_TOTAL_IN wide."""
    for _ in range(3):  # the labels keep their size, so each pass closes most of the gap
        total = fig.get_tightbbox(fig.canvas.get_renderer()).width
        if total <= MAX_TOTAL_IN:
            return
        width, height = fig.get_size_inches()
        fig.set_size_inches(width - (total - MAX_TOTAL_IN) - 0.02, height)


def _tick(r):
    """'model, prompt, decoding', and LoRA runs marked as such (an exported file's label
    names its form already: 'LoRA on Q4_1', 'merged Q8_0')."""
    label = run_label(r)
    mark = " (LoRA)" if r.model.method == "lora" and not label.export else ""
    return f"{label}{mark}"


if __name__ == "__main__":
    figure_main("measured-runs", draw, __doc__)
