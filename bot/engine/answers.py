"""Understanding answers: typed text or a button payload becomes a stored value.

Values follow contracts.md: scale `1`-`k` or `dk`; yesno `ja`/`nej`; choice the option id
(multi: ids joined by `;`); text questions have no value, only the person's own words.
Nothing here guesses: when the text does not clearly name one value the result is None
and the engine asks again.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.definitions import Option, Question, QuestionType, Scale

DONT_KNOW = "dk"

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})

NUMBER_WORDS = {  # keys as normalize() leaves them (å/ä/ö folded)
    "ett": 1, "en": 1, "etta": 1, "ettan": 1, "one": 1,
    "tva": 2, "tvaa": 2, "tvaan": 2, "two": 2,
    "tre": 3, "trea": 3, "trean": 3, "three": 3,
    "fyra": 4, "fyran": 4, "four": 4,
    "fem": 5, "femma": 5, "femman": 5, "five": 5,
    "sex": 6, "six": 6, "sju": 7, "seven": 7,
}
# numbers in a rating out of something else ("åtta av tio", "80 procent"), folded
RATING_WORDS = {
    **NUMBER_WORDS, "noll": 0, "zero": 0, "atta": 8, "eight": 8, "nio": 9, "nine": 9,
    "tio": 10, "ten": 10, "tjugo": 20, "twenty": 20, "trettio": 30, "thirty": 30,
    "fyrtio": 40, "forty": 40, "femtio": 50, "fifty": 50, "sextio": 60, "sixty": 60,
    "sjuttio": 70, "seventy": 70, "attio": 80, "eighty": 80, "nittio": 90, "ninety": 90,
    "hundra": 100, "hundred": 100,
}
_NUMBER = r"(\d{1,3}|[a-z]+)"
_RATING = re.compile(rf"(?<![\w/]){_NUMBER} ?(?:av|utav|of|out of|/) ?{_NUMBER}(?![\w/])")
_PERCENT = re.compile(rf"(?<![\w/]){_NUMBER} ?(?:%|procent|percent)")
RATING_BASES = (5, 10, 100)
DONT_KNOW_PHRASES = {
    "vet inte", "vet ej", "vet int", "vet it", "vetinte", "ingen aning", "vet ingen",
    "kan inte svara", "kan inte saga", "ingen asikt", "har ingen asikt", "osaker",
    "dont know", "don't know", "i dont know", "i don't know", "no idea", "not sure", "dk",
    "vet inte riktigt", "vet faktiskt inte", "nej vet inte", "jag vet inte", "jag vet ej",
    "jag inte vet", "jag vet faktiskt inte", "vet inte assa", "minns inte", "kommer inte ihag",
    "svart att saga", "svart att svara", "osaker pa det", "kan inte bedoma", "idk", "dunno",
    "can't say", "cant say", "no opinion", "hard to say", "not sure at all",
    "beats me", "kan inte svara pa den", "ingen koll", "har ingen koll",
    "vet inte vad jag ska svara", "no clue", "svart att veta", "kan inte avgora",
    "kan inte bedoma det", "kan inte svara pa det", "kan inte saga det",
}
YES_WORDS = {
    "ja", "jaa", "japp", "jepp", "jo", "joo", "javisst", "ja tack", "absolut", "ok", "okej",
    "okey", "okay", "sure", "yes", "yeah", "yep", "y", "visst", "gärna", "garna", "kör", "kor",
    "jajamen", "ja det har jag", "ja det har jag det", "jag vill", "ja gärna",
}
NO_WORDS = {
    "nej", "ne", "nä", "na", "nää", "naa", "nej tack", "no", "nope", "nah", "n", "aldrig",
    "inte", "nej det har jag inte", "nej inte", "no thanks", "never", "nej aldrig",
}


def normalize(text: str) -> str:
    """Lower case, å/ä/ö folded, punctuation and emoji dropped, spaces collapsed. A turn
    compares the message with every label and phrase, so short texts (the labels, phrases
    and short answers; like the NLU's parse cache, never longer free text) are cached per
    process."""
    return _normalize_short(text) if len(text) <= 60 else _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    text = re.sub(r"[^\w\s'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_normalize_short = lru_cache(maxsize=8192)(_normalize)


@dataclass(frozen=True)
class Mapped:
    value: str | None
    # the person's own words, kept when they typed rather than pressed a button
    own_words: bool = True


def _unique(candidates: set[str]) -> str | None:
    return next(iter(candidates)) if len(candidates) == 1 else None


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else RATING_WORDS.get(word)


def rating(text: str) -> tuple[int, int] | None:
    """A score out of some total ("4 av 5", "åtta av tio", "2 out of 5", "0/10", "80 %",
    "femtio procent") as (score, total), or None."""
    folded = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    found = _RATING.search(folded)
    if found:
        score, total = _number(found.group(1)), _number(found.group(2))
    else:
        found = _PERCENT.search(folded)
        if not found:
            return None
        score, total = _number(found.group(1)), 100
    if score is None or total is None or not 0 <= score <= total or total < 2:
        return None
    if not found.group(0)[0].isdigit() and len(folded.split()) > 6:
        return None  # "hon är en av fem handläggare" is no rating
    return score, total


def map_scale(text: str, scale: Scale) -> str | None:
    norm = normalize(text)
    if not norm:
        return None
    top = len(scale.points)
    if scale.dont_know and norm in {normalize(p) for p in DONT_KNOW_PHRASES}:
        return DONT_KNOW
    rated = rating(text)
    if rated is not None and rated[1] == top and 1 <= rated[0] <= top and (
            len(norm.split()) <= 4 or re.search(r"\d", text)):
        return str(rated[0])  # "4 av 5", "4/5", "fyra av fem": at once; "8 av 10" is proposed
    if rated is not None and rated[1] in RATING_BASES:
        return None
    digits = set(re.findall(r"(?<!\d)(\d{1,2})(?!\d)", norm))
    if digits:
        in_range = {d for d in digits if 1 <= int(d) <= top}
        return str(int(_unique(in_range))) if _unique(in_range) and len(digits) == 1 else None
    words = norm.split()
    if len(words) <= 3:
        numbers = [w for w in words if w in NUMBER_WORDS]
        if len(numbers) > 1:  # "en fyra", "ett tvåa": the article is not a number
            numbers = [w for w in numbers if w not in ("en", "ett")]
        values = {NUMBER_WORDS[w] for w in numbers}
        article = numbers == ["en"] or numbers == ["ett"] == words[:1]  # "ett medelbetyg"
        if len(values) == 1 and (len(words) == 1 or not article):
            number = values.pop()
            if 1 <= number <= top:
                return str(number)
    # option labels, whole or in part ("ganska bra" -> "Stämmer ganska bra")
    labels: dict[str, set[str]] = {}
    for point in scale.points:
        for label in (point.label.sv, point.label.en or "", point.label.sv_lattlast or ""):
            if label:
                labels.setdefault(normalize(label), set()).add(str(point.value))
        for synonym in point.synonyms:
            labels.setdefault(normalize(synonym), set()).add(str(point.value))
    if norm in labels:
        return _unique(labels[norm])
    if len(norm) >= 4:
        partial = {
            value for label, values in labels.items() if _contains_words(label, norm)
            for value in values
        }
        return _unique(partial)
    return None


def _contains_words(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def _option_names(option: Option) -> list[str]:
    names = [option.id, option.label.sv, option.label.en or "", option.label.sv_lattlast or ""]
    return [n for n in (normalize(x) for x in names + option.synonyms) if n]


def _option_match(text: str, options: list[Option]) -> str | None:
    """The option the text names exactly (its number, id, a label or a synonym)."""
    norm = normalize(text)
    if not norm:
        return None
    if norm.isdigit() and 1 <= int(norm) <= len(options):
        return options[int(norm) - 1].id
    return _unique({o.id for o in options if norm in _option_names(o)})


def map_choice(text: str, question: Question) -> str | None:
    return _option_match(text, question.options)


def guess_choice(text: str, question: Question) -> str | None:
    """The one option whose words appear in the text, or the other way round (to confirm)."""
    norm = normalize(text)
    if len(norm) < 3:
        return None
    return _unique({
        o.id for o in question.options
        if any(_contains_words(name, norm) or _contains_words(norm, name)
               for name in _option_names(o))
    })


def map_multi(text: str, question: Question) -> str | None:
    parts = [p for p in re.split(r",|;|\boch\b|\band\b|\s\+\s", text) if p.strip()]
    chosen: list[str] = []
    for part in parts:
        option_id = _option_match(part, question.options)
        if option_id is None:
            return None
        if option_id not in chosen:
            chosen.append(option_id)
    order = [o.id for o in question.options]
    return ";".join(sorted(chosen, key=order.index)) if chosen else None


def map_yesno(text: str) -> str | None:
    norm = normalize(text)
    if norm in {normalize(w) for w in YES_WORDS}:
        return "ja"
    if norm in {normalize(w) for w in NO_WORDS}:
        return "nej"
    first = norm.split(" ", 1)[0] if norm else ""
    if first in {"ja", "jo", "japp", "yes", "yeah"}:
        return "ja"
    if first in {"nej", "nä", "na", "no", "nope"}:
        return "nej"
    return None


def button_payloads(question: Question, scale: Scale | None) -> list[str]:
    if question.type == QuestionType.scale and scale is not None:
        payloads = [str(p.value) for p in scale.points]
        return payloads + ([DONT_KNOW] if scale.dont_know else [])
    if question.type == QuestionType.yesno:
        return ["ja", "nej"]
    if question.type in (QuestionType.choice, QuestionType.multi):
        return [o.id for o in question.options]
    return []


# --- interpreting everyday words on an agreement scale ---------------------------------
# Phrases (normalised) and the point of a five-point agreement scale they stand for. A
# typed answer is interpreted only when every word in it is a known phrase or a filler
# word, and all phrases lean the same way; the engine then asks the person to confirm.
SCALE_PHRASES: dict[str, int] = {
    # 1: not at all
    "inte alls": 1, "verkligen inte": 1, "absolut inte": 1, "aldrig": 1, "nej aldrig": 1,
    "inte ett dugg": 1, "inte nagot alls": 1, "skit daligt": 1, "skitdaligt": 1,
    "jattedaligt": 1, "jatte daligt": 1, "mycket daligt": 1, "super daligt": 1,
    "fruktansvart": 1, "hemskt": 1, "katastrof": 1, "nej nej": 1, "nej verkligen inte": 1,
    "not at all": 1, "never": 1, "strongly disagree": 1, "very bad": 1, "terrible": 1,
    "definitely not": 1, "absolutely not": 1, "no way": 1, "helt fel": 1,
    "aldrig nagonsin": 1, "uselt": 1, "totally disagree": 1, "inte alls bra": 1,
    "haller inte alls med": 1, "instammer inte alls": 1,
    "noll": 1, "0": 1, "urdaligt": 1, "valdigt daligt": 1, "inte pa nagot satt": 1, "inte ens lite": 1, "not once": 1,
    "not even a little": 1, "not in any way": 1, "inte en enda gang": 1,
    "inte det minsta": 1, "inte pa langa vagar": 1, "langt ifran": 1, "lagsta betyget": 1,
    "inte en chans": 1, "mycket samre": 1, "not in the slightest": 1, "no chance": 1,
    "far from it": 1, "inte alls battre": 1, "absolut inte battre": 1, "glom det": 1,
    "ingalunda": 1, "nej ingalunda": 1, "extremt missnojd": 1, "mycket missnojd": 1,
    "valdigt missnojd": 1, "helt missnojd": 1, "icke": 1, "nada": 1, "under inga omstandigheter": 1,
    "varre gar inte": 1, "kunde inte varit samre": 1, "kunde inte vara samre": 1,
    "kunde inte ha varit samre": 1, "under all kritik": 1, "couldnt be worse": 1,
    # 2: mostly not
    "nej": 2, "inte riktigt": 2, "inte sa bra": 2, "inte sa mycket": 2, "inte bra": 2,
    "daligt": 2, "ganska daligt": 2, "ratt daligt": 2, "sallan": 2,
    "inte sarskilt": 2, "inte direkt": 2, "inte ofta": 2, "lite": 2, "nastan aldrig": 2,
    "no": 2, "not really": 2, "not much": 2, "bad": 2, "rarely": 2, "disagree": 2,
    "not so good": 2, "not very": 2, "mostly not": 2, "seldom": 2,
    "inte sa mycket bra": 2, "oftast inte": 2, "inte sa ofta": 2, "inte speciellt": 2,
    "inte sarskilt bra": 2, "hardly ever": 2, "nope": 2, "nix": 2, "under medel": 2,
    "mer nej an ja": 2, "more no than yes": 2, "not very well": 2, "below average": 2,
    "haller inte med": 2, "instammer inte": 2,
    "inte riktigt bra": 2, "inte jattebra": 2, "not that good": 2,
    "inte sa varst": 2, "inte jattemycket": 2, "knappt": 2, "inte mycket": 2, "samre": 2,
    "not that much": 2, "barely": 2, "nae": 2, "missnojd": 2, "inte nojd": 2, "inte sa nojd": 2,
    "bara lite": 2, "lite grann": 2, "inte vidare": 2, "inget vidare": 2,
    # 3: partly
    "delvis": 3, "halften": 3, "typ halften": 3, "sadar": 3, "sisadar": 3, "nja": 3,
    "ibland": 3, "mitt emellan": 3, "mittemellan": 3, "lagom": 3, "okej": 3, "ok": 3,
    "varken eller": 3, "mellan": 3, "sa dar": 3, "si sa dar": 3, "ja och nej": 3,
    "both": 3, "sometimes": 3, "partly": 3, "kind of": 3, "sort of": 3, "somewhat": 3,
    "half": 3, "so so": 3, "in between": 3, "meh": 3, "bade och": 3, "halvbra": 3,
    "ibland ja ibland nej": 3, "50 50": 3, "fifty fifty": 3, "neutral": 3, "half and half": 3,
    "jamnar ut sig": 3, "varken bra eller daligt": 3, "neither agree nor disagree": 3,
    "da och da": 3,
    "on and off": 3, "now and then": 3, "neither good nor bad": 3, "medel": 3, "average": 3,
    "halv halv": 3, "mitten": 3, "mja": 3, "till viss del": 3, "en del": 3, "beror pa": 3,
    "det beror pa": 3, "depends": 3, "it depends": 3, "inte helt fel": 3, "to some extent": 3,
    "inte alltid": 3, "not always": 3, "kommer an pa": 3, "bade ja och nej": 3,
    # 4: mostly
    "ja": 4, "ganska bra": 4, "bra": 4, "oftast": 4, "for det mesta": 4, "mestadels": 4,
    "ratt bra": 4, "mest": 4, "ofta": 4, "ganska": 4, "japp": 4, "jo": 4,
    "yes": 4, "mostly": 4, "good": 4, "often": 4, "agree": 4, "pretty good": 4,
    "yeah": 4, "usually": 4, "quite good": 4, "ja men inte alltid": 4, "nastan alltid": 4,
    "almost always": 4, "inte daligt": 4, "inte illa": 4, "not bad": 4, "inte perfekt": 4,
    "not perfect": 4, "mer ja an nej": 4, "more yes than no": 4, "over medel": 4,
    "haller med": 4, "instammer": 4,
    "det mesta": 4, "i stort sett": 4, "helt okej": 4, "inte sa tokigt": 4,
    "till stor del": 4, "can't complain": 4, "cant complain": 4, "for the most part": 4,
    "nojd": 4, "ganska nojd": 4, "ratt nojd": 4, "mer eller mindre": 4, "kan inte klaga": 4,
    "det vill jag pasta": 4, "jaa": 4, "jada": 4, "men oftast": 4, "but mostly": 4, "men for det mesta": 4,
    # 5: completely
    "helt": 5, "helt och hallet": 5, "absolut": 5, "ja absolut": 5, "alltid": 5,
    "jattebra": 5, "jatte bra": 5, "valdigt bra": 5, "mycket bra": 5, "toppen": 5, "perfekt": 5,
    "verkligen": 5, "ja verkligen": 5, "super": 5, "superbra": 5, "helt klart": 5,
    "javisst": 5, "definitivt": 5, "utmarkt": 5, "kanon": 5, "asbra": 5, "grymt": 5,
    "always": 5, "totally": 5, "completely": 5, "absolutely": 5, "very good": 5,
    "strongly agree": 5, "totally agree": 5, "definitely": 5, "excellent": 5, "great": 5,
    "fully": 5, "perfect": 5, "precis": 5, "100": 5, "10 av 10": 5, "sjalvklart": 5,
    "of course": 5, "very much so": 5, "couldnt agree more": 5, "could not agree more": 5,
    "haller helt med": 5, "instammer helt": 5,
    "kunde inte vara battre": 5, "kunde inte stamma battre": 5, "utan tvekan": 5,
    "till hundra procent": 5, "hundra procent": 5, "till hundra": 5, "till fullo": 5,
    "fullstandigt": 5, "varenda gang": 5, "varje gang": 5, "couldnt be better": 5,
    "could not be better": 5, "for sure": 5, "without a doubt": 5, "every single time": 5,
    "tveklost": 5, "i allra hogsta grad": 5, "helt ratt": 5, "i hogsta grad": 5,
    "utan minsta tvekan": 5, "mycket nojd": 5, "valdigt nojd": 5, "supernojd": 5,
    "jattenojd": 5, "helt nojd": 5, "kunde inte varit battre": 5, "kunde inte ha varit battre": 5,
    "battre gar inte": 5, "battre kan det inte bli": 5, "det kan inte bli battre": 5,
    "klockrent": 5, "mer an nojd": 5, "cant be better": 5, "couldnt have been better": 5,
}
# Phrases that say how much rather than which way when another phrase gives the direction:
# "mostly disagree" is 2, "disagree completely" 1, "helt bra" 5, "mest dåligt" 2.
DEGREES = {
    "mostly": "mild", "mest": "mild", "for det mesta": "mild", "mestadels": "mild",
    "oftast": "mild", "ganska": "mild", "somewhat": "mild", "usually": "mild", "ofta": "mild",
    "often": "mild", "helt": "strong", "completely": "strong", "totally": "strong",
    "verkligen": "strong", "fully": "strong", "absolut": "strong", "definitely": "strong",
    "alltid": "strong", "always": "strong", "absolutely": "strong", "super": "strong",
}
FILLERS = {
    "typ", "asså", "assa", "alltså", "altsa", "liksom", "ba", "bara", "det", "den", "de",
    "ar", "jag", "tycker", "tror", "nog", "val", "stammer", "det stammer", "skulle", "saga",
    "i", "am", "it", "is", "i'd", "say", "think", "would", "pretty", "true", "men", "ju",
    "hmm", "hm", "eh", "mmm", "tja", "nja", "faktiskt", "ehh", "om", "sanningen", "ska",
    "sagas", "mig", "mej", "for", "pa", "personalen", "handlaggaren", "they", "the", "staff",
    "yes", "a", "bit", "lite", "mycket", "och", "gor", "dom", "dem", "oss", "hon", "han",
    "min", "mitt", "mina", "handlaggare", "hos", "er", "ni", "nog", "val", "so", "but",
    "overlag", "annars", "egentligen", "har", "varit", "vara", "otherwise", "overall",
    "heller", "either",  # "inte dåligt men inte bra heller": 4 and 2, the middle
    "totalt", "sett", "sammantaget",  # "så totalt sett mitt emellan"
}
# common misspellings of scale words, read as the word they stand for
ALIASES = {"int": "inte", "inge": "inte", "als": "alls", "dalig": "daligt", "dalit": "daligt", "gansk": "ganska",
           "ganka": "ganska", "gnska": "ganska", "stammmer": "stammer", "stamer": "stammer"}
EMOJI = {
    "👍👍": 5, "😍": 5, "🥰": 5, "😁": 5, "😀": 5, "😃": 5, "❤️": 5, "❤": 5, "💯": 5,
    "🙌": 5, "👌": 4, "👍": 4, "😊": 4, "🙂": 4, "😌": 4,
    "😐": 3, "😶": 3, "🫤": 3, "😑": 3,
    "🙁": 2, "😕": 2, "😟": 2, "😞": 2, "👎": 2, "😔": 2,
    "😡": 1, "😠": 1, "😭": 1, "😢": 1, "👎👎": 1, "🤬": 1,
}
# filler words that are phrases too: only fillers when something else carries the meaning
_FILLER_PHRASES = {"lite", "mycket", "yes", "nja"}


def _correct(token: str) -> str:
    """A known scale word for a misspelt one ("dalit" -> "daligt"), else the token."""
    if token in ALIASES:
        return ALIASES[token]
    if token in _VOCABULARY or len(token) < 4 or token.isdigit():
        return token
    close = difflib.get_close_matches(token, _VOCABULARY, n=1, cutoff=0.84)
    return close[0] if close else token


def interpret_scale(text: str) -> str | None:
    """An everyday answer on a five-point agreement scale ("1"-"5" or "dk"), or None."""
    stripped = re.sub(r"\s+", "", text).replace("\ufe0f", "")
    if stripped in ("🤷", "🤷‍♀", "🤷‍♂"):
        return DONT_KNOW
    for emoji in sorted(EMOJI, key=len, reverse=True):
        if stripped and stripped == emoji.replace("\ufe0f", ""):
            return str(EMOJI[emoji])
    rated = rating(text)
    if rated is not None and rated[1] in RATING_BASES:
        # "åtta av tio", "0/10", "80 procent": the same share of five (to confirm)
        score, total = rated
        return str(max(score, 1)) if total == 5 else str(int(1 + 4 * score / total + 0.5))
    emoji_values = {v for e, v in EMOJI.items() if e in text}
    norm = normalize(text.replace("/", " ").replace("%", " "))
    if norm in {normalize(p) for p in DONT_KNOW_PHRASES}:
        return DONT_KNOW
    tokens = [_correct(t) for t in norm.replace("-", " ").split()]
    values: list[int] = []
    degrees: list[str] = []
    negated = False  # after "inte direkt", "verkligen inte", "not very": the next good word
    index = 0
    while index < len(tokens):
        for size in range(min(_LONGEST, len(tokens) - index), 0, -1):
            phrase = " ".join(tokens[index:index + size])
            if phrase in SCALE_PHRASES and not (size == 1 and phrase in _FILLER_PHRASES
                                                 and len(tokens) > 1):
                value = SCALE_PHRASES[phrase]
                negation = bool({"inte", "not"} & set(phrase.split()))
                if phrase in DEGREES and len(tokens) > size:
                    degrees.append(phrase)
                elif not (negated and value >= 4 and not negation):
                    values.append(value)  # "inte direkt bra" is 2, not 2 and 4
                negated = value <= 2 and negation
                index += size
                break
        else:
            if tokens[index] in FILLERS:
                index, negated = index + 1, False  # "inte riktigt, men bra": both ways
                continue
            return None
    values += sorted(emoji_values)
    if not values:
        values = [SCALE_PHRASES[d] for d in degrees]  # "mostly", "helt": a degree alone
        degrees = []
    if not values:
        return None
    strong = any(DEGREES[d] == "strong" for d in degrees)
    if all(v <= 2 for v in values):
        return "1" if strong else str(min(values))
    if all(v >= 4 for v in values):
        return "5" if strong else str(max(values))
    # "lite ja lite nej", "bra och dåligt": leaning both ways is the middle (confirmed later)
    return "3" if all(v == 3 for v in values) or (min(values) <= 2 and max(values) >= 4) else None


_LONGEST = max(len(p.split()) for p in SCALE_PHRASES)
_VOCABULARY = sorted({w for p in SCALE_PHRASES for w in p.split()} | FILLERS)
# What a plain answer is made of: whole scale phrases, yes/no and don't-know phrases,
# numbers and ratings, and a few words that carry nothing ("typ", "asså", "stämmer").
# A message of these only names a value; anything more ("nej, jag kan inte mer", "det är
# helt fel på mig") may say something else, and the model reads it too.
_INTERJECTIONS = {
    "typ", "assa", "asså", "alltsa", "altsa", "liksom", "ba", "hmm", "hm", "eh", "ehh", "mmm",
    "tja", "faktiskt", "ju", "nog", "val", "och", "men", "but", "so", "well", "stammer",
}
_PLAIN_PHRASES = frozenset(
    set(SCALE_PHRASES) | set(RATING_WORDS) | _INTERJECTIONS | set(ALIASES)
    | {normalize(w) for w in YES_WORDS | NO_WORDS | DONT_KNOW_PHRASES}
    | {"av", "utav", "of", "out of", "procent", "percent"}
)
_PLAIN_LONGEST = max(len(p.split()) for p in _PLAIN_PHRASES)


def only_answer_words(text: str) -> bool:
    """True when the text is made of whole answer phrases only (digits included), at
    least one: "ganska bra", "ja gärna", "4 av 5", "nja, sådär 👍", "stämmer helt"."""
    words = normalize(text.replace("/", " ").replace("%", " ")).replace("-", " ").split()
    index = 0
    while index < len(words):
        if words[index].isdigit():
            index += 1
            continue
        for size in range(min(_PLAIN_LONGEST, len(words) - index), 0, -1):
            if " ".join(words[index:index + size]) in _PLAIN_PHRASES:
                index += size
                break
        else:
            return False
    return bool(words)
