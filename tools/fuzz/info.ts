// What the fuzzer learns about each algorithm of the registry: option names and per-flavor
// defaults (read from a probe optimizer), which options a flavor does not support (probed:
// the optimizer rejects a non-default value "not supported by flavor"), and the option domains
// and oracle of its description (tools/fuzz/algorithms/), or guesses when it has none.
import { OPTIMIZERS, type OptimizerClass } from '#lib/registry.js';
import type { OptionRule } from '#lib/options.js';
import { FLAVORS, type Flavor } from '#lib/spec.js';
import { DESCRIPTIONS } from './algorithms/index.js';
import { BOOLEAN, type AlgorithmDescription, type Domain, type OracleRule, type Options } from './describe.js';
import { Random } from './random.js';

export interface FlavorInfo {
  readonly defaults: Readonly<Options>;
  /** Options this flavor does not have: they must stay at their default. */
  readonly unsupported: ReadonlySet<string>;
  /** Options this flavor has. */
  readonly supported: readonly string[];
  /** The flavor has a row-sparse path (the spec's `sparse`). */
  readonly sparse: boolean;
  /** Whether a group with these (complete) options takes a row-sparse gradient (the spec's `refuse`). */
  acceptsSparse(o: Readonly<Options>): boolean;
}

export interface AlgorithmInfo {
  readonly name: string;
  /** The class name, which opens every error message ("Adagrad: …"). */
  readonly className: string;
  readonly Class: OptimizerClass;
  readonly description: AlgorithmDescription | undefined;
  readonly keys: readonly string[];
  readonly domains: Readonly<Record<string, Domain>>;
  /** The flavors this algorithm has (AdamW: torch only). */
  readonly flavors: Readonly<Partial<Record<Flavor, FlavorInfo>>>;
  oracle(flavor: Flavor): OracleRule | undefined;
  /** The rule of a row-sparse step (the description's sparseOracle, else the dense rule). */
  sparseOracle(flavor: Flavor): OracleRule | undefined;
  /** Cross-option rule (always true without a description). */
  valid(o: Readonly<Options>, flavor: Flavor): boolean;
  /**
   * The buffers (state-dict names and their aliases) a loaded state entry of a group with these
   * options must hold, or null when the fuzzer cannot tell (no oracle rule).
   */
  requiredState(flavor: Flavor, o: Readonly<Options>): readonly string[] | null;
}

const cache = new Map<string, AlgorithmInfo>();

/** The algorithms to fuzz: every registry entry. */
export function registryAlgorithms(): string[] {
  return Object.keys(OPTIMIZERS);
}

/** A guessed domain for an option without a description: its default, or both booleans. */
function guessDomain(value: unknown): Domain {
  if (typeof value === 'boolean') return BOOLEAN;
  if (typeof value === 'number') return { kind: 'number', edges: [value], typical: () => value };
  return { kind: 'custom', edges: [value], typical: () => value };
}

/**
 * The option's domain with the algorithm's own bounds: the spec's rule decides what is valid
 * (so the fuzzer's bad values cross exactly the limits the library enforces), the description
 * only which valid values are worth trying. A pair's bad values are derived from its rule.
 */
function withSpecBounds(rule: OptionRule | undefined, domain: Domain): Domain {
  if (rule === undefined || rule.kind === 'boolean') return domain;
  if (rule.kind === 'number') {
    if (domain.kind !== 'number') return domain;
    return { ...domain, min: rule.min, max: rule.max, maxExclusive: rule.maxExclusive };
  }
  if (domain.kind !== 'custom') return domain;
  const mid = (rule.min + rule.max) / 2;
  const above = rule.maxExclusive ? rule.max : rule.max + 1;
  const below = rule.min === 0 ? -Number.MIN_VALUE : rule.min - 1;
  const invalid = [
    [above, mid],
    [mid, above],
    [below, mid],
    [mid, below],
    [NaN, mid],
    [mid, NaN],
  ];
  return { ...domain, invalid: [...invalid, [mid], [mid, mid, mid], String(mid), mid, null, {}] };
}

/** A valid value of a domain: one of its edges (with probability `edgeBias`) or a typical one. */
export function sampleDomain(domain: Domain, r: Random, edgeBias = 0.5): unknown {
  if (domain.kind === 'boolean') return r.chance(0.5);
  if (r.chance(edgeBias) && domain.edges.length > 0) return r.pick(domain.edges);
  return domain.typical(r);
}

