import { Controller, Get, Post, VersioningType } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { ApiProblems } from './common/http/api-problems.js';
import { buildOpenApiDocuments } from './openapi.js';

class SaleDto {
  @ApiProperty({ enum: ['paid', 'due', 'partially_paid'] }) status: string;
  @ApiProperty() merchant_id: number;
  @ApiProperty() amount: number;
}

@Controller({ path: 'orders', version: '1' })
class OrdersV1Controller {
  @Get()
  @ApiOkResponse({ type: SaleDto })
  list() {
    return [];
  }
}

@Controller('transactions')
class TransactionsController {
  @Post('create')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOkResponse({ type: SaleDto })
  @ApiProblems(422)
  create() {
    return {};
  }
}

describe('the OpenAPI documents', () => {
  it('split v1 from v2 by path prefix and name operations, enums, integers and errors', async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [OrdersV1Controller, TransactionsController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('api');
    app.enableVersioning({ type: VersioningType.URI, defaultVersion: '2' });
    const { v1, v2 } = buildOpenApiDocuments(app);
    await app.close();

    expect(Object.keys(v1.paths)).toEqual(['/api/v1/orders']);
    expect(Object.keys(v2.paths)).toEqual(['/api/v2/transactions/create']);
    const create = v2.paths['/api/v2/transactions/create'].post!;
    expect(create.operationId).toBe('createTransaction');
    expect(v1.paths['/api/v1/orders'].get!.operationId).toBe('listOrdersV1');
    expect(create.security).toEqual([]);
    expect(Object.keys((create.responses['422'] as { content: object }).content)).toEqual([
      'application/problem+json',
    ]);
    expect(Object.keys((create.responses['200'] as { headers: object }).headers)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'Idempotent-Replayed']),
    );
    const sale = v2.components!.schemas!.SaleDto as { properties: Record<string, object> };
    expect(sale.properties.status).toEqual({ allOf: [{ $ref: '#/components/schemas/TransactionStatus' }] });
    expect(sale.properties.merchant_id).toMatchObject({ type: 'integer' });
    expect(sale.properties.amount).toMatchObject({ type: 'number' });
    expect(v2.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });
});
