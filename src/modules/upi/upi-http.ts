import { applyDecorators, Header, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { QR_CONTENT_TYPE, type QrFormat } from './qr.js';

/**
 * Payment links, QR codes and documents are about one person's money and change with every payment:
 * never cached by a shared cache, never kept by the browser.
 */
export const NoStore = () => Header('Cache-Control', 'private, no-store');

/** Swagger and headers of a QR image route. */
export function QrImageRoute(format: QrFormat): MethodDecorator {
  return applyDecorators(
    NoStore(),
    ApiProduces(QR_CONTENT_TYPE[format]),
    ApiOkResponse({
      description:
        format === 'png'
          ? 'The payment link as a QR code (PNG, 8 pixels a module, error correction M).'
          : 'The payment link as a QR code (a standalone SVG document).',
      content: { [QR_CONTENT_TYPE[format]]: { schema: { type: 'string', format: 'binary' } } },
    }),
  );
}

/** A QR image response, shown inline. */
export function qrFile(image: Buffer, format: QrFormat, name: string): StreamableFile {
  return new StreamableFile(image, {
    type: QR_CONTENT_TYPE[format],
    disposition: `inline; filename="${name}.${format}"`,
    length: image.length,
  });
}
