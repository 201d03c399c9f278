// Prints the loopback throughput of one file through the sftp plugin (source ssh2 client ->
// destination embedded server, both in this process). Not a test: numbers depend on the machine.
// Usage: npx tsc -b plugins/sftp && node plugins/sftp/scripts/measure-throughput.js [MiB] [key=value options...]
const path = require('node:path');
const { PluginPair, writeRandomFile } = require('@ferry/plugin-sdk/testing');
const plugin = require('@ferry/plugin-sftp').default;

async function main() {
  const mib = Number(process.argv[2] ?? 200);
  const extra = Object.fromEntries(process.argv.slice(3).map((a) => a.split('=')).map(([k, v]) => [k, Number(v)]));
  const options = { embeddedServer: { host: '127.0.0.1', port: 0 }, ...extra };
  const pair = await PluginPair.start(plugin, () => options);
  try {
    await writeRandomFile(path.join(pair.source.driveRoot, 'payload', 'big.bin'), mib * 1024 * 1024);
    for (const verify of ['size', 'checksum']) {
      const t = await pair.transfer({ sourcePath: 'payload/big.bin', options: { verify } });
      await t.prepare();
      await t.triggerDestination();
      const started = process.hrtime.bigint();
      await t.triggerSource();
      await t.waitForEnd(600_000);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const failure = t.source.record.failures[0];
      if (failure) throw new Error(`${failure.code}: ${failure.message}`);
      const result = await t.finalize('succeeded');
      console.log(
        `${mib} MiB verify=${verify} ${JSON.stringify(extra)}: ${seconds.toFixed(2)} s, ${(mib / seconds).toFixed(1)} MiB/s, finalize ok=${result.destination.ok}`,
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
