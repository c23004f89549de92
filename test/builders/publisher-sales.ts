/**
 * Sales rows written the way the publisher's pipeline writes
 * raw_data/UK_weekly_data.csv (test/fixtures/gcp-formats/9-publisher-pipeline):
 * its full BookScan-style header, RFC 4180 quoting, and every third row's
 * ISBN hyphenated (978-0-7225-3293-5), the trap its own code falls into.
 */
import { csvField } from '../../shared/fleet/csv';

export const PUBLISHER_HEADER = [
  'ISBN',
  'Title',
  'Author',
  'Binding',
  'Imprint',
  'Publisher Group',
  'Product Class',
  'Source',
  'End Date',
  'Volume',
  'Value',
  'ASP',
  'RRP',
] as const;

/** 9780722532935 → 978-0-7225-3293-5 (group-publisher-title split as in the sample). */
export function hyphenate(isbn: string): string {
  return `${isbn.slice(0, 3)}-${isbn.slice(3, 4)}-${isbn.slice(4, 8)}-${isbn.slice(8, 12)}-${isbn.slice(12)}`;
}

export interface PublisherRow {
  isbn: string;
  title: string;
  week: string;
  volume: number | string;
}

/** One data line (LF-terminated, as the sample is). */
export function publisherLine(row: PublisherRow, hyphenated: boolean): string {
  const asp = 6.41;
  const volume = typeof row.volume === 'number' ? row.volume : Number(row.volume);
  return (
    [
      hyphenated ? hyphenate(row.isbn) : row.isbn,
      row.title,
      'Coelho, Paulo',
      'Paperback',
      'Thorsons',
      'HarperCollins Grp',
      'F1.1 General & Literary Fiction',
      "Y Children's, YA & Educational",
      row.week,
      row.volume,
      Number.isFinite(volume) ? (volume * asp).toFixed(2) : '',
      asp.toFixed(2),
      '9.99',
    ]
      .map(csvField)
      .join(',') + '\n'
  );
}

/** A whole file: header, then the rows in the order given, every third ISBN hyphenated. */
export function publisherCsv(rows: readonly PublisherRow[]): string {
  return PUBLISHER_HEADER.join(',') + '\n' + rows.map((r, i) => publisherLine(r, i % 3 === 2)).join('');
}
