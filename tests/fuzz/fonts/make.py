"""Makes the fuzzing fonts from the shipped ones (run from the repository
root: python3 tests/fuzz/fonts/make.py). Needs fontTools."""
import glob

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SOURCES = (glob.glob("tests/fuzz/corpus/book/*") + ["src/fuzzing.rs"]
           + glob.glob("src/epub/**/*.rs", recursive=True)
           + glob.glob("src/pdf/**/*.rs", recursive=True) + glob.glob("src/labels.rs"))
chars = {chr(c) for c in range(0x20, 0x7F)}
chars |= set("，。、；：？！「」『』（）《》〈〉—…·“”‘’【】〔〕％＋－＝０１２３４５６７８９　目录錄第章页頁注")
for path in SOURCES:
    chars |= set(open(path, encoding="utf-8", errors="ignore").read())
text = "".join(sorted(c for c in chars if ord(c) >= 0x20))
FEATURES = "ccmp,locl,liga,clig,calt,rlig,kern,mark,mkmk,vert,vrt2".split(",")
SC, TC = 2, 3  # faces of the shipped collections


def cut(source, face, glyphs=()):
    font = TTFont(source, fontNumber=face)
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text, glyphs=list(glyphs))
    subsetter.subset(font)
    return font


for weight in ["Regular", "Bold"]:
    source = f"fonts/NotoSerifCJK-{weight}.ttc"
    # One glyph set for both faces, so that they share one CFF table.
    union = set(cut(source, SC).getGlyphOrder()) | set(cut(source, TC).getGlyphOrder())
    collection = TTCollection()
    collection.fonts = [cut(source, SC, sorted(union)), cut(source, TC, sorted(union))]
    collection.save(f"tests/fuzz/fonts/NotoSerifCJK-{weight}-fuzz.ttc", shareTables=True)
