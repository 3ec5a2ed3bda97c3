"""A PDF/UA-1 structure check: the Matterhorn Protocol's machine-checkable rules that we check.

No trustworthy PDF/UA validator installs from the project's package sources:
veraPDF (the reference validator) is Java and is packaged neither for Python
nor for Debian, and the Python packages that say they check PDF/UA are young,
partial and rest on another PDF library (pikepdf), so a pass from them would
prove less than this module does. So this module checks, with pypdf (already
a dependency), the rules of the Matterhorn Protocol 1.1 (the PDF/UA
Competence Center's list of PDF/UA-1 failure conditions) that a program can
decide. ``problems(pdf_bytes)`` returns one sentence per failure; [] is a pass.

Rules checked (the Matterhorn checkpoint group in brackets):

* the document is marked as tagged (/MarkInfo /Marked true) and has a
  structure tree (/StructTreeRoot) [01];
* every piece of text on every page is either inside an /Artifact or in
  marked content that the parent tree gives to an element of the structure
  tree: none is left neither tagged nor an artifact, and no tagged content
  sits inside an artifact (so the running header and "Page N of M" are
  artifacts) [01];
* every role is a standard structure type (no role map needed) [02];
* its XMP metadata has a dc:title [06]; it does not claim PDF/UA-1 (a policy
  of ours, checked by the tests, not a rule);
* the viewer shows its title, not its file name: /ViewerPreferences
  /DisplayDocTitle true [07];
* tables: a /Table holds only TR, THead, TBody, TFoot and Caption; row groups
  hold rows; a TR holds only TH and TD, inside a table [09]; every TH has a
  /Scope [15];
* the document has a language (/Lang) [11];
* every /Figure has alternative text (/Alt) [13];
* headings: the first is H1 and no level is skipped going down [14];
* links: every link annotation has a description (/Contents) and a
  /StructParent whose parent tree entry is a /Link element of the tree that
  refers back to it through an /OBJR; every /Link element has an /OBJR; every
  page with annotations has /Tabs /S [28];
* every font is embedded [31].

Not checked (a person, or a full validator, must): that the tags say what the
content is (reading order, headings that really are headings), that
alternative text is meaningful, colour contrast, fonts' Unicode mapping in
every glyph, and the rest of ISO 32000-1 file syntax.
"""

import itertools
import re

from pypdf.generic import ArrayObject, DictionaryObject

from tests.pdf_reading import (
    link_annotations,
    marked_text,
    parent_tree,
    read,
    resolved,
    structure,
)

# PDF 1.7's standard structure types (ISO 32000-1, 14.8.4).
STANDARD_ROLES = {
    "/Document", "/Part", "/Art", "/Sect", "/Div", "/BlockQuote", "/Caption", "/TOC",
    "/TOCI", "/Index", "/NonStruct", "/Private", "/P", "/H", "/H1", "/H2", "/H3", "/H4",
    "/H5", "/H6", "/L", "/LI", "/Lbl", "/LBody", "/Table", "/TR", "/TH", "/TD", "/THead",
    "/TBody", "/TFoot", "/Span", "/Quote", "/Note", "/Reference", "/BibEntry", "/Code",
    "/Link", "/Annot", "/Ruby", "/RB", "/RT", "/RP", "/Warichu", "/WT", "/WP", "/Figure",
    "/Formula", "/Form",
}  # fmt: skip
TABLE_KIDS = {"/TR", "/THead", "/TBody", "/TFoot", "/Caption"}


def problems(pdf_bytes):
    """Every rule above that ``pdf_bytes`` breaks, one sentence each; [] when it passes."""
    reader = read(pdf_bytes)
    found = []
    catalog = reader.trailer["/Root"]
    mark_info = resolved(catalog.get("/MarkInfo")) or {}
    if not bool(mark_info.get("/Marked", False)):
        found.append("The document is not marked as tagged (/MarkInfo /Marked true).")
    if "/StructTreeRoot" not in catalog:
        return [*found, "The document has no structure tree."]
    if not str(catalog.get("/Lang", "")).strip():
        found.append("The document has no language (/Lang).")
    preferences = resolved(catalog.get("/ViewerPreferences")) or {}
    if not bool(preferences.get("/DisplayDocTitle", False)):
        found.append("The viewer is not told to show the title (/DisplayDocTitle true).")
    found += _metadata_problems(catalog)

    elements = structure(reader)
    found += _role_problems(elements)
    found += _content_problems(reader, elements)
    found += _heading_problems(elements)
    found += _table_problems(elements)
    found += [
        "A figure has no alternative text (/Alt)."
        for element in elements
        if element.role == "/Figure" and not (element.alt or "").strip()
    ]
    found += _link_problems(reader, elements)
    found += _font_problems(reader)
    return found


