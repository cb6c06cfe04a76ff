// Rendering: a live table redrawn in place on a terminal, a compact progress line every few
// seconds elsewhere (CI logs keep every line), and the side-by-side summary.
import { stripVTControlCharacters, styleText } from 'node:util';
import type { EndpointRow } from './traffic.ts';

export interface Frame {
  readonly title: string;
  readonly description: string;
  readonly elapsed: number;
  readonly duration: number;
  readonly rows: ReadonlyArray<EndpointRow & { readonly name: string; readonly role: string }>;
  readonly done: number;
  readonly successRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
  readonly attemptsPerRequest: number;
  readonly events: readonly string[];
}

export interface Summary {
  readonly title: string;
  readonly successRate: number;
  readonly failed: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly done: number;
  readonly rps: number;
  readonly attemptsPerRequest: number;
}

type Style = Parameters<typeof styleText>[0];
// styleText drops the colours by itself when stdout is not a terminal or NO_COLOR is set.
const paint = (style: Style, text: string): string => styleText(style, text);

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (r: number): string => `${(r * 100).toFixed(2)} %`;
export const ms = (n: number): string => `${n < 100 ? n.toFixed(1) : n.toFixed(0)} ms`;
const secs = (n: number): string => `${(n / 1000).toFixed(1)} s`;

const STATE_STYLE: Record<string, Style> = { ok: 'green', slow: 'yellow', failing: 'yellow', down: 'red', ejected: 'red', probing: 'yellow' };

function rateStyle(r: number): Style {
  return r >= 0.999 ? 'green' : r >= 0.98 ? 'yellow' : 'red';
}

function overall(f: Frame): string {
  return [
    `${int(f.done)} requests`,
    `ok ${paint(rateStyle(f.successRate), pct(f.successRate))}`,
    `p50 ${ms(f.p50)}`,
    `p99 ${ms(f.p99)}`,
    `${int(f.rps)} req/s`,
    `${f.attemptsPerRequest.toFixed(2)} attempts/req`,
  ].join(' · ');
}

export function renderFrame(f: Frame): string[] {
  const lines = [
    `${paint('bold', f.title)}   ${secs(f.elapsed)} / ${secs(f.duration)}`,
    paint('dim', `  ${f.description}`),
    paint('dim', `  ${'endpoint'.padEnd(19)}${'behaviour'.padEnd(12)}${'share'.padStart(8)}${'latency'.padStart(10)}${'in-flight'.padStart(10)}  state`),
  ];
  for (const r of f.rows) {
    const port = `:${r.host.split(':')[1]}`;
    const state = paint(STATE_STYLE[r.state] ?? 'dim', r.state) + (r.idle && r.share > 0 ? paint('dim', ' · avoided') : '');
    lines.push(
      `  ${r.name.padEnd(11)}${port.padEnd(8)}${r.role.padEnd(12)}${`${(r.share * 100).toFixed(1)} %`.padStart(8)}` +
        `${ms(r.latency).padStart(10)}${String(r.inflight).padStart(10)}  ${state}`,
    );
  }
  lines.push(`  ${overall(f)}`, paint('dim', `  ${f.events.join('   ') || 'no failures injected yet'}`));
  return lines;
}

export function progressLine(f: Frame): string {
  const down = f.rows.filter((r) => r.state !== 'ok' && r.state !== '—').map((r) => `${r.name} (${r.state})`);
  return `${f.title.padEnd(12)} ${secs(f.elapsed).padStart(6)}  ${overall(f)}${down.length > 0 ? `  [${down.join(', ')}]` : ''}`;
}

/** Redraws a block of lines in place on a terminal. */
export class LiveBlock {
  readonly #out: NodeJS.WriteStream;
  #height = 0;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  draw(lines: readonly string[]): void {
    const up = this.#height > 0 ? `\x1b[${this.#height}F` : '';
    this.#out.write(`${up}\x1b[J${lines.join('\n')}\n`);
    // A line wider than the terminal wraps onto more rows, and the next draw must climb them all.
    const columns = this.#out.columns || 80;
    this.#height = lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(stripVTControlCharacters(line).length / columns)), 0);
  }

  /** Leaves the last frame on screen; the next draw starts below it. */
  commit(): void {
    this.#height = 0;
  }
}

export function renderSummary(a: Summary, b: Summary): string[] {
  const rows: Array<[string, (s: Summary) => string]> = [
    ['success rate', (s) => pct(s.successRate)],
    ['failed requests', (s) => int(s.failed)],
    ['p50', (s) => ms(s.p50)],
    ['p95', (s) => ms(s.p95)],
    ['p99', (s) => ms(s.p99)],
    ['p99.9', (s) => ms(s.p999)],
    ['max', (s) => ms(s.max)],
    ['requests done', (s) => int(s.done)],
    ['requests per second', (s) => int(s.rps)],
    ['attempts per request', (s) => s.attemptsPerRequest.toFixed(3)],
  ];
  const lines = [paint('bold', `  ${''.padEnd(22)}${a.title.padStart(14)}${b.title.padStart(16)}`)];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(22)}${value(a).padStart(14)}${value(b).padStart(16)}`);

  const lostA = a.failed / Math.max(a.done, 1);
  const lostB = b.failed / Math.max(b.done, 1);
  const tail = b.p99 / Math.max(a.p99, 0.001);
  lines.push(
    '',
    `  ${a.title} lost ${pct(lostA)} of requests where ${b.title} lost ${pct(lostB)}; ` +
      (tail >= 1 ? `its p99 was ${tail.toFixed(1)}× lower.` : `its p99 was ${(1 / tail).toFixed(1)}× higher.`),
  );
  return lines;
}
