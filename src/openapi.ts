import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ROLES } from './common/auth/role.js';
import { ProblemDto } from './common/http/api-problems.js';
import { VERSION } from './modules/health/health.service.js';
import {
  PAYMENT_METHODS,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from './modules/transactions/dto/transaction-response.dto.js';

type Schema = Record<string, unknown>;
type Operation = {
  operationId?: string;
  security?: unknown[];
  parameters?: { name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, Response>;
};
type Response = { description?: string; headers?: Record<string, unknown>; content?: Record<string, Schema> };

/** The v1 compatibility surface: every route under this prefix goes to its own document. */
const V1_PREFIX = '/api/v1/';

/** Names of the enums every client shares, by their values (whatever property carries them). */
const NAMED_ENUMS: Record<string, readonly string[]> = {
  TransactionType: TRANSACTION_TYPES,
  TransactionStatus: TRANSACTION_STATUSES,
  PaymentMethod: PAYMENT_METHODS,
  UserType: ROLES,
};

/** Numbers that are whole: ids, paise, counts, sequence numbers, days, page sizes, HTTP statuses. */
const WHOLE_NUMBER =
  /^(id|seq|since_seq|rank|days|limit|offset|count|status|expires_in|transactions|bills)$|(_id|_paise|_count|_bills)$/;

const HEADERS: Record<string, Schema> = {
  'X-Request-Id': {
    description: "This request's id (the caller's `X-Request-Id` if it sent one); quote it in reports.",
    schema: { type: 'string' },
  },
  'X-Next-Cursor': {
    description: 'The cursor of the next page; absent on the last page.',
    schema: { type: 'string' },
  },
  Link: { description: 'RFC 8288 link to the next page (`rel="next"`).', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true` when the response is the stored one of an earlier request with the same key.',
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

const HEALTH_SCHEMAS: Record<string, Schema> = {
  HealthSummary: {
    type: 'object',
    required: ['message', 'status', 'version', 'docs', 'admin', 'api', 'uptime_seconds'],
    properties: {
      message: { type: 'string', example: 'GraminStore API is running' },
      status: { type: 'string', enum: ['healthy'] },
      version: { type: 'string', example: VERSION },
      docs: { type: 'string', example: '/docs' },
      admin: { type: 'string', example: '/admin' },
      api: { type: 'string', example: '/api/v2' },
      uptime_seconds: { type: 'integer', minimum: 0 },
    },
  },
  HealthLive: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['ok'] } },
  },
  HealthReady: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ok'] },
      checks: {
        type: 'object',
        required: ['database'],
        properties: { database: { type: 'string', enum: ['up'] } },
      },
    },
  },
};
const HEALTH_ROUTES: Record<string, string> = {
  '/': 'HealthSummary',
  '/health/live': 'HealthLive',
  '/health/ready': 'HealthReady',
};

/** Readable operation ids (`createTransaction`): `<ControllerClass>.<method>` → id. */
const OPERATION_IDS: Record<string, string> = {
  'HealthController.summary': 'getHealthSummary',
  'HealthController.live': 'getLiveness',
  'HealthController.ready': 'getReadiness',
  'AuthController.registerMerchant': 'registerMerchant',
  'AuthController.registerUser': 'registerUser',
  'AuthController.loginMerchant': 'loginMerchant',
  'AuthController.loginUser': 'loginUser',
  'AuthController.loginAdmin': 'loginAdmin',
  'AuthController.refresh': 'refreshTokens',
  'AuthController.logout': 'logout',
  'AuthController.merchantProfile': 'getMerchantProfile',
  'AuthController.userProfile': 'getUserProfile',
  'UsersController.lookup': 'lookupUserByPhone',
  'GuestsController.create': 'createGuestUser',
  'GuestsController.list': 'listGuestUsers',
  'TransactionsController.create': 'createTransaction',
  'TransactionsController.history': 'listTransactions',
  'TransactionsController.analytics': 'getTransactionAnalytics',
  'TransactionsController.exportCsv': 'exportTransactionsCsv',
  'TransactionsController.findOne': 'getTransaction',
  'TransactionsController.settle': 'settleTransaction',
  'DashboardController.merchant': 'getMerchantDashboard',
  'DashboardController.topCustomers': 'getTopCustomers',
  'DashboardController.user': 'getUserDashboard',
  'DashboardController.expenses': 'getUserExpenses',
  'DashboardController.merchants': 'getUserMerchants',
  'DashboardController.bills': 'getUserBills',
};

/**
 * `createTransaction` for a known route; otherwise the method name with the controller's noun
 * (`lookupUsers`). Routes of another version than v2 get it as a suffix (`createTransactionV1`), so
 * ids stay unique when both documents are merged by a client generator.
 */
function operationId(controller: string, method: string, version: string | undefined): string {
  // `V1AuthController`, `AuthV1Controller` → `Auth`: the version is added once, below.
  const noun = controller.replace(/Controller$/, '').replace(/^V\d+|V\d+$/, '');
  const base = OPERATION_IDS[`${noun}Controller.${method}`] ?? `${method}${noun}`;
  const v = version?.replace(/^v/i, '');
  return v && v !== '2' ? `${base}V${v}` : base;
}

const isRef = (s: Schema) => typeof s.$ref === 'string';
const sameValues = (a: readonly unknown[], b: readonly string[]) =>
  a.length === b.length && b.every((v) => a.includes(v));

/** Types whole numbers as integers and points known enums at their named schema, recursively. */
function refine(schema: Schema, name?: string): Schema {
  if (isRef(schema)) return schema;
  for (const key of ['properties'] as const) {
    const props = schema[key] as Record<string, Schema> | undefined;
    if (props) for (const [prop, value] of Object.entries(props)) props[prop] = refine(value, prop);
  }
  if (schema.items) schema.items = refine(schema.items as Schema, name);
  if (schema.type === 'number' && name && WHOLE_NUMBER.test(name)) schema.type = 'integer';
  const values = schema.enum as unknown[] | undefined;
  if (values) {
    const named = Object.entries(NAMED_ENUMS).find(([, v]) => sameValues(values, v))?.[0];
    if (named) {
      // OpenAPI 3.0 wants `type` beside `nullable`; otherwise the named schema alone says it.
      const { type, enum: _enum, ...rest } = schema;
      return {
        ...(rest.nullable ? { type } : {}),
        ...rest,
        allOf: [{ $ref: `#/components/schemas/${named}` }],
      };
    }
  }
  return schema;
}

