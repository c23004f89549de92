/**
 * The one document-size count (shared/contracts/document-size.ts), checked
 * against the worked example on Firestore's storage-size page
 * (https://cloud.google.com/firestore/docs/storage-size).
 */
import { documentSize, firestoreSize, MAX_DOCUMENT_BYTES } from '../../../shared/contracts/document-size';
import * as port from '../../../shared/ports/state-store';

describe('document size', () => {
  const task = { type: 'Personal', done: false, priority: 1, description: 'Learn Cloud Firestore' };

  it("counts the page's example fields as 71 bytes (names + 1, strings + 1, boolean 1, number 8)", () => {
    expect(firestoreSize(task)).toBe(14 + 6 + 17 + 34);
  });

  it('adds the name (collection and id as strings, + 16) and 32 bytes for the document', () => {
    // tasks/my_task_id: 6 + 11 + 16 = 33 for the name.
    expect(documentSize('tasks', 'my_task_id', task)).toBe(33 + 71 + 32);
  });

  it('counts UTF-8 bytes, not characters, and leaves undefined fields out', () => {
    expect(firestoreSize('é')).toBe(3);
    expect(firestoreSize({ a: undefined, b: null })).toBe(2 + 1);
  });

  it('is 1 MiB, and 1 MiB - 89 bytes for one field value, the figures the StateStore port gives', () => {
    expect(MAX_DOCUMENT_BYTES).toBe(1024 * 1024);
    expect(port.MAX_FIELD_VALUE_BYTES).toBe(1_048_487);
    expect(port.MAX_DOCUMENT_BYTES).toBe(MAX_DOCUMENT_BYTES);
    expect(port.documentSize).toBe(documentSize);
  });
});
