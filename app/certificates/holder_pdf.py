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


class HolderFiles:
    """One overlay document's pages, each written as a holder's own PDF over the shared background."""

    def __init__(self, overlay_pdf: bytes, background_form: StreamObject, background_name: NameObject,
                 qr_box: tuple[float, float, float, float]):
        self.reader = PdfReader(io.BytesIO(overlay_pdf))
        self.background_name = background_name
        self.qr_box = qr_box  # x, y, width, height in CSS px from the page's top left corner
        self.pages = list(self.reader.pages)
        self.own: list[tuple[DictionaryObject, dict]] = [self._own_parts(page) for page in self.pages]
        counted: dict = {}
        for _, found in self.own:
            for key in found:
                counted[key] = counted.get(key, 0) + 1
        shared: dict = {}
        _references(background_form, shared)
        self.numbers: dict = {}
        next_number = len(_FIXED) + 1
        for key in list(shared) + [k for k, n in counted.items() if n > 1 and k not in shared]:
            self.numbers[key] = next_number
            next_number += 1
        self.objects = {**shared, **{k: v for _, found in self.own for k, v in found.items()}}
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

    def _own_parts(self, page) -> tuple[DictionaryObject, dict]:
        """The page's resources cut down to what its content names, and every object they lead to."""
        content = page.get_contents().get_data()
        used = {b"/" + name for name in _NAME.findall(content)}
        resources = DictionaryObject()
        for kind, entries in page["/Resources"].get_object().items():
            entries = entries.get_object()
            if isinstance(entries, dict):
                entries = DictionaryObject({k: v for k, v in entries.items() if k.encode() in used})
            resources[NameObject(kind)] = entries
        found: dict = {}
        _references(resources, found)
        _references([page.raw_get("/Contents"), *(v for k, v in page.items() if k not in _SKIPPED_PAGE_KEYS)], found)
        return resources, found

    def pdf(self, index: int, qr_matrix) -> bytes:
        """Holder `index`'s PDF: the background and the QR code drawn first, in the page's own space (the
        overlay's content leaves its transformation in place), then their own text."""
        page = self.pages[index]
        resources, found = self.own[index]
        local = {key: self.first_own + n for n, key in enumerate(k for k in found if k not in self.numbers)}
        qr_draw_number, qr_number = self.first_own + len(local), self.first_own + len(local) + 1

        def number(reference: IndirectObject) -> int:
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
        box = page.mediabox
        left, top, scale = float(box.left), float(box.top), 0.75  # CSS px → PDF points
        x, y, width, height = self.qr_box
        qr_draw = b"q %.4f 0 0 %.4f %.4f %.4f cm %s Do Q\n" % (
            width * scale, height * scale, left + x * scale, top - (y + height) * scale, QR_NAME)
        objects[qr_draw_number] = _serialised(_stream(qr_draw), number)
        objects[qr_number] = _serialised(qr_image(qr_matrix), number)
        contents = page.raw_get("/Contents")
        contents = ArrayObject([IndirectObject(5, 0, None), IndirectObject(qr_draw_number, 0, None),
                                *(contents if isinstance(contents, ArrayObject) else [contents])])
        xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()))
        xobjects[self.background_name] = IndirectObject(4, 0, None)
        xobjects[NameObject(QR_NAME.decode())] = IndirectObject(qr_number, 0, None)
        own_resources = DictionaryObject(resources)
        own_resources[NameObject("/XObject")] = xobjects
        entries = {k: v for k, v in page.items() if k not in _SKIPPED_PAGE_KEYS}
        entries.update({"/Type": NameObject("/Page"), "/Parent": IndirectObject(2, 0, None),
                        "/Resources": own_resources,
                        "/Contents": contents})

        def page_number(reference: IndirectObject) -> int:
            return reference.idnum if reference.pdf is None else number(reference)

        objects[_FIXED["page"]] = _serialised(entries, page_number)
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
