import { explainForecast, slotInWords } from '../../../../shared/domain/validation/explanation';
import { aWindow } from './fixtures';

describe('explainForecast', () => {
  const profile = Array.from({ length: 52 }, (_, i) => (i === 51 ? 0.7 : i === 3 ? -0.25 : 0));

  it('names the recent level, the seasonal peak and trough, and the trend in plain words', () => {
    const history = aWindow(156, '2024-11-30', (i) => (i < 104 ? 100 : 110));
    const e = explainForecast({
      history,
      seasonalProfile: profile,
      forecast: Array(104).fill(100),
      order: '(0,1,1)',
    });
    expect(e.recentLevel).toBe(110);
    expect(e.text).toContain(
      'Recent level: about 110 copies a week over the last 8 weeks, carried forward by ARIMA(0,1,1)',
    );
    expect(e.seasonality).toMatchObject({
      strength: 'strong',
      peak: 'the week before Christmas',
      trough: 'mid-January',
    });
    expect(e.seasonality!.peakPct).toBeCloseTo(101.4, 1);
    expect(e.trendPct).toBeCloseTo(10, 5);
    expect(e.text).toContain('+10 % on the 52 before');
    expect(e.outlookPct).toBeCloseTo(((5200 - 5720) / 5720) * 100, 5);
  });

  it('says what it cannot tell', () => {
    const e = explainForecast({ history: aWindow(30, '2024-11-30') });
    expect(e.text).toContain('no seasonal profile recorded');
    expect(e.text).toContain('Trend: not measured (30 weeks of history');
  });

  it('puts slots in words from Christmas', () => {
    expect(slotInWords(0)).toBe('late December');
    expect(slotInWords(25)).toBe('late June');
    expect(slotInWords(7)).toBe('mid-February');
  });
});
