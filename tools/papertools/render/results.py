"""The files render reads: metrics files, the comparisons its prose quotes, paired tests.

Each file is read through `maaza_core.metrics.load`, the one validator the harness uses
too (schema, consistency rules, and here the data set's sizes), so only whole-split runs
on the paper's data set reach a table. Numbers stay counts and stored intervals: render
formats them and never recomputes a statistic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from maaza_core import metrics, paired
from maaza_core.datastats import DatasetStats, load_stats
from maaza_core.errors import DataError, UserError
from maaza_core.metrics import MetricsDoc
from maaza_core.paired import PairedDoc
from maaza_core.paths import RESULTS_DIR, display
from maaza_core.suggest import did_you_mean
from maaza_core.yamlfile import YamlDoc, load_yaml


def load_result(path: Path, stats: DatasetStats | None = None) -> MetricsDoc:
    """One results file; with `stats`, totals must match the data set's split sizes."""
    return metrics.load(path, stats)


# A results file's stem becomes a macro key (\result{STEM/exact}, inside \csname), a
# Make prerequisite and a file name in messages: no TeX special (# % { } \ ~ ^ $ &), no
# Make special (space : % $ # ;), nothing a shell would read.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_names(paths: list[Path]) -> None:
    """Refuse, before reading any, a results file whose name could not be a key."""
    for path in paths:
        if not SAFE_NAME.fullmatch(path.stem):
            raise UserError(f"{display(path)}: a results file name may hold only letters, "
                            "digits, '.', '-' and '_' (it becomes \\result{NAME/...} and a "
                            "Make prerequisite; fix: rename the file)")


def load_results(results_dir: Path = RESULTS_DIR, stats: DatasetStats | None = None,
                 ) -> list[MetricsDoc]:
    """Every results file, ordered as the paper's tables are: by size, zero-shot first.

    `stats` as `edgejson stats -o` writes them; by default read from DATASET_STATS.
    """
    paths = sorted(results_dir.glob("*.json"))
    if not paths:
        raise UserError(f"{results_dir}: no results files (*.json); see README 'Add a model'")
    check_names(paths)
    stats = load_stats() if stats is None else stats
    results = [load_result(p, stats) for p in paths]
    return sorted(results, key=lambda r: (r.model.parameters, r.model.method != "zero-shot",
                                          r.model.name))


def by_stem(results: list[MetricsDoc]) -> dict[str, MetricsDoc]:
    """The results keyed by file stem, the name macros and comparisons use."""
    return {r.stem: r for r in results}


@dataclass(frozen=True)
class Comparison:
    """One entry of comparisons.yaml: model a against model b (file stems)."""

    name: str  # macro key part: cmp/NAME/...
    a: MetricsDoc
    b: MetricsDoc


def load_comparisons(path: Path, results: list[MetricsDoc]) -> list[Comparison]:
    """comparisons.yaml, checked like the results: each entry names two known files on
    the same split, and b's JSONExact is not zero (the ratio a/b must exist)."""
    doc = load_yaml(path, what="comparisons file", missing_fix="create it, or pass "
                    "--comparisons")
    if doc.data is None:
        return []
    if not isinstance(doc.data, list):
        raise doc.error((), "expected a list of comparisons (- name: ..., a: STEM, b: STEM)")
    table, out, names = by_stem(results), [], set()
    for i, entry in enumerate(doc.data):
        if not isinstance(entry, dict) or set(entry) != {"name", "a", "b"} or not all(
                isinstance(v, str) and v for v in entry.values()):
            raise doc.error((i,), f"entry {i + 1}: an entry needs exactly the text fields "
                            "name, a and b (fix: - name: x-vs-y, a: STEM, b: STEM)")
        out.append(_comparison(doc, i, table, names))
    return out


def _comparison(doc: YamlDoc, i: int, table: dict[str, MetricsDoc],
                names: set[str]) -> Comparison:
    name, a, b = (doc.data[i][k] for k in ("name", "a", "b"))

    def error(message: str) -> DataError:
        return doc.error((i,), f"entry {i + 1} ({name}): {message}")

    missing = [s for s in (a, b) if s not in table]
    if missing:
        raise error(f"unknown results file(s) {missing} ({did_you_mean(missing[0], table)})")
    if name in names:
        raise error("the name is used twice (fix: rename one)")
    if a == b:
        raise error(f"compares {a} with itself (fix: change a or b)")
    ra, rb = table[a], table[b]
    if _split(ra) != _split(rb):
        raise error(f"{a} is on {' '.join(_split(ra))} but {b} is on {' '.join(_split(rb))} "
                    "(fix: compare results on the same split)")
    if rb.json_exact.correct == 0:
        raise error(f"{b} has no exact match, so the ratio JSONExact({a}) / JSONExact({b}) "
                    "does not exist (fix: swap a and b or drop the entry)")
    names.add(name)
    return Comparison(name, ra, rb)


def _split(r: MetricsDoc) -> tuple[str, str, str]:
    return r.dataset.name, r.dataset.version, r.dataset.split


def load_paired(folder: Path) -> list[PairedDoc]:
    """Every paired comparison in `folder` (RESULTS/paired) that the paper may quote:
    valid (maaza_core.paired) and over the full split."""
    out = []
    for path in sorted(folder.glob("*.json")):
        doc = paired.load(path)
        if any(doc.dropped.values()):
            raise DataError(path, "the runs answered different examples; the paper only "
                            "quotes paired tests on the full split (fix: "
                            "score both runs on the whole split and compare again)",
                            pointer="/dropped")
        out.append(doc)
    return out
