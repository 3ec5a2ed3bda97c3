"""Plain English on the page: acronyms explained at first use, jargon linked, sources named.

The words live in the lowest layer, so any page (and any check of what an
officer writes) can use them: ``ACRONYMS``, read from ``kit/jargon.txt`` (the
word list the plain-English check reads, so a word is added in one place:
each abbreviation there that names a glossary entry), are written out in
full the first time a page uses them ("special educational needs and
disabilities (SEND)"), with a link to the glossary entry; ``PHRASES`` are
words a parent may not know ("Improvement Notice", "Local Offer"), linked to
the glossary the first time a page uses them. Later uses are left as they are.
The glossary page (``public:glossary``, reached by its URL name) defines every
entry named here.

In a template::

    {% load plain_english %}
    {% explain_terms %}
      ... the page's content, written and shown as usual ...
    {% endexplain_terms %}

rewrites the rendered HTML between the tags: the first use on the page of
each acronym, wherever it comes from (the template's own words or a record's
text), becomes its expansion and a link. ``{% term "SEND" %}`` does the same
for one word outside such a block (and writes the bare word inside one, for
the block to explain). What has been explained is remembered for the whole
render, so a page explains each word once however many blocks and includes it
has, and the same page always reads the same (it can be cached whole).

Headings, captions and status tags are left short, as they are: a word is
explained at its first use in the text. Where a link cannot go (inside a
link, a button or a navigation menu) an acronym is written out without a
link and without counting as explained, so its next use gets the link;
jargon is linked only where a link can go, and not right after another
link (two links side by side read as one). Inside the glossary's own entry
for a word (an element whose id is the word's anchor) it is written out
without a link to itself. Nothing is changed inside scripts, styles, code,
SVG, or an element marked ``data-plain-english="off"`` (text quoted as it
is, such as the open data's example values).

``describe_source`` (and the ``describe_source`` and ``source_link``
filters) turns a source line, an address or a file name, into words a
parent can read: "Ofsted report (files.ofsted.gov.uk)", "Worcs WSOA version
1.0 (PDF)".
"""

import functools
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from kit.plain_english import word_list

register = template.Library()


# The word list


@dataclass(frozen=True)
class Acronym:
    """An acronym, its words in full, and its glossary entry.

    ``plural`` is the words for the acronym with an "s" ("CCGs"); ``variants``
    are other spellings of the same acronym ("WSoA"). ``proper`` keeps the
    words as written (a name: "Department for Education"); other expansions
    start with a capital only at the start of a sentence.
    """

    short: str
    long: str
    anchor: str
    plural: str = ""
    variants: tuple = ()
    also_written: tuple = ()
    proper: bool = False

    @property
    def forms(self):
        """Each way the acronym is written, with the words it stands for."""
        forms = [(self.short, self.long)]
        forms += [(variant, self.long) for variant in self.variants]
        if self.plural:
            forms += [(f"{short}s", self.plural) for short in (self.short, *self.variants)]
        return forms


@dataclass(frozen=True)
class Phrase:
    """Words that need explaining, linked to their glossary entry at first use."""

    anchor: str
    phrases: tuple = field(default_factory=tuple)


def acronyms_from(words):
    """The acronyms the pages write out: each abbreviation of the word list that names its
    glossary entry, with its first spelling and first wording."""
    return tuple(
        Acronym(
            abbreviation.spellings[0],
            abbreviation.meanings[0],
            abbreviation.glossary,
            plural=abbreviation.plural,
            variants=abbreviation.spellings[1:],
            also_written=abbreviation.meanings[1:],
            proper=abbreviation.proper,
        )
        for abbreviation in words.abbreviations
        if abbreviation.glossary
    )


# Read from kit/jargon.txt, the one list the plain-English check reads too.
ACRONYMS = acronyms_from(word_list())

