/** One sample of the Prometheus text format: `name{label="v",…} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text exposition format (comments skipped). Pure. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

export const sum = (samples: readonly Sample[], name: string, where: (l: Sample['labels']) => boolean = () => true) =>
  samples.filter((s) => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);

/** The figures the console shows from a scrape. */
export interface Overview {
  readonly requests: number;
  readonly errors4xx: number;
  readonly errors5xx: number;
  readonly meanLatencyMs: number | null;
  readonly templates: number;
  readonly residentMb: number | null;
  readonly byRoute: { route: string; requests: number; meanMs: number | null }[];
}

export function overview(samples: readonly Sample[]): Overview {
  const requests = sum(samples, 'oblik_http_request_duration_seconds_count');
  const seconds = sum(samples, 'oblik_http_request_duration_seconds_sum');
  const status = (prefix: string) =>
    sum(samples, 'oblik_http_responses_total', (l) => (l['status'] ?? '').startsWith(prefix));
  const routes = new Map<string, { n: number; s: number }>();
  for (const s of samples) {
    const route = s.labels['route'];
    if (!route) continue;
    const entry = routes.get(route) ?? { n: 0, s: 0 };
    if (s.name === 'oblik_http_request_duration_seconds_count') entry.n += s.value;
    else if (s.name === 'oblik_http_request_duration_seconds_sum') entry.s += s.value;
    else continue;
    routes.set(route, entry);
  }
  const resident = samples.find((s) => s.name === 'oblik_process_resident_memory_bytes')?.value;
  return {
    requests,
    errors4xx: status('4'),
    errors5xx: status('5'),
    meanLatencyMs: requests > 0 ? (1000 * seconds) / requests : null,
    templates: sum(samples, 'oblik_matcher_templates'),
    residentMb: resident === undefined ? null : resident / 2 ** 20,
    byRoute: [...routes]
      .map(([route, { n, s }]) => ({ route, requests: n, meanMs: n > 0 ? (1000 * s) / n : null }))
      .sort((a, b) => b.requests - a.requests),
  };
}
