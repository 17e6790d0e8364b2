#!/usr/bin/env python3
"""Each text line of a booklet PDF with the face and size it is set in, as
MuPDF reads the page (`mutool draw -F stext`).

usage: styled_lines.py BOOK.pdf

Prints one JSON object: {"lines": [{"page", "text", "font", "size", "x0",
"x1", "y"}]}. A line is one of MuPDF's, its text the characters drawn
(spaces MuPDF makes up for gaps left out); `font` and `size` are those of
most of its characters; x0 and x1 are the left edge of its first character
and the right edge of its last, y its baseline, in points from the top.
"""
import collections
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def main(pdf):
    out = subprocess.run(["mutool", "draw", "-F", "stext", "-o", "-", pdf],
                         capture_output=True, check=True).stdout
    lines = []
    for number, page in enumerate(ET.fromstring(out).iter("page"), 1):
        for line in page.iter("line"):
            chars = []
            for font in line.iter("font"):
                for ch in font.iter("char"):
                    c = ch.get("c")
                    if c.isspace():
                        continue
                    quad = [float(v) for v in ch.get("quad").split()]
                    chars.append((c, font.get("name"), round(float(font.get("size")), 2),
                                  quad[0], quad[2], float(ch.get("y"))))
            if not chars:
                continue
            fonts = collections.Counter(c[1] for c in chars)
            sizes = collections.Counter(c[2] for c in chars)
            lines.append(dict(
                page=number,
                text="".join(c[0] for c in chars),
                font=fonts.most_common(1)[0][0],
                size=sizes.most_common(1)[0][0],
                x0=min(c[3] for c in chars),
                x1=max(c[4] for c in chars),
                y=chars[0][5],
            ))
    json.dump(dict(lines=lines), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
