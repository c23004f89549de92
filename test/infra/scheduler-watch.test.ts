/**
 * Watch the watcher (issue 14): the health check watches exactly the Cloud
 * Scheduler jobs infra/ creates (topology's WATCHED_SCHEDULES against every
 * google_cloud_scheduler_job instance, with its name, cron and time zone),
 * and its service account may read them (roles/cloudscheduler.viewer, which
 * holds cloudscheduler.jobs.list, the permission ListJobs needs:
 * https://cloud.google.com/scheduler/docs/access-control). Each check also
 * fails on a drifted copy: a job added in Terraform that nobody watches, the
 * viewer role removed.
 */
import { WATCHED_SCHEDULES } from '../../shared/topology';
import {
  evalEach,
  instancesOf,
  locals,
  parseInfraVariants,
  readInfraTexts,
  resources,
  type InfraModel,
  type InfraTexts,
  type Json,
} from './helpers/hcl';

const PARSE_TIMEOUT_MS = 120_000;
const texts = readInfraTexts();
const withTf = (file: string, change: (t: string) => string): InfraTexts => ({
  ...texts,
  tf: { ...texts.tf, [file]: change(texts.tf[file] ?? '') },
});

const VARIANTS = {
  real: texts,
  unwatchedJob: withTf(
    'scheduler.tf',
    (t) =>
      `${t}\nresource "google_cloud_scheduler_job" "nightly_export" {\n  name     = "nightly-export"\n  region   = var.region\n  schedule = "0 2 * * *"\n  time_zone = "Etc/UTC"\n}\n`,
  ),
  noViewer: withTf('locals.tf', (t) => t.replace(', "roles/cloudscheduler.viewer"', '')),
};

/** Every scheduler job infra/ creates: name, cron, time zone (by evaluating each for_each instance). */
function infraJobs(
  model: InfraModel,
): Array<{ name: Json | undefined; cron: Json | undefined; timeZone: Json | undefined }> {
  const jobs = [];
  for (const [address, body] of resources(model)) {
    if (!address.startsWith('google_cloud_scheduler_job.')) continue;
    for (const [key, value] of instancesOf(model, body) ?? []) {
      jobs.push({
        name: evalEach(body.name, key, value),
        cron: evalEach(body.schedule, key, value),
        timeZone: evalEach(body.time_zone, key, value),
      });
    }
  }
  return jobs.sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

const watched = () =>
  WATCHED_SCHEDULES.map((s) => ({ name: s.name, cron: s.cron, timeZone: s.timeZone })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );

const healthCheckRoles = (model: InfraModel) =>
  (((locals(model).function_extra_roles ?? {}) as Record<string, Json[]>)['health-check'] ?? []).map(String);

describe('infra/ and the schedule the health check watches', () => {
  let models: Record<keyof typeof VARIANTS, InfraModel>;

  beforeAll(async () => {
    models = await parseInfraVariants(VARIANTS);
  }, PARSE_TIMEOUT_MS);

  it('watches every Cloud Scheduler job infra/ creates, by the same name, cron and time zone', () => {
    expect(infraJobs(models.real)).toEqual(watched());
    expect(watched().map((j) => j.name)).toEqual([
      'alert-dispatch-flush',
      'daily-summary',
      'hourly-health-check',
    ]);
    expect(infraJobs(models.unwatchedJob)).not.toEqual(watched());
    expect(infraJobs(models.unwatchedJob).map((j) => j.name)).toContain('nightly-export');
  });

  it('pages only for the job that starts the health check', () => {
    expect(WATCHED_SCHEDULES.filter((s) => s.severity === 'critical').map((s) => s.name)).toEqual([
      'hourly-health-check',
    ]);
  });

  it("grants the health check's service account roles/cloudscheduler.viewer, and nothing broader on Cloud Scheduler", () => {
    expect(healthCheckRoles(models.real)).toContain('roles/cloudscheduler.viewer');
    expect(healthCheckRoles(models.real).filter((r) => r.startsWith('roles/cloudscheduler.'))).toEqual([
      'roles/cloudscheduler.viewer',
    ]);
    expect(healthCheckRoles(models.noViewer)).not.toContain('roles/cloudscheduler.viewer');
    // function_role_grants turns each extra role into a google_project_iam_member of that function.
    expect(String(resources(models.real).get('google_project_iam_member.function')?.for_each)).toContain(
      'local.function_role_grants',
    );
  });
});
