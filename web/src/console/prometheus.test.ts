import { describe, expect, it } from 'vitest';
import { overview, parsePrometheus } from './prometheus';

const SCRAPE = `# HELP oblik_http_request_duration_seconds HTTP request latency
# TYPE oblik_http_request_duration_seconds histogram
oblik_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/me",status="200"} 3
oblik_http_request_duration_seconds_sum{method="GET",route="/v1/me",status="200"} 0.03
oblik_http_request_duration_seconds_count{method="GET",route="/v1/me",status="200"} 3
oblik_http_request_duration_seconds_sum{method="POST",route="/v1/persons",status="409"} 0.5
oblik_http_request_duration_seconds_count{method="POST",route="/v1/persons",status="409"} 1
oblik_http_responses_total{method="GET",route="/v1/me",status="200",code=""} 3
oblik_http_responses_total{method="POST",route="/v1/persons",status="409",code="enrolment.duplicate"} 1
oblik_matcher_templates{segment="moscow",view="",transform="1",model_pack="p"} 7
oblik_matcher_templates{segment="kazan",view="rp_1",transform="2",model_pack="p"} 2
oblik_process_resident_memory_bytes 104857600
`;

describe('the console’s metrics reading', () => {
  it('parses samples with escaped labels', () => {
    const [sample] = parsePrometheus('x{a="q\\"uote",b="2"} 1.5e3');
    expect(sample).toEqual({ name: 'x', labels: { a: 'q"uote', b: '2' }, value: 1500 });
  });

  it('sums requests, refusals, failures, templates and per-route latency', () => {
    const o = overview(parsePrometheus(SCRAPE));
    expect(o).toMatchObject({ requests: 4, errors4xx: 1, errors5xx: 0, templates: 9, residentMb: 100 });
    expect(o.meanLatencyMs).toBeCloseTo(132.5);
    expect(o.byRoute).toEqual([
      { route: '/v1/me', requests: 3, meanMs: 10 },
      { route: '/v1/persons', requests: 1, meanMs: 500 },
    ]);
  });
});
