// bulwark's showcase: the same load against the same misbehaving fleet, first through a
// bulwark client, then through plain fetch with round robin, and the numbers side by side.
//
//   npm run demo            (a live table on a terminal, progress lines otherwise)
import { Fleet, KILL_AT, RESTART_AT, SPECS } from './backends.ts';
import { bulwarkCaller, roundRobinCaller, type Caller } from './callers.ts';
import { Recorder, runLoad, warmUp } from './load.ts';
import { Traffic } from './traffic.ts';
import { LiveBlock, progressLine, renderFrame, renderSummary, type Frame, type Summary } from './view.ts';

const DURATION = 15_000;
const CONCURRENCY = 32;
// Both callers get the same requests at the same pace. Unpaced, the faster caller would also
// load this process's CPU harder, and its own event-loop delay would count as its latency.
const RATE = 500;
const tty = process.stdout.isTTY === true;
// A terminal gets a smooth redraw; a log gets a line often enough to show progress, no more.
const TICK = tty ? 250 : 3_000;

const stopping = new AbortController();

type MakeCaller = (urls: readonly string[], traffic: Traffic) => Caller;

async function runPhase(fleet: Fleet, makeCaller: MakeCaller): Promise<Summary> {
  // Each phase starts from a whole fleet and replays the same failure schedule.
  await fleet.reviveAll();
  const names = new Map(fleet.backends.map((b) => [b.host, b.spec] as const));
  const traffic = new Traffic(fleet.backends.map((b) => b.host));
  const caller = makeCaller(fleet.urls, traffic);
  const recorder = new Recorder();
  const events: string[] = [];
  const block = new LiveBlock(process.stdout);
  const elapsed = (): number => performance.now() - recorder.startedAt;

  const frame = (): Frame => {
    const [p50 = 0, p99 = 0] = recorder.percentiles([0.5, 0.99]);
    const inflight = caller.inflight();
    const health = caller.health();
    return {
      title: caller.title,
      description: caller.description,
      elapsed: Math.min(elapsed(), DURATION),
      duration: DURATION,
      rows: traffic.rows((host) => inflight?.get(host)).map((r) => {
        const spec = names.get(r.host);
        // The client's own verdict on a backend, when it has one, over what its traffic suggests.
        const state = health?.get(r.host) ?? r.state;
        return { ...r, state, name: spec?.name ?? r.host, role: spec?.role ?? '' };
      }),
      done: recorder.done,
      successRate: recorder.successRate,
      p50,
      p99,
      rps: recorder.recentRate(),
      attemptsPerRequest: caller.attempts() / Math.max(recorder.done, 1),
      events,
    };
  };
  const show = (): void => (tty ? block.draw(renderFrame(frame())) : console.log(progressLine(frame())));
  // The last tick can land on the phase's end; the final line after the drain says it once.
  const tick = (): void => {
    if (tty || elapsed() < DURATION - 100) show();
  };

  if (!tty) console.log(`${caller.title} — ${caller.description}`);
  const note = (text: string): void => {
    const line = `${(elapsed() / 1000).toFixed(1)} s ${text}`;
    events.push(line);
    if (!tty) console.log(`  ${line}`);
  };
  const cancelSchedule = fleet.startSchedule(note);
  caller.onNote((text) => note(text.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, (host) => names.get(host)?.name ?? host)));
  const ticker = setInterval(tick, TICK);
  try {
    await runLoad({ concurrency: CONCURRENCY, duration: DURATION, rate: RATE, call: (i) => caller.call(i), signal: stopping.signal }, recorder);
  } finally {
    clearInterval(ticker);
    cancelSchedule();
    await caller.close();
  }
  show();
  block.commit();

  const [p50 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0] = recorder.percentiles([0.5, 0.95, 0.99, 0.999, 1]);
  return {
    title: caller.title,
    successRate: recorder.successRate,
    failed: recorder.failed,
    p50,
    p95,
    p99,
    p999,
    max,
    done: recorder.done,
    rps: recorder.overallRate(),
    attemptsPerRequest: caller.attempts() / Math.max(recorder.done, 1),
  };
}

async function main(): Promise<void> {
  const fleet = await Fleet.start(SPECS);
  process.once('SIGINT', () => {
    console.log('\ninterrupted: stopping the load and the backends…');
    process.exitCode = 130;
    stopping.abort();
    // A second Ctrl-C means "now": the backends still leave with us (they watch the IPC channel).
    process.once('SIGINT', () => process.exit(130));
  });
  try {
    console.log(
      `${fleet.backends.length} backends on 127.0.0.1 (${SPECS.map((b) => b.name).join(', ')}); "crashing" is killed ` +
        `${KILL_AT / 1000} s into each run and restarted ${RESTART_AT / 1000} s in.\n` +
        `Each caller gets the same ${((RATE * DURATION) / 1000).toLocaleString('en-US')} GET requests: ` +
        `${RATE}/s for ${DURATION / 1000} s from ${CONCURRENCY} concurrent workers.\n`,
    );
    await warmUp(fleet.urls, 1_000, CONCURRENCY);
    if (stopping.signal.aborted) return;
    const withBulwark = await runPhase(fleet, bulwarkCaller);
    if (stopping.signal.aborted) return;
    console.log();
    const plain = await runPhase(fleet, roundRobinCaller);
    if (stopping.signal.aborted) return;
    console.log(`\n${renderSummary(withBulwark, plain).join('\n')}`);
  } finally {
    await fleet.stop();
  }
}

await main();
