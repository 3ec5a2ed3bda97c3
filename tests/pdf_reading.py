"""Reading a tagged PDF back as a screen reader would meet it: its structure tree and marked content.

Shared by the PDF tests (tests/progress/test_pdf*.py, test_reports.py) and the PDF/UA check
(tests/pdf_ua.py). Built on pypdf only.
"""

import io
from dataclasses import dataclass, field

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject


def read(pdf_bytes):
    return pypdf.PdfReader(io.BytesIO(pdf_bytes))


def resolved(node):
    return node.get_object() if isinstance(node, IndirectObject) else node


def kids(node):
    """An element's /K as a list (one kid, an array of kids, or none)."""
    k = node.get("/K")
    if k is None:
        return []
    k = resolved(k)
    return list(k) if isinstance(k, ArrayObject) else [k]


@dataclass
class Element:
    """A structure element: its role, its dictionary, its parent element and its depth."""

    role: str
    node: DictionaryObject
    parent: "Element | None"
    depth: int
    children: list = field(default_factory=list)

    @property
    def alt(self):
        alt = self.node.get("/Alt")
        return None if alt is None else str(alt)

    @property
    def attributes(self):
        a = resolved(self.node.get("/A")) if "/A" in self.node else None
        if a is None:
            return {}
        found = {}
        for item in a if isinstance(a, ArrayObject) else [a]:
            item = resolved(item)
            if isinstance(item, DictionaryObject):
                found.update(item)
        return found

    def mcids(self):
        """The marked-content ids this element holds directly (integers or /MCR dictionaries)."""
        found = []
        for kid in kids(self.node):
            kid = resolved(kid)
            if isinstance(kid, int):
                found.append(int(kid))
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
                found.append(int(kid["/MCID"]))
        return found

    def object_references(self):
        """The objects (annotations) this element refers to through /OBJR kids."""
        return [
            kid.get_object()["/Obj"]
            for kid in kids(self.node)
            if isinstance(resolved(kid), DictionaryObject) and resolved(kid).get("/Type") == "/OBJR"
        ]


def structure(reader):
    """Every structure element in the tree, in reading order (depth first)."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    found, seen = [], set()

    def walk(node, parent, depth):
        for kid in kids(node):
            if not isinstance(kid, IndirectObject):
                continue
            if kid.idnum in seen:
                continue
            seen.add(kid.idnum)
            obj = kid.get_object()
            if not isinstance(obj, DictionaryObject) or "/S" not in obj:
                continue
            element = Element(str(obj["/S"]), obj, parent, depth)
            if parent is not None:
                parent.children.append(element)
            found.append(element)
            walk(obj, element, depth + 1)

    walk(root, None, 0)
    return found


def struct_elements(reader):
    """(role, alt text) of every element in the structure tree."""
    return [(element.role, element.alt) for element in structure(reader)]


def header_scopes(reader):
    """The /Scope of every table header cell (/TH), in reading order (None when missing)."""
    scopes = []
    for element in structure(reader):
        if element.role == "/TH":
            scope = element.attributes.get("/Scope")
            scopes.append(None if scope is None else str(scope))
    return scopes


def figure_alts(reader):
    """The /Alt text of every /Figure."""
    return [element.alt for element in structure(reader) if element.role == "/Figure"]


@dataclass
class MarkedText:
    """Text shown on a page, with the marked-content sequence it sits in."""

    text: str
    tag: str | None  # the innermost marked-content tag, e.g. "/P" or "/Artifact"; None if none
    mcid: int | None  # the nearest enclosing marked-content id, if any
    in_artifact: bool  # inside an /Artifact sequence at any depth


def marked_text(page):
    """Every piece of text on ``page`` with the marked content around it (pypdf's text visitor)."""
    stack = []
    pieces = []

    def before(operator, operands, cm, tm):
        if operator in (b"BDC", b"BMC"):
            tag = str(operands[0])
            properties = operands[1] if operator == b"BDC" and len(operands) > 1 else None
            mcid = None
            if isinstance(properties, DictionaryObject) and "/MCID" in properties:
                mcid = int(properties["/MCID"])
            stack.append((tag, mcid))
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(content, cm, tm, font, size):
        if not content.strip():
            return
        mcids = [mcid for _, mcid in stack if mcid is not None]
        pieces.append(
            MarkedText(
                content,
                stack[-1][0] if stack else None,
                mcids[-1] if mcids else None,
                any(tag == "/Artifact" for tag, _ in stack),
            )
        )

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return pieces


def parent_tree(reader):
    """The structure parent tree as {key: value}: a page's array of elements, or an element."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    found = {}

    def walk(node):
        node = resolved(node)
        if "/Nums" in node:
            nums = resolved(node["/Nums"])
            for index in range(0, len(nums), 2):
                found[int(nums[index])] = resolved(nums[index + 1])
        for kid in node.get("/Kids", []):
            walk(kid)

    walk(root["/ParentTree"])
    return found


def tagged_text(reader):
    """The text of each page that the structure tree reaches, by page: (element role, text)."""
    in_tree = {id(element.node): element for element in structure(reader)}
    tree = parent_tree(reader)
    pages = []
    for number, page in enumerate(reader.pages):
        owners = tree.get(int(page.get("/StructParents", number)), [])
        found = []
        for piece in marked_text(page):
            if piece.mcid is None or piece.in_artifact or piece.mcid >= len(owners):
                continue
            owner = resolved(owners[piece.mcid])
            if isinstance(owner, DictionaryObject) and id(owner) in in_tree:
                found.append((in_tree[id(owner)].role, piece.text))
        pages.append(found)
    return pages


def link_annotations(reader):
    """(page number, annotation) for every /Link annotation."""
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []) or []:
            annotation = resolved(annotation)
            if annotation.get("/Subtype") == NameObject("/Link"):
                found.append((number, annotation))
    return found
