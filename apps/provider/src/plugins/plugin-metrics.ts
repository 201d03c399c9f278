import { Injectable } from '@nestjs/common';

export interface MechanismMetrics {
  /** calls per plugin method */
  calls: Record<string, number>;
  /** failures per error code (MechanismError code, or INTERNAL for plugin bugs) */
  errors: Record<string, number>;
  /** attempts repeated because the plugin classified the failure as 'retry' */
  retries: number;
}

/** In-memory counters per mechanism, fed by GuardedPlugin (nothing else calls plugins). */
@Injectable()
export class PluginMetrics {
  private readonly byMechanism = new Map<string, MechanismMetrics>();

  call(mechanism: string, method: string) {
    const m = this.of(mechanism);
    m.calls[method] = (m.calls[method] ?? 0) + 1;
  }

  error(mechanism: string, code: string) {
    const m = this.of(mechanism);
    m.errors[code] = (m.errors[code] ?? 0) + 1;
  }

  retry(mechanism: string) {
    this.of(mechanism).retries++;
  }

  snapshot(): Record<string, MechanismMetrics> {
    return JSON.parse(JSON.stringify(Object.fromEntries(this.byMechanism))) as Record<string, MechanismMetrics>;
  }

  private of(mechanism: string): MechanismMetrics {
    let m = this.byMechanism.get(mechanism);
    if (!m) this.byMechanism.set(mechanism, (m = { calls: {}, errors: {}, retries: 0 }));
    return m;
  }
}
