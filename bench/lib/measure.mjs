// Shared measuring helpers: contenders run alternately, round after round, in one process, so
// machine noise hits them alike; results are medians with their spread, and ratios of medians.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs fn n times (awaiting when it returns a promise) and returns operations per second. */
export async function opsPerSecond(fn, n) {
  const first = fn();
  const isAsync = first && typeof first.then === 'function';
  if (isAsync) await first;
  const t0 = process.hrtime.bigint();
  if (isAsync) for (let i = 0; i < n; i++) await fn();
  else for (let i = 0; i < n; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0);
  return (n * 1e9) / ns;
}

/**
 * contenders: [{ name, fn, n }]. Each round runs every contender once, rotating the order.
 * Returns Map name -> { median, min, max } in ops/s.
 */
export async function alternate(contenders, rounds) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      samples.get(c.name).push(await opsPerSecond(c.fn, c.n));
    }
  }
  const out = new Map();
  for (const [name, xs] of samples)
    out.set(name, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs });
  return out;
}

export function fmtOps(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M/s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k/s`;
  return `${x.toFixed(0)}/s`;
}

export function fmtUs(opsPerSec) {
  return `${(1e6 / opsPerSec).toFixed(2)} µs`;
}

export function printTable(title, results, baseline) {
  console.log(`\n${title}`);
  const base = results.get(baseline);
  for (const [name, r] of results) {
    // Two ratios: of the medians, and the median of each round's own ratio (the contenders of one
    // round ran back to back, so a slow spell of the machine cancels out of it).
    const paired = median(base.samples.map((x, i) => x / r.samples[i]));
    const ratio =
      name === baseline
        ? ''
        : `  start-guard is ${(base.median / r.median).toFixed(1)}x (per round: ${paired.toFixed(1)}x)`;
    console.log(
      `  ${name.padEnd(34)} ${fmtOps(r.median).padStart(10)} (${fmtUs(r.median)}/op; spread ${fmtOps(r.min)}–${fmtOps(r.max)})${ratio}`,
    );
  }
}

/**
 * Prints medians as milliseconds per operation (and operations per second) with the ratio of the
 * medians to `base` and the median of each round's own ratio. `perOp`: operations per call.
 */
export function reportTimes(title, results, base, perOp = 1, unit = 'op', units = `${unit}s`) {
  console.log(`\n${title}`);
  const b = results.get(base);
  for (const [name, r] of results) {
    const ms = 1000 / (r.median * perOp);
    let ratio = '';
    if (name !== base) {
      const paired = median(b.samples.map((x, i) => r.samples[i] / x));
      ratio = `  ${(b.median / r.median).toFixed(2)}x ${base}'s time (per round ${(1 / paired).toFixed(2)}x)`;
    }
    console.log(
      `  ${name.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms/${unit}  ${(r.median * perOp).toFixed(0).padStart(5)} ${units}/s${ratio}`,
    );
  }
}
