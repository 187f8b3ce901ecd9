"""Real small files for upload tests: a one-page PDF, a 1×1 PNG, and hostile look-alikes."""
import io
import struct
import zipfile
import zlib

from werkzeug.datastructures import FileStorage


def minimal_pdf(text: str = "Praktika") -> bytes:
    """A valid one-page PDF (objects, cross-reference table and trailer with correct offsets)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def minimal_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def upload(data: bytes, filename: str, content_type: str = "application/pdf") -> FileStorage:
    """What the browser sends: the content, the user's filename and a Content-Type we do not trust."""
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def pdf_upload(filename: str = "slides.pdf") -> FileStorage:
    return upload(minimal_pdf(), filename)


# --- zip-based documents (DOCX, PPTX, ODT, ODP, EPUB are zip archives) -----------------------

FIRST_PART = {"docx": ("word/document.xml", b"<w:document/>"), "pptx": ("ppt/presentation.xml", b"<p:presentation/>"),
              "epub": ("mimetype", b"application/epub+zip"),
              "odt": ("mimetype", b"application/vnd.oasis.opendocument.text"),
              "odp": ("mimetype", b"application/vnd.oasis.opendocument.presentation")}


def zipped_document(kind: str, payload: bytes = "<p>Памятка пациента</p>".encode()) -> bytes:
    """A `kind` document as filetype recognises it (its identifying part first, stored), then `payload`
    deflated as the content part."""
    out = io.BytesIO()
    name, first = FIRST_PART[kind]
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), first, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def zip_bomb(kind: str, unpacked: int) -> bytes:
    """A few kilobytes that unpack to `unpacked` bytes of zeros, under the name of a `kind` document."""
    return zipped_document(kind, b"\x00" * unpacked)
