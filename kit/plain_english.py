"""A plain-English check for text the public will read, before it is published.

``check_wording(text)`` measures a text and lists what to look at:

* **Reading age**: the Flesch-Kincaid grade level (a US school grade), plus
  5 for the age a child in that grade is, as the UK usually states it. GOV.UK
  aims for a reading age of 9. The Flesch reading ease (0 to 100, higher is
  easier; the formula can go beyond both ends, so it is kept within them) is
  given too. Both come from the textstat library, not from a
  formula of ours.
* **Long sentences**: more than 25 words.
* **Passive phrases**: a heuristic, not grammar: a form of "to be" followed
  (perhaps after a word such as "not" or "being") by a past participle, that
  is a word ending in -ed or a common irregular one ("was approved", "are
  being reviewed", "has been written"). It finds most passives and a few
  adjectives ("is closed").
* **Abbreviations and jargon** from the project's word list
  (``kit/jargon.txt``, the one list: the pages' acronyms, written out at first
  use by ``kit/templatetags/plain_english.py``, are read from it too), with
  what to write instead. An abbreviation counts as
  explained when the text spells out what it stands for anywhere. Any other
  abbreviation (two or more capitals) counts as explained when the text puts
  it in brackets next to its meaning.

Forms whose text goes public mix in ``PlainEnglishFormMixin``: when a save
publishes text, the form checks it, asks for the box "Publish anyway: I have
checked the wording" to be ticked when the reading age is above
``settings.PLAIN_ENGLISH_MAX_READING_AGE``, and adds "reading age N" to the
history reason.

Text is read as prose: each line is a sentence of its own (a list item, say)
and web addresses count as one short word. Syllables are counted with
Pyphen's British English hyphenation patterns (textstat's fallback), not the
pronouncing dictionary textstat would download from the internet at the first
check for a language it names ``en`` or ``en_*``. Hyphenation counts slightly
fewer syllables than a pronouncing dictionary, so scores read a little easier
than tools that use one.
"""

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crispy_forms_gds.layout import Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# "en-GB", not "en_GB": textstat takes the language's root from before an
# underscore, and for the root "en" it loads NLTK's pronouncing dictionary,
# downloading it from the internet on first use. "en-GB" keeps it to Pyphen's
# British English patterns and textstat's English constants, with no download.
LANGUAGE = "en-GB"
LONG_SENTENCE_WORDS = 25
WORD_LIST = Path(__file__).with_name("jargon.txt")


@cache
def _calculator():
    """textstat's calculator for British English, imported on first use (NLTK is slow to load)."""
    from textstat.textstat import textstatistics

    calculator = textstatistics()
    calculator.set_lang(LANGUAGE)
    return calculator


# The word list


@dataclass(frozen=True)
class Abbreviation:
    spellings: tuple  # as written in text: "SENCO", "SENCo"
    meanings: tuple  # what it stands for: any of these in the text explains it
    # For the pages (kit/templatetags/plain_english.py), which write out at first use
    # each abbreviation that names its glossary entry:
    glossary: str = ""  # the glossary entry's anchor: "send"
    plural: str = ""  # what the plural stands for: "integrated care boards"
    proper: bool = False  # the words are a name, kept as written: "Department for Education"


@dataclass(frozen=True)
class Jargon:
    forms: tuple  # "co-production", "coproduction"...
    advice: str


@dataclass(frozen=True)
class WordList:
    abbreviations: tuple
    well_known: frozenset
    jargon: tuple


def _split(text, separator):
    return tuple(part.strip() for part in text.split(separator) if part.strip())


_ANCHOR = re.compile(r"[a-z][a-z0-9-]*")


def _page_options(text, where):
    """The options after "|" on an abbreviation's line: glossary, plural, name."""
    options = {}
    for option in _split(text, "|"):
        key, colon, value = (part.strip() for part in option.partition(":"))
        key = key.lower()
        if key == "name" and not colon:
            options["proper"] = True
        elif key == "glossary" and _ANCHOR.fullmatch(value):
            options["glossary"] = value
        elif key == "plural" and value:
            options["plural"] = value
        else:
            raise ImproperlyConfigured(
                f"{where}: after “|” write “glossary: anchor”, “plural: words” or “name”"
            )
    if options and not options.get("glossary"):
        raise ImproperlyConfigured(f"{where}: “plural” and “name” need a “glossary: anchor”")
    return options