/** Error responses as problem+json, the CSV body as text/csv, and the headers every response sends. */
function fixResponses(path: string, op: Operation): void {
  for (const [status, response] of Object.entries(op.responses)) {
    const code = Number(status);
    response.headers = { ...(response.headers ?? {}), 'X-Request-Id': headerRef('X-Request-Id') };
    for (const name of Object.keys(response.headers))
      if (HEADERS[name]) response.headers[name] = headerRef(name);
    if (code >= 400) {
      response.content = {
        'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } },
      };
      if (code === 429 || code === 503) response.headers['Retry-After'] = headerRef('Retry-After');
    } else if (path.endsWith('.csv') && code < 300) {
      response.content = { 'text/csv': { schema: { type: 'string' } } };
    } else if (HEALTH_ROUTES[path] && code === 200) {
      response.content = {
        'application/json': { schema: { $ref: `#/components/schemas/${HEALTH_ROUTES[path]}` } },
      };
    }
  }
  // Routes that take an Idempotency-Key say when they replay; routes that page by cursor send the next one.
  const params = new Set((op.parameters ?? []).map((p) => p.name.toLowerCase()));
  for (const [status, response] of Object.entries(op.responses)) {
    if (Number(status) >= 300) continue;
    if (params.has('idempotency-key'))
      response.headers!['Idempotent-Replayed'] = headerRef('Idempotent-Replayed');
    if (params.has('cursor'))
      Object.assign(response.headers!, {
        'X-Next-Cursor': headerRef('X-Next-Cursor'),
        Link: headerRef('Link'),
      });
  }
}

function refineDocument(document: OpenAPIObject): OpenAPIObject {
  const components = document.components ?? {};
  const schemas = (components.schemas ?? {}) as Record<string, Schema>;
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = refine(schema);
  for (const [name, values] of Object.entries(NAMED_ENUMS))
    schemas[name] = { type: 'string', enum: [...values] };
  Object.assign(schemas, HEALTH_SCHEMAS);
  components.schemas = schemas;
  components.headers = HEADERS as never;
  document.components = components;

  for (const [path, item] of Object.entries(document.paths)) {
    for (const op of Object.values(item as Record<string, Operation>)) {
      // A route without a bearer requirement is public: say so, rather than inherit nothing.
      if (!op.security?.length) op.security = [];
      for (const parameter of op.parameters ?? [])
        if (parameter.schema) parameter.schema = refine(parameter.schema, parameter.name);
      fixResponses(path, op);
    }
  }
  return document;
}

/** The part of the document whose paths `keep` selects, with only the schemas they use. */
function subset(document: OpenAPIObject, keep: (path: string) => boolean, title: string): OpenAPIObject {
  const paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => keep(path)));
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
          const name = v.slice('#/components/schemas/'.length);
          if (!used.has(name)) {
            used.add(name);
            visit(schemas[name]);
          }
        } else visit(v);
      }
  };
  visit(paths);
  return {
    ...document,
    info: { ...document.info, title },
    paths,
    components: {
      ...document.components,
      schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))),
    },
  };
}

interface OpenApiDocuments {
  /** Our API, /api/v2, with health: served at /docs and /docs-json. */
  v2: OpenAPIObject;
  /** The original's contract, every route under /api/v1: served at /docs/v1 and /docs/v1-json. */
  v1: OpenAPIObject;
}

/** Builds both OpenAPI documents from the application's controllers. */
export function buildOpenApiDocuments(app: INestApplication): OpenApiDocuments {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('GraminStore API')
      .setDescription(
        'Backend of the GraminStore PWA: merchants record sales (paid now or pay later, for registered ' +
          'customers or walk-in guests), customers follow their spending and bills. Amounts are rupees in ' +
          'requests and both rupees (`amount`) and integer paise (`amount_paise`) in responses; instants ' +
          'are ISO 8601 UTC. Errors are `application/problem+json` (RFC 9457).',
      )
      .setVersion(VERSION)
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'The server that serves this document')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
    { extraModels: [ProblemDto], operationIdFactory: operationId },
  );
  const full = refineDocument(document);
  return {
    v2: subset(full, (path) => !path.startsWith(V1_PREFIX), 'GraminStore API'),
    v1: subset(full, (path) => path.startsWith(V1_PREFIX), 'GraminStore API v1 (compatibility)'),
  };
}

/** Serves the documents: v2 at /docs (+ /docs-json), v1 at /docs/v1 (+ /docs/v1-json). */
export function serveOpenApiDocuments(app: INestApplication): void {
  const { v1, v2 } = buildOpenApiDocuments(app);
  const swaggerOptions = { persistAuthorization: true };
  SwaggerModule.setup('docs/v1', app, v1, { jsonDocumentUrl: 'docs/v1-json', swaggerOptions });
  SwaggerModule.setup('docs', app, v2, { jsonDocumentUrl: 'docs-json', swaggerOptions });
}
