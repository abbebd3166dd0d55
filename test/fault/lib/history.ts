// A history of every send (attempted, then acknowledged, failed or unknown) and every delivery,
// for the checker. Ids are unique per run; a delivery names the broker it came from.

export type SendOutcome = 'ACKED' | 'FAILED' | 'UNKNOWN';

export interface SendEvent {
  id: string;
  atMs: number;
  outcome: SendOutcome | 'PENDING';
  /** Broker status or error code, for diagnosis. */
  detail: string;
  /** When the outcome was known (undefined while PENDING). */
  doneMs?: number;
}

export interface Delivery {
  id: string;
  atMs: number;
  queue: string;
  queueOffset: number;
  broker: string;
}

export class History {
  readonly sends = new Map<string, SendEvent>();
  readonly deliveries: Delivery[] = [];
  #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  attempted(id: string): void {
    this.sends.set(id, { id, atMs: this.#clock(), outcome: 'PENDING', detail: '' });
  }

  /** SEND_OK is ACKED; a definite refusal is FAILED; timeouts and FLUSH_*_TIMEOUT are UNKNOWN. */
  completed(id: string, outcome: SendOutcome, detail = ''): void {
    const send = this.sends.get(id);
    if (send === undefined) throw new Error(`send ${id} completed without being attempted`);
    send.outcome = outcome;
    send.detail = detail;
    send.doneMs = this.#clock();
  }

  delivered(delivery: Omit<Delivery, 'atMs'>): void {
    this.deliveries.push({ ...delivery, atMs: this.#clock() });
  }

  acked(): string[] {
    return [...this.sends.values()].filter((s) => s.outcome === 'ACKED').map((s) => s.id);
  }

  /** How many sends begun at or after `fromMs` were acknowledged. */
  ackedSince(fromMs: number): number {
    let count = 0;
    for (const s of this.sends.values()) if (s.atMs >= fromMs && s.outcome === 'ACKED') count++;
    return count;
  }
}
