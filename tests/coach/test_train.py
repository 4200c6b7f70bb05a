"""The training command line (coach.train): `python -m adaptivefit.coach.train` / `adaptivefit-train`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adaptivefit.coach import train as T
from adaptivefit.coach.versions import versions
from tests.coach.tiny_training import tiny_phrases


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("phrases") / "phrases.json"
    path.write_text(json.dumps([p.to_dict() for p in tiny_phrases()]))
    return path


def test_cli(tiny_file, tmp_path, capsys):
    args = ["--phrases", str(tiny_file), "--out", str(tmp_path), "--steps", "3", "--layers", "1", "--width", "32",
            "--heads", "2", "--threads", "1", "--eval-samples", "4", "--scratch", "--quiet"]
    assert T.main(args) == 0
    [version] = versions(tmp_path)
    assert str(version) in capsys.readouterr().out
    assert T.main([*args, "--if-changed"]) == 0
    assert versions(tmp_path) == [version]  # same data: nothing trained

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{**tiny_phrases()[0].to_dict(), "text": "Lift 100 kg."}]))
    assert T.main([*args, "--phrases", str(bad)]) == 2
    assert "literal digit" in capsys.readouterr().err
