import { defineConfig } from 'vitest/config';

// One runner, two projects: `unit` needs nothing but Node; `integration` talks to a real Kafka
// broker (started by the global setup when RETOUR_KAFKA_BROKERS is unset), DuckDB files and HTTP.
// The unit files run first, two at a time (one per core: 4.4 instead of 8 minutes here), then the
// integration files one at a time, alone, as their outage and crash timings expect.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/setup/kafka-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Integration tests share one broker and the machine has 2 cores: run files one at a time.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
