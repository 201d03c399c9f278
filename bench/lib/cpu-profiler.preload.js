'use strict';
/**
 * `--require` preload for profiling the processes the bench starts (NODE_OPTIONS refuses
 * --cpu-prof): records a V8 CPU profile from start-up to exit and writes
 * $FERRY_CPU_PROF_DIR/<script>-<pid>.cpuprofile. Read it with bench/lib/cpuprofile-top.js.
 */
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.FERRY_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      const name = path.basename(path.resolve(process.argv[1] || '.', '..', '..'));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  process.on('exit', write);
  // the gateway has no SIGTERM handler (the default action would exit without 'exit'): write, then
  // end as the default would; a process with handlers of its own keeps them
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      write();
      if (process.listenerCount(sig) === 1) process.exit(128 + (sig === 'SIGTERM' ? 15 : 2));
    });
  }
}
