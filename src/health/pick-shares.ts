import type { EndpointState, LiveEndpoint } from '../endpoints/endpoint.js';
import { asKeyWalker, asLevelPickers, asRampScaler, PASS, SKIP, TAKE, type KeyWalker, type LevelPickers, type Picker, type RampScaler } from '../pickers/picker.js';
import { pointHash } from '../pickers/murmur3.js';
import { fastRandom } from '../pickers/random-bits.js';
import type { EndpointHealth } from './endpoint-health.js';
import { sameEndpoints } from './candidates.js';
import { drawLevel, type Levels } from './routing.js';
import { pickSettingAside, pickWithShares, SlowStart, type PickAgain } from './slow-start.js';

/**
 * The say slow start and priority/zone failover have on the picker's choices
 * (docs/architecture.md, "Endpoint health"): an endpoint on its ramp keeps only its share of
 * the picks that land on it, and with candidates spread over levels each pick first draws its
 * level by share. The attempt stage asks only while {@link adjusting}, so a client with neither
 * pays one field read per attempt. Three ways, by picker:
 * - a keyed call to a ring hash picker ({@link KeyWalker}): level and ramp are decided from the
 *   key's hash, and the ring is walked on from the key past what they do not take;
 * - any other call to a built-in picker ({@link LevelPickers}): one copy of the picker per
 *   level picks in the level drawn, so the split is exact, and a ramp that turns its pick down
 *   has it pick again with that endpoint set aside (`pickSettingAside`); peak EWMA and weighted
 *   round robin ({@link RampScaler}) instead scale a ramping endpoint's weight by its share (in
 *   the load comparison; by keeping its turn with that probability);
 * - a picker of the user's: rejection sampling over its own choices (`pickWithShares`), as
 *   exact as its proposals allow.
 *
 * @example
 * const shares = new PickShares(picker, { window: 30_000, aggression: 1, minWeight: 0.1 });
 * const endpoint = shares.adjusting ? shares.pick(ctx) : picker.pick(ctx);
 */
export class PickShares {
  /** Whether picks need adjusting now: some endpoint ramps up, or calls are spread over levels. A field: read per attempt. */
  adjusting = false;
  readonly #picker: Picker;
  readonly #slowStart: SlowStart | undefined;
  /** The levels the candidates span, with their shares; undefined with one level. */
  #levels: Levels | undefined = undefined;
  readonly #random = fastRandom();
  /** The picker, when it is deterministic per key (ring hash). */
  readonly #walker: KeyWalker | undefined;
  /** The picker, when it is a built-in one, which makes a copy per level and honours `tried` exactly. */
  readonly #forker: LevelPickers | undefined;
  /** With levels and a {@link #forker}: each level's own picker, and the candidates it was last given. */
  #perLevel: Picker[] = [];
  #given: (readonly LiveEndpoint[])[] = [];

  constructor(picker: Picker, slowStart: ConstructorParameters<typeof SlowStart>[0] | undefined) {
    this.#picker = picker;
    this.#slowStart = slowStart === undefined ? undefined : new SlowStart(slowStart);
    this.#walker = asKeyWalker(picker);
    this.#forker = asLevelPickers(picker);
  }

