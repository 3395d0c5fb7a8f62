"""Score a KB with ../shared/eval/score.py and print its lists article by article, for error analysis.

The scorer prints each list (missed mentions, dose errors, …) across all articles; reading misses
is easier one article at a time, next to its text. Usage (what ``make score-dev`` runs)::

    python tools/score_dev.py --kb build/dev.duckdb --raw ../shared/eval/dev/texts --gold ../shared/eval/dev/gold.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kb", type=Path, required=True)
    p.add_argument("--raw", type=Path, required=True)
    p.add_argument("--gold", type=Path, required=True)
    p.add_argument("--scorer", type=Path, default=SCORER)
    a = p.parse_args()
    spec = importlib.util.spec_from_file_location("score", a.scorer)
    if spec is None or spec.loader is None:
        print(f"no scorer at {a.scorer}", file=sys.stderr)
        return 1
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    m = scorer.score(a.kb, a.raw, json.loads(a.gold.read_text()))
    by_article: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, value in m.items():
        if isinstance(value, list):
            for item in value:
                article, _, what = str(item).partition(":") if str(item)[:1] in "d0123456789" else ("-", "", item)
                by_article[article][name].append(what.strip())
    for article in sorted(by_article):
        print(f"== {article}")
        for name, items in by_article[article].items():
            print(f"  {name}:")
            for item in items:
                print(f"    {item}")
    print(json.dumps({k: v for k, v in m.items() if not isinstance(v, list)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
