"""Rules a metrics file must satisfy beyond its JSON Schema: the numbers must fit together.

Why: a schema checks each number alone, so "80 correct of 76" or a tier total larger than
the split passed validation and printed as 105.3% (or crashed the interval code). These
rules relate numbers to each other and to the data set; every message names the JSON path
and the value that would be consistent. `edgejson` applies them when it writes or reads a
metrics file, the render layer before anything reaches the PDF: one rule set for both,
applied by `maaza_core.metrics.validate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from maaza_core.intervals import wilson

RATES = ("json_exact", "valid_json", "schema_compliant", "truncated")
MEANS = ("field_f1", "field_f1_nested")
STOPS = ("json", "eos", "length")  # complete JSON value, end-of-sequence token, token limit
# Means are rounded (reported ones to two or three decimals); a rate from counts is not.
ROUNDING = 0.005


@dataclass(frozen=True)
class Problem:
    """One broken rule: where in the document, and what a consistent value would be."""

    path: tuple[str, ...]  # JSON path of the number at fault
    message: str  # what is wrong and the consistent value

    def __str__(self) -> str:
        return f"{'/'.join(self.path)}: {self.message}"


def metrics_problems(doc: dict[str, Any], split: dict[str, Any] | None = None) -> list[Problem]:
    """Every broken rule of a schema-valid metrics document.

    `split` is the named split's statistics (`edgejson stats --json`, ["splits"][s]);
    with it, totals must equal the split's sizes: only a whole-split run may be rendered.
    The stored intervals are checked last: a count changed by hand is reported as the
    count at fault before its now stale interval.
    """
    metrics = doc["metrics"]
    overall = ("metrics", "overall")
    sets = [(overall, metrics["overall"])]
    sets += [(("metrics", "by_complexity", c), m) for c, m in metrics["by_complexity"].items()]
    sets += [(("metrics", "by_schema", s), m) for s, m in metrics.get("by_schema", {}).items()]
    problems = [p for path, m in sets for p in _set_problems(path, m)]
    if problems:  # later rules add up counts, which is only meaningful once each set is sound
        return problems
    total = metrics["overall"]["json_exact"]["total"]
    if doc["dataset"]["examples"] != total:
        problems.append(Problem(("dataset", "examples"), f"is {doc['dataset']['examples']} "
                                f"but {'/'.join(overall)}/json_exact/total is {total} "
                                f"(consistent value: {total})"))
    problems += _parts_problems(metrics, "by_complexity",
                                exact=doc["provenance"] == "measured")
    if "by_schema" in metrics:
        problems += _parts_problems(metrics, "by_schema", exact=True)
    if doc.get("performance"):
        problems += _stop_problems(doc["performance"])
        problems += _performance_problems(doc)
    if split is not None:
        problems += _split_problems(doc, split)
    if not problems:
        problems += [p for path, m in sets for p in _interval_problems(path, m)]
    return problems


def _stop_problems(perf: dict[str, Any]) -> list[Problem]:
    """How rows ended: each of the run's examples counted once, under a known reason."""
    stops = perf["stop_reasons"]
    if set(stops) <= set(STOPS) and sum(stops.values()) == perf["examples"]:
        return []
    return [Problem(("performance", "stop_reasons"), f"{stops} must count each of the "
                    f"{perf['examples']} examples once as one of {', '.join(STOPS)}")]


def _performance_problems(doc: dict[str, Any]) -> Iterator[Problem]:
    """The performance block describes the run the metrics score: the same examples, and
    token counts a generation limited to max_new_tokens per row can have produced; the
    rows stopped by the limit are the truncated ones."""
    perf, limit = doc["performance"], doc["config"]["max_new_tokens"]
    n, tokens, mean = perf["examples"], perf["generated_tokens"], perf["generated_tokens_mean"]
    if n != doc["dataset"]["examples"]:
        yield Problem(("performance", "examples"), f"is {n} but the run scored "
                      f"{doc['dataset']['examples']} (dataset/examples; consistent value: "
                      f"{doc['dataset']['examples']})")
        return
    if tokens > n * limit:
        yield Problem(("performance", "generated_tokens"), f"{tokens} tokens in {n} rows "
                      f"of at most {limit} (config/max_new_tokens; consistent value: at most "
                      f"{n * limit})")
    # The mean is stored rounded to 2 decimals (edgejson.scoring.performance).
    if abs(mean - tokens / n) > ROUNDING + 1e-9 or mean > limit:
        yield Problem(("performance", "generated_tokens_mean"), f"is {mean} but "
                      f"{tokens} tokens over {n} rows, each at most {limit}, make "
                      f"{tokens / n:.2f} (consistent value: {tokens / n:.2f})")
    truncated = doc["metrics"]["overall"].get("truncated")
    stopped = perf["stop_reasons"].get("length", 0)
    if truncated is not None and truncated["correct"] != stopped:
        yield Problem(("metrics", "overall", "truncated", "correct"), f"is "
                      f"{truncated['correct']} but performance/stop_reasons/length counts "
                      f"{stopped} rows stopped by the token limit (consistent value: {stopped})")


def _set_problems(path: tuple[str, ...], mset: dict[str, Any]) -> Iterator[Problem]:
    """Counts within their totals, intervals within [0, 1], one total for the whole set."""
    total = mset["json_exact"]["total"]
    for name in (*RATES, *MEANS):
        entry = mset.get(name)
        if entry is None:
            continue
        here = (*path, name)
        if name in RATES and entry["correct"] > entry["total"]:
            yield Problem((*here, "correct"), f"{entry['correct']} correct of "
                          f"{entry['total']} (consistent value: at most {entry['total']})")
        if entry["total"] != total:
            yield Problem((*here, "total"), f"is {entry['total']} but json_exact/total in "
                          f"the same set is {total} (consistent value: {total})")
        ci = entry.get("ci95") or {"low": 0.0, "high": 1.0}
        low, high = ci["low"], ci["high"]
        if not 0.0 <= low <= high <= 1.0:
            yield Problem((*here, "ci95"), f"[{low}, {high}] is not an interval inside "
                          "[0, 1] (consistent value: 0 <= low <= high <= 1)")
    yield from _implications(path, mset)


