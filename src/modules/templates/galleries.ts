import type { IndexedTemplate, Matcher } from '../../matcher/matcher.js';
import type { SearchOptions } from '../../matcher/vector-index.js';
import type { SegmentTransforms } from './segment-transforms.js';

/**
 * The matcher's name for the templates of one view of a segment under one transform version: `moscow@2` for the
 * segment's own view, `moscow@rp_…:1` for a relying party's. Version 0 is the identity (raw templates stored
 * before renewable templates existed).
 */
export function galleryOf(segmentId: string, view: string, transformVersion: number): string {
  return view ? `${segmentId}@${view}:${transformVersion}` : `${segmentId}@${transformVersion}`;
}

/** The segment, view and transform version of a gallery name. */
export function parseGallery(gallery: string): { segmentId: string; view: string; version: number } {
  const at = gallery.lastIndexOf('@');
  const rest = gallery.slice(at + 1);
  const colon = rest.lastIndexOf(':');
  return {
    segmentId: gallery.slice(0, at),
    view: colon < 0 ? '' : rest.slice(0, colon),
    version: Number(colon < 0 ? rest : rest.slice(colon + 1)),
  };
}

/**
 * Searches over segments whose templates are stored transformed: the probe is transformed into each of a
 * segment's galleries (its own view and any relying party's view, and two versions of one while a re-key is
 * moving templates) and the results merged, so callers think in segments and raw probes.
 */
export class TemplateGalleries {
  constructor(
    private readonly matcher: Matcher,
    private readonly transforms: SegmentTransforms,
  ) {}

  /** Templates held for these segments (for gallery-size thresholds). */
  size(segments: readonly string[]): number {
    return this.galleriesOf(segments).reduce((n, g) => n + this.matcher.size(g.gallery), 0);
  }

  /** 1:1: the person's best template in their segment against the raw probe. */
  async verify(personId: string, segmentId: string, modelPack: string, probe: Float32Array) {
    let best: { templateId: string; score: number } | undefined;
    for (const q of await this.queries([segmentId], probe)) {
      const hit = this.matcher.verify(personId, q.segment, modelPack, q.query);
      if (hit && (!best || hit.score > best.score)) best = hit;
    }
    return best;
  }

  /** Adds a template that just committed, unless another request's catch-up indexed it from the feed already. */
  index(template: IndexedTemplate): void {
    if (!this.matcher.has(template.templateId)) this.matcher.add(template);
  }

  /** 1:N over the segments with a raw probe. */
  async identify(segments: readonly string[], modelPack: string, probe: Float32Array, options: SearchOptions) {
    return this.matcher.identifyEach(await this.queries(segments, probe), modelPack, options);
  }

  /** Templates the group's members hold in these segments (the group's size, for its threshold). */
  sizeOfGroup(segments: readonly string[], members: readonly string[]): number {
    return this.matcher.sizeOfGroup(
      this.galleriesOf(segments).map((g) => g.gallery),
      members,
    );
  }

  /** 1:N over the members of a group only, within the segments, with a raw probe. */
  async identifyInGroup(
    segments: readonly string[],
    members: readonly string[],
    modelPack: string,
    probe: Float32Array,
    options: SearchOptions,
  ) {
    return this.matcher.identifyInGroup(await this.queries(segments, probe), modelPack, members, options);
  }

  private galleriesOf(segments: readonly string[]) {
    const wanted = new Set(segments);
    return this.matcher
      .segments()
      .map((gallery) => ({ gallery, ...parseGallery(gallery) }))
      .filter((g) => wanted.has(g.segmentId));
  }

  private async queries(segments: readonly string[], probe: Float32Array) {
    const out: { segment: string; query: Float32Array }[] = [];
    for (const g of this.galleriesOf(segments)) {
      if (g.version === 0) {
        out.push({ segment: g.gallery, query: probe });
        continue;
      }
      const transform = await this.transforms.transform(g, g.version, probe.length);
      if (transform) out.push({ segment: g.gallery, query: transform.apply(probe) });
    }
    return out;
  }
}
