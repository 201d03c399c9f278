// Prints the loopback throughput of one file through the sftp plugin (source ssh2 client ->
// destination embedded server, both in this process). Not a test: numbers depend on the machine.
// Usage: npx tsc -b plugins/sftp && node plugins/sftp/scripts/measure-throughput.js [MiB] [key=value options...]
// (a dotted key sets a nested option: embeddedServer.windowBytes=2097152; verify=size|checksum runs one)
const path = require('node:path');
const { PluginPair, writeRandomFile } = require('@ferry/plugin-sdk/testing');
// FERRY_MEASURE_PLUGIN=<folder of another build of this plugin> compares builds (A/B)
const plugin = require(process.env.FERRY_MEASURE_PLUGIN ? path.resolve(process.env.FERRY_MEASURE_PLUGIN) : '@ferry/plugin-sftp').default;

async function main() {
  const mib = Number(process.argv[2] ?? 200);
  const pairs = process.argv.slice(3).map((a) => a.split('='));
  const verifies = pairs.filter(([k]) => k === 'verify').map(([, v]) => v);
  const extra = Object.fromEntries(pairs.filter(([k]) => k !== 'verify').map(([k, v]) => [k, Number(v)]));
  const options = { embeddedServer: { host: '127.0.0.1', port: 0 } };
  for (const [k, v] of Object.entries(extra)) {
    const keys = k.split('.');
    let o = options;
    for (const key of keys.slice(0, -1)) o = o[key] ??= {};
    o[keys[keys.length - 1]] = v;
  }
  const pair = await PluginPair.start(plugin, () => options);
  try {
    await writeRandomFile(path.join(pair.source.driveRoot, 'payload', 'big.bin'), mib * 1024 * 1024);
    for (const verify of verifies.length ? verifies : ['size', 'checksum']) {
      const t = await pair.transfer({ sourcePath: 'payload/big.bin', options: { verify } });
      await t.prepare();
      await t.triggerDestination();
      const started = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      await t.triggerSource();
      await t.waitForEnd(600_000);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const failure = t.source.record.failures[0];
      if (failure) throw new Error(`${failure.code}: ${failure.message}`);
      const result = await t.finalize('succeeded');
      console.log(
        `${process.env.FERRY_MEASURE_PLUGIN ?? 'dist'} ${mib} MiB verify=${verify} ${JSON.stringify(extra)}: ${seconds.toFixed(2)} s, ${(mib / seconds).toFixed(1)} MiB/s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, finalize ok=${result.destination.ok}`,
      );
    }
  } finally {
    await pair.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
