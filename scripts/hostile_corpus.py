#!/usr/bin/env python3
"""Writes a corpus of hostile inputs for `anjuan scan` (issue 14, item 5).

    python3 scripts/hostile_corpus.py OUT_DIR [--public CACHE_DIR]

OUT_DIR receives `*.pdf` files and folders of page images (each folder one
dossier), and `MANIFEST.tsv` (name, category, what it is). Every input must
end `ok` or `failed` with a clear reason, quickly and within the memory bound
(tests/reliability/corpus.rs checks that).

Needs Python 3.11 (stdlib only), Debian's `qpdf` (encryption, object streams)
and poppler-utils' `pdftoppm` (the page images the valid bases are made of,
cut from the shipped `samples/d2026-025.pdf`). Output is deterministic: the
same tools give the same bytes (random choices come from a fixed seed; qpdf
runs with --static-id / --static-aes-iv).

With `--public CACHE_DIR` it also takes the test PDFs shipped in the sdist of
pypdf 5.1.0 (PyPI, pinned and sha256-checked, downloaded with `pip download`
into CACHE_DIR once; skipped with a warning when PyPI cannot be reached);
without it, the corpus is synthetic only.

Not byte-deterministic: the R5/R6 (AES-256) files, whose keys and salts qpdf
always draws at random.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path

SEED = 1414
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "d2026-025.pdf"

# name -> (category, description)
MANIFEST: list[tuple[str, str, str]] = []
OUT: Path = Path(".")


def note(name: str, category: str, what: str) -> None:
    MANIFEST.append((name, category, what.replace("\t", " ").replace("\n", " ")))


def put(name: str, data: bytes, category: str, what: str) -> None:
    """Writes OUT/name (a .pdf dossier)."""
    assert name.endswith(".pdf"), name
    assert not (OUT / name).exists(), f"duplicate name {name}"
    (OUT / name).write_bytes(data)
    note(name, category, what)


def put_folder(name: str, files: dict[str, bytes], category: str, what: str) -> None:
    """Writes OUT/name/ with the given page images (one image-folder dossier)."""
    d = OUT / name
    assert not d.exists(), f"duplicate name {name}"
    d.mkdir()
    for fname, data in files.items():
        (d / fname).write_bytes(data)
    note(name + "/", category, what)


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, **kw)


def qpdf(src: bytes, *args: str, ok_codes=(0, 3)) -> bytes:
    """Runs qpdf on src with args; returns the output file. Exit 3 = warnings."""
    with tempfile.TemporaryDirectory() as t:
        i, o = Path(t) / "in.pdf", Path(t) / "out.pdf"
        i.write_bytes(src)
        p = subprocess.run(
            ["qpdf", "--static-id", *args, str(i), str(o)], capture_output=True
        )
        if p.returncode not in ok_codes:
            raise RuntimeError(f"qpdf {args}: {p.stderr.decode(errors='replace')}")
        return o.read_bytes()


# ---------------------------------------------------------------- PDF writer


def stream(entries: bytes, data: bytes, length: bytes | None = None) -> bytes:
    ln = length if length is not None else str(len(data)).encode()
    return b"<< " + entries + b" /Length " + ln + b" >>\nstream\n" + data + b"\nendstream"


def mkpdf(
    objs: dict[int, bytes],
    trailer: bytes = b"/Root 1 0 R",
    version: bytes = b"1.7",
    xref: bool = True,
    size: int | None = None,
) -> bytes:
    """A classic PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n"
    n = size if size is not None else max(objs, default=0) + 1
    if xref:
        start = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % n
        for i in range(1, n):
            if i in offsets:
                out += b"%010d 00000 n \n" % offsets[i]
            else:
                out += b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d " % n + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % start
    else:
        out += b"trailer\n<< " + trailer + b" >>\n%%EOF\n"
    return bytes(out)


def page_objs(
    content: bytes,
    resources: bytes = b"<< >>",
    media: bytes = b"[0 0 595 842]",
    extra_page: bytes = b"",
    extra: dict[int, bytes] | None = None,
) -> dict[int, bytes]:
    """1 catalog, 2 pages, 3 page, 4 contents, then `extra` (5…)."""
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox "
        + media
        + b" /Resources "
        + resources
        + b" /Contents 4 0 R "
        + extra_page
        + b">>",
        4: stream(b"", content),
    }
    objs.update(extra or {})
    return objs


SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_size(jpg: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 < len(jpg):
        assert jpg[at] == 0xFF
        marker = jpg[at + 1]
        ln = struct.unpack(">H", jpg[at + 2 : at + 4])[0]
        if marker in SOF_MARKERS:
            h, w = struct.unpack(">HH", jpg[at + 5 : at + 9])
            return w, h
        at += 2 + ln
    raise ValueError("no SOF")


def jpeg_set_size(jpg: bytes, w: int, h: int, sof: int | None = None) -> bytes:
    """The JPEG with its SOF declaring w x h (and optionally another SOF marker)."""
    b = bytearray(jpg)
    at = 2
    while at + 9 < len(b):
        marker = b[at + 1]
        ln = struct.unpack(">H", b[at + 2 : at + 4])[0]
        if marker in SOF_MARKERS:
            b[at + 5 : at + 9] = struct.pack(">HH", h, w)
            if sof is not None:
                b[at + 1] = sof
            return bytes(b)
        at += 2 + ln
    raise ValueError("no SOF")


def image_page(jpg: bytes, gray: bool = True, media=(595, 842)) -> bytes:
    w, h = jpeg_size(jpg)
    cs = b"/DeviceGray" if gray else b"/DeviceRGB"
    pw, ph = media
    return mkpdf(
        page_objs(
            b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (pw, ph),
            b"<< /XObject << /Im0 5 0 R >> >>",
            media=b"[0 0 %d %d]" % (pw, ph),
            extra={
                5: stream(
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"
                    b" /BitsPerComponent 8 /Filter /DCTDecode" % (w, h, cs),
                    jpg,
                )
            },
        )
    )


def image_xobject_page(entries: bytes, data: bytes, media=b"[0 0 595 842]") -> bytes:
    """A page whose content draws one image XObject over the whole page."""
    return mkpdf(
        page_objs(
            b"q 595 0 0 842 0 0 cm /Im0 Do Q",
            b"<< /XObject << /Im0 5 0 R >> >>",
            media=media,
            extra={5: stream(b"/Type /XObject /Subtype /Image " + entries, data)},
        )
    )


TEXT_CONTENT = (
    b"BT /F1 14 Tf 72 760 Td (Administrative penalty decision, case 2026-025.) Tj "
    b"0 -20 Td (The party is ordered to remove the roadside sign.) Tj ET"
)
FONT_RES = b"<< /Font << /F1 5 0 R >> >>"
FONT_OBJ = {5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}


def text_pdf() -> bytes:
    return mkpdf(page_objs(TEXT_CONTENT, FONT_RES, extra=FONT_OBJ))


def vector_content(w: int, h: int, n: int = 200) -> bytes:
    rnd = random.Random(SEED + w)
    ops = [b"0.5 w"]
    for _ in range(n):
        ops.append(
            b"%d %d m %d %d l S"
            % (rnd.randrange(w), rnd.randrange(h), rnd.randrange(w), rnd.randrange(h))
        )
    return b"\n".join(ops)


def zeros_flate(total: int, chunk: int, fill: int = 0) -> bytes:
    """zlib stream of `total` bytes of `fill`, made quickly: one chunk is
    compressed with a full flush (so its output stands alone) and repeated."""
    assert total % chunk == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes([fill]) * chunk
    x = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    n = total // chunk
    adler = 1
    for _ in range(n):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + x * n + tail + struct.pack(">I", adler)


# ---------------------------------------------------------------- images


def png(w: int, h: int, rows: bytes | None = None, depth=8, ctype=0, idat=None, crc_ok=True) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) if crc_ok else 0xDEADBEEF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(rows if rows is not None else b"", 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tiff(
    w: int,
    h: int,
    pixels: bytes,
    compression: int = 1,
    bps: int = 8,
    next_ifd: int | None = None,
    strip_offset: int | None = None,
    strip_count: int | None = None,
    ifd_offset: int | None = None,
    entries_override: dict[int, tuple[int, int, int]] | None = None,
) -> bytes:
    """A little-endian gray TIFF, one strip; fields overridable to break it."""
    data_off = 8
    ifd = data_off + len(pixels)
    ifd += ifd % 2
    tags = {
        256: (4, 1, w),  # ImageWidth LONG
        257: (4, 1, h),
        258: (3, 1, bps),
        259: (3, 1, compression),
        262: (3, 1, 1),  # BlackIsZero
        273: (4, 1, strip_offset if strip_offset is not None else data_off),
        277: (3, 1, 1),
        278: (4, 1, h),
        279: (4, 1, strip_count if strip_count is not None else len(pixels)),
    }
    tags.update(entries_override or {})
    body = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset if ifd_offset is not None else ifd))
    body += pixels
    if len(body) % 2:
        body += b"\0"
    body += struct.pack("<H", len(tags))
    for tag in sorted(tags):
        typ, count, val = tags[tag]
        if typ == 3:
            body += struct.pack("<HHIHH", tag, typ, count, val & 0xFFFF, 0)
        else:
            body += struct.pack("<HHII", tag, typ, count, val & 0xFFFFFFFF)
    body += struct.pack("<I", ifd if next_ifd == -1 else (next_ifd or 0))
    return bytes(body)