def parse_word_list(text, *, source="the word list"):
    """Read the word list's sections; a line that does not fit raises ImproperlyConfigured."""
    abbreviations, well_known, jargon = [], set(), []
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}, line {number}"
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section not in ("abbreviations", "well known", "jargon"):
                raise ImproperlyConfigured(f"{where}: unknown section [{section}]")
            continue
        if section is None:
            raise ImproperlyConfigured(f"{where}: put words under a section such as [jargon]")
        if section == "well known":
            well_known.update(_split(line, ","))
            continue
        words, equals, advice = line.partition("=")
        names, advice = _split(words, ","), advice.strip()
        options = {}
        if section == "abbreviations":
            advice, _bar, rest = advice.partition("|")
            advice = advice.strip()
            options = _page_options(rest, where)
        if not equals or not names or not advice:
            raise ImproperlyConfigured(f"{where}: write it as “words = advice”")
        if section == "abbreviations":
            if any(sum(c.isupper() for c in name) < 2 for name in names):
                raise ImproperlyConfigured(f"{where}: an abbreviation needs 2 or more capitals")
            abbreviations.append(Abbreviation(names, _split(advice, ";"), **options))
        else:
            jargon.append(Jargon(names, advice))
    return WordList(tuple(abbreviations), frozenset(well_known), tuple(jargon))


@cache
def word_list():
    return parse_word_list(WORD_LIST.read_text(encoding="utf-8"), source=WORD_LIST.name)


# Reading the text