def _implications(path: tuple[str, ...], mset: dict[str, Any]) -> Iterator[Problem]:
    """An exact match is valid JSON and scores nested Field F1 = 1; compliance needs valid
    JSON. (Top-level Field F1 scores 0 for a gold value that is not an object, so it has
    no such bound.)"""
    exact, valid = mset["json_exact"], mset.get("valid_json")
    compliant = mset.get("schema_compliant")
    for name, entry in (("json_exact", exact), ("schema_compliant", compliant)):
        if valid is not None and entry is not None and entry["correct"] > valid["correct"]:
            yield Problem((*path, "valid_json", "correct"), f"{valid['correct']} is below "
                          f"{name}/correct {entry['correct']} (consistent value: at least "
                          f"{entry['correct']})")
    rate = exact["correct"] / exact["total"]
    nested = mset.get("field_f1_nested")
    if nested is not None and nested["mean"] < rate - ROUNDING:
        yield Problem((*path, "field_f1_nested", "mean"), f"{nested['mean']} is below the "
                      f"JSONExact rate {rate:.3f}, and every exact match scores 1 "
                      f"(consistent value: at least {rate:.3f})")


def _interval_problems(path: tuple[str, ...], mset: dict[str, Any]) -> Iterator[Problem]:
    """A count's stored interval is the Wilson interval of its own numbers: the paper
    prints the stored one, so a stale interval would print a wrong claim."""
    for name in RATES:
        entry = mset.get(name)
        if entry is None:
            continue
        want, got = wilson(entry["correct"], entry["total"]), entry["ci95"]
        if abs(got["low"] - want.low) > 1e-6 or abs(got["high"] - want.high) > 1e-6:
            yield Problem((*path, name, "ci95"), f"[{got['low']}, {got['high']}] is not the "
                          f"Wilson interval of {entry['correct']} of {entry['total']} "
                          f"(consistent value: low {want.low}, high {want.high})")


def _parts_problems(metrics: dict[str, Any], key: str, exact: bool) -> Iterator[Problem]:
    """Parts (tiers, schemas) add up to no more than the whole, or exactly when every
    row is in some part; the rows outside the parts cannot score more than they are."""
    parts = metrics[key]
    if not parts:
        return
    overall = metrics["overall"]
    for name in RATES:
        if overall.get(name) is None or any(m.get(name) is None for m in parts.values()):
            continue
        total = sum(m[name]["total"] for m in parts.values())
        correct = sum(m[name]["correct"] for m in parts.values())
        whole = overall[name]
        where = ("metrics", key, "*", name)
        if total > whole["total"] or (exact and total != whole["total"]):
            yield Problem((*where, "total"), f"the parts add up to {total} but "
                          f"metrics/overall/{name}/total is {whole['total']} (consistent "
                          f"value: {'exactly' if exact else 'at most'} {whole['total']})")
        elif correct > whole["correct"] or (exact and correct != whole["correct"]):
            yield Problem((*where, "correct"), f"the parts add up to {correct} but "
                          f"metrics/overall/{name}/correct is {whole['correct']} (consistent "
                          f"value: {'exactly' if exact else 'at most'} {whole['correct']})")
        elif whole["correct"] - correct > whole["total"] - total:
            rest = whole["total"] - total
            yield Problem(("metrics", "overall", name, "correct"), f"{whole['correct']} "
                          f"correct, but the parts hold {correct} and the {rest} rows outside "
                          f"them can add at most {rest} (consistent value: at most "
                          f"{correct + rest})")


def _split_problems(doc: dict[str, Any], split: dict[str, Any]) -> Iterator[Problem]:
    """Totals equal the named split's size; a tier counts all its rows or the labelled ones."""
    name = f"the {doc['dataset']['split']} split of {doc['dataset']['name']} " \
           f"{doc['dataset']['version']}"
    total = doc["metrics"]["overall"]["json_exact"]["total"]
    if total != split["examples"]:
        yield Problem(("metrics", "overall", "json_exact", "total"), f"is {total} but {name} "
                      f"has {split['examples']} examples (consistent value: "
                      f"{split['examples']}; a partial run cannot be rendered)")
    for tier, mset in doc["metrics"]["by_complexity"].items():
        sizes = split["by_complexity"].get(tier, {"examples": 0, "labelled": 0})
        allowed = sorted({sizes["examples"], sizes["labelled"]})
        if mset["json_exact"]["total"] not in allowed:
            yield Problem(("metrics", "by_complexity", tier, "json_exact", "total"),
                          f"is {mset['json_exact']['total']} but {name} has "
                          f"{sizes['examples']} {tier} rows, {sizes['labelled']} of them "
                          f"labelled (consistent value: {' or '.join(map(str, allowed))})")


def line_of(text: str, path: tuple[str, ...]) -> int:
    """The line where `path` appears in a pretty-printed JSON text (1 if not found).

    Keys are searched in order, each after the previous one; "*" (any part) is skipped.
    Good enough to point an editor at the number; the JSON path stays in the message.
    """
    pos = 0
    for key in path:
        if key == "*" or not key:
            continue
        found = text.find(f'"{key}"', pos)
        if found < 0:
            break
        pos = found
    return text.count("\n", 0, pos) + 1