# ---------------------------------------------------------------- bases


class Bases:
    def __init__(self, tmp: Path):
        def ppm(fmt: list[str], res: int, page: int, name: str, ext: str) -> bytes:
            stem = tmp / name
            run("pdftoppm", "-f", str(page), "-l", str(page), "-r", str(res), *fmt,
                "-singlefile", str(SAMPLE), str(stem))
            return (tmp / f"{name}.{ext}").read_bytes()

        # Page images of a real generated dossier, small so that OCR stays quick.
        self.jpg = ppm(["-gray", "-jpeg", "-jpegopt", "quality=60"], 60, 1, "p1", "jpg")
        self.jpg2 = ppm(["-gray", "-jpeg", "-jpegopt", "quality=60"], 60, 2, "p2", "jpg")
        self.jpg_rgb = ppm(["-jpeg", "-jpegopt", "quality=50"], 50, 3, "p3", "jpg")
        self.png = ppm(["-gray", "-png"], 50, 4, "p4", "png")
        self.tif = ppm(["-gray", "-tiff", "-tiffcompression", "lzw"], 50, 5, "p5", "tif")
        self.tif_raw = ppm(["-mono", "-tiff", "-tiffcompression", "g4"], 60, 6, "p6", "tif")
        # A one-page PDF: the page one full-page JPEG (the common case).
        self.pdf1 = image_page(self.jpg)
        # Two pages, the second in colour.
        w1, h1 = jpeg_size(self.jpg)
        w2, h2 = jpeg_size(self.jpg_rgb)
        self.pdf2 = mkpdf(
            {
                1: b"<< /Type /Catalog /Pages 2 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
                3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>",
                4: stream(b"", b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
                5: stream(
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d"
                    b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode" % (w1, h1),
                    self.jpg,
                ),
                6: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90"
                b" /Resources << /XObject << /Im0 8 0 R >> >> /Contents 7 0 R >>",
                7: stream(b"", b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
                8: stream(
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d"
                    b" /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode" % (w2, h2),
                    self.jpg_rgb,
                ),
            }
        )
        # The same as object streams + a cross-reference stream (PDF 1.5).
        self.pdf_objstm = qpdf(self.pdf2, "--object-streams=generate", "--compress-streams=y")
        # A page with a text layer (no OCR).
        self.pdf_text = text_pdf()
        # A real page cut from the sample (its own structure, a 200 dpi scan).
        self.pdf_sample = qpdf(SAMPLE.read_bytes(), "--pages", ".", "1", "--")
        # A small CCITT G4 page (pdfium decodes it).
        self.pdf_g4 = self._g4_pdf(tmp)

    def _g4_pdf(self, tmp: Path) -> bytes:
        # pdftoppm writes a 1-strip G4 TIFF: lift its strip into a CCITTFax image.
        t = self.tif_raw
        assert t[:4] == b"II*\x00"
        ifd = struct.unpack("<I", t[4:8])[0]
        n = struct.unpack("<H", t[ifd : ifd + 2])[0]
        tags = {}
        for i in range(n):
            tag, typ, cnt, val = struct.unpack("<HHII", t[ifd + 2 + 12 * i : ifd + 14 + 12 * i])
            if typ == 3:
                val &= 0xFFFF
            tags[tag] = (typ, cnt, val)
        w, h = tags[256][2], tags[257][2]
        # Take the first strip only (its rows are a valid G4 image on their own).
        def first(tag: int) -> int:
            typ, cnt, val = tags[tag]
            if cnt == 1:
                return val
            return struct.unpack("<I" if typ == 4 else "<H", t[val : val + (4 if typ == 4 else 2)])[0]

        off, cnt = first(273), first(279)
        h = min(h, tags[278][2]) if 278 in tags else h
        data = t[off : off + cnt]
        return image_xobject_page(
            b"/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1"
            b" /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 %s >>"
            % (w, h, w, h, b"true" if tags.get(262, (0, 0, 0))[2] == 1 else b"false"),
            data,
        )


# ---------------------------------------------------------------- categories


def controls(b: Bases) -> None:
    c = "control"
    put("control-jpeg-page.pdf", b.pdf1, c, "valid: one page, one full-page gray JPEG")
    put("control-two-pages.pdf", b.pdf2, c, "valid: two pages, gray + colour /Rotate 90")
    put("control-objstm.pdf", b.pdf_objstm, c, "valid: object streams and an xref stream (qpdf)")
    put("control-text-layer.pdf", b.pdf_text, c, "valid: a page with a text layer")
    put("control-sample-page.pdf", b.pdf_sample, c, "valid: page 1 of samples/d2026-025.pdf (qpdf --pages)")
    put("control-ccitt-g4.pdf", b.pdf_g4, c, "valid: a CCITT G4 full-page image")
    put("control-linearized.pdf", qpdf(b.pdf2, "--linearize"), c, "valid: linearized (qpdf)")
    put_folder("control-image-folder", {"1.jpg": b.jpg, "2.png": b.png, "3.tif": b.tif},
               c, "valid: JPEG, PNG and LZW TIFF pages")


def truncations(b: Bases) -> None:
    c = "truncated"
    for base_name, base in (("jpeg", b.pdf1), ("objstm", b.pdf_objstm), ("sample", b.pdf_sample)):
        n = len(base)
        cuts = sorted({1, 5, 8, 9, 15, 64, 200, 1000, n // 10, n // 4, n // 3, n // 2,
                       2 * n // 3, 9 * n // 10, n - 200, n - 40, n - 10, n - 6, n - 1})
        if base_name != "jpeg":
            cuts = [x for i, x in enumerate(cuts) if i % 2 == 0]  # fewer for the others
        for at in cuts:
            put(f"trunc-{base_name}-{at:07d}.pdf", base[:at], c,
                f"{base_name} base ({n} bytes) cut at byte {at}")
    # Cut, then given a plausible ending so that it gets past a %%EOF check.
    rnd = random.Random(SEED)
    for base_name, base in (("jpeg", b.pdf1), ("objstm", b.pdf_objstm), ("sample", b.pdf_sample)):
        n = len(base)
        for _ in range(7):
            at = rnd.randrange(16, n - 16)
            put(f"trunc-eof-{base_name}-{at:07d}.pdf", base[:at] + b"\nstartxref\n%d\n%%%%EOF\n" % (at // 2),
                c, f"{base_name} base cut at byte {at}, then 'startxref/%%EOF' appended (pointing inside)")
    # The middle of the file missing (a hole), ends intact.
    n = len(b.pdf1)
    put("trunc-hole-jpeg.pdf", b.pdf1[: n // 3] + b.pdf1[2 * n // 3 :], c,
        "jpeg base with its middle third cut out (xref offsets now wrong)")
    put("trunc-xref-only.pdf", b.pdf1[b.pdf1.rindex(b"xref") :], c, "only the xref table and trailer")


def bitflips(b: Bases) -> None:
    c = "bitflip"
    rnd = random.Random(SEED + 1)
    bases = (("jpeg", b.pdf1, 14), ("objstm", b.pdf_objstm, 12), ("text", b.pdf_text, 8),
             ("sample", b.pdf_sample, 6), ("g4", b.pdf_g4, 6))
    for base_name, base, count in bases:
        for k in range(count):
            data = bytearray(base)
            flips = rnd.choice([1, 1, 2, 4, 16, 64])
            # Half the time aim at the structure (the last 2 KB and the object headers).
            where = []
            for _ in range(flips):
                if k % 2 and len(data) > 4096:
                    lo = rnd.choice([0, len(data) - 2048])
                    at = rnd.randrange(lo, lo + 2048)
                else:
                    at = rnd.randrange(len(data))
                data[at] ^= 1 << rnd.randrange(8)
                where.append(at)
            put(f"flip-{base_name}-{k:02d}.pdf", bytes(data), c,
                f"{base_name} base with {flips} bit(s) flipped (first at {min(where)})")
    # Bytes overwritten by runs of garbage.
    for k in range(6):
        data = bytearray(b.pdf1)
        at = rnd.randrange(len(data) - 600)
        ln = rnd.choice([16, 128, 512])
        data[at : at + ln] = bytes(rnd.randrange(256) for _ in range(ln))
        put(f"garbage-jpeg-{k:02d}.pdf", bytes(data), c, f"jpeg base, {ln} random bytes at {at}")


def encrypted(b: Bases) -> None:
    c = "encrypted"
    modes = [
        ("r2", ["40"], "RC4 40-bit (R2)"),
        ("r3", ["128", "--use-aes=n"], "RC4 128-bit (R3)"),
        ("r4-rc4", ["128", "--use-aes=n", "--force-V4"], "RC4 128-bit V4 (R4)"),
        ("r4-aes", ["128", "--use-aes=y"], "AES-128 (R4)"),
        ("r5", ["256", "--force-R5"], "AES-256 (R5, deprecated)"),
        ("r6", ["256"], "AES-256 (R6)"),
    ]
    for tag, args, what in modes:
        for user, label in (("secret", "user password"), ("", "empty user password")):
            name = f"enc-{tag}-{'pw' if user else 'nopw'}.pdf"
            try:
                data = qpdf(b.pdf1, "--static-aes-iv", "--allow-weak-crypto", "--encrypt", user, "owner",
                            *args, "--")
            except RuntimeError as e:
                print(f"skipped {name}: {e}", file=sys.stderr)
                continue
            put(name, data, c, f"{what}, {label}" + ("" if user else " (opens without one)"))
    obj = qpdf(b.pdf_objstm, "--static-aes-iv", "--encrypt", "secret", "owner", "256", "--")
    put("enc-r6-objstm-pw.pdf", obj, c, "AES-256 (R6) with object streams, user password")
    restr = qpdf(b.pdf1, "--static-aes-iv", "--encrypt", "", "owner", "256", "--extract=n", "--print=none",
                 "--modify=none", "--")
    put("enc-r6-restricted-nopw.pdf", restr, c, "AES-256, empty user password, extraction/printing forbidden")
    # Hand-made Encrypt dictionaries that no handler knows, or that are broken.
    for tag, enc in (
        ("unknown-filter", b"<< /Filter /FooSecurity /V 1 /R 2 /O <00> /U <00> /P -4 >>"),
        ("r7", b"<< /Filter /Standard /V 5 /R 7 /Length 256 /O <00> /U <00> /P -4 >>"),
        ("no-keys", b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 >>"),
        ("not-a-dict", b"(hello)"),
        ("pubkey", b"<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /R 4 /Recipients [<00>] >>"),
    ):
        objs = page_objs(b"q 595 0 0 842 0 0 cm /Im0 Do Q", b"<< /XObject << /Im0 5 0 R >> >>",
                         extra={5: stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace"
                                          b" /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
                                          % jpeg_size(b.jpg), b.jpg),
                                6: enc})
        put(f"enc-{tag}.pdf", mkpdf(objs, trailer=b"/Root 1 0 R /Encrypt 6 0 R /ID [<0123><0123>]"), c,
            f"/Encrypt {tag}: {enc[:60].decode(errors='replace')}")


def zero_pages() -> None:
    c = "zero_pages"
    cat = b"<< /Type /Catalog /Pages 2 0 R >>"
    cases = {
        "count0": {1: cat, 2: b"<< /Type /Pages /Kids [] /Count 0 >>"},
        "no-kids": {1: cat, 2: b"<< /Type /Pages /Count 1 >>"},
        "kids-not-pages": {1: cat, 2: b"<< /Type /Pages /Kids [1 0 R 4 0 R] /Count 2 >>", 4: b"42"},
        "kids-missing": {1: cat, 2: b"<< /Type /Pages /Kids [9 0 R 10 0 R] /Count 2 >>"},
        "pages-null": {1: b"<< /Type /Catalog /Pages null >>"},
        "no-pages-key": {1: b"<< /Type /Catalog >>"},
        "root-not-dict": {1: b"[1 2 3]"},
    }
    for tag, objs in cases.items():
        put(f"zero-{tag}.pdf", mkpdf(objs), c, f"a document without pages: {tag}")
    put("zero-no-root.pdf", mkpdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                   2: b"<< /Type /Pages /Kids [] /Count 0 >>"}, trailer=b""), c,
        "trailer without /Root")
    put("zero-no-objects.pdf", mkpdf({}, trailer=b""), c, "header, empty xref, trailer: no objects at all")


def huge(b: Bases) -> None:
    c = "huge_page"
    vc = vector_content(14400, 14400)
    put("huge-media-14400.pdf", mkpdf(page_objs(vc, media=b"[0 0 14400 14400]")), c,
        "MediaBox 14400 x 14400 pt (the PDF maximum, 200 in square) with vector lines")
    put("huge-media-14400-userunit.pdf",
        mkpdf(page_objs(vc, media=b"[0 0 14400 14400]", extra_page=b"/UserUnit 75000 "), version=b"1.6"), c,
        "MediaBox 14400 pt square with /UserUnit 75000")
    put("huge-media-1e9.pdf", mkpdf(page_objs(b"0 0 m 1e9 1e9 l S", media=b"[0 0 1000000000 1000000000]")), c,
        "MediaBox 1e9 pt square (beyond the PDF limit)")
    put("huge-media-1e38.pdf", mkpdf(page_objs(b"0 0 m 10 10 l S", media=b"[-1e38 -1e38 1e38 1e38]")), c,
        "MediaBox +-1e38")
    put("huge-media-wide.pdf", mkpdf(page_objs(vector_content(14400, 3), media=b"[0 0 14400 3]")), c,
        "MediaBox 14400 x 3 pt (absurd aspect)")
    put("huge-media-tall.pdf", mkpdf(page_objs(vector_content(3, 14400), media=b"[0 0 3 14400]")), c,
        "MediaBox 3 x 14400 pt (rendered 13 x 60000 px: taller than a JPEG may be)")
    put("huge-media-zero.pdf", mkpdf(page_objs(b"0 0 m 1 1 l S", media=b"[0 0 0 0]")), c, "MediaBox of zero area")
    put("huge-media-negative.pdf", mkpdf(page_objs(b"0 0 m 1 1 l S", media=b"[595 842 0 0]")), c,
        "MediaBox inverted")
    put("huge-media-nan.pdf", mkpdf(page_objs(b"0 0 m 1 1 l S", media=b"[0 0 (a) /b]")), c,
        "MediaBox of a string and a name")
    put("huge-rotate-odd.pdf", mkpdf(page_objs(b"0 0 m 100 100 l S", extra_page=b"/Rotate 45 ")), c,
        "/Rotate 45")
    put("huge-rotate-big.pdf", mkpdf(page_objs(b"0 0 m 100 100 l S", extra_page=b"/Rotate 99999999990 ")), c,
        "/Rotate 99999999990")
    # Image XObjects of absurd dimensions.
    put("huge-img-60000-tiny-stream.pdf",
        image_xobject_page(b"/Width 60000 /Height 60000 /ColorSpace /DeviceGray /BitsPerComponent 8"
                           b" /Filter /FlateDecode", zlib.compress(bytes(1000))), c,
        "image XObject declares 60000 x 60000 8-bit gray; its Flate stream holds 1000 bytes")
    put("huge-img-35000-bomb.pdf",
        image_xobject_page(b"/Width 35000 /Height 35000 /ColorSpace /DeviceGray /BitsPerComponent 8"
                           b" /Filter [/FlateDecode /FlateDecode]",
                           zlib.compress(zeros_flate(35000 * 35000, 35000 * 1000), 9)), c,
        "decompression bomb: 35000 x 35000 8-bit gray, 1.2 GB of pixels in a double-Flate stream of a few KB")
    put("huge-img-60000-bomb-rgb.pdf",
        image_xobject_page(b"/Width 60000 /Height 60000 /ColorSpace /DeviceRGB /BitsPerComponent 8"
                           b" /Filter [/FlateDecode /FlateDecode]",
                           zlib.compress(zeros_flate(60000 * 3 * 60000, 60000 * 3 * 500, 255), 9)), c,
        "decompression bomb: 60000 x 60000 RGB, 10.8 GB of pixels in a double-Flate stream")
    put("huge-img-60000-1bit-bomb.pdf",
        image_xobject_page(b"/Width 60000 /Height 60000 /ColorSpace /DeviceGray /BitsPerComponent 1"
                           b" /Filter /FlateDecode", zeros_flate(7500 * 60000, 7500 * 2000)), c,
        "decompression bomb: 60000 x 60000 1-bit, 450 MB in a 0.4 MB Flate stream")
    put("huge-img-2e31.pdf",
        image_xobject_page(b"/Width 2147483647 /Height 2147483647 /ColorSpace /DeviceGray /BitsPerComponent 8",
                           bytes(64)), c, "image XObject declares 2^31-1 x 2^31-1, 64 bytes of data")
    put("huge-img-negative.pdf",
        image_xobject_page(b"/Width -5 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8", bytes(64)), c,
        "image XObject of width -5")
    put("huge-img-zero.pdf",
        image_xobject_page(b"/Width 0 /Height 0 /ColorSpace /DeviceGray /BitsPerComponent 8", b""), c,
        "image XObject of 0 x 0")
    put("huge-img-bpc3.pdf",
        image_xobject_page(b"/Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 3", bytes(4000)), c,
        "image XObject with /BitsPerComponent 3")
    put("huge-img-ccitt-cols.pdf",
        image_xobject_page(b"/Width 1000000 /Height 1000000 /ColorSpace /DeviceGray /BitsPerComponent 1"
                           b" /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 1000000 /Rows 1000000 >>",
                           b"\x00" * 32), c, "CCITT image of 1e6 x 1e6")
    put("huge-img-predictor.pdf",
        image_xobject_page(b"/Width 40000 /Height 40000 /ColorSpace /DeviceGray /BitsPerComponent 8"
                           b" /Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns 40000 /Colors 255"
                           b" /BitsPerComponent 16 >>", zeros_flate(40001 * 1000, 40001 * 100)), c,
        "Flate image with PNG predictor, absurd /Colors and /Columns")
    put("huge-img-lzw-bomb.pdf",
        image_xobject_page(b"/Width 30000 /Height 30000 /ColorSpace /DeviceGray /BitsPerComponent 8"
                           b" /Filter /LZWDecode", b"\x80" + b"\x00" * 5000), c,
        "LZW image of 30000 x 30000 with junk data")
    # JPEGs whose SOF declares absurd sizes (the page's one full-page image).
    for w, h in ((65000, 65000), (65535, 1), (1, 65535), (0, 0), (30000, 30000)):
        put(f"huge-jpeg-sof-{w}x{h}.pdf", image_page(jpeg_set_size(b.jpg, w, h)), c,
            f"full-page DCT image whose JPEG SOF declares {w} x {h} (its data is %d x %d)" % jpeg_size(b.jpg))
    bad = jpeg_set_size(b.jpg, 65000, 65000)
    w, h = jpeg_size(b.jpg)
    put("huge-jpeg-sof-65000-dict-small.pdf",
        image_xobject_page(b"/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
                           % (w, h), bad), c,
        "the image dictionary says 496 x 702, its JPEG's SOF 65000 x 65000")
    put("huge-jpeg-arith.pdf", image_page(jpeg_set_size(b.jpg, w, h, sof=0xC9)), c,
        "full-page JPEG marked arithmetic-coded (SOF9) over Huffman data")
    put("huge-many-pages.pdf", many_pages(3000), c,
        "3000 tiny blank pages (10 x 10 pt) sharing one content stream")


def many_pages(n: int) -> bytes:
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: stream(b"", b"")}
    kids = []
    for i in range(n):
        num = 4 + i
        kids.append(b"%d 0 R" % num)
        objs[num] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 3 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % n
    return mkpdf(objs)


def nesting(b: Bases) -> None:
    c = "deep_nesting"
    depth = 100_000
    put("nest-array-100k.pdf",
        mkpdf(page_objs(b"0 0 m 100 100 l S", extra_page=b"/Foo " + b"[" * depth + b"]" * depth + b" ")), c,
        "page dictionary with an array nested 100k deep")
    put("nest-dict-100k.pdf",
        mkpdf(page_objs(b"0 0 m 100 100 l S", extra_page=b"/Foo " + b"<< /A " * depth + b">> " * depth)), c,
        "page dictionary with a dictionary nested 100k deep")
    put("nest-array-unclosed.pdf",
        mkpdf(page_objs(b"0 0 m 100 100 l S", extra_page=b"/Foo " + b"[" * depth + b" ")), c,
        "array opened 100k times, never closed")
    put("nest-content-array.pdf", mkpdf(page_objs(b"[" * depth + b"]" * depth + b" pop 0 0 m 1 1 l S")), c,
        "content stream with an operand array nested 100k deep")
    put("nest-content-q.pdf", mkpdf(page_objs(b"q " * depth + b"0 0 m 100 100 l S " + b"Q " * depth)), c,
        "content stream with 100k nested q (graphics state saves)")
    put("nest-content-bt.pdf", mkpdf(page_objs(b"BT " * 20000 + TEXT_CONTENT, FONT_RES, extra=FONT_OBJ)), c,
        "content stream with 20k unclosed BT")
    # Form XObjects.
    res_self = b"<< /XObject << /X 5 0 R >> >>"
    put("nest-form-self.pdf",
        mkpdf(page_objs(b"/X Do", res_self, extra={
            5: stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources " + res_self,
                      b"0 0 m 10 10 l S /X Do")})), c, "Form XObject that draws itself")
    put("nest-form-cycle.pdf",
        mkpdf(page_objs(b"/X Do", b"<< /XObject << /X 5 0 R >> >>", extra={
            5: stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /Y 6 0 R >> >>",
                      b"/Y Do"),
            6: stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X 5 0 R >> >>",
                      b"0 0 m 5 5 l S /X Do")})), c, "Form XObjects A -> B -> A")
    put("nest-form-fanout.pdf", form_fanout(25), c,
        "25 levels of Form XObjects each drawing the next twice (2^25 draws)")
    put("nest-form-chain-5000.pdf", form_chain(5000), c, "a chain of 5000 nested Form XObjects")
    # Pages tree depth.
    put("nest-pages-10000.pdf", pages_chain(10000), c, "a Pages tree 10000 levels deep above one page")
    put("nest-pattern-self.pdf",
        mkpdf(page_objs(b"/Pattern cs /P scn 0 0 595 842 re f", b"<< /Pattern << /P 5 0 R >> >>", extra={
            5: stream(b"/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 1 1] /XStep 1"
                      b" /YStep 1 /Resources << /Pattern << /P 5 0 R >> >>",
                      b"/Pattern cs /P scn 0 0 1 1 re f")})), c,
        "tiling pattern of 1 x 1 pt that fills with itself, over the whole page")
    put("nest-outline-loop.pdf", outline_loop(b), c, "an outline (bookmarks) whose /Next points back at itself")
    put("nest-indirect-chain.pdf", indirect_chain(20000), c,
        "the page's /Contents a reference to a reference ... 20000 deep")


