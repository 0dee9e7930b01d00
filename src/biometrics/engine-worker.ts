import { workerData } from 'piscina';
import sharp from 'sharp';
import { AppError } from '../errors/app-error.js';
import { readModelPack } from './model-pack.js';
import { FacePipeline, type AnalysisMode, type PipelineSettings, type WorkerResult } from './pipeline.js';

/**
 * An engine worker thread: loads the (verified) model pack once, then analyses one image per task.
 * Inference runs here, never on the main event loop.
 */
export interface WorkerInit {
  readonly modelPackDir: string;
  readonly settings: PipelineSettings;
}

export interface WorkerTask {
  readonly image: Uint8Array;
  readonly mode: AnalysisMode;
}

// One libvips thread per worker: the pool already gives each core its own worker.
sharp.concurrency(1);
sharp.cache(false);

const init = workerData as WorkerInit;
const pipeline = await FacePipeline.create(readModelPack(init.modelPackDir), init.settings);

export default async function analyse(task: WorkerTask): Promise<WorkerResult> {
  try {
    return { ok: true, analysis: await pipeline.analyse(task.image, task.mode) };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, error: e.toJSON(), cause: e.causeText() };
    throw e;
  }
}
