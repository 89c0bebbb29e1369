"""Leave one set out: no answer of a retired set is in the answers its reader trains on,
however its path is given (a relative path once let the set itself back into training)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.engine import scale_reader
from nlu.scale_cv import leave_one_set_out, same_text


def test_each_left_out_set_is_not_trained_on_and_the_others_are(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    retired = scale_reader.answer_sets()
    assert len(retired) >= 2
    relative = Path(os.path.relpath(retired[-1], PROJECT_ROOT))
    examples = [("exempel", "3"), (scale_reader.load_answers(retired[0])[0][0].upper(), "1")]
    splits = list(leave_one_set_out([relative, retired[0]], examples))
    assert [path for path, _held, _train in splits] == [relative, retired[0]]
    for path, held, train in splits:
        assert held == scale_reader.load_answers(path)
        held_texts = {same_text(text) for text, _ in held}
        assert not [text for text, _ in train if same_text(text) in held_texts]
        others = [p for p in retired if p.resolve() != path.resolve()]
        kept = [pair for p in others for pair in scale_reader.load_answers(p)
                if same_text(pair[0]) not in held_texts]
        assert len(kept) > 1000 and set(kept) <= set(train)
        assert ("exempel", "3") in train
