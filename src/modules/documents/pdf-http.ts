import { applyDecorators, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { NoStore } from '../upi/upi-http.js';
import type { PdfFile } from './documents.service.js';

/** Swagger and headers of a route that serves a PDF. */
export function PdfRoute(description: string): MethodDecorator {
  return applyDecorators(
    NoStore(),
    ApiProduces('application/pdf'),
    ApiOkResponse({
      description,
      content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
    }),
  );
}

/** Streams a rendered document as an attachment; a failure mid-way drops the connection (never half a PDF that looks whole). */
export function pdfFile({ stream, filename }: PdfFile): StreamableFile {
  return new StreamableFile(stream, {
    type: 'application/pdf',
    disposition: `attachment; filename="${filename}"`,
  }).setErrorHandler((_err, response) => {
    if (response.headersSent) return response.destroy?.();
    response.statusCode = 503;
    response.send('The document could not be completed; please retry.');
  });
}
