#!/usr/bin/env python3
"""Checks a tagged PDF against the PDF/UA-1 and PDF/A-2 rules a program can
settle (the machine-checkable subset veraPDF would run), with pikepdf and
fontTools. Prints one line per failure and exits 1 if there is any; prints
facts as `fact NAME VALUE` lines for the Rust test to check further.

Usage: pdf_structure.py FILE.pdf
"""
import io
import re
import sys

import pikepdf
from fontTools.cffLib import CFFFontSet
from fontTools.misc.psCharStrings import T2WidthExtractor
from fontTools.ttLib import TTFont

PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "BI"}
failures = []


def fail(rule, message):
    failures.append(f"{rule}: {message}")


def fact(name, value):
    print(f"fact {name} {value}")


def name(obj):
    return str(obj)[1:] if isinstance(obj, pikepdf.Name) else str(obj)


pdf = pikepdf.open(sys.argv[1])
root = pdf.Root
info = pdf.trailer.get("/Info")

# --- Document level (UA 7.1, 7.2; A-2 6.6, 6.7) ---------------------------
if pdf.pdf_version > "1.7":
    fail("A-2 6.1.2", f"PDF version {pdf.pdf_version} above 1.7")
if pdf.is_encrypted:
    fail("A-2 6.1.3", "encrypted")
if "/ID" not in pdf.trailer:
    fail("A-2 6.1.3", "trailer has no /ID")
mark_info = root.get("/MarkInfo")
if mark_info is None or not bool(mark_info.get("/Marked", False)):
    fail("UA 7.1 / A-2 6.7.2.2", "MarkInfo /Marked is not true")
if mark_info is not None and bool(mark_info.get("/Suspects", False)):
    fail("UA 7.1", "MarkInfo /Suspects is true")
