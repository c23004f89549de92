/**
 * infra/ against the code, without a cloud: the Terraform is parsed with
 * HashiCorp's HCL parser and checked (topology names both ways, one service
 * account per function, publisher grants, nothing public, secrets from
 * Secret Manager, approval, Firestore). Each check is also run on a mutated
 * copy, to show it fails when infra drifts: a topic removed, a public
 * invoker added, a secret inlined, approval dropped.
 */
import { checkAccess, expectedPublisherGrants } from './helpers/check-access';
import { checkFirestore } from './helpers/check-firestore';
import { checkInfra } from './helpers/check-infra';
import { checkTopology } from './helpers/check-topology';
import { findQueries, type FoundQuery } from './helpers/firestore-queries';
import {
  cloneModel,
  parseInfraVariants,
  readInfraTexts,
  resources,
  type InfraModel,
  type InfraTexts,
} from './helpers/hcl';
import { reportFigure } from '../helpers/figures';

/** The HCL parser runs in a child process; on a loaded two-core machine parsing takes tens of seconds. */
const PARSE_TIMEOUT_MS = 120_000;

const texts = readInfraTexts();

/** infra/ with one .tf file's text changed. */
const withTf = (file: string, change: (text: string) => string): InfraTexts => ({
  ...texts,
  tf: { ...texts.tf, [file]: change(texts.tf[file]!) },
});
/** infra/ with one environment's tfvars changed. */
const withTfvars = (env: string, change: (text: string) => string): InfraTexts => ({
  ...texts,
  tfvars: { ...texts.tfvars, [env]: change(texts.tfvars[env]!) },
});

