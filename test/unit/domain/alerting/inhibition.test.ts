import {
  inhibitingKind,
  isActiveInhibitor,
  isInhibitor,
  possibleInhibitors,
} from '../../../../shared/domain/alerting/inhibition';
import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import { ISBN } from './builders';

describe('inhibition rules', () => {
  it('lets registry_unreachable and data_stale mute the per-book alerts they explain', () => {
    expect(possibleInhibitors({ kind: 'rmse_above_threshold', isbn: ISBN, status: 'firing' })).toEqual([
      'registry_unreachable',
      'data_stale',
    ]);
    expect(possibleInhibitors({ kind: 'endpoint_unhealthy', isbn: ISBN, status: 'firing' })).toEqual([
      'registry_unreachable',
    ]);
    expect(possibleInhibitors({ kind: 'data_drift', isbn: ISBN, status: 'firing' })).toContain('data_stale');
  });

  it('never mutes fleet-level alerts, resolutions, or kinds no rule explains', () => {
    expect(possibleInhibitors({ kind: 'rmse_above_threshold', status: 'firing' })).toEqual([]);
    expect(possibleInhibitors({ kind: 'rmse_above_threshold', isbn: ISBN, status: 'resolved' })).toEqual([]);
    expect(possibleInhibitors({ kind: 'pipeline_failed', isbn: ISBN, status: 'firing' })).toEqual([]);
  });

  it('picks the first open source that mutes the alert', () => {
    const alert = { kind: 'mape_increase', isbn: ISBN, status: 'firing' } as const;
    expect(inhibitingKind(alert, new Set(['data_stale']))).toBe('data_stale');
    expect(inhibitingKind(alert, new Set())).toBeUndefined();
    expect(inhibitingKind(alert, new Set(['pipeline_failed']))).toBeUndefined();
  });

  it('knows a source only when it is fleet-level and open', () => {
    expect(isInhibitor({ kind: 'registry_unreachable' })).toBe(true);
    expect(isInhibitor({ kind: 'registry_unreachable', isbn: ISBN })).toBe(false);
    const state = { isbn: undefined, status: 'firing' } as unknown as AlertState;
    expect(isActiveInhibitor(state)).toBe(true);
    expect(isActiveInhibitor({ ...state, status: 'pending' })).toBe(true);
    expect(isActiveInhibitor({ ...state, status: 'resolved' })).toBe(false);
    expect(isActiveInhibitor(undefined)).toBe(false);
  });
});
