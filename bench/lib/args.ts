import { parseArgs } from 'node:util';

/** The benchmarks' shared command line: --dataset DIR [--limit N] [--json], plus extra string options. */
export function benchArgs(...extra: string[]): {
  dataset: string;
  limit: number;
  json: boolean;
  extra: Record<string, string | undefined>;
} {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    dataset: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  };
  for (const name of extra) options[name] = { type: 'string' };
  const values = parseArgs({ options, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  const dataset = values['dataset'];
  if (typeof dataset !== 'string') {
    console.error(`usage: --dataset DIR [--limit N] [--json]${extra.map((e) => ` [--${e} VALUE]`).join('')}`);
    process.exit(2);
  }
  const limit = values['limit'] === undefined ? Number.POSITIVE_INFINITY : Number(values['limit']);
  const rest: Record<string, string | undefined> = {};
  for (const e of extra) rest[e] = values[e] as string | undefined;
  return { dataset, limit, json: values['json'] === true, extra: rest };
}
