// What broke: package.json says `"sideEffects": false`, but importing bulwark subscribed to
// undici's `undici:client:connectError` diagnostics channel (how bulwark knows a connection was
// never set up). It is now subscribed when the first client is made.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('importing bulwark subscribes to nothing; making a client subscribes to connect errors', () => {
  const dist = JSON.stringify(pathToFileURL(resolve(__dirname, '../../dist/index.js')).href);
  const script = [
    `import { channel } from 'node:diagnostics_channel';`,
    `const connectError = channel('undici:client:connectError');`,
    `const { createClient } = await import(${dist});`,
    `const before = connectError.hasSubscribers;`,
    `const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });`,
    `console.log(JSON.stringify({ before, after: connectError.hasSubscribers }));`,
    `await client.close();`,
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true });
});