# Web and email addresses, matched only from the start of a run of non-spaces (linear time).
_URL = re.compile(r"(?<!\S)[(\[<“\"']?(?:(?:https?://|www\.)\S+|[^\s@]+@\S+)", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")


def prose(text):
    """The text as sentences: a line without a full stop (a list item) ends a sentence too."""
    text = _URL.sub("link", text or "")
    lines = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        if line[-1] not in ".!?:;":
            line += "."
        lines.append(line)
    return " ".join(lines)


def sentences(text):
    return [part.strip() for part in _SENTENCE_END.split(prose(text)) if part.strip()]


def _normalise(text):
    """Lower case, letters and digits only, single spaces: for comparing wordings."""
    text = text.lower().replace("’", "'").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_BE = r"(?:am|is|are|was|were|be|been|being)"
_BETWEEN = (
    r"(?:not|also|now|already|still|often|then|all|fully|partly|recently|just|currently|never|"
    r"always|usually|being|further|regularly|newly|well|badly|clearly|widely|only|quickly|soon)"
)
# Common irregular past participles, and words ending in -ed that are not past
# participles or are feelings rather than actions.
_IRREGULAR = (
    "arisen awoken beaten become begun bent bitten blown born borne bought bound broken brought "
    "built burnt caught chosen cut dealt done drawn driven eaten fallen felt fought found "
    "forbidden forgiven forgotten frozen given grown heard held hidden hit hurt kept known laid "
    "led left lent lost made meant met overseen overtaken paid put read rebuilt rewritten run "
    "said seen sent set shaken shot shown shut sold sought spent spoken spread stolen struck "
    "stuck taken taught thought thrown told torn understood undertaken upheld withdrawn won "
    "worn written"
)
_NOT_PARTICIPLE = (
    "bed red shed need seed feed speed breed greed hundred kindred sacred naked wicked ragged "
    "rugged beloved indeed aged interested worried concerned pleased delighted excited tired "
    "bored scared prepared married"
)
_NOT_PARTICIPLES = frozenset(_NOT_PARTICIPLE.split())
_PASSIVE = re.compile(
    rf"\b{_BE}(?:\s+{_BETWEEN}){{0,2}}\s+(?P<participle>[a-z]{{2,}}ed|{'|'.join(_IRREGULAR.split())})\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\b[A-Za-z]+\b")


def passive_phrases(text):
    """Phrases that look passive ("was approved"), in order, each once. A heuristic."""
    found = []
    for match in _PASSIVE.finditer(prose(text)):
        if match.group("participle").lower() in _NOT_PARTICIPLES:
            continue
        phrase = " ".join(match.group(0).split())
        if phrase.lower() not in (seen.lower() for seen in found):
            found.append(phrase)
    return found


@dataclass(frozen=True)
class Term:
    """An abbreviation or piece of jargon found in the text, and what to do about it."""

    term: str
    advice: str
    count: int
    is_abbreviation: bool


def _word_pattern(spelling, *, ignore_case):
    if ignore_case:
        return re.compile(rf"(?<![\w-]){re.escape(spelling)}s?(?![\w-])", re.IGNORECASE)
    # "SEND-related" uses SEND.
    return re.compile(rf"(?<!\w){re.escape(spelling)}s?(?!\w)")


def terms_to_explain(text):
    """Unexplained abbreviations, then jargon, each once with how often it appears."""
    text = _URL.sub("link", text or "")
    plain = _normalise(text)
    words = word_list()
    found = []
    listed = set()
    for abbreviation in words.abbreviations:
        listed.update(abbreviation.spellings)
        count = sum(
            len(_word_pattern(spelling, ignore_case=False).findall(text))
            for spelling in abbreviation.spellings
        )
        if not count:
            continue
        meanings = [_normalise(meaning) for meaning in abbreviation.meanings]
        if any(f" {meaning} " in f" {plain} " for meaning in meanings):
            continue
        found.append(
            Term(
                abbreviation.spellings[0],
                f"Spell it out at first use: {abbreviation.meanings[0]} "
                f"({abbreviation.spellings[0]})",
                count,
                True,
            )
        )
    unknown = {}
    for match in _WORD.finditer(text):
        word = match.group(0)
        capitals = sum(c.isupper() for c in word)
        if capitals < 2 or capitals * 2 < len(word):
            continue  # a word, or a name such as McDonald, not an abbreviation
        base = word[:-1] if word.endswith("s") and word[:-1] in listed else word
        if base in listed or base in words.well_known or base.rstrip("s") in words.well_known:
            continue
        unknown[base] = unknown.get(base, 0) + 1
    for word, count in unknown.items():
        # "speech and language therapy (SALT)" or "SALT (speech and language therapy)"
        after = re.search(rf"\w\W*\(\s*{re.escape(word)}s?\s*\)", text)
        before = re.search(rf"(?<!\w){re.escape(word)}s?\s*\(\s*\w", text)
        if not (after or before):
            found.append(
                Term(
                    word,
                    "Spell it out at first use, with the abbreviation in brackets after it",
                    count,
                    True,
                )
            )
    for jargon in words.jargon:
        count = sum(
            len(_word_pattern(form, ignore_case=True).findall(text)) for form in jargon.forms
        )
        if count:
            found.append(Term(jargon.forms[0], jargon.advice, count, False))
    return found


# The check


def max_reading_age():
    return settings.PLAIN_ENGLISH_MAX_READING_AGE


@dataclass(frozen=True)
class LongSentence:
    text: str
    words: int


@dataclass(frozen=True)
class WordingCheck:
    """What the check found in one text."""

    words: int
    grade: float  # Flesch-Kincaid grade level
    reading_ease: float  # Flesch reading ease, kept within 0 to 100
    reading_age: int  # the grade plus 5, as a whole number of years
    level: int  # the highest reading age that needs no confirmation
    long_sentences: tuple
    passive: tuple
    terms: tuple

    @property
    def above_level(self):
        return self.reading_age > self.level

    @property
    def things_to_look_at(self):
        return len(self.long_sentences) + len(self.passive) + len(self.terms)

    def summary(self, name="The text"):
        """A plain sentence or two for a message: "The text has a reading age of 9, ..."."""
        limit = "above" if self.above_level else "within"
        first = (
            f"{name} has a reading age of {self.reading_age}, {limit} the limit of {self.level}."
        )
        parts = []
        for count, one, many in (
            (len(self.long_sentences), "long sentence", "long sentences"),
            (len(self.passive), "passive phrase", "passive phrases"),
            (len(self.terms), "word to explain or replace", "words to explain or replace"),
        ):
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        if not parts:
            return first
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        return f"{first} To look at: {listed}."


def check_wording(text, *, level=None):
    """Check ``text``; None when it has no words."""
    calculator = _calculator()
    body = prose(text)
    words = calculator.lexicon_count(body) if body else 0
    if not words:
        return None
    grade = calculator.flesch_kincaid_grade(body)
    long_sentences = []
    for sentence in sentences(text):
        count = calculator.lexicon_count(sentence)
        if count > LONG_SENTENCE_WORDS:
            long_sentences.append(LongSentence(sentence, count))
    return WordingCheck(
        words=words,
        grade=round(grade, 1),
        reading_ease=round(min(max(calculator.flesch_reading_ease(body), 0.0), 100.0), 1),
        reading_age=math.floor(max(grade, 0) + 5 + 0.5),
        level=max_reading_age() if level is None else level,
        long_sentences=tuple(long_sentences),
        passive=tuple(passive_phrases(text)),
        terms=tuple(terms_to_explain(text)),
    )


@dataclass(frozen=True)
class CheckedText:
    """A check with the name of the text it is about, for pages and messages."""

    name: str  # "the summary for families"
    field: str  # the form field, or ""
    check: WordingCheck

    @property
    def label(self):
        return f"{self.name[0].upper()}{self.name[1:]}"


def history_note(checked, *, confirmed=False):
    """'reading age N' (the highest of the texts) for the history reason, or ''."""
    if not checked:
        return ""
    highest = max(checked, key=lambda item: item.check.reading_age).check
    note = f"reading age {highest.reading_age}"
    if highest.above_level and confirmed:
        note += f", above {highest.level}: published after checking the wording"
    return note


def with_note(reason, note):
    return f"{reason}; {note}" if note else reason


# Forms


CONFIRM_FIELD = "confirm_wording"
CONFIRM_LABEL = "Publish anyway: I have checked the wording"


def confirm_field(*, required, hint=""):
    return forms.BooleanField(
        label=CONFIRM_LABEL,
        required=required,
        help_text=hint,
        error_messages={"required": "Confirm you have checked the wording before publishing"},
    )


class PlainEnglishFormMixin:
    """A record form whose text the public reads: check it whenever a save publishes it.

    ``plain_english_fields`` maps each public text field to what messages call
    it ("the summary for families"). ``text_is_public(values)`` says whether
    the record, with these field values, shows its text to the public. A save
    publishes text when it makes the record public or changes the text of a
    public one; then ``wording_checks`` holds the checks, the page shows them,
    and a reading age above the level needs the confirmation box ticked (the
    box appears only then). The history reason gets "reading age N".
    Put the mixin before the form base: ``class PlanForm(PlainEnglishFormMixin, RecordForm)``.
    A plain form (no ``instance``) makes something new, so any public text it has is checked.
    """

    plain_english_fields = {}

    def text_is_public(self, values):
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wording_checks = []
        self.wording_needs_confirmation = False
        self.wording_confirmed = False
        field = confirm_field(required=False)
        fields = dict(self.fields)
        self.fields.clear()
        for name, existing in fields.items():
            if name == "change_reason":
                self.fields[CONFIRM_FIELD] = field
            self.fields[name] = existing
        self.fields.setdefault(CONFIRM_FIELD, field)

    def _publishes_text(self, cleaned):
        if not self.text_is_public(cleaned):
            return False
        instance = getattr(self, "instance", None)  # a plain form makes something new
        if instance is None or instance.pk is None or not self.text_is_public(self.initial):
            return True
        return any(name in self.changed_data for name in self.plain_english_fields)

    def clean(self):
        cleaned = super().clean()
        if not self._publishes_text(cleaned):
            return cleaned
        for name, what in self.plain_english_fields.items():
            check = check_wording(cleaned.get(name) or "")
            if check is not None:
                self.wording_checks.append(CheckedText(what, name, check))
        above = [item for item in self.wording_checks if item.check.above_level]
        if not above:
            return cleaned
        self.wording_needs_confirmation = True
        self.fields[CONFIRM_FIELD].help_text = (
            "Tick this only if the wording cannot be simpler, for example when it quotes "
            "someone’s own words."
        )
        if cleaned.get(CONFIRM_FIELD):
            self.wording_confirmed = True
            return cleaned
        for item in above:
            if item.field not in self.errors:
                self.add_error(
                    item.field,
                    f"{item.label} has a reading age of {item.check.reading_age}, above the "
                    f"limit of {item.check.level}. Make it simpler, or tick “{CONFIRM_LABEL}”",
                )
        return cleaned

    def build_helper(self):
        helper = super().build_helper()
        if not self.wording_needs_confirmation:
            helper.layout = Layout(
                *(
                    item
                    for item in helper.layout.fields
                    if CONFIRM_FIELD not in getattr(item, "fields", ())
                )
            )
        return helper

    def reason(self, default):
        note = history_note(self.wording_checks, confirmed=self.wording_confirmed)
        base = getattr(super(), "reason", None)  # a plain form has no reason field
        return with_note(base(default) if base else default, note)
