"""Finishing touches to the tagged PDF's structure that WeasyPrint does not write.

``finish_structure`` is a WeasyPrint *finisher*: WeasyPrint calls it with the
laid-out document and the PDF's objects (pydyf) just before it writes the
file, so nothing is parsed or written twice. It fixes what the outside audit
found short of PDF/UA-1 (ISO 14289-1) in WeasyPrint's tagging:

* **Table header scope** (7.5). WeasyPrint tags header cells /TH without a
  /Scope. Each /TH gets the scope its HTML cell had: a header in the table's
  head (/THead) heads a column; one that starts a row of the body heads that
  row (the reports write ``<th scope="col">`` and ``<th scope="row">``
  exactly so).
* **Running header and footer as artifacts** (7.8). WeasyPrint marks the
  text of page margin boxes (the running title and "Page N of M") as tagged
  content whose structure elements hang outside the tree. Here each such
  marked-content sequence becomes ``/Artifact <</Type /Pagination>> BDC``,
  its entry in the page's parent tree array is emptied (``null``) and its
  orphaned structure elements are emptied, so a screen reader skips the
  repeated header and footer, as it should.
* **Link descriptions** (7.18.5). WeasyPrint describes an internal link by
  its fragment id ("summary"). Each link annotation's /Contents becomes the
  link's own words, and for a link inside the report the page it goes to
  ("Summary (page 3)").
* **Well-formed links** (7.18.5). ``a::after`` content (the contents page's
  "(page 3)") is tagged by WeasyPrint as a second /Link nested in the first,
  with no annotation. A /Link without an annotation reference (/OBJR) is
  retagged /Span, so every /Link element has its annotation, and every
  annotation its /StructParent (WeasyPrint sets that).
* **Title in the XMP metadata** (7.1). The document's title goes into an
  XMP metadata stream as ``dc:title``, with no PDF/UA conformance claim
  (``pdfuaid:part``): the reports do not claim a standard no validator has
  passed them against.

Last, not a matter of tagging but of time: ``compact_streams`` deflates the
page, font and chart streams itself, at zlib's level 6. pydyf deflates them at
level 9: about 0.1 s of a 100-action report's 2.3 s, to save 4% of their size,
where level 6 takes a quarter of the time. WeasyPrint also writes a zero
adjustment (``>0<``) between nearly every two glyphs in its ``TJ`` arrays (a
kerning below a thousandth of an em, rounded to 0 but written): a sixth of the
streams' bytes, dropped here, which changes nothing on the page. A 100-action
report's file ends 3% smaller than at level 9 with them. pydyf still deflates
the object stream (the structure tree) at level 9 when it writes the file.
"""

import zlib

import pydyf

# zlib's own default: 4% larger than level 9 for these streams, in a quarter of the time.
COMPRESSION_LEVEL = 6

PAGINATION = {"Type": "/Pagination"}


def _number(reference):
    """The object number of a pydyf reference (``b"12 0 R"``)."""
    return int(reference.split()[0])


class _Objects:
    def __init__(self, pdf):
        self.objects = pdf.objects

    def get(self, reference):
        return self.objects[_number(reference)]

    def elements(self, node):
        """The structure elements among ``node``'s kids (not marked-content ids or OBJRs)."""
        found = []
        for kid in node.get("K", ()):
            if isinstance(kid, bytes):
                obj = self.get(kid)
                if isinstance(obj, dict) and "S" in obj:
                    found.append(obj)
        return found


def _scope_cells(objects, node, in_head):
    role = node.get("S")
    if role == "/TR":
        for position, cell in enumerate(objects.elements(node)):
            if cell.get("S") != "/TH":
                continue
            attributes = cell.get("A")
            if not isinstance(attributes, dict):
                attributes = cell["A"] = pydyf.Dictionary({"O": "/Table"})
            attributes["Scope"] = "/Column" if in_head or position > 0 else "/Row"
        return
    for child in objects.elements(node):
        _scope_cells(objects, child, in_head or role == "/THead")


def _reachable(objects, root):
    """The object numbers of every structure element in the tree under ``root``."""
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        for kid in node.get("K", ()):
            if isinstance(kid, bytes):
                number = _number(kid)
                if number in seen:
                    continue
                obj = objects.objects[number]
                if isinstance(obj, dict) and obj.get("Type") == "/StructElem":
                    seen.add(number)
                    stack.append(obj)
    return seen


def _unlink_orphans(objects, pdf, reachable):
    """Mark content whose structure element is outside the tree as pagination artifacts."""
    root = objects.get(pdf.catalog["StructTreeRoot"])
    nums = objects.get(root["ParentTree"])["Nums"]
    pages = [objects.objects[number] for number in pdf.pages["Kids"][::3]]
    for index in range(0, len(nums), 2):
        key, value = nums[index], nums[index + 1]
        if not isinstance(value, pydyf.Array) or key >= len(pages):
            continue  # an annotation's entry, or not a page's
        orphans = {
            mcid
            for mcid, reference in enumerate(value)
            if isinstance(reference, bytes) and _number(reference) not in reachable
        }
        if not orphans:
            continue
        stream = objects.get(pages[key]["Contents"])
        items = stream.stream
        for position, item in enumerate(items):
            if (
                isinstance(item, pydyf.Dictionary)
                and item.get("MCID") in orphans
                and position + 1 < len(items)
                and items[position + 1] == b"BDC"
            ):
                items[position - 1] = "/Artifact"  # the tag before the property list
                items[position] = pydyf.Dictionary(PAGINATION)
        for mcid in orphans:
            value[mcid] = "null"
        while value and value[-1] == "null":  # margin boxes are drawn last on a page
            value.pop()
    # The orphaned elements themselves, now referenced by nothing: emptied.
    for obj in objects.objects[1:]:
        if (
            isinstance(obj, pydyf.Dictionary)
            and obj.get("Type") == "/StructElem"
            and obj.number not in reachable
        ):
            obj.clear()


