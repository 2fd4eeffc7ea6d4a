"""How well the knowledge-base search answers borrowers' questions (知识库检索质量).

Builds the index exactly as the desk does (`care.selectors.knowledge.index_versions`: both
language versions of each bundled article, tags counted as body words) and asks every question
of the bilingual test set `tests/care/search_questions.yaml`. A question is answered at rank k
when one of its right articles is the k-th hit. Prints hit@1, hit@3 and MRR (mean reciprocal
rank, over the top 10) per language and overall as a Markdown table for docs/BENCHMARKS.md
("Care: knowledge-base search quality"); `--misses` lists the questions not answered in the top
three. No database is needed: the bundled articles are read from their YAML.

Run:  .venv/bin/python benchmarks/care_search_quality.py [--misses]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "care" / "search_questions.yaml"


def ranks(questions: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int | None]]:
    """Each question with the 1-based rank of its first right article (None: not in the top 10)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings.test")
    django.setup()
    from arrears.care.selectors.knowledge import index_versions
    from arrears.care.services.knowledge import bundled_articles
    from arrears.core.care.search import KnowledgeIndex

    rows = [SimpleNamespace(pk=item["slug"], **item) for item in bundled_articles()]
    index = KnowledgeIndex(index_versions(rows))
    result = []
    for question in questions:
        keys = [hit.key for hit in index.search(question["q"], limit=10)]
        found = [keys.index(slug) + 1 for slug in question["slugs"] if slug in keys]
        result.append((question, min(found) if found else None))
    return result


def figures(ranked: list[tuple[dict[str, Any], int | None]]) -> tuple[int, float, float, float]:
    n = len(ranked)
    at_1 = sum(rank == 1 for _q, rank in ranked) / n
    at_3 = sum(rank is not None and rank <= 3 for _q, rank in ranked) / n
    mrr = sum(1 / rank for _q, rank in ranked if rank is not None) / n
    return n, at_1, at_3, mrr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list questions not in the top 3")
    args = parser.parse_args()
    questions = yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]
    started = time.perf_counter()
    ranked = ranks(questions)
    elapsed = time.perf_counter() - started
    print("| questions | n | hit@1 | hit@3 | MRR |")
    print("|---|---:|---:|---:|---:|")
    for name, language in (("Chinese 中文", "zh-hans"), ("English", "en"), ("all", None)):
        subset = [r for r in ranked if language is None or r[0]["language"] == language]
        n, at_1, at_3, mrr = figures(subset)
        print(f"| {name} | {n} | {at_1:.3f} | {at_3:.3f} | {mrr:.3f} |")
    print(f"\n(index built and {len(questions)} questions asked in {elapsed:.2f} s, "
          "jieba's dictionary load included)")  # fmt: skip
    if args.misses:
        for question, rank in ranked:
            if rank is None or rank > 3:
                print(f"miss: {question['q']!r} → rank {rank} (wanted {question['slugs']})")


if __name__ == "__main__":
    main()
