/** The slice of an OpenAPI 3 document the reliability suites read. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One route of the document, as `METHOD /path/{param}`. */
export interface Operation {
  key: string;
  method: string;
  path: string;
  parameters: Parameter[];
  /** The JSON request body's schema, `$ref`s resolved at the top level. */
  body?: Schema;
  /** Declares bearer security. */
  secured: boolean;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** Follows `$ref` (and a single-member `allOf`) to the schema it names. */
export function resolveSchema(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let depth = 0; s && depth < 20; depth++) {
    if (s.$ref) {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = doc.components?.schemas?.[name];
    } else if (s.allOf?.length === 1) s = s.allOf[0];
    else return s;
  }
  return s;
}

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: resolveSchema(doc, json),
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return out;
}

/** Replaces `{name}` segments of a path template. */
export function fillPath(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for path parameter {${name}} of ${template}`);
    return encodeURIComponent(String(params[name]));
  });
}

/**
 * Every documented route: the v2 document (/docs-json) and the v1 compatibility document
 * (/docs/v1-json) together, with both documents' schemas.
 */
export async function allDocumented(
  get: (path: string) => PromiseLike<{ body: unknown }>,
): Promise<OpenApiDocument> {
  const v2 = (await get('/docs-json')).body as OpenApiDocument;
  const v1 = (await get('/docs/v1-json')).body as OpenApiDocument;
  return {
    ...v2,
    paths: { ...v2.paths, ...v1.paths },
    components: { ...v2.components, schemas: { ...v1.components?.schemas, ...v2.components?.schemas } },
  };
}
