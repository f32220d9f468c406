"""One look for every figure, matching the paper: Computer Modern text (the shape of the
Latin Modern body font), sizes that stay readable at column width, vector PDF output
with embedded TrueType fonts so the PDF passes publishers' font checks.

Each script in figures/ calls ``figure_main(draw)``; ``draw(results, ax)`` only plots.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on build machines; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402

from maaza_core.atomic import replacing  # noqa: E402
from maaza_core.cli import add_settings, run_main, setting, settings_from  # noqa: E402
from maaza_core.metrics import Count, MetricsDoc  # noqa: E402
from maaza_core.paths import BUILD_FIGURES_DIR, RESULTS_DIR  # noqa: E402
from papertools.render.results import load_results  # noqa: E402

# fontTools warns about the (valid) 1970 timestamps inside matplotlib's bundled cmr10 font
# each time it subsets it; the warning says nothing about our figures.
logging.getLogger("fontTools").setLevel(logging.ERROR)

# A single-column figure in a 6.5 in text block at ~0.75 width: 4.8 x 2.8 in.
SIZE_IN = (4.8, 2.8)

STYLE = {
    "font.family": "serif",
    "font.serif": ["cmr10", "Computer Modern Roman", "DejaVu Serif"],
    "mathtext.fontset": "cm",
    "axes.formatter.use_mathtext": True,
    "axes.unicode_minus": False,  # cmr10 has no unicode minus glyph
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "pdf.fonttype": 42,  # TrueType, embedded
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    # Reproducible PDFs: no creation date in the file.
    "svg.hashsalt": "maaza",
}


def save(fig: plt.Figure, out: Path) -> None:
    """Write through a private temporary name: Make never sees a half-written PDF, and two
    builds at once never write the same temporary file."""
    with replacing(out) as tmp:
        fig.savefig(tmp, format="pdf", metadata={"CreationDate": None, "Creator": "papertools"})
    plt.close(fig)


@dataclass(frozen=True)
class FigureArgs:
    """The arguments of every figures/*.py script."""

    out: Path | None = setting(None, flag="-o/--out",
                               help="output PDF (default: build/figures/NAME.pdf)")
    results: Path = setting(RESULTS_DIR, help="folder of metrics JSON files")


def figure_main(name: str, draw: Callable[[list[MetricsDoc], plt.Axes], None],
                doc: str) -> None:
    """The command line of a figure script: draw from the results, save the PDF."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"example:\n  python figures/{name}.py -o build/figures/{name}.pdf")
    add_settings(parser, FigureArgs, [f.name for f in fields(FigureArgs)])

    def body() -> int:
        args = settings_from(FigureArgs, parser.parse_args())
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots(figsize=SIZE_IN)
            draw(load_results(args.results), ax)
            save(fig, args.out or BUILD_FIGURES_DIR / f"{name}.pdf")
        return 0

    sys.exit(run_main(name, body))


def ci_errors(results: list[MetricsDoc]) -> list[list[float]]:
    """Asymmetric error bars (in percent) from each model's overall stored interval."""
    return interval_errors([r.json_exact for r in results])


# Runs measured in this repository are drawn in their own colour family, so a reader never
# mistakes them for the authors' reported runs: (provenance, method) -> colour.
PALETTE = {("reported", "zero-shot"): "#7f7f7f", ("reported", "lora"): "#1f5fa8",
           ("measured", "zero-shot"): "#e6a15c", ("measured", "lora"): "#b34700"}
MARKERS = {("reported", "zero-shot"): "o", ("reported", "lora"): "s",
           ("measured", "zero-shot"): "D", ("measured", "lora"): "^"}
GROUP_LABELS = {("reported", "zero-shot"): "zero-shot (reported)",
                ("reported", "lora"): "LoRA fine-tuned (reported)",
                ("measured", "zero-shot"): "zero-shot (measured here)",
                ("measured", "lora"): "LoRA fine-tuned (measured here)"}


def group(r: MetricsDoc) -> tuple[str, str]:
    """The legend group of a run: where its numbers come from and how it was trained."""
    return (r.provenance, r.model.method)


def interval_errors(counts: list[Count]) -> list[list[float]]:
    """Asymmetric error bars (in percent) from the counts' stored (Wilson) intervals."""
    bars = [(100 * (c.rate - c.ci95.low), 100 * (c.ci95.high - c.rate)) for c in counts]
    return [[b[0] for b in bars], [b[1] for b in bars]]


def legend_above(ax: plt.Axes, ncols: int = 2) -> None:
    """The legend above the plotting area, where it can never cover a point or a bar."""
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols,
              borderaxespad=0, handlelength=1.5, columnspacing=1.2)