  /** The candidates now span `levels` (undefined: one level); `force`: the endpoints changed in place (the set was updated), so every level's picker is given its members again. */
  setLevels(levels: Levels | undefined, force = false): void {
    this.#levels = levels;
    if (this.#forker !== undefined) this.#updateLevelPickers(levels, force);
    this.#update();
  }

  /** Starts (or restarts) an endpoint's ramp, when slow start is on. */
  startRamp(h: EndpointHealth, now: number): void {
    this.#slowStart?.start(h, now);
    this.#update();
  }

  /** The set changed: endpoints that left took their ramps with them. */
  recount(pool: readonly LiveEndpoint[]): void {
    this.#slowStart?.recount(pool);
    this.#update();
  }

  /**
   * The pick to send: the level is drawn first, by its share, and only choices in it stand, so
   * levels get their share whatever the picker proposes; an endpoint on its ramp keeps a pick
   * with its ramp's share. The picker is asked only as each way needs it (a stateful one's
   * rotation, weighted round robin's, must not spend a turn on a pick that is not used).
   */
  pick(request: PickAgain): unknown {
    const hash = this.#walker?.keyHash(request.key);
    const chosen = hash === undefined ? this.#adjustDrawn(request) : this.#adjustKeyed(request, hash, this.#walker!);
    this.#update();
    return chosen;
  }

  /**
   * A call with a key to a ring hash picker, which gives a key the same endpoint however often
   * it is asked: the level comes from the key's hash (the same key stays on the same level while
   * the shares stand, a share that shrinks moving only the keys at its edge, as Envoy picks the
   * priority from the hash), and so does the number a ramping endpoint's share is compared with
   * (a key moves onto it only as its share grows). The ring is walked on from the key past
   * endpoints of other levels and those a ramp does not keep: the key lands on the next endpoint
   * of its level on the ring, as it would on a ring of that level alone.
   */
  #adjustKeyed(request: PickAgain, hash: number, walker: KeyWalker): unknown {
    const levels = this.#levels;
    const slow = this.#slowStart;
    const now = request.now;
    const target = levels === undefined ? -1 : drawLevel(levels, request.tried, uniform(hash, 1));
    const u = slow === undefined || slow.ramping === 0 ? 0 : uniform(hash, 2);
    return walker.walk(hash, request.tried, (e: EndpointState) => {
      const h = (e as LiveEndpoint).health;
      if (h === undefined) return TAKE;
      if (target >= 0 && h.level !== target) return SKIP;
      return slow === undefined || u < slow.share(h, now) ? TAKE : PASS;
    });
  }

  /**
   * Any other pick: the level drawn at random. A built-in picker's level's own copy picks in
   * it (asking the one picker again and again would advance a rotation on every draw it
   * rejects, and a picker that compares its candidates would propose the same endpoint every
   * time), and a ramp sets aside what it turns down; a user's picker's own choices are sampled.
   */
  #adjustDrawn(request: PickAgain): unknown {
    const slow = this.#slowStart;
    const now = request.now;
    const levels = this.#levels;
    const target = levels === undefined ? -1 : drawLevel(levels, request.tried, this.#random());
    let picker = this.#picker;
    if (this.#forker !== undefined) {
      if (target >= 0) picker = this.#perLevel[target]!;
      if (slow === undefined || slow.ramping === 0) return picker.pick(request);
      const share = (e: EndpointState): number => {
        const h = (e as LiveEndpoint).health;
        return h === undefined ? 1 : slow.share(h, now);
      };
      // Peak EWMA proposes the endpoint it finds least loaded however often it is asked, and a
      // pick asked again spends a turn of weighted round robin's rotation: for both the ramp
      // scales the weight instead of turning a pick down.
      const scaler = asRampScaler(picker);
      if (scaler !== undefined) return scaler.pickScaled(request, share);
      return pickSettingAside(request, picker.pick(request), picker, share, this.#random);
    }
    return pickWithShares(request, picker.pick(request), picker, (e) => {
      const h = e.health;
      if (h === undefined) return 1;
      if (target >= 0 && h.level !== target) return 0;
      return slow === undefined ? 1 : slow.share(h, now);
    }, this.#random);
  }

  /**
   * Gives each level's picker its level's candidates, when they changed (the tracker sets the
   * levels on every change of health, most of which leave them as they were). A level's picker
   * is made when the level first appears and goes when the levels do, so every spell of
   * failover starts its rotations afresh (a level is known by its place among the levels).
   */
  #updateLevelPickers(levels: Levels | undefined, force: boolean): void {
    if (levels === undefined) {
      this.#perLevel = [];
      this.#given = [];
      return;
    }
    const { members } = levels;
    this.#perLevel.length = Math.min(this.#perLevel.length, members.length);
    this.#given.length = this.#perLevel.length;
    for (let i = 0; i < members.length; i++) {
      const group = members[i]!;
      if (i === this.#perLevel.length) this.#perLevel.push(this.#forker!.forLevel());
      // The same endpoints need no update, unless one changed in place (a weight, priority or zone discovery changed: `force`).
      else if (!force && sameEndpoints(this.#given[i]!, group)) continue;
      this.#perLevel[i]!.update(group);
      this.#given[i] = group;
    }
  }

  #update(): void {
    this.adjusting = this.#levels !== undefined || (this.#slowStart !== undefined && this.#slowStart.ramping > 0);
  }
}

/** A uniform number in [0, 1) drawn from a key's hash: `n` tells apart the draws made from one key. */
function uniform(hash: number, n: number): number {
  return (pointHash(hash, n) >>> 0) / 4294967296;
}
