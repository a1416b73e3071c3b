#!/usr/bin/env python3
"""A careful PyMuPDF redaction with the `disclose redact` contract, for scripts/bench-redact-peers.sh.

  bench-pymupdf-redact.py redact IN.pdf... --term T [--term T ...] --out DIR [--reuse-textpage]

Does what the redaction harness's PyMuPDF peer does (and is used in its place when that folder is
absent): for each term on each page, page.search_for (case-insensitive, ligatures expanded), keep
whole-word hits only, add_redact_annot with a black fill, then apply_redactions (images: blank the
covered pixels; line art: remove if fully covered; text: remove), doc.scrub() with its defaults and
save(garbage=4, deflate=True, clean=True) to a fresh file. Writes DIR/<name> and DIR/redaction-log.csv
(boxes in PDF user space, bottom-left origin).

--reuse-textpage builds one TextPage per page and passes it to every search_for. The harness peer
does not (search_for then extracts the page's text again for every term); this is the tuned variant
a PyMuPDF user who cares about speed would write, so the benchmark reports both.
"""
import argparse
import csv
import os
import re
import sys
import unicodedata

if os.environ.get("PEER_PYMUPDF_LAYOUT") != "1":
    # pymupdf 2.x imports its optional ML layout add-on at start-up (~0.9 s); redaction does not use it.
    sys.modules.setdefault("pymupdf.layout", None)
import pymupdf  # noqa: E402

SEARCH_FLAGS = pymupdf.TEXT_DEHYPHENATE | pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
CHAR_FLAGS = pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_LIGATURES


def squash(s):
    return "".join(unicodedata.normalize("NFKC", s).casefold().split())


def page_lines(page):
    lines = []
    for b in page.get_text("rawdict", flags=CHAR_FLAGS)["blocks"]:
        for ln in b.get("lines", []):
            chars = [c for sp in ln["spans"] for c in sp["chars"]]
            if chars:
                lines.append((pymupdf.Rect(ln["bbox"]), chars))
    return lines


def is_whole_word(q, term, lines):
    """False when the hit's neighbouring character on its line is a letter or digit."""
    r = q.rect
    rr = pymupdf.Rect(r.x0 - 0.6, r.y0 - 0.6, r.x1 + 0.6, r.y1 + 0.6)
    for lb, chars in lines:
        if not lb.intersects(rr):
            continue
        idx = [i for i, c in enumerate(chars)
               if rr.contains(pymupdf.Point((c["bbox"][0] + c["bbox"][2]) / 2, (c["bbox"][1] + c["bbox"][3]) / 2))]
        if not idx:
            continue
        i0, i1 = idx[0], idx[-1]
        low = "".join(c["c"].lower() if len(c["c"].lower()) == 1 else c["c"] for c in chars)
        pat = r"\s*".join(re.escape(ch) for ch in squash(term))
        best = None
        for m in re.finditer(pat, low):
            ov = min(m.end() - 1, i1) - max(m.start(), i0)
            if ov >= 0 and (best is None or ov > best[0]):
                best = (ov, m.start(), m.end() - 1)
        if best:
            i0, i1 = best[1], best[2]
        prev = chars[i0 - 1]["c"] if i0 > 0 else " "
        nxt = chars[i1 + 1]["c"] if i1 + 1 < len(chars) else " "
        return not (prev.isalnum() or nxt.isalnum())
    return True


def pdf_box(page, rect):
    r = rect * ~page.transformation_matrix
    r.normalize()
    return r.x0, r.y0, r.x1, r.y1


def redact_file(path, terms, outdir, log, reuse_textpage):
    name = os.path.basename(path)
    doc = pymupdf.open(path)
    if doc.needs_pass:
        doc.authenticate("")
    for page in doc:
        lines = page_lines(page)
        tp = page.get_textpage(flags=SEARCH_FLAGS) if reuse_textpage else None
        n = 0
        for t in terms:
            for q in page.search_for(t, quads=True, flags=SEARCH_FLAGS, textpage=tp):
                if is_whole_word(q, t, lines):
                    page.add_redact_annot(q, fill=(0, 0, 0))
                    log.writerow([name, page.number + 1, t, "third-party term"]
                                 + ["%.2f" % v for v in pdf_box(page, q.rect)])
                    n += 1
        tp = None
        if n:
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    doc.scrub()
    doc.save(os.path.join(outdir, name), garbage=4, deflate=True, clean=True)
    doc.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("redact")
    r.add_argument("inputs", nargs="+")
    r.add_argument("--term", action="append", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--reuse-textpage", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "redaction-log.csv"), "w", newline="", encoding="utf-8") as f:
        log = csv.writer(f)
        log.writerow(["document", "page", "text", "reason", "x0", "y0", "x1", "y1"])
        for p in a.inputs:
            redact_file(p, a.term, a.out, log, a.reuse_textpage)


if __name__ == "__main__":
    main()
