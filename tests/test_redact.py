"""Redaction of identifying strings (contracts.md), through the engine's redact()."""

from __future__ import annotations

import pytest

from bot.engine.redact import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("850101-1234", "[personnummer]"),
        ("8501011234", "[personnummer]"),
        ("19850101-1234", "[personnummer]"),
        ("198501011234", "[personnummer]"),
        ("850101+1234", "[personnummer]"),
        ("85 01 01 12 34", "[personnummer]"),
        ("070-123 45 67", "[telefon]"),
        ("0701234567", "[telefon]"),
        ("+46 70 123 45 67", "[telefon]"),
        ("+46701234567", "[telefon]"),
        ("08-123 456 78", "[telefon]"),
        ("031-12 34 56", "[telefon]"),
        ("namn.efternamn@example.se", "[e-post]"),
        ("jag heter Sara", "jag heter [namn]"),
        ("mitt namn är sara lind och jag bor här", "mitt namn är [namn] och jag bor här"),
        ("My name is John.", "My name is [namn]."),
        ("jag bor på Storgatan 12B", "jag bor på [adress]"),
        ("Björkvägen 3, lgh 1102", "[adress]"),
    ],
)
def test_identifying_strings_become_placeholders(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text", ["4", "2018 var bra", "jag fick 5000 kr", "jag är 23 år", "stämmer ganska bra",
             "jag heter inte det", "fråga 3 av 17"],
)
def test_ordinary_text_is_left_alone(text):
    result = redact(text)
    assert result.text == text and not result.changed
