#!/usr/bin/env python3
"""Display lines of a booklet PDF, measured as a reader sees them.

usage: display_lines.py BOOK.pdf DISPLAY.txt BODY_SIZE_PT

DISPLAY.txt holds the book's display texts (titles, headings), one a line,
words marked with `|` ('#' lines are comments). The glyphs' positions come
from `mutool draw -F stext` and are grouped into lines by baseline. Every
run of consecutive lines on a page that reads as one of the texts (a TOC
entry's leader dots and page number left out) is a display occurrence;
running heads are lines of 0.8 body size above the text that end in ……

Prints one JSON object:
  lines          display lines found
  found          texts found at least once
  missing        texts never found
  word_breaks    breaks neither after a phrase mark (，：、；！？。 space,
                 either side of ——) nor at a `|`
  squeezed       a mark followed (or an opening mark preceded) by a
                 character closer than 1 em: punctuation given up to fit
  heads          running heads shortened with ……
  bad_heads      those cut elsewhere than before or after a phrase mark
  hanging        TOC entries of several lines whose continuation lines do
                 not stand at least 1 em further in than their first
  shortest_last  the smallest (last line / longest line) over titles and
                 headings of several lines
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

PHRASE = set('，：、；！？。 \u3000')
CLOSING = set('，。、；：？！”’）》」』】〉')
OPENING = set('“‘（《「『【〈')
PUNCT = CLOSING | OPENING | set('·—…')


def is_wide(c):
    return ord(c) >= 0x2E80 or c in PUNCT


def load_texts(path):
    texts = []
    for raw in open(path, encoding='utf-8'):
        raw = raw.rstrip('\n')
        if not raw or raw.startswith('#'):
            continue
        key, words, phrases = '', set(), set()
        for i, c in enumerate(raw):
            if c == '|':
                words.add(len(key))
                continue
            if c in ' \u3000':
                # A space between Latin words (GB/T 7714) ends no phrase.
                if not (c == ' ' and raw[i - 1:i].isascii() and raw[i + 1:i + 2].isascii()):
                    phrases.add(len(key))
                continue
            key += c
            if c in PHRASE:
                phrases.add(len(key))
            if c == '—' and raw[i + 1:i + 2] != '—':
                phrases.add(len(key))
            if c == '—' and raw[i - 1:i] != '—':
                phrases.add(len(key) - 1)
        texts.append(dict(text=raw.replace('|', ''), key=key, phrases=phrases,
                          allowed=words | phrases))
    return texts


def pages(pdf):
    xml = subprocess.run(['mutool', 'draw', '-F', 'stext', '-o', '-', pdf],
                         capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(xml)
    for page in root.iter('page'):
        chars = []
        for font in page.iter('font'):
            size = float(font.get('size'))
            for ch in font.iter('char'):
                q = [float(v) for v in ch.get('quad').split()]
                chars.append(dict(c=ch.get('c'), x=float(ch.get('x')), y=float(ch.get('y')),
                                  right=max(q[0], q[2], q[4], q[6]), size=size))
        chars.sort(key=lambda c: (round(c['y'], 0), c['x']))
        lines = []
        for c in chars:
            if lines and abs(lines[-1][0]['y'] - c['y']) < 1.0:
                lines[-1].append(c)
            else:
                lines.append([c])
        for line in lines:
            line.sort(key=lambda c: c['x'])
        yield lines


def reading(line):
    """The line's characters without spaces, leader dots and a TOC page number."""
    cs = [c for c in line if c['c'] not in ' \u3000']
    text = ''.join(c['c'] for c in cs)
    m = re.search(r'\.+\s*[0-9ivxlcdm]+$', text) or re.search(r'(?<=[^0-9A-Za-z ])[0-9]+$', text)
    toc = bool(m)
    if m:
        cs = cs[:m.start()]
    cs = [c for c in cs if c['c'] != '.']
    return cs, toc


def main():
    pdf, listing, body = sys.argv[1], sys.argv[2], float(sys.argv[3])
    texts = load_texts(listing)
    by_key = {t['key']: t for t in texts}
    out = dict(lines=0, found=0, missing=[], word_breaks=[], squeezed=[], heads=0,
               bad_heads=[], hanging=[], shortest_last=1.0)
    seen = set()
    for lines in pages(pdf):
        read = [reading(l) for l in lines]
        i = 0
        while i < len(read):
            cs, toc = read[i]
            size = cs[0]['size'] if cs else body
            s = ''.join(c['c'] for c in cs)
            if s.endswith('……') and abs(size - 0.8 * body) < 0.05 and len(s) > 2:
                out['heads'] += 1
                out['lines'] += 1
                shown = s[:-2]
                # Cut where a phrase ends: the mark that ends it left out.
                ok = any(t['key'].startswith(shown)
                         and (len(shown) in t['phrases'] or len(shown) + 1 in t['phrases'])
                         for t in texts)
                if not ok:
                    out['bad_heads'].append(s)
                i += 1
                continue
            match = None
            acc = ''
            for j in range(i, min(i + 6, len(read))):
                acc += ''.join(c['c'] for c in read[j][0])
                if acc in by_key:
                    match = j
                if not any(k.startswith(acc) for k in by_key):
                    break
            if match is None:
                i += 1
                continue
            t = by_key[acc[:0] + ''.join(''.join(c['c'] for c in read[j][0]) for j in range(i, match + 1))]
            seen.add(t['key'])
            group = read[i:match + 1]
            out['lines'] += len(group)
            at = 0
            for n, (cs, _) in enumerate(group[:-1]):
                at += len(cs)
                if at not in t['allowed']:
                    k = t['key']
                    out['word_breaks'].append(k[:at] + '｜' + k[at:])
            for cs, _ in group:
                for a, b in zip(cs, cs[1:]):
                    em = a['size']
                    gap = b['x'] - a['x']
                    if a['c'] in CLOSING and b['c'] not in PUNCT and gap < 0.99 * em:
                        out['squeezed'].append(f"{a['c']}{b['c']} {gap / em:.2f} em in {t['text']}")
                    if b['c'] in OPENING and a['c'] not in PUNCT and is_wide(a['c']) \
                            and gap < 0.99 * em:
                        out['squeezed'].append(f"{a['c']}{b['c']} {gap / em:.2f} em in {t['text']}")
            if len(group) > 1:
                widths = [cs[-1]['right'] - cs[0]['x'] for cs, _ in group]
                if not group[0][1] and not any(g[1] for g in group):
                    out['shortest_last'] = min(out['shortest_last'], widths[-1] / max(widths))
                if any(g[1] for g in group):
                    first = group[0][0][0]['x']
                    if any(cs[0]['x'] - first < 0.99 * cs[0]['size'] for cs, _ in group[1:]):
                        out['hanging'].append(t['text'])
            i = match + 1
    out['found'] = len(seen)
    out['missing'] = [t['text'] for t in texts if t['key'] not in seen]
    out['shortest_last'] = round(out['shortest_last'], 2)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == '__main__':
    main()
