import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';

/**
 * One ONNX network with a single float input. Each engine worker owns its sessions and runs them on one
 * thread: parallelism comes from the worker pool, which scales with cores without oversubscribing them.
 */
export class OnnxModel {
  /** Wall time spent inside the runtime, summed over every run: the raw model cost, for benchmarks. */
  inferenceMs = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
  ) {}

  static async load(bytes: Uint8Array, options: { denormalsAsZero: boolean }): Promise<OnnxModel> {
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Config keys of onnxruntime_session_options_config_keys.h; the Node binding takes string values only.
      ...(options.denormalsAsZero ? { extra: { session: { set_denormal_as_zero: '1' } } } : {}),
    });
    return new OnnxModel(session, session.inputNames[0]!);
  }

  /** Runs the network on one NCHW tensor and returns every output's data by name. */
  async run(input: Float32Array, dims: readonly number[]): Promise<Record<string, Float32Array>> {
    const feeds = { [this.inputName]: new ort.Tensor('float32', input, dims) };
    const t0 = performance.now();
    const results = await this.session.run(feeds);
    this.inferenceMs += performance.now() - t0;
    const out: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(results)) out[name] = tensor.data as Float32Array;
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
