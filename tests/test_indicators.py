"""`brukarrost indicators`: figures on a known data set, computed by hand, with small groups
(4 and 5 people) and secondary suppression."""

from __future__ import annotations

import json

import pytest

from tests.chat import say
from tests.test_cli import brukarrost

# unit -> (gender, answers to "kontakt")
DATA = {
    "ekonomiskt-bistand-norr": ("kvinna", ["5", "4", "4", "2", "dk", "1"]),
    "barn-och-familj": ("man", ["3", "3", "4", "5", "5"]),
    "arbetsmarknad": ("kvinna", ["1", "2", "3", "4"]),
}


async def _answer_all(client) -> None:
    for unit, (gender, values) in DATA.items():
        for index, value in enumerate(values):
            sender = f"{unit}-{index}"
            await say(client, sender, "hej", {"consultation": "brukarundersokning-ifo", "unit": unit})
            for message in ("ja", "sjalv", "arbete", gender, "1-3-ar", value):
                await say(client, sender, message)


def _cell(rows, dimension, group):
    [row] = [r for r in rows if r["question_id"] == "kontakt" and r["dimension"] == dimension
             and r["group"] == group]
    return row


@pytest.fixture
async def indicators(client, database_url):
    await _answer_all(client)
    result = brukarrost("indicators", "--consultation", "brukarundersokning-ifo",
                        "--format", "json", database_url=database_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_overall_figures_computed_by_hand(indicators):
    total = _cell(indicators, "all", "all")
    assert total["n"] == 14 and total["dont_know"] == 1
    assert total["share_positive"] == 0.5  # 7 answers of 4-5 out of 14 on the scale
    assert total["mean"] == round(46 / 14, 3)
    assert total["share_dont_know"] == round(1 / 15, 4)
    assert total["distribution"] == {"1": 2, "2": 2, "3": 3, "4": 4, "5": 3}


async def test_groups_under_five_are_suppressed_with_a_second_group(indicators):
    shown = _cell(indicators, "unit", "ekonomiskt-bistand-norr")
    assert not shown["suppressed"]
    assert (shown["n"], shown["share_positive"], shown["mean"]) == (5, 0.6, 3.2)
    assert shown["share_dont_know"] == round(1 / 6, 4)
    small = _cell(indicators, "unit", "arbetsmarknad")  # 4 people: primary suppression
    assert small["suppressed"] and small["n"] is None and small["share_positive"] is None
    # 5 people is enough on its own, but with only one group hidden the total would give
    # it away, so the smallest shown group is hidden too
    second = _cell(indicators, "unit", "barn-och-familj")
    assert second["suppressed"] and second["mean"] is None


async def test_breakdown_by_background_question(indicators):
    women = _cell(indicators, "kon", "kvinna")
    men = _cell(indicators, "kon", "man")
    assert (women["n"], women["dont_know"]) == (9, 1)
    assert women["share_positive"] == round(4 / 9, 4)
    assert (men["n"], men["share_positive"], men["mean"]) == (5, 0.6, 4.0)


async def test_csv_output_and_errors(client, database_url, tmp_path):
    await _answer_all(client)
    out = tmp_path / "indicators.csv"
    result = brukarrost("indicators", "--consultation", "brukarundersokning-ifo", "--out",
                        str(out), database_url=database_url)
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("kind,question_id,dimension,group,suppressed,n,dont_know,share_positive,"
                        "share_dont_know,mean,index,distribution")
    assert "question,kontakt,all,all,false,14,1,0.5,0.0667,3.286,,1:2;2:2;3:3;4:4;5:3" in lines
    assert "question,kontakt,unit,arbetsmarknad,true,,,,,,," in lines
    result = brukarrost("indicators", "--consultation", "nope", database_url=database_url)
    assert result.returncode == 2 and "no consultation called 'nope'" in result.stderr