PHRASES = (
    Phrase(
        "accelerated-progress-plan", ("accelerated progress plan", "accelerated progress plans")
    ),
    Phrase("area-for-improvement", ("area for improvement", "areas for improvement")),
    Phrase("area-for-priority-action", ("area for priority action", "areas for priority action")),
    Phrase(
        "area-of-significant-weakness",
        ("area of significant weakness", "areas of significant weakness"),
    ),
    Phrase(
        "area-send-inspection",
        (
            "area SEND inspection",
            "area SEND inspections",
            "joint local area SEND inspection",
            "joint local area SEND inspections",
            "local area SEND inspection",
            "local area SEND inspections",
        ),
    ),
    Phrase("co-production", ("co-production", "coproduction", "co-produced", "co-producing")),
    Phrase(
        "ehc-needs-assessment",
        (
            "EHC needs assessment",
            "EHC needs assessments",
            "education, health and care needs assessment",
            "education, health and care needs assessments",
        ),
    ),
    Phrase("ehc-plan", ("education, health and care plan", "education, health and care plans")),
    Phrase("graduated-approach", ("graduated approach",)),
    Phrase("improvement-board", ("improvement board", "improvement boards")),
    Phrase("improvement-notice", ("Improvement Notice", "Improvement Notices")),
    Phrase("local-area-partnership", ("local area partnership", "local area partnerships")),
    Phrase("local-offer", ("Local Offer",)),
    Phrase("monitoring-inspection", ("monitoring inspection", "monitoring inspections")),
    Phrase("nhs-england", ("NHS England",)),
    Phrase("ofsted", ("Ofsted",)),
    Phrase("parent-carer-forum", ("parent carer forum", "parent carer forums")),
    Phrase("priority-action-plan", ("priority action plan", "priority action plans")),
    Phrase("revisit", ("revisit", "revisits")),
    Phrase("send-commissioner", ("SEND commissioner", "SEND commissioners")),
    Phrase("statutory-direction", ("statutory direction", "statutory directions")),
    Phrase("strategic-plan", ("strategic plan", "strategic plans")),
    Phrase("wsoa", ("written statement of action", "written statements of action")),
    Phrase("you-said-we-did", ("You said, we did",)),
)

# A proper name that happens to contain an acronym: left exactly as it is.
NAMES = ("SEND Improvement Portal",)

GLOSSARY_URL_NAME = "public:glossary"


def glossary_anchors():
    """Every glossary entry the word list links to."""
    return {a.anchor for a in ACRONYMS} | {p.anchor for p in PHRASES}


def _words(text):
    """A regular expression for ``text`` that allows any run of white space between words."""
    return r"\s+".join(re.escape(word) for word in text.split())


def _normal(text):
    return " ".join(text.split()).casefold()


# Each way a word can be written, to what it is: acronyms are matched exactly
# (so "send" and "SEN2" are left alone); phrases and the words of an acronym
# in any case, and only as whole words.
_ACRONYM_BY_FORM = {}
_EXPANDED = []  # (words, short form): "words (ACRONYM)" already written out in the text
for _acronym in ACRONYMS:
    for _short, _long in _acronym.forms:
        _ACRONYM_BY_FORM[_short] = (_acronym, _long)
        for _words_written in (_long, *_acronym.also_written):
            _EXPANDED.append((_words_written, _short))
_PHRASE_BY_TEXT = {_normal(text): phrase for phrase in PHRASES for text in phrase.phrases}

_ALTERNATIVES = [(name, re.escape(name)) for name in NAMES]
_ALTERNATIVES += [
    (f"{words} ({short})", rf"(?i:{_words(words)})\s*\(\s*{re.escape(short)}\s*\)")
    for words, short in _EXPANDED
]
_ALTERNATIVES += [(text, f"(?i:{_words(text)})") for text in _PHRASE_BY_TEXT]
_ALTERNATIVES += [(short, re.escape(short)) for short in _ACRONYM_BY_FORM]
# Longest first, so "SEND commissioner" is found before "SEND".
_ALTERNATIVES.sort(key=lambda pair: -len(pair[0]))


def _by_first_letter(alternatives):
    """One alternation, grouped by each word's first letter behind a look-ahead.

    A page is mostly text with none of the words in it. Grouped like this, the
    expression rejects a place where no word starts in one step instead of
    trying every alternative there (a long page reads several times faster),
    and finds exactly what the plain alternation finds: each group keeps the
    longest-first order, and only words starting with the same letter can
    match at the same place.
    """
    groups = {}
    for text, pattern in alternatives:
        first = text[0]
        # Phrases and written-out words match in any case; acronyms and names exactly.
        letters = {first.lower(), first.upper()} if pattern.startswith("(?i:") else {first}
        group = groups.setdefault(first.lower(), ([], set()))
        group[0].append(pattern)
        group[1].update(letters)
    return "|".join(
        "(?=[" + "".join(sorted(re.escape(c) for c in letters)) + "])(?:" + "|".join(patterns) + ")"
        for patterns, letters in groups.values()
    )


_FIRST_LETTERS = "".join(
    sorted({c for text, _ in _ALTERNATIVES for c in (text[0].lower(), text[0].upper())})
)
WORDS = re.compile(
    rf"(?=[{re.escape(_FIRST_LETTERS)}])(?<![\w&#-])(?:"
    + _by_first_letter(_ALTERNATIVES)
    + r")(?![\w-])"
)
_EXPANDED_FORM = re.compile(r"\(\s*([A-Za-z]+)\s*\)$")
_ACRONYMS_ONLY = re.compile(
    r"(?<![\w&#-])(?:"
    + "|".join(re.escape(s) for s in sorted(_ACRONYM_BY_FORM, key=len, reverse=True))
    + r")(?![\w-])"
)


