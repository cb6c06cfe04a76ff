// Why this exists: the README's gRPC snippet and createGrpcClient's @example pass the untyped
// constructor `loadPackageDefinition(…) as any` gives. TypeScript then inferred the client type
// as grpc-js's plain `Client`, whose methods came out as `{}`, so `users.getUser(…)` and
// `users.methods.getUser(…)` did not compile (TS2339). An untyped service must get the loose,
// string-indexed methods; a generated, typed client must keep its precise ones. Both are compiled
// here against the built package, as a user's build would.
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-grpc-types-'));

beforeAll(() => {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'bulwark'), 'dir');
  symlinkSync(join(root, 'node_modules', '@grpc'), join(dir, 'node_modules', '@grpc'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module' }));
  copyFileSync(join(root, 'test', 'fixtures', 'grpc', 'echo-client.ts'), join(dir, 'echo-client.ts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's snippet and the @example, with the untyped constructors users get. */
const UNTYPED = `
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createGrpcClient, type ServiceClientConstructor } from 'bulwark/grpc';

const metadata = new grpc.Metadata();
const signal = AbortSignal.timeout(1_000);

// README
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync('users.proto')) as any;
const users = createGrpcClient(pkg.users.Users, {
  name: 'users',
  discovery: ['10.0.0.1:50051', 'grpc://10.0.0.2:50051'],
  timeout: { attempt: 500, total: 2_000 },
  healthService: 'users.Users',
});
const user = await users.getUser({ id: 42 }, { metadata, signal, key: 'user-42' });
const stream = await users.listUsers({ page: 1 });
for await (const u of stream) console.log(u, user);
await users.GetUser({ id: 42 });
await users.close();

// createGrpcClient's @example
const example = createGrpcClient(pkg.users.Users, { name: 'users', discovery: ['10.0.0.1:50051', '10.0.0.2:50051'] });
const found = await example.methods.getUser({ id: 42 }, { timeout: { total: 2_000 } });
await example.methods.GetUser({ id: 42 });
console.log(found);
await example.close();

// Constructors typed without a client type: bulwark's ServiceClientConstructor, grpc-js's own.
const bare = createGrpcClient(pkg.users.Users as ServiceClientConstructor, { name: 'users', discovery: [] });
await bare.getUser({ id: 42 });
await bare.methods.GetUser({ id: 42 });
const generic = createGrpcClient((pkg as grpc.GrpcObject).Users as grpc.ServiceClientConstructor, { name: 'users', discovery: [] });
await generic.getUser({ id: 42 });
await generic.methods.getUser({ id: 42 });

// What is not a method keeps its type.
const close: () => Promise<void> = users.close;
const attempts: number = users.bulwark.stats().attempts;
console.log(close, attempts, bare.bulwark.endpoints(), generic.bulwark.name);
`;

/** docs/grpc.md's typed usage, with the fixture client as proto-loader-gen-types writes it. */
const TYPED = `
import type * as grpc from '@grpc/grpc-js';
import { createGrpcClient, type ServiceClientConstructor, type UnaryMethod } from 'bulwark/grpc';
import type { EchoClient, SayReply__Output, SayRequest } from './echo-client.js';

declare const pkg: any;
const echo = createGrpcClient(pkg.bulwark.test.Echo as ServiceClientConstructor<EchoClient>, { name: 'echo', discovery: ['127.0.0.1:50051'] });
const said: SayReply__Output = await echo.say({ text: 'a' });
const looked: SayReply__Output = await echo.methods.Lookup({ text: 'a' }, { key: 'a' });
const counted: grpc.ClientReadableStream<SayReply__Output> = await echo.count({ count: 2 });
const joined: SayReply__Output = await echo.join([{ text: 'a' }, { text: 'b' }]);
const chat: grpc.ClientDuplexStream<SayRequest, SayReply__Output> = await echo.methods.Chat();
const say: UnaryMethod<SayRequest, SayReply__Output> = echo.methods.say;
console.log(said, looked, counted, joined, chat, say);
// @ts-expect-error: text is a string
await echo.say({ text: 1 });
// @ts-expect-error: the Echo service has no such method
await echo.getUser({ id: 42 });
// @ts-expect-error: nor under methods
await echo.methods.getUser({ id: 42 });
// @ts-expect-error: grpc-js's own Client methods are not service methods
await echo.methods.waitForReady;
await echo.close();
`;

/** Every diagnostic of compiling `source` as a user's strict ESM module against the built package. */
function compile(file: string, source: string): string[] {
  writeFileSync(join(dir, file), source);
  const program = ts.createProgram([join(dir, file)], {
    target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'], strict: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: true, types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file === undefined || d.start === undefined ? '' : `${relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `;
    return `${where}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('createGrpcClient\'s types in a user\'s build', () => {
  it('gives an untyped service (README snippet, @example, `as any`, ServiceClientConstructor without a client type) methods by any name', () => {
    expect(compile('untyped.ts', UNTYPED)).toEqual([]);
  });

  it('keeps the precise method types of a generated client (docs/grpc.md\'s `as ServiceClientConstructor<UsersClient>`)', () => {
    expect(compile('typed.ts', TYPED)).toEqual([]);
  });
});