lang = str(root.get("/Lang", ""))
if not re.fullmatch(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", lang):
    fail("UA 7.2", f"catalog /Lang {lang!r} is not a language tag")
fact("lang", lang)
vp = root.get("/ViewerPreferences")
if vp is None or not bool(vp.get("/DisplayDocTitle", False)):
    fail("UA 7.1", "ViewerPreferences /DisplayDocTitle is not true")
if "/StructTreeRoot" not in root:
    fail("UA 7.1 / A-2 6.7.3.3", "no StructTreeRoot")
    print("\n".join(failures))
    sys.exit(1)

# XMP: identification, and the same particulars as the Info dictionary.
if "/Metadata" not in root:
    fail("UA 7.1 / A-2 6.6.2.1", "no XMP metadata")
else:
    meta = pdf.open_metadata()
    if meta.get("pdfuaid:part") != "1":
        fail("UA 5", f"pdfuaid:part is {meta.get('pdfuaid:part')!r}")
    if meta.get("pdfaid:part") != "2" or meta.get("pdfaid:conformance") not in ("A", "U"):
        fail("A-2 6.6.4", f"pdfaid {meta.get('pdfaid:part')!r}/{meta.get('pdfaid:conformance')!r}")
    fact("pdfa", f"{meta.get('pdfaid:part')}{meta.get('pdfaid:conformance')}")
    raw_xmp = bytes(root.Metadata.read_bytes()).decode("utf-8")
    if "/Filter" in root.Metadata:
        fail("A-2 6.6.2.1", "the metadata stream is filtered")
    if "http://www.aiim.org/pdfua/ns/id/" not in raw_xmp.split("pdfaExtension:schemas", 1)[-1]:
        fail("A-2 6.6.2.3", "pdfuaid is not declared in an extension schema")
    title = meta.get("dc:title")
    if not title:
        fail("UA 7.1", "no dc:title")
    if info is not None:
        pairs = [("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Producer", "pdf:Producer"),
                 ("/Keywords", "pdf:Keywords"), ("/Creator", "xmp:CreatorTool"), ("/Subject", "dc:description")]
        for key, prop in pairs:
            if key not in info:
                continue
            value = meta.get(prop)
            if isinstance(value, list):
                value = value[0] if len(value) == 1 else value
            if str(info[key]) != str(value):
                fail("A-2 6.6.3", f"Info {key} {str(info[key])!r} differs from XMP {prop} {value!r}")

# Output intent: sRGB ICC, v2 or v4, display or printer class.
intents = root.get("/OutputIntents")
if not intents:
    fail("A-2 6.2.3", "no OutputIntents")
else:
    oi = intents[0]
    if oi.get("/S") != "/GTS_PDFA1":
        fail("A-2 6.2.3", f"output intent /S is {oi.get('/S')}")
    icc = bytes(oi.DestOutputProfile.read_bytes())
    if icc[8] >= 5 or icc[12:16] not in (b"mntr", b"prtr") or icc[16:20] != b"RGB ":
        fail("A-2 6.2.3", f"ICC profile v{icc[8]} {icc[12:20]!r}")
    if int(oi.DestOutputProfile.get("/N", 0)) != 3:
        fail("A-2 6.2.3", "ICC stream /N is not 3")

# --- Structure tree (UA 7.1–7.9, 7.18) -------------------------------------
tree = root.StructTreeRoot
if "/RoleMap" in tree:
    fact("rolemap", "yes")
page_index = {p.objgen: i for i, p in enumerate(pdf.pages)}
parent_tree = {}
nums = list(tree.ParentTree.get("/Nums", []))
for k in range(0, len(nums), 2):
    parent_tree[int(nums[k])] = nums[k + 1]
next_key = int(tree.get("/ParentTreeNextKey", 0))
if parent_tree and next_key <= max(parent_tree):
    fail("ISO 32000 14.7.4.4", "ParentTreeNextKey is not above every key")
id_tree = {}
if "/IDTree" in tree:
    names = list(tree.IDTree.get("/Names", []))
    for k in range(0, len(names), 2):
        id_tree[bytes(names[k])] = names[k + 1]

STANDARD = {"Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
            "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
            "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
            "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
            "WP", "Figure", "Formula", "Form"}
claimed = {}  # (page, mcid) -> element objgen
headings = []  # heading levels in reading order
order_text = []
counts = {}
links = 0


def kids_of(elem):
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def walk(elem, parent, langs, depth=0):
    global links
    s = name(elem.get("/S"))
    counts[s] = counts.get(s, 0) + 1
    if s not in STANDARD:
        fail("UA 7.1", f"non-standard structure type {s} without a RoleMap")
    if elem.get("/P") is None or elem.P.objgen != parent.objgen:
        fail("UA 7.1", f"{s} element's /P is not its parent")
    lang = str(elem.get("/Lang", langs))
    if "/Lang" in elem:
        fact("elem_lang", f"{s}:{elem.Lang}")
    if re.fullmatch(r"H[1-6]", s):
        headings.append(int(s[1]))
    if s in ("Figure", "Formula") and not str(elem.get("/Alt", "")).strip():
        fail("UA 7.3", f"{s} without /Alt")
    if s == "Figure":
        fact("figure_alt", str(elem.get("/Alt", "")))
    if s == "TH":
        attrs = elem.get("/A")
        attrs = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs] if attrs is not None else []
        if not any(a.get("/O") == "/Table" and "/Scope" in a for a in attrs):
            fail("UA 7.5", "TH without /Scope")
    if s == "Note":
        note_id = elem.get("/ID")
        if note_id is None or bytes(note_id) not in id_tree:
            fail("UA 7.9", "Note without an /ID in the IDTree")
    kid_types = []
    has_objr = False
    page = elem.get("/Pg")
    for kid in kids_of(elem):
        if isinstance(kid, int):
            if page is None:
                fail("ISO 32000 14.7.4", f"{s} has an MCID but no /Pg")
                continue
            claim(page_index[page.objgen], int(kid), elem)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            pg = kid.get("/Pg", page)
            claim(page_index[pg.objgen], int(kid.MCID), elem)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            has_objr = True
            annot = kid.Obj
            if annot.get("/Subtype") == "/Link":
                links += 1
                if not str(annot.get("/Contents", "")).strip():
                    fail("UA 7.18.5", "Link annotation without /Contents")
                if "/StructParent" not in annot:
                    fail("UA 7.18.1", "annotation without /StructParent")
                elif parent_tree.get(int(annot.StructParent)) is None or \
                        parent_tree[int(annot.StructParent)].objgen != elem.objgen:
                    fail("ISO 32000 14.7.4.4", "annotation's ParentTree entry is not its element")
                if not int(annot.get("/F", 0)) & 4:
                    fail("A-2 6.3.2", "annotation without the Print flag")
                if s != "Link":
                    fail("UA 7.18.5", f"Link annotation under {s}, not Link")
        elif isinstance(kid, pikepdf.Dictionary):
            kid_types.append(name(kid.get("/S")))
            walk(kid, elem, lang, depth + 1)
    if s == "Link" and not has_objr:
        fail("UA 7.18.5", "Link element without its annotation")
    # Nesting rules (UA 7.2).
    allowed = {"L": {"LI", "L", "Caption"}, "LI": {"Lbl", "LBody"},
               "Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "TR": {"TH", "TD"},
               "TOC": {"TOC", "TOCI", "Caption"}}
    for t in kid_types:
        if s in allowed and t not in allowed[s]:
            fail("UA 7.2", f"{t} inside {s}")
    if s == "TR" and depth:
        widths.setdefault(parent.objgen, set()).add(len(kid_types))


