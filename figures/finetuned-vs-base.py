"""Each LoRA fine-tuned model beside its zero-shot base: what fine-tuning adds."""

from papertools.render.contexts import base_stem
from papertools.render.figstyle import GROUP_LABELS, PALETTE, ci_errors, figure_main, group
from papertools.render.measured import main_protocol
from papertools.render.results import by_stem


def draw(results, ax):
    """Each fine-tuned model beside its base model, with the stored intervals."""
    results = main_protocol(results)  # the measured-runs figure has the others
    table = by_stem(results)
    pairs = [(table[b], r) for r in results if r.model.method == "lora"
             for b in [base_stem(r, results)] if b]
    seen = set()
    for k, (base, tuned) in enumerate(pairs):
        for j, r in enumerate((base, tuned)):
            key = group(r)
            ax.bar(k + (j - 0.5) * 0.38, 100 * r.json_exact.rate, 0.36, yerr=ci_errors([r]),
                   color=PALETTE[key], capsize=2, error_kw={"lw": 0.8},
                   label=None if key in seen else GROUP_LABELS[key])
            seen.add(key)
    ax.set_xticks(range(len(pairs)), [f"{b.model.name}\nvs {t.model.name}" for b, t in pairs],
                  fontsize=7)
    ax.set_ylabel("JSONExact (%)")
    ax.set_ylim(0, 100)
    ax.legend(frameon=False, loc="upper left", fontsize=7)


if __name__ == "__main__":
    figure_main("finetuned-vs-base", draw, __doc__)
