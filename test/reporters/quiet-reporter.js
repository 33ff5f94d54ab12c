/**
 * Jest's default reporter without the "PASS <file> (<time>)" line of a test file that passed and printed
 * nothing, so a green `npm test` fits on a screen: the summary alone. Anything worth reading is printed exactly as
 * the default reporter prints it: a failing file with its failures, any console output of any file (a test that
 * prints is visible, not muted), snapshot notes and retries. `npm test -- --reporters=default` lists every file.
 *
 * @jest/reporters is jest's own package (a dependency of @jest/core, the same version as the jest running this).
 */
const { DefaultReporter } = require('@jest/reporters');

class QuietReporter extends DefaultReporter {
  printTestFileHeader(testPath, config, result) {
    const printed = result.console !== undefined && result.console.length > 0;
    const retried = result.testResults.some(t => t.retryReasons !== undefined && t.retryReasons.length > 0);
    const failed = result.numFailingTests > 0 || result.testExecError !== undefined || Boolean(result.failureMessage);
    if (failed || printed || retried) {
      super.printTestFileHeader(testPath, config, result);
    }
  }
}

module.exports = QuietReporter;
