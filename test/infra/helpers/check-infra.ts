/**
 * Every check that holds infra/ to the code, over one parsed model: empty
 * means consistent. Tests run it on the real files and on mutated copies.
 */
import { checkAccess } from './check-access';
import { checkFirestore } from './check-firestore';
import { checkHttpSchedules } from './check-http-schedules';
import { checkTopology } from './check-topology';
import type { FoundQuery } from './firestore-queries';
import type { InfraModel } from './hcl';

export function checkInfra(model: InfraModel, queries?: FoundQuery[]): string[] {
  return [
    ...checkTopology(model),
    ...checkHttpSchedules(model),
    ...checkAccess(model),
    ...checkFirestore(model, queries),
  ];
}