@functools.lru_cache(maxsize=1024)
def _what(matched):
    """What a match is: ('name'|'expanded'|'phrase'|'acronym', thing, words)."""
    if matched in NAMES:
        return "name", None, None
    if matched in _ACRONYM_BY_FORM:
        acronym, words = _ACRONYM_BY_FORM[matched]
        return "acronym", acronym, words
    expanded = _EXPANDED_FORM.search(matched)
    if expanded and expanded.group(1) in _ACRONYM_BY_FORM:
        acronym, words = _ACRONYM_BY_FORM[expanded.group(1)]
        return "expanded", acronym, words
    return "phrase", _PHRASE_BY_TEXT[_normal(matched)], None


@functools.lru_cache(maxsize=1024)
def _keys(matched):
    """What explaining ``matched`` would mark explained (nothing for a name)."""
    kind, thing, _ = _what(matched)
    if kind == "name":
        return ()
    if kind == "phrase":
        inner = [_ACRONYM_BY_FORM[a][0] for a in _ACRONYMS_ONLY.findall(matched)]
        return (("phrase", thing.anchor), *(("acronym", a.short) for a in inner))
    return (("acronym", thing.short),)


# What has been explained on the page being rendered


class _Page:
    """What one render has explained so far, shared by every block and include in it."""

    def __init__(self):
        self.explained = set()
        self.depth = 0
        self._url = None

    @property
    def url(self):
        if self._url is None:
            self._url = reverse(GLOSSARY_URL_NAME)
        return self._url

    def link(self, anchor, text):
        return format_html('<a class="govuk-link" href="{}#{}">{}</a>', self.url, anchor, text)


def _page(context):
    """The render's record of what is explained: one per render, through every include."""
    render_context = context.render_context
    page = getattr(render_context, "_plain_english", None)
    if page is None:
        page = _Page()
        render_context._plain_english = page
    return page


# Rewriting rendered HTML

TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
# Nothing in these is changed. Headings and captions stay short: the page explains a
# word at its first use in the text that follows.
UNTOUCHED = {"script", "style", "code", "pre", "kbd", "samp", "svg", "textarea", "title"}
UNTOUCHED |= {"select", "option", "head", "template"}
UNTOUCHED |= {"h1", "h2", "h3", "h4", "h5", "h6", "caption"}
# Status tags are short labels too.
UNTOUCHED_CLASSES = {"govuk-caption-xl", "govuk-caption-l", "govuk-caption-m", "govuk-tag"}
# In these a link cannot go: acronyms are written out, but count as explained only elsewhere.
NO_LINK = {"a", "button", "label", "legend", "summary", "nav", "abbr"}
# Where a new sentence (or label) starts.
BLOCKS = {"p", "li", "dt", "dd", "td", "th", "div", "section", "article", "aside", "main"}
BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "caption", "br", "ul", "ol", "dl", "table"}
BLOCKS |= {"tr", "blockquote", "figure", "figcaption", "header", "footer", "details"}
SENTENCE_END = re.compile(r"[.!?][\s\"'“‘(]*$")


def _sentence_starts(before):
    """Does a sentence (or a label) start after ``before``, the visible text just before?"""
    return not before.strip() or bool(SENTENCE_END.search(before))


@dataclass(frozen=True)
class _Element:
    name: str
    untouched: bool
    no_link: bool
    label: bool
    element_id: str


@functools.lru_cache(maxsize=4096)
def _element(token):
    """The element a start tag opens, or None for an end tag, void element or comment.

    A page repeats the same tags many times (a table's rows), so each is read once.
    """
    found = TAG_NAME.match(token)
    if not found or found.group(1) or token.startswith("<!"):
        return None
    name = found.group(2).lower()
    if name in VOID or token.rstrip(">").rstrip().endswith("/"):
        return None
    attributes = {key.lower(): value.strip("\"'") for key, value in ATTRIBUTE.findall(token)}
    classes = set(attributes.get("class", "").split())
    return _Element(
        name=name,
        untouched=name in UNTOUCHED
        or bool(classes & UNTOUCHED_CLASSES)
        or attributes.get("data-plain-english") == "off",
        no_link=name in NO_LINK,
        label=bool(classes & UNTOUCHED_CLASSES),
        element_id=attributes.get("id", ""),
    )


@functools.lru_cache(maxsize=4096)
def _tag_of(token):
    """(name, is an end tag, the element it opens or None), or None for a comment."""
    found = TAG_NAME.match(token)
    if not found:
        return None
    return found.group(2).lower(), bool(found.group(1)), _element(token)


def _capital(words):
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class _Where:
    """Where a piece of text is: whether a link or jargon may go there, and the ids around it."""

    no_link: bool
    no_jargon: bool
    ids: frozenset
    untouched: bool = False

    def inside(self, element):
        """Where text inside ``element``, opened here, is."""
        if not (element.untouched or element.no_link or element.element_id):
            return self
        no_link = self.no_link or element.no_link
        return _Where(
            no_link=no_link,
            no_jargon=no_link,
            ids=self.ids | {element.element_id} if element.element_id else self.ids,
            untouched=self.untouched or element.untouched,
        )


