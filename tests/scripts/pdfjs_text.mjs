// The text pdf.js extracts from a PDF, page by page, its items joined as
// pdf.js's own viewer joins them (a line break where pdf.js marks one).
// Usage: node pdfjs_text.mjs PDFJS_DIST_DIR FILE.pdf
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, file] = process.argv.slice(2);
const { getDocument } = await import(pathToFileURL(join(dist, "legacy/build/pdf.mjs")).href);
const data = new Uint8Array(readFileSync(file));
const doc = await getDocument({ data, verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
let out = "";
for (let i = 1; i <= doc.numPages; i++) {
  const page = await doc.getPage(i);
  const content = await page.getTextContent();
  for (const item of content.items) {
    if (item.str === undefined) continue;
    out += item.str;
    if (item.hasEOL) out += "\n";
  }
  out += "\n\f";
}
process.stdout.write(out);
