"""Each holder's PDF written straight from the batch's overlay document, without a PDF library copying pages.

The background form and everything it uses (fonts, logo) are the same in every holder's file, and so are the
overlay's fonts shared by several pages: each is serialised once per batch under one object number and its
bytes are reused in every file. A file then needs only its own few objects (the page, its content, its QR
code) and a cross-reference table (one subsection per run of numbers). The QR code is a greyscale image made
here from the code's modules at the same scale as `CertificateView.qr_data_uri`, so the overlay document
that WeasyPrint lays out holds text only.
"""
import io
import re
import zlib

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, StreamObject

QR_NAME = b"/PraktikaQR"
QR_SCALE = 4  # pixels per module, as qr_data_uri
QR_DARK, QR_LIGHT = 0x11, 0xFF  # "#111111" on white, as qr_data_uri
_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]+)")
_FIXED = {"catalog": 1, "pages": 2, "page": 3, "background": 4, "draw": 5}
_SKIPPED_PAGE_KEYS = {"/Parent", "/Contents", "/Resources", "/Type"}


def _key(reference: IndirectObject) -> tuple[int, int]:
    return id(reference.pdf), reference.idnum


def _references(value, found: dict) -> None:
    """Every indirect object `value` leads to (a page's /Parent is never followed)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = _key(item)
            if key in found:
                continue
            item = found[key] = item.get_object()
        if isinstance(item, dict):
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, list):
            stack.extend(item)


def _write(value, out: io.BytesIO, number) -> None:
    if isinstance(value, IndirectObject):
        out.write(b"%d 0 R" % number(value))
    elif isinstance(value, StreamObject):
        data = value._data
        _write_dictionary({k: v for k, v in value.items() if k != "/Length"}, out, number, b"/Length %d" % len(data))
        out.write(b"\nstream\n")
        out.write(data)
        out.write(b"\nendstream")
    elif isinstance(value, dict):
        _write_dictionary(value, out, number)
    elif isinstance(value, list):
        out.write(b"[")
        for item in value:
            _write(item, out, number)
            out.write(b" ")
        out.write(b"]")
    else:
        value.write_to_stream(out)


def _write_dictionary(value: dict, out: io.BytesIO, number, extra: bytes = b"") -> None:
    out.write(b"<<")
    for name, item in value.items():
        NameObject(name).write_to_stream(out)
        out.write(b" ")
        _write(item, out, number)
        out.write(b"\n")
    out.write(extra + b">>")


def _serialised(value, number) -> bytes:
    out = io.BytesIO()
    _write(value, out, number)
    return out.getvalue()


def _stream(data: bytes, entries: dict | None = None) -> StreamObject:
    stream = StreamObject()
    stream.update(entries or {})
    stream._data = data
    return stream


def qr_image(matrix) -> StreamObject:
    """The QR code's modules as an 8-bit greyscale image, QR_SCALE pixels a module, no quiet zone."""
    pixels = (bytes([QR_LIGHT]) * QR_SCALE, bytes([QR_DARK]) * QR_SCALE)
    rows = [b"".join([pixels[module & 1] for module in row]) * QR_SCALE for row in matrix]
    size = len(matrix) * QR_SCALE
    return _stream(zlib.compress(b"".join(rows), 6), {
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(size), NameObject("/Height"): NumberObject(size),
        NameObject("/ColorSpace"): NameObject("/DeviceGray"), NameObject("/BitsPerComponent"): NumberObject(8),
        NameObject("/Filter"): NameObject("/FlateDecode")})


def split_groups(content: bytes, count: int) -> list[bytes] | None:
    """A page's content cut into `count` contents, one per top-level q…Q group (WeasyPrint writes one
    operator a line and glyphs as hex strings), each with the page's opening lines; None if the content
    is not one chain of single groups leading to exactly `count` sibling groups and nothing else."""
    lines = content.split(b"\n")
    depth, opened = 0, []  # (depth before the q, line number)
    closing = {}
    stack = []
    for number, line in enumerate(lines):
        operator = line.strip()
        if operator == b"q":
            opened.append((depth, number))
            stack.append(number)
            depth += 1
        elif operator == b"Q":
            if not stack:
                return None
            closing[stack.pop()] = number
            depth -= 1
    per_depth: dict[int, list[int]] = {}
    for level, number in opened:
        per_depth.setdefault(level, []).append(number)
    level = next((d for d in sorted(per_depth) if len(per_depth[d]) != 1), None)
    if level is None or len(per_depth[level]) != count or stack:
        return None
    starts = per_depth[level]
    ends = [closing[start] for start in starts]
    between = [line for end, start in zip(ends, starts[1:], strict=False) for line in lines[end + 1:start]]
    after = lines[ends[-1] + 1:]
    if any(line.strip() for line in between) or any(line.strip() not in (b"", b"Q") for line in after):
        return None
    prefix = lines[:starts[0]]
    return [b"\n".join([*prefix, *lines[start:end + 1], *[b"Q"] * level, b""])
            for start, end in zip(starts, ends, strict=True)]


