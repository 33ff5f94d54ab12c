import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * A local HTTP server speaking CloudFormation's AWS Query protocol (form-encoded POST /, XML answers), so the
 * `previews` command runs the SDK's real stack: serialization, signing, retries, pagination, error parsing.
 * It holds stacks and answers ListStacks (two per page, to exercise pagination) and DeleteStack.
 */

export interface FakeStack {
  readonly name: string;
  readonly status: string;
  readonly created: string;
  readonly updated?: string;
}

export interface FakeCloudFormation {
  readonly endpoint: string;
  stacks: FakeStack[];
  /** `Action` of every request, with its form parameters. */
  readonly requests: Array<{ action: string; params: URLSearchParams; authorization?: string }>;
  /** Answer the next N requests with this error (Code, HTTP status). */
  failNext(count: number, code: string, status: number): void;
  close(): Promise<void>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const PAGE = 2;

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export async function startFakeCloudFormation(stacks: FakeStack[]): Promise<FakeCloudFormation> {
  const sockets = new Set<Socket>();
  let failures: { count: number; code: string; status: number } = { count: 0, code: '', status: 0 };
  const fake = {
    stacks,
    requests: [] as FakeCloudFormation['requests'],
  };
  const server = createServer((request, response) => {
    void (async () => {
      const params = new URLSearchParams(await body(request));
      const action = params.get('Action') ?? '';
      fake.requests.push({ action, params, authorization: request.headers.authorization });
      const reply = (status: number, text: string) => {
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-1' });
        response.end(text);
      };
      if (failures.count > 0) {
        failures.count--;
        reply(failures.status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${failures.code}</Code><Message>denied by the fake</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`);
        return;
      }
      if (action === 'ListStacks') {
        const statuses = [...params.entries()].filter(([k]) => k.startsWith('StackStatusFilter.member.')).map(([, v]) => v);
        const matching = fake.stacks.filter(s => statuses.length === 0 || statuses.includes(s.status));
        const start = Number(params.get('NextToken') ?? '0');
        const page = matching.slice(start, start + PAGE);
        const next = start + PAGE < matching.length ? `<NextToken>${start + PAGE}</NextToken>` : '';
        const members = page.map(s => `<member><StackId>arn:aws:cloudformation:eu-west-1:444444444444:stack/${xml(s.name)}/1</StackId>`
          + `<StackName>${xml(s.name)}</StackName><StackStatus>${s.status}</StackStatus><CreationTime>${s.created}</CreationTime>`
          + (s.updated ? `<LastUpdatedTime>${s.updated}</LastUpdatedTime>` : '') + '</member>').join('');
        reply(200, `<ListStacksResponse xmlns="${NS}"><ListStacksResult><StackSummaries>${members}</StackSummaries>${next}</ListStacksResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListStacksResponse>`);
        return;
      }
      if (action === 'DeleteStack') {
        const name = params.get('StackName');
        fake.stacks = fake.stacks.map(s => s.name === name ? { ...s, status: 'DELETE_IN_PROGRESS' } : s);
        reply(200, `<DeleteStackResponse xmlns="${NS}"><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteStackResponse>`);
        return;
      }
      reply(400, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${xml(action)}</Message></Error></ErrorResponse>`);
    })();
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${port}`,
    failNext: (count: number, code: string, status: number) => { failures = { count, code, status }; },
    close: () => new Promise<void>(resolve => {
      sockets.forEach(s => s.destroy());
      server.close(() => resolve());
    }),
  });
}
