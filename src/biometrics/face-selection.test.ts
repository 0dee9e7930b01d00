import { describe, expect, it } from 'vitest';
import { byDominance, dominance, iou, nonMaxSuppression, rivalFaces, type Detection } from './face-selection.js';

const det = (x1: number, y1: number, x2: number, y2: number, score = 0.9): Detection => ({
  box: { x1, y1, x2, y2 },
  score,
});

describe('face selection', () => {
  it('computes intersection over union', () => {
    expect(iou(det(0, 0, 10, 10).box, det(0, 0, 10, 10).box)).toBe(1);
    expect(iou(det(0, 0, 10, 10).box, det(5, 0, 15, 10).box)).toBeCloseTo(50 / 150);
    expect(iou(det(0, 0, 10, 10).box, det(20, 20, 30, 30).box)).toBe(0);
  });

  it('suppresses overlapping detections, keeping the most confident', () => {
    const kept = nonMaxSuppression([det(0, 0, 10, 10, 0.8), det(1, 1, 11, 11, 0.95), det(50, 50, 60, 60, 0.7)], 0.3);
    expect(kept.map((d) => d.score)).toEqual([0.95, 0.7]);
  });

  it('prefers a large central face to a more confident one at the edge', () => {
    const central = det(70, 60, 180, 190, 0.8);
    const edge = det(0, 0, 60, 70, 0.999);
    expect(byDominance([edge, central], 250, 250)[0]).toBe(central);
    expect(dominance(central.box, 250, 250)).toBeGreaterThan(dominance(edge.box, 250, 250));
  });

  it('discounts a face by its distance from the centre', () => {
    const centred = det(100, 100, 150, 150);
    const offset = det(0, 100, 50, 150);
    expect(dominance(offset.box, 250, 250)).toBeLessThan(dominance(centred.box, 250, 250));
  });

  it('counts as rivals only faces about as dominant as the chosen one', () => {
    // A group photo: two people side by side, equally far from the centre.
    const left = det(20, 60, 130, 190);
    const right = det(150, 60, 260, 190);
    const background = det(0, 0, 50, 50);
    const ordered = byDominance([background, left, right], 280, 250);
    expect(rivalFaces(ordered[0]!, ordered, 0.6, 280, 250)).toHaveLength(1);
    // A portrait with a large face at the edge of the frame behind the subject.
    const subject = det(80, 70, 180, 190);
    const bystander = det(190, 0, 250, 90);
    expect(rivalFaces(subject, [subject, bystander], 0.6, 250, 250)).toEqual([]);
  });
});
