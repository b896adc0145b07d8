import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../reliability/support/spawn.js';

/** Where the documents and their page-1 images are kept for a person to look at (gitignored). */
export const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'documents');

/** Saves a PDF as an artifact and returns its path. */
export function savePdf(name: string, pdf: Buffer): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.pdf`);
  writeFileSync(path, pdf);
  return path;
}

/** The text of a PDF as pdftotext reads it, in reading order (one line per PDF line). */
export function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
}

/** How many pages a PDF has, as pdfinfo reads it. */
export function pdfPages(path: string): number {
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}

/** Renders page 1 to `<name>-page1.png` beside the PDF (at `dpi`) and returns the PNG. */
export function renderPage1(path: string, dpi = 150): Buffer {
  const prefix = path.replace(/\.pdf$/, '-page1');
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', path, prefix]);
  return readFileSync(`${prefix}.png`);
}
