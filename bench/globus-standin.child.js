'use strict';
/**
 * Child process of bench/globus-poller.js: runs the Globus stand-in (compiled from
 * test/globus-standin by the parent) so that the parent's RSS is the plugin's alone.
 * Talks over the IPC channel: {cmd:'start'|'set'|'count'|'stop'}.
 */
const { GlobusStandin } = require(process.argv[2]);

let g;
process.on('message', async (m) => {
  try {
    if (m.cmd === 'start') {
      g = await GlobusStandin.start(m.settings);
      const appA = g.registerClient();
      const appB = g.registerClient();
      const collA = g.addCollection({ root: m.rootA, owner: appA.identityId });
      const collB = g.addCollection({ root: m.rootB, owner: appB.identityId });
      process.send({ id: m.id, authUrl: g.authUrl, transferUrl: g.transferUrl, appA, appB, collA, collB });
    } else if (m.cmd === 'set') {
      Object.assign(g.settings, m.settings);
      process.send({ id: m.id });
    } else if (m.cmd === 'count') {
      const statuses = Object.fromEntries(g.tasks().reduce((acc, t) => acc.set(t.status, (acc.get(t.status) || 0) + 1), new Map()));
      process.send({ id: m.id, counters: Object.fromEntries(g.counters), statuses });
    } else if (m.cmd === 'stop') {
      await g.stop();
      process.send({ id: m.id });
      process.exit(0);
    }
  } catch (e) {
    process.send({ id: m.id, error: String(e && e.stack || e) });
  }
});