class HolderFiles:
    """The overlay page's holder groups, each written as a holder's own PDF over the shared background.
    `holders` is empty when the page is not cut as expected (the caller then lays everyone out in full)."""

    def __init__(self, overlay_pdf: bytes, count: int, background_form: StreamObject, background_name: NameObject,
                 qr_box: tuple[float, float, float, float]):
        [self.page] = PdfReader(io.BytesIO(overlay_pdf)).pages
        self.background_name = background_name
        self.qr_box = qr_box  # x, y, width, height in CSS px from the page's top left corner
        contents = split_groups(self.page.get_contents().get_data(), count)
        self.holders: list[tuple[bytes, DictionaryObject, dict]] = [self._own_parts(c) for c in contents or ()]
        counted: dict = {}
        for _, _, found in self.holders:
            for key in found:
                counted[key] = counted.get(key, 0) + 1
        shared: dict = {}
        _references(background_form, shared)
        self.numbers: dict = {}
        next_number = len(_FIXED) + 1
        for key in list(shared) + [k for k, n in counted.items() if n > 1 and k not in shared]:
            self.numbers[key] = next_number
            next_number += 1
        self.objects = {**shared, **{k: v for _, _, found in self.holders for k, v in found.items()}}
        self.first_own = next_number
        self.shared_bytes: dict[int, bytes] = {}
        number = self._shared_number
        draw = _stream(b"q " + background_name.encode() + b" Do Q\n")
        self.fixed_bytes = {_FIXED["background"]: _serialised(background_form, number),
                            _FIXED["draw"]: _serialised(draw, number),
                            _FIXED["catalog"]: b"<</Type /Catalog /Pages 2 0 R>>",
                            _FIXED["pages"]: b"<</Type /Pages /Kids [3 0 R] /Count 1>>"}
        self.background_numbers = [self.numbers[k] for k in shared]
        for key in shared:
            self.shared_bytes[self.numbers[key]] = _serialised(shared[key], number)

    def _shared_number(self, reference: IndirectObject) -> int:
        return self.numbers[_key(reference)]

    def _own_parts(self, content: bytes) -> tuple[bytes, DictionaryObject, dict]:
        """A holder's content, the page's resources cut down to what it names, and every object they lead to."""
        used = {b"/" + name for name in _NAME.findall(content)}
        resources = DictionaryObject()
        for kind, entries in self.page["/Resources"].get_object().items():
            entries = entries.get_object()
            if isinstance(entries, dict):
                entries = DictionaryObject({k: v for k, v in entries.items() if k.encode() in used})
            resources[NameObject(kind)] = entries
        found: dict = {}
        _references([resources, *(v for k, v in self.page.items() if k not in _SKIPPED_PAGE_KEYS)], found)
        return content, resources, found

    def pdf(self, index: int, qr_matrix) -> bytes:
        """Holder `index`'s PDF: the background and the QR code drawn first, in the page's own space (the
        overlay's content leaves its transformation in place), then their own text."""
        content, resources, found = self.holders[index]
        local = {key: self.first_own + n for n, key in enumerate(k for k in found if k not in self.numbers)}
        content_number = self.first_own + len(local)
        qr_draw_number, qr_number = content_number + 1, content_number + 2

        def number(reference: IndirectObject) -> int:
            if reference.pdf is None:  # one of this file's own fixed numbers
                return reference.idnum
            key = _key(reference)
            return self.numbers[key] if key in self.numbers else local[key]

        objects = dict(self.fixed_bytes)
        for key in found:
            if key in local:
                objects[local[key]] = _serialised(found[key], number)
            else:
                shared = self.numbers[key]
                if shared not in self.shared_bytes:
                    self.shared_bytes[shared] = _serialised(self.objects[key], self._shared_number)
                objects[shared] = self.shared_bytes[shared]
        for numbered in self.background_numbers:
            objects[numbered] = self.shared_bytes[numbered]
        box = self.page.mediabox
        left, top, scale = float(box.left), float(box.top), 0.75  # CSS px → PDF points
        x, y, width, height = self.qr_box
        qr_draw = b"q %.4f 0 0 %.4f %.4f %.4f cm %s Do Q\n" % (
            width * scale, height * scale, left + x * scale, top - (y + height) * scale, QR_NAME)
        objects[qr_draw_number] = _serialised(_stream(qr_draw), number)
        objects[qr_number] = _serialised(qr_image(qr_matrix), number)
        objects[content_number] = _serialised(_stream(zlib.compress(content), {
            NameObject("/Filter"): NameObject("/FlateDecode")}), number)
        xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()))
        xobjects[self.background_name] = IndirectObject(_FIXED["background"], 0, None)
        xobjects[NameObject(QR_NAME.decode())] = IndirectObject(qr_number, 0, None)
        own_resources = DictionaryObject(resources)
        own_resources[NameObject("/XObject")] = xobjects
        entries = {k: v for k, v in self.page.items() if k not in _SKIPPED_PAGE_KEYS}
        entries.update({"/Type": NameObject("/Page"), "/Parent": IndirectObject(_FIXED["pages"], 0, None),
                        "/Resources": own_resources,
                        "/Contents": ArrayObject([IndirectObject(n, 0, None) for n in
                                                  (_FIXED["draw"], qr_draw_number, content_number)])})
        objects[_FIXED["page"]] = _serialised(entries, number)
        return _file(objects)


def _file(objects: dict[int, bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for numbered in sorted(objects):
        offsets[numbered] = out.tell()
        out.write(b"%d 0 obj\n" % numbered)
        out.write(objects[numbered])
        out.write(b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f \n")
    numbers = sorted(offsets)
    run_start = 0
    for position in range(1, len(numbers) + 1):
        if position == len(numbers) or numbers[position] != numbers[position - 1] + 1:
            run = numbers[run_start:position]
            out.write(b"%d %d\n" % (run[0], len(run)))
            out.write(b"".join(b"%010d 00000 n \n" % offsets[n] for n in run))
            run_start = position
    out.write(b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (numbers[-1] + 1, start))
    return out.getvalue()
