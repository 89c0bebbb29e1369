"""Response rate: offered counts entered by staff, started and completed conversations."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from tests.chat import advance_to, say
from tests.test_cli import brukarrost

IFO = "brukarundersokning-ifo"


async def _complete(client, sender, unit):
    await advance_to(client, sender, "gora-battre", {"consultation": IFO, "unit": unit})
    await say(client, sender, "Det fungerar bra för mig nu.")


async def test_response_rate_per_unit_with_suppression(client, database_url):
    today = datetime.now(timezone.utc).date().isoformat()
    for unit, count in (("barn-och-familj", 8), ("arbetsmarknad", 10),
                        ("ekonomiskt-bistand-syd", 12)):
        result = brukarrost("offered", "--consultation", IFO, "--unit", unit, "--from", today,
                            "--to", today, "--count", str(count), database_url=database_url)
        assert result.returncode == 0, result.stderr
    # entering it again replaces it
    assert brukarrost("offered", "--consultation", IFO, "--unit", "barn-och-familj", "--from",
                      today, "--to", today, "--count", "10", database_url=database_url
                      ).returncode == 0
    for index in range(5):
        await _complete(client, f"bf-{index}", "barn-och-familj")
    await advance_to(client, "bf-started", "kontakt", {"consultation": IFO, "unit": "barn-och-familj"})
    await say(client, "bf-declined", "hej", {"consultation": IFO, "unit": "barn-och-familj"})
    await say(client, "bf-declined", "nej")
    for index in range(2):
        await _complete(client, f"am-{index}", "arbetsmarknad")
    for index in range(6):
        await _complete(client, f"eb-{index}", "ekonomiskt-bistand-syd")
    result = brukarrost("response-rate", "--consultation", IFO, "--format", "json",
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    rows = {r["unit_id"]: r for r in json.loads(result.stdout)}
    assert rows["ekonomiskt-bistand-syd"] == {
        "unit_id": "ekonomiskt-bistand-syd", "offered": 12, "started": 6, "completed": 6,
        "response_rate": 0.5, "suppressed": False}
    # 2 completed: suppressed; then the smallest shown unit too, or the total gives it away
    assert rows["arbetsmarknad"]["suppressed"] and rows["arbetsmarknad"]["response_rate"] is None
    assert rows["arbetsmarknad"]["offered"] == 10
    assert rows["barn-och-familj"]["suppressed"] and rows["barn-och-familj"]["offered"] == 10
    # started counts those past the consent (6 in barn-och-familj), not the one who declined
    assert rows["all"] == {"unit_id": "all", "offered": 32, "started": 14, "completed": 13,
                           "response_rate": round(13 / 32, 4), "suppressed": False}


async def test_offered_refuses_bad_input(client, database_url):
    result = brukarrost("offered", "--consultation", IFO, "--unit", "nope", "--from",
                        "2026-01-01", "--to", "2026-01-31", "--count", "5",
                        database_url=database_url)
    assert result.returncode == 2 and "no unit called 'nope'" in result.stderr
    result = brukarrost("offered", "--consultation", IFO, "--unit", "arbetsmarknad", "--from",
                        "2026-02-01", "--to", "2026-01-31", "--count", "5",
                        database_url=database_url)
    assert result.returncode == 2 and "--from is after --to" in result.stderr