def form_fanout(levels: int) -> bytes:
    objs = page_objs(b"/X5 Do", b"<< /XObject << /X5 5 0 R >> >>")
    for i in range(levels):
        num = 5 + i
        nxt = num + 1
        if i == levels - 1:
            objs[num] = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]", b"0 0 m 595 842 l S")
        else:
            objs[num] = stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /N %d 0 R >> >>" % nxt,
                b"/N Do q 0.5 0 0 0.5 0 0 cm /N Do Q")
    return mkpdf(objs)


def form_chain(levels: int) -> bytes:
    objs = page_objs(b"/X Do", b"<< /XObject << /X 5 0 R >> >>")
    for i in range(levels):
        num = 5 + i
        if i == levels - 1:
            objs[num] = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]", b"0 0 m 595 842 l S")
        else:
            objs[num] = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]"
                               b" /Resources << /XObject << /X %d 0 R >> >>" % (num + 1), b"/X Do")
    return mkpdf(objs)


def pages_chain(levels: int) -> bytes:
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for i in range(levels):
        num = 2 + i
        parent = b"/Parent %d 0 R " % (num - 1) if i else b""
        objs[num] = b"<< /Type /Pages " + parent + b"/Kids [%d 0 R] /Count 1 >>" % (num + 1)
    leaf = 2 + levels
    objs[leaf] = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (leaf - 1, leaf + 1)
    objs[leaf + 1] = stream(b"", b"0 0 m 595 842 l S")
    return mkpdf(objs)


