import { resolveTarget } from '../../../../shared/domain/rollback/targets';
import { aBook, at, servingWith } from './books';

describe('resolveTarget', () => {
  describe('an explicit version', () => {
    it('resolves a registered version', () => {
      expect(resolveTarget({ kind: 'version', version: '1' }, aBook(), false)).toEqual({
        ok: true,
        to: '1',
        forced: false,
        via: 'version 1',
      });
    });

    it('refuses an unknown version and lists the versions there are, quarantined ones marked', () => {
      const result = resolveTarget({ kind: 'version', version: '22' }, aBook({ quarantined: ['2'] }), false);
      expect(result).toEqual(expect.objectContaining({ ok: false, problem: 'unknown-version' }));
      expect(!result.ok && result.reason).toContain('has no version "22" (versions: 1, 2 (quarantined), 3)');
    });

    it('elides a long version list in the middle', () => {
      const result = resolveTarget({ kind: 'version', version: '99' }, aBook({ count: 40 }), false);
      expect(!result.ok && result.reason).toContain('(versions: 1, 2, 3, …, 24, 25,');
    });

    it('refuses a quarantined version unless forced, and says how to force it', () => {
      const book = aBook({ quarantined: ['1'] });
      const refused = resolveTarget({ kind: 'version', version: '1' }, book, false);
      expect(refused).toEqual(expect.objectContaining({ ok: false, problem: 'quarantined' }));
      expect(!refused.ok && refused.reason).toContain(
        'quarantined: MAPE 61 % above 30 %; pass force (--force)',
      );
      expect(resolveTarget({ kind: 'version', version: '1' }, book, true)).toEqual(
        expect.objectContaining({ ok: true, to: '1', forced: true }),
      );
    });
  });

  describe('previous', () => {
    it('reads the serving history first: the newest usable version that is not the current one', () => {
      const history = [
        { version: '1', at, via: 'deploy' as const },
        { version: '2', at, via: 'deploy' as const },
        { version: '3', at, via: 'deploy' as const },
      ];
      expect(resolveTarget({ kind: 'previous' }, aBook({ history }), false)).toEqual({
        ok: true,
        to: '2',
        forced: false,
        via: 'previous (serving history)',
      });
      // A quarantined entry is passed over, even with force.
      expect(resolveTarget({ kind: 'previous' }, aBook({ history, quarantined: ['2'] }), true)).toEqual(
        expect.objectContaining({ ok: true, to: '1' }),
      );
    });

    it('without history, takes the highest lower version still deployed, else the highest lower version', () => {
      const deployed = aBook({ count: 4, serving: servingWith({ '2': 0, '4': 100 }) });
      expect(resolveTarget({ kind: 'previous' }, deployed, false)).toEqual(
        expect.objectContaining({ to: '2', via: 'previous (highest lower version still deployed)' }),
      );
      const alone = aBook({ count: 4, serving: servingWith({ '4': 100 }) });
      expect(resolveTarget({ kind: 'previous' }, alone, false)).toEqual(
        expect.objectContaining({ to: '3', via: 'previous (highest lower version)' }),
      );
      const quarantined = aBook({ count: 4, serving: servingWith({ '4': 100 }), quarantined: ['3'] });
      expect(resolveTarget({ kind: 'previous' }, quarantined, false)).toEqual(
        expect.objectContaining({ to: '2' }),
      );
    });

    it('refuses when there is nothing below the current version', () => {
      const result = resolveTarget({ kind: 'previous' }, aBook({ count: 1 }), false);
      expect(result).toEqual(expect.objectContaining({ ok: false, problem: 'no-previous' }));
    });
  });

  describe('last-known-good', () => {
    it('follows the pointer', () => {
      expect(resolveTarget({ kind: 'last-known-good' }, aBook({ lastKnownGood: '2' }), false)).toEqual({
        ok: true,
        to: '2',
        forced: false,
        via: 'last-known-good',
      });
    });

    it('refuses no pointer, a pointer to an unknown version, and a quarantined one even with force', () => {
      expect(resolveTarget({ kind: 'last-known-good' }, aBook({ lastKnownGood: undefined }), false)).toEqual(
        expect.objectContaining({ ok: false, problem: 'no-last-known-good' }),
      );
      expect(resolveTarget({ kind: 'last-known-good' }, aBook({ lastKnownGood: '9' }), false)).toEqual(
        expect.objectContaining({ ok: false, problem: 'unknown-version' }),
      );
      const quarantined = resolveTarget(
        { kind: 'last-known-good' },
        aBook({ lastKnownGood: '2', quarantined: ['2'] }),
        true,
      );
      expect(quarantined).toEqual(
        expect.objectContaining({ ok: false, problem: 'last-known-good-quarantined' }),
      );
      expect(!quarantined.ok && quarantined.reason).toContain('names version 2, which is quarantined');
    });
  });
});