_TOP = _Where(no_link=False, no_jargon=False, ids=frozenset())


# A tag as TAG reads it, the name right after its "<" or "</" (others are read the long way).
_TAG_BYTES = re.compile(rb"</?[^\s>/][^>]*>")
# What may follow a name's first letters in a longer name ("<br" in "<bring>").
_NAME_CHARACTERS = {bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyz0123456789-"}
# These match a letter only when case is ignored, and are not Latin-1.
_FOLDS_TO_LETTERS = "\u0130\u0131\u017f\u212a"


def _starts_finder(alternatives):
    """Bytes, lower case: a character no word may follow, then the first word of a word.

    A page's text has few places where one of the words starts; the word
    expression, tried at every place, is slow to say so. This finds each place
    where one of them may start (every one, and a few more) much faster.
    """
    firsts = sorted({text.split()[0].lower() for text, _ in alternatives}, key=len)
    shortest = []
    for first in firsts:  # "area" finds "areas" too
        if not any(first.startswith(other) for other in shortest):
            shortest.append(first)
    groups = {}
    for first in sorted(shortest):
        groups.setdefault(first[0], []).append(re.escape(first[1:]))
    alternation = "|".join(
        re.escape(letter) + "(?:" + "|".join(rests) + ")" for letter, rests in groups.items()
    )
    letters = re.escape("".join(groups)).encode("ascii")
    # The look-ahead turns most places away in one step.
    return re.compile(
        rb"[^a-z0-9_&#\-](?=[" + letters + rb"])(?:" + alternation.encode("ascii") + rb")"
    )


_STARTS = _starts_finder(_ALTERNATIVES)


def _resets(token):
    """Does the tag ``token`` start a new sentence (a block tag, or a status tag's start)?"""
    tag = _tag_of(token)
    if tag is None:
        return False
    name, end, element = tag
    return name in BLOCKS or (not end and element is not None and element.label)


class _Rewriter:
    """Explains the words in one piece of rendered HTML, in document order.

    Only the places where a word is used need reading: the words are found
    first, in the text between the tags (``_matches``). A match changes the page
    only while one of its words is still to be explained; for each such match,
    in order, the rewriter reads what it is inside and the visible text just
    before it. The start tags just before it often say enough (a heading, a
    status tag: nothing is changed there); otherwise the elements are followed
    from where the last match left them, an element that ends before the match
    passed over in one step (``_where_at``). The text before a match is read
    back to the last block tag (``_before_at``).

    A page with a comment, a "<" that does not start a tag, or a character that
    matches a letter only when case is ignored is read the long way, tag by tag
    (``_rewrite_walking``), as is any page whose text cannot be found again.
    """

    def __init__(self, page):
        self.page = page
        self.open = []  # the open elements, innermost last
        self.where = [_TOP]  # where text is inside each of them: one more than self.open
        self.before = ""  # the last few characters of visible text, to see where sentences start

    def rewrite(self, html):
        html = str(html)
        raw = html.encode("latin-1", "replace")  # one byte for each character
        if b"<!--" in raw or any(letter in html for letter in _FOLDS_TO_LETTERS):
            return self._rewrite_walking(html)
        self._html, self._low, self._walked = html, raw.lower(), 0
        matches = self._matches()
        if matches is None:
            return self._rewrite_walking(html)
        # Where each word is last used: once every word still to come has been
        # explained, the rest of the page stays as it is and is not read.
        keys = [_keys(matched) for _, _, matched in matches]
        last = {}
        for n, each in enumerate(keys):
            for key in each:
                last[key] = n
        explained = self.page.explained

        def horizon():  # the last match with a word still to explain
            return max((at for key, at in last.items() if key not in explained), default=-1)

        out, done, linked_at, until, known = [], 0, -1, horizon(), len(explained)
        for n, (start, end, matched) in enumerate(matches):
            if n > until:
                break
            written = self._match(start, matched, keys[n], linked_at)
            if len(explained) != known:
                until, known = horizon(), len(explained)
            if written is None:  # as it is
                linked_at = -1
                continue
            out += (html[done:start], written)
            done = end
            linked_at = end if written.startswith("<a ") else -1
        out.append(html[done:])
        return "".join(out)

    def _match(self, start, matched, keys, linked_at):
        """The match at ``start`` written out, or None to leave it as it is."""
        explained = self.page.explained
        if all(key in explained for key in keys):  # names, and words explained already
            return None
        untouched, no_link = self._near(start)
        if untouched:
            return None
        kind, _, _ = _what(matched)
        if no_link and kind == "phrase" and len(keys) == 1:
            return None  # jargon is linked only where a link can go
        where = self._where_at(start)
        if where.untouched:
            return None
        html = self._html
        # Two links side by side read as one: jargon right after a link waits its turn.
        after_link = linked_at >= 0 and not html[linked_at:start].strip()
        written = self._word(matched, self._before_at(start), where, after_link=after_link)
        return None if written == matched else written

    def _matches(self):
        """(start, end, words) of each match of WORDS in the text between the tags, in order.

        The text alone (each tag one "<") is searched for places a word may
        start; each is found again in the page after the tag before its text.
        """
        html, low = self._html, self._low
        text, tags = _TAG_BYTES.subn(b"<", low)
        if low.count(b"<") != tags:  # a "<" inside a tag, before white space, or starting none
            return None
        matches, reached = [], 0
        piece, at, searched = -1, 0, 0  # the text's piece, where it is in the page, read so far
        for found in itertools.chain((None,), _STARTS.finditer(text)):
            place = found.start() + 1 if found else 0
            begins = text.rfind(b"<", 0, place) + 1
            if begins != piece:
                ends = text.find(b"<", begins)
                if ends < 0:
                    ends = len(text)
                if begins:  # the piece, between the end of a tag and the start of the next
                    at = low.find(b">" + text[begins : ends + 1], searched) + 1
                    if not at:
                        return None
                piece, searched = begins, at + ends - begins
            start = at + place - begins
            if start < reached:
                continue
            word = WORDS.match(html, start)
            if word is None:
                continue
            reached = word.end()
            matches.append((start, reached, word.group(0)))
        return matches

    def _near(self, position):
        """(untouched, no link) from the start tags just before ``position``: each is open there."""
        html, untouched, no_link = self._html, False, False
        for _ in range(8):
            close = html.rfind(">", 0, position)
            opening = html.rfind("<", 0, close) if close > 0 else -1
            if opening < 0 or html.rfind(">", 0, close) > opening:
                break  # the start of the page, or a ">" in the text
            tag = _tag_of(html[opening : close + 1])
            position = opening
            if tag is None:
                continue
            _, end, element = tag
            if end:
                break
            if element is not None:
                untouched |= element.untouched
                no_link |= element.no_link
                if untouched:
                    break
        return untouched, no_link

    def _where_at(self, position):
        """Where the text at ``position`` is: the open elements followed from the last call on."""
        html, low, at = self._html, self._low, self._walked
        while True:
            opening = low.find(b"<", at, position)
            if opening < 0:
                break
            at = low.find(b">", opening) + 1
            tag = _tag_of(html[opening:at])
            if tag is None:
                continue
            name, end, element = tag
            if end:
                self._close(name)
            elif element is not None:
                after = self._end_of(name, at, position)
                if after >= 0:  # over before the text: passed over
                    at = after
                else:
                    self._open(element)
        self._walked = position
        return self.where[-1]

    def _close(self, name):
        """An end tag closes the innermost open element of its name."""
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].name == name:
                del self.open[index:]
                del self.where[index + 1 :]
                break

    def _open(self, element):
        self.open.append(element)
        self.where.append(self.where[-1].inside(element))

    def _end_of(self, name, start, limit):
        """Just after the end tag of the element called ``name`` opened before ``start``, if
        the walk would close it there, before ``limit``, and leave every other element as it
        was; else -1.

        That is so when the first tag of that name after it is its end tag, and
        no end tag between could close an element opened before it.
        """
        html, low = self._html, self._low
        opening, closing = b"<" + name.encode("ascii"), b"</" + name.encode("ascii")
        end = self._find_tag(closing, start, limit)
        if end < 0:
            return -1
        inner = self._find_tag(opening, start, end)
        while inner >= 0:
            tag = _tag_of(html[inner : low.find(b">", inner) + 1])
            if tag is not None and tag[2] is not None:  # the same element inside: walk in
                return -1
            inner = self._find_tag(opening, inner + 1, end)
        for outer in {element.name for element in self.open}:
            if self._find_tag(b"</" + outer.encode("ascii"), start, end) >= 0:
                return -1
        return low.find(b">", end) + 1

    def _find_tag(self, written, start, limit):
        """Where ``written`` ("<name" or "</name") first starts a tag, or -1."""
        low, size = self._low, len(written)
        found = low.find(written, start, limit)
        while found >= 0 and low[found + size : found + size + 1] in _NAME_CHARACTERS:
            found = low.find(written, found + size, limit)
        return found

    def _before_at(self, position):
        """The last few characters of visible text before ``position``, back to a block tag."""
        html, pieces, length, end = self._html, [], 0, position
        while True:
            close = html.rfind(">", 0, end)
            while close >= 0:
                previous = html.rfind(">", 0, close)
                opening = html.find("<", previous + 1, close)
                if opening >= 0:
                    break
                close = previous  # a ">" in the text
            if close < 0:
                pieces.append(html[:end])
                break
            pieces.append(html[close + 1 : end])
            length += end - close - 1
            if length >= 40 or _resets(html[opening : close + 1]):
                break
            end = opening
        return "".join(reversed(pieces))[-40:]

    def _rewrite_walking(self, html):
        pieces = TAG.split(str(html))
        # Where each word is last used: once every word still to come has been
        # explained, the rest of the page stays as it is and is not read.
        last, with_words = {}, set()
        for n in range(0, len(pieces), 2):
            text = pieces[n]
            if text and not text.isspace():
                for found in WORDS.finditer(text):
                    with_words.add(n)
                    for key in _keys(found.group(0)):
                        last[key] = n
        for n in range(0, len(pieces), 2):
            if n:
                self._tag(pieces[n - 1])
            text = pieces[n]
            if text.isspace():  # between tags: nothing to explain, but it ends sentences
                self.before = (self.before + text)[-40:]
            elif text:
                pieces[n] = self._text(text)
                if n in with_words:
                    explained = self.page.explained
                    last = {key: at for key, at in last.items() if at > n and key not in explained}
                    if not last:
                        break
        return "".join(pieces)

    def _tag(self, token):
        tag = _tag_of(token)
        if tag is None:
            return
        name, end, element = tag
        if name in BLOCKS:
            self.before = ""
        if end:
            self._close(name)
            return
        if element is not None:
            self._open(element)
            if element.label:
                self.before = ""

    def _text(self, text):
        where = self.where[-1]
        written = text
        if not where.untouched and WORDS.search(text):
            written = self._words(text, WORDS, self.before, where)
        self.before = (self.before + text)[-40:]
        return written

    def _words(self, text, pattern, before, where):
        out, last, linked = [], 0, False
        for found in pattern.finditer(text):
            gap = text[last : found.start()]
            out.append(gap)
            last = found.end()
            just_before = (before + text[: found.start()])[-40:]
            # Two links side by side read as one: jargon right after a link waits its turn.
            after_link = linked and not gap.strip()
            written = self._word(found.group(0), just_before, where, after_link=after_link)
            linked = written.startswith("<a ")
            out.append(written)
        out.append(text[last:])
        return "".join(out)

    def _word(self, matched, before, where, *, after_link=False):
        kind, thing, words = _what(matched)
        if kind == "name":
            return matched
        if kind == "phrase":
            if after_link:
                return matched
            return self._phrase(matched, thing, before, where)
        key = ("acronym", thing.short)
        if key in self.page.explained:
            return matched
        if kind == "expanded":
            text = matched
        else:
            text = f"{words} ({matched})"
            if _sentence_starts(before) and not thing.proper:
                text = _capital(text)
        if thing.anchor in where.ids:  # the glossary's own entry for it
            self.page.explained.add(key)
            return text
        if where.no_link:
            return text
        self.page.explained.add(key)
        return self.page.link(thing.anchor, mark_safe(text))  # rendered, escaped text

    def _phrase(self, matched, phrase, before, where):
        # Jargon with an acronym in it ("SEND commissioner") explains the acronym first.
        acronyms = [_ACRONYM_BY_FORM[a][0] for a in _ACRONYMS_ONLY.findall(matched)]
        if any(("acronym", a.short) not in self.page.explained for a in acronyms):
            return self._words(matched, _ACRONYMS_ONLY, before, where)
        key = ("phrase", phrase.anchor)
        if where.no_jargon or key in self.page.explained or phrase.anchor in where.ids:
            return matched
        self.page.explained.add(key)
        return self.page.link(phrase.anchor, mark_safe(matched))  # rendered, escaped text