function probe(name: string): AlgorithmInfo {
  const Class = OPTIMIZERS[name]!;
  const description = DESCRIPTIONS[name];
  const probeParams = (): Float32Array[] => [new Float32Array(1)];
  const defaultsOf = (flavor: Flavor): Options | null => {
    try {
      return { ...new Class(probeParams(), { flavor, backend: 'js' }).defaults };
    } catch {
      return null; // the framework has no such optimizer
    }
  };
  const available = FLAVORS.map((f) => [f, defaultsOf(f)] as const).filter(
    (e): e is readonly [Flavor, Options] => e[1] !== null,
  );
  if (available.length === 0) throw new Error(`${name}: no flavor can be constructed`);
  const keys = Object.keys(available[0]![1]);
  const domains: Record<string, Domain> = {};
  const rules: Readonly<Record<string, OptionRule>> = Class.spec.rules;
  for (const key of keys) {
    domains[key] = withSpecBounds(rules[key], description?.options[key] ?? guessDomain(available[0]![1][key]));
  }
  const valid = (o: Readonly<Options>, flavor: Flavor): boolean => description?.valid?.(o, flavor) ?? true;
  const className = new Class(probeParams(), { flavor: available[0]![0], backend: 'js' }).constructor.name;

  const flavors: Partial<Record<Flavor, FlavorInfo>> = {};
  for (const [flavor, defaults] of available) {
    const unsupported = new Set<string>();
    const r = new Random(0x5eed, keys.length);
    for (const key of keys) {
      let decided = false;
      for (let attempt = 0; attempt < 60 && !decided; attempt++) {
        const o: Options = { ...defaults };
        o[key] = sampleDomain(domains[key]!, r, 0.7);
        if (sameValue(o[key], defaults[key])) continue;
        // Repair cross-option rules by moving other options off their defaults at random.
        for (let fix = 0; fix < 8 && !valid(o, flavor); fix++) {
          const other = r.pick(keys);
          if (other !== key) o[other] = sampleDomain(domains[other]!, r, 0.7);
        }
        if (!valid(o, flavor)) continue;
        try {
          new Class(probeParams(), { ...o, flavor, backend: 'js' });
          decided = true;
        } catch (error) {
          const message = (error as Error).message;
          if (error instanceof RangeError && /not supported/.test(message)) {
            if (new RegExp(`\\b${key} = `).test(message)) {
              unsupported.add(key);
              decided = true;
            }
          }
        }
      }
      if (!decided) unsupported.add(key); // never accepted: keep it at its default
    }
    const sparse = (Class.spec.flavors as Record<string, { sparse?: { refuse?(o: unknown): string | null } }>)[flavor]
      ?.sparse;
    flavors[flavor] = {
      defaults,
      unsupported,
      supported: keys.filter((k) => !unsupported.has(k)),
      sparse: sparse !== undefined,
      acceptsSparse: (o) => sparse !== undefined && !sparse.refuse?.(o),
    };
  }
  return {
    name,
    className,
    Class,
    description,
    keys,
    domains,
    flavors,
    valid,
    oracle: (flavor) => description?.oracle[flavor],
    sparseOracle: (flavor) => description?.sparseOracle?.[flavor] ?? description?.oracle[flavor],
    requiredState: (flavor, o) => requiredState(description, flavor, o),
  };
}

/**
 * loadStateDict's rule (src/optimizer.ts): an entry must hold the buffers its group's options
 * keep — the spec's `buffers(options)`, which the oracle rule's `buffers` models (and every
 * step checks against the state dict) — and may hold the algorithm's others. So the model
 * follows the options a state dict carries: TF.js SGD switched to momentum 0 is tf.train.sgd
 * and needs no momentum buffer. A flavor whose spec relaxes the rule (its `loadable`: PyTorch's
 * SGD buffer may be None) lists the exceptions in `optionalState`.
 */
function requiredState(
  description: AlgorithmDescription | undefined,
  flavor: Flavor,
  o: Readonly<Options>,
): readonly string[] | null {
  const rule = description?.oracle[flavor];
  if (rule === undefined) return null;
  const optional = description?.optionalState?.[flavor] ?? [];
  const names = Object.keys(rule.buffers(o)).filter((name) => !optional.includes(name));
  return names.flatMap((name) => [name, ...(rule.aliases?.[name] ?? [])]);
}

export function algorithmInfo(name: string): AlgorithmInfo {
  let info = cache.get(name);
  if (info === undefined) {
    if (OPTIMIZERS[name] === undefined)
      throw new RangeError(
        `unknown algorithm ${JSON.stringify(name)} (the library has: ${registryAlgorithms().join(', ')})`,
      );
    info = probe(name);
    cache.set(name, info);
  }
  return info;
}

/** The (algorithm, flavor) pairs the library has among those asked for. */
export function combinations(algorithms: readonly string[], flavors: readonly Flavor[]): [string, Flavor][] {
  return algorithms.flatMap((a) =>
    flavors.filter((f) => algorithmInfo(a).flavors[f] !== undefined).map((f) => [a, f] as [string, Flavor]),
  );
}

/** Option values equal (numbers by Object.is, arrays element-wise). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return Object.is(a, b);
}
