// The migration control time is what forced migrations took beyond the KV transfer line.
import test from 'ava';
import type { MigrationRecord } from '../../backend/manager/fleet.ts';
import { duringAny, fitMigrationControl, lineMs } from '../../fidelity/calibrate-migration.ts';

const line = { bandwidth_gbps: 0.5, stage_overhead_ms: 2, bytes_per_block: 32768 };

function record(outcome: string, stages: number, blocks: number, took_ms: number): MigrationRecord {
  return { outcome, request_id: 'r', stages, blocks, downtime_ms: 1, total_ms: took_ms, detail: '', from: 0, to: 1, started_s: 10, ended_s: 10 + took_ms / 1e3 } as MigrationRecord;
}

test('the line prices stages × overhead + bytes ÷ bandwidth', (t) => {
  // 10 blocks × 32,768 B at 0.5 GB/s = 0.65536 ms, plus 2 stages × 2 ms.
  t.true(Math.abs(lineMs(line, 2, 10) - 4.65536) < 1e-9);
});

test('the control time is the median residual of the committed migrations and of those refused at the first PRE-ALLOC; the rest do not count', (t) => {
  const fit = fitMigrationControl([
    record('committed', 2, 10, lineMs(line, 2, 10) + 20),
    record('committed', 1, 40, lineMs(line, 1, 40) + 30),
    // Refused before any block moved: all of its 13 ms is control path.
    record('aborted-dst-no-memory', 1, 0, 13),
    // Refused at a later stage, finished mid-copy, nothing to move: no definite measure.
    record('aborted-dst-no-memory', 2, 8, 400),
    record('aborted-finished', 1, 5, 500),
    record('no-request', 0, 0, 1),
  ], line);
  t.is(fit.tried, 6);
  t.is(fit.measured, 3);
  t.is(fit.committed, 2);
  // Residuals 20, 30 and 13: the median, not the mean (21).
  t.true(Math.abs(fit.control_ms - 20) < 1e-9, String(fit.control_ms));
  t.deepEqual(fit.samples.map((s) => s.outcome), ['committed', 'committed', 'aborted-dst-no-memory']);
});

test('a line slower than the measured migrations gives 0, never a negative time; nothing measured gives 0', (t) => {
  t.is(fitMigrationControl([record('committed', 2, 10, 1)], line).control_ms, 0);
  const none = fitMigrationControl([record('aborted-finished', 1, 3, 30), record('no-request', 0, 0, 3)], line);
  t.is(none.control_ms, 0);
  t.is(none.measured, 0);
});

test('duringAny: a step that ran even partly inside a window; steps that end before or start after are outside', (t) => {
  const during = duringAny([{ start_unix_ms: 100, end_unix_ms: 200 }, { start_unix_ms: 500, end_unix_ms: 510 }]);
  t.false(during({ started_unix_ms: 90, step_ms: 10 }), 'ends as the window opens');
  t.true(during({ started_unix_ms: 95, step_ms: 10 }), 'overlaps its start');
  t.true(during({ started_unix_ms: 150, step_ms: 1 }), 'inside');
  t.true(during({ started_unix_ms: 199, step_ms: 5 }), 'overlaps its end');
  t.false(during({ started_unix_ms: 200, step_ms: 5 }), 'starts as it closes');
  t.true(during({ started_unix_ms: 490, step_ms: 30 }), 'spans the second window');
  t.false(duringAny([])({ started_unix_ms: 0, step_ms: 1e9 }), 'no window, nothing excluded');
});
