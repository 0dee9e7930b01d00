/**
 * The peer baseline: @vladmandic/human (node-wasm build, BlazeFace + faceres descriptor), loaded entirely from
 * the files inside its npm package. Node's fetch cannot read file:// URLs, and Human fetches its models, so a
 * fetch that serves local files (and refuses everything else) is installed before it loads.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';

interface HumanTensor {
  readonly shape: number[];
}
interface HumanLike {
  init(): Promise<void>;
  load(): Promise<void>;
  detect(input: HumanTensor): Promise<{ face: { embedding?: number[] }[] }>;
  tf: {
    tensor3d(data: Int32Array, shape: [number, number, number], dtype: 'int32'): HumanTensor;
    dispose(t: HumanTensor): void;
  };
}

const require = createRequire(import.meta.url);
// Its exports map hides package.json too, so the package folder is found beside its dependencies.
const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const humanDir = join(nodeModules, '@vladmandic');
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

function serveLocalFiles(): void {
  const localFetch = async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const file = url.startsWith('file://') ? fileURLToPath(url) : isAbsolute(url) ? url : undefined;
    if (!file) throw new Error(`the Human peer may not reach the network (${url})`);
    const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return new Response(await readFile(file), { headers: { 'content-type': type } });
  };
  globalThis.fetch = localFetch;
}

/**
 * Starts Human with BlazeFace and the faceres descriptor; with `liveness`, also its two presentation-attack
 * models (antispoof and liveness), which makes it do the same work as Oblik's pipeline.
 */
export async function startHumanPeer(
  options: { liveness?: boolean } = {},
): Promise<{ embed(image: Uint8Array): Promise<number[] | undefined> }> {
  serveLocalFiles();
  // The package's exports map lacks "./" on its subpaths, so the node-wasm build is required by file path.
  const { Human } = require(join(humanDir, 'human', 'dist', 'human.node-wasm.js')) as {
    Human: new (config: object) => HumanLike;
  };
  const human = new Human({
    backend: 'wasm',
    wasmPath: `${pathToFileURL(wasmDir).href}/`,
    wasmPlatformFetch: false,
    modelBasePath: `${pathToFileURL(join(humanDir, 'human', 'models')).href}/`,
    debug: false,
    cacheModels: false,
    warmup: 'none',
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 1, minConfidence: 0.2, skipFrames: 0, skipTime: 0 },
      mesh: { enabled: false },
      attention: { enabled: false },
      iris: { enabled: false },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: Boolean(options.liveness), skipFrames: 0, skipTime: 0 },
      liveness: { enabled: Boolean(options.liveness), skipFrames: 0, skipTime: 0 },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.init();
  await human.load();
  return {
    async embed(image: Uint8Array) {
      const { data, info } = await sharp(image)
        .rotate()
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const tensor = human.tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
      try {
        return (await human.detect(tensor)).face[0]?.embedding;
      } finally {
        human.tf.dispose(tensor);
      }
    },
  };
}
