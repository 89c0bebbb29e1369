"""Consultation definitions: YAML files validated into typed models.

A definition is data, not code: staff add a consultation by adding a file to
`consultations/`, no retraining needed. Every error names the file, the place in it
and what is wrong, e.g. ``consultations/x.yml: questions[2].type: unexpected value ...``.
"""

from __future__ import annotations

import hashlib
import json
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, root_validator, validator

LANGUAGES = ("sv", "en", "sv-lattlast")
ID_PATTERN = r"^[a-z0-9][a-z0-9-_]{0,63}$"


class DefinitionError(ValueError):
    """A consultation file that cannot be used; the message says where and why."""


class Localized(BaseModel):
    """A text in several languages. Swedish is required; others fall back to it."""

    sv: str
    en: Optional[str] = None
    sv_lattlast: Optional[str] = Field(None, alias="sv-lattlast")

    class Config:
        extra = Extra.forbid
        allow_population_by_field_name = True

    @classmethod
    def __get_validators__(cls):
        yield cls._coerce

    @classmethod
    def _coerce(cls, value: Any) -> "Localized":
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("text must not be empty")
            return cls(sv=value)
        if isinstance(value, dict):
            unknown = set(value) - set(LANGUAGES)
            if unknown:
                raise ValueError(
                    f"unknown language {sorted(unknown)[0]!r}; use {', '.join(LANGUAGES)}"
                )
            if not value.get("sv"):
                raise ValueError("a Swedish text (sv) is required")
            for lang, text in value.items():
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"the {lang} text must be a non-empty string")
            return cls(**value)
        raise ValueError("must be a text or a mapping of language to text")

    def get(self, lang: str) -> str:
        """The text in `lang`, falling back to plain Swedish (lättläst falls back to sv)."""
        if lang == "en" and self.en:
            return self.en
        if lang == "sv-lattlast" and self.sv_lattlast:
            return self.sv_lattlast
        return self.sv

    def visible(self, lang: str) -> tuple[str, bool]:
        """The text in `lang` and whether it fell back to Swedish (shown to the person)."""
        return self.get(lang), not self.has(lang)

    def has(self, lang: str) -> bool:
        return lang == "sv" or bool(
            {"en": self.en, "sv-lattlast": self.sv_lattlast}.get(lang)
        )


class ParticipationLevel(IntEnum):
    """Delaktighetstrappan: the level of participation a consultation works at."""

    information = 1
    konsultation = 2
    dialog = 3
    inflytande = 4
    medbestammande = 5


class PathStep(str, Enum):
    """The step of the brukare's path that the consultation follows."""

    first_contact = "first_contact"
    investigation = "investigation"
    decision = "decision"
    ongoing_support = "ongoing_support"
    closure = "closure"


class QuestionType(str, Enum):
    scale = "scale"
    choice = "choice"
    multi = "multi"
    yesno = "yesno"
    text = "text"


class StrictModel(BaseModel):
    class Config:
        extra = Extra.forbid


class ScalePoint(StrictModel):
    value: int = Field(..., ge=1, le=10)
    label: Localized
    # extra words a person may type for this point, e.g. "bra", "glad"
    synonyms: List[str] = []


class Scale(StrictModel):
    points: List[ScalePoint] = Field(..., min_items=2, max_items=10)
    # which values count as positive (share positive)
    positive: List[int]
    dont_know: bool = True

    @root_validator(skip_on_failure=True)
    def _values_in_order(cls, values):
        points = values["points"]
        expected = list(range(1, len(points) + 1))
        if [p.value for p in points] != expected:
            raise ValueError(f"point values must be {expected} in order")
        if not set(values["positive"]) <= set(expected):
            raise ValueError("positive must list values of the scale's points")
        return values


DEFAULT_SCALE = Scale(
    points=[
        ScalePoint(value=1, label={"sv": "Stämmer inte alls", "en": "Not true at all"}),
        ScalePoint(value=2, label={"sv": "Stämmer ganska dåligt", "en": "Mostly not true"}),
        ScalePoint(value=3, label={"sv": "Stämmer delvis", "en": "Partly true"}),
        ScalePoint(value=4, label={"sv": "Stämmer ganska bra", "en": "Mostly true"}),
        ScalePoint(value=5, label={"sv": "Stämmer helt och hållet", "en": "Completely true"}),
    ],
    positive=[4, 5],
    dont_know=True,
)


class Option(StrictModel):
    id: str = Field(..., regex=ID_PATTERN)
    label: Localized
    synonyms: List[str] = []


