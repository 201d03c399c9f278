import { Injectable, Logger } from '@nestjs/common';
import { CoreInstance } from '../config/core-instance';
import { TaskRepository } from '../persistence/repositories';

/**
 * Keeps this process's lease on a task alive while it works (gateway calls can take minutes, e.g. a
 * destination verifying a large tree), so the lease itself can stay short and a crashed process's
 * work is taken over quickly. Losing the lease is logged; the work's final transition is conditional
 * on still holding it, so it cannot end the task twice.
 */
@Injectable()
export class TaskLeases {
  private readonly logger = new Logger(TaskLeases.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly instance: CoreInstance,
  ) {}

  async hold<T>(taskId: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      this.tasks
        .renewLease(taskId, this.instance.id, this.instance.leaseMs)
        .then((held) => held || this.logger.warn(`lost the lease on task ${taskId}`))
        .catch((e) => this.logger.warn(`could not renew the lease on task ${taskId}: ${(e as Error).message}`));
    }, CoreInstance.RENEW_EVERY_MS);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}