widths = {}


def claim(page, mcid, elem):
    if (page, mcid) in claimed:
        fail("ISO 32000 14.7.4.4", f"MCID {mcid} on page {page + 1} belongs to two elements")
    claimed[(page, mcid)] = elem.objgen
    entry = parent_tree.get(int(pdf.pages[page].obj.get("/StructParents", -1)))
    if entry is None or mcid >= len(entry) or entry[mcid].objgen != elem.objgen:
        fail("ISO 32000 14.7.4.4", f"ParentTree does not name the element of MCID {mcid} on page {page + 1}")


for top in kids_of(tree):
    walk(top, tree, lang)
for table, row_widths in widths.items():
    if len(row_widths) > 1:
        fail("UA 7.2", f"table rows of {sorted(row_widths)} cells: not a regular grid")
if headings and headings[0] != 1:
    fail("UA 7.4.2", f"the first heading is H{headings[0]}")
for a, b in zip(headings, headings[1:]):
    if b > a + 1:
        fail("UA 7.4.2", f"heading level skips from H{a} to H{b}")
        break
fact("headings", len(headings))
fact("links", links)
for s in sorted(counts):
    fact(f"count_{s}", counts[s])

# --- Content: tagged or artifact (UA 7.1 t1–t3) ----------------------------
marked = 0
for i, page in enumerate(pdf.pages):
    if "/Annots" in page.obj and page.obj.get("/Tabs") != "/S":
        fail("UA 7.18.3", f"page {i + 1} has annotations but /Tabs is not /S")
    stack = []
    seen = set()
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            tag = name(operands[0])
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = int(props["/MCID"]) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            kind = "artifact" if tag == "Artifact" else "content" if mcid is not None else "other"
            inside = [k for k, _ in stack]
            if kind == "artifact" and "content" in inside:
                fail("UA 7.1", f"artifact inside tagged content on page {i + 1}")
            if kind == "content" and "artifact" in inside:
                fail("UA 7.1", f"tagged content inside an artifact on page {i + 1}")
            if mcid is not None:
                if mcid in seen:
                    fail("ISO 32000 14.7.4.4", f"MCID {mcid} used twice on page {i + 1}")
                seen.add(mcid)
                if (i, mcid) not in claimed:
                    fail("UA 7.1", f"MCID {mcid} on page {i + 1} belongs to no element")
            stack.append((kind, mcid))
        elif op == "EMC":
            if not stack:
                fail("ISO 32000 14.6", f"EMC without BDC on page {i + 1}")
            else:
                stack.pop()
        elif op in PAINTING:
            marked += 1
            kinds = [k for k, _ in stack]
            if "content" not in kinds and "artifact" not in kinds:
                fail("UA 7.1", f"{op} on page {i + 1} is neither tagged nor an artifact")
    if stack:
        fail("ISO 32000 14.6", f"unbalanced marked content on page {i + 1}")
