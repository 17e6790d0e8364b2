#!/usr/bin/env python3
"""Page make-up of a booklet PDF, measured as a reader sees it.

usage: page_makeup.py BOOK.pdf SOURCES_DIR BODY_SIZE_PT LINE_HEIGHT

Lines come from `mutool draw -F stext` (each glyph's baseline and size),
pictures from `mutool trace` (each fill_image's transform), both in
MuPDF's coordinates (points, y growing downwards). Body pages are those
with an arabic folio; a body page without a running head opens an article.
The text block is found from the pages themselves: its first grid line is
the highest body-size baseline on any body page, its last the lowest.

Prints one JSON object:
  pitch, slots       the grid found
  pages              per body page: folio, article (0-based), end (the grid
                     line the page's text or pictures end on, 0-based, as a
                     float: a full page ends on slots - 1), last (its last
                     text)
  spreads            per spread (an even folio and the odd one after it):
                     folios, ends, exempt (it holds an article's last page)
  uneven             the spreads not exempt whose pages end on different
                     grid lines
  headings_apart     headings the sources put right above a picture or a
                     table, found on a page where no picture or table
                     begins below them
  overflow           pictures outside the text block or over a line of text
  pictures           pictures placed
  moved              pictures the text after them went ahead of: it begins
                     on an earlier page than the picture
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROMAN = re.compile(r"^[ivxlcdm]+$")


def stext_pages(pdf):
    xml = subprocess.run(
        ["mutool", "draw", "-F", "stext", "-o", "-", pdf],
        capture_output=True, check=True).stdout
    pages = []
    for page in ET.fromstring(xml).iter("page"):
        lines = []
        for line in page.iter("line"):
            chars = []
            for font in line.iter("font"):
                size = float(font.get("size"))
                for ch in font.iter("char"):
                    chars.append((float(ch.get("x")), float(ch.get("y")), size, ch.get("c")))
            if not chars:
                continue
            text = "".join(c[3] for c in chars).strip()
            if not text:
                continue
            size = max(c[2] for c in chars)
            base = max(c[1] for c in chars if c[2] == size)
            x0 = min(c[0] for c in chars)
            lines.append({"base": base, "size": size, "x0": x0, "text": text})
        lines.sort(key=lambda l: (round(l["base"], 1), l["x0"]))
        # MuPDF may split one visual line; join those on one baseline.
        merged = []
        for l in lines:
            if merged and abs(merged[-1]["base"] - l["base"]) < 0.5:
                merged[-1]["text"] += l["text"]
                merged[-1]["size"] = max(merged[-1]["size"], l["size"])
            else:
                merged.append(dict(l))
        pages.append(merged)
    return pages


def trace_images(pdf, count):
    out = subprocess.run(["mutool", "trace", pdf], capture_output=True, check=True).stdout
    images = [[] for _ in range(count)]
    page = -1
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("<page "):
            page += 1
        m = re.search(r'<fill_image[^>]*transform="([^"]+)"', line)
        if m and 0 <= page < count:
            a, b, c, d, e, f = map(float, m.group(1).split())
            xs = [e, e + a, e + c, e + a + c]
            ys = [f, f + b, f + d, f + b + d]
            images[page].append((min(xs), min(ys), max(xs), max(ys)))
    return images


def source_blocks(sources):
    """(kind, text) of every block of the sources, in the book's order."""
    blocks = []
    for name in sorted(os.listdir(sources)):
        if not name.endswith(".md"):
            continue
        text = open(os.path.join(sources, name), encoding="utf-8").read()
        if text.startswith("---"):
            text = text.split("---", 2)[2]
        for block in re.split(r"\n\s*\n", text):
            block = block.strip()
            if not block or block.startswith("[^"):
                continue
            if block.startswith("#"):
                blocks.append(("heading", block.lstrip("#").strip()))
            elif block.startswith("!["):
                blocks.append(("picture", block))
            elif block.startswith("|"):
                blocks.append(("table", block))
            elif block.startswith("```") or block.startswith(">"):
                blocks.append(("other", block))
            else:
                blocks.append(("paragraph", re.sub(r"\[\^\w+\]", "", block)))
    return blocks


def squeeze(s):
    return re.sub(r"\s+", "", s)


