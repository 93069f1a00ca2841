// kayci's command line: thin commands over the library. Each command returns its exit code;
// typed failures print their message, anything else prints its stack (a bug in kayci).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { SynthFailure } from '../synth/errors.ts';
import { crdsCommand } from './crds.ts';
import { processIo, type Io } from './io.ts';
import { synthCommand } from './synth.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = new Command()
    .name('kayci')
    .description('Typed pipelines-as-code for CI on Kubernetes.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run `kayci --help` for usage)');

  program
    .command('synth')
    .description('compile a TypeScript pipeline entry into Pipeline and Trigger YAML')
    .argument('[entry]', 'pipeline file, or a directory holding kayci.ts', undefined)
    .option('-o, --out <dir>', 'output directory, relative to the entry\'s directory', 'dist')
    .option('--strict', 'require every container image to be pinned by digest')
    .option('--crds', 'also write the CRDs, to <out>/crds/kayci.k8s.yaml')
    .option('--stdout', 'print the YAML instead of writing files')
    .action(async (entry: string | undefined, options) => {
      code = await synthCommand(io, entry, options);
    });

  program
    .command('crds')
    .description('print the CustomResourceDefinitions of kayci.dev/v1alpha1')
    .action(() => {
      code = crdsCommand(io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof SynthFailure) {
      io.err(`kayci: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
