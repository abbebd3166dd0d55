// A task that runs every interval (route refresh, heartbeat, rebalance, offset commit): runs never
// overlap, a run can be asked for early (trigger), and a failing run is logged with its task name
// and does not stop the next one.
//
// RocketMQ: client/.../impl/factory/MQClientInstance.java (startScheduledTask); ali-ons uses
// setInterval-like loops in lib/mq_client.js.

import type { Logger } from '../protocol/logger.js';

export class PeriodicTask {
  readonly name: string;
  readonly #run: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #isRerunAsked = false;
  #isStopped = true;

  constructor(name: string, intervalMs: number, logger: Logger, run: () => Promise<void>) {
    this.name = name;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#run = run;
  }

  start(): void {
    this.#isStopped = false;
    this.#schedule(this.#intervalMs);
  }

  /** Runs soon (after `delayMs`), or right after the current run ends. */
  trigger(delayMs = 0): void {
    if (this.#isStopped) return;
    if (this.#running !== null) {
      this.#isRerunAsked = true;
      return;
    }
    this.#schedule(delayMs);
  }

  /** Runs now and resolves when done (used at start and shutdown). */
  async runNow(): Promise<void> {
    while (this.#running !== null) await this.#running;
    await this.#execute();
    if (this.#isRerunAsked) {
      this.#isRerunAsked = false;
      this.trigger();
    }
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#running !== null) await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#execute().then(() => {
        if (this.#isStopped) return;
        const rerun = this.#isRerunAsked;
        this.#isRerunAsked = false;
        if (this.#timer === null) this.#schedule(rerun ? 0 : this.#intervalMs);
      });
    }, delayMs);
  }

  async #execute(): Promise<void> {
    const running = this.#run().catch((error: unknown) => {
      this.#logger.warn(`Periodic task ${this.name} failed`, { error: String(error) });
    });
    this.#running = running;
    try {
      await running;
    } finally {
      if (this.#running === running) this.#running = null;
    }
  }
}
