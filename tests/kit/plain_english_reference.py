"""The first-use rewriter as it was before it was made faster, kept verbatim as the reference.

``tests/kit/test_plain_english_identity.py`` renders real pages and hand-written
HTML through both this and ``kit.templatetags.plain_english`` and checks they
write the same bytes and explain the same words. Only the rewriting is kept
here; the word list and its expressions are the module's own, shared by both.
"""

import functools
import re
from dataclasses import dataclass

from django.utils.safestring import mark_safe

from kit.templatetags.plain_english import (
    _ACRONYM_BY_FORM,
    _ACRONYMS_ONLY,
    WORDS,
    _keys,
    _Page,
    _what,
)

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


class _Rewriter:
    """Explains the words in one piece of rendered HTML, in document order."""

    def __init__(self, page):
        self.page = page
        self.open = []  # the open elements, innermost last
        self.where = [_TOP]  # where text is inside each of them: one more than self.open
        self.before = ""  # the last few characters of visible text, to see where sentences start

    def rewrite(self, html):
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
        if end:  # an end tag closes the innermost element of its name
            for index in range(len(self.open) - 1, -1, -1):
                if self.open[index].name == name:
                    del self.open[index:]
                    del self.where[index + 1 :]
                    break
            return
        if element is not None:
            self.open.append(element)
            self.where.append(self.where[-1].inside(element))
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
