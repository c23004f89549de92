/**
 * Every deployable function, registered with the functions framework. Each
 * Cloud Function deploys this bundle with its own `--entry-point` (see
 * shared/topology.ts); the local stack serves them from the same file.
 */
import './pipeline-events';
import './rollback';
import './build-events';
import './health-check';
import './alert-dispatch';
import './daily-summary';
import './post-deploy-validation';
import './sales-data-events';
