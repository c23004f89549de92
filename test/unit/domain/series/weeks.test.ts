import {
  addWeeks,
  isIsoDate,
  isoDateToMs,
  isSaturday,
  saturdayOnOrAfter,
  saturdayOnOrBefore,
  saturdaysBetween,
  seasonalSlot,
  weeksBetween,
} from '../../../../shared/domain/series/weeks';

describe('weeks', () => {
  it('knows real dates and Saturdays', () => {
    expect(isSaturday('2012-01-07')).toBe(true);
    expect(isSaturday('2024-12-28')).toBe(true);
    expect(isSaturday('2024-12-27')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-04-31')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('24-01-01')).toBe(false);
    expect(Number.isNaN(isoDateToMs('nope'))).toBe(true);
  });

  it('moves by weeks and lists Saturdays', () => {
    expect(addWeeks('2024-12-28', 1)).toBe('2025-01-04');
    expect(addWeeks('2024-03-02', -1)).toBe('2024-02-24');
    expect(weeksBetween('2012-01-07', '2024-12-28')).toBe(677);
    expect(saturdayOnOrAfter('2012-01-01')).toBe('2012-01-07');
    expect(saturdayOnOrAfter('2012-01-07')).toBe('2012-01-07');
    expect(saturdayOnOrBefore('2024-12-31')).toBe('2024-12-28');
    const all = saturdaysBetween('2012-01-01', '2024-12-31');
    expect(all).toHaveLength(678);
    expect(all[0]).toBe('2012-01-07');
    expect(all[all.length - 1]).toBe('2024-12-28');
    expect(all.every(isSaturday)).toBe(true);
  });

  it('puts the last shopping week before Christmas in slot 51 and the week after in slot 0, every year', () => {
    for (const saturday of saturdaysBetween('2012-01-01', '2030-12-31')) {
      const monthDay = saturday.slice(5);
      if (monthDay >= '12-18' && monthDay <= '12-24') expect(seasonalSlot(saturday)).toBe(51);
      if (monthDay >= '12-25') expect(seasonalSlot(saturday)).toBe(0);
    }
  });

  it('never skips a slot and rises through the year', () => {
    for (let year = 2012; year <= 2024; year++) {
      const slots = saturdaysBetween(`${year - 1}-12-25`, `${year}-12-24`).map(seasonalSlot);
      expect(new Set(slots).size).toBe(52);
      for (let i = 1; i < slots.length; i++) expect(slots[i]).toBeGreaterThanOrEqual(slots[i - 1]!);
    }
  });
});
