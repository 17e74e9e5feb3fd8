"""A learned second opinion: how likely a draft is to hurt, from its words and their pieces.

The phrase and structure rules are precise but only know the shapes someone wrote down; a
draft in fresh words slips past them. This is a logistic regression over word and
character n-grams, trained on the development corpus (`eval/dev.jsonl`, by
`scripts/train-harm-model`) and shipped as plain weights, so serving needs no ML library:
scoring is a sum over at most a few thousand n-grams of a bounded prefix of the text.

`features` is also what training uses (scikit-learn calls it as the analyzer), so the two can
never disagree about what a feature is.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import cache
from importlib import resources

from luna_graphql.ai.detectors import normalise
from luna_graphql.ai.speech import mask_reported_speech

MODEL_FILE = "harm_model.json"
# The model judges the beginning of a long paste: partners' drafts are short, and a
# bounded prefix keeps a hostile 5,000-character input as cheap as a long message.
FEATURE_CHARS = 600
_CHAR_NGRAMS = (3, 4, 5)


def features(text: str) -> list[str]:
    """Word unigrams and bigrams, and character n-grams inside words (padded with spaces),
    of the normalised text with other people's quoted words masked."""
    clean = mask_reported_speech(normalise(text[: FEATURE_CHARS * 2]))[:FEATURE_CHARS]
    words = clean.split()
    out = [f"w:{w}" for w in words]
    out += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f" {word} "
        for n in _CHAR_NGRAMS:
            out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    return out


@cache
def _model() -> tuple[dict[str, float], float]:
    raw = resources.files("luna_graphql.ai").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    data = json.loads(raw)
    return dict(data["weights"]), float(data["intercept"])


def harm_probability(text: str) -> float:
    """P(not SAFE) as the model sees it; the features are binary and L2-normalised, exactly
    as in training (CountVectorizer(binary=True) then Normalizer)."""
    weights, intercept = _model()
    present = {f for f in features(text) if f in weights}
    if not present:
        return 0.0  # nothing it learned from: no opinion, rather than the prior
    logit = intercept + sum(weights[f] for f in present) / math.sqrt(len(present))
    return 1.0 / (1.0 + math.exp(-logit))
