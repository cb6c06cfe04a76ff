// A loopback HTTP backend for the http suite (started by http.ts, one process each):
//
//   node bench/backend.ts      → listens on 127.0.0.1 (a free port), prints {"port": N}
//
// GET /ok answers 200 "ok" at once. GET /flaky does too, except every 20th /flaky request this
// process receives, which gets 503: a deterministic 5 % failure rate. Keep-alive is on. The
// process exits when its stdin closes (the bench ended or died) or after MAX_LIFETIME_MS.
import http from 'node:http';

const MAX_LIFETIME_MS = 20 * 60_000;
const FAIL_EVERY = 20;

let flaky = 0;
const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
  const fail = req.url === '/flaky' && ++flaky % FAIL_EVERY === 0;
  const body = fail ? 'unavailable' : 'ok';
  res.writeHead(fail ? 503 : 200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

const exit = (): never => process.exit(0);
process.stdin.on('end', exit).on('close', exit).resume();
setTimeout(exit, MAX_LIFETIME_MS).unref();
