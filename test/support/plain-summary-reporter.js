// Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI reads whatever the runner,
// and fails the run when any test was skipped: here a skipped test is a failing test.
class PlainSummaryReporter {
  constructor(globalConfig) {
    // With -t, jest reports the tests it filtered out as skipped; that is a choice, not a skip.
    this.filtered = Boolean(globalConfig.testNamePattern);
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (skipped > 0 && !this.filtered) {
      this.error = new Error(`${skipped} test(s) skipped; a skipped test is a failing test`);
      process.stderr.write(`${this.error.message}\n`);
    }
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }

  getLastError() {
    return this.error;
  }
}
module.exports = PlainSummaryReporter;
