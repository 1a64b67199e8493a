/** What one client process observes: latencies of bench frames and every broadcast's arrival times. */
import { BENCH_FRAME_TYPE, type BroadcastStatus, type CollectReply } from './protocol';

/** A bound on the samples kept per process, so a misconfigured run cannot eat the machine's memory. */
const MAX_SAMPLES = 4_000_000;

interface BenchData {
  t: number;
  b?: number;
  u?: string;
}

export class Recorder {
  private fanoutUs: number[] = [];
  private baselineUs: number[] = [];
  private misdelivered = 0;
  private readonly unexpectedCloses: Record<string, number> = {};
  private readonly broadcasts = new Map<number, BroadcastStatus>();

  /** A frame from the BFF on a socket of user `sub`, received at `nowUs`. */
  frame(nowUs: number, text: string, sub: string): void {
    const data = benchData(text);
    if (!data) return;
    if (data.b !== undefined) {
      const seen = this.broadcasts.get(data.b);
      if (seen) {
        seen.received += 1;
        seen.lastUs = nowUs;
      } else {
        this.broadcasts.set(data.b, { received: 1, firstUs: nowUs, lastUs: nowUs });
      }
      return;
    }
    if (data.u !== sub) {
      this.misdelivered += 1;
      return;
    }
    if (this.fanoutUs.length < MAX_SAMPLES) this.fanoutUs.push(nowUs - data.t);
  }

  /** A message on the baseline's plain Redis subscription, parsed like a frame so both sides pay the same. */
  baseline(nowUs: number, text: string): void {
    const data = benchData(text);
    if (data && this.baselineUs.length < MAX_SAMPLES) this.baselineUs.push(nowUs - data.t);
  }

  /** Keyed by code and user: a 4001 on every socket of one user is a logout somewhere else on the same Redis. */
  unexpectedClose(code: number, sub: string): void {
    const key = `${String(code)} (${sub})`;
    this.unexpectedCloses[key] = (this.unexpectedCloses[key] ?? 0) + 1;
  }

  broadcast(id: number): BroadcastStatus {
    return this.broadcasts.get(id) ?? { received: 0, firstUs: 0, lastUs: 0 };
  }

  /** Hands over (and forgets) the samples so far; the counters add up over the whole run. */
  collect(sockets: number): CollectReply {
    const reply = {
      fanoutUs: this.fanoutUs,
      baselineUs: this.baselineUs,
      misdelivered: this.misdelivered,
      unexpectedCloses: { ...this.unexpectedCloses },
      sockets,
    };
    this.fanoutUs = [];
    this.baselineUs = [];
    return reply;
  }
}

function benchData(text: string): BenchData | undefined {
  let frame: { type?: string; data?: BenchData };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    return undefined;
  }
  return frame.type === BENCH_FRAME_TYPE && typeof frame.data?.t === 'number' ? frame.data : undefined;
}