def explain(html, page=None):
    """``html`` (rendered, safe) with each word explained at its first use on ``page``."""
    return mark_safe(_Rewriter(page or _Page()).rewrite(html))  # rewrites HTML already safe


class ExplainTermsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        page = _page(context)
        page.depth += 1
        try:
            html = self.nodelist.render(context)
        finally:
            page.depth -= 1
        if page.depth:  # an outer block explains everything once
            return html
        return explain(html, page)


@register.tag
def explain_terms(parser, token):
    """``{% explain_terms %}…{% endexplain_terms %}``: explain every word at its first use."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("explain_terms takes no arguments.")
    nodelist = parser.parse(("endexplain_terms",))
    parser.delete_first_token()
    return ExplainTermsNode(nodelist)


class TermNode(template.Node):
    def __init__(self, word, capital):
        self.word, self.capital = word, capital

    def render(self, context):
        page = _page(context)
        if page.depth:  # inside explain_terms, which explains it in its place
            return escape(self.word)
        if self.word in _ACRONYM_BY_FORM:
            acronym, words = _ACRONYM_BY_FORM[self.word]
            key = ("acronym", acronym.short)
            if key in page.explained:
                return escape(self.word)
            page.explained.add(key)
            text = f"{words} ({self.word})"
            return page.link(acronym.anchor, _capital(text) if self.capital else text)
        phrase = _PHRASE_BY_TEXT[_normal(self.word)]
        key = ("phrase", phrase.anchor)
        if key in page.explained:
            return escape(self.word)
        page.explained.add(key)
        return page.link(phrase.anchor, self.word)


@register.tag
def term(parser, token):
    """``{% term "SEND" %}`` or ``{% term "SEND" capital %}``; ``{% term "Local Offer" %}``.

    The words in full with a link to the glossary the first time on the page,
    the word alone after that. The word must be in the word list.
    """
    bits = token.split_contents()
    if len(bits) not in (2, 3) or (len(bits) == 3 and bits[2] != "capital"):
        raise template.TemplateSyntaxError('Use {% term "SEND" %} or {% term "SEND" capital %}.')
    word = bits[1]
    if len(word) < 2 or word[0] != word[-1] or word[0] not in "\"'":
        raise template.TemplateSyntaxError('term takes a quoted word, such as "SEND".')
    word = word[1:-1]
    if word not in _ACRONYM_BY_FORM and _normal(word) not in _PHRASE_BY_TEXT:
        raise template.TemplateSyntaxError(
            f"“{word}” is not in the word list: add an acronym to kit/jargon.txt with its "
            "glossary entry, or a phrase to PHRASES in kit/templatetags/plain_english.py."
        )
    return TermNode(word, capital=len(bits) == 3)


# Sources, described by title and publisher


@dataclass(frozen=True)
class Publisher:
    """Who publishes on a host, and what a page of theirs is called.

    A host stands for its subdomains too, unless ``exact``.
    """

    host: str
    name: str
    page: str = "web page"
    exact: bool = False


PUBLISHERS = (
    # National bodies
    Publisher("ofsted.gov.uk", "Ofsted", "report"),
    Publisher("cqc.org.uk", "Care Quality Commission", "web page"),
    Publisher("education.gov.uk", "Department for Education"),
    Publisher(
        "explore-education-statistics.service.gov.uk", "Department for Education", "statistics"
    ),
    Publisher("assets.publishing.service.gov.uk", "GOV.UK", "document"),
    Publisher("gov.uk", "GOV.UK", "page", exact=True),
    Publisher("service.gov.uk", "GOV.UK", "page"),
    Publisher("legislation.gov.uk", "legislation.gov.uk", "law"),
    Publisher("parliament.uk", "UK Parliament", "web page"),
    Publisher("england.nhs.uk", "NHS England", "web page"),
    Publisher("digital.nhs.uk", "NHS England", "web page"),
    Publisher("nhs.uk", "NHS", "web page"),
    # The seed areas' councils, their NHS partners and Local Offers
    Publisher("worcestershire.gov.uk", "Worcestershire County Council"),
    Publisher(
        "worcestershire.moderngov.co.uk", "Worcestershire County Council", "committee papers"
    ),
    Publisher("wolverhampton.gov.uk", "City of Wolverhampton Council"),
    Publisher("wolverhampton.moderngov.co.uk", "City of Wolverhampton Council", "committee papers"),
    Publisher("localofferwolves.co.uk", "Wolverhampton Local Offer"),
    Publisher("dudley.gov.uk", "Dudley Council"),
    Publisher("dudleyhealthandwellbeing.org.uk", "Dudley Health and Wellbeing Board"),
    Publisher("dgft.nhs.uk", "The Dudley Group NHS Foundation Trust"),
    Publisher("essex.gov.uk", "Essex County Council"),
    Publisher("essexfamilyforum.org", "Essex Family Forum"),
    Publisher("localofferbirmingham.co.uk", "Birmingham Local Offer"),
    Publisher("livewellsouthend.com", "Southend Local Offer (Livewell Southend)"),
    # News and commentary
    Publisher("worcesternews.co.uk", "Worcester News", "article"),
    Publisher("dudleynews.co.uk", "Dudley News", "article"),
    Publisher("stourbridgenews.co.uk", "Stourbridge News", "article"),
    Publisher("schoolsweek.co.uk", "Schools Week", "article"),
    Publisher("tes.com", "Tes", "article"),
    Publisher("bbc.co.uk", "BBC News", "article"),
    Publisher("specialneedsjungle.com", "Special Needs Jungle", "article"),
    Publisher("ipsea.org.uk", "IPSEA", "web page"),
    Publisher("content.govdelivery.com", "", "email bulletin"),
)

FILE_KINDS = {
    "pdf": "PDF",
    "doc": "Word document",
    "docx": "Word document",
    "odt": "document",
    "rtf": "document",
    "txt": "text file",
    "xls": "spreadsheet",
    "xlsx": "spreadsheet",
    "ods": "spreadsheet",
    "csv": "spreadsheet",
    "ppt": "slides",
    "pptx": "slides",
    "odp": "slides",
}
URL = re.compile(r"https?://[^\s<>\"']+", re.I)
FILE_NAME = re.compile(
    r"(?<![\w/.])([\w][\w.\-()%]*\.(" + "|".join(FILE_KINDS) + r"))(?![\w.])", re.I
)
# Words in file names written as the portal writes them.
FILE_WORDS = {
    "send": "SEND",
    "sen": "SEN",
    "wsoa": "WSOA",
    "ehcp": "EHCP",
    "ehc": "EHC",
    "dfe": "DfE",
    "cqc": "CQC",
    "ccg": "CCG",
    "icb": "ICB",
    "nhs": "NHS",
    "nhse": "NHSE",
    "senco": "SENCO",
    "ofsted": "Ofsted",
}
_HASH = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$", re.I)
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
_VERSION = re.compile(r"^v(\d+(?:\.\d+)*)$", re.I)


def file_title(name):
    """A file's name as words: 'worcs-wsoa-v1.0.pdf' -> 'Worcs WSOA version 1.0'."""
    stem = _UUID.sub(" ", unquote(name).rsplit(".", 1)[0])
    words = []
    for word in re.split(r"[\s_\-+]+", stem):
        word = word.strip("().")
        if not word or _HASH.match(word):
            continue
        version = _VERSION.match(word)
        if version:
            words += ["version", version.group(1)]
            continue
        words.append(FILE_WORDS.get(word.lower(), word))
    return _capital(" ".join(words)) or "Document"


