"""What staff print and hand out: a QR code per invitation (PNG and SVG), a list of the
links, and a printable HTML sheet of cards (escaped, with its own print styles)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True))


@dataclass(frozen=True)
class Card:
    number: int
    link: str
    png: str  # file names relative to the output folder
    svg: str


def write(out: Path, links: list[str], title: str, unit_name: str, expires: date) -> list[Card]:
    """Write qr/invite-NNN.png and .svg, links.csv and invitations.html into `out`."""
    (out / "qr").mkdir(parents=True, exist_ok=True)
    cards = []
    for number, link in enumerate(links, start=1):
        stem = f"qr/invite-{number:03d}"
        code = segno.make(link, error="m")
        code.save(str(out / f"{stem}.png"), scale=8, border=4)
        code.save(str(out / f"{stem}.svg"), scale=4, border=4, title=f"QR {number}")
        cards.append(Card(number, link, f"{stem}.png", f"{stem}.svg"))
    with open(out / "links.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "link", "qr_png", "qr_svg", "expires"])
        for card in cards:
            writer.writerow([card.number, card.link, card.png, card.svg, expires.isoformat()])
    sheet = TEMPLATES.get_template("sheet.html").render(
        cards=cards, title=title, unit=unit_name, expires=expires.isoformat())
    (out / "invitations.html").write_text(sheet, encoding="utf-8")
    return cards
