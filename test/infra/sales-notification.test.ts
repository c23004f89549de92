/**
 * The Cloud Storage notification that feeds `sales-data-updates`, as infra
 * declares it: on the sales bucket and prefix, OBJECT_FINALIZE only, the
 * object resource as payload, published by the bucket project's Cloud
 * Storage service agent (https://cloud.google.com/storage/docs/reporting-changes#terraform),
 * and read by the function the topology names as that topic's consumer.
 */
import { loadInfra, resources, type InfraModel } from './helpers/hcl';
import { SUBSCRIPTIONS } from '../../shared/topology';

let model: InfraModel;
beforeAll(async () => {
  model = await loadInfra();
}, 120_000);

const text = (v: unknown) => JSON.stringify(v);

describe('infra: sales-data-updates notification', () => {
  it('notifies OBJECT_FINALIZE on the sales bucket and prefix, as JSON_API_V1, to sales-data-updates', () => {
    const n = resources(model).get('google_storage_notification.sales_data_updates');
    expect(n).toBeDefined();
    expect(text(n!.bucket)).toContain('var.sales_data_bucket');
    expect(text(n!.object_name_prefix)).toContain('var.sales_data_prefix');
    expect(n!.payload_format).toBe('JSON_API_V1');
    expect(n!.event_types).toEqual(['OBJECT_FINALIZE']);
    expect(text(n!.topic)).toContain('google_pubsub_topic.topic[\\"sales-data-updates\\"].id');
    expect(text(n!.depends_on)).toContain('google_pubsub_topic_iam_member.storage_publishes_sales_updates');
  });

  it('lets the Cloud Storage service agent publish to that topic', () => {
    const grant = resources(model).get('google_pubsub_topic_iam_member.storage_publishes_sales_updates');
    expect(grant).toBeDefined();
    expect(grant!.role).toBe('roles/pubsub.publisher');
    expect(text(grant!.topic)).toContain('sales-data-updates');
    expect(text(grant!.member)).toContain('data.google_storage_project_service_account.sales');
  });

  it('has one consumer for the topic, which reads the sales bucket and gets the prefix', () => {
    expect(SUBSCRIPTIONS.filter((s) => s.topic === 'sales-data-updates').map((s) => s.name)).toEqual([
      'sales-data-updates--sales-data-events',
    ]);
    const locals = Object.values(model.files).flatMap(
      (f) => (f.locals ?? []) as Array<Record<string, unknown>>,
    );
    const readers = locals.find((l) => 'sales_readers' in l)?.sales_readers;
    expect(readers).toContain('sales-data-events');
    expect(text(locals.find((l) => 'base_function_env' in l)?.base_function_env)).toContain(
      'FG_SALES_UPDATES_PREFIX',
    );
  });
});
