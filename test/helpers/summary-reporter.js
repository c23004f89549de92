/**
 * Prints one plain closing line CI can read ("tests: N passed, N failed, N skipped"),
 * and names every skipped suite so a skip is never mistaken for a pass.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skippedSuites = results.testResults.filter(
      (r) => r.skipped || (r.numPendingTests > 0 && r.numPassingTests === 0),
    );
    for (const s of skippedSuites) {
      process.stdout.write(`skipped suite: ${s.testFilePath}\n`);
    }
    process.stdout.write(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests + results.numRuntimeErrorTestSuites} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
