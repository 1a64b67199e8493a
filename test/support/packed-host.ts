import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(__dirname, '..', '..');

/** Runs a command to its end, failing with its output; npm and tsc print what went wrong. */
export async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: process.env });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${String(stdout)}\n${String(stderr)}`);
  }
}

/** `npm pack` at the repository root (its prepack builds), into a fresh folder; the tarball's path. */
export async function packRepository(): Promise<string> {
  const destination = mkdtempSync(join(tmpdir(), 'nest-bff-pack-'));
  const output = await sh('npm', ['pack', '--json', '--pack-destination', destination], ROOT);
  // npm prints the build's output before the JSON report of the pack.
  const report = JSON.parse(output.slice(output.lastIndexOf('\n[\n') + 1)) as { filename: string }[];
  return join(destination, report[0]!.filename);
}

const HOST_MODULE = `
import { Controller, Get, Module } from '@nestjs/common';
import { BffApi, BffModule, bffOptionsFromEnv, CurrentSession, UserAccessTokens, type BffSession } from 'nest-bff';

@Controller('local')
@BffApi()
class MeController {
  constructor(private readonly tokens: UserAccessTokens) {}

  @Get('me')
  async me(@CurrentSession() session: BffSession): Promise<{ sub: string; tokenPayload: unknown }> {
    const token = await this.tokens.get(session, { route: 'echo' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as unknown;
    return { sub: session.sub, tokenPayload: payload };
  }
}

@Module({ imports: [BffModule.forRoot(bffOptionsFromEnv(process.env))], controllers: [MeController] })
export class AppModule {}
`;

const HOST_MAIN = `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { setupBff } from 'nest-bff';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: ['error'] });
  await setupBff(app);
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  console.log('host listening');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

const HOST_TSCONFIG = {
  // A Nest 12 host on Node 20: CommonJS output that may require() Nest's ES modules (module node20),
  // and skipLibCheck as Nest's own starter sets it.
  compilerOptions: {
    module: 'node20',
    moduleResolution: 'node16',
    skipLibCheck: true,
    target: 'es2022',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    outDir: 'dist',
    rootDir: 'src',
    types: ['node'],
  },
  include: ['src'],
};

/**
 * A Nest team's own app, made from nothing in a temporary folder: its own
 * package.json depending on the packed tarball and on Nest's peers, a local API
 * behind `@BffApi()`, compiled with `tsc`. Returns its folder.
 */
export async function createHostApp(tarball: string): Promise<string> {
  const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const dir = mkdtempSync(join(tmpdir(), 'nest-bff-host-'));
  mkdirSync(join(dir, 'src'));
  const peers = Object.fromEntries(
    Object.keys(ours.peerDependencies).map((name) => [name, ours.devDependencies[name] ?? ours.peerDependencies[name]]),
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'a-host-app',
      private: true,
      dependencies: { 'nest-bff': `file:${tarball}`, ...peers },
      devDependencies: { '@types/node': ours.devDependencies['@types/node'] },
    }),
  );
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(HOST_TSCONFIG));
  writeFileSync(join(dir, 'src', 'app.module.ts'), HOST_MODULE);
  writeFileSync(join(dir, 'src', 'main.ts'), HOST_MAIN);
  // The packages were fetched by this repository's own install: take them from npm's cache.
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
  await sh(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
  return dir;
}
