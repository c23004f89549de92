/** Snapshot builders for the pure planning tests. */
import type { ServingState } from '../../../../shared/contracts/model';
import type { BookSnapshot } from '../../../../shared/domain/rollback/types';
import { isbnFor } from '../../../builders/model';

export const ISBN = isbnFor(722532935);

/** An endpoint with these version → percent shares. */
export function servingWith(traffic: Record<string, number>, isbn = ISBN): ServingState {
  return {
    isbn,
    deployments: Object.entries(traffic).map(([version, trafficPercent]) => ({ version, trafficPercent })),
    updatedAt: '2024-05-01T10:00:00.000Z',
  };
}

/** Versions 1..n registered; the last serves at 100 % with the alias on it; n-1 deployed at 0 %. */
export function aBook(
  overrides: Partial<BookSnapshot> & { count?: number; quarantined?: string[] } = {},
): BookSnapshot {
  const { count = 3, quarantined = [], ...rest } = overrides;
  const versions = Array.from({ length: count }, (_, i) => String(i + 1));
  const last = versions[versions.length - 1]!;
  const traffic: Record<string, number> = { [last]: 100 };
  if (count > 1) traffic[versions[versions.length - 2]!] = 0;
  return {
    isbn: ISBN,
    registered: true,
    versions: versions.map((version) => ({
      version,
      quarantined: quarantined.includes(version),
      ...(quarantined.includes(version) ? { quarantineReason: 'MAPE 61 % above 30 %' } : {}),
    })),
    productionAlias: last,
    serving: servingWith(traffic),
    lastKnownGood: last,
    history: [],
    ...rest,
  };
}

export const at = '2024-05-01T10:00:00.000Z';
