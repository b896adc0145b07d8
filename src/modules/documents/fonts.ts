import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fonts every document embeds, shipped in assets/fonts (SIL Open Font License, see OFL.txt there):
 * Noto Sans for Latin text, digits and ₹, Noto Sans Devanagari for Hindi (and Marathi) names. pdfkit's
 * fontkit shapes OpenType text, so conjuncts and matras come out as a reader expects them; neither font
 * covers both scripts, so text is split into runs by script (`scriptRuns`).
 */
export const FONT_FILES = {
  latin: 'NotoSans-Regular.ttf',
  latinBold: 'NotoSans-Bold.ttf',
  devanagari: 'NotoSansDevanagari-Regular.ttf',
  devanagariBold: 'NotoSansDevanagari-Bold.ttf',
} as const;
export type FontName = keyof typeof FONT_FILES;

/**
 * assets/fonts of the package: the same from the sources (tests) and the build (dist/src/...), so it is
 * found by walking up from this file rather than by a fixed number of `..`.
 */
function fontsDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'assets', 'fonts');
    if (existsSync(join(candidate, FONT_FILES.latin))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('assets/fonts not found: the package ships the documents’ fonts there');
    dir = parent;
  }
}

let loaded: Record<FontName, Buffer> | undefined;

/** The font files, read once per process. */
export function fonts(): Record<FontName, Buffer> {
  if (!loaded) {
    const dir = fontsDirectory();
    loaded = Object.fromEntries(
      Object.entries(FONT_FILES).map(([name, file]) => [name, readFileSync(join(dir, file))]),
    ) as Record<FontName, Buffer>;
  }
  return loaded;
}

export type Script = 'latin' | 'devanagari';
export interface ScriptRun {
  script: Script;
  text: string;
}

// Devanagari letters and signs (Unicode's Script property), the dandas, and the joiners that steer conjuncts.
const DEVANAGARI = /\p{Script=Devanagari}|[\u0964\u0965\u200C\u200D]/u;
// Spaces, digits and punctuation exist in both fonts: they stay in the run they are in, so a Hindi
// name with spaces is one run (one shaping context) rather than a word at a time.
const NEUTRAL = /[\s\d\p{P}]/u;

/** Splits text into runs of one script, for drawing each with a font that has its glyphs. */
export function scriptRuns(text: string): ScriptRun[] {
  const runs: ScriptRun[] = [];
  for (const ch of text) {
    const script: Script | null = DEVANAGARI.test(ch) ? 'devanagari' : NEUTRAL.test(ch) ? null : 'latin';
    const last = runs[runs.length - 1];
    if (last && (script === null || script === last.script)) last.text += ch;
    else runs.push({ script: script ?? 'latin', text: ch });
  }
  return runs;
}
