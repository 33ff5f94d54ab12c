import { createServer } from 'node:http';

// A minimal HTTP service: answers every request with the environment it runs in.
const port = Number(process.env.PORT ?? 8080);
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ service: 'container-service', path: req.url }));
}).listen(port);
