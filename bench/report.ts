// Writes docs/benchmarks.md and its SVG charts from a results file of `npm run bench`:
//
//   node bench/report.ts [bench/results/<file>.json]      (default: bench/results/latest.json)
//
// The tables are each suite's own console table; the charts draw the figures the README quotes.
// Nothing here measures: it only renders what a run measured, with the machine it ran on.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatGrpc, type GrpcResult } from './grpc.ts';
import { LABELS as GRPC_LABELS } from './grpc-cases.ts';
import { formatHttp, type HttpResult } from './http.ts';
import { formatLateness } from './lateness.ts';
import { formatOverhead, type OverheadResult } from './overhead.ts';
import { formatPickers, type PickersResult } from './pickers.ts';
import { LABELS } from './http-cases.ts';

interface Results {
  date: string;
  node: string;
  cpu: string;
  cpus: number;
  platform: string;
  loadavg: number[];
  commit: string;
  rounds: number;
  seconds: number;
  results: Record<string, unknown>;
}

interface Bar {
  label: string;
  value: number;
  /** Drawn in the accent colour (bulwark's own cases). */
  ours: boolean;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart, one bar per row, values printed at the bar ends. */
export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const rowH = 22;
  const labelW = 260;
  const chartW = 420;
  const top = 34;
  const height = top + bars.length * rowH + 12;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, (b.value / max) * chartW);
    const value = b.value >= 100 ? Math.round(b.value).toLocaleString('en-US') : b.value.toFixed(b.value >= 10 ? 1 : 2);
    return [
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${escape(b.label)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${b.ours ? '#2f6fdf' : '#9aa4b2'}"/>`,
      `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 15}">${value} ${escape(unit)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + chartW + 140}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}

function overheadBars(result: OverheadResult): Bar[] {
  return Object.entries(result.cases)
    .filter(([name, c]) => c.median !== null && name !== c.baseline && c.concurrency === 1 && name !== 'cockatiel-wrap')
    .map(([name, c]) => ({ label: name, value: c.overhead ?? 0, ours: name.startsWith('bulwark') }));
}

function httpBars(result: HttpResult, callers: number): Bar[] {
  return result.cases
    .filter((c) => c.variant === 'ok' && c.callers === callers && c.rps !== null)
    .map((c) => ({ label: LABELS[c.client] ?? c.client, value: c.rps!, ours: c.client.startsWith('bulwark') }));
}

function pickerBars(result: PickersResult, endpoints: number): Bar[] {
  return result.cases
    .filter((c) => c.endpoints === endpoints && c.pickNs !== null && c.picker !== 'capture')
    .map((c) => ({ label: c.picker, value: c.pickNs!, ours: true }));
}

async function main(): Promise<void> {
  const file = process.argv[2] ?? 'bench/results/latest.json';
  const run = JSON.parse(await readFile(file, 'utf8')) as Results;
  const docs = new URL('../docs/', import.meta.url);
  const charts = new URL('./benchmarks/', docs);
  await mkdir(charts, { recursive: true });
  const sections: string[] = [];
  const chart = async (name: string, title: string, unit: string, bars: Bar[]): Promise<string> => {
    if (bars.length === 0) return '';
    await writeFile(new URL(`${name}.svg`, charts), barChart(title, unit, bars));
    return `![${title}](benchmarks/${name}.svg)\n`;
  };
  const r = run.results;
  if (r.overhead !== undefined) {
    const o = r.overhead as OverheadResult;
    sections.push('## Per-call overhead', '', await chart('overhead', 'Overhead per call over an awaited no-op (lower is better)', 'ns', overheadBars(o)), '```', formatOverhead(o), '```', '');
  }
  if (r.lateness !== undefined) {
    sections.push('## Deadline lateness', '', '```', formatLateness(r.lateness as never), '```', '');
  }
  if (r.http !== undefined) {
    const h = r.http as HttpResult;
    sections.push('## Loopback HTTP', '', await chart('http-16', 'Loopback HTTP at 16 callers (higher is better)', 'req/s', httpBars(h, 16)), '```', formatHttp(h), '```', '');
  }
  if (r.pickers !== undefined) {
    const p = r.pickers as PickersResult;
    const biggest = Math.max(...p.sizes);
    sections.push('## Pickers', '', await chart('pickers', `Pick cost at ${biggest.toLocaleString('en-US')} endpoints (lower is better)`, 'ns', pickerBars(p, biggest)), '```', formatPickers(p), '```', '');
  }
  if (r.grpc !== undefined) {
    const g = r.grpc as GrpcResult;
    const bars = g.cases.filter((c) => c.callers === 16 && c.rps !== null).map((c) => ({ label: GRPC_LABELS[c.client] ?? c.client, value: c.rps!, ours: c.client.startsWith('bulwark') }));
    sections.push('## gRPC', '', await chart('grpc-16', 'Loopback gRPC unary calls at 16 callers (higher is better)', 'calls/s', bars), '```', formatGrpc(g), '```', '');
  }
  for (const [name, result] of Object.entries(r)) {
    if (['overhead', 'lateness', 'http', 'pickers', 'grpc'].includes(name)) continue;
    const format = (result as { formatted?: string }).formatted;
    sections.push(`## ${name}`, '', '```', format ?? JSON.stringify(result, null, 2), '```', '');
  }
  const text = [
    '# Benchmarks',
    '',
    `Generated by \`node bench/report.ts\` from \`bench/results/${basename(file)}\`, measured by \`npm run bench\``,
    `on ${run.date.slice(0, 10)}: Node ${run.node}, ${run.cpu} × ${run.cpus} (${run.platform}), commit ${run.commit},`,
    `load average at the start ${run.loadavg.join(' ')}; the whole run took ${run.seconds} s.`,
    'Every case runs in fresh processes, alternated with its peers, and the tables give medians;',
    'ratios between cases of one run are the figures to compare, not absolute times from another machine.',
    'How each suite measures is in [bench/README.md](../bench/README.md).',
    '',
    ...sections,
  ].join('\n');
  await writeFile(new URL('benchmarks.md', docs), text);
  console.log(`wrote docs/benchmarks.md and ${sections.filter((s) => s.startsWith('![')).length} charts from ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
