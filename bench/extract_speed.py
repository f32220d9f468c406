"""Time of JSON extraction on 1 MB model outputs built to be hard for it.

The quadratic method (the standard decoder tried at every bracket) took 149 s on one
1 MB row; the goal is under a second for each shape below, including the completeness
check that generation runs after every token, and the whole scoring of one row.

    .venv/bin/python bench/extract_speed.py            # 1 MB each
    .venv/bin/python bench/extract_speed.py --mb 4     # does time grow linearly?
"""

from __future__ import annotations

import argparse
import json
import time

from edgejson.data import load_dataset, load_split
from edgejson.examplescore import score_example
from edgejson.extract import JsonWatcher, extract_json


def shapes(size: int) -> dict[str, str]:
    """Outputs of about `size` characters: runs of brackets, deep values, brackets in strings."""
    half = size // 2
    return {
        "open braces": "{" * size,
        "open brackets": "[" * size,
        "braces in prose": "x { y " * (size // 6),
        "deep valid array": "[" * half + "]" * half,
        "deep, then an error": "[" * half + "]" * (half - 1) + "x",
        "unclosed keys": '{"a":' * (size // 5),
        "brackets in a string": '"' + "[" * (size - 2) + '"',
        "quote flips": '[",' * (size // 3),
        "valid records": json.dumps([{f"k{i}": "v" * 20, "n": i} for i in range(size // 40)]),
    }


def main() -> None:
    """Time extraction, the stop check and scoring per row over real outputs, to show which one a
    run pays for."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=1.0, help="output size in MB (default 1)")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    dataset = load_dataset()
    example = load_split("test", dataset=dataset)[0]
    validator = dataset.validator(example.schema_id)
    print(f"{'shape':<22} {'MB':>5} {'extract s':>10} {'complete s':>11} {'score s':>8}  found")
    for name, text in shapes(size).items():
        t0 = time.perf_counter()
        found = extract_json(text)
        t1 = time.perf_counter()
        JsonWatcher().complete(text)
        t2 = time.perf_counter()
        score_example(example, text, validator)  # every metric of one row, as `score` does
        t3 = time.perf_counter()
        print(f"{name:<22} {len(text) / 1e6:>5.2f} {t1 - t0:>10.3f} {t2 - t1:>11.3f} "
              f"{t3 - t2:>8.3f}  {'value' if found.ok else found.reason[:40]}")


if __name__ == "__main__":
    main()
