import http from 'node:http';

export interface Reply {
  /** 0 when no HTTP answer came (connection refused or reset, or the timeout passed). */
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, when there is one. */
  body: unknown;
  ms: number;
  error?: string;
}

export interface Send {
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

/** A keep-alive HTTP client that never throws: every outcome, failures included, is a Reply. */
export class Client {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    sockets = 64,
    private readonly timeoutMs = 15_000,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(method: string, path: string, options: Send = {}): Promise<Reply> {
    const started = performance.now();
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise<Reply>((resolve) => {
      let done = false;
      const finish = (reply: Omit<Reply, 'ms'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...reply, ms: performance.now() - started });
      };
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) =>
            finish({ status: 0, headers: {}, text: '', body: undefined, error: String(err) }),
          );
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            finish({ status: res.statusCode ?? 0, headers: res.headers, text, body });
          });
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error('timeout'));
        finish({ status: 0, headers: {}, text: '', body: undefined, error: 'timeout' });
      }, options.timeoutMs ?? this.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish({ status: 0, headers: {}, text: '', body: undefined, error: err.code ?? err.message }),
      );
      req.end(payload);
    });
  }

  get = (path: string, options?: Send) => this.request('GET', path, options);
  post = (path: string, options?: Send) => this.request('POST', path, options);

  close(): void {
    this.agent.destroy();
  }
}