class FollowUp(StrictModel):
    """One kind follow-up question after some answers; always skippable, asked at most once.

    `after`: for scale, choice and yesno questions a list of answer values (default on a
    scale: its lowest points); for text questions `short` (a few words) or `always`.
    """

    text: Localized
    after: Union[List[str], str] = "default"

    @validator("after", pre=True)
    def _values_as_text(cls, value):
        if isinstance(value, list):
            return [str(v) for v in value]
        if value not in ("default", "short", "always"):
            raise ValueError("must be a list of answer values, 'short' or 'always'")
        return value


class Question(StrictModel):
    id: str = Field(..., regex=ID_PATTERN)
    type: QuestionType
    text: Localized
    # a plainer explanation, given when the person asks what the question means
    clarify: Optional[Localized] = None
    # scale questions: the name of a scale declared in `scales`, or the default five points
    scale: Optional[str] = None
    options: List[Option] = []
    # background questions are exported like others but reported as breakdowns
    background: bool = False
    follow_up: Optional[FollowUp] = None
    # ask only when earlier answers match: {question_id: [accepted values]}
    when: Dict[str, List[str]] = {}

    @validator("when", pre=True)
    def _when_values_as_text(cls, value):
        if isinstance(value, dict):
            return {k: [str(v) for v in (vs if isinstance(vs, list) else [vs])]
                    for k, vs in value.items()}
        return value

    @root_validator(skip_on_failure=True)
    def _options_fit_type(cls, values):
        qtype = values["type"]
        if qtype in (QuestionType.choice, QuestionType.multi):
            if len(values["options"]) < 2:
                raise ValueError(f"a {qtype.value} question needs at least two options")
            ids = [o.id for o in values["options"]]
            if len(set(ids)) != len(ids):
                raise ValueError("option ids must be unique")
        elif values["options"]:
            raise ValueError(f"a {qtype.value} question takes no options")
        if values.get("scale") and qtype != QuestionType.scale:
            raise ValueError("only scale questions take a scale")
        return values


class ResultsFeedback(StrictModel):
    """Återkoppling: when and how results go back to brukare."""

    when: Localized
    how: Localized


class Index(StrictModel):
    """An index over several scale questions, scaled 0-100 (like a satisfied-customer index).

    A person's index is the mean of (value - 1) / (points - 1) * 100 over the listed questions
    they answered on the scale ("vet inte" and skipped questions left out); on the five-point
    scale that is (value - 1) / 4 * 100. The group's index is the mean over its people.
    """

    id: str = Field(..., regex=ID_PATTERN)
    label: Localized
    questions: List[str] = Field(..., min_items=2)


class Audience(str, Enum):
    adults = "adults"
    children = "children"


