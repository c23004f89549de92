/**
 * The alert-dispatch flush (retries and escalations between alerts) runs on
 * a schedule on Google Cloud: infra/ has a Cloud Scheduler job per
 * topology HTTP_SCHEDULES entry, calling the flush function with an OIDC
 * token of a dedicated account that may invoke that function only. Each
 * check also fails on a drifted copy: no OIDC token, the invoker widened to
 * another function or account, an extra role for the scheduler's account,
 * the function opened to all traffic.
 */
import { HTTP_SCHEDULES } from '../../shared/topology';
import { checkHttpSchedules } from './helpers/check-http-schedules';
import { checkTopology } from './helpers/check-topology';
import { parseInfraVariants, readInfraTexts, type InfraModel, type InfraTexts } from './helpers/hcl';

const PARSE_TIMEOUT_MS = 120_000;
const FILE = 'scheduled-http.tf';
const texts = readInfraTexts();

const withFile = (change: (text: string) => string): InfraTexts => ({
  ...texts,
  tf: { ...texts.tf, [FILE]: change(texts.tf[FILE] ?? '') },
});

const VARIANTS = {
  real: texts,
  noOidc: withFile((t) =>
    t.replace(/\n\s*oidc_token \{[^}]*\}/, '\n    # (no token)').replace('# (no token)', '# token removed'),
  ),
  invokerOnDispatch: withFile((t) =>
    t.replace(
      'name     = google_cloudfunctions2_function.scheduled_http[each.key].name',
      'name     = google_cloudfunctions2_function.function[each.value.function].name',
    ),
  ),
  extraRole: withFile(
    (t) =>
      `${t}\nresource "google_project_iam_member" "scheduler_extra" {\n  for_each = local.topology.httpSchedules\n  project  = var.project_id\n  role     = "roles/run.invoker"\n  member   = "serviceAccount:\${google_service_account.scheduler_invoker[each.key].email}"\n}\n`,
  ),
  publicIngress: withFile((t) => t.replace('"ALLOW_INTERNAL_ONLY"', '"ALLOW_ALL"')),
};

describe('infra/ runs the flush on a schedule, authenticated', () => {
  let models: Record<keyof typeof VARIANTS, InfraModel>;

  beforeAll(async () => {
    models = await parseInfraVariants(VARIANTS);
  }, PARSE_TIMEOUT_MS);

  it('topology schedules the flush entry every 5 minutes', () => {
    expect(HTTP_SCHEDULES).toEqual([
      expect.objectContaining({
        name: 'alert-dispatch-flush',
        function: 'alert-dispatch',
        entryPoint: 'alertDispatchFlush',
        cron: '*/5 * * * *',
      }),
    ]);
  });

  it('finds the job, its OIDC token, its own invoker account and the flush function in the real files', () => {
    expect(checkHttpSchedules(models.real)).toEqual([]);
    expect(checkTopology(models.real)).toEqual([]);
  });

  it('mutates the file in every drifted copy', () => {
    for (const [name, variant] of Object.entries(VARIANTS)) {
      if (name !== 'real') expect([name, variant.tf[FILE] === texts.tf[FILE]]).toEqual([name, false]);
    }
  });

  it('fails when the job sends no OIDC token', () => {
    expect(checkHttpSchedules(models.noOidc)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('http_target.0.oidc_token.0.service_account_email is <absent>'),
      ]),
    );
  });

  it('fails when the invoker grant lands on another function', () => {
    expect(checkHttpSchedules(models.invokerOnDispatch)).toEqual([
      expect.stringContaining('scheduler_invoker.name is ${google_cloudfunctions2_function.function['),
    ]);
  });

  it("fails when the scheduler's account gets anything more", () => {
    expect(checkHttpSchedules(models.extraRole)).toEqual([
      "google_project_iam_member.scheduler_extra grants something more to a scheduler's invoker account",
    ]);
  });

  it('fails when the flush function takes traffic from outside Google Cloud', () => {
    expect(checkHttpSchedules(models.publicIngress)).toEqual([
      'google_cloudfunctions2_function.scheduled_http.service_config.0.ingress_settings is ALLOW_ALL, expected ALLOW_INTERNAL_ONLY',
    ]);
  });
});
