import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { FaceEngine } from './biometrics/face-engine.js';
import { loadConfig, type Config } from './config/config.js';
import { AppError } from './errors/app-error.js';
import { describeAnalysis, describeComparison, toAnalysisJson } from './cli-output.js';
import { auditCommands } from './cli/audit-commands.js';
import { keysCommands } from './cli/keys-commands.js';
import { registryCommands } from './cli/registry-commands.js';

/**
 * `oblik`: the command line. `analyse IMAGE` prints every face with its quality, liveness and timing;
 * `compare A B` prints the similarity of the two dominant faces and the decision at the configured threshold;
 * `serve`, `migrate`, `keys`, `audit`, `enrol`, `verify` and `identify` run the registry (see src/cli/).
 */
const EXIT_INPUT_ERROR = 3;

async function withEngine<T>(config: Config, threads: number, work: (engine: FaceEngine) => Promise<T>): Promise<T> {
  const engine = await FaceEngine.start({
    ...config.engine,
    threads: Math.max(1, Math.min(config.engine.threads, threads)),
  });
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

async function readImage(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new AppError('request.invalid', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
      path,
    });
  }
}

function fail(e: unknown, json: boolean): never {
  if (!(e instanceof AppError)) throw e;
  if (json) console.log(JSON.stringify({ error: e.toJSON() }));
  else console.error(`error ${e.code}: ${e.message}${e.data ? ` ${JSON.stringify(e.data)}` : ''}`);
  process.exit(EXIT_INPUT_ERROR);
}

export function buildCli(config: Config, env: Record<string, string | undefined> = process.env): Command {
  const program = new Command('oblik').description('Oblik unified biometric system').showHelpAfterError();

  program
    .command('analyse')
    .alias('analyze')
    .argument('<image>', 'a JPEG, PNG or WebP file')
    .option('--json', 'print one JSON object')
    .description('find every face; print box, landmarks, quality, liveness and timings')
    .action(async (path: string, opts: { json?: boolean }) => {
      try {
        const image = await readImage(path);
        const analysis = await withEngine(config, 1, (engine) => engine.analyse(image));
        console.log(
          opts.json ? JSON.stringify(toAnalysisJson(analysis)) : describeAnalysis(path, analysis, config.engine),
        );
      } catch (e) {
        fail(e, Boolean(opts.json));
      }
    });

  program
    .command('compare')
    .argument('<a>', 'first image')
    .argument('<b>', 'second image')
    .option('--json', 'print one JSON object')
    .option('--enforce-quality', 'refuse faces that fail the quality gate')
    .option('--require-liveness', 'refuse faces that look like a presentation attack')
    .description('compare the dominant faces of two images at the configured threshold')
    .action(
      async (a: string, b: string, opts: { json?: boolean; enforceQuality?: boolean; requireLiveness?: boolean }) => {
        try {
          const images = await Promise.all([readImage(a), readImage(b)]);
          const policy = {
            enforceQuality: Boolean(opts.enforceQuality),
            requireLiveness: Boolean(opts.requireLiveness),
          };
          const result = await withEngine(config, 2, async (engine) => {
            const [ca, cb] = await Promise.all(images.map((img) => engine.capture(img, policy)));
            return { a: ca!, b: cb!, comparison: engine.compare(ca!.template, cb!.template) };
          });
          console.log(
            opts.json
              ? JSON.stringify({
                  modelPack: result.a.template.modelPack,
                  ...result.comparison,
                  faces: [toAnalysisJson(result.a.analysis).faces[0], toAnalysisJson(result.b.analysis).faces[0]],
                })
              : describeComparison(a, b, result),
          );
        } catch (e) {
          fail(e, Boolean(opts.json));
        }
      },
    );

  registryCommands(program, config, env);
  keysCommands(program, config);
  auditCommands(program, config);
  return program;
}

try {
  await buildCli(loadConfig(process.env)).parseAsync(process.argv);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
