/**
 * Production deploys exactly the bundle staging validated (issue 11): the
 * staging build records the bundle's object generation and sha256, marks
 * that generation validated, and production copies that generation, checks
 * its digest, and deploys its own copy pinned by generation. The scripts
 * run for real against a fake `gcloud storage` over versioned folders
 * (helpers/fake-gcloud.py); Terraform stays a dry run.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInfra, at, norm, resources, type InfraModel } from './helpers/hcl';

const ROOT = join(__dirname, '..', '..');
const PARSE_TIMEOUT_MS = 120_000;
const BUILD_ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const COMMIT = '3f9c2b7d1e0a4c6b8d5e2f1a0b9c8d7e6f5a4b3c';
const OBJECT = `functions/forecast-guard-${COMMIT}.zip`;
const STAGING_BUCKET = 'stg-fg-functions';
const PRODUCTION_BUCKET = 'prod-fg-functions';

describe('bundle promotion pinned by generation and digest', () => {
  let dir: string;
  let gcs: string;
  let bin: string;
  let bundle: string;
  let bundleSha: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-promote-'));
    gcs = join(dir, 'gcs');
    bin = join(dir, 'bin');
    mkdirSync(gcs);
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'gcloud'),
      `#!/bin/sh\nexec python3 ${JSON.stringify(join(__dirname, 'helpers', 'fake-gcloud.py'))} "$@"\n`,
    );
    chmodSync(join(bin, 'gcloud'), 0o755);
    bundle = join(dir, 'bundle.zip');
    writeFileSync(bundle, `bundle of ${COMMIT}\n`);
    bundleSha = createHash('sha256').update(readFileSync(bundle)).digest('hex');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(
    env: 'staging' | 'production',
    shell: 'sh' | 'bash',
    script: string,
    extra: Record<string, string> = {},
  ) {
    const result = spawnSync(shell, [join('scripts', 'ci', script)], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: process.env.HOME,
        FAKE_GCS_DIR: gcs,
        FG_CI_STATE: join(dir, `state-${env}`),
        FG_BUNDLE_FILE: bundle,
        FG_ENVIRONMENT: env,
        PROJECT_ID: `demo-${env}`,
        BUILD_ID,
        COMMIT_SHA: COMMIT,
        SHORT_SHA: COMMIT.slice(0, 7),
        FUNCTIONS_BUCKET: env === 'staging' ? STAGING_BUCKET : PRODUCTION_BUCKET,
        PROMOTE_FROM_BUCKET: STAGING_BUCKET,
        TF_STATE_BUCKET: 'demo-tfstate',
        FG_PROMOTE_WAIT_SECONDS: '0',
        ...extra,
      },
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  }
  const state = (env: string, file: string) => {
    const path = join(dir, `state-${env}`, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  const gcloud = (...args: string[]) => {
    const r = spawnSync(join(bin, 'gcloud'), args, {
      encoding: 'utf8',
      env: { ...process.env, FAKE_GCS_DIR: gcs },
    });
    expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 0, '']);
    return r.stdout;
  };
  const describeObject = (url: string) =>
    JSON.parse(gcloud('storage', 'objects', 'describe', url, '--raw', '--format=json')) as {
      generation: string;
      metadata: Record<string, string>;
    };

  /** Staging: upload, then (nothing failed) mark validated. Returns the generation staging deployed. */
  function stageAndValidate(): string {
    const upload = run('staging', 'bash', 'upload-bundle.sh');
    expect([upload.code, upload.err]).toEqual([0, '']);
    const generation = state('staging', 'bundle-generation');
    expect(generation).toMatch(/^[0-9]+$/);
    expect(state('staging', 'bundle-sha256')).toBe(bundleSha);
    const report = run('staging', 'bash', 'report-outcome.sh', { FG_CI_DRY_RUN: '' });
    expect([report.code, report.err]).toEqual([0, '']);
    return generation!;
  }

  it('staging records the generation and sha256 it deployed, and marks that generation validated', () => {
    const generation = stageAndValidate();
    const meta = describeObject(`gs://${STAGING_BUCKET}/${OBJECT}#${generation}`);
    expect(meta.metadata).toMatchObject({
      'fg-staging-validated': BUILD_ID,
      'fg-validated-generation': generation,
      'fg-validated-sha256': bundleSha,
    });
    const deploy = run('staging', 'sh', 'deploy.sh', { FG_CI_DRY_RUN: '1' });
    expect(deploy.code).toBe(0);
    expect(deploy.out).toContain(
      `-var=function_bundle_object=${OBJECT} -var=function_bundle_generation=${generation}`,
    );
  });

  it('production copies exactly the validated generation, checks its digest, and deploys its copy pinned', () => {
    const staged = stageAndValidate();
    const promote = run('production', 'bash', 'promote-bundle.sh');
    expect([promote.code, promote.err]).toEqual([0, '']);
    expect(readFileSync(join(gcs, 'calls.log'), 'utf8')).toContain(
      `storage cp gs://${STAGING_BUCKET}/${OBJECT}#${staged} `,
    );
    const pinned = state('production', 'bundle-generation');
    expect(pinned).toMatch(/^[0-9]+$/);
    expect(state('production', 'bundle-sha256')).toBe(bundleSha);
    const copy = join(dir, 'copy.zip');
    gcloud('storage', 'cp', `gs://${PRODUCTION_BUCKET}/${OBJECT}#${pinned}`, copy);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(bundle, 'utf8'));
    const deploy = run('production', 'sh', 'deploy.sh', { FG_CI_DRY_RUN: '1' });
    expect(deploy.out).toContain(
      `-var=function_bundle_object=${OBJECT} -var=function_bundle_generation=${pinned}`,
    );
  });

  it('refuses a bundle overwritten after staging validated it, even one carrying a copied mark', () => {
    const staged = stageAndValidate();
    const forged = join(dir, 'forged.zip');
    writeFileSync(forged, 'not what staging validated\n');
    gcloud(
      'storage',
      'cp',
      forged,
      `gs://${STAGING_BUCKET}/${OBJECT}`,
      `--custom-metadata=fg-staging-validated=${BUILD_ID},fg-validated-generation=${staged},fg-validated-sha256=${bundleSha}`,
    );
    const promote = run('production', 'bash', 'promote-bundle.sh');
    expect(promote.code).toBe(1);
    expect(promote.err).toContain(`but staging validated generation ${staged}`);
    expect(state('production', 'bundle-generation')).toBeUndefined();
  });

  it('refuses when the validated generation does not have the digest staging recorded', () => {
    const staged = stageAndValidate();
    gcloud(
      'storage',
      'objects',
      'update',
      `gs://${STAGING_BUCKET}/${OBJECT}#${staged}`,
      `--update-custom-metadata=fg-validated-sha256=${'0'.repeat(64)}`,
    );
    const promote = run('production', 'bash', 'promote-bundle.sh');
    expect(promote.code).toBe(1);
    expect(promote.err).toContain(`digest of gs://${STAGING_BUCKET}/${OBJECT}#${staged} is ${bundleSha}`);
    expect(promote.err).toContain('refusing to promote it');
    expect(state('production', 'bundle-generation')).toBeUndefined();
  });

  it('deploys nothing unpinned: deploy.sh refuses without a recorded generation', () => {
    const deploy = run('production', 'sh', 'deploy.sh', { FG_CI_DRY_RUN: '1' });
    expect(deploy.code).toBe(1);
    expect(deploy.err).toContain('no bundle generation recorded');
    expect(deploy.out).not.toContain('terraform apply');
  });
});

describe('infra/ deploys the pinned generation', () => {
  let infra: InfraModel;
  beforeAll(async () => {
    infra = await loadInfra();
  }, PARSE_TIMEOUT_MS);

  it('builds every function from var.function_bundle_generation and reports it for rollbacks', () => {
    const res = resources(infra);
    for (const address of [
      'google_cloudfunctions2_function.function',
      'google_cloudfunctions2_function.http',
    ]) {
      expect([
        address,
        norm(at(res.get(address), 'build_config.0.source.0.storage_source.0.generation')),
      ]).toEqual([address, '${var.function_bundle_generation}']);
    }
    const outputs = Object.values(infra.files).flatMap((f) => Object.keys(f.output ?? {}));
    expect(outputs).toContain('function_bundle_generation');
  });
});
