// Every TypeScript sample of README.md and docs/*.md (each ```ts fenced block) is type-checked
// against the built package, as a user's build would, so a sample that stops compiling fails CI
// (a docs/undici.md sample once did not compile and nobody noticed).
//
// Samples are fragments: they use names they do not declare (`users`, `hosts`, `etcd`, `metrics`,
// `log`, …) and bulwark's exports without importing them. One shared globals file gives every
// sample each export of each package entry, as a global (derived from the built declarations, so
// a new export is covered), plus the free variables below, each precisely typed: never `any`,
// which would let a broken sample pass. A sample's own import shadows the global.
//
// A block that is an illustration rather than code (an interface shown for reading, a list of
// endpoint strings, the shape of stats()) says so with the info string `ts illustrative` and is
// skipped; there must stay only a handful of those.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The names samples use without declaring them, with the types they stand for. */
const FREE_VARIABLES = `
  const users: Client;
  const hosts: string[];
  const cartHosts: string[];
  const userId: string;
  const etcd: import('etcd3').Etcd3;
  const getKey: (host: string, port: number, key: string, options: { signal: AbortSignal }) => Promise<string | undefined>;
  const metrics: { timedOut: number };
  const log: { warn(fields: Record<string, unknown>, message: string): void };
  const grpc: typeof import('@grpc/grpc-js');
  const pkg: { users: { Users: unknown } }; // loadPackageDefinition's result: untyped until cast
  const metadata: import('@grpc/grpc-js').Metadata;
  const signal: AbortSignal;
  const UsersClient: import('@grpc/grpc-js').ServiceClientConstructor;
`;

/** `./generated/users/Users.js`, which the gRPC samples import: a Users service's client type as
 *  `proto-loader-gen-types --grpcLib @grpc/grpc-js` writes it (lower-case method names only). */
const GENERATED_USERS = `
import type * as grpc from '@grpc/grpc-js';

export interface GetUserRequest { id?: number }
export interface ListUsersRequest { page?: number }
export interface User { id?: number; name?: string }
export interface User__Output { id: number; name: string }
export interface ImportReply__Output { imported: number }

export interface UsersClient extends grpc.Client {
  getUser(argument: GetUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<User__Output>): grpc.ClientUnaryCall;
  getUser(argument: GetUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<User__Output>): grpc.ClientUnaryCall;
  getUser(argument: GetUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<User__Output>): grpc.ClientUnaryCall;
  getUser(argument: GetUserRequest, callback: grpc.requestCallback<User__Output>): grpc.ClientUnaryCall;

  listUsers(argument: ListUsersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<User__Output>;
  listUsers(argument: ListUsersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<User__Output>;

  importUsers(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<ImportReply__Output>): grpc.ClientWritableStream<User>;
  importUsers(metadata: grpc.Metadata, callback: grpc.requestCallback<ImportReply__Output>): grpc.ClientWritableStream<User>;
  importUsers(options: grpc.CallOptions, callback: grpc.requestCallback<ImportReply__Output>): grpc.ClientWritableStream<User>;
  importUsers(callback: grpc.requestCallback<ImportReply__Output>): grpc.ClientWritableStream<User>;

  chat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<User, User__Output>;
  chat(options?: grpc.CallOptions): grpc.ClientDuplexStream<User, User__Output>;
}
`;

interface Sample { doc: string; block: number; line: number; file: string; source: string }

/**
 * The ```ts blocks of a doc (numbered from 1 among its `ts` and `ts illustrative` blocks), and
 * the info strings of other TypeScript-looking blocks (```typescript, ```tsx, ```ts something),
 * which would escape the check.
 */
function blocksOf(doc: string): { samples: Sample[]; illustrative: Sample[]; unchecked: string[] } {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const samples: Sample[] = [];
  const illustrative: Sample[] = [];
  const unchecked: string[] = [];
  let open: { fence: string; indent: number; info: string; line: number; body: string[] } | undefined;
  let block = 0;
  lines.forEach((text, i) => {
    if (open === undefined) {
      const m = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(text);
      if (m !== null) open = { fence: m[2]!, indent: m[1]!.length, info: m[3]!.trim(), line: i + 1, body: [] };
      return;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
    if (close !== null && close[1]![0] === open.fence[0] && close[1]!.length >= open.fence.length) {
      if (open.info === 'ts' || open.info === 'ts illustrative') {
        block++;
        const sample = { doc, block, line: open.line, file: `${doc.replace(/\.md$/, '').replace(/\//g, '-')}-${block}.ts`, source: open.body.join('\n') };
        (open.info === 'ts' ? samples : illustrative).push(sample);
      } else if (/^(ts|tsx|typescript|mts|cts)\b/i.test(open.info)) {
        unchecked.push(`${doc}:${open.line}: \`\`\`${open.info}`);
      }
      open = undefined;
      return;
    }
    open.body.push(text.replace(new RegExp(`^ {0,${open.indent}}`), ''));
  });
  return { samples, illustrative, unchecked };
}

const blocks = DOCS.map(blocksOf);
const samples = blocks.flatMap((b) => b.samples);
const illustrative = blocks.flatMap((b) => b.illustrative);

/** The package entries: package.json's exports, but ./package.json. */
function entries(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> };
  return Object.entries(pkg.exports).flatMap(([key, value]) => typeof value === 'object' && value.types !== undefined
    ? [key === '.' ? 'bulwark' : `bulwark/${key.slice(2)}`] : []);
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-doc-samples-'));

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023, lib: ['lib.es2023.d.ts'], module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true, skipLibCheck: true, noEmit: true, types: ['node'],
};

