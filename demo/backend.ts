// One demo backend, run as a child process so the parent can kill it the way a host dies
// (SIGKILL: open connections reset, new ones refused) and restart it on the same port.
//
//   node demo/backend.ts <name> <behaviour: healthy | slow | flaky> [port]
//
// It reports { port } over the IPC channel once listening.
import { createServer } from 'node:http';

const [name = 'backend', behaviour = 'healthy', portArg = '0'] = process.argv.slice(2);

function between(lo: number, hi: number): number {
  return lo + Math.random() * (hi - lo);
}

const server = createServer((req, res) => {
  // Drain the request so keep-alive connections stay reusable.
  req.resume();
  let status = 200;
  let delay = between(5, 10);
  if (behaviour === 'slow') delay = between(150, 300);
  if (behaviour === 'flaky' && Math.random() < 0.3) {
    status = 503;
    delay = between(1, 2);
  }
  setTimeout(() => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: name, status }));
  }, delay);
});

server.listen(Number(portArg), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ port });
});

// An orphaned backend would keep its port and the demo's terminal busy: leave with the parent.
process.on('disconnect', () => process.exit(0));