fact("painting_ops", marked)
fact("mcids", len(claimed))

# --- Fonts (UA 7.21, A-2 6.2.11) ---------------------------------------------


def cff_widths(data):
    """Advance of each CID (or glyph index) in a bare CFF program, in
    1/1000 em."""
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    scale = top.FontMatrix[0] * 1000 if hasattr(top, "FontMatrix") else 1.0
    strings = top.CharStrings
    out = {}
    for gid, gname in enumerate(top.charset):
        cs, _ = strings.getItemAndSelector(gname)
        private = cs.private
        extractor = T2WidthExtractor(getattr(private, "Subrs", []), cs.globalSubrs,
                                     private.nominalWidthX, private.defaultWidthX)
        extractor.execute(cs)
        code = int(gname[3:]) if gname.startswith("cid") else gid
        out[code] = extractor.width * scale
    return out


def sfnt_widths(data):
    font = TTFont(io.BytesIO(data))
    upem = font["head"].unitsPerEm
    order = font.getGlyphOrder()
    return {gid: font["hmtx"][g][0] * 1000 / upem for gid, g in enumerate(order)}


def parse_w(w):
    out = {}
    items = list(w)
    k = 0
    while k < len(items):
        first = int(items[k])
        nxt = items[k + 1]
        if isinstance(nxt, pikepdf.Array):
            for j, v in enumerate(nxt):
                out[first + j] = float(v)
            k += 2
        else:
            for c in range(first, int(nxt) + 1):
                out[c] = float(items[k + 2])
            k += 3
    return out


def tounicode_codes(stream):
    text = bytes(stream.read_bytes()).decode("latin-1")
    codes = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            codes.add(int(code, 16))
            if uni.upper() in ("0000", "FEFF", "FFFE") or not uni:
                fail("UA 7.21.7 / A-2 6.2.11.7.2", f"ToUnicode maps {code} to <{uni}>")
    return codes


fonts_checked = 0
glyphs_checked = 0
seen_fonts = set()
for page in pdf.pages:
    res = page.obj.get("/Resources")
    for _, font in (res.get("/Font", {}) if res is not None else {}).items():
        if font.objgen in seen_fonts:
            continue
        seen_fonts.add(font.objgen)
        if font.get("/Subtype") != "/Type0":
            continue
        cid = font.DescendantFonts[0]
        desc = cid.FontDescriptor
        if cid.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in cid:
            fail("UA 7.21.3.2", "CIDFontType2 without CIDToGIDMap")
        if "/FontFile2" in desc:
            program = sfnt_widths(bytes(desc.FontFile2.read_bytes()))
        elif desc.FontFile3.get("/Subtype") == "/OpenType":
            program = sfnt_widths(bytes(desc.FontFile3.read_bytes()))
        elif "/FontFile3" in desc:
            program = cff_widths(bytes(desc.FontFile3.read_bytes()))
        else:
            fail("UA 7.21.4.1 / A-2 6.2.11.4.1", f"font {font.BaseFont} is not embedded")
            continue
        w = parse_w(cid.get("/W", []))
        dw = float(cid.get("/DW", 1000))
        if "/ToUnicode" not in font:
            fail("UA 7.21.7", f"font {font.BaseFont} has no ToUnicode")
            continue
        for code in tounicode_codes(font.ToUnicode):
            if code not in program:
                fail("A-2 6.2.11.8", f"code {code} of {font.BaseFont} is not in its program")
                continue
            pdf_width = w.get(code, dw)
            if abs(pdf_width - program[code]) > 1:
                fail("UA 7.21.5 / A-2 6.2.11.5",
                     f"{font.BaseFont} code {code}: /W {pdf_width} but the program says {program[code]:.1f}")
            glyphs_checked += 1
        fonts_checked += 1
fact("fonts_checked", fonts_checked)
fact("glyphs_checked", glyphs_checked)

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
