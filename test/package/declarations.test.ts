// Why this exists: EndpointState and PeakEwma were interfaces declared in index.d.ts over
// classes kept in a private chunk of dist/, and the rest of the API (Picker, PickRequest,
// endpoint.latency) named the classes. A user's inferred type such as
// `(r: PickRequest) => r.tried[0]` then could not be written into their declaration files
// (TS2883, "cannot be named without a reference to .../dist/discovery-….js"). This compiles a
// small user module against the built package, with declarations on, as a user's build would.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-declarations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A user's module whose every export has an inferred type reaching into bulwark's types. */
const USER_MODULE = `
import { createClient, peakEwma, type PickRequest, type Picker } from 'bulwark';
export const client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'], picker: peakEwma() });
export const firstTried = (request: PickRequest) => request.tried[0];
export const latencyOf = (request: PickRequest) => request.tried[0]?.latency;
export const endpoints = client.endpoints();
export const stats = client.stats();
export const picker = (): Picker => ({ name: 'first', update() {}, pick: (request) => request.tried[0] });
export const pick = picker().pick;
export const onAttempt = () => client.on('attempt', (event) => event.endpoint);
`;

/** Declaration files emitted for the user's module, and every diagnostic on the way. */
function emitDeclarations(): { diagnostics: string[]; output: string } {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'bulwark'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module' }));
  writeFileSync(join(dir, 'index.ts'), USER_MODULE);
  const program = ts.createProgram([join(dir, 'index.ts')], {
    target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, declaration: true, emitDeclarationOnly: true, skipLibCheck: true, types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')], outDir: join(dir, 'out'),
  });
  let output = '';
  const emitted = program.emit(undefined, (file, text) => { if (file.endsWith('.d.ts')) output += text; });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]
    .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  return { diagnostics, output };
}

describe('a user\'s declaration files', () => {
  it('can name the types a module infers from the API (endpoints, latency, client, stats, pickers, events) through the package\'s entry', () => {
    const { diagnostics, output } = emitDeclarations();
    expect(diagnostics).toEqual([]);
    expect(output).toContain('import("bulwark").EndpointState');
    expect(output).toContain('import("bulwark").PeakEwma');
    expect(output).not.toMatch(/dist\//);
  });
});
