/**
 * Time-skipping Temporal test server for timer-heavy suites (`@temporalio/testing` pointed at the
 * pinned binary in .tools; nothing downloads). Time is global to the server: run such suites
 * serially. It does not skip time while an Update is awaited, and has no Schedules.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { parseEncryptionKeys } from '../lib/config';
import { temporalTestServerPath } from '../lib/tools';
import { createActivities } from '../activities';
import { encryptingDataConverter } from '../lib/codec-converter';
import { workflowBundle } from './harness';
import { PayerSimulator, type SimulatorConfig } from '../activities/gateway/simulator';
import { createInbound } from '../ingest/inbound';
import { TASK_QUEUE } from '../contracts/claim';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { temporal } from '@temporalio/proto';
import { addCalendarDays, dayOfWeek, federalHolidays, isBusinessDay } from '../domain/business-days';

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

export type TimeSkippingHarness = {
  env: TestWorkflowEnvironment;
  db: Knex;
  worker: Worker;
  simulator: PayerSimulator;
  inbound: ReturnType<typeof createInbound>;
  /** Run a test body while the worker polls (fails fast if the worker died). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export async function startTimeSkipping(opts: { simulator?: SimulatorConfig } = {}): Promise<TimeSkippingHarness> {
  const keys = parseEncryptionKeys(inject('encryptionKeys'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: { dataConverter: encryptingDataConverter(keys) },
  });
  // The test server knows no custom search attributes until told (the dev server gets them as flags).
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type]])),
  });
  const db = createDb(inject('databaseUrl'));
  const inbound = createInbound({ db, temporal: env.client });
  const simulator = new PayerSimulator({ ackDelayMs: 0, remitDelayMs: 0, ...opts.simulator });
  simulator.sink = inbound;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ db, gateway: simulator }),
    dataConverter: encryptingDataConverter(keys),
  });
  // A worker runs once: it polls for the whole file; `run` just runs the test body meanwhile.
  const running = worker.run();
  let failure: unknown;
  running.catch((err) => {
    failure = err;
  });
  return {
    env,
    db,
    worker,
    simulator,
    inbound,
    async run(fn) {
      if (failure) throw failure;
      return fn();
    },
    async close() {
      simulator.stop();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await db.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Calendar "todays": timer suites run at several dates so that no test depends on the day CI runs.
// The time-skipping server starts at the real now; a suite advances its clock to a target date
// (always forward) before its first workflow starts, and derives every fixture date from the
// server's clock from then on.

export type CalendarToday = {
  /** What the date stands for, in test names. */
  name: string;
  /** The first such date strictly after `from` (YYYY-MM-DD). */
  after(from: string): string;
};

const nextDay = (from: string, pred: (d: string) => boolean): string => {
  for (let d = addCalendarDays(from, 1), i = 0; i < 366 * 8; d = addCalendarDays(d, 1), i++) if (pred(d)) return d;
  throw new Error(`no date after ${from} matches`);
};
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const holidaysFrom = (from: string) => {
  const y = Number(from.slice(0, 4));
  return [...federalHolidays(y), ...federalHolidays(y + 1)].map((h) => h.date).filter((d) => d > from).sort();
};

export const CALENDAR_TODAYS: CalendarToday[] = [
  // A Wednesday that is a business day with no federal holiday in the three weeks that follow.
  {
    name: 'an ordinary weekday',
    after: (from) =>
      nextDay(from, (d) => dayOfWeek(d) === 3 && isBusinessDay(d) && holidaysFrom(from).every((h) => h < d || h > addCalendarDays(d, 21))),
  },
  // AR windows cross New Year's Day and a fee-schedule year.
  { name: 'December 30', after: (from) => nextDay(from, (d) => d.endsWith('-12-30')) },
  // The day before a federal holiday (observed), itself a business day.
  { name: 'the eve of a federal holiday', after: (from) => nextDay(from, (d) => isBusinessDay(d) && holidaysFrom(from).includes(addCalendarDays(d, 1))) },
  { name: 'February 28 of a leap year', after: (from) => nextDay(from, (d) => d.endsWith('-02-28') && isLeap(Number(d.slice(0, 4)))) },
];

/** Today's date on the time-skipping server (UTC). */
export async function serverToday(env: TestWorkflowEnvironment): Promise<string> {
  return new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
}

/**
 * Advance the server's clock to 14:00 UTC on `today`'s next date (the middle of the US business
 * day, so UTC and US dates agree). Call before any workflow starts: timers of running workflows
 * would fire on the way.
 */
export async function advanceTo(env: TestWorkflowEnvironment, today: CalendarToday): Promise<string> {
  const target = today.after(await serverToday(env));
  const ms = Date.parse(`${target}T14:00:00.000Z`) - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
  return target;
}

/** Advance the server's clock to `hour` UTC on `date` (forward only). */
export async function sleepUntil(env: TestWorkflowEnvironment, date: string, hour = 1): Promise<void> {
  const ms = Date.parse(`${date}T00:00:00.000Z`) + hour * 3600_000 - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