/**
 * The program of the globals file and every sample. The globals file gives every export of every
 * entry as a global alias (`import X = entryN.X`, which keeps a class's or an enum's value and
 * type, and a generic type's parameters), plus FREE_VARIABLES. The exports are read from a first
 * program whose globals file only imports the entries; the second one reuses its parsed files. A
 * name two entries export as different things is no global: a sample must import it.
 */
function compile(): ts.Program {
  const globals = join(dir, 'globals.ts');
  const roots = [globals, ...samples.map((s) => join(dir, s.file))];
  const imports = entries().map((specifier, i) => `import * as entry${i} from '${specifier}';`);
  writeFileSync(globals, `${imports.join('\n')}\n`);
  for (const sample of samples) writeFileSync(join(dir, sample.file), `${sample.source}\nexport {};\n`);

  const host = ts.createCompilerHost(OPTIONS);
  const parsed = new Map<string, ts.SourceFile | undefined>();
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (file, ...rest) => {
    if (file === globals) return parse(file, ...rest);
    if (!parsed.has(file)) parsed.set(file, parse(file, ...rest));
    return parsed.get(file);
  };
  const first = ts.createProgram(roots, OPTIONS, host);
  const checker = first.getTypeChecker();
  const exports = new Map<string, { entry: number; target: ts.Symbol } | 'ambiguous'>();
  first.getSourceFile(globals)!.statements.filter(ts.isImportDeclaration).forEach((declaration, entry) => {
    const module = checker.getSymbolAtLocation(declaration.moduleSpecifier);
    if (module === undefined) throw new Error(`${(declaration.moduleSpecifier as ts.StringLiteral).text} does not resolve: build dist/ first (npx tsup)`);
    for (const exported of checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const known = exports.get(exported.name);
      if (known === undefined) exports.set(exported.name, { entry, target });
      else if (known !== 'ambiguous' && known.target !== target) exports.set(exported.name, 'ambiguous');
    }
  });
  const aliases = [...exports].flatMap(([name, e]) => e === 'ambiguous' ? [] : [`  export import ${name} = entry${e.entry}.${name};`]);
  expect(aliases.length, 'exports found in the built declarations').toBeGreaterThanOrEqual(100);
  writeFileSync(globals, [...imports, 'declare global {', ...aliases, FREE_VARIABLES, '}', ''].join('\n'));
  return ts.createProgram(roots, OPTIONS, host, first);
}

beforeAll(() => {
  // node_modules: the repo's dependencies (each entry, a scope as a whole) and bulwark itself.
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name.startsWith('.') || name === 'bulwark') continue;
    symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  symlinkSync(root, join(dir, 'node_modules', 'bulwark'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module' }));
  mkdirSync(join(dir, 'generated', 'users'), { recursive: true });
  writeFileSync(join(dir, 'generated', 'users', 'Users.ts'), GENERATED_USERS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the TypeScript samples of README.md and docs/*.md', () => {
  it('are found, and few are marked illustrative', () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
    expect(blocks[0]!.samples.length).toBeGreaterThanOrEqual(10); // README.md
    expect(illustrative.length).toBeLessThanOrEqual(5);
    expect(blocks.flatMap((b) => b.unchecked)).toEqual([]);
  });

  it('compile against the built package', () => {
    const program = compile();
    const byFile = new Map<string, string[]>();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const name = d.file === undefined ? '(program)' : d.file.fileName.slice(dir.length + 1);
      // `import X = entry.X` of a name exported with `export type` is refused for emit (TS1379),
      // but resolves to the type in full; the globals file is never emitted.
      if (name === 'globals.ts' && d.code === 1379) continue;
      const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : undefined;
      const sample = samples.find((s) => s.file === name);
      const where = line === undefined ? '' : sample !== undefined ? `${sample.doc}:${sample.line + 1 + line}: ` : `line ${line + 1}: `;
      byFile.set(name, [...byFile.get(name) ?? [], `    ${where}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n      ')}`]);
    }
    const order = ['(program)', 'globals.ts', ...samples.map((s) => s.file)];
    const report = [...byFile].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([name, diagnostics]) => {
      const sample = samples.find((s) => s.file === name);
      const title = sample === undefined ? name
        : `${sample.doc}, ts block ${sample.block} (line ${sample.line}): ${sample.source.split('\n').find((l) => l.trim() !== '')?.trim()}`;
      return `${title}\n${diagnostics.join('\n')}`;
    });
    if (report.length > 0) expect.fail(`${report.length} of the ${samples.length} samples (and the globals file) fail to compile:\n\n${report.join('\n\n')}`);
  });
});
