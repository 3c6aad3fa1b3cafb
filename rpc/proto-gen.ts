// Generates the TypeScript types of proto/ with @grpc/proto-loader's proto-loader-gen-types,
// with the loader's own options (rpc/proto-files.ts). `npm run proto:gen` writes them to
// proto/gen/, where they are committed; a test regenerates them into a temporary directory
// and compares, so that nobody edits them by hand or forgets to regenerate.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedTypesDirectory, loaderOptions, protoFiles, protoRoot } from './proto-files.ts';

const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const generatorPath = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');

/** The generator's flags, derived from the loader options so that the two cannot drift. */
export function generatorArguments(outputDirectory: string): string[] {
  const flags = [`--longs=${loaderOptions.longs.name}`, `--enums=${loaderOptions.enums.name}`];
  if (loaderOptions.keepCase) flags.push('--keepCase');
  if (loaderOptions.defaults) flags.push('--defaults');
  if (loaderOptions.oneofs) flags.push('--oneofs');
  return [
    ...flags,
    '--grpcLib=@grpc/grpc-js',
    // Our imports name their .ts files (NodeNext resolution through tsx).
    '--importFileExtension=.ts',
    // Relative, because the generator writes each file's path as it resolved it into its
    // output ("Original file: proto/..."), and that must not depend on the checkout.
    '--includeDirs', relative(repositoryRoot, protoRoot),
    '--outDir', outputDirectory,
    ...protoFiles,
  ];
}

/** Replaces `outputDirectory` with freshly generated types. Throws if the generator fails. */
export function generateProtoTypes(outputDirectory: string): void {
  rmSync(outputDirectory, { recursive: true, force: true });
  // From the repository root, which the relative include directory is relative to.
  const result = spawnSync(process.execPath, [generatorPath, ...generatorArguments(outputDirectory)], {
    cwd: repositoryRoot,
    encoding: 'utf8',
  });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`proto-loader-gen-types failed with status ${result.status}: ${result.stderr.trim()}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  generateProtoTypes(generatedTypesDirectory);
  console.log(`generated ${generatedTypesDirectory}`);
}
