import type { Capture, Comparison, EngineSettings } from './biometrics/face-engine.js';
import type { AnalysedFace, ImageAnalysis } from './biometrics/pipeline.js';

/** How the CLI shows analyses: a JSON shape (templates summarised, not dumped) and a human-readable text. */
const round = (v: number, digits = 2) => Number(v.toFixed(digits));

export function toFaceJson(f: AnalysedFace) {
  return {
    box: { x1: round(f.box.x1, 1), y1: round(f.box.y1, 1), x2: round(f.box.x2, 1), y2: round(f.box.y2, 1) },
    detectionScore: round(f.detectionScore, 4),
    landmarks: f.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
    quality: {
      score: f.quality.score,
      acceptable: f.quality.acceptable,
      reasons: f.quality.reasons,
      measures: Object.fromEntries(
        Object.entries(f.quality.measures).map(([k, v]: [string, number]) => [k, round(v, 3)]),
      ),
    },
    liveness: round(f.liveness, 4),
    template: { dim: f.template.length, norm: round(Math.hypot(...f.template), 4) },
  };
}

export function toAnalysisJson(a: ImageAnalysis) {
  return {
    format: a.format,
    width: a.width,
    height: a.height,
    modelPack: a.modelPack,
    faceCount: a.faceCount,
    faces: a.faces.map(toFaceJson),
    timingsMs: Object.fromEntries(Object.entries(a.timings).map(([k, v]) => [k, round(v)])),
  };
}

function describeFace(f: AnalysedFace, i: number, s: EngineSettings): string[] {
  const live = f.liveness >= s.livenessThreshold ? 'live' : 'SPOOF SUSPECTED';
  const q = f.quality.acceptable ? 'acceptable' : `LOW (${f.quality.reasons.join(', ')})`;
  const m = f.quality.measures;
  return [
    `face ${i + 1}: box (${f.box.x1.toFixed(0)}, ${f.box.y1.toFixed(0)})–(${f.box.x2.toFixed(0)}, ${f.box.y2.toFixed(0)}), detection ${f.detectionScore.toFixed(3)}`,
    `  quality ${f.quality.score}/100 ${q}: inter-eye ${m.interEyePx.toFixed(0)} px, yaw ${m.yawDeg.toFixed(0)}°, pitch ${m.pitchDeg.toFixed(0)}°, sharpness ${m.sharpness.toFixed(0)}, brightness ${m.brightness.toFixed(0)}`,
    `  liveness ${f.liveness.toFixed(3)} (${live} at ${s.livenessThreshold})`,
    `  template ${f.template.length}-d`,
  ];
}

export function describeAnalysis(path: string, a: ImageAnalysis, s: EngineSettings): string {
  const t = a.timings;
  return [
    `${path}: ${a.format} ${a.width}×${a.height}, ${a.faceCount} face(s), model ${a.modelPack}`,
    ...a.faces.flatMap((f, i) => describeFace(f, i, s)),
    `timing: ${t.total.toFixed(1)} ms (decode ${t.decode.toFixed(1)}, detect ${t.detect.toFixed(1)}, landmarks ${t.landmarks.toFixed(1)}, align ${t.align.toFixed(1)}, embed ${t.embed.toFixed(1)}, liveness ${t.liveness.toFixed(1)}, quality ${t.quality.toFixed(1)})`,
  ].join('\n');
}

export function describeComparison(
  a: string,
  b: string,
  r: { a: Capture; b: Capture; comparison: Comparison },
): string {
  const verdict = r.comparison.match ? 'MATCH' : 'NO MATCH';
  return [
    `${a}: quality ${r.a.face.quality.score}/100, liveness ${r.a.face.liveness.toFixed(3)}`,
    `${b}: quality ${r.b.face.quality.score}/100, liveness ${r.b.face.liveness.toFixed(3)}`,
    `similarity ${r.comparison.score.toFixed(4)} (threshold ${r.comparison.threshold}): ${verdict}`,
  ].join('\n');
}
