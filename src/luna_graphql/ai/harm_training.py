"""Train `harm_model`'s weights on the development corpus (a development tool, not served).

    .venv/bin/python -m luna_graphql.ai.harm_training [--cv]

scikit-learn is a development dependency: serving reads the JSON this writes. `--cv` prints
cross-validated accuracy with each writer's drafts held out in turn (the id prefix names the
writer), which is how the threshold in `scoring` was chosen; the held-out corpus is never
read here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from luna_graphql.ai.assessment import LEARNED_MIN_WORDS
from luna_graphql.ai.evaluation import load_corpus
from luna_graphql.ai.harm_model import MODEL_FILE, features

DEV = Path("eval/dev.jsonl")
REGULARISATION_C = 16.0
# Weights this small change no decision; dropping them keeps the shipped file small.
MIN_WEIGHT = 0.02


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer

    return make_pipeline(
        CountVectorizer(analyzer=features, binary=True, min_df=2),
        Normalizer(),
        LogisticRegression(C=REGULARISATION_C, max_iter=5000, class_weight="balanced"),
    )


def _data(path: Path) -> tuple[list[str], list[int], list[str]]:
    samples = load_corpus([path])
    return (
        [s.text for s in samples],
        [int(s.harmful) for s in samples],
        [s.id.rstrip("0123456789") for s in samples],
    )


def _rules_flag(path: Path) -> list[bool]:
    from luna_graphql.ai.assessment import assess
    from luna_graphql.ai.scoring import draft_risk

    return [
        draft_risk(assess(s.text, s.context, learned=False).score) != "safe"
        for s in load_corpus([path])
    ]


def cross_validate(path: Path) -> None:
    """The model is asked only about drafts the rules pass as SAFE, so that is where its
    threshold is judged: the figures are for rules and model together."""
    import numpy as np
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    texts, labels, groups = _data(path)
    y = np.array(labels, dtype=bool)
    rules = np.array(_rules_flag(path))
    proba = cross_val_predict(
        _pipeline(), texts, y, groups=groups, cv=LeaveOneGroupOut(), method="predict_proba"
    )[:, 1]
    long_enough = np.array([len(t.split()) >= LEARNED_MIN_WORDS for t in texts])
    print(f"rules alone: accuracy {(rules == y).mean():.3f}")
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        flagged = rules | ((proba >= threshold) & long_enough)
        print(
            f"threshold {threshold:.1f}: accuracy {(flagged == y).mean():.3f}, "
            f"SAFE flagged {int((flagged & ~y).sum())}/{int((~y).sum())}, "
            f"harmful missed {int((~flagged & y).sum())}/{int(y.sum())}"
        )


def train(path: Path, output: Path) -> None:
    texts, labels, _ = _data(path)
    pipeline = _pipeline().fit(texts, labels)
    vectorizer, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    weights = {
        name: round(float(weight), 4)
        for name, weight in zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True)
        if abs(weight) >= MIN_WEIGHT
    }
    payload = {
        "trained_on": f"{path} ({len(texts)} drafts)",
        "intercept": round(float(model.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
    }
    output.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(weights)} weights from {len(texts)} drafts -> {output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cv", action="store_true", help="cross-validate by writer instead")
    parser.add_argument("--corpus", type=Path, default=DEV)
    args = parser.parse_args()
    if args.cv:
        cross_validate(args.corpus)
    else:
        train(args.corpus, Path(__file__).with_name(MODEL_FILE))


if __name__ == "__main__":
    main()