class Definition(StrictModel):
    id: str = Field(..., regex=ID_PATTERN)
    title: Localized
    # children get child-friendly help lines (BRIS) and texts
    audience: Audience = Audience.adults
    # ids from help_lines.yml given when someone may be in danger (default by audience)
    help_lines: Optional[List[str]] = None
    # what the bot says when asked who reads the answers (default: bot/texts privacy)
    privacy: Optional[Localized] = None
    # how many days message texts are kept before they are removed (gallring)
    retention_days: int = Field(365, ge=1, le=3650)
    participation_level: ParticipationLevel
    target_group: Localized
    method: Localized
    purpose: Localized
    goals: List[Localized] = Field(..., min_items=1)
    evaluation: Localized
    owner_role: str
    path_step: PathStep
    results_feedback: ResultsFeedback
    consent: Localized
    end: Localized
    scales: Dict[str, Scale] = {}
    questions: List[Question] = Field(..., min_items=1)
    indices: List[Index] = []

    @validator("participation_level", pre=True)
    def _level_by_name(cls, value):
        if isinstance(value, str) and not value.isdigit():
            try:
                return ParticipationLevel[value.lower().replace("ä", "a")]
            except KeyError:
                raise ValueError(
                    "must be 1-5 or one of information, konsultation, dialog, "
                    "inflytande, medbestammande"
                ) from None
        return value

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values):
        earlier: dict[str, Question] = {}
        scales = values["scales"]
        for index, question in enumerate(values["questions"]):
            place = f"questions[{index}]"
            if question.id in earlier:
                raise ValueError(f"{place}.id: {question.id!r} is used twice")
            if question.scale and question.scale not in scales:
                raise ValueError(f"{place}.scale: no scale named {question.scale!r} in scales")
            for other_id, accepted in question.when.items():
                other = earlier.get(other_id)
                if other is None:
                    raise ValueError(
                        f"{place}.when: {other_id!r} is not a question asked before this one"
                    )
                valid = _values_of(other, scales)
                if valid is not None and not set(accepted) <= valid:
                    wrong = sorted(set(accepted) - valid)[0]
                    raise ValueError(
                        f"{place}.when.{other_id}: {wrong!r} is not an answer to {other_id!r}"
                    )
            if question.follow_up is not None:
                _check_follow_up(question, place, scales)
            earlier[question.id] = question
        _check_indices(values.get("indices") or [], earlier)
        return values

    # -- lookups used by the engine ------------------------------------------------

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def index_of(self, question_id: str) -> int:
        return [q.id for q in self.questions].index(question_id)

    def scale_for(self, question: Question) -> Scale:
        return self.scales[question.scale] if question.scale else DEFAULT_SCALE

    def canonical(self) -> dict[str, Any]:
        """JSON-ready form, stored with each version."""
        return json.loads(self.json(by_alias=True, exclude_none=True))

    def checksum(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _values_of(question: Question, scales: Dict[str, Scale]) -> set[str] | None:
    """The values an answer to `question` can take; None for free text."""
    if question.type == QuestionType.scale:
        scale = scales[question.scale] if question.scale else DEFAULT_SCALE
        return {str(p.value) for p in scale.points} | ({"dk"} if scale.dont_know else set())
    if question.type == QuestionType.yesno:
        return {"ja", "nej"}
    if question.type in (QuestionType.choice, QuestionType.multi):
        return {o.id for o in question.options}
    return None


def _check_indices(indices: List[Index], questions: Dict[str, Question]) -> None:
    seen: set[str] = set()
    for number, index in enumerate(indices):
        place = f"indices[{number}]"
        if index.id in seen or index.id in questions:
            raise ValueError(f"{place}.id: {index.id!r} is already used by a question or index")
        seen.add(index.id)
        if len(set(index.questions)) != len(index.questions):
            raise ValueError(f"{place}.questions: a question is listed twice")
        for question_id in index.questions:
            question = questions.get(question_id)
            if question is None:
                raise ValueError(f"{place}.questions: there is no question {question_id!r}")
            if question.type != QuestionType.scale:
                raise ValueError(f"{place}.questions: {question_id!r} is not a scale question")


def _check_follow_up(question: Question, place: str, scales: Dict[str, Scale]) -> None:
    on = question.follow_up.after
    if question.type == QuestionType.text:
        if on not in ("default", "short", "always"):
            raise ValueError(f"{place}.follow_up.after: use 'short' or 'always' on a text question")
        return
    if on in ("short",):
        raise ValueError(f"{place}.follow_up.after: 'short' is only for text questions")
    if isinstance(on, list):
        valid = _values_of(question, scales) or set()
        wrong = sorted(set(on) - valid)
        if wrong:
            raise ValueError(f"{place}.follow_up.after: {wrong[0]!r} is not an answer to this question")
    elif on == "default" and question.type != QuestionType.scale:
        raise ValueError(f"{place}.follow_up.after: list the answers that lead to the follow-up")


def _place(loc: tuple[Any, ...]) -> str:
    place = ""
    for part in loc:
        if part == "__root__":
            continue
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    return place


def parse_definition(data: Any, source: str) -> Definition:
    """Validate already-parsed data; `source` names it in errors."""
    if not isinstance(data, dict):
        raise DefinitionError(f"{source}: the file must be a mapping of keys to values")
    try:
        return Definition.parse_obj(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            place = _place(error["loc"])
            problems.append(f"{source}: {place + ': ' if place else ''}{error['msg']}")
        raise DefinitionError("\n".join(problems)) from None


def parse_text(text: str, source: str) -> Definition:
    """Parse and validate a definition given as YAML text; `source` names it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise DefinitionError(f"{source}: {where}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{source}: not valid YAML: {exc}") from None
    return parse_definition(data, source)


def load_file(path: Path, display_root: Path | None = None) -> Definition:
    source = str(path.relative_to(display_root) if display_root else path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{source}: cannot be read: {exc}") from None
    definition = parse_text(text, source)
    if path.stem != definition.id:
        raise DefinitionError(
            f"{source}: id: {definition.id!r} must match the file name ({path.stem!r})"
        )
    return definition


def load_directory(directory: Path) -> dict[str, Definition]:
    """Load every `*.yml` in the directory; all problems are reported together."""
    if not directory.is_dir():
        raise DefinitionError(f"{directory}: no such folder of consultations")
    definitions: dict[str, Definition] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        try:
            definition = load_file(path, directory.parent)
        except DefinitionError as exc:
            problems.append(str(exc))
            continue
        definitions[definition.id] = definition
    if problems:
        raise DefinitionError("\n".join(problems))
    if not definitions:
        raise DefinitionError(f"{directory}: no consultation definitions (*.yml) found")
    return definitions


def from_stored(data: dict[str, Any]) -> Definition:
    return Definition.parse_obj(data)
