/** One measured figure; `bench/results.json` is an array of these. */
export interface BenchResult {
  suite: string;
  metric: string;
  value: number;
  unit: string;
}

/** A suite measures a bounded amount of work (a fixed count or a few seconds) and returns its figures. */
export interface BenchSuite {
  name: string;
  run(): Promise<BenchResult[]>;
}
