import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import type { Response } from 'supertest';
import type { TestApp } from './app.js';

// A CommonJS module whose types declare an ES default export: Node's default import is the function itself.
const jsQR = jsqr.default;

/** Collects a binary response body (PDF, PNG) as a Buffer, whatever its content type. */
export function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (err: Error) => done(err, Buffer.alloc(0)));
}

/** GETs a document or image with the caller's token and answers the response with `body` as a Buffer. */
export function getBinary(t: TestApp, path: string, auth: Record<string, string>) {
  return t.http
    .get(path)
    .set(auth)
    .buffer(true)
    .parse(binary as never);
}

/** Reads a QR code out of a PNG image: the text it encodes, or null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

/**
 * Reads a QR code out of the SVG the API serves: its dark modules are one path of `M x y` / `m dx dy`
 * moves and `h n` runs, half a module below each row's top (the `qrcode` package's renderer). The
 * modules are painted into a bitmap, 8 pixels a module, and decoded with the same reader as the PNG.
 */
export function decodeQrSvg(svg: string): string | null {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)?.[1];
  if (!size || !d) return null;
  const scale = 8;
  const px = size * scale;
  const data = new Uint8ClampedArray(px * px * 4).fill(255);
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?/g)) {
    if (cmd === 'M') [x, y] = [Number(a), Number(b)];
    else if (cmd === 'm') [x, y] = [x + Number(a), y + Number(b)];
    else {
      const row = Math.floor(y);
      for (let col = x; col < x + Number(a); col++)
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const i = ((row * scale + dy) * px + col * scale + dx) * 4;
            data[i] = data[i + 1] = data[i + 2] = 0;
          }
      x += Number(a);
    }
  }
  return jsQR(data, px, px)?.data ?? null;
}

/** A minimal well-formedness check of an XML document: one root, every tag closed in order. */
export function isWellFormedXml(xml: string): boolean {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '').trim();
  const stack: string[] = [];
  let roots = 0;
  for (const [, closing, name, selfClosing] of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (closing) {
      if (stack.pop() !== name) return false;
    } else {
      if (stack.length === 0) roots += 1;
      if (!selfClosing) stack.push(name);
    }
  }
  return stack.length === 0 && roots === 1 && body.startsWith('<') && body.endsWith('>');
}