def _publisher(host):
    """The publisher of the most specific host that matches ("dgft.nhs.uk" before "nhs.uk")."""
    matches = [
        publisher
        for publisher in PUBLISHERS
        if host in (publisher.host, f"www.{publisher.host}")
        or (not publisher.exact and host.endswith("." + publisher.host))
    ]
    return max(matches, key=lambda publisher: len(publisher.host), default=None)


def _describe_url(url):
    """'Ofsted report (files.ofsted.gov.uk)', 'Worcs WSOA version 1.0 (PDF from …, host)'."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return url
    if not host:
        return url
    shown = host.removeprefix("www.")
    publisher = _publisher(host)
    if publisher is None and (host.endswith(".gov.uk") or host.endswith(".moderngov.co.uk")):
        # Central government is on gov.uk itself, so another gov.uk domain is a council's.
        page = "committee papers" if host.endswith(".moderngov.co.uk") else "web page"
        publisher = Publisher(host, "", f"council {page}")
    if publisher and publisher.name == "Ofsted":
        return f"Ofsted report ({shown})"
    file_name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    kind = FILE_KINDS.get(file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else None
    if kind:
        owner = publisher and (publisher.name or "a council")
        return f"{file_title(file_name)} ({f'{kind} from {owner}' if owner else kind}, {shown})"
    local_offer = "localoffer" in re.sub(r"[\W_]", "", (host + parts.path).lower())
    if publisher is None:
        return f"{'Local Offer page' if local_offer else 'Web page'} ({shown})"
    page = publisher.page
    if local_offer and "Local Offer" not in publisher.name and page.endswith("web page"):
        page = page.replace("web page", "Local Offer page")
    return f"{publisher.name} {page} ({shown})" if publisher.name else f"{_capital(page)} ({shown})"


def _describe_text(text):
    def file_words(found):
        return f"{file_title(found.group(1))} ({FILE_KINDS[found.group(2).lower()]})"

    described = FILE_NAME.sub(file_words, text)
    return _capital(described) if described != text else text


def _source_parts(text):
    """The source line in pieces: (text, None) for words, (description, url) for addresses."""
    text = " ".join(str(text or "").split())
    parts, last = [], 0
    for found in URL.finditer(text):
        url = found.group(0).rstrip(".,;)")
        end = found.start() + len(url)
        if found.start() > last:
            parts.append((_describe_text(text[last : found.start()]), None))
        parts.append((_describe_url(url), url))
        last = end
    if last < len(text):
        parts.append((_describe_text(text[last:]) if last == 0 else text[last:], None))
    return parts


def describe_source(text):
    """A source line in words: a title and publisher for an address or a file name.

    "https://files.ofsted.gov.uk/v1/file/50012345" -> "Ofsted report (files.ofsted.gov.uk)";
    "worcs-wsoa-v1.0.pdf" -> "Worcs WSOA version 1.0 (PDF)"; words stay as they are.
    """
    return "".join(words for words, _ in _source_parts(text))


@register.filter(name="describe_source")
def describe_source_filter(text):
    return describe_source(text)


@register.filter
def source_link(text):
    """The source in words, each address in it a link to the source itself."""
    return mark_safe(  # every piece is escaped by format_html or escape
        "".join(
            format_html('<a class="govuk-link" href="{}">{}</a>', url, words)
            if url
            else escape(words)
            for words, url in _source_parts(text)
        )
    )
