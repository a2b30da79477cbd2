/** Writes pass/fail counts for scripts/test.ts's one summary line. */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private final = new Map<string, TestResult['status']>();

  onTestEnd(test: TestCase, result: TestResult): void {
    this.final.set(test.id, result.status); // the last retry decides
  }

  onEnd(_result: FullResult): void {
    const statuses = [...this.final.values()];
    const summary = {
      passed: statuses.filter((s) => s === 'passed').length,
      failed: statuses.filter((s) => s === 'failed' || s === 'timedOut' || s === 'interrupted').length,
      skipped: statuses.filter((s) => s === 'skipped').length,
    };
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/playwright-summary.json', JSON.stringify(summary));
  }
}
