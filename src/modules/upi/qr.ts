import QRCode from 'qrcode';

/** The image formats a payment QR code is served in. */
export type QrFormat = 'png' | 'svg';

export const QR_CONTENT_TYPE: Record<QrFormat, string> = {
  png: 'image/png',
  svg: 'image/svg+xml',
};

// Level M (15 % recovery) keeps a ~120-character link at a version most phone cameras read at a glance
// from a printed receipt; the 4-module quiet zone is what the QR standard requires around the code.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** A QR code of `text` as a PNG (8 pixels a module) or a self-contained SVG document. */
export async function qrCode(text: string, format: QrFormat): Promise<Buffer> {
  if (format === 'png') return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale: 8 });
  const svg = await QRCode.toString(text, { ...OPTIONS, type: 'svg' });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`, 'utf8');
}