def _metadata_problems(catalog):
    metadata = catalog.get("/Metadata")
    if metadata is None:
        return ["The document has no XMP metadata."]
    xmp = metadata.get_object().get_data().decode("utf-8", "replace")
    title = re.search(r"<dc:title>.*?<rdf:li[^>]*>([^<]*)</rdf:li>", xmp, re.S)
    if not title or not title.group(1).strip():
        return ["The XMP metadata has no dc:title."]
    return []


def _role_problems(elements):
    roles = {element.role for element in elements} - STANDARD_ROLES
    return [f"The structure type {role} is not a standard one." for role in sorted(roles)]


def _content_problems(reader, elements):
    """Text must be tagged (owned by an element in the tree) or an artifact, never both."""
    in_tree = {id(element.node) for element in elements}
    tree = parent_tree(reader)
    found = []
    for number, page in enumerate(reader.pages, start=1):
        owners = tree.get(int(page.get("/StructParents", -1)), ArrayObject())
        for piece in marked_text(page):
            if piece.in_artifact:
                if piece.mcid is not None:
                    found.append(
                        f"Page {number}: tagged content inside an artifact: {piece.text!r}"
                    )
                continue
            owner = (
                resolved(owners[piece.mcid])
                if piece.mcid is not None and piece.mcid < len(owners)
                else None
            )
            if not isinstance(owner, DictionaryObject) or id(owner) not in in_tree:
                found.append(
                    f"Page {number}: text neither tagged nor marked as an artifact: {piece.text!r}"
                )
    return found


def _heading_problems(elements):
    levels = [int(e.role[2]) for e in elements if re.fullmatch(r"/H[1-6]", e.role)]
    found = []
    if levels and levels[0] != 1:
        found.append(f"The first heading is H{levels[0]}, not H1.")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            found.append(f"A heading level is skipped: H{before} then H{after}.")
    return found


def _table_problems(elements):
    found = []
    for element in elements:
        kid_roles = [child.role for child in element.children]
        if element.role == "/Table":
            wrong = set(kid_roles) - TABLE_KIDS
            if wrong:
                found.append(f"A table holds {', '.join(sorted(wrong))}, not rows.")
        elif element.role in ("/THead", "/TBody", "/TFoot"):
            if set(kid_roles) - {"/TR"}:
                found.append(f"A {element.role[1:]} holds something other than rows.")
        elif element.role == "/TR":
            if set(kid_roles) - {"/TH", "/TD"}:
                found.append("A table row holds something other than TH and TD cells.")
            if element.parent is None or element.parent.role not in {
                "/Table", "/THead", "/TBody", "/TFoot",
            }:  # fmt: skip
                found.append("A table row is outside a table.")
        elif element.role in ("/TH", "/TD"):
            if element.parent is None or element.parent.role != "/TR":
                found.append(f"A {element.role[1:]} cell is outside a table row.")
            if element.role == "/TH" and "/Scope" not in element.attributes:
                found.append("A table header cell (TH) has no /Scope.")
    return found


def _link_problems(reader, elements):
    found = []
    by_object = {id(element.node): element for element in elements}
    tree = parent_tree(reader)
    for element in elements:
        if element.role == "/Link" and not element.object_references():
            found.append("A Link element refers to no annotation (/OBJR).")
    for number, annotation in link_annotations(reader):
        where = f"A link on page {number + 1}"
        if not str(annotation.get("/Contents", "")).strip():
            found.append(f"{where} has no description (/Contents).")
        if "/StructParent" not in annotation:
            found.append(f"{where} has no /StructParent.")
            continue
        owner = resolved(tree.get(int(annotation["/StructParent"])))
        element = by_object.get(id(owner))
        if element is None or element.role != "/Link":
            found.append(f"{where}: its structure parent is not a Link element in the tree.")
        elif not any(ref.get_object() is annotation for ref in element.object_references()):
            found.append(f"{where}: its Link element does not refer back to it.")
        page = reader.pages[number]
        if page.get("/Tabs") != "/S":
            found.append(f"Page {number + 1} has annotations but no /Tabs /S.")
    return found


def _font_problems(reader):
    found = set()
    for page in reader.pages:
        fonts = resolved(resolved(page.get("/Resources", {})).get("/Font", {}))
        for name, font in (fonts or {}).items():
            font = resolved(font)
            if font.get("/Subtype") == "/Type3":
                continue
            descendants = [resolved(d) for d in font.get("/DescendantFonts", [])] or [font]
            for each in descendants:
                descriptor = resolved(each.get("/FontDescriptor")) or {}
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.add(f"The font {each.get('/BaseFont', name)} is not embedded.")
    return sorted(found)
