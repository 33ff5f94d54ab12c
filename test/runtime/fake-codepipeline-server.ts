import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * A local HTTP server speaking CodePipeline's JSON 1.1 protocol (POST /, X-Amz-Target:
 * CodePipeline_20150709.<Operation>, content-type application/x-amz-json-1.1), so tests and benchmarks run the
 * SDK's real stack: serialization, signing, retries, timeouts, pagination, error parsing.
 */

/** What the server answers to one request. */
export type FakeReply =
  | { readonly kind: 'ok'; readonly body: unknown }
  | { readonly kind: 'error'; readonly status: number; readonly type: string; readonly message: string }
  | { readonly kind: 'hang' }
  /** Exactly this body (possibly empty or not JSON) with this status. */
  | { readonly kind: 'raw'; readonly status: number; readonly body: string }
  /** Close the connection without an answer (the client sees ECONNRESET / socket hang up). */
  | { readonly kind: 'drop' };

export interface RecordedRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

export type FakeHandler = (operation: string, body: Record<string, unknown>) => FakeReply | Promise<FakeReply>;

export interface FakeCodePipeline {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Requests for one operation. */
  calls(operation: string): RecordedRequest[];
  close(): Promise<void>;
}

export const ok = (body: unknown): FakeReply => ({ kind: 'ok', body });
export const awsError = (status: number, type: string, message: string): FakeReply => ({ kind: 'error', status, type, message });
export const hang = (): FakeReply => ({ kind: 'hang' });
export const raw = (status: number, body: string): FakeReply => ({ kind: 'raw', status, body });
export const drop = (): FakeReply => ({ kind: 'drop' });

/** The services the server speaks for (CloudWatch Logs too: the CLI reads a change-set review's decision there). */
const TARGET_PREFIXES = ['CodePipeline_20150709.', 'Logs_20140328.'];

/** JSON 1.1 timestamps are epoch seconds. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `req-${Math.random().toString(16).slice(2)}`,
  });
  response.end(text);
}

export async function startFakeCodePipeline(handler: FakeHandler): Promise<FakeCodePipeline> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void (async () => {
      const target = request.headers['x-amz-target'];
      const targetText = Array.isArray(target) ? target[0] : target;
      const text = await readBody(request);
      const body = text ? JSON.parse(text) as Record<string, unknown> : {};
      const prefix = TARGET_PREFIXES.find((p) => targetText?.startsWith(p));
      const operation = prefix !== undefined && targetText !== undefined ? targetText.slice(prefix.length) : '';
      requests.push({
        operation,
        body,
        target: targetText,
        contentType: request.headers['content-type'],
        authorization: request.headers.authorization,
      });
      if (!operation) {
        send(response, 400, { __type: 'UnknownOperationException', message: `Bad X-Amz-Target: ${targetText}` });
        return;
      }
      const reply = await handler(operation, body);
      if (reply.kind === 'hang') {
        return;
      }
      if (reply.kind === 'drop') {
        request.socket.destroy();
        return;
      }
      if (reply.kind === 'raw') {
        response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(reply.body) });
        response.end(reply.body);
        return;
      }
      if (reply.kind === 'error') {
        send(response, reply.status, { __type: reply.type, message: reply.message });
        return;
      }
      send(response, 200, reply.body ?? {});
    })().catch((error: unknown) => {
      send(response, 500, { __type: 'InternalFailure', message: String(error) });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    calls: (operation) => requests.filter((r) => r.operation === operation),
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Serve a list in pages of `maxResults` (capped at 100), with opaque nextTokens, as the List APIs do. */
export function paginate<T>(items: readonly T[], body: Record<string, unknown>, key: string): Record<string, unknown> {
  const pageSize = Math.min(typeof body.maxResults === 'number' ? body.maxResults : 100, 100);
  const start = typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64').toString('utf8')) : 0;
  const end = start + pageSize;
  return {
    [key]: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64') } : {}),
  };
}

/** A fake server for one test file: started before all tests, reset before each, closed after all. */
export interface FakeCodePipelineFixture {
  /** The running server (available inside tests). */
  readonly server: FakeCodePipeline;
  /** How the server answers; tests replace it. Defaults to an empty success. */
  handler: FakeHandler;
}

export function useFakeCodePipeline(): FakeCodePipelineFixture {
  let server: FakeCodePipeline | undefined;
  const fixture = {
    handler: (() => ok({})) as FakeHandler,
    get server(): FakeCodePipeline {
      if (!server) {
        throw new Error('The fake CodePipeline server is only available inside tests.');
      }
      return server;
    },
  };
  beforeAll(async () => {
    server = await startFakeCodePipeline((operation, body) => fixture.handler(operation, body));
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    fixture.handler = () => ok({});
    fixture.server.requests.length = 0;
  });
  return fixture;
}