/** Drifted copies of infra/, each parsed like the real one. */
const VARIANTS = {
  real: texts,
  topicRemoved: withTf('pubsub.tf', (t) =>
    t.replace(
      /(resource "google_pubsub_topic" "topic" \{\s*for_each = )local\.topology\.topics/,
      '$1{ "alerts" = {}, "health-check-requests" = {}, "daily-summary-requests" = {}, "pipeline-events" = {}, "model-deployments" = {}, "rollback-requests" = {}, "model-lifecycle" = {} }',
    ),
  ),
  deadLettersRenamed: withTf('pubsub.tf', (t) =>
    t.replace(
      'resource "google_pubsub_topic" "dead_letter"',
      'resource "google_pubsub_topic" "dead_letters_renamed"',
    ),
  ),
  deliveryChanged: withTf('pubsub.tf', (t) =>
    t.replace(
      'max_delivery_attempts = local.topology.delivery.maxDeliveryAttempts',
      'max_delivery_attempts = 100',
    ),
  ),
  eventarc: withTf('functions.tf', (t) =>
    t.replace(
      '  build_config {\n    runtime         = "nodejs22"\n    entry_point     = each.value.entryPoint',
      '  event_trigger {\n    event_type   = "google.cloud.pubsub.topic.v1.messagePublished"\n    pubsub_topic = "x"\n    retry_policy = "RETRY_POLICY_RETRY"\n  }\n\n  build_config {\n    runtime         = "nodejs22"\n    entry_point     = each.value.entryPoint',
    ),
  ),
  publicInvoker: withTf(
    'functions.tf',
    (t) =>
      `${t}\nresource "google_cloud_run_v2_service_iam_member" "public" {\n  location = var.region\n  name     = google_cloudfunctions2_function.http["rollback-http"].name\n  role     = "roles/run.invoker"\n  member   = "allUsers"\n}\n`,
  ),
  publicOperators: withTfvars('production', (t) =>
    t.replace('operators       = [', 'operators       = ["allAuthenticatedUsers", '),
  ),
  inlineSecret: withTfvars('staging', (t) =>
    t.replace(
      'log_level ',
      'function_env = {\n  SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T0/B0/x"\n}\nlog_level ',
    ),
  ),
  secretVersion: withTf(
    'secrets.tf',
    (t) =>
      `${t}\nresource "google_secret_manager_secret_version" "smtp" {\n  secret      = google_secret_manager_secret.secret["SMTP_URL"].id\n  secret_data = var.smtp\n}\n`,
  ),
  extraPublisher: withTf(
    'pubsub.tf',
    (t) =>
      `${t}\nresource "google_pubsub_topic_iam_member" "extra" {\n  topic  = "model-lifecycle"\n  role   = "roles/pubsub.publisher"\n  member = "serviceAccount:\${google_service_account.function["health-check"].email}"\n}\n`,
  ),
  noApproval: withTf('cloudbuild.tf', (t) =>
    t.replace('approval_required = true', 'approval_required = false'),
  ),
};

describe('infra/ holds to the code', () => {
  let models: Record<keyof typeof VARIANTS, InfraModel>;
  let model: InfraModel;

  beforeAll(async () => {
    const started = performance.now();
    models = await parseInfraVariants(VARIANTS);
    model = models.real;
    reportFigure(
      'infra',
      'parse infra/ and its drifted copies',
      `${(performance.now() - started).toFixed(0)} ms for ${Object.keys(VARIANTS).length} variants`,
    );
  }, PARSE_TIMEOUT_MS);

  it('parses every Terraform file and both environments', () => {
    expect(Object.keys(model.files)).toEqual(
      expect.arrayContaining([
        'pubsub.tf',
        'functions.tf',
        'iam.tf',
        'firestore.tf',
        'cloudbuild.tf',
        'monitoring.tf',
      ]),
    );
    expect(Object.keys(model.tfvars).sort()).toEqual(['production', 'staging']);
    reportFigure('infra', 'resources declared', String(resources(model).size));
  });

  it('mutates a real file in every drifted copy (a replace that matched nothing would prove nothing)', () => {
    for (const [name, variant] of Object.entries(VARIANTS)) {
      if (name !== 'real')
        expect([name, JSON.stringify(variant) === JSON.stringify(texts)]).toEqual([name, false]);
    }
  });

  it('finds no problem in the real files', () => {
    expect(checkInfra(model)).toEqual([]);
  });

  describe('topology', () => {
    it('fails when a topic is removed from infra', () => {
      expect(checkTopology(models.topicRemoved)).toContain(
        'topic cloud-builds (topology) is missing from google_pubsub_topic.topic',
      );
    });

    it('fails when topology.json loses a topic (stale file)', () => {
      const mutated = cloneModel(model);
      delete (mutated.topology.topics as Record<string, unknown>)['model-lifecycle'];
      expect(checkTopology(mutated)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('infra/topology.json differs from shared/topology.ts'),
          'topic model-lifecycle (topology) is missing from google_pubsub_topic.topic',
        ]),
      );
    });

    it('fails when a resource is deleted, or names something topology does not have', () => {
      expect(checkTopology(models.deadLettersRenamed)).toContain(
        'google_pubsub_topic.dead_letter is missing (dead-letter topic)',
      );
      const extra = cloneModel(model);
      (extra.topology.schedules as Record<string, unknown>)['every-minute'] = {
        cron: '* * * * *',
        timeZone: 'Etc/UTC',
        topic: 'alerts',
        body: {},
      };
      expect(checkTopology(extra)).toContain(
        'schedule every-minute in google_cloud_scheduler_job.schedule is not in topology',
      );
    });

    it('fails when a subscription loses its dead-letter policy or a function gains an Eventarc trigger', () => {
      expect(checkTopology(models.deliveryChanged).join('\n')).toContain(
        'dead_letter_policy.0.max_delivery_attempts is 100',
      );
      expect(checkTopology(models.eventarc)).toContain(
        'google_cloudfunctions2_function.function has an event_trigger: its topic would be delivered twice',
      );
    });
  });

  describe('access', () => {
    it('fails when a public invoker is added', () => {
      expect(checkAccess(models.publicInvoker)).toEqual([
        'functions.tf resource.google_cloud_run_v2_service_iam_member.public[0].member: public member allUsers',
      ]);
    });

    it('fails when an environment makes the operators public', () => {
      expect(checkAccess(models.publicOperators)).toEqual([
        'production operators[0]: public member allAuthenticatedUsers',
      ]);
    });

    it('fails when a secret is set in Terraform instead of Secret Manager', () => {
      expect(checkAccess(models.inlineSecret)).toEqual([
        'staging function_env.SLACK_WEBHOOK_URL: a secret value in Terraform',
        'staging.tfvars sets secret SLACK_WEBHOOK_URL as a plain variable',
      ]);
      expect(checkAccess(models.secretVersion)).toEqual([
        'google_secret_manager_secret_version.smtp would put a secret value in Terraform state',
      ]);
    });

    it('fails when a function may publish where topology does not say', () => {
      expect(checkAccess(models.extraPublisher)).toEqual([
        "google_pubsub_topic_iam_member.extra grants roles/pubsub.publisher to a function's service account",
      ]);
      const grants = cloneModel(model);
      (grants.topology.publisherGrants as Record<string, unknown>)['daily-summary/alerts'] = {
        function: 'daily-summary',
        topic: 'alerts',
      };
      expect(checkAccess(grants)).toEqual(['publisher grant daily-summary/alerts is not in topology']);
    });

    it('fails when production no longer needs approval', () => {
      expect(checkAccess(models.noApproval)).toEqual([
        'the production Cloud Build trigger does not require approval',
      ]);
    });

    it('grants publish on exactly the topology topics, listed per function', () => {
      const grants = expectedPublisherGrants();
      reportFigure('infra', 'publisher grants', grants.join(' '));
      expect(grants).toContain('post-deploy-validation/rollback-requests');
      expect(grants).not.toContain('daily-summary/alerts');
    });
  });

  describe('firestore', () => {
    const query = (q: Partial<FoundQuery>): FoundQuery => ({
      where: 'shared/services/x.ts:1',
      collection: 'alert-states',
      equality: [],
      inequality: [],
      ...q,
    });

    it("reads the services' own queries, and each that needs a composite index has one", () => {
      const queries = findQueries();
      expect(queries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ collection: 'rollback-leases', equality: ['held'] }),
        ]),
      );
      const dynamic = queries.filter((q) => q.dynamic).map((q) => q.where);
      reportFigure(
        'infra',
        'StateStore queries read',
        `${queries.length}; built at run time: ${dynamic.join(', ') || 'none'}`,
      );
      expect(checkFirestore(model, queries)).toEqual([]);
    });

    it('fails when a composite query has no index, passes once one serves it', () => {
      const firing = query({
        equality: ['status'],
        orderBy: { field: 'lastSeenAt', direction: 'DESCENDING' },
      });
      expect(checkFirestore(model, [firing])).toEqual([
        'shared/services/x.ts:1: query on alert-states (status order by lastSeenAt DESCENDING) has no composite index',
      ]);
      const indexed = cloneModel(model);
      const block = Object.values(indexed.files)
        .flatMap((f) => f.locals ?? [])
        .find((l) => 'firestore_indexes' in l)!;
      block.firestore_indexes = {
        'alert-states-by-status': {
          collection: 'alert-states',
          fields: [
            { field: 'status', order: 'ASCENDING' },
            { field: 'lastSeenAt', order: 'DESCENDING' },
          ],
        },
      };
      expect(checkFirestore(indexed, [firing])).toEqual([]);
      // The wrong direction, or a field its documents do not have, does not count.
      const ascending = query({
        equality: ['status'],
        orderBy: { field: 'lastSeenAt', direction: 'ASCENDING' },
      });
      expect(checkFirestore(indexed, [ascending])).toHaveLength(1);
      (block.firestore_indexes as Record<string, unknown>).typo = {
        collection: 'alert-states',
        fields: [{ field: 'stauts', order: 'ASCENDING' }],
      };
      expect(checkFirestore(indexed, [])).toEqual([
        'index on alert-states.stauts: no such field in its documents',
      ]);
      // Equality only: Firestore merges single-field indexes, nothing to declare.
      expect(checkFirestore(model, [query({ equality: ['kind', 'status'] })])).toEqual([]);
    });

    it('fails when the TTL policy leaves processed messages forever', () => {
      const mutated = cloneModel(model);
      for (const file of Object.values(mutated.files)) {
        for (const block of file.locals ?? []) {
          if (Array.isArray(block.ttl_collections)) block.ttl_collections = ['health-reports'];
        }
      }
      expect(checkFirestore(mutated, [])).toEqual(['no TTL policy on processed-messages']);
    });
  });
});
