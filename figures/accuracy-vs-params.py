"""JSONExact against parameter count: the paper's headline figure (fine-tuned micro models
above larger zero-shot ones)."""

from matplotlib.ticker import NullLocator

from papertools.render.figstyle import COLORS, ci_errors, figure_main


def draw(results, ax):
    for method, marker, fill in (("zero-shot", "o", "none"), ("lora", "s", None)):
        group = [r for r in results if r.method == method]
        if not group:
            continue
        x = [r.parameters / 1e6 for r in group]
        y = [100 * r.json_exact.rate for r in group]
        ax.errorbar(x, y, yerr=ci_errors(group), fmt=marker, color=COLORS[method],
                    mfc=fill or COLORS[method], capsize=2, lw=0.8,
                    label="LoRA fine-tuned" if method == "lora" else "zero-shot")
        for r, xi, yi in zip(group, x, y, strict=True):
            ax.annotate(r.name, (xi, yi), xytext=(5, 2 if method == "lora" else -10),
                        textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    # Plain numbers at round sizes instead of 2x10^2-style log ticks.
    ax.set_xticks([100, 200, 300, 500], ["100", "200", "300", "500"])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(100, 800)
    ax.set_xlabel("parameters (millions, log scale)")
    ax.set_ylabel("JSONExact (%)")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper left")


if __name__ == "__main__":
    figure_main("accuracy-vs-params", draw, __doc__)
