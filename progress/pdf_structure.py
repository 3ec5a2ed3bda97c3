"""Finishing touches to the tagged PDF's structure that WeasyPrint does not write.

WeasyPrint tags table header cells as /TH but leaves out their /Scope, so a
screen reader cannot tell whether a header heads a column or a row (PDF/UA-1,
ISO 14289-1, 7.5; the outside audit found none of 54 to 78 header cells in a
report had one). ``scope_table_headers`` gives each /TH the scope its HTML
cell had: a header in the table's head (/THead) heads a column; one that
starts a row of the body heads that row (the reports write
``<th scope="col">`` and ``<th scope="row">`` exactly so).
"""

import io

import pypdf
from pypdf.generic import DictionaryObject, NameObject


def _kids(node):
    kids = node.get("/K")
    if kids is None:
        return []
    return kids if isinstance(kids, list) else [kids]


def _elements(kids):
    """The structure elements among ``kids`` (not marked-content ids or object references)."""
    found = []
    for kid in kids:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and "/S" in kid:
            found.append(kid)
    return found


def _scope_cells(node, in_head):
    role = node.get("/S")
    if role == "/TR":
        for position, cell in enumerate(_elements(_kids(node))):
            if cell.get("/S") != "/TH":
                continue
            scope = "/Column" if in_head or position > 0 else "/Row"
            attributes = DictionaryObject(
                {NameObject("/O"): NameObject("/Table"), NameObject("/Scope"): NameObject(scope)}
            )
            cell[NameObject("/A")] = attributes
        return
    for child in _elements(_kids(node)):
        _scope_cells(child, in_head or role == "/THead")


def scope_table_headers(pdf):
    """``pdf`` with a /Scope on every table header cell; unchanged if it is not tagged."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if "/StructTreeRoot" not in reader.trailer["/Root"]:
        return pdf
    writer = pypdf.PdfWriter(clone_from=reader)
    _scope_cells(writer.root_object["/StructTreeRoot"].get_object(), in_head=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
