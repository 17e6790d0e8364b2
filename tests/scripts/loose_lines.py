#!/usr/bin/env python3
"""How loosely a booklet PDF's body lines are set, measured as a reader sees them.

usage: loose_lines.py BOOK.pdf BODY_SIZE_PT

Every glyph's position comes from `mutool draw -F stext`, in drawing order.
Glyphs are grouped into lines by baseline (a footnote mark, raised, stays on
its line); a body line is one of glyphs at the body size. Spaces are left
out (MuPDF makes some up for gaps, so drawn and made-up ones cannot be told
apart). Between two neighbours on a line, the extra space is the gap between
the first's advance and the second's origin, less what belongs there: the
quarter em clreq puts between Han and Latin letters or digits, a word space
(the body face's, 0.256 em) between Latin words; a line's extra space is the
widest such gap. Lines of leader dots (the contents) are left out, and a
gap of a whole em between ideographs is taken for an ideographic space.

Prints one JSON object:
  lines      body lines measured
  loosest    the largest extra space on any body line, in em
  worst      the loosest lines (extra space in em, and the line's text)
  over       lines with more than 0.25 em of extra space
  letters    the largest extra space between two letters or digits of one
             Latin word (justification letter-spaces words only a little)
  ragged     lines that do not reach the text block's right edge although
             the next line on the page continues their paragraph (it
             starts flush left, not indented)
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

LIMIT = 0.25
WORD_SPACE = 0.256


def is_wide(c):
    return ord(c) >= 0x2E80


def is_latin(c):
    return c.isascii() and c.isalnum()


def pages(pdf):
    xml = subprocess.run(['mutool', 'draw', '-F', 'stext', '-O', 'inhibit-spaces', '-o', '-', pdf],
                         capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(xml)
    for page in root.iter('page'):
        chars = []
        seq = 0
        for font in page.iter('font'):
            size = float(font.get('size'))
            mono = 'Mono' in (font.get('name') or '')
            for ch in font.iter('char'):
                q = [float(v) for v in ch.get('quad').split()]
                seq += 1
                chars.append(dict(c=ch.get('c'), x=float(ch.get('x')), y=float(ch.get('y')),
                                  right=max(q[0], q[2], q[4], q[6]), size=size, seq=seq,
                                  mono=mono))
        yield chars


def lines_of(chars, body):
    # Baselines of body-size glyphs first; smaller glyphs (raised marks)
    # join the body line whose baseline is nearest within half an em.
    chars = sorted(chars, key=lambda c: (round(c['y'], 0), c['seq']))
    lines = []
    for c in chars:
        if abs(c['size'] - body) > 0.05:
            continue
        if lines and abs(lines[-1]['y'] - c['y']) < 1.0:
            lines[-1]['chars'].append(c)
        else:
            lines.append(dict(y=c['y'], chars=[c]))
    for c in chars:
        if abs(c['size'] - body) <= 0.05:
            continue
        near = [l for l in lines if 0 <= l['y'] - c['y'] < 0.5 * body]
        if near:
            near[0]['chars'].append(c)
    for l in lines:
        l['chars'].sort(key=lambda c: c['seq'])
    return lines


def neighbours(cs):
    """Pairs of glyphs next to each other on a line, spaces left out, and
    whether a space stood between them."""
    prev, spaced = None, False
    for c in cs:
        if c['c'] in ' \u00a0':
            spaced = True
            continue
        if prev is not None:
            yield prev, c, spaced
        prev, spaced = c, False


def extra(a, b, spaced, em):
    if a['mono'] or b['mono']:
        # Code keeps its columns (a space in it is one column wide).
        return 0.0
    gap = b['x'] - a['right']
    if is_wide(a['c']) and is_wide(b['c']) and gap > 0.98 * em:
        # An ideographic space a title holds (drawn as nothing): no
        # justification widens a gap that far.
        gap -= em
    if (is_wide(a['c']) and is_latin(b['c'])) or (is_latin(a['c']) and is_wide(b['c'])):
        gap -= 0.25 * em
    elif spaced and not is_wide(a['c']) and not is_wide(b['c']):
        gap -= WORD_SPACE * em
    return gap / em


def main():
    pdf, body = sys.argv[1], float(sys.argv[2])
    out = dict(lines=0, loosest=0.0, worst=[], over=0, ragged=[], letters=0.0)
    measured = []
    for chars in pages(pdf):
        lines = lines_of(chars, body)
        lines = [l for l in lines
                 if not re.search(r'(\. ?){3,}', ''.join(c['c'] for c in l['chars']))]
        if not lines:
            continue
        left = min(l['chars'][0]['x'] for l in lines)
        # The text block's right edge: where most lines end (a stop that
        # ends a line is drawn in a box half an em wider than it takes).
        rights = sorted(round(max(c['right'] for c in l['chars']), 1) for l in lines)
        right = max(set(rights), key=rights.count)
        for i, l in enumerate(lines):
            cs = l['chars']
            text = ''.join(c['c'] for c in cs)
            loose = max((extra(a, b, sp, body) for a, b, sp in neighbours(cs)), default=0.0)
            letters = [extra(a, b, sp, body) for a, b, sp in neighbours(cs)
                       if not sp and is_latin(a['c']) and is_latin(b['c'])]
            out['letters'] = round(max([out['letters']] + letters), 3)
            out['lines'] += 1
            measured.append((round(loose, 3), text))
            if i + 1 < len(lines):
                nxt = lines[i + 1]
                continues = (abs(nxt['chars'][0]['x'] - left) < 0.1 * body
                             and abs(cs[0]['x'] - left) < 2.5 * body
                             and 0 < nxt['y'] - l['y'] < 2.2 * body)
                if continues and right - max(c['right'] for c in cs) > 1.0:
                    out['ragged'].append(text)
    measured.sort(key=lambda m: -m[0])
    out['loosest'] = measured[0][0] if measured else 0.0
    out['worst'] = measured[:5]
    out['over'] = sum(1 for m in measured if m[0] > LIMIT)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == '__main__':
    main()