def main():
    pdf, sources, body, leading = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    pitch = body * leading
    all_pages = stext_pages(pdf)
    all_images = trace_images(pdf, len(all_pages))
    pages = []
    for n, lines in enumerate(all_pages):
        if not lines or not lines[-1]["text"].isdigit():
            continue
        folio = int(lines[-1]["text"])
        lines = lines[:-1]
        head = None
        if (len(lines) >= 2 and lines[0]["size"] < body * 0.95
                and lines[1]["base"] - lines[0]["base"] > 2.5 * body):
            head, lines = lines[0], lines[1:]
        pages.append({"n": n, "folio": folio, "lines": lines, "head": head,
                      "images": all_images[n]})
    if not pages:
        print(json.dumps({"error": "no body pages"}))
        return
    bases = [l["base"] for p in pages for l in p["lines"] if abs(l["size"] - body) < 0.01]
    first, last = min(bases), max(bases)
    slots = round((last - first) / pitch) + 1
    top = first - 0.88 * body
    bottom = last + 0.12 * body
    lefts = {0: [], 1: []}
    rights = {0: [], 1: []}
    for p in pages:
        for l in p["lines"]:
            if abs(l["size"] - body) < 0.01:
                lefts[p["folio"] % 2].append(l["x0"])
    for k in (0, 1):
        lefts[k] = min(lefts[k]) if lefts[k] else 0.0
    # The measure: the widest body line's extent is not known from stext's
    # origins alone; a picture is checked against the page's own lines.
    article = -1
    for p in pages:
        if p["head"] is None:
            article += 1
        p["article"] = max(article, 0)
        ends = [l["base"] + 0.12 * l["size"] for l in p["lines"]]
        ends += [img[3] for img in p["images"]]
        end_y = max(ends) if ends else top
        p["end"] = round((end_y - (top + body)) / pitch, 2)
    last_page = {}
    for p in pages:
        last_page[p["article"]] = p["folio"]
    by_folio = {p["folio"]: p for p in pages}
    spreads, uneven = [], []
    for p in pages:
        if p["folio"] % 2:
            continue
        v, r = p, by_folio.get(p["folio"] + 1)
        if r is None:
            continue
        exempt = last_page[v["article"]] in (v["folio"], r["folio"]) or v["article"] != r["article"]
        s = {"folios": [v["folio"], r["folio"]], "ends": [v["end"], r["end"]], "exempt": exempt}
        spreads.append(s)
        if not exempt and abs(v["end"] - r["end"]) > 0.5:
            uneven.append(s)
    # Pictures: inside the text block, over no text.
    overflow = []
    pictures = []
    for p in pages:
        for img in p["images"]:
            pictures.append((p["folio"], img))
            x0, y0, x1, y1 = img
            bad = y0 < top - 0.5 or y1 > bottom + 0.5 or x0 < lefts[p["folio"] % 2] - 0.5
            for l in p["lines"]:
                ly0, ly1 = l["base"] - 0.88 * l["size"], l["base"] + 0.12 * l["size"]
                if ly0 < y1 - 0.5 and y0 < ly1 - 0.5 and l["x0"] < x1 - 0.5:
                    bad = True
            if bad:
                overflow.append({"folio": p["folio"], "box": [round(v, 1) for v in img]})
    # Headings right above a picture or a table.
    blocks = source_blocks(sources)
    apart = []
    for i, (kind, text) in enumerate(blocks[:-1]):
        follows = blocks[i + 1][0]
        if kind != "heading" or follows not in ("picture", "table"):
            continue
        for p in pages:
            for k, l in enumerate(p["lines"]):
                if squeeze(l["text"]) != squeeze(text):
                    continue
                below = l["base"] + 0.12 * l["size"]
                if follows == "picture":
                    ok = any(img[1] >= below - 0.5 for img in p["images"])
                else:
                    ok = any(m["base"] > l["base"] and m["text"].startswith("项目")
                             for m in p["lines"][k + 1:])
                if not ok:
                    apart.append({"folio": p["folio"], "heading": text, "above": follows})
    # Text that went ahead of a picture.
    text_pages = [(p["folio"], squeeze("".join(l["text"] for l in p["lines"]))) for p in pages]
    moved = 0
    picture_at = [f for f, _ in pictures]
    seen = 0
    for i, (kind, text) in enumerate(blocks):
        if kind != "picture":
            continue
        if seen >= len(picture_at):
            break
        at = picture_at[seen]
        seen += 1
        after = next((t for k, t in blocks[i + 1:] if k == "paragraph"), None)
        if after is None:
            continue
        start = squeeze(after)[:12]
        where = next((f for f, t in text_pages if start in t), None)
        if where is not None and where < at:
            moved += 1
    print(json.dumps({
        "pitch": pitch,
        "slots": slots,
        "pages": [{"folio": p["folio"], "article": p["article"], "end": p["end"],
                   "last": p["lines"][-1]["text"][:16] if p["lines"] else ""} for p in pages],
        "spreads": spreads,
        "uneven": uneven,
        "headings_apart": apart,
        "overflow": overflow,
        "pictures": len(pictures),
        "moved": moved,
    }, ensure_ascii=False, indent=1))


main()
