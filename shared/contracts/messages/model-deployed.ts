/** `model-deployments`: a version now serves (some) traffic; post-deploy validation picks it up. */
import { z } from 'zod';
import { actor, correlationId, Environment, isbn13, versionId } from '../primitives';

export const ModelDeployed = z.object({
  isbn: isbn13,
  version: versionId,
  environment: Environment,
  deployedBy: actor,
  /** The training run that produced the version, when a pipeline deployed it. */
  pipelineJobId: z.string().min(1).optional(),
  correlationId,
  /** What served before, so a failed validation knows where to roll back to. */
  previousVersion: versionId.optional(),
});
export type ModelDeployed = z.infer<typeof ModelDeployed>;
