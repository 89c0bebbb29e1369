"""The annotators' agreement file refers to real retired answers, and the agreement command
scores annotators against the writer and against each other by the scale figures' rules."""

from __future__ import annotations

from bot.engine import scale_reader
from nlu import scale_agreement
from nlu.scale_cv import same_text


def test_every_annotated_answer_is_a_retired_answer_with_its_writers_value():
    answers, readers = scale_agreement.load(scale_agreement.DEFAULT)
    assert readers == ["a", "b"] and len(answers) == 400
    retired = {path.name: {(same_text(text), value)
                           for text, value in scale_reader.load_answers(path)}
               for path in scale_reader.answer_sets()}
    for answer in answers:
        assert (same_text(answer["text"]), str(answer["value"])) in retired[answer["set"]]
    # not training data: the reader's sets are nlu/dev/scale_dev*.yml only
    assert scale_agreement.DEFAULT not in scale_reader.answer_sets()


def test_agreement_is_printed_per_annotator_and_per_pair(tmp_path, capsys):
    path = tmp_path / "agreement.yml"
    path.write_text("""answers:
- {set: s.yml, text: "ja", value: 4, a: 4, b: 2}
- {set: s.yml, text: "vet ej", value: dk, a: dk, b: 3}
- {set: s.yml, text: "nej aldrig", value: 1, a: 2, b: 1}
- {set: s.yml, text: "toppen", value: 5, a: 5, b: 5}
""", encoding="utf-8")
    assert scale_agreement.main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  n=")[0].strip() for line in lines] == [
        "a against the writer", "b against the writer", "b against a"]
    assert "exact 0.750  within one 1.000" in lines[0]  # 1 vs 2 is within one
    assert "exact 0.500  within one 0.500" in lines[1]  # 4 vs 2 is not; dk vs 3 is not
    assert "exact 0.250  within one 0.500" in lines[2]


def test_an_answer_without_a_label_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "agreement.yml"
    path.write_text("answers:\n- {set: s.yml, text: ja, value: 4, a: 4, b: 2}\n"
                    "- {set: s.yml, text: nej, value: 2, a: 2}\n", encoding="utf-8")
    assert scale_agreement.main([str(path)]) == 1
    assert "'nej' has no b" in capsys.readouterr().err
