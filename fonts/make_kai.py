#!/usr/bin/env python3
"""Makes fonts/WenKaiBooklet-Regular.ttf, the Kai face block quotes are set in,
from LXGW WenKai 1.250 (SIL OFL 1.1; Debian's fonts-lxgw-wenkai):

    apt-get download fonts-lxgw-wenkai && dpkg-deb -x fonts-lxgw-wenkai_*.deb x
    python3 fonts/make_kai.py x/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf

It keeps what Chinese text needs and no more, so that the repository and the
binary stay small: the 6,763 hanzi and the symbols of GB 2312, the 5,401
common hanzi of Big5 (Traditional text), ASCII, and the punctuation of
Chinese text. Its curly quotes are made full width (the ink where GB puts
it: an opening quote at the right of its em, a closing one at the left), as
Chinese fonts set them; the font's own are Latin-width.

The result is a Modified Version under the OFL, so it may not carry the
Reserved Font Names "LXGW" and "霞鹜": it is renamed "WenKai Booklet".
Its licence is fonts/WenKaiBooklet-OFL.txt.
"""
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "WenKai Booklet"
POSTSCRIPT = "WenKaiBooklet-Regular"


def characters():
    chars = set(range(0x20, 0x7F))
    # General punctuation, CJK symbols and punctuation, full-width forms.
    chars |= set(range(0x2010, 0x2027)) | set(range(0x2030, 0x203C))
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF5F)) | set(range(0xFFE0, 0xFFE7))
    chars |= {0xB7, 0xD7, 0xF7, 0x2014, 0x2015, 0x2016, 0x2E3A}
    # GB 2312: rows 0xA1-0xF7, columns 0xA1-0xFE.
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    # Big5 level 1, the common hanzi: 0xA440-0xC67E.
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if (hi, lo) > (0xC6, 0x7E):
                continue
            try:
                chars.add(ord(bytes([hi, lo]).decode("big5")))
            except UnicodeDecodeError:
                pass
    return chars


def full_width_quotes(font):
    """Curly quotes one em wide, ink to the side GB puts it."""
    cmap = font.getBestCmap()
    glyf = font["glyf"]
    hmtx = font["hmtx"]
    em = font["head"].unitsPerEm
    for c, opening in (("\u201c", True), ("\u2018", True), ("\u201d", False), ("\u2019", False)):
        name = cmap.get(ord(c))
        if name is None:
            continue
        advance, lsb = hmtx[name]
        if advance >= em:
            continue
        g = glyf[name]
        if opening and g.numberOfContours > 0:
            shift = em - advance
            coords = g.getCoordinates(glyf)[0]
            coords.translate((shift, 0))
            g.recalcBounds(glyf)
            lsb += shift
        hmtx[name] = (em, lsb)


def rename(font):
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
            name.removeNames(nameID=record.nameID)
    for platform, encoding, lang in ((3, 1, 0x409), (1, 0, 0)):
        name.setName(FAMILY, 1, platform, encoding, lang)
        name.setName(f"{FAMILY}:subset for booklet of LXGW WenKai 1.250", 3, platform, encoding, lang)
        name.setName(FAMILY, 4, platform, encoding, lang)
        name.setName(POSTSCRIPT, 6, platform, encoding, lang)


def main(source, out="fonts/WenKaiBooklet-Regular.ttf"):
    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["vert", "vrt2", "locl"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(characters()))
    sub.subset(font)
    full_width_quotes(font)
    rename(font)
    font.save(out, reorderTables=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