def _parent_tree_slots(objects, pdf):
    """Where the parent tree names each owner: {(page index, mcid) or annotation key: (array, i)}."""
    root = objects.get(pdf.catalog["StructTreeRoot"])
    nums = objects.get(root["ParentTree"])["Nums"]
    page_count = len(pdf.pages["Kids"]) // 3
    slots = {}
    for index in range(0, len(nums), 2):
        key, value = nums[index], nums[index + 1]
        if isinstance(value, pydyf.Array) and key < page_count:
            for mcid in range(len(value)):
                slots[key, mcid] = (value, mcid)
        else:
            slots[key] = (nums, index + 1)
    return slots


def _tidy_links(objects, pdf, reachable):
    """One /Link element per link, each with its annotation.

    A /Link nested in a /Link (``a::after`` content, with an annotation of its own) is merged
    into the outer one: its marked content and annotation references move up, and the parent
    tree names the outer element as their owner. A /Link left with no annotation becomes /Span.
    """
    page_index = {
        f"{number} 0 R".encode(): index for index, number in enumerate(pdf.pages["Kids"][::3])
    }
    slots = _parent_tree_slots(objects, pdf)
    links = [
        objects.objects[n] for n in sorted(reachable) if objects.objects[n].get("S") == "/Link"
    ]
    for element in links:
        if not element:  # already merged into its parent
            continue
        parent = objects.get(element["P"])
        if parent.get("S") != "/Link":
            continue
        while parent.get("S") == "/Link" and objects.get(parent["P"]).get("S") == "/Link":
            parent = objects.get(parent["P"])
        page = page_index.get(element.get("Pg"))
        for kid in element["K"]:
            if isinstance(kid, int) and (page, kid) in slots:
                array, position = slots[page, kid]
                array[position] = parent.reference
            elif isinstance(kid, bytes) and objects.get(kid).get("Type") == "/OBJR":
                annotation = objects.get(objects.get(kid)["Obj"])
                if annotation.get("StructParent") in slots:
                    array, position = slots[annotation["StructParent"]]
                    array[position] = parent.reference
        # Put the kids where the nested element was, in the outer element's reading order.
        own = objects.get(element["P"]) or parent  # its own parent, unless merged already
        if element.reference in own["K"]:
            position = own["K"].index(element.reference)
            own["K"][position : position + 1] = list(element["K"])
        else:
            own["K"].extend(element["K"])
        element.clear()
        reachable.discard(element.number)
    for number in reachable:
        element = objects.objects[number]
        if element.get("S") != "/Link":
            continue
        has_annotation = any(
            isinstance(kid, bytes) and objects.get(kid).get("Type") == "/OBJR"
            for kid in element.get("K", ())
        )
        if not has_annotation:
            element["S"] = "/Span"


def _words(element):
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _describe_links(document):
    """Give each link annotation the link's words (and page) as its /Contents."""
    anchor_pages = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            anchor_pages.setdefault(name, number)
    for page in document.pages:
        for link_type, target, _rectangle, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            if annotation is None:
                continue
            words = _words(box.element)
            if link_type == "internal" and target in anchor_pages:
                where = f"page {anchor_pages[target]}"
                contents = f"{words} ({where})" if words else f"Go to {where}"
            else:
                contents = words or str(target)
            annotation["Contents"] = pydyf.String(contents)


def _stream_bytes(items):
    """A content stream's items as pydyf joins them, without the no-op ``>0<`` in TJ arrays."""
    to_bytes = pydyf._to_bytes
    for item in items:
        if type(item) is bytes:
            # A TJ array of hex strings and numbers only (pydyf's show_text): joining two
            # hex strings across a zero adjustment draws the same glyphs at the same places.
            if item[:2] == b"[<" and item[-4:] == b"] TJ":
                item = item.replace(b">0<", b"")
            yield item
        else:
            yield to_bytes(item)


def compact_streams(pdf):
    """Deflate the streams pydyf would deflate, at ``COMPRESSION_LEVEL`` instead of 9."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress and "Filter" not in obj.extra:
            data = zlib.compress(b"\n".join(_stream_bytes(obj.stream)), COMPRESSION_LEVEL)
            obj.stream = [data]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False


def finish_structure(document, pdf):
    """WeasyPrint finisher: scope, artifacts, links, metadata, streams (see the module's docstring)."""
    if "StructTreeRoot" in pdf.catalog:
        _finish_tags(document, pdf)
    compact_streams(pdf)


def _finish_tags(document, pdf):
    objects = _Objects(pdf)
    root = objects.get(pdf.catalog["StructTreeRoot"])
    reachable = _reachable(objects, root)
    for element in objects.elements(root):
        _scope_cells(objects, element, in_head=False)
    _unlink_orphans(objects, pdf, reachable)
    _tidy_links(objects, pdf, reachable)
    _describe_links(document)
    # dc:title and the producer, with no conformance claim (version None: no pdfuaid:part).
    document.metadata.include_in_pdf(pdf, "ua", None, None, compress=False)
