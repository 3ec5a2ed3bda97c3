"""The one set of zip checks shared by evidence uploads and the plan import (kit/zipsafety.py)."""

import io
import zipfile

import pytest

from kit import zipsafety

LIMITS = zipsafety.Limits(max_members=50, max_unpacked_bytes=10 * 1024 * 1024)


def zip_of(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_encrypted_flag(content):
    """Mark every member as encrypted, as a password-protected zip's directory does."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + offset] |= 0x1
            start = data.find(signature, start + 4)
    return bytes(data)


def problem(content):
    with pytest.raises(zipsafety.ZipProblem) as raised:
        archive = zipsafety.open_zip(io.BytesIO(content), LIMITS)
        with archive:
            zipsafety.office_problem(archive)
    return raised.value


DOCX = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"}


def test_a_plain_office_file_passes():
    archive = zipsafety.open_zip(io.BytesIO(zip_of(DOCX)), LIMITS)
    with archive:
        zipsafety.office_problem(archive)


@pytest.mark.parametrize("name", ["../outside.xml", "word/../../outside.xml", "/etc/x.xml"])
def test_names_that_climb_out_of_the_file_are_refused(name):
    assert problem(zip_of({**DOCX, name: "<x/>"})).code == "unsafe_name"


def test_a_windows_path_is_refused():
    assert problem(zip_of({**DOCX, "C:\\temp\\x.xml": "<x/>"})).code == "unsafe_name"


def test_an_encrypted_member_is_refused():
    refused = problem(with_encrypted_flag(zip_of(DOCX)))
    assert refused.code == "encrypted"
    assert "Remove the password" in refused.message


def test_a_zip_inside_the_zip_is_refused():
    inner = zip_of({"a.txt": "a"})
    assert problem(zip_of({**DOCX, "word/media/archive.zip": inner})).code == "nested_zip"


def test_too_many_members_and_too_much_unpacked_are_refused_from_the_directory(monkeypatch):
    many = zip_of({**DOCX, **{f"word/part{n}.xml": "<p/>" for n in range(60)}})
    big = zip_of({**DOCX, "word/media/big.bin": b"\x00" * (11 * 1024 * 1024)})
    monkeypatch.setattr(zipfile.ZipFile, "open", None)  # nothing may be unpacked
    assert problem(many).code == "too_many_members"
    assert problem(big).code == "too_big_unpacked"


def test_a_member_with_an_absurd_compression_ratio_is_refused(monkeypatch):
    limits = zipsafety.Limits(max_members=50, max_unpacked_bytes=100 * 1024 * 1024)
    content = zip_of({**DOCX, "word/media/blank.bin": b"\x00" * (5 * 1024 * 1024)})
    monkeypatch.setattr(zipfile.ZipFile, "open", None)
    with pytest.raises(zipsafety.ZipProblem, match="zip bomb"):
        zipsafety.open_zip(io.BytesIO(content), limits)


def rels(*relationships):
    body = "".join(
        f'<Relationship Id="r{n}" Type="{kind}" Target="{target}"{mode}/>'
        for n, (kind, target, mode) in enumerate(relationships)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    )


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
EXTERNAL = ' TargetMode="External"'


def test_a_plain_hyperlink_to_a_website_is_allowed():
    content = zip_of(
        {
            **DOCX,
            "word/_rels/document.xml.rels": rels(
                (R + "hyperlink", "https://example.org", EXTERNAL)
            ),
        }
    )
    archive = zipsafety.open_zip(io.BytesIO(content), LIMITS)
    with archive:
        zipsafety.office_problem(archive)


def test_an_external_template_is_refused():
    content = zip_of(
        {
            **DOCX,
            "word/_rels/settings.xml.rels": rels(
                (R + "attachedTemplate", "https://example.org/t.dotm", EXTERNAL)
            ),
        }
    )
    assert problem(content).code == "external_template"


def test_a_linked_picture_is_refused_but_an_internal_one_is_not():
    linked = rels((R + "image", "https://example.org/pixel.png", EXTERNAL))
    internal = rels((R + "image", "media/image1.png", ""))
    assert (
        problem(zip_of({**DOCX, "word/_rels/document.xml.rels": linked})).code
        == "external_relationship"
    )
    archive = zipsafety.open_zip(
        io.BytesIO(zip_of({**DOCX, "word/_rels/document.xml.rels": internal})), LIMITS
    )
    with archive:
        zipsafety.office_problem(archive)


def test_an_entity_bomb_in_a_relationships_part_is_refused_unread():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Relationships>&b;</Relationships>'
    )
    assert problem(zip_of({**DOCX, "_rels/.rels": bomb})).code == "damaged"
