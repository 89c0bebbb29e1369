"""Indicator tables written as CSV, JSON or XLSX (one sheet per table, numbers as numbers)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

from bot.analytics.indicators import INDEX, QUESTION

FORMATS = ("csv", "json", "xlsx")
COLUMNS = ["kind", "question_id", "dimension", "group", "suppressed", "n", "dont_know",
           "share_positive", "share_dont_know", "mean", "index", "distribution"]
COMPARE_COLUMNS = ["previous_suppressed", "previous_n", "previous_share_positive",
                   "previous_mean", "previous_index", "change_share_positive_pp", "change_index"]
SHEETS = {
    QUESTION: ["question_id", "dimension", "group", "suppressed", "n", "dont_know",
               "share_positive", "share_dont_know", "mean"],
    INDEX: ["question_id", "dimension", "group", "suppressed", "n", "index"],
}
SHEET_COMPARE = {
    QUESTION: ["previous_suppressed", "previous_n", "previous_share_positive", "previous_mean",
               "change_share_positive_pp"],
    INDEX: ["previous_suppressed", "previous_n", "previous_index", "change_index"],
}
SHEET_NAMES = {QUESTION: "questions", INDEX: "indices"}
PERCENT = {"share_positive", "share_dont_know", "previous_share_positive"}


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    return value


def write_csv(rows: list[dict[str, Any]], out: IO[str]) -> None:
    columns = COLUMNS + (COMPARE_COLUMNS if rows and "change_index" in rows[0] else [])
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _text(row.get(key)) for key in columns})


def write_json(rows: list[dict[str, Any]], out: IO[str]) -> None:
    json.dump(rows, out, ensure_ascii=False, indent=1)
    out.write("\n")


def _points(rows: list[dict[str, Any]]) -> list[str]:
    seen = {key for row in rows for key in (row.get("distribution") or {})}
    return sorted(seen, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0))


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    """Sheets `questions` and `indices`: bold frozen headers, counts and shares as numbers
    (shares formatted as percentages), the distribution one column per scale point."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    compared = bool(rows) and "change_index" in rows[0]
    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind, base in SHEETS.items():
        part = [row for row in rows if row["kind"] == kind]
        points = _points(part) if kind == QUESTION else []
        columns = base + [f"answers_{p}" for p in points] + (SHEET_COMPARE[kind] if compared
                                                              else [])
        sheet = workbook.create_sheet(SHEET_NAMES[kind])
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in part:
            distribution = row.get("distribution") or {}
            values = {**row, **{f"answers_{p}": distribution.get(p, 0 if distribution else None)
                                for p in points}}
            sheet.append([_text(values.get(c)) if isinstance(values.get(c), bool)
                          else values.get(c) for c in columns])
        for index, column in enumerate(columns, start=1):
            if column in PERCENT:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
            sheet.column_dimensions[cell_letter(index)].width = max(10, len(column) + 2)
    workbook.save(path)


def cell_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def write(rows: list[dict[str, Any]], fmt: str, out_path: str | None, stdout: IO[str]) -> None:
    if fmt == "xlsx":
        write_xlsx(rows, Path(out_path))
        return
    out = open(out_path, "w", newline="", encoding="utf-8") if out_path else stdout
    try:
        (write_json if fmt == "json" else write_csv)(rows, out)
    finally:
        if out_path:
            out.close()