def outline_loop(b: Bases) -> bytes:
    objs = page_objs(b"0 0 m 100 100 l S")
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R /PageMode /UseOutlines >>"
    objs[5] = b"<< /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>"
    objs[6] = b"<< /Title (a) /Parent 5 0 R /Next 6 0 R /Prev 6 0 R /First 6 0 R /Dest [3 0 R /Fit] >>"
    return mkpdf(objs)


def indirect_chain(n: int) -> bytes:
    objs = page_objs(b"")
    objs[3] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>")
    for i in range(n):
        objs[5 + i] = b"%d 0 R" % (6 + i)
    objs[5 + n] = stream(b"", b"0 0 m 100 100 l S")
    return mkpdf(objs)


def loops(b: Bases) -> None:
    c = "xref_loop"
    cat = b"<< /Type /Catalog /Pages 2 0 R >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
    content = stream(b"", b"0 0 m 595 842 l S")
    put("loop-kids-self.pdf", mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                                     3: page, 4: content}), c, "Pages node listing itself among its Kids")
    put("loop-kids-parent.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [5 0 R] /Count 2 >>",
               5: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>",
               3: b"<< /Type /Page /Parent 5 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", 4: content}), c,
        "Pages child whose Kids point back at its parent")
    put("loop-kids-root.pdf", mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [1 0 R 3 0 R] /Count 2 >>",
                                     3: page, 4: content}), c, "Kids containing the Catalog")
    put("loop-same-page-500.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [" + b"3 0 R " * 500 + b"] /Count 500 >>", 3: page, 4: content}), c,
        "one page object listed 500 times in Kids")
    put("loop-parent-self.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 2 0 R >>",
               3: b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", 4: content}), c,
        "page and Pages node that are their own /Parent (inherited attributes loop)")
    put("loop-length-self.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page,
               4: stream(b"", b"0 0 m 595 842 l S", length=b"4 0 R")}), c,
        "content stream whose /Length is a reference to itself")
    put("loop-length-cycle.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page,
               4: stream(b"", b"0 0 m 595 842 l S", length=b"5 0 R"), 5: b"6 0 R", 6: b"5 0 R"}), c,
        "stream /Length 5 0 R -> 6 0 R -> 5 0 R")
    # /Prev loops in classic xref sections: append an update whose /Prev is itself / the update before.
    base = mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page, 4: content})
    start = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    upd = bytearray(base)
    at = len(upd)
    upd += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (at, at)
    put("loop-prev-self.pdf", bytes(upd), c, "xref section whose /Prev points at itself")
    sec = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev %07d >>\nstartxref\n%07d\n%%%%EOF\n"
    a = len(base)
    b_at = a + len(sec % (0, 0))
    upd = bytearray(base)
    upd += sec % (b_at, a)
    upd += sec % (a, b_at)
    put("loop-prev-ab.pdf", bytes(upd), c, "two xref sections whose /Prev point at each other")
    put("loop-prev-first.pdf", base.replace(b"/Size 5 ", b"/Size 5 /Prev %d " % start), c,
        "the only xref section's /Prev is itself")
    put("loop-startxref-garbage.pdf", base.replace(b"startxref\n%d" % start, b"startxref\n99999999999"), c,
        "startxref beyond the end of file (repair needed)")
    # Every offset in the table wrong.
    tab_end = base.index(b"trailer", start)
    table = base[start:tab_end]
    lines = table.split(b"\n")
    wrong = [ln if not ln.endswith(b" n ") else b"%010d 00000 n " % 7 for ln in lines]
    put("loop-xref-offsets-wrong.pdf", base[:start] + b"\n".join(wrong) + base[tab_end:], c,
        "every xref offset points at byte 7")
    # Object streams and xref streams (qpdf output), then broken.
    objstm = b.pdf_objstm
    put("loop-xrefstm-prev-self.pdf", xref_stream_prev_self(objstm), c,
        "xref stream whose /Prev is its own offset")
    put("loop-objstm-extends-self.pdf", objstm_extends_self(objstm), c, "object stream that /Extends itself")
    put("loop-xref-size-huge.pdf", base.replace(b"/Size 5 ", b"/Size 2147483647 "), c, "trailer /Size 2^31-1")


