import type { TaskView } from '@ferry/contracts';

/**
 * For ResearcherClient.waitTask: the task is RUNNING with at least `minBytes` done. A task that
 * ended (even SUCCEEDED) throws: the test wanted to act in the middle, so its data is too small.
 */
export const runningWith = (minBytes: number) => (t: TaskView) => {
  if (['FAILED', 'CANCELLED', 'EXPIRED', 'REJECTED'].includes(t.state)) throw new Error(`task ended ${t.state}: ${JSON.stringify(t.error)}`);
  if (t.state === 'SUCCEEDED') throw new Error('the transfer finished before the test could act: make its data bigger');
  return t.state === 'RUNNING' && t.progress.bytesDone >= minBytes;
};
