"""`luna-graphql eval`: scoring a labelled file, the report, the bar, and corpus errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luna_graphql.ai.eval_report import BEGIN, END
from luna_graphql.ai.evaluation import CorpusError, load_corpus
from luna_graphql.cli import main

ROWS = [
    {
        "id": "x1",
        "text": "Can you grab milk on the way home?",
        "label": "SAFE",
        "category": "logistics",
    },
    {"id": "x2", "text": "You're such an idiot", "label": "HIGH_RISK", "category": "contempt"},
    {
        "id": "x3",
        "text": "One more time and I'm gone. I mean it.",
        "label": "HIGH_RISK",
        "category": "threat_to_leave",
        "context": [{"author": "partner", "text": "I'll be late again tonight"}],
    },
]


@pytest.fixture(autouse=True)
def local_only(bare_env: pytest.MonkeyPatch) -> None:
    """The offline assistant whatever the machine configures."""


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_scores_a_file_and_splices_the_report_into_a_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write(tmp_path / "mini.jsonl", ROWS)
    doc = tmp_path / "luna.md"
    doc.write_text(f"# Luna\n\nprose stays\n\n{BEGIN}\nold figures\n{END}\n\nafter\n")
    assert main(["eval", "--provider", "local", "--check", "--write", str(doc), str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "SAFE vs not-SAFE: **100%** (3/3)" in out
    assert "| threat_to_leave | 1 | 100% |" in out
    text = doc.read_text()
    assert "prose stays" in text and "after" in text and "old figures" not in text
    assert text.count(BEGIN) == 1 and "SAFE vs not-SAFE" in text
    assert "Wrong side of SAFE" not in out  # drafts are listed only with --failures


def test_a_missed_threat_fails_the_check_and_is_listed_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missed = {
        "id": "x4",
        "text": "See you at 7 for dinner",
        "label": "HIGH_RISK",
        "category": "veiled_threat",
    }
    corpus = write(tmp_path / "mini.jsonl", [*ROWS, missed])
    assert main(["eval", "--provider", "local", "--check", "--failures", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert "threats and coercive control passed as SAFE: **1**" in out
    assert "| x4 | veiled_threat | HIGH_RISK | SAFE |" in out


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"id": "y", "text": "hi", "label": "MAYBE", "category": "neutral"}, "label"),
        ({"id": "y", "text": "hi", "label": "RISKY", "category": "affection"}, "does not fit"),
        ({"id": "y", "text": "hi", "label": "SAFE", "category": "gossip"}, "unknown category"),
        ({"id": "y", "text": " ", "label": "SAFE", "category": "neutral"}, "non-empty"),
    ],
)
def test_a_malformed_line_is_named(tmp_path: Path, row: dict[str, object], reason: str) -> None:
    with pytest.raises(CorpusError, match=reason) as raised:
        load_corpus([write(tmp_path / "bad.jsonl", [row])])
    assert "bad.jsonl:1" in str(raised.value)


def test_a_bad_corpus_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write(tmp_path / "dup.jsonl", [ROWS[0], ROWS[0]])
    assert main(["eval", "--provider", "local", str(corpus)]) == 2
    assert "duplicate id x1" in capsys.readouterr().err
    assert main(["eval", "--provider", "local", str(tmp_path / "missing.jsonl")]) == 2