def xref_stream_prev_self(pdf: bytes) -> bytes:
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    head = pdf[start : start + 200]
    i = head.index(b"<<")
    return pdf[: start + i + 2] + b" /Prev %d" % start + pdf[start + i + 2 :]


def objstm_extends_self(pdf: bytes) -> bytes:
    i = pdf.index(b"/Type /ObjStm")
    # Find the object number of that object stream.
    objhead = pdf.rindex(b" 0 obj", 0, i)
    num_start = pdf.rindex(b"\n", 0, objhead) + 1
    num = int(pdf[num_start:objhead])
    return pdf[:i] + b"/Extends %d 0 R " % num + pdf[i:]


def counts() -> None:
    c = "count"
    cat = b"<< /Type /Catalog /Pages 2 0 R >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
    content = stream(b"", b"0 0 m 595 842 l S")
    for tag, val in (("2p31", b"2147483648"), ("2p31m1", b"2147483647"), ("2p32", b"4294967297"),
                     ("neg", b"-1"), ("1e30", b"1e30"), ("string", b"(lots)"), ("huge-digits", b"9" * 400)):
        put(f"count-{tag}.pdf", mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count " + val + b" >>",
                                      3: page, 4: content}), c, f"one page, /Count {val[:20].decode()}")


def not_pdf(b: Bases) -> None:
    c = "not_pdf"
    zip_bytes = (b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                 b"\x05\x00\x00\x00a.txtPK\x05\x06" + bytes(18))
    cases = {
        "empty": (b"", "0 bytes"),
        "one-byte": (b"%", "1 byte"),
        "zip": (zip_bytes, "a ZIP archive"),
        "png": (b.png, "a PNG image"),
        "jpeg": (b.jpg, "a JPEG image"),
        "tiff": (b.tif, "a TIFF image"),
        "html": (b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n", "an HTML error page"),
        "gzip": (zlib.compress(b.pdf1)[2:], "raw-deflated PDF bytes"),
        "utf16": ("%PDF-1.7 案卷".encode("utf-16"), "UTF-16 text starting with %PDF"),
        "header-only": (b"%PDF-1.7\n", "only the header"),
        "header-eof": (b"%PDF-1.7\n%%EOF\n", "header and %%EOF, nothing else"),
        "random": (bytes(random.Random(SEED + 2).randrange(256) for _ in range(4096)), "4 KB of random bytes"),
        "random-pdf-header": (b"%PDF-1.4\n" + bytes(random.Random(SEED + 3).randrange(256) for _ in range(4096))
                              + b"\n%%EOF\n", "%PDF header, 4 KB random, %%EOF"),
        "elf": (b"\x7fELF\x02\x01\x01" + bytes(57), "an ELF header"),
        "nul": (bytes(100000), "100 KB of NUL bytes"),
        "ps": (b"%!PS-Adobe-3.0\n%%EOF\n", "PostScript"),
        "fdf": (b"%FDF-1.2\n1 0 obj<</FDF<<>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "an FDF file"),
    }
    for tag, (data, what) in cases.items():
        put(f"notpdf-{tag}.pdf", data, c, what + ", named .pdf")
    put("notpdf-header-late.pdf", b"x" * 2000 + b.pdf1, c, "valid PDF after 2000 bytes of junk")
    put("notpdf-two-pdfs.pdf", b.pdf1 + b.pdf_text, c, "two PDFs concatenated")


def misc(b: Bases) -> None:
    c = "malformed"
    cat = b"<< /Type /Catalog /Pages 2 0 R >>"
    put("mal-no-xref.pdf", mkpdf(page_objs(b"0 0 m 100 100 l S"), xref=False), c,
        "no xref table (pdfium must rebuild it)")
    put("mal-contents-not-stream.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 42 >>"}), c,
        "/Contents is a number")
    put("mal-contents-array-loop.pdf",
        mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               4: b"[4 0 R 4 0 R]"}), c, "/Contents an array containing itself")
    put("mal-length-huge.pdf", mkpdf(page_objs(b"0 0 m 100 100 l S")).replace(b"/Length 17", b"/Length 99999999999"),
        c, "content stream /Length 99999999999")
    put("mal-length-negative.pdf", mkpdf(page_objs(b"0 0 m 100 100 l S")).replace(b"/Length 17", b"/Length -17"),
        c, "content stream /Length -17")
    put("mal-filter-unknown.pdf",
        mkpdf(page_objs(b"", extra={})).replace(b"<<  /Length 0 >>", b"<< /Filter /NoSuchDecode /Length 0 >>"),
        c, "content stream with an unknown filter")
    put("mal-filter-chain-100.pdf", filter_chain(100), c, "content stream with 100 Flate filters stacked")
    put("mal-content-garbage.pdf", mkpdf(page_objs(bytes(random.Random(SEED + 4).randrange(256) for _ in range(20000)))),
        c, "content stream of 20 KB random bytes")
    put("mal-content-huge-numbers.pdf", mkpdf(page_objs(b"1e308 1e308 m -1e308 -1e308 l 1e308 w S " * 100
                                                     + b"99999999999999999999999999999999 0 0 1 0 0 cm 0 0 m 1 1 l S")),
        c, "content with absurd coordinates and line width")
    put("mal-content-ops-200k.pdf", mkpdf(page_objs(zlib.compress(b"0 0 m 1 1 l S\n" * 200000),
                                                  extra={})).replace(b"<<  /Length", b"<< /Filter /FlateDecode /Length"),
        c, "200k path operators (Flate)")
    put("mal-text-font-missing.pdf", mkpdf(page_objs(TEXT_CONTENT * 20)), c,
        "text drawn with a font that is not in the resources")
    put("mal-font-type3-self.pdf", type3_self(), c, "Type3 font whose glyph draws text in itself")
    put("mal-font-bad-embedded.pdf",
        mkpdf(page_objs(TEXT_CONTENT, FONT_RES, extra={
            5: b"<< /Type /Font /Subtype /TrueType /BaseFont /Foo /FirstChar 0 /LastChar 2000000000"
               b" /Widths [1 2 3] /FontDescriptor 6 0 R >>",
            6: b"<< /Type /FontDescriptor /FontName /Foo /Flags 32 /FontFile2 7 0 R >>",
            7: stream(b"/Length1 1000000", bytes(random.Random(SEED + 5).randrange(256) for _ in range(3000)))})),
        c, "TrueType font with a random-bytes font program and LastChar 2e9")
    put("mal-annot-huge.pdf",
        mkpdf(page_objs(b"0 0 m 1 1 l S", extra_page=b"/Annots [5 0 R] ", extra={
            5: b"<< /Type /Annot /Subtype /Square /Rect [0 0 14400 14400] /AP << /N 6 0 R >> >>",
            6: stream(b"/Type /XObject /Subtype /Form /BBox [0 0 14400 14400] /Resources << /XObject << /S 6 0 R >> >>",
                      b"/S Do")})), c, "annotation appearance that draws itself, 14400 pt")
    put("mal-jbig2-junk.pdf",
        image_xobject_page(b"/Width 2000 /Height 2000 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode",
                           bytes(random.Random(SEED + 6).randrange(256) for _ in range(3000))), c,
        "JBIG2 image of random bytes")
    put("mal-jpx-junk.pdf",
        image_xobject_page(b"/Width 2000 /Height 2000 /Filter /JPXDecode",
                           b"\x00\x00\x00\x0cjP  \r\n\x87\n" + bytes(random.Random(SEED + 7).randrange(256) for _ in range(3000))),
        c, "JPEG 2000 image of random bytes after the signature")
    put("mal-jpx-huge.pdf",
        image_xobject_page(b"/Width 60000 /Height 60000 /Filter /JPXDecode", jpx_huge()), c,
        "JPEG 2000 codestream declaring 60000 x 60000")
    put("mal-dct-truncated.pdf", image_page(b.jpg[: len(b.jpg) // 3]), c, "full-page JPEG cut to a third")
    put("mal-dct-junk.pdf", image_page(b.jpg[:600] + bytes(random.Random(SEED + 8).randrange(256) for _ in range(8000))),
        c, "full-page JPEG: headers, then random bytes")
    put("mal-image-rotated-matrix.pdf",
        mkpdf(page_objs(b"q 0 842 -595 0 595 0 cm /Im0 Do Q", b"<< /XObject << /Im0 5 0 R >> >>", extra={
            5: stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
                      b" /BitsPerComponent 8 /Filter /DCTDecode" % jpeg_size(b.jpg), b.jpg)})), c,
        "full-page JPEG drawn rotated by its matrix (rendered)")
    put("mal-image-smask-loop.pdf",
        image_xobject_page(b"/Width 10 /Height 10 /ColorSpace /DeviceGray /BitsPerComponent 8 /SMask 5 0 R", bytes(100)),
        c, "image whose /SMask is itself")
    put("mal-colorspace-loop.pdf",
        mkpdf(page_objs(b"/CS0 cs 0.5 sc 0 0 100 100 re f", b"<< /ColorSpace << /CS0 5 0 R >> >>",
                        extra={5: b"[/Indexed 5 0 R 255 <00>]"})), c, "Indexed colour space whose base is itself")
    put("mal-version-99.pdf", mkpdf(page_objs(b"0 0 m 100 100 l S"), version=b"9.9"), c, "header %PDF-9.9")
    put("mal-objnum-huge.pdf", mkpdf({1: cat, 2: b"<< /Type /Pages /Kids [3 0 R 2147483647 0 R] /Count 2 >>",
                                      3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"}), c,
        "Kids referencing object 2147483647")
    put("mal-strings-huge.pdf", mkpdf(page_objs(b"0 0 m 1 1 l S", extra_page=b"/Foo <" + b"41" * 2_000_000 + b"> ")),
        c, "a 2 MB hex string in the page dictionary")
    put("mal-name-escapes.pdf", mkpdf(page_objs(b"0 0 m 1 1 l S", extra_page=b"/" + b"#ZZ#00#" * 20000 + b" 1 ")),
        c, "a name of 140k broken #-escapes")
    put("mal-many-objects.pdf", mkpdf({**page_objs(b"0 0 m 1 1 l S"), **{i: b"<< /A %d >>" % i for i in range(5, 200005)}}),
        c, "200k unused objects")


def filter_chain(n: int) -> bytes:
    data = b"0 0 m 595 842 l S"
    for _ in range(n):
        data = zlib.compress(data)
    filters = b"[" + b"/FlateDecode " * n + b"]"
    objs = page_objs(b"")
    objs[4] = stream(b"/Filter " + filters, data)
    return mkpdf(objs)


def type3_self() -> bytes:
    res = b"<< /Font << /T3 5 0 R >> >>"
    return mkpdf(page_objs(b"BT /T3 12 Tf 72 700 Td (aaaa) Tj ET", res, extra={
        5: b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0]"
           b" /CharProcs << /a 6 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97"
           b" /Widths [1000] /Resources " + res + b" >>",
        6: stream(b"", b"1000 0 d0 BT /T3 1 Tf (aa) Tj ET 0 0 m 1000 1000 l S")}))


def jpx_huge() -> bytes:
    # A raw J2K codestream: SOC, SIZ declaring 60000 x 60000, one component, then EOC.
    siz = struct.pack(">HHIIIIIIIIH", 0x0000, 0, 60000, 60000, 0, 0, 60000, 60000, 0, 0, 1) + b"\x07\x01\x01"
    siz = struct.pack(">HH", 0xFF51, len(siz) + 2) + siz
    cod = b"\xff\x52\x00\x0c\x00\x00\x00\x01\x00\x05\x04\x04\x00\x00"
    qcd = b"\xff\x5c\x00\x04\x40\x00"
    return b"\xff\x4f" + siz + cod + qcd + b"\xff\x90\x00\x0a\x00\x00\x00\x00\x00\x10\x00\x01\xff\x93" + bytes(16) + b"\xff\xd9"


def image_folders(b: Bases) -> None:
    c = "image_folder"
    rnd = random.Random(SEED + 9)
    good = b.jpg
    w, h = jpeg_size(b.jpg)
    gray_rows = b"".join(b"\x00" + bytes([200]) * 64 for _ in range(64))

    def flip(data: bytes, n: int) -> bytes:
        d = bytearray(data)
        for _ in range(n):
            d[rnd.randrange(len(d))] ^= 1 << rnd.randrange(8)
        return bytes(d)

    folders: dict[str, tuple[dict[str, bytes], str]] = {
        "img-jpeg-truncated": ({"1.jpg": good[: len(good) // 2]}, "JPEG cut in half"),
        "img-jpeg-truncated-header": ({"1.jpg": good[:40]}, "JPEG cut inside its headers"),
        "img-jpeg-soi-only": ({"1.jpg": b"\xff\xd8"}, "JPEG of SOI only"),
        "img-jpeg-sof-65000": ({"1.jpg": jpeg_set_size(good, 65000, 65000)}, "JPEG whose SOF declares 65000 x 65000"),
        "img-jpeg-sof-65535x1": ({"1.jpg": jpeg_set_size(good, 65535, 1)}, "JPEG whose SOF declares 65535 x 1"),
        "img-jpeg-sof-0x0": ({"1.jpg": jpeg_set_size(good, 0, 0)}, "JPEG whose SOF declares 0 x 0"),
        "img-jpeg-arith": ({"1.jpg": jpeg_set_size(good, w, h, sof=0xC9)}, "JPEG marked arithmetic-coded (SOF9)"),
        "img-jpeg-lossless": ({"1.jpg": jpeg_set_size(good, w, h, sof=0xC3)}, "JPEG marked lossless (SOF3)"),
        "img-jpeg-junk": ({"1.jpg": good[:600] + bytes(rnd.randrange(256) for _ in range(6000))},
                          "JPEG headers then random bytes"),
        "img-jpeg-bad-then-good": ({"1.jpg": good[:100], "2.jpg": good}, "a broken page, then a good one"),
        "img-good-then-bad": ({"1.jpg": good, "2.png": b"\x89PNG\r\n\x1a\n"}, "a good page, then a PNG signature only"),
        "img-empty-file": ({"1.jpg": b""}, "a 0-byte .jpg"),
        "img-html-as-tif": ({"1.tif": b"<html>nope</html>"}, "HTML named .tif"),
        "img-pdf-as-jpg": ({"1.jpg": b.pdf1}, "a PDF named .jpg"),
        "img-jpeg-as-png": ({"1.png": good}, "a good JPEG named .png (content wins)"),
        "img-png-huge-ihdr": ({"1.png": png(65000, 65000, gray_rows)}, "PNG whose IHDR declares 65000 x 65000, tiny IDAT"),
        "img-png-2p31": ({"1.png": png(2**31 - 1, 2**31 - 1, gray_rows)}, "PNG whose IHDR declares 2^31-1 square"),
        "img-png-zero": ({"1.png": png(0, 0, b"")}, "PNG of 0 x 0"),
        "img-png-bomb": ({"1.png": png(30000, 30000, idat=zeros_flate(30001 * 30000, 30001 * 1000))},
                         "PNG bomb: 30000 x 30000 gray, 900 MB of pixels in a 0.9 MB IDAT"),
        "img-png-bomb-16k": ({"1.png": png(16000, 16000, idat=zeros_flate(16001 * 16000, 16001 * 1000))},
                             "PNG of 16000 x 16000 gray (256 MB of pixels, within image's default limit)"),
        "img-png-tall": ({"1.png": png(1, 1_000_000, idat=zeros_flate(2 * 1_000_000, 2 * 1000))},
                         "PNG of 1 x 1000000 (absurd aspect)"),
        "img-png-bad-crc": ({"1.png": png(64, 64, gray_rows, crc_ok=False)}, "PNG with wrong CRCs"),
        "img-png-truncated": ({"1.png": b.png[: len(b.png) // 2]}, "PNG cut in half"),
        "img-png-bad-depth": ({"1.png": png(64, 64, gray_rows, depth=7)}, "PNG of bit depth 7"),
        "img-png-flipped": ({"1.png": flip(b.png, 8)}, "PNG with 8 bits flipped"),
        "img-tiff-truncated": ({"1.tif": b.tif[: len(b.tif) // 2]}, "TIFF cut in half"),
        "img-tiff-ifd-loop": ({"1.tif": tiff(64, 64, bytes(4096), next_ifd=-1)}, "TIFF whose next IFD is itself"),
        "img-tiff-ifd-beyond": ({"1.tif": tiff(64, 64, bytes(4096), ifd_offset=10**9)}, "TIFF whose IFD is beyond EOF"),
        "img-tiff-strip-beyond": ({"1.tif": tiff(64, 64, bytes(4096), strip_offset=10**9)},
                                  "TIFF whose strip is beyond EOF"),
        "img-tiff-huge": ({"1.tif": tiff(4_000_000_000, 4_000_000_000, bytes(4096))}, "TIFF declaring 4e9 x 4e9"),
        "img-tiff-65000": ({"1.tif": tiff(65000, 65000, bytes(4096), strip_count=65000 * 65000)},
                           "TIFF declaring 65000 x 65000, 4 KB of data, strip byte count 4.2e9"),
        "img-tiff-compression-99": ({"1.tif": tiff(64, 64, bytes(4096), compression=99)}, "TIFF of compression 99"),
        "img-tiff-bps-3": ({"1.tif": tiff(64, 64, bytes(4096), bps=3)}, "TIFF of 3 bits per sample"),
        "img-tiff-g4-junk": ({"1.tif": tiff(2000, 2000, bytes(rnd.randrange(256) for _ in range(2000)), compression=4,
                                            bps=1)}, "G4 TIFF of random bytes"),
        "img-tiff-flipped": ({"1.tif": flip(b.tif, 8)}, "LZW TIFF with 8 bits flipped"),
        "img-tiff-zero-tags": ({"1.tif": b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"}, "TIFF with an empty IFD"),
        "img-tiff-bigtiff-junk": ({"1.tif": b"II+\x00\x08\x00\x00\x00" + bytes(64)}, "BigTIFF header then zeros"),
        "img-many-tiny": ({f"{i}.png": png(1, 1, b"\x00\xff") for i in range(1, 301)}, "300 pages of 1 x 1 px"),
    }
    for k in range(8):
        folders[f"img-jpeg-flip-{k:02d}"] = ({"1.jpg": flip(good, rnd.choice([1, 4, 16, 64]))},
                                             "JPEG with random bits flipped")
    for name, (files, what) in folders.items():
        put_folder(name, files, c, what)


# ---------------------------------------------------------------- public files

# pypdf's sdist ships its test PDFs under resources/: encrypted ones (R2-R6,
# made by other tools than qpdf), files from bug reports, odd producers.
PUBLIC_SDIST = ("pypdf", "5.1.0", "pypdf-5.1.0.tar.gz",
                "425a129abb1614183fd1aca6982f650b47f8026867c0ce7c4b9f281c443d2740")
PUBLIC_PREFIX = "pypdf-5.1.0/resources/"
PUBLIC_MAX_BYTES = 1_000_000


def public(cache: Path) -> None:
    name, ver, fname, sha = PUBLIC_SDIST
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / fname
    if not path.exists():
        p = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            f"{name}=={ver}", "-d", str(cache)], capture_output=True)
        if p.returncode != 0 or not path.exists():
            print(f"public files skipped: pip download {name}=={ver} failed: "
                  f"{p.stderr.decode(errors='replace')[-500:]}", file=sys.stderr)
            return
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != sha:
        raise SystemExit(f"{path}: sha256 {got}, expected {sha}")
    with tarfile.open(path) as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if not (m.isfile() and m.name.startswith(PUBLIC_PREFIX) and m.name.lower().endswith(".pdf")):
                continue
            if m.size > PUBLIC_MAX_BYTES:
                continue
            rel = m.name[len(PUBLIC_PREFIX):].replace("/", "__").replace(" ", "_")
            put(f"public-pypdf-{rel[:-4]}.pdf", t.extractfile(m).read(), "public",
                f"{name} {ver} sdist: {m.name[len(name) + len(ver) + 2:]}")


# ---------------------------------------------------------------- main


def main() -> None:
    global OUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--public", type=Path, metavar="CACHE_DIR",
                    help="also take the test PDFs of a pinned pypdf sdist (downloaded into CACHE_DIR)")
    args = ap.parse_args()
    for tool in ("qpdf", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (Debian: apt-get install qpdf poppler-utils)")
    OUT = args.out
    if OUT.exists() and any(OUT.iterdir()):
        raise SystemExit(f"{OUT} is not empty")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        b = Bases(Path(t))
    controls(b)
    truncations(b)
    bitflips(b)
    encrypted(b)
    zero_pages()
    huge(b)
    nesting(b)
    loops(b)
    counts()
    not_pdf(b)
    misc(b)
    image_folders(b)
    if args.public:
        public(args.public)
    with open(OUT / "MANIFEST.tsv", "w", encoding="utf-8") as f:
        f.write("name\tcategory\twhat\n")
        for row in MANIFEST:
            f.write("\t".join(row) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    cats: dict[str, int] = {}
    for _, cat, _ in MANIFEST:
        cats[cat] = cats.get(cat, 0) + 1
    print(f"{len(MANIFEST)} inputs, {total / 1e6:.1f} MB in {OUT}: "
          + ", ".join(f"{k} {v}" for k, v in cats.items()))


if __name__ == "__main__":
    main()
